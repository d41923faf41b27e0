import Foundation
import Synchronization

/// The one-process `JobStore`: a bounded queue (`JobQueue`) that this process's workers take
/// from, and records and audio in memory until the TTL after a job finished passes; finished
/// audio is retained under a total byte cap (oldest evicted first, their fetch answers 410).
/// Events (`subscribe`) are delivered synchronously, after the lock is released: they wake
/// this process's waiters.
public final class InMemoryJobStore: JobStore {
    public let ttl: TimeInterval
    public let maxResultBytes: Int
    let queue: JobQueue
    // Set once at the end of init (the waiters subscribe to this store), read-only after.
    nonisolated(unsafe) private var waiters: JobWaiters!

    private struct State {
        var records: [String: JobRecord] = [:]
        var results: [String: Data] = [:]
        /// Ids of jobs holding a result, oldest first.
        var retained: [String] = []
        var retainedBytes = 0
        /// Synchronous requests still to read a job's result, by id.
        var holds: [String: Int] = [:]
    }
    private let state = Mutex(State())
    private let subscribers = Mutex<[@Sendable (JobEvent) -> Void]>([])

    public init(ttl: TimeInterval, maxResultBytes: Int, queueCapacity: Int = 16) {
        self.ttl = ttl
        self.maxResultBytes = maxResultBytes
        queue = JobQueue(capacity: queueCapacity)
        waiters = JobWaiters(store: self)
    }

    // MARK: - JobStore: routes

    public func submit(_ record: JobRecord, holdResult: Bool) throws(ServiceError) {
        insert(record)
        if holdResult { hold(record.id) }
        switch queue.enqueue(record.id) {
        case .queued: return
        case .full:
            remove(record.id)
            throw .queueFull(capacity: queue.capacity)
        case .closed:
            remove(record.id)
            throw .shuttingDown
        }
    }

    /// A worker takes a job off the queue just before it marks it running: a queued job no
    /// longer in the queue is the next to run (0).
    public func queuePosition(of id: String) -> Int? {
        queue.position(of: id) ?? 0
    }

    public func requestCancel(_ id: String, reason: String) -> (record: JobRecord, cancelledNow: Bool)? {
        var cancelledNow = false
        let after = update(id) { r in
            guard !r.status.isFinished else { return }
            r.cancelRequested = true
            if r.status == .queued {
                r.status = .cancelled
                r.error = reason
                r.finishedAt = Date()
                cancelledNow = true
            }
        }
        // It does not hold a slot: no worker will run it.
        if cancelledNow { queue.remove(id: id) }
        return after.map { ($0, cancelledNow) }
    }

    public func wait(for id: String, deadline: ContinuousClock.Instant, clientHasGone: () -> Bool) -> JobWaitOutcome {
        waiters.wait(for: id, deadline: deadline, clientHasGone: clientHasGone)
    }

    // MARK: - JobStore: workers

    public func claim() -> JobClaim? {
        while let id = queue.dequeue() {
            // queued -> running, unless it was cancelled while it waited (that cancel finished it).
            var claimed = false
            let started = update(id) { r in
                guard r.status == .queued, !r.cancelRequested else { return }
                r.status = .running
                r.startedAt = Date()
                r.attempts += 1
                claimed = true
            }
            if claimed, let started { return JobClaim(record: started, epoch: started.attempts) }
        }
        return nil
    }

    public func reportProgress(_ claim: JobClaim, stepsDone: Int) -> JobClaim.State {
        let after = update(claim.id) { r in
            guard r.attempts == claim.epoch, r.status == .running else { return }
            r.stepsDone = stepsDone
        }
        guard let after, after.attempts == claim.epoch, after.status == .running else { return .lost }
        return after.cancelRequested ? .cancelRequested : .running
    }

    public func finish(_ claim: JobClaim, _ outcome: JobOutcome) -> JobRecord? {
        guard let current = record(claim.id), current.attempts == claim.epoch, current.status == .running else { return nil }
        // The audio first: a waiter woken by `finished` reads it at once.
        if case .succeeded(let audio, _, _) = outcome { storeResult(audio, of: claim.id) }
        var finished = false
        let after = update(claim.id) { r in
            guard r.attempts == claim.epoch, r.status == .running else { return }
            outcome.apply(to: &r)
            finished = true
        }
        return finished ? after : nil
    }

    // MARK: - JobStore: lifecycle

    /// The sweep is scheduled by the service.
    public func start() {}

