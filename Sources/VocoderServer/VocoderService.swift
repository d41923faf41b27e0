import DiffWave
import Dispatch
import Foundation
import Logging
import Synchronization

/// The vocoding service: one shared engine, a bounded job queue, a worker pool, the job
/// store and the HTTP routes over them.
public final class VocoderService: Sendable {
    public let configuration: ServerConfiguration
    public let engine: VocodingEngine
    let queue: JobQueue
    let store: JobStore
    let pool: WorkerPool
    let metrics = ServiceMetrics()
    let logger: Logger
    private let draining = Mutex(false)
    // DispatchSource is thread-safe; it is only created, scheduled and cancelled here.
    nonisolated(unsafe) private let sweeper: DispatchSourceTimer

    public init(configuration: ServerConfiguration, engine: VocodingEngine, logger: Logger) {
        self.configuration = configuration
        self.engine = engine
        self.logger = logger
        queue = JobQueue(capacity: configuration.queueCapacity)
        store = JobStore(ttl: Self.seconds(configuration.jobTTL), maxResultBytes: configuration.maxResultBytes)
        let metrics = self.metrics
        pool = WorkerPool(workers: configuration.workers, threadsPerJob: configuration.threadsPerJob, queue: queue,
                          store: store, engine: engine, logger: logger) { job in metrics.recordJob(job) }
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
    var retryAfterValue: String {
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
        sweeper.setEventHandler { store.sweep() }
        sweeper.schedule(deadline: .now() + period, repeating: period)
    }

    public var isDraining: Bool { draining.withLock { $0 } }

    /// Stops taking jobs, lets running and queued ones finish until the drain deadline,
    /// then cancels whatever is left (each at its next step). Returns once workers stopped.
    public func drain() async {
        draining.withLock { $0 = true }
        queue.close()
        let deadline = DispatchTime.now() + Self.seconds(configuration.drainTimeout)
        let pool = self.pool, queue = self.queue, logger = self.logger
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [self] in
                if !pool.waitUntilIdle(deadline: deadline) {
                    let left = queue.removeAll()
                    for job in left { cancel(job) }
                    pool.cancelRunning()
                    logger.warning("drain deadline passed", metadata: ["cancelled_queued": "\(left.count)"])
                    _ = pool.waitUntilIdle(deadline: .distantFuture)
                }
                done.resume()
            }
        }
        sweeper.cancel()
    }

    // MARK: - Jobs

    /// Records and queues a job, or answers 503 when the queue is full or the server drains.
    /// `holdResult`: a synchronous request will read the result; it is kept from byte-cap
    /// eviction until `store.release(job)`.
    func submit(_ spec: JobSpec, holdResult: Bool = false) throws(HTTPError) -> Job {
        let job = Job(id: Self.newJobID(), spec: spec, steps: engine.steps(spec.schedule))
        if holdResult { job.hold() }
        let retry: HTTPHeaders = ["Retry-After": retryAfterValue]
        if isDraining { throw HTTPError(.unavailable, "the server is shutting down", headers: retry) }
        store.insert(job)
        switch queue.enqueue(job) {
        case .queued:
            logger.info("job queued", metadata: ["job": "\(job.id)", "schedule": "\(spec.schedule.rawValue)", "seed": "\(spec.seed)",
                                         "precision": "\(spec.precision.rawValue)"])
            return job
        case .full:
            store.remove(job.id)
            throw HTTPError(.unavailable, "the job queue is full (\(configuration.queueCapacity) waiting); retry later", headers: retry)
        case .closed:
            store.remove(job.id)
            throw HTTPError(.unavailable, "the server is shutting down", headers: retry)
        }
    }

    /// Asks `job` to stop. A queued job is finished here: it leaves the queue and is counted
    /// in the metrics now, as no worker will see it; a running job stops at its next step and
    /// its worker counts it.
    @discardableResult
    func cancel(_ job: Job) -> Job.Status {
        let (status, finishedNow) = job.cancelReportingFinish()
        if finishedNow {
            queue.remove(id: job.id)
            metrics.recordJob(job)
        }
        return status
    }

    func snapshot(_ job: Job) -> JobSnapshot {
        JobSnapshot(job, queuePosition: queue.position(of: job.id))
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
