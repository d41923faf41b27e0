import DiffWave
import Dispatch
import Foundation
import Logging
import Synchronization

/// Dedicated worker threads (not the cooperative async pool) that take job ids off the queue
/// and run them through the shared engine, each with its own scratch memory. A job's state
/// lives in the store; a cancel request reaches a running job as the store's event.
final class WorkerPool: Sendable {
    let queue: JobQueue
    let store: any JobStore
    let engine: VocodingEngine
    let workers: Int
    let threadsPerJob: Int
    let logger: Logger
    /// Called when a job reaches a terminal state (metrics).
    let onFinish: @Sendable (JobRecord) -> Void
    private let running = DispatchGroup()
    /// The running jobs, each with whether its cancel was requested (checked after each step).
    private let runningJobs = Mutex<[String: Bool]>([:])

    init(workers: Int, threadsPerJob: Int, queue: JobQueue, store: any JobStore, engine: VocodingEngine, logger: Logger,
         onFinish: @escaping @Sendable (JobRecord) -> Void = { _ in }) {
        self.workers = workers
        self.threadsPerJob = threadsPerJob
        self.queue = queue
        self.store = store
        self.engine = engine
        self.logger = logger
        self.onFinish = onFinish
        store.subscribe { [weak self] event in
            guard case .cancelRequested(let id) = event else { return }
            self?.runningJobs.withLock { jobs in if jobs[id] != nil { jobs[id] = true } }
        }
    }

    func start() {
        for index in 0..<workers {
            running.enter()
            let thread = Thread { [self] in
                while let id = queue.dequeue() { run(id) }
                running.leave()
            }
            thread.name = "diffwave-worker-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    private func run(_ id: String) {
        // Listening for a cancel before the job starts: a cancel after the start is an event here,
        // one before it leaves the job queued-and-cancelled, which the start below refuses.
        runningJobs.withLock { $0[id] = false }
        defer { runningJobs.withLock { $0[id] = nil } }
        // queued -> running, unless it was cancelled while it waited (that cancel finished it).
        let started = store.update(id) { r in
            guard r.status == .queued, !r.cancelRequested else { return }
            r.status = .running
            r.startedAt = Date()
        }
        guard let record = started, record.status == .running else { return }
        let began = DispatchTime.now()
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9 }
        let finished: JobRecord?
        do {
            let (audio, seconds) = try engine.run(record.spec, threads: threadsPerJob) { done, _ in
                store.update(id) { $0.stepsDone = done }
                return runningJobs.withLock { $0[id] } != true
            }
            // The audio first: a waiter woken by `finished` reads it at once.
            store.storeResult(audio, of: id)
            finished = store.update(id) { r in
                r.status = .succeeded
                r.audioSeconds = seconds
                r.computeSeconds = elapsed()
                r.finishedAt = Date()
            }
            logger.info("job finished", metadata: record.logMetadata.merging([
                "job_status": "succeeded", "audio_s": "\(seconds)",
                "compute_s": "\(String(format: "%.3f", elapsed()))", "schedule": "\(record.spec.schedule.rawValue)",
                "precision": "\(record.spec.precision.rawValue)"]) { $1 })
        } catch {
            finished = store.update(id) { r in
                r.status = error.code == .cancelled ? .cancelled : .failed
                r.error = error.message
                r.computeSeconds = elapsed()
                r.finishedAt = Date()
            }
            logger.info("job finished", metadata: record.logMetadata.merging([
                "job_status": "\(finished?.status.rawValue ?? "removed")", "error": "\(error.message)"]) { $1 })
        }
        if let finished { onFinish(finished) }
    }

    /// Waits for the workers to finish every queued job (after `queue.close()`), up to `deadline`.
    func waitUntilIdle(deadline: DispatchTime) -> Bool {
        running.wait(timeout: deadline) == .success
    }
}
