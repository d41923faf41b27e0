import Foundation
import Testing
@testable import VocoderServer

@Suite struct InMemoryJobStoreTests {
    @Test func insertsLooksUpAndRemoves() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        store.insert(makeRecord("a"))
        #expect(store.record("a")?.id == "a")
        #expect(store.record("b") == nil)
        store.remove("a")
        store.remove("never-there")
        #expect(store.record("a") == nil)
    }

    @Test func updateAppliesTheChangeAndIgnoresUnknownJobs() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        store.insert(makeRecord("a"))
        let after = store.update("a") { $0.stepsDone = 3 }
        #expect(after?.stepsDone == 3)
        #expect(store.record("a")?.stepsDone == 3)
        var called = false
        #expect(store.update("missing") { _ in called = true } == nil)
        #expect(!called)
    }

    @Test func publishesFinishedAndCancelRequestedOnceEach() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        let log = EventLog(store)
        store.insert(makeRecord("a"))
        store.update("a") { $0.status = .running }
        store.update("a") { $0.cancelRequested = true }
        store.update("a") { $0.cancelRequested = true }
        store.update("a") { $0.status = .cancelled }
        store.update("a") { $0.status = .failed }
        #expect(log.all == [.cancelRequested(id: "a"), .finished(id: "a")])
    }

    @Test func retainsResultsUnderTheCapOldestEvictedFirst() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 250)
        store.insertSucceeded("a", bytes: 100)
        store.insertSucceeded("b", bytes: 100)
        #expect(store.retainedBytes == 200)
        store.insertSucceeded("c", bytes: 100)
        // 300 > 250: the oldest result goes, the newer two stay.
        #expect(store.retainedBytes == 200)
        #expect(store.result(of: "a") == nil && store.record("a")?.result == .evicted)
        #expect(store.result(of: "b") != nil && store.result(of: "c") != nil)
        #expect(store.record("c")?.result == .stored(bytes: 100))
        // The evicted job's record stays (its fetch answers 410, not 404).
        #expect(store.record("a") != nil)
    }

    @Test func evictsAsManyAsNeeded() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 300)
        for id in ["a", "b", "c"] { store.insertSucceeded(id, bytes: 100) }
        store.insertSucceeded("big", bytes: 250)
        #expect(store.retainedBytes == 250)
        #expect(["a", "b", "c"].allSatisfy { store.result(of: $0) == nil })
        #expect(store.result(of: "big") != nil)
    }

    @Test func removeFreesTheRetainedBytes() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        store.insertSucceeded("a", bytes: 100)
        store.remove("a")
        #expect(store.retainedBytes == 0)
        #expect(store.result(of: "a") == nil)
    }

    @Test func sweepForgetsJobsFinishedLongerThanTheTTLAgo() {
        let store = InMemoryJobStore(ttl: 10, maxResultBytes: 1000)
        let finished = Date()
        store.insertSucceeded("done", bytes: 100, finishedAt: finished)
        store.insert(makeRecord("running"))
        store.update("running") { $0.status = .running }
        store.insert(makeRecord("queued"))

        #expect(store.sweep(now: finished.addingTimeInterval(5)) == 0, "within the TTL")
        #expect(store.record("done") != nil)
        #expect(store.sweep(now: finished.addingTimeInterval(11)) == 1)
        #expect(store.record("done") == nil)
        #expect(store.retainedBytes == 0)
        // Unfinished jobs never expire, however old.
        #expect(store.sweep(now: finished.addingTimeInterval(1e6)) == 0)
        #expect(store.record("running") != nil && store.record("queued") != nil)
    }

    @Test func listsUnfinishedJobsOnly() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        store.insert(makeRecord("q"))
        store.insert(makeRecord("r"))
        store.update("r") { $0.status = .running }
        store.insertSucceeded("d", bytes: 1)
        #expect(Set(store.unfinishedIDs()) == ["q", "r"])
    }

    @Test func countsJobsByStatus() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        store.insert(makeRecord("q1"))
        store.insert(makeRecord("q2"))
        store.insert(makeRecord("r"))
        store.update("r") { $0.status = .running }
        store.insertSucceeded("s", bytes: 1)
        #expect(store.countsByStatus() == [.queued: 2, .running: 1, .succeeded: 1])
    }

    @Test func aHeldResultIsPassedOverUntilReleased() {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 150)
        store.insertSucceeded("old", bytes: 100)
        store.insert(makeRecord("held"))
        store.hold("held")
        store.storeResult(Data(count: 100), of: "held")
        // Over the cap: the unheld older result goes; the held one stays.
        #expect(store.result(of: "old") == nil)
        #expect(store.result(of: "held") != nil)
        #expect(store.retainedBytes == 100)

        let tight = InMemoryJobStore(ttl: 60, maxResultBytes: 0)
        tight.insert(makeRecord("sync"))
        tight.hold("sync")
        tight.storeResult(Data(count: 10), of: "sync")
        #expect(tight.result(of: "sync") != nil, "held: the waiting request still reads it, even alone over the cap")
        #expect(tight.retainedBytes == 10)
        tight.release("sync")
        #expect(tight.result(of: "sync") == nil && tight.record("sync")?.result == .evicted)
        #expect(tight.retainedBytes == 0)
    }

    @Test func aResultOfAForgottenJobIsNotAccounted() {
        // DELETE (or the sweep) may forget a job between its finish and the worker's
        // storeResult; its bytes used to stay in the total for good.
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 150)
        store.insert(makeRecord("gone"))
        store.remove("gone")
        store.storeResult(Data(count: 100), of: "gone")
        #expect(store.retainedBytes == 0)
        store.insertSucceeded("next", bytes: 100)
        #expect(store.retainedBytes == 100)
        #expect(store.result(of: "next") != nil, "the cap still has room for it")
    }
}

