import DiffWave
import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import VocoderServer

/// A pool over its own queue and store, recording the ids `onFinish` sees.
private struct Harness {
    let store = InMemoryJobStore(ttl: 60, maxResultBytes: 1 << 20, queueCapacity: 8)
    var queue: JobQueue { store.queue }
    let waiters: JobWaiters
    let finished = Locked<[String]>([])
    let pool: WorkerPool

    init(workers: Int = 1, engine: VocodingEngine = TinyModel.conditional) {
        let finished = self.finished
        waiters = JobWaiters(store: store)
        pool = WorkerPool(workers: workers, threadsPerJob: 1, store: store, engine: engine,
                          logger: quietLogger) { record in finished.withLock { $0.append(record.id) } }
    }

    @discardableResult
    func submit(_ id: String, _ input: JobSpec.Input, schedule: NoiseSchedule.Kind = .fast) -> String {
        store.insert(JobRecord(id: id, spec: JobSpec(input: input, schedule: schedule, seed: 3, format: .wav),
                               steps: TinyModel.conditional.steps(schedule)))
        #expect(queue.enqueue(id) == .queued)
        return id
    }

    /// Waits (on a thread of its own) until the job finished; true when it did within `seconds`.
    func waitUntilFinished(_ id: String, seconds: Int = 10) async throws -> Bool {
        let waiters = self.waiters
        return try await onThread {
            waiters.wait(for: id, deadline: .now + .seconds(seconds), clientHasGone: { false }) == .finished
        }
    }

    func record(_ id: String) throws -> JobRecord { try #require(store.record(id)) }

    /// Asks a job to stop, as the service's cancel does for a running job.
    func requestCancel(_ id: String) {
        store.update(id) { $0.cancelRequested = true }
    }

    /// Closes the queue and waits (off the cooperative pool) for the workers to exit.
    func stop() async throws -> Bool {
        queue.close()
        let pool = self.pool
        return try await onThread { pool.waitUntilIdle(deadline: .now() + 10) }
    }
}

@Suite struct WorkerPoolTests {
    @Test func runsAJobToAudioAndRetainsTheResult() async throws {
        let h = Harness()
        h.pool.start()
        let id = h.submit("ok", .mel(testMel(frames: 2)))
        #expect(try await h.waitUntilFinished(id))
        let s = try h.record(id)
        #expect(s.status == .succeeded)
        #expect(s.stepsDone == 6)
        let audio = try #require(h.store.result(of: id))
        #expect(s.result == .stored(bytes: audio.count))
        #expect(try AudioDecoder.decode(audio).samples.count == 2 * 256)
        #expect(s.audioSeconds == 512.0 / 22050)
        #expect((s.computeSeconds ?? 0) > 0)
        #expect(h.store.retainedBytes == audio.count)
        #expect(try await eventually { h.finished.withLock { $0 } == ["ok"] })
        #expect(try await h.stop())
    }

    @Test func aJobTheEngineRejectsFailsAndTheWorkerServesTheNext() async throws {
        let h = Harness()
        h.pool.start()
        // Specs that skipped the route's validation: the engine refuses them.
        let noMel = h.submit("no-mel", .samples(64))
        let wrongBands = h.submit("wrong-bands", .mel(testMel(frames: 2, nMels: 40)))
        let good = h.submit("good", .mel(testMel(frames: 1)))
        for id in [noMel, wrongBands, good] { #expect(try await h.waitUntilFinished(id)) }
        #expect(try h.record(noMel).status == .failed)
        #expect(try h.record(noMel).error?.contains("needs a mel spectrogram") == true)
        #expect(try h.record(wrongBands).status == .failed)
        #expect(try h.record(wrongBands).error?.contains("40 mel bands") == true)
        #expect(try h.record(wrongBands).computeSeconds != nil)
        #expect(try h.record(good).status == .succeeded)
        #expect(try await eventually { h.finished.withLock { $0 } == ["no-mel", "wrong-bands", "good"] })
        #expect(try await h.stop())
    }

    @Test func skipsAJobCancelledWhileQueued() async throws {
        let h = Harness()
        let cancelled = h.submit("cancelled", .mel(testMel(frames: 1)))
        let next = h.submit("next", .mel(testMel(frames: 1)))
        // What the service's cancel does to a queued job that a worker has not taken.
        h.store.update(cancelled) { r in
            r.cancelRequested = true
            r.status = .cancelled
            r.finishedAt = Date()
        }
        h.pool.start()
        #expect(try await h.waitUntilFinished(next))
        #expect(try h.record(cancelled).status == .cancelled && h.record(cancelled).startedAt == nil)
        #expect(try h.record(next).status == .succeeded)
        #expect(try await eventually { h.finished.withLock { $0 } == ["next"] }, "the skipped job is the canceller's to count")
        #expect(try await h.stop())
    }

    @Test func aCancelledRunningJobStopsAtAStepBoundary() async throws {
        let h = Harness()
        h.pool.start()
        let id = h.submit("long", .mel(testMel(frames: 100)), schedule: .full)
        #expect(try await eventually { (h.store.record(id)?.stepsDone ?? 0) >= 1 })
        h.requestCancel(id)
        #expect(try await h.waitUntilFinished(id, seconds: 5))
        let s = try h.record(id)
        #expect(s.status == .cancelled)
        #expect(s.stepsDone < 50)
        #expect(s.error == "cancelled after \(s.stepsDone) of 50 steps")
        #expect(s.result == .none && h.store.result(of: id) == nil)
        #expect(try await h.stop())
    }

    @Test func severalWorkersDrainTheQueueAfterClose() async throws {
        let h = Harness(workers: 2)
        let ids = (0..<5).map { h.submit("j\($0)", .mel(testMel(frames: 1))) }
        h.pool.start()
        #expect(try await h.stop(), "close lets the workers finish what is queued, then exit")
        #expect(try ids.allSatisfy { try h.record($0).status == .succeeded })
        #expect(h.finished.withLock { Set($0) } == Set(ids))
    }
}
