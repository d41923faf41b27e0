/// The names of the Redis keys the job store uses, all under one prefix (`job-store-prefix`).
/// Lua scripts reach some keys by name from the prefix, so the store needs a standalone Redis
/// (or one Cluster slot), not a Redis Cluster spread over slots.
struct RedisJobKeys: Sendable {
    let prefix: String

    /// Hash: `record` (JSON), `input` (mel bytes), `epoch`, `entry` (stream entry), `steps`,
    /// `cancel`, `evicted`.
    func job(_ id: String) -> String { "\(prefix):job:\(id)" }
    /// String: a succeeded job's audio.
    func result(_ id: String) -> String { "\(prefix):result:\(id)" }
    /// Stream: one entry once the job finished; waiters in any instance block reading it.
    func done(_ id: String) -> String { "\(prefix):done:\(id)" }
    /// String: present while a synchronous request still has to read the job's audio.
    func hold(_ id: String) -> String { "\(prefix):hold:\(id)" }
    /// Stream with the `workers` consumer group: the queue of jobs for one model and precision,
    /// read only by instances that run them with identical bytes.
    func queue(digest: String, precision: String) -> String { "\(prefix):queue:\(digest):\(precision)" }
    /// Sorted set: every queued job by submission time (the shared bound, positions, depth).
    var queued: String { "\(prefix):queued" }
    /// Sorted set: jobs holding a result by finish time; hash `result-bytes` their sizes and
    /// `retained-bytes` the total, for `max-result-bytes` and the expiry.
    var results: String { "\(prefix):results" }
    var resultBytes: String { "\(prefix):result-bytes" }
    var retainedBytes: String { "\(prefix):retained-bytes" }

    static let group = "workers"
}
