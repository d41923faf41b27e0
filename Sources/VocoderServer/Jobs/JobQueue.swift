import Foundation

/// A bounded FIFO of queued jobs that worker threads block on.
final class JobQueue: @unchecked Sendable {
    let capacity: Int
    // NSCondition guards every field below; it is what makes this type Sendable.
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var closed = false

    init(capacity: Int) {
        self.capacity = capacity
    }

    enum EnqueueResult { case queued, full, closed }

    func enqueue(_ job: Job) -> EnqueueResult {
        condition.lock()
        defer { condition.unlock() }
        if closed { return .closed }
        if jobs.count >= capacity { return .full }
        jobs.append(job)
        condition.signal()
        return .queued
    }

    /// The next job, blocking while the queue is empty; nil once closed and drained.
    func dequeue() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !closed { condition.wait() }
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }

    /// 0 for the next job to run; nil when not queued.
    func position(of id: String) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        return jobs.firstIndex { $0.id == id }
    }

    /// Takes a cancelled job out so it does not hold a slot.
    func remove(id: String) {
        condition.lock()
        defer { condition.unlock() }
        jobs.removeAll { $0.id == id }
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
    func removeAll() -> [Job] {
        condition.lock()
        defer { condition.unlock() }
        let left = jobs
        jobs.removeAll()
        return left
    }
}
