import DiffWave
import Dispatch
import Foundation
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

    /// Stops taking jobs and lets running ones finish until the drain deadline (queued ones
    /// too with the in-memory store; a shared store leaves them to the other instances), then
    /// gives up whatever is left: cancelled in memory, handed back to a shared queue (each
    /// stops at its next step). Blocks until the workers stopped.
    public func drain() {
        draining.withLock { $0 = true }
        store.close()
        let deadline = DispatchTime.now() + Self.seconds(configuration.drainTimeout)
        if !pool.waitUntilIdle(deadline: deadline) {
            let (left, finished) = store.abandon()
            finished.forEach(metrics.recordJob)
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
    public func submit(_ spec: JobSpec, holdResult: Bool = false) throws(ServiceError) -> JobRecord {
        let record = JobRecord(id: Self.newJobID(), spec: spec, steps: engine.steps(spec.schedule))
        if isDraining { throw .shuttingDown }
        try store.submit(record, holdResult: holdResult)
        logger.info("job queued", metadata: ["job": "\(record.id)", "schedule": "\(spec.schedule.rawValue)", "seed": "\(spec.seed)",
                                             "precision": "\(spec.precision.rawValue)"])
        return record
    }

    /// Blocks the calling thread until the job finished, `sync-timeout` passed, or the client
    /// has gone; true when it finished.
    public func waitUntilFinished(_ id: String, clientHasGone: () -> Bool = { false }) -> Bool {
        let deadline = ContinuousClock.now + configuration.syncTimeout
        return store.wait(for: id, deadline: deadline, clientHasGone: clientHasGone) == .finished
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
    public func syncAudio(_ id: String) throws(ServiceError) -> JobAudio {
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

    /// DELETE: removes a finished job, else asks it to stop.
    public func cancel(_ id: String) throws(ServiceError) -> CancelOutcome {
        let record = try record(id)
        if record.status.isFinished {
            try store.remove(id)
            return .removed
        }
        // A queued job is finished here and counted in the metrics now, as no worker will see
        // it; a running job stops at its next step and its worker counts it.
        guard let (after, cancelledNow) = try store.requestCancel(id, reason: "cancelled before it started") else {
            throw .jobNotFound(id: id, ttlSeconds: Self.seconds(configuration.jobTTL))
        }
        if cancelledNow { metrics.recordJob(after) }
        logger.info("job cancel requested", metadata: ["job": "\(id)", "status": "\(after.status.rawValue)"])
        return .requested(try status(id))
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
