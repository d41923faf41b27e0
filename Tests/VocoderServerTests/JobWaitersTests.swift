import Foundation
import Synchronization
import Testing
@testable import VocoderServer

@Suite struct JobWaitersTests {
    private func finish(_ store: InMemoryJobStore, _ id: String, after seconds: Double) {
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: seconds)
            store.update(id) { r in
                r.status = .failed
                r.finishedAt = Date()
            }
        }
    }

    @Test func timesOutThenSeesTheFinish() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        let waiters = JobWaiters(store: store)
        store.insert(makeRecord("a"))
        #expect(waiters.wait(for: "a", deadline: .now + .milliseconds(20), clientHasGone: { false }) == .timedOut)
        finish(store, "a", after: 0.05)
        #expect(waiters.wait(for: "a", deadline: .now + .seconds(5), clientHasGone: { false }) == .finished)
        // Already finished: returns at once, any number of times.
        #expect(waiters.wait(for: "a", deadline: .now, clientHasGone: { false }) == .finished)
    }

    @Test func aJobGoneFromTheStoreEndsTheWait() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        let waiters = JobWaiters(store: store)
        #expect(waiters.wait(for: "never", deadline: .now + .seconds(5), clientHasGone: { false }) == .finished)
    }

    @Test func manyWaitersOnThreadsAllWake() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        let waiters = JobWaiters(store: store)
        store.insert(makeRecord("a"))
        let outcomes = Mutex<[JobWaitOutcome]>([])
        let group = DispatchGroup()
        for _ in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                let outcome = waiters.wait(for: "a", deadline: .now + .seconds(5), clientHasGone: { false })
                outcomes.withLock { $0.append(outcome) }
                group.leave()
            }
        }
        finish(store, "a", after: 0.05)
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(outcomes.withLock { $0 } == Array(repeating: .finished, count: 8))
    }

    @Test func stopsWaitingForAClientThatHasGone() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        let waiters = JobWaiters(store: store)
        store.insert(makeRecord("a"))
        let started = ContinuousClock.now
        let goneAt = started + .milliseconds(100)
        let outcome = waiters.wait(for: "a", deadline: started + .seconds(30), clientHasGone: { ContinuousClock.now >= goneAt })
        #expect(outcome == .clientGone)
        #expect(ContinuousClock.now - started < .seconds(5), "noticed within a check interval, not at the deadline")
    }
}
