/// What `InMemoryJobStore` tells its subscribers in this process: a waiter wakes on `finished`.
/// (A shared store wakes waiters through Redis instead, and workers learn of a cancel request
/// from their progress reports, so neither needs events across processes.)
public enum JobEvent: Sendable, Equatable {
    case finished(id: String)
    case cancelRequested(id: String)
}
