import Foundation
import Synchronization

/// The one-process `JobStore`: records and audio in memory, until the TTL after a job
/// finished passes; finished audio is retained under a total byte cap (oldest evicted first,
/// their fetch answers 410). Events are delivered synchronously, after the lock is released.
public final class InMemoryJobStore: JobStore {
    public let ttl: TimeInterval
    public let maxResultBytes: Int

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

    public init(ttl: TimeInterval, maxResultBytes: Int) {
        self.ttl = ttl
        self.maxResultBytes = maxResultBytes
    }

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