    @discardableResult
    public func close() -> [JobRecord] {
        queue.close()
        return queue.removeAll().compactMap { id in
            requestCancel(id, reason: InMemoryJobStore.notStartedReason).flatMap { $0.cancelledNow ? $0.record : nil }
        }
    }

    /// Why a queued job did not run: the process began to drain before a worker took it.
    static let notStartedReason = "not started: the server is shutting down; submit it again (elsewhere or later)"

    public func abandon() -> Int {
        let ids = unfinishedIDs()
        for id in ids { _ = requestCancel(id, reason: "cancelled by the drain deadline") }
        return ids.count
    }

    /// Nothing outlives the process.
    public func stop() {}

    public var isAvailable: Bool { true }

    public var queueDepth: Int { queue.count }

    // MARK: - Records and results

    public func insert(_ record: JobRecord) {
        state.withLock { $0.records[record.id] = record }
    }

    public func record(_ id: String) -> JobRecord? {
        state.withLock { $0.records[id] }
    }

    @discardableResult
    public func update(_ id: String, _ change: (inout JobRecord) -> Void) -> JobRecord? {
        let (after, events) = state.withLock { s -> (JobRecord?, [JobEvent]) in
            guard let before = s.records[id] else { return (nil, []) }
            var after = before
            change(&after)
            s.records[id] = after
            var events: [JobEvent] = []
            if after.cancelRequested && !before.cancelRequested { events.append(.cancelRequested(id: id)) }
            if after.status.isFinished && !before.status.isFinished { events.append(.finished(id: id)) }
            return (after, events)
        }
        events.forEach(publish)
        return after
    }

    public func remove(_ id: String) {
        state.withLock { s in
            s.records[id] = nil
            s.holds[id] = nil
            Self.dropResult(id, from: &s)
        }
    }

    public func storeResult(_ audio: Data, of id: String) {
        state.withLock { s in
            // A job forgotten meanwhile (DELETE or expiry) is not accounted: nothing could
            // evict it, so its bytes would count against the cap forever.
            guard s.records[id] != nil else { return }
            s.results[id] = audio
            s.records[id]?.result = .stored(bytes: audio.count)
            s.retained.append(id)
            s.retainedBytes += audio.count
            evictOverCap(&s)
        }
    }

    public func result(of id: String) -> Data? {
        state.withLock { $0.results[id] }
    }

    public func hold(_ id: String) {
        state.withLock { $0.holds[id, default: 0] += 1 }
    }

    public func release(_ id: String) {
        state.withLock { s in
            if let n = s.holds[id] { s.holds[id] = n > 1 ? n - 1 : nil }
            evictOverCap(&s)
        }
    }

    /// Evicts the oldest results until the total is under the cap, passing over results a
    /// synchronous request has yet to read (they count until released).
    private func evictOverCap(_ s: inout State) {
        var i = 0
        while s.retainedBytes > maxResultBytes, i < s.retained.count {
            let id = s.retained[i]
            if s.holds[id] != nil {
                i += 1
                continue
            }
            Self.dropResult(id, from: &s)
            s.records[id]?.result = .evicted
        }
    }

    private static func dropResult(_ id: String, from s: inout State) {
        guard let audio = s.results.removeValue(forKey: id) else { return }
        s.retained.removeAll { $0 == id }
        s.retainedBytes -= audio.count
    }

    @discardableResult
    public func sweep(now: Date = Date()) -> Int {
        state.withLock { s in
            let expired = s.records.values.filter { record in
                guard let end = record.finishedAt else { return false }
                return now.timeIntervalSince(end) > ttl
            }.map(\.id)
            for id in expired {
                s.records[id] = nil
                s.holds[id] = nil
                Self.dropResult(id, from: &s)
            }
            return expired.count
        }
    }

    public func unfinishedIDs() -> [String] {
        state.withLock { $0.records.values.filter { !$0.status.isFinished }.map(\.id) }
    }

    public func countsByStatus() -> [JobRecord.Status: Int] {
        state.withLock { s in
            var counts: [JobRecord.Status: Int] = [:]
            for record in s.records.values { counts[record.status, default: 0] += 1 }
            return counts
        }
    }

    public var retainedBytes: Int { state.withLock { $0.retainedBytes } }

    public func subscribe(_ handler: @escaping @Sendable (JobEvent) -> Void) {
        subscribers.withLock { $0.append(handler) }
    }

    private func publish(_ event: JobEvent) {
        for handler in subscribers.withLock({ $0 }) { handler(event) }
    }
}
