import DiffWave
import Dispatch
import Foundation
import HTTP
import Logging
import Synchronization

/// The vocoding service: one shared engine, a bounded job queue, a worker pool and a job
/// store. Routes reach jobs only through its operations (submit, wait, status, audio, cancel,
/// model description, metrics), never the parts below.
public final class VocoderService: Sendable {
    public let configuration: ServerConfiguration
    let engine: VocodingEngine
    let store: any JobStore
    let queue: JobQueue
    let pool: WorkerPool
    let waiters: JobWaiters
    let metrics = ServiceMetrics()
    let logger: Logger
    private let draining = Mutex(false)
    // DispatchSource is thread-safe; it is only created, scheduled and cancelled here.
    nonisolated(unsafe) private let sweeper: DispatchSourceTimer

    /// - Parameter store: where jobs live; by default in this process's memory.
    public init(configuration: ServerConfiguration, engine: VocodingEngine, logger: Logger, store: (any JobStore)? = nil) {
        self.configuration = configuration
        self.engine = engine
        self.logger = logger
        let store = store ?? InMemoryJobStore(ttl: Self.seconds(configuration.jobTTL), maxResultBytes: configuration.maxResultBytes)
        self.store = store
        queue = JobQueue(capacity: configuration.queueCapacity)
        waiters = JobWaiters(store: store)
        let metrics = self.metrics
        pool = WorkerPool(workers: configuration.workers, threadsPerJob: configuration.threadsPerJob, queue: queue,
                          store: store, engine: engine, logger: logger) { record in metrics.recordJob(record) }
        sweeper = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        // Active at once (an unscheduled timer never fires): libdispatch traps when a source
        // that was never activated is released ("Release of an inactive object"), which a
        // service that is made but never started would otherwise do.
        sweeper.activate()
    }

    deinit {
        sweeper.cancel()
    }

    /// RFC 9110 §10.2.3 — Retry-After in whole seconds: the configured wait rounded up (never
    /// asking a client back sooner than configured), at least 1.
    public var retryAfterValue: String {
        String(max(1, Int(Self.seconds(configuration.retryAfter).rounded(.up))))
    }

