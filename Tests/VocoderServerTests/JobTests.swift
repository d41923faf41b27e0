import DiffWave
import Dispatch
import Foundation
import Testing
@testable import VocoderServer

/// A job record with a trivial spec (the state machine does not look at it).
func makeJob(_ id: String = "job", steps: Int = 6, createdAt: Date = Date()) -> Job {
    Job(id: id, spec: JobSpec(input: .samples(16), schedule: .fast, seed: 7, format: .wav), steps: steps, createdAt: createdAt)
}

@Suite struct JobTests {
    @Test func startsQueuedAndRunsOnce() {
        let job = makeJob()
        #expect(job.status == .queued)
        #expect(job.snapshotState.startedAt == nil)
        #expect(job.start())
        #expect(job.status == .running)
        #expect(job.snapshotState.startedAt != nil)
        #expect(!job.start(), "a running job cannot start again")
    }

    @Test func advanceRecordsStepsAndReportsCancellation() {
        let job = makeJob()
        _ = job.start()
        #expect(job.advance(stepsDone: 1))
        #expect(job.advance(stepsDone: 2))
        #expect(job.snapshotState.stepsDone == 2)
        #expect(job.cancel() == .running, "a running job is only asked to stop")
        #expect(job.isCancelRequested)
        #expect(!job.advance(stepsDone: 3), "the next step boundary stops it")
        #expect(job.snapshotState.stepsDone == 3)
    }

    @Test func succeedKeepsTheResultAndTimings() {
        let job = makeJob()
        _ = job.start()
        job.succeed(audio: Data([1, 2, 3]), audioSeconds: 0.5, computeSeconds: 0.25)
        let s = job.snapshotState
        #expect(s.status == .succeeded)
        #expect(s.result == Data([1, 2, 3]))
        #expect(s.audioSeconds == 0.5 && s.computeSeconds == 0.25)
        #expect(s.finishedAt != nil && s.error == nil)
        #expect(job.wait(timeout: .now()))
    }

    @Test func failAndCancelledFailRecordTheReason() {
        let failed = makeJob()
        _ = failed.start()
        failed.fail("boom", computeSeconds: 0.1)
        #expect(failed.status == .failed)
        #expect(failed.snapshotState.error == "boom")
        #expect(failed.snapshotState.computeSeconds == 0.1)

        let cancelled = makeJob()
        _ = cancelled.start()
        cancelled.fail("cancelled after 2 of 6 steps", cancelled: true)
        #expect(cancelled.status == .cancelled)
    }

    @Test func theFirstTerminalTransitionWins() {
        let job = makeJob()
        _ = job.start()
        job.fail("first")
        job.succeed(audio: Data([9]), audioSeconds: 1, computeSeconds: 1)
        job.fail("second", cancelled: true)
        #expect(job.status == .failed)
        #expect(job.snapshotState.error == "first")
        #expect(job.snapshotState.result == nil)
        #expect(job.cancel() == .failed, "cancelling a finished job changes nothing")
    }

    @Test func cancellingAQueuedJobFinishesItAtOnce() {
        let job = makeJob()
        #expect(job.cancel() == .cancelled)
        #expect(job.snapshotState.error == "cancelled before it started")
        #expect(job.snapshotState.finishedAt != nil)
        #expect(!job.start(), "a worker that dequeues it later skips it")
        #expect(job.wait(timeout: .now()))
    }

    @Test func evictResultFreesTheBytesOnce() {
        let job = makeJob()
        #expect(job.evictResult() == 0)
        _ = job.start()
        job.succeed(audio: Data(count: 100), audioSeconds: 1, computeSeconds: 1)
        #expect(job.evictResult() == 100)
        #expect(job.evictResult() == 0)
        #expect(job.snapshotState.result == nil)
        #expect(job.snapshotState.resultEvicted)
        #expect(job.status == .succeeded)
    }

    @Test func waitUntilFinishedTimesOutThenSeesTheFinish() async {
        let job = makeJob()
        #expect(await job.waitUntilFinished(timeout: .milliseconds(20)) == false)
        #expect(job.wait(timeout: .now() + 0.01) == false)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) {
            _ = job.start()
            job.succeed(audio: Data([0]), audioSeconds: 0, computeSeconds: 0)
        }
        #expect(await job.waitUntilFinished(timeout: .seconds(5)))
        // Already finished: returns at once, any number of times.
        #expect(await job.waitUntilFinished(timeout: .seconds(5)))
        #expect(job.wait(timeout: .now()))
    }

    @Test func manyWaitersAllWake() async {
        let job = makeJob()
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { await job.waitUntilFinished(timeout: .seconds(5)) } }
            try? await Task.sleep(for: .milliseconds(20))
            job.fail("stop")
            var all = true
            for await woke in group { all = all && woke }
            #expect(all)
        }
    }

    @Test func cancelReportsWhetherItFinishedTheJob() {
        let queued = makeJob()
        #expect(queued.cancelReportingFinish() == (.cancelled, true))
        #expect(queued.cancelReportingFinish() == (.cancelled, false), "only the first call finishes it")
        let running = makeJob()
        _ = running.start()
        #expect(running.cancelReportingFinish() == (.running, false), "its worker finishes it")
    }
}
