import Foundation

/// A bounded FIFO of queued job ids that worker threads block on.
final class JobQueue: @unchecked Sendable {
    /// Jobs that may wait for a busy worker. A job handed to a worker that is idle, blocked in
    /// `dequeue`, does not wait and does not count: with capacity 0 an idle worker still
    /// takes a job, and only a job that would have to wait is refused.
    let capacity: Int
    // NSCondition guards every field below; it is what makes this type Sendable.
    private let condition = NSCondition()
    private var jobs: [String] = []
    private var closed = false
    /// Workers blocked in `dequeue`; each will take one of `jobs` when it wakes.
    private var idleWorkers = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    enum EnqueueResult { case queued, full, closed }

    func enqueue(_ id: String) -> EnqueueResult {
        condition.lock()
        defer { condition.unlock() }
        if closed { return .closed }
        if jobs.count >= capacity + idleWorkers { return .full }
        jobs.append(id)
        condition.signal()
        return .queued
    }

    /// The next job, blocking while the queue is empty; nil once closed and drained.
    func dequeue() -> String? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !closed {
            idleWorkers += 1
            condition.wait()
            idleWorkers -= 1
        }
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }

    /// 0 for the next job to run; nil when not queued.
    func position(of id: String) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        return jobs.firstIndex(of: id)
    }

    /// Takes a cancelled job out so it does not hold a slot.
    func remove(id: String) {
        condition.lock()
        defer { condition.unlock() }
        jobs.removeAll { $0 == id }
    }

    /// Workers waiting for a job.
    var waitingWorkers: Int {
        condition.lock()
        defer { condition.unlock() }
        return idleWorkers
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count
    }

    /// Refuses new jobs; workers finish what is queued, then `dequeue` returns nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Removes and returns everything still queued (drain deadline passed).
    func removeAll() -> [String] {
        condition.lock()
        defer { condition.unlock() }
        let left = jobs
        jobs.removeAll()
        return left
    }
}
