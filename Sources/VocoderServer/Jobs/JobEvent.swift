/// What a `JobStore` tells its subscribers, in whichever process they run: a waiter wakes on
/// `finished`, the worker running a job stops it on `cancelRequested`.
public enum JobEvent: Sendable, Equatable {
    case finished(id: String)
    case cancelRequested(id: String)
}
