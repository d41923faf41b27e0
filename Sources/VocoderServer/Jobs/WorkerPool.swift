import DiffWave
import Dispatch
import Foundation
import Logging

/// Dedicated worker threads (not the cooperative async pool) that take jobs off the queue
/// and run them through the shared engine, each with its own scratch memory.
final class WorkerPool: Sendable {
    let queue: JobQueue
    let store: JobStore
    let engine: VocodingEngine
    let workers: Int
    let threadsPerJob: Int
    let logger: Logger
    /// Called when a job reaches a terminal state (metrics).
    let onFinish: @Sendable (Job) -> Void
    private let running = DispatchGroup()

    init(workers: Int, threadsPerJob: Int, queue: JobQueue, store: JobStore, engine: VocodingEngine, logger: Logger,
         onFinish: @escaping @Sendable (Job) -> Void = { _ in }) {
        self.workers = workers
        self.threadsPerJob = threadsPerJob
        self.queue = queue
        self.store = store
        self.engine = engine
        self.logger = logger
        self.onFinish = onFinish
    }

    func start() {
        for index in 0..<workers {
            running.enter()
            let thread = Thread { [self] in
                while let job = queue.dequeue() { run(job) }
                running.leave()
            }
            thread.name = "diffwave-worker-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    private func run(_ job: Job) {
        guard job.start() else { return }  // cancelled while queued
        let began = DispatchTime.now()
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9 }
        do {
            let (audio, seconds) = try engine.run(job.spec, threads: threadsPerJob) { done, _ in job.advance(stepsDone: done) }
            job.succeed(audio: audio, audioSeconds: seconds, computeSeconds: elapsed())
            store.retainResult(of: job, bytes: audio.count)
            logger.info("job finished", metadata: [
                "job": "\(job.id)", "status": "succeeded", "audio_s": "\(seconds)",
                "compute_s": "\(String(format: "%.3f", elapsed()))", "schedule": "\(job.spec.schedule.rawValue)",
                "precision": "\(job.spec.precision.rawValue)"])
        } catch {
            job.fail(error.message, cancelled: error.code == .cancelled, computeSeconds: elapsed())
            logger.info("job finished", metadata: [
                "job": "\(job.id)", "status": "\(job.status.rawValue)", "error": "\(error.message)"])
        }
        onFinish(job)
    }

    /// Asks running jobs to stop at their next step (drain deadline passed).
    func cancelRunning() { store.cancelUnfinished() }

    /// Waits for the workers to finish every queued job (after `queue.close()`), up to `deadline`.
    func waitUntilIdle(deadline: DispatchTime) -> Bool {
        running.wait(timeout: deadline) == .success
    }
}
