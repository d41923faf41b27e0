import Foundation
import Synchronization

/// Every job by id, until its TTL after finishing passes; finished results are retained
/// under a total byte cap (oldest results evicted first, their fetch answers 410).
final class JobStore: Sendable {
    let ttl: TimeInterval
    let maxResultBytes: Int

    private struct State {
        var jobs: [String: Job] = [:]
        /// Ids of jobs holding a result, oldest first.
        var retained: [String] = []
        var retainedBytes = 0
    }
    private let state = Mutex(State())

    init(ttl: TimeInterval, maxResultBytes: Int) {
        self.ttl = ttl
        self.maxResultBytes = maxResultBytes
    }

    func insert(_ job: Job) {
        state.withLock { $0.jobs[job.id] = job }
    }

    /// Forgets a job and its result (a refused submission, or DELETE of a finished job).
    func remove(_ id: String) {
        state.withLock { s in
            guard let job = s.jobs.removeValue(forKey: id) else { return }
            if let i = s.retained.firstIndex(of: id) {
                s.retained.remove(at: i)
                s.retainedBytes -= job.evictResult()
            }
        }
    }

    /// Asks every unfinished job to stop (drain deadline passed).
    func cancelUnfinished() {
        for job in state.withLock({ Array($0.jobs.values) }) where !job.status.isFinished { job.cancel() }
    }

    func job(_ id: String) -> Job? {
        state.withLock { $0.jobs[id] }
    }

    /// Accounts a finished job's result, evicting the oldest results over the cap. A job
    /// already forgotten (DELETE or expiry between its finish and this call) is not accounted:
    /// nothing could evict it, so its bytes would count against the cap forever.
    func retainResult(of job: Job, bytes: Int) {
        state.withLock { s in
            guard s.jobs[job.id] === job else { return }
            s.retained.append(job.id)
            s.retainedBytes += bytes
            evictOverCap(&s)
        }
    }

    /// A synchronous request has read its job's result: it may now be evicted like any other.
    func release(_ job: Job) {
        job.release()
        state.withLock { evictOverCap(&$0) }
    }

    /// Evicts the oldest results until the total is under the cap, passing over results a
    /// synchronous request has yet to read (they count until released).
    private func evictOverCap(_ s: inout State) {
        var i = 0
        while s.retainedBytes > maxResultBytes, i < s.retained.count {
            let id = s.retained[i]
            if let job = s.jobs[id], job.isHeld {
                i += 1
                continue
            }
            s.retained.remove(at: i)
            s.retainedBytes -= s.jobs[id]?.evictResult() ?? 0
        }
    }

    /// Forgets jobs that finished more than `ttl` ago; returns how many.
    @discardableResult
    func sweep(now: Date = Date()) -> Int {
        state.withLock { s in
            let expired = s.jobs.values.filter { job in
                guard let end = job.snapshotState.finishedAt else { return false }
                return now.timeIntervalSince(end) > ttl
            }
            for job in expired {
                s.jobs[job.id] = nil
                if let i = s.retained.firstIndex(of: job.id) {
                    s.retained.remove(at: i)
                    s.retainedBytes -= job.evictResult()
                }
            }
            return expired.count
        }
    }

    var retainedBytes: Int { state.withLock { $0.retainedBytes } }

    /// Jobs per status, for metrics.
    func countsByStatus() -> [Job.Status: Int] {
        state.withLock { s in
            var counts: [Job.Status: Int] = [:]
            for job in s.jobs.values { counts[job.status, default: 0] += 1 }
            return counts
        }
    }
}
