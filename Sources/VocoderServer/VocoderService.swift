import DiffWave
import Dispatch
import Foundation
import HTTP
import Logging
import Synchronization

/// The vocoding service: one shared engine, a worker pool and a job store (which holds the
/// bounded queue). Routes reach jobs only through its operations (submit, wait, status, audio,
/// cancel, model description, metrics), never the parts below; neither they nor the workers
/// know which store runs.
public final class VocoderService: Sendable {
    public let configuration: ServerConfiguration
    let engine: VocodingEngine
    let store: any JobStore
    let pool: WorkerPool
    let metrics = ServiceMetrics()
    let logger: Logger
    private let draining = Mutex(false)
    // DispatchSource is thread-safe; it is only created, scheduled and cancelled here.
    nonisolated(unsafe) private let sweeper: DispatchSourceTimer

    /// - Parameter store: where jobs live; by default in this process's memory (bounded by
    ///   `queue`, expiring with `job-ttl`, capped by `max-result-bytes`).
    public init(configuration: ServerConfiguration, engine: VocodingEngine, logger: Logger, store: (any JobStore)? = nil) {
        self.configuration = configuration
        self.engine = engine
        self.logger = logger
        let store = store ?? InMemoryJobStore(ttl: Self.seconds(configuration.jobTTL), maxResultBytes: configuration.maxResultBytes,
                                              queueCapacity: configuration.queueCapacity)
        self.store = store
        let metrics = self.metrics
        pool = WorkerPool(workers: configuration.workers, threadsPerJob: configuration.threadsPerJob,
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
        store.start()
        pool.start()
        let store = self.store
        let period = max(0.05, min(10, Self.seconds(configuration.jobTTL) / 10))
        sweeper.setEventHandler { store.sweep(now: Date()) }
        sweeper.schedule(deadline: .now() + period, repeating: period)
    }

    public var isDraining: Bool { draining.withLock { $0 } }

    /// Ready: not draining, and the job store can be reached.
    public var isReady: Bool { !isDraining && store.isAvailable }

    /// Stops taking jobs and lets running ones finish until the drain deadline; starts no queued
    /// one (in memory they are cancelled at once, and their synchronous requests answered 503 +
    /// Retry-After; a shared store leaves them to the other instances). Then gives up whatever
    /// is left: cancelled in memory, handed back to a shared queue (each stops at its next
    /// step). Blocks until the workers stopped.
    public func drain() {
        draining.withLock { $0 = true }
        let notStarted = store.close()
        notStarted.forEach(metrics.recordJob)
        if !notStarted.isEmpty { logger.info("drain: queued jobs not started", metadata: ["cancelled": "\(notStarted.count)"]) }
        let deadline = DispatchTime.now() + Self.seconds(configuration.drainTimeout)
        if !pool.waitUntilIdle(deadline: deadline) {
            let left = store.abandon()
            logger.warning("drain deadline passed", metadata: ["given_up": "\(left)"])
            _ = pool.waitUntilIdle(deadline: .distantFuture)
        }
        store.stop()
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
        metrics.exposition(queueDepth: store.queueDepth, jobs: store.countsByStatus(), retainedBytes: store.retainedBytes)
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
        try store.submit(record, holdResult: holdResult)
        logger.info("job queued", metadata: record.logMetadata.merging([
            "schedule": "\(spec.schedule.rawValue)", "seed": "\(spec.seed)", "precision": "\(spec.precision.rawValue)",
        ]) { $1 })
        return record
    }

    /// A waiting request's audio: blocks the calling thread until job `id` finished (then its
    /// audio, or why there is none), `timeout` passed, or the client went away. No one will
    /// fetch the audio of a client that went away, nor a synchronous request's whose wait ran
    /// out (`abandonOnTimeout`): that job is cancelled, removed if still queued, stopped at its
    /// next step if running (`clientGone`, `syncTimedOut`). Nil when the wait ran out and the
    /// job is kept (`Prefer: respond-async, wait=N`).
    public func audioWhenDone(_ id: String, within timeout: Duration, abandonOnTimeout: Bool,
                              clientHasGone: () -> Bool = { false }) throws(ServiceError) -> JobAudio? {
        switch store.wait(for: id, deadline: ContinuousClock.now + timeout, clientHasGone: clientHasGone) {
        case .finished:
            return try finishedAudio(id)
        case .clientGone:
            try abandon(id, reason: "client_gone")
            throw .clientGone(id: id)
        case .timedOut:
            guard abandonOnTimeout else { return nil }
            // It may have finished between the deadline and the cancel.
            if try abandon(id, reason: "sync_timeout")?.status == .succeeded { return try finishedAudio(id) }
            throw .syncTimedOut(id: id, seconds: Self.seconds(timeout))
        }
    }

    /// Cancels a job whose synchronous requester will not read it, and counts it; returns its
    /// record after the request (nil if it is gone).
    @discardableResult
    private func abandon(_ id: String, reason: String) throws(ServiceError) -> JobRecord? {
        let after = try requestCancel(id, reason: "cancelled before it started: its synchronous client will not read it (\(reason))")
        metrics.recordAbandonedJob(reason: reason)
        var metadata = after?.logMetadata ?? [LogField.jobID: .string(id)]
        metadata["reason"] = "\(reason)"
        metadata["job_status"] = "\(after?.status.rawValue ?? "removed")"
        logger.info("job abandoned", metadata: metadata)
        return after
    }

    /// A synchronous request has read (or given up on) its job's audio.
    public func release(_ id: String) {
        store.release(id)
    }

    /// The job's status, with its place in the queue.
    public func status(_ id: String) throws(ServiceError) -> JobSnapshot {
        let record = try record(id)
        return JobSnapshot(record, queuePosition: record.status == .queued ? try store.queuePosition(of: id) ?? 0 : nil)
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
            guard let data = try store.result(of: id) else { throw .audioGone(id: id) }
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
            try store.remove(id)
            return .removed
        }
        guard let after = try requestCancel(id, reason: "cancelled before it started") else {
            throw .jobNotFound(id: id, ttlSeconds: Self.seconds(configuration.jobTTL))
        }
        var metadata = after.logMetadata
        metadata["job_request_id"] = metadata[LogField.requestID]
        metadata[LogField.requestID] = requestID.map { .string($0) }
        metadata["job_status"] = "\(after.status.rawValue)"
        logger.info("job cancel requested", metadata: metadata)
        return .requested(try status(id))
    }

    /// Asks job `id` to stop; returns its record after, nil when there is no such job. A queued
    /// job is finished here (with `reason`) and counted in the metrics now, as no worker will
    /// see it; a running job stops at its next step and its worker counts it.
    private func requestCancel(_ id: String, reason: String) throws(ServiceError) -> JobRecord? {
        guard let (after, cancelledNow) = try store.requestCancel(id, reason: reason) else { return nil }
        if cancelledNow { metrics.recordJob(after) }
        return after
    }

    private func record(_ id: String) throws(ServiceError) -> JobRecord {
        guard let record = try store.record(id) else {
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
