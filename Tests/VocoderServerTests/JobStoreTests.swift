import Foundation
import Testing
@testable import VocoderServer

/// A finished job holding `bytes` bytes of audio.
private func succeededJob(_ id: String, bytes: Int) -> Job {
    let job = makeJob(id)
    _ = job.start()
    job.succeed(audio: Data(count: bytes), audioSeconds: 1, computeSeconds: 1)
    return job
}

@Suite struct JobStoreTests {
    @Test func insertsLooksUpAndRemoves() {
        let store = JobStore(ttl: 60, maxResultBytes: 1000)
        let job = makeJob("a")
        store.insert(job)
        #expect(store.job("a") === job)
        #expect(store.job("b") == nil)
        store.remove("a")
        store.remove("never-there")
        #expect(store.job("a") == nil)
    }

    @Test func retainsResultsUnderTheCapOldestEvictedFirst() {
        let store = JobStore(ttl: 60, maxResultBytes: 250)
        let jobs = ["a", "b", "c"].map { succeededJob($0, bytes: 100) }
        for job in jobs { store.insert(job) }
        store.retainResult(of: jobs[0], bytes: 100)
        store.retainResult(of: jobs[1], bytes: 100)
        #expect(store.retainedBytes == 200)
        store.retainResult(of: jobs[2], bytes: 100)
        // 300 > 250: the oldest result goes, the newer two stay.
        #expect(store.retainedBytes == 200)
        #expect(jobs[0].snapshotState.result == nil && jobs[0].snapshotState.resultEvicted)
        #expect(jobs[1].snapshotState.result != nil && jobs[2].snapshotState.result != nil)
        // The evicted job's record stays (its fetch answers 410, not 404).
        #expect(store.job("a") != nil)
    }

    @Test func evictsAsManyAsNeeded() {
        let store = JobStore(ttl: 60, maxResultBytes: 300)
        let small = ["a", "b", "c"].map { succeededJob($0, bytes: 100) }
        let big = succeededJob("big", bytes: 250)
        for job in small + [big] { store.insert(job) }
        for job in small { store.retainResult(of: job, bytes: 100) }
        store.retainResult(of: big, bytes: 250)
        #expect(store.retainedBytes == 250)
        #expect(small.allSatisfy { $0.snapshotState.result == nil })
        #expect(big.snapshotState.result != nil)
    }

    @Test func removeFreesTheRetainedBytes() {
        let store = JobStore(ttl: 60, maxResultBytes: 1000)
        let job = succeededJob("a", bytes: 100)
        store.insert(job)
        store.retainResult(of: job, bytes: 100)
        store.remove("a")
        #expect(store.retainedBytes == 0)
        #expect(job.snapshotState.result == nil)
    }

    @Test func sweepForgetsJobsFinishedLongerThanTheTTLAgo() throws {
        let store = JobStore(ttl: 10, maxResultBytes: 1000)
        let done = succeededJob("done", bytes: 100)
        let running = makeJob("running")
        _ = running.start()
        let queued = makeJob("queued")
        for job in [done, running, queued] { store.insert(job) }
        store.retainResult(of: done, bytes: 100)
        let finished = try #require(done.snapshotState.finishedAt)

        #expect(store.sweep(now: finished.addingTimeInterval(5)) == 0, "within the TTL")
        #expect(store.job("done") != nil)
        #expect(store.sweep(now: finished.addingTimeInterval(11)) == 1)
        #expect(store.job("done") == nil)
        #expect(store.retainedBytes == 0)
        // Unfinished jobs never expire, however old.
        #expect(store.sweep(now: finished.addingTimeInterval(1e6)) == 0)
        #expect(store.job("running") != nil && store.job("queued") != nil)
    }

    @Test func cancelUnfinishedStopsQueuedAndRunningJobsOnly() {
        let store = JobStore(ttl: 60, maxResultBytes: 1000)
        let queued = makeJob("q"), running = makeJob("r"), done = succeededJob("d", bytes: 1)
        _ = running.start()
        for job in [queued, running, done] { store.insert(job) }
        store.cancelUnfinished()
        #expect(queued.status == .cancelled)
        #expect(running.status == .running && running.isCancelRequested)
        #expect(done.status == .succeeded && !done.isCancelRequested)
    }

    @Test func countsJobsByStatus() {
        let store = JobStore(ttl: 60, maxResultBytes: 1000)
        let running = makeJob("r")
        _ = running.start()
        for job in [makeJob("q1"), makeJob("q2"), running, succeededJob("s", bytes: 1)] { store.insert(job) }
        #expect(store.countsByStatus() == [.queued: 2, .running: 1, .succeeded: 1])
    }

    @Test func aHeldResultIsPassedOverUntilReleased() {
        let store = JobStore(ttl: 60, maxResultBytes: 150)
        let old = succeededJob("old", bytes: 100), held = makeJob("held")
        held.hold()
        _ = held.start()
        held.succeed(audio: Data(count: 100), audioSeconds: 1, computeSeconds: 1)
        for job in [old, held] { store.insert(job) }
        store.retainResult(of: old, bytes: 100)
        store.retainResult(of: held, bytes: 100)
        // Over the cap: the unheld older result goes; the held one stays, even alone over a lower cap.
        #expect(old.snapshotState.result == nil)
        #expect(held.snapshotState.result != nil)
        #expect(store.retainedBytes == 100)

        let tight = JobStore(ttl: 60, maxResultBytes: 0)
        let job = makeJob("sync")
        job.hold()
        _ = job.start()
        job.succeed(audio: Data(count: 10), audioSeconds: 1, computeSeconds: 1)
        tight.insert(job)
        tight.retainResult(of: job, bytes: 10)
        #expect(job.snapshotState.result != nil, "held: the waiting request still reads it")
        #expect(tight.retainedBytes == 10)
        tight.release(job)
        #expect(!job.isHeld)
        #expect(job.snapshotState.result == nil && job.snapshotState.resultEvicted)
        #expect(tight.retainedBytes == 0)
    }

    @Test func aResultOfAForgottenJobIsNotAccounted() {
        // DELETE (or the sweep) may forget a job between its finish and the worker's
        // retainResult; its bytes used to stay in the total for good.
        let store = JobStore(ttl: 60, maxResultBytes: 150)
        let gone = succeededJob("gone", bytes: 100)
        store.insert(gone)
        store.remove("gone")
        store.retainResult(of: gone, bytes: 100)
        #expect(store.retainedBytes == 0)
        let next = succeededJob("next", bytes: 100)
        store.insert(next)
        store.retainResult(of: next, bytes: 100)
        #expect(store.retainedBytes == 100)
        #expect(next.snapshotState.result != nil, "the cap still has room for it")
    }
}
