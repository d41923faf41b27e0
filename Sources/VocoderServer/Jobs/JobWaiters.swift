import Foundation

/// The requests of this process that wait for jobs to finish. It learns of finished jobs from
/// the store's `finished` events, so with a store shared by several processes a job that
/// finishes in another one still wakes its waiter here.
///
/// Waiting blocks the caller's thread (a connection's own thread: one way to wait, see
/// docs/architecture.md), at most until its deadline, and stops early when the client has gone.
final class JobWaiters: @unchecked Sendable {
    // Weak: the store owns its waiters.
    private weak var store: InMemoryJobStore?
    // Guards `waiting` and `finished`; waiters sleep on it.
    private let condition = NSCondition()
    /// Waiters per job id.
    private var waiting: [String: Int] = [:]
    /// Ids of waited-for jobs that finished, until their last waiter leaves.
    private var finished: Set<String> = []
    /// How often a waiter wakes to ask whether its client is still there.
    static let clientCheckInterval: TimeInterval = 0.25

    init(store: InMemoryJobStore) {
        self.store = store
        store.subscribe { [weak self] event in
            if case .finished(let id) = event { self?.markFinished(id) }
        }
    }

    /// Blocks until job `id` is finished (or gone from the store), `deadline` passes, or
    /// `clientHasGone` returns true.
    func wait(for id: String, deadline: ContinuousClock.Instant, clientHasGone: () -> Bool) -> JobWaitOutcome {
        condition.lock()
        waiting[id, default: 0] += 1
        defer {
            if let n = waiting[id], n > 1 { waiting[id] = n - 1 } else { waiting[id] = nil; finished.remove(id) }
            condition.unlock()
        }
        // Registered first, then checked: a job that finished before either is seen here, one
        // that finishes after is seen through its event.
        if store?.record(id)?.status.isFinished ?? true { return .finished }
        let clock = ContinuousClock()
        while !finished.contains(id) {
            if clientHasGone() { return .clientGone }
            let left = deadline - clock.now
            if left <= .zero { return .timedOut }
            let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            _ = condition.wait(until: Date(timeIntervalSinceNow: min(seconds, Self.clientCheckInterval)))
        }
        return .finished
    }

    private func markFinished(_ id: String) {
        condition.lock()
        if waiting[id] != nil {
            finished.insert(id)
            condition.broadcast()
        }
        condition.unlock()
    }
}
