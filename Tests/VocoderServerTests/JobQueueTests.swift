import Foundation
import Synchronization
import Testing
import HTTP
@testable import VocoderServer

@Suite struct JobQueueTests {
    @Test func dequeuesInFIFOOrder() {
        let queue = JobQueue(capacity: 3)
        for id in ["a", "b", "c"] { #expect(queue.enqueue(id) == .queued) }
        #expect(queue.count == 3)
        #expect(queue.dequeue() == "a")
        #expect(queue.dequeue() == "b")
        #expect(queue.enqueue("d") == .queued)
        #expect(queue.dequeue() == "c")
        #expect(queue.dequeue() == "d")
        #expect(queue.count == 0)
    }

    @Test func refusesBeyondCapacity() {
        let queue = JobQueue(capacity: 2)
        #expect(queue.enqueue("a") == .queued)
        #expect(queue.enqueue("b") == .queued)
        #expect(queue.enqueue("c") == .full)
        #expect(queue.count == 2)
        _ = queue.dequeue()
        #expect(queue.enqueue("c") == .queued, "a slot frees once a job is taken")
    }

    @Test func positionCountsFromTheHead() {
        let queue = JobQueue(capacity: 4)
        for id in ["a", "b", "c"] { _ = queue.enqueue(id) }
        #expect(queue.position(of: "a") == 0)
        #expect(queue.position(of: "c") == 2)
        #expect(queue.position(of: "zzz") == nil)
        _ = queue.dequeue()
        #expect(queue.position(of: "a") == nil)
        #expect(queue.position(of: "c") == 1)
    }

    @Test func removeTakesAJobOutAndFreesItsSlot() {
        let queue = JobQueue(capacity: 2)
        _ = queue.enqueue("a")
        _ = queue.enqueue("b")
        queue.remove(id: "a")
        queue.remove(id: "unknown")
        #expect(queue.count == 1)
        #expect(queue.position(of: "b") == 0)
        #expect(queue.enqueue("c") == .queued)
        #expect(queue.dequeue() == "b")
    }

    @Test func closeRefusesNewJobsButDrainsQueuedOnes() {
        let queue = JobQueue(capacity: 4)
        _ = queue.enqueue("a")
        _ = queue.enqueue("b")
        queue.close()
        #expect(queue.enqueue("c") == .closed)
        #expect(queue.dequeue() == "a")
        #expect(queue.dequeue() == "b")
        #expect(queue.dequeue() == nil)
        #expect(queue.dequeue() == nil)
    }

    @Test func removeAllEmptiesTheQueue() {
        let queue = JobQueue(capacity: 4)
        for id in ["a", "b"] { _ = queue.enqueue(id) }
        #expect(queue.removeAll() == ["a", "b"])
        #expect(queue.count == 0)
    }

    /// Dequeues on a dedicated thread (dequeue blocks; the cooperative pool must not).
    private func dequeueOnThread(_ queue: JobQueue) -> Locked<(done: Bool, id: String?)> {
        let box = Locked<(done: Bool, id: String?)>((false, nil))
        Thread.detachNewThread {
            let job = queue.dequeue()
            box.withLock { $0 = (true, job) }
        }
        return box
    }

    @Test func aBlockedDequeueWakesForAJob() async throws {
        let queue = JobQueue(capacity: 1)
        let box = dequeueOnThread(queue)
        try await Task.sleep(for: .milliseconds(30))
        #expect(box.withLock { !$0.done }, "dequeue waits while the queue is empty")
        #expect(queue.enqueue("a") == .queued)
        #expect(try await eventually { box.withLock { $0.done } })
        #expect(box.withLock { $0.id } == "a")
    }

    @Test func aBlockedDequeueWakesWithNilOnClose() async throws {
        let queue = JobQueue(capacity: 1)
        let box = dequeueOnThread(queue)
        try await Task.sleep(for: .milliseconds(30))
        queue.close()
        #expect(try await eventually { box.withLock { $0.done } })
        #expect(box.withLock { $0.id } == nil)
    }

    @Test func anIdleWorkerTakesAJobEvenWithCapacityZero() async throws {
        let queue = JobQueue(capacity: 0)
        #expect(queue.enqueue("a") == .full, "no worker waiting: the job would have to wait")
        let box = dequeueOnThread(queue)
        #expect(try await eventually { queue.waitingWorkers == 1 })
        #expect(queue.enqueue("b") == .queued)
        #expect(queue.enqueue("c") == .full, "the one idle worker is spoken for")
        #expect(try await eventually { box.withLock { $0.done } })
        #expect(box.withLock { $0.id } == "b")
        #expect(queue.waitingWorkers == 0)
    }

    @Test func idleWorkersAddToTheCapacity() async throws {
        let queue = JobQueue(capacity: 1)
        let first = dequeueOnThread(queue), second = dequeueOnThread(queue)
        #expect(try await eventually { queue.waitingWorkers == 2 })
        #expect(queue.enqueue("a") == .queued)
        #expect(queue.enqueue("b") == .queued)
        #expect(queue.enqueue("c") == .queued, "one may wait")
        #expect(queue.enqueue("d") == .full)
        #expect(try await eventually { first.withLock { $0.done } && second.withLock { $0.done } })
        #expect(Set([first.withLock { $0.id }, second.withLock { $0.id }]) == ["a", "b"])
        #expect(queue.dequeue() == "c")
    }
}
