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
    /// The expiry sweep, made by `start()` (libdispatch traps on releasing a never-resumed
    /// source). Set once by `start()` and cancelled by `drain()`; DispatchSource is thread-safe.
    nonisolated(unsafe) private var sweeper: (any DispatchSourceTimer)?

    public init(configuration: ServerConfiguration, engine: VocodingEngine, logger: Logger) {
        self.configuration = configuration
        self.engine = engine
        self.logger = logger
        queue = JobQueue(capacity: configuration.queueCapacity)
        store = JobStore(ttl: Self.seconds(configuration.jobTTL), maxResultBytes: configuration.maxResultBytes)
        let metrics = self.metrics
        pool = WorkerPool(workers: configuration.workers, threadsPerJob: configuration.threadsPerJob, queue: queue,
                          store: store, engine: engine, logger: logger) { job in metrics.recordJob(job) }
    }

    static func seconds(_ d: Duration) -> TimeInterval {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Starts the workers and the expiry sweep (every 10 s, or a tenth of the TTL if shorter).
    public func start() {
        pool.start()
        let store = self.store
        let period = max(0.05, min(10, Self.seconds(configuration.jobTTL) / 10))
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { store.sweep() }
        timer.resume()
        sweeper?.cancel()
        sweeper = timer
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
            Thread.detachNewThread {
                if !pool.waitUntilIdle(deadline: deadline) {
                    let left = queue.removeAll()
                    for job in left { job.cancel() }
                    pool.cancelRunning()
                    logger.warning("drain deadline passed", metadata: ["cancelled_queued": "\(left.count)"])
                    _ = pool.waitUntilIdle(deadline: .distantFuture)
                }
                done.resume()
            }
        }
        sweeper?.cancel()
    }

    deinit { sweeper?.cancel() }

    // MARK: - Jobs

    /// Records and queues a job, or answers 503 when the queue is full or the server drains.
    func submit(_ spec: JobSpec) throws(HTTPError) -> Job {
        let job = Job(id: Self.newJobID(), spec: spec, steps: engine.steps(spec.schedule))
        let retry: HTTPHeaders = ["Retry-After": String(max(1, Int(Self.seconds(configuration.retryAfter).rounded(.up))))]
        if isDraining { throw HTTPError(.unavailable, "the server is shutting down", headers: retry) }
        store.insert(job)
        switch queue.enqueue(job) {
        case .queued:
            logger.info("job queued", metadata: ["job": "\(job.id)", "schedule": "\(spec.schedule.rawValue)", "seed": "\(spec.seed)"])
            return job
        case .full:
            store.remove(job.id)
            throw HTTPError(.unavailable, "the job queue is full (\(configuration.queueCapacity) waiting); retry later", headers: retry)
        case .closed:
            store.remove(job.id)
            throw HTTPError(.unavailable, "the server is shutting down", headers: retry)
        }
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
