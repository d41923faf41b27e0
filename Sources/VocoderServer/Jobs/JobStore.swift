import Foundation

/// Where jobs live: their records, their audio, and the events of their lifecycle. The
/// service reaches jobs only through this protocol, so that a store shared by several
/// processes can replace the in-process one (`InMemoryJobStore`) without route changes.
///
/// Transitions go through `update`, which applies a change atomically and publishes the
/// events it implies: `finished` when the status becomes terminal, `cancelRequested` when the
/// flag is first set.
public protocol JobStore: Sendable {
    /// Adds a new (queued) job.
    func insert(_ record: JobRecord)
    func record(_ id: String) -> JobRecord?
    /// Applies `change` to the job's record atomically; returns the record after it, or nil
    /// when there is no such job (`change` is not called then).
    @discardableResult
    func update(_ id: String, _ change: (inout JobRecord) -> Void) -> JobRecord?
    /// Forgets a job and its audio.
    func remove(_ id: String)

    /// Keeps a succeeded job's audio (its record says `.stored`), evicting the oldest results
    /// over the retained-bytes cap (their records say `.evicted`).
    func storeResult(_ audio: Data, of id: String)
    func result(of id: String) -> Data?
    /// A synchronous request will read this job's audio: keep it from cap eviction until
    /// `release`.
    func hold(_ id: String)
    func release(_ id: String)

    /// Forgets jobs finished more than the TTL ago; returns how many.
    @discardableResult
    func sweep(now: Date) -> Int
    /// Every unfinished job's id (drain deadline: they are all cancelled).
    func unfinishedIDs() -> [String]
    func countsByStatus() -> [JobRecord.Status: Int]
    var retainedBytes: Int { get }

    /// Calls `handler` for every event from now on, from whichever thread publishes it.
    func subscribe(_ handler: @escaping @Sendable (JobEvent) -> Void)
}
