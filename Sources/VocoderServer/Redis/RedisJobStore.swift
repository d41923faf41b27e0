import DiffWave
import Foundation
import HTTP
import Logging
import Synchronization

/// The `JobStore` that instances share through one Redis: the queue is a Stream per model and
/// precision, read by the `workers` consumer group; records, audio and notifications are keys
/// that expire with the job TTL (docs/reliability.md has the whole layout and its guarantees).
///
/// Every Redis failure on a route's path is `ServiceError.storeUnavailable` (503 +
/// Retry-After); a stored value that cannot be read fails that job, with the reason, and
/// nothing else. Workers ride out a lost Redis: they retry every `retryInterval`, and a result
/// computed meanwhile is kept until it can be written.
public final class RedisJobStore: JobStore {
    public struct Settings: Sendable {
        public var endpoint: RedisEndpoint
        public var prefix = "diffwave"
        /// The served weights (`ModelIdentity.digest`): this instance claims only jobs accepted for them.
        public var modelDigest: String
        /// Whether this instance runs bf16 jobs (its CPU has AVX512-BF16).
        public var runsBF16 = Precision.bfloat16.isAvailable
        public var ttl: Duration = .seconds(600)
        public var maxResultBytes = 256 << 20
        public var queueCapacity = 16
        /// How long a claim lasts without renewal; renewed every third of it.
        public var lease: Duration = .seconds(30)
        /// Runs a job may start before it is failed (each one's instance died under it).
        public var maxAttempts = 3
        /// Connect and command timeout.
        public var timeout: Duration = .seconds(2)
        /// How often workers and waiters retry an unreachable Redis, and how long a worker's
        /// blocking read of the queue waits before it looks for expired leases again.
        public var retryInterval: Duration = .seconds(1)
        /// How long a synchronous request's hold on its audio lasts at most.
        public var holdTimeout: Duration = .seconds(360)

        public init(endpoint: RedisEndpoint, modelDigest: String) {
            self.endpoint = endpoint
            self.modelDigest = modelDigest
        }
    }

    public let settings: Settings
    let keys: RedisJobKeys
    let pool: RedisConnectionPool
    let logger: Logger
    /// This process's consumer name in the group: unique per start.
    let consumer: String
    /// The streams this instance reads: its model's, in the precisions it can run.
    public let streams: [String]

    /// What this process's workers hold, by job id: the renewal thread's list.
    struct Held: Sendable {
        var claim: JobClaim
        var stream: String
        var entry: String
        /// Set when renewal found the epoch moved on: the run stops at its next step.
        var lost = false
    }
    let held = Mutex<[String: Held]>([:])
    let closed = Atomic<Bool>(false)
    let available = Atomic<Bool>(true)

    public init(_ settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        keys = RedisJobKeys(prefix: settings.prefix)
        pool = RedisConnectionPool(endpoint: settings.endpoint, connectTimeout: settings.timeout, commandTimeout: settings.timeout)
        let host = ProcessInfo.processInfo.hostName
        consumer = "\(host)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        var streams = [keys.queue(digest: settings.modelDigest, precision: Precision.float32.rawValue)]
        if settings.runsBF16 { streams.append(keys.queue(digest: settings.modelDigest, precision: Precision.bfloat16.rawValue)) }
        self.streams = streams
    }