/// The `JobStore` protocol as the in-memory store implements it: the bound, claims and their
/// fencing, cancels, the drain.
@Suite struct InMemoryJobStoreProtocolTests {
    @Test func submitBoundsTheQueueAndClaimMarksTheJobRunning() throws {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000, queueCapacity: 1)
        try store.submit(makeRecord("a"), holdResult: false)
        #expect(throws: ServiceError.queueFull(capacity: 1)) { try store.submit(makeRecord("b"), holdResult: false) }
        #expect(store.record("b") == nil && store.queueDepth == 1)
        let claim = try #require(store.claim())
        #expect(claim.id == "a" && claim.epoch == 1 && store.record("a")?.status == .running)
        #expect(store.reportProgress(claim, stepsDone: 2) == .running)
        #expect(store.finish(claim, .succeeded(audio: Data([1, 2]), audioSeconds: 1, computeSeconds: 1))?.status == .succeeded)
        #expect(store.result(of: "a") == Data([1, 2]))
        #expect(store.finish(claim, .failed(reason: "again", computeSeconds: 1)) == nil, "finished once")
    }

    @Test func aCancelReachesAQueuedJobAtOnceAndARunningOneAtItsNextReport() throws {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        try store.submit(makeRecord("run"), holdResult: false)
        try store.submit(makeRecord("wait"), holdResult: false)
        let claim = try #require(store.claim())
        let queued = try #require(store.requestCancel("wait", reason: "cancelled before it started"))
        #expect(queued.cancelledNow && queued.record.status == .cancelled && store.queueDepth == 0)
        #expect(store.requestCancel("run", reason: "x")?.cancelledNow == false)
        #expect(store.reportProgress(claim, stepsDone: 1) == .cancelRequested)
        #expect(store.requestCancel("nope", reason: "x") == nil)
    }

    /// Closing starts no queued job: they are cancelled at once with a reason (and returned, to
    /// be counted); the deadline's abandon then stops the running one at its next step.
    @Test func closingCancelsTheQueuedJobsAndTheDeadlineTheRunningOne() throws {
        let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1000)
        try store.submit(makeRecord("run"), holdResult: false)
        try store.submit(makeRecord("wait"), holdResult: false)
        let claim = try #require(store.claim())
        let notStarted = store.close()
        #expect(notStarted.map(\.id) == ["wait"])
        #expect(notStarted.first?.status == .cancelled && notStarted.first?.error == InMemoryJobStore.notStartedReason)
        #expect(store.claim() == nil, "closed and empty")
        #expect(store.reportProgress(claim, stepsDone: 1) == .running)
        #expect(store.abandon() == 1)
        #expect(store.reportProgress(claim, stepsDone: 2) == .cancelRequested)
    }
}
