import DiffWave
import Dispatch
import Foundation
import Logging

/// Dedicated worker threads (not the cooperative async pool) that claim jobs from the store
/// and run them through the shared engine, each with its own scratch memory. A job's state
/// lives in the store: the worker reports each step there and learns from the answer whether
/// to go on (a cancel request, or a claim lost to another instance).
final class WorkerPool: Sendable {
    let store: any JobStore
    let engine: VocodingEngine
    let workers: Int
    let threadsPerJob: Int
    let logger: Logger
    /// Called when a job reaches a terminal state (metrics).
    let onFinish: @Sendable (JobRecord) -> Void
    private let running = DispatchGroup()

    init(workers: Int, threadsPerJob: Int, store: any JobStore, engine: VocodingEngine, logger: Logger,
         onFinish: @escaping @Sendable (JobRecord) -> Void = { _ in }) {
        self.workers = workers
        self.threadsPerJob = threadsPerJob
        self.store = store
        self.engine = engine
        self.logger = logger
        self.onFinish = onFinish
    }

    func start() {
        for index in 0..<workers {
            running.enter()
            let thread = Thread { [self] in
                while let claim = store.claim() { run(claim) }
                running.leave()
            }
            thread.name = "diffwave-worker-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    private func run(_ claim: JobClaim) {
        let record = claim.record
        let began = DispatchTime.now()
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9 }
        var lost = false
        let outcome: JobOutcome
        do {
            let (audio, seconds) = try engine.run(record.spec, threads: threadsPerJob) { done, _ in
                switch store.reportProgress(claim, stepsDone: done) {
                case .running: return true
                case .cancelRequested: return false
                case .lost:
                    lost = true
                    return false
                }
            }
            outcome = .succeeded(audio: audio, audioSeconds: seconds, computeSeconds: elapsed())
        } catch {
            outcome = error.code == .cancelled
                ? .cancelled(reason: error.message, computeSeconds: elapsed())
                : .failed(reason: error.message, computeSeconds: elapsed())
        }
        if lost {
            logger.info("job given up", metadata: record.logMetadata.merging(["reason": "its claim passed to another run"]) { $1 })
            return
        }
        guard let finished = store.finish(claim, outcome) else {
            logger.info("job given up", metadata: record.logMetadata.merging(["reason": "its claim passed to another run before the result was written"]) { $1 })
            return
        }
        var metadata = record.logMetadata
        metadata["job_status"] = "\(finished.status.rawValue)"
        if case .succeeded(_, let seconds, _) = outcome {
            metadata["audio_s"] = "\(seconds)"
            metadata["compute_s"] = "\(String(format: "%.3f", elapsed()))"
            metadata["schedule"] = "\(record.spec.schedule.rawValue)"
            metadata["precision"] = "\(record.spec.precision.rawValue)"
        } else {
            metadata["error"] = "\(finished.error ?? "")"
        }
        logger.info("job finished", metadata: metadata)
        onFinish(finished)
    }

    /// Waits for the workers to exit (after the store is closed), up to `deadline`.
    func waitUntilIdle(deadline: DispatchTime) -> Bool {
        running.wait(timeout: deadline) == .success
    }
}
