import Foundation
import HTTP

/// The worker side of the Redis store: claiming from the consumer group (new entries, and
/// entries whose lease lapsed), fenced progress and results, lease renewal, hand-back.
extension RedisJobStore {
    /// Blocks until this instance has a job to run. Each round first takes over one entry
    /// whose claim's lease lapsed (XAUTOCLAIM: its instance died), then waits on the streams
    /// for a new entry (XREADGROUP BLOCK, on this worker's own connection).
    public func claim() -> JobClaim? {
        var connection: RedisConnection?
        while !closed.load(ordering: .relaxed) {
            do throws(RedisError) {
                if connection == nil || connection!.isBroken {
                    let c = try pool.connect()
                    try c.setTimeout(settings.timeout + settings.retryInterval)
                    connection = c
                }
                let c = connection!
                guard let next = try nextEntry(on: c) else { continue }
                if let claim = try start(next.id, stream: next.stream, entry: next.entry, on: c) {
                    if next.takenOver {
                        logger.info("job lease expired: taking it over", metadata: claim.record.logMetadata.merging(["attempt": "\(claim.record.attempts)"]) { $1 })
                    }
                    return claim
                }
            } catch {
                if error.message.contains("NOGROUP") { createGroups() }
                connection = nil
                Thread.sleep(forTimeInterval: Self.seconds(settings.retryInterval))
            }
        }
        return nil
    }

    /// One entry to run: an expired one taken over, else a new one; nil after a quiet wait.
    private func nextEntry(on c: RedisConnection) throws(RedisError) -> (stream: String, entry: String, id: String, takenOver: Bool)? {
        for stream in streams {
            // XAUTOCLAIM key group consumer min-idle start COUNT 1 -> [cursor, [[entry, [k, v]]], deleted]
            let reply = try c.command(["XAUTOCLAIM", stream, RedisJobKeys.group, consumer,
                                       String(Self.milliseconds(settings.lease)), "0-0", "COUNT", "1"]).array()
            if reply.count >= 2, let first = try reply[1].array().first, let parsed = try usable(first, in: stream, on: c) {
                return (stream, parsed.entry, parsed.id, true)
            }
        }
        // XREADGROUP ... STREAMS s1 s2 > > -> [[stream, [[entry, [k, v]]]]]
        let block = String(max(1, Self.milliseconds(settings.retryInterval)))
        let reply = try c.command(["XREADGROUP", "GROUP", RedisJobKeys.group, consumer, "COUNT", "1", "BLOCK", block, "STREAMS"]
                                  + streams + streams.map { _ in ">" }).array()
        for perStream in reply {
            let pair = try perStream.array()
            guard pair.count == 2, let first = try pair[1].array().first else { continue }
            let stream = try pair[0].text()
            guard let parsed = try usable(first, in: stream, on: c) else { continue }
            return (stream, parsed.entry, parsed.id, false)
        }
        return nil
    }

    /// `[entry-id, [field, value, ...]]` -> the entry id and its `job` field. An entry that is
    /// not one of ours is acknowledged and deleted, so that it cannot stand in the way of the
    /// entries behind it.
    private func usable(_ reply: RedisReply, in stream: String, on c: RedisConnection) throws(RedisError) -> (entry: String, id: String)? {
        let parts = try reply.array()
        guard parts.count == 2, let entry = try? parts[0].text() else { return nil }
        let fields = (try? parts[1].array()) ?? []
        var i = 0
        while i + 1 < fields.count {
            if (try? fields[i].text()) == "job", let id = try? fields[i + 1].text() { return (entry, id) }
            i += 2
        }
        logger.error("job store: dropping a queue entry that names no job", metadata: ["stream": "\(stream)", "entry": "\(entry)"])
        _ = try c.command(["XACK", stream, RedisJobKeys.group, entry])
        _ = try c.command(["XDEL", stream, entry])
        return nil
    }

    /// Marks the job running under a new epoch (WATCH/MULTI: a concurrent cancel or another
    /// claim makes EXEC fail and the step is read again). Entries of jobs that are gone,
    /// finished, cancelled or unreadable are acknowledged and dropped; a job whose runs keep
    /// dying fails after `maxAttempts`.
    private func start(_ id: String, stream: String, entry: String, on c: RedisConnection) throws(RedisError) -> JobClaim? {
        while true {
            _ = try c.command(["WATCH", keys.job(id)])
            let record = try read(id, on: c)
            guard var r = record, !r.status.isFinished, !r.cancelRequested || r.status == .running else {
                _ = try c.command(["UNWATCH"])
                _ = try c.command(["XACK", stream, RedisJobKeys.group, entry])
                _ = try c.command(["XDEL", stream, entry])
                if let r = record, !r.status.isFinished {
                    // Cancel requested while its last run was dying: finish it cancelled.
                    try finishNow(r, status: .cancelled, reason: "cancelled", stream: stream, entry: entry, on: c)
                }
                return nil
            }
            if r.attempts >= settings.maxAttempts {
                try finishNow(r, status: .failed, reason: "gave up after \(r.attempts) attempts: each run's instance stopped before it finished",
                              stream: stream, entry: entry, on: c)
                logger.warning("job failed after repeated attempts", metadata: r.logMetadata.merging(["attempts": "\(r.attempts)"]) { $1 })
                return nil
            }
            r.status = .running
            r.startedAt = Date()
            r.stepsDone = 0
            r.attempts += 1
            let (json, _) = RedisJobCodec.encode(r)
            _ = try c.command(["MULTI"])
            _ = try c.command([Data("HSET".utf8), Data(keys.job(id).utf8), Data("record".utf8), json, Data("steps".utf8), Data("0".utf8),
                               Data("entry".utf8), Data(entry.utf8), Data("stream".utf8), Data(stream.utf8)])
            _ = try c.command(["HINCRBY", keys.job(id), "epoch", "1"])
            _ = try c.command(["ZREM", keys.queued, id])
            let exec = try c.command(["EXEC"])
            guard !exec.isNull else { continue }
            let epoch = try exec.array()[1].int()
            let claim = JobClaim(record: r, epoch: epoch)
            held.withLock { $0[id] = Held(claim: claim, stream: stream, entry: entry) }
            return claim
        }
    }