    static func seconds(_ d: Duration) -> TimeInterval {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Starts the workers and the expiry sweep (every 10 s, or a tenth of the TTL if shorter).
    public func start() {
        pool.start()
        let store = self.store
        let period = max(0.05, min(10, Self.seconds(configuration.jobTTL) / 10))
        sweeper.setEventHandler { store.sweep(now: Date()) }
        sweeper.schedule(deadline: .now() + period, repeating: period)
    }

    public var isDraining: Bool { draining.withLock { $0 } }

    /// Stops taking jobs, lets running and queued ones finish until the drain deadline, then
    /// cancels whatever is left (each at its next step). Blocks until the workers stopped.
    public func drain() {
        draining.withLock { $0 = true }
        queue.close()
        let deadline = DispatchTime.now() + Self.seconds(configuration.drainTimeout)
        if !pool.waitUntilIdle(deadline: deadline) {
            let left = queue.removeAll()
            for id in store.unfinishedIDs() { cancel(job: id) }
            logger.warning("drain deadline passed", metadata: ["cancelled_queued": "\(left.count)"])
            _ = pool.waitUntilIdle(deadline: .distantFuture)
        }
        sweeper.cancel()
    }

    // MARK: - Model

    /// The served model's hyper-parameters.
    public var modelConfig: DiffWaveConfig { engine.model.config }

    /// The model's own mel of an audio file (copy synthesis, `POST /mel`); `maxFileFrames`
    /// bounds the decoded file before any analysis.
    public func mel(ofAudioFile data: Data, resample: Bool, maxFileFrames: Int) throws(DiffWaveError) -> Tensor {
        try engine.melFrontend.mel(ofAudioFile: data, resample: resample, maxFrames: maxFileFrames)
    }

    /// Samples per mel frame.
    public var hopLength: Int { engine.melFrontend.hopLength }

    /// What `GET /model` says: the model, both schedules, precisions and limits.
    public func modelDescription() -> ModelDescription {
        ModelDescription(engine: engine, configuration: configuration)
    }

    /// The Prometheus text exposition.
    public func metricsExposition() -> Data {
        metrics.exposition(queueDepth: queue.count, jobs: store.countsByStatus(), retainedBytes: store.retainedBytes)
    }

    /// Counts one answered request by route pattern and status.
    public func recordRequest(route: String, method: String, status: Int) {
        metrics.recordRequest(route: route, method: method, status: status)
    }

    // MARK: - Jobs

    /// Records and queues a job. `holdResult`: a synchronous request will read the audio; it is
    /// kept from byte-cap eviction until `release(_:)`.
    /// `requestID`: the request that made it (`X-Request-Id`), recorded for its log lines and status.
    public func submit(_ spec: JobSpec, holdResult: Bool = false, requestID: String? = nil) throws(ServiceError) -> JobRecord {
        var record = JobRecord(id: Self.newJobID(), spec: spec, steps: engine.steps(spec.schedule))
        record.requestID = requestID
        record.modelDigest = engine.identity.digest
        if isDraining { throw .shuttingDown }
        store.insert(record)
        if holdResult { store.hold(record.id) }
        switch queue.enqueue(record.id) {
        case .queued:
            logger.info("job queued", metadata: record.logMetadata.merging([
                "schedule": "\(spec.schedule.rawValue)", "seed": "\(spec.seed)", "precision": "\(spec.precision.rawValue)",
            ]) { $1 })
            return record
        case .full:
            store.remove(record.id)
            throw .queueFull(capacity: configuration.queueCapacity)
        case .closed:
            store.remove(record.id)
            throw .shuttingDown
        }
    }

    /// A waiting request's audio: blocks the calling thread until job `id` finished (then its
    /// audio, or why there is none), `timeout` passed, or the client went away. No one will
    /// fetch the audio of a client that went away, nor a synchronous request's whose wait ran
    /// out (`abandonOnTimeout`): that job is cancelled, removed if still queued, stopped at its
    /// next step if running (`clientGone`, `syncTimedOut`). Nil when the wait ran out and the
    /// job is kept (`Prefer: respond-async, wait=N`).
    public func audioWhenDone(_ id: String, within timeout: Duration, abandonOnTimeout: Bool,
                              clientHasGone: () -> Bool = { false }) throws(ServiceError) -> JobAudio? {
        switch waiters.wait(for: id, deadline: ContinuousClock.now + timeout, clientHasGone: clientHasGone) {
        case .finished:
            return try finishedAudio(id)
        case .clientGone:
            abandon(id, reason: "client_gone")
            throw .clientGone(id: id)
        case .timedOut:
            guard abandonOnTimeout else { return nil }
            abandon(id, reason: "sync_timeout")
            // It may have finished between the deadline and the cancel.
            if store.record(id)?.status == .succeeded { return try finishedAudio(id) }
            throw .syncTimedOut(id: id, seconds: Self.seconds(timeout))
        }
    }

    /// Cancels a job whose synchronous requester will not read it, and counts it.
    private func abandon(_ id: String, reason: String) {
        cancel(job: id)
        metrics.recordAbandonedJob(reason: reason)
        let record = store.record(id)
        var metadata = record?.logMetadata ?? [LogField.jobID: .string(id)]
        metadata["reason"] = "\(reason)"
        metadata["job_status"] = "\(record?.status.rawValue ?? "removed")"
        logger.info("job abandoned", metadata: metadata)
    }

    /// A synchronous request has read (or given up on) its job's audio.
    public func release(_ id: String) {
        store.release(id)
    }

    /// The job's status, with its place in the queue. A worker takes a job off the queue just
    /// before it marks it running: a queued job no longer in the queue is the next to run (0).
    public func status(_ id: String) throws(ServiceError) -> JobSnapshot {
        let record = try record(id)
        return JobSnapshot(record, queuePosition: queue.position(of: id) ?? 0)
    }

    /// A finished job's audio: `notFinished` while it is not (or `noAudio`: never will be)
    /// there, `audioGone` once dropped.
    public func audio(_ id: String) throws(ServiceError) -> JobAudio {
        let record = try record(id)
        switch record.status {
        case .queued, .running:
            throw .notFinished(id: id, status: record.status)
        case .failed, .cancelled:
            throw .noAudio(id: id, status: record.status, reason: record.error)
        case .succeeded:
            guard let data = store.result(of: id) else { throw .audioGone(id: id) }
            return JobAudio(record: record, data: data)
        }
    }

    /// The answer to a synchronous request whose job finished. Its input was validated before
    /// it was queued, so a failure is the server's; a job the drain deadline cancelled is
    /// `cancelledByShutdown` (retry elsewhere or later); one cancelled by a DELETE has no audio.
    private func finishedAudio(_ id: String) throws(ServiceError) -> JobAudio {
        let record = try record(id)
        switch record.status {
        case .failed: throw .jobFailed(id: id, reason: record.error ?? "unknown error")
        case .cancelled where isDraining: throw .cancelledByShutdown(id: id)
        default: return try audio(id)
        }
    }

    public enum CancelOutcome: Sendable {
        /// The job had finished: its record and audio are gone.
        case removed
        /// Asked to stop: a queued job is cancelled now, a running one at its next step.
        case requested(JobSnapshot)
    }

    /// DELETE: removes a finished job, else asks it to stop. `requestID`: the DELETE's own, for
    /// its log line (which names the job's too).
    public func cancel(_ id: String, requestID: String? = nil) throws(ServiceError) -> CancelOutcome {
        let record = try record(id)
        if record.status.isFinished {
            store.remove(id)
            return .removed
        }
        cancel(job: id)
        var metadata = record.logMetadata
        metadata["job_request_id"] = metadata[LogField.requestID]
        metadata[LogField.requestID] = requestID.map { .string($0) }
        metadata["job_status"] = "\(store.record(id)?.status.rawValue ?? "removed")"
        logger.info("job cancel requested", metadata: metadata)
        return .requested(try status(id))
    }

    /// Asks the job to stop. A queued job is finished here: it leaves the queue and is counted
    /// in the metrics now, as no worker will see it; a running job stops at its next step (the
    /// store's `cancelRequested` event reaches its worker) and its worker counts it.
    private func cancel(job id: String) {
        var finishedNow = false
        let after = store.update(id) { r in
            guard !r.status.isFinished else { return }
            r.cancelRequested = true
            if r.status == .queued {
                r.status = .cancelled
                r.error = "cancelled before it started"
                r.finishedAt = Date()
                finishedNow = true
            }
        }
        if finishedNow, let after {
            queue.remove(id: id)
            metrics.recordJob(after)
        }
    }

    private func record(_ id: String) throws(ServiceError) -> JobRecord {
        guard let record = store.record(id) else {
            throw .jobNotFound(id: id, ttlSeconds: Self.seconds(configuration.jobTTL))
        }
        return record
    }

    /// 128 random bits, hex: unguessable, so job URLs need no further access control.
    static func newJobID() -> String {
        (0..<2).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(to: 16) }.joined()
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
