import DiffWave
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import VocoderServer

/// A pool over its own queue and store, recording the ids `onFinish` sees.
private struct Harness {
    let queue = JobQueue(capacity: 8)
    let store = JobStore(ttl: 60, maxResultBytes: 1 << 20)
    let finished = Locked<[String]>([])
    let pool: WorkerPool

    init(workers: Int = 1, engine: VocodingEngine = TinyModel.conditional) {
        let finished = self.finished
        pool = WorkerPool(workers: workers, threadsPerJob: 1, queue: queue, store: store, engine: engine,
                          logger: quietLogger) { job in finished.withLock { $0.append(job.id) } }
    }

    func submit(_ id: String, _ input: JobSpec.Input, schedule: NoiseSchedule.Kind = .fast) -> Job {
        let job = Job(id: id, spec: JobSpec(input: input, schedule: schedule, seed: 3, format: .wav),
                      steps: TinyModel.conditional.steps(schedule))
        store.insert(job)
        #expect(queue.enqueue(job) == .queued)
        return job
    }

    /// Closes the queue and waits (off the cooperative pool) for the workers to exit.
    func stop() async -> Bool {
        queue.close()
        let pool = self.pool
        return await withCheckedContinuation { done in
            Thread.detachNewThread { done.resume(returning: pool.waitUntilIdle(deadline: .now() + 10)) }
        }
    }
}

@Suite struct WorkerPoolTests {
    @Test func runsAJobToAudioAndRetainsTheResult() async throws {
        let h = Harness()
        h.pool.start()
        let job = h.submit("ok", .mel(testMel(frames: 2)))
        #expect(await job.waitUntilFinished(timeout: .seconds(10)))
        let s = job.snapshotState
        #expect(s.status == .succeeded)
        #expect(s.stepsDone == 6)
        let audio = try #require(s.result)
        #expect(try AudioDecoder.decode(audio).samples.count == 2 * 256)
        #expect(s.audioSeconds == 512.0 / 22050)
        #expect((s.computeSeconds ?? 0) > 0)
        #expect(try await eventually { h.store.retainedBytes == audio.count })
        #expect(try await eventually { h.finished.withLock { $0 } == ["ok"] })
        #expect(await h.stop())
    }

    @Test func aJobTheEngineRejectsFailsAndTheWorkerServesTheNext() async throws {
        let h = Harness()
        h.pool.start()
        // Specs that skipped the route's validation: the engine refuses them.
        let noMel = h.submit("no-mel", .samples(64))
        let wrongBands = h.submit("wrong-bands", .mel(testMel(frames: 2, nMels: 40)))
        let good = h.submit("good", .mel(testMel(frames: 1)))
        for job in [noMel, wrongBands, good] { #expect(await job.waitUntilFinished(timeout: .seconds(10))) }
        #expect(noMel.status == .failed)
        #expect(noMel.snapshotState.error?.contains("conditional") == true)
        #expect(wrongBands.status == .failed)
        #expect(wrongBands.snapshotState.error?.contains("40 mel bands") == true)
        #expect(wrongBands.snapshotState.computeSeconds != nil)
        #expect(good.status == .succeeded)
        #expect(try await eventually { h.finished.withLock { $0 } == ["no-mel", "wrong-bands", "good"] })
        #expect(await h.stop())
    }

    @Test func skipsAJobCancelledWhileQueued() async throws {
        let h = Harness()
        let cancelled = h.submit("cancelled", .mel(testMel(frames: 1)))
        let next = h.submit("next", .mel(testMel(frames: 1)))
        cancelled.cancel()
        h.pool.start()
        #expect(await next.waitUntilFinished(timeout: .seconds(10)))
        #expect(cancelled.status == .cancelled && cancelled.snapshotState.startedAt == nil)
        #expect(next.status == .succeeded)
        #expect(await h.stop())
    }

    @Test func aCancelledRunningJobStopsAtAStepBoundary() async throws {
        let h = Harness()
        h.pool.start()
        let job = h.submit("long", .mel(testMel(frames: 100)), schedule: .full)
        #expect(try await eventually { job.snapshotState.stepsDone >= 1 })
        #expect(job.cancel() == .running)
        #expect(await job.waitUntilFinished(timeout: .seconds(5)))
        let s = job.snapshotState
        #expect(s.status == .cancelled)
        #expect(s.stepsDone < 50)
        #expect(s.error == "cancelled after \(s.stepsDone) of 50 steps")
        #expect(s.result == nil)
        #expect(await h.stop())
    }

    @Test func severalWorkersDrainTheQueueAfterClose() async throws {
        let h = Harness(workers: 2)
        let jobs = (0..<5).map { h.submit("j\($0)", .mel(testMel(frames: 1))) }
        h.pool.start()
        #expect(await h.stop(), "close lets the workers finish what is queued, then exit")
        #expect(jobs.allSatisfy { $0.status == .succeeded })
        #expect(h.finished.withLock { Set($0) } == Set(jobs.map(\.id)))
    }

    @Test func cancelRunningAsksEveryUnfinishedJobToStop() async throws {
        let h = Harness()
        h.pool.start()
        let running = h.submit("running", .mel(testMel(frames: 100)), schedule: .full)
        #expect(try await eventually { running.status == .running })
        h.pool.cancelRunning()
        #expect(await running.waitUntilFinished(timeout: .seconds(5)))
        #expect(running.status == .cancelled)
        #expect(await h.stop())
    }
}