    /// Finishes a job the worker will not run (inside the caller's WATCH).
    private func finishNow(_ r: JobRecord, status: JobRecord.Status, reason: String, stream: String, entry: String,
                           on c: RedisConnection) throws(RedisError) {
        var r = r
        r.status = status
        r.error = reason
        r.finishedAt = Date()
        _ = try c.command(["MULTI"])
        try queueFinishCommands(r, entry: (stream, entry), on: c)
        _ = try c.command(["EXEC"])
    }

    /// A lost claim is forgotten here: its worker stops and writes nothing.
    public func reportProgress(_ claim: JobClaim, stepsDone: Int) -> JobClaim.State {
        let lost = held.withLock { held in
            guard held[claim.id]?.lost ?? true else { return false }
            held[claim.id] = nil
            return true
        }
        if lost { return .lost }
        do throws(RedisError) {
            let state = try pool.command(["EVAL", RedisScripts.progress, "1", keys.job(claim.id), String(claim.epoch), String(stepsDone)]).int()
            switch state {
            case -1:
                held.withLock { $0[claim.id] = nil }
                return .lost
            case 1: return .cancelRequested
            default: return .running
            }
        } catch {
            // Redis unreachable: keep computing; the result waits until it can be written.
            return .running
        }
    }

    /// Writes the outcome under the claim's epoch (WATCH/MULTI), retrying while Redis cannot
    /// be reached: the result is kept until it is written, the claim is lost, or the drain
    /// gives the job up.
    public func finish(_ claim: JobClaim, _ outcome: JobOutcome) -> JobRecord? {
        defer { held.withLock { $0[claim.id] = nil } }
        while true {
            do throws(RedisError) {
                return try pool.with { c throws(RedisError) -> JobRecord? in
                    while true {
                        guard let h = held.withLock({ $0[claim.id] }), !h.lost else { return nil }
                        _ = try c.command(["WATCH", keys.job(claim.id)])
                        let epoch = try c.command(["HGET", keys.job(claim.id), "epoch"])
                        guard !epoch.isNull, try epoch.text() == String(claim.epoch), var r = try read(claim.id, on: c) else {
                            _ = try c.command(["UNWATCH"])
                            return nil
                        }
                        outcome.apply(to: &r)
                        var bytes: Int?
                        _ = try c.command(["MULTI"])
                        if case .succeeded(let audio, _, _) = outcome {
                            bytes = audio.count
                            r.result = .stored(bytes: audio.count)
                            _ = try c.command([Data("SET".utf8), Data(keys.result(r.id).utf8), audio,
                                               Data("PX".utf8), Data(String(Self.milliseconds(settings.ttl)).utf8)])
                        }
                        try queueFinishCommands(r, entry: (h.stream, h.entry), resultBytes: bytes, on: c)
                        if try !c.command(["EXEC"]).isNull {
                            if bytes != nil { _ = sweep(now: Date()) }
                            return r
                        }
                    }
                }
            } catch {
                logger.warning("job store unreachable: keeping the result until it can be written",
                               metadata: claim.record.logMetadata.merging(["error": "\(error.message)"]) { $1 })
                Thread.sleep(forTimeInterval: Self.seconds(settings.retryInterval))
            }
        }
    }

    /// Hands every job this process holds back to the queue (drain deadline): each run stops at
    /// its next step, and another instance starts it again.
    public func abandon() -> Int {
        let all = held.withLock { held in
            let all = Array(held.values)
            for id in held.keys { held[id]?.lost = true }
            return all
        }
        var count = 0
        for h in all {
            var r = h.claim.record
            r.status = .queued
            r.stepsDone = 0
            r.startedAt = nil
            // The run did not die: it does not count against max-attempts.
            r.attempts = max(0, r.attempts - 1)
            let (json, _) = RedisJobCodec.encode(r)
            let score = String(Int(r.createdAt.timeIntervalSince1970 * 1000))
            let done = try? pool.command([Data("EVAL".utf8), Data(RedisScripts.handBack.utf8), Data("3".utf8),
                                          Data(keys.job(r.id).utf8), Data(h.stream.utf8), Data(keys.queued.utf8),
                                          Data(String(h.claim.epoch).utf8), Data(RedisJobKeys.group.utf8), Data(h.entry.utf8),
                                          json, Data(r.id.utf8), Data(score.utf8)]).int()
            if done == 1 {
                count += 1
                logger.info("job handed back to the queue", metadata: r.logMetadata)
            }
        }
        return count
    }

    /// The renewal thread: every third of the lease, renews each held claim whose epoch is
    /// still current and marks the others lost. A thread of its own, so that compute cannot
    /// delay it past the lease. It ends once the store is closed and holds nothing.
    func renewLeases() {
        let period = Self.seconds(settings.lease) / 3
        while true {
            Thread.sleep(forTimeInterval: period)
            let all = held.withLock { Array($0.values) }
            if all.isEmpty && closed.load(ordering: .relaxed) { return }
            for h in all where !h.lost {
                let renewed = try? pool.command(["EVAL", RedisScripts.renew, "2", keys.job(h.claim.id), h.stream,
                                                 String(h.claim.epoch), RedisJobKeys.group, consumer, h.entry]).int()
                if renewed == 0 { held.withLock { $0[h.claim.id]?.lost = true } }
            }
        }
    }
}
