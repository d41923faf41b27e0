import Foundation

/// Where jobs live: the queue, their records, progress, cancel requests and audio. Routes
/// (through `VocoderService`) and workers (`WorkerPool`) reach jobs only through this protocol
/// and do not know which store runs: `InMemoryJobStore` (one process, the default) or
/// `RedisJobStore` (every instance sharing one Redis).
///
/// A worker runs a job under a `JobClaim`. Each claim carries a fencing epoch, and the store
/// accepts a claim's progress and result only while that epoch is the job's current one: a
/// worker that lost its claim (its lease lapsed and another instance took the job over, or the
/// drain handed the job back) can never overwrite or double-finish it.
///
/// Route-side calls throw `ServiceError.storeUnavailable` when a shared store cannot be reached.
public protocol JobStore: Sendable {
    // MARK: Routes

    /// Stores a new queued job and puts it on the queue, or refuses it (`.queueFull`) when the
    /// queue already holds its capacity; the check and the addition are one atomic step.
    /// `holdResult`: a synchronous request will read the audio; keep it from byte-cap eviction
    /// until `release`.
    func submit(_ record: JobRecord, holdResult: Bool) throws(ServiceError)
    /// The job's record; nil when there is no such job.
    func record(_ id: String) throws(ServiceError) -> JobRecord?
    /// The job's place in the queue, 0 for the next to run; nil when it is not waiting.
    func queuePosition(of id: String) throws(ServiceError) -> Int?
    /// Asks the job to stop: a queued one is cancelled at once (`cancelledNow`), a running one
    /// stops at its next step. Nil when there is no such job; a finished job is left as it is.
    func requestCancel(_ id: String, reason: String) throws(ServiceError) -> (record: JobRecord, cancelledNow: Bool)?
    /// Forgets a job and its audio.
    func remove(_ id: String) throws(ServiceError)
    /// A succeeded job's audio; nil once it was dropped (TTL or the retained-bytes cap).
    func result(of id: String) throws(ServiceError) -> Data?
    /// A synchronous request has read (or given up on) its job's audio.
    func release(_ id: String)
    /// Blocks the calling thread until job `id` finishes (or is gone), `deadline` passes, or
    /// `clientHasGone` returns true. A job finished by another process wakes it too.
    func wait(for id: String, deadline: ContinuousClock.Instant, clientHasGone: () -> Bool) -> JobWaitOutcome

    // MARK: Workers

    /// The next job this process can run, marked running under a new claim; blocks until there
    /// is one. Nil once the store is closed and has nothing more for this process.
    func claim() -> JobClaim?
    /// Records the steps done; says whether to go on.
    func reportProgress(_ claim: JobClaim, stepsDone: Int) -> JobClaim.State
    /// Writes the job's outcome (the audio first, so a woken waiter finds it) if the claim is
    /// still the job's current one; the finished record, or nil when the claim was lost.
    func finish(_ claim: JobClaim, _ outcome: JobOutcome) -> JobRecord?

    // MARK: Lifecycle

    /// Starts what the store runs in the background (expiry, lease renewal).
    func start()
    /// This process takes no new work from now on. In memory the queued jobs are cancelled
    /// with a reason (no one else could run them, and a drain runs only what it has started,
    /// so that `drain-timeout` need cover one job, not a queue of them); a shared store's queue
    /// is left to the other instances. Returns the records of the jobs it finished here.
    @discardableResult
    func close() -> [JobRecord]
    /// The drain deadline passed: gives up the jobs this process still runs (`close` left it
    /// none queued). In memory they are cancelled, a shared store hands them back to the queue;
    /// either way each stops at its next step, and its worker records how it ended. Returns
    /// how many it gave up.
    func abandon() -> Int
    /// The workers have stopped (end of the drain): lets go of what the store holds for this
    /// process (a shared store's consumer leaves the group once it holds no entry).
    func stop()
    /// Forgets jobs finished more than the TTL ago; returns how many.
    @discardableResult
    func sweep(now: Date) -> Int
    /// Whether the store can be reached now (`/readyz`).
    var isAvailable: Bool { get }

    // MARK: Gauges (`/metrics`; a shared store reports the shared figures, 0 when unreachable)

    /// Jobs waiting in the queue.
    var queueDepth: Int { get }
    func countsByStatus() -> [JobRecord.Status: Int]
    var retainedBytes: Int { get }
}