    static func milliseconds(_ d: Duration) -> Int {
        Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A route's Redis call: a Redis failure is the route's 503.
    func routeCall<R>(_ body: () throws(RedisError) -> R) throws(ServiceError) -> R {
        do {
            let result = try body()
            available.store(true, ordering: .relaxed)
            return result
        } catch {
            if error.code == .unreachable || error.code == .connectionLost {
                available.store(false, ordering: .relaxed)
                pool.reset()
            }
            throw .storeUnavailable(reason: "Redis at \(settings.endpoint.host):\(settings.endpoint.port): \(error.code.rawValue)")
        }
    }

    // MARK: - Routes

    public func submit(_ record: JobRecord, holdResult: Bool) throws(ServiceError) {
        var record = record
        record.modelDigest = settings.modelDigest
        let (json, input) = RedisJobCodec.encode(record)
        let stream = keys.queue(digest: settings.modelDigest, precision: record.spec.precision.rawValue)
        let accepted = try routeCall { () throws(RedisError) in
            try pool.with { c throws(RedisError) in
                let ok = try c.command([Data("EVAL".utf8), Data(RedisScripts.submit.utf8), Data("3".utf8),
                                        Data(keys.job(record.id).utf8), Data(keys.queued.utf8), Data(stream.utf8),
                                        Data(String(settings.queueCapacity).utf8), Data(record.id.utf8), json, input,
                                        Data(String(Self.milliseconds(.seconds(record.createdAt.timeIntervalSince1970))).utf8)]).int()
                if ok == 1, holdResult {
                    _ = try c.command(["SET", keys.hold(record.id), "1", "PX", String(Self.milliseconds(settings.holdTimeout))])
                }
                return ok == 1
            }
        }
        if !accepted { throw .queueFull(capacity: settings.queueCapacity) }
    }

    public func record(_ id: String) throws(ServiceError) -> JobRecord? {
        try routeCall { () throws(RedisError) in try pool.with { c throws(RedisError) in try read(id, on: c) } }
    }

    /// The record, or nil; a value that cannot be read is replaced by a failed record saying
    /// why (that job fails; nothing else does).
    func read(_ id: String, on c: RedisConnection) throws(RedisError) -> JobRecord? {
        let fields: [RedisReply]
        do {
            fields = try c.command(["HMGET", keys.job(id), "record", "input", "steps", "cancel", "evicted"]).array()
        } catch where error.code == .serverError || error.code == .unexpectedReply {
            // WRONGTYPE: something else sits under our key.
            return try replaceUnreadable(id, reason: "the stored job \(id) is unreadable: its key holds a value of another type", on: c)
        }
        guard fields.count == 5, !fields[0].isNull else { return nil }
        do {
            let steps = fields[2].isNull ? nil : try fields[2].int()
            return try RedisJobCodec.decode(id: id, record: try fields[0].data(), input: fields[1].isNull ? Data() : try fields[1].data(),
                                            stepsDone: steps, cancelRequested: (try? fields[3].text()) == "1",
                                            evicted: (try? fields[4].text()) == "1")
        } catch where error.code == .unexpectedReply {
            return try replaceUnreadable(id, reason: error.message, on: c)
        }
    }

    /// Overwrites an unreadable job with a failed record, finished now (so it expires, and
    /// its waiters wake).
    func replaceUnreadable(_ id: String, reason: String, on c: RedisConnection) throws(RedisError) -> JobRecord {
        logger.error("job store value unreadable", metadata: [LogField.jobID: "\(id)", "error": "\(reason)"])
        let record = RedisJobCodec.unreadable(id: id, reason: reason)
        let (json, _) = RedisJobCodec.encode(record)
        let ttl = String(Self.milliseconds(settings.ttl))
        _ = try c.command(["MULTI"])
        _ = try c.command(["DEL", keys.job(id)])
        _ = try c.command([Data("HSET".utf8), Data(keys.job(id).utf8), Data("record".utf8), json, Data("epoch".utf8), Data("unreadable".utf8)])
        _ = try c.command(["PEXPIRE", keys.job(id), ttl])
        _ = try c.command(["ZREM", keys.queued, id])
        _ = try c.command(["XADD", keys.done(id), "*", "status", "failed"])
        _ = try c.command(["PEXPIRE", keys.done(id), ttl])
        _ = try c.command(["EXEC"])
        return record
    }

    public func queuePosition(of id: String) throws(ServiceError) -> Int? {
        try routeCall { () throws(RedisError) in
            let reply = try pool.command(["ZRANK", keys.queued, id])
            return reply.isNull ? nil : try reply.int()
        }
    }

    public func requestCancel(_ id: String, reason: String) throws(ServiceError) -> (record: JobRecord, cancelledNow: Bool)? {
        try routeCall { () throws(RedisError) in
            try pool.with { c throws(RedisError) -> (record: JobRecord, cancelledNow: Bool)? in
                // Optimistic: a claim or finish that changes the job meanwhile aborts EXEC; read again.
                while true {
                    _ = try c.command(["WATCH", keys.job(id)])
                    guard var r = try read(id, on: c) else {
                        _ = try c.command(["UNWATCH"])
                        return nil
                    }
                    if r.status.isFinished {
                        _ = try c.command(["UNWATCH"])
                        return (r, false)
                    }
                    r.cancelRequested = true
                    var cancelledNow = false
                    _ = try c.command(["MULTI"])
                    if r.status == .queued {
                        r.status = .cancelled
                        r.error = reason
                        r.finishedAt = Date()
                        cancelledNow = true
                        try queueFinishCommands(r, entry: nil, on: c)
                    } else {
                        _ = try c.command(["HSET", keys.job(id), "cancel", "1"])
                    }
                    if try !c.command(["EXEC"]).isNull { return (r, cancelledNow) }
                }
            }
        }
    }

    /// The commands, inside MULTI, that make `r` (terminal) the job's record: written, expiring,
    /// out of the queue, the stream entry acknowledged and deleted, and the notification sent.
    func queueFinishCommands(_ r: JobRecord, entry: (stream: String, id: String)?, resultBytes: Int? = nil, on c: RedisConnection) throws(RedisError) {
        let ttl = String(Self.milliseconds(settings.ttl))
        let (json, _) = RedisJobCodec.encode(r)
        _ = try c.command([Data("HSET".utf8), Data(keys.job(r.id).utf8), Data("record".utf8), json, Data("steps".utf8), Data(String(r.stepsDone).utf8)])
        _ = try c.command(["PEXPIRE", keys.job(r.id), ttl])
        _ = try c.command(["ZREM", keys.queued, r.id])
        if let entry {
            _ = try c.command(["XACK", entry.stream, RedisJobKeys.group, entry.id])
            _ = try c.command(["XDEL", entry.stream, entry.id])
        } else {
            // Cancelled while queued: its entry leaves the stream unread (the worker that
            // would have read it skips a missing job anyway).
            _ = try c.command(["EVAL", "local e = redis.call('HGET', KEYS[1], 'entry'); local s = redis.call('HGET', KEYS[1], 'stream'); if e and s then redis.call('XDEL', s, e) end; return 1", "1", keys.job(r.id)])
        }
        if let resultBytes {
            let score = String(Int((r.finishedAt ?? Date()).timeIntervalSince1970 * 1000))
            _ = try c.command(["ZADD", keys.results, score, r.id])
            _ = try c.command(["HSET", keys.resultBytes, r.id, String(resultBytes)])
            _ = try c.command(["INCRBY", keys.retainedBytes, String(resultBytes)])
        }
        _ = try c.command(["XADD", keys.done(r.id), "*", "status", r.status.rawValue])
        _ = try c.command(["PEXPIRE", keys.done(r.id), ttl])
    }

    public func remove(_ id: String) throws(ServiceError) {
        _ = try routeCall { () throws(RedisError) in
            try pool.command(["EVAL", RedisScripts.remove, "8", keys.results, keys.resultBytes, keys.retainedBytes, keys.job(id),
                              keys.result(id), keys.done(id), keys.hold(id), keys.queued, id])
        }
    }

    public func result(of id: String) throws(ServiceError) -> Data? {
        try routeCall { () throws(RedisError) in
            let reply = try pool.command(["GET", keys.result(id)])
            return reply.isNull ? nil : try reply.data()
        }
    }

    public func release(_ id: String) {
        _ = try? pool.command(["DEL", keys.hold(id)])
    }

    /// Blocks on the job's notification stream (XREAD BLOCK on its own connection) in slices
    /// of at most `JobWaiters.clientCheckInterval`, to notice a client that went away.
    public func wait(for id: String, deadline: ContinuousClock.Instant, clientHasGone: () -> Bool) -> JobWaitOutcome {
        var connection: RedisConnection?
        let clock = ContinuousClock()
        while true {
            do throws(RedisError) {
                if connection == nil || connection!.isBroken {
                    let c = try pool.connect()
                    // A blocking read answers within its block time; the command timeout on top.
                    try c.setTimeout(settings.timeout + .milliseconds(Int64(JobWaiters.clientCheckInterval * 1000)))
                    connection = c
                    // Connected (again): a job that finished while this waiter could not
                    // listen, or one gone from the store, ends the wait.
                    guard let r = try read(id, on: c), !r.status.isFinished else { return .finished }
                }
                if clientHasGone() { return .clientGone }
                let left = deadline - clock.now
                if left <= .zero { return .timedOut }
                let slice = min(left, .milliseconds(Int64(JobWaiters.clientCheckInterval * 1000)))
                let reply = try connection!.command(["XREAD", "COUNT", "1", "BLOCK", String(max(1, Self.milliseconds(slice))),
                                                     "STREAMS", keys.done(id), "0-0"])
                if !reply.isNull { return .finished }
            } catch {
                connection = nil
                if clientHasGone() { return .clientGone }
                let left = deadline - clock.now
                if left <= .zero { return .timedOut }
                Thread.sleep(forTimeInterval: min(Self.seconds(settings.retryInterval), Self.seconds(left)))
            }
        }
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    // MARK: - Lifecycle and gauges

    public func start() {
        createGroups()
        let thread = Thread { [self] in renewLeases() }
        thread.name = "diffwave-lease-renewal"
        thread.start()
    }

    /// Makes the consumer group on each stream this instance reads (and the streams), once;
    /// again after a Redis that lost its data (NOGROUP).
    func createGroups() {
        for stream in streams {
            do {
                _ = try pool.command(["XGROUP", "CREATE", stream, RedisJobKeys.group, "0", "MKSTREAM"])
            } catch where error.message.contains("BUSYGROUP") {
                // Made by another instance, or by an earlier start.
            } catch {
                logger.warning("job store: cannot create the consumer group yet", metadata: ["error": "\(error.message)"])
            }
        }
    }

    /// The queue stays to the other instances: nothing is finished here.
    @discardableResult
    public func close() -> [JobRecord] {
        closed.store(true, ordering: .relaxed)
        return []
    }

    /// This instance's consumer leaves the group on each stream it holds no entry of, so that
    /// restarts do not pile up dead consumers (one holding entries stays: they are claimable).
    public func stop() {
        for stream in streams {
            guard let pending = try? pool.command(["XPENDING", stream, RedisJobKeys.group, "-", "+", "1", consumer]).array(),
                  pending.isEmpty else { continue }
            _ = try? pool.command(["XGROUP", "DELCONSUMER", stream, RedisJobKeys.group, consumer])
        }
    }

    /// Forgets expired results, and removes the consumers that instances which died left in
    /// the group (`removeDeadConsumers`).
    @discardableResult
    public func sweep(now: Date) -> Int {
        let before = Int(now.timeIntervalSince1970 * 1000) - Self.milliseconds(settings.ttl)
        removeDeadConsumers()
        return (try? pool.command(["EVAL", RedisScripts.trimResults, "3", keys.results, keys.resultBytes, keys.retainedBytes,
                                   String(settings.maxResultBytes), settings.prefix, String(before)]).int()) ?? 0
    }

    /// How long a consumer that holds no entry must have been silent to count as dead: a live
    /// instance reads the queue every `retryInterval` (a read lasts up to `timeout` more) and
    /// would have renewed a lease many times over. A live one removed by mistake would only
    /// be made again by its next read.
    var deadConsumerIdle: Duration { max(settings.lease * 2, (settings.retryInterval + settings.timeout) * 4) }

    /// Removes, on each stream this instance reads, the consumers of instances that died
    /// without leaving (SIGKILL): otherwise every crash would leave one behind for good.
    func removeDeadConsumers() {
        for stream in streams {
            guard let removed = try? pool.command(["EVAL", RedisScripts.removeDeadConsumers, "1", stream, RedisJobKeys.group,
                                                   String(Self.milliseconds(deadConsumerIdle)), consumer]).int(),
                  removed > 0 else { continue }
            logger.info("job store: removed the consumers of instances that stopped without leaving",
                        metadata: ["stream": "\(stream)", "consumers": "\(removed)"])
        }
    }

    public var isAvailable: Bool {
        let up = (try? pool.command(["PING"])) == .status("PONG")
        if !up { pool.reset() }
        available.store(up, ordering: .relaxed)
        return up
    }

    public var queueDepth: Int { (try? pool.command(["ZCARD", keys.queued]).int()) ?? 0 }

    /// Queued (the shared queue) and running (entries delivered and not yet acknowledged, on
    /// this model's streams); finished jobs are not counted across instances.
    public func countsByStatus() -> [JobRecord.Status: Int] {
        var running = 0
        for stream in streams {
            if let summary = try? pool.command(["XPENDING", stream, RedisJobKeys.group]).array(), let count = try? summary.first?.int() {
                running += count
            }
        }
        return [.queued: queueDepth, .running: running]
    }

    public var retainedBytes: Int { (try? pool.command(["GET", keys.retainedBytes]).int()) ?? 0 }
}
