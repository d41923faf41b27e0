/// The Lua scripts the Redis job store runs with EVAL: each is one atomic step on the server,
/// where a sequence of commands from two instances could interleave.
enum RedisScripts {
    /// Submit: refuse past the shared bound, else store the job and queue it, as one step.
    /// KEYS: job hash, queued set, queue stream. ARGV: capacity, id, record, input, score.
    static let submit = """
        if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then return 0 end
        local entry = redis.call('XADD', KEYS[3], '*', 'job', ARGV[2])
        redis.call('HSET', KEYS[1], 'record', ARGV[3], 'input', ARGV[4], 'epoch', '0', 'entry', entry, 'stream', KEYS[3])
        redis.call('ZADD', KEYS[2], ARGV[5], ARGV[2])
        return 1
        """

    /// A running job's progress, fenced: written only under the current epoch. Returns -1 when
    /// the claim is lost, 1 when a cancel was requested, else 0.
    /// KEYS: job hash. ARGV: epoch, steps done.
    static let progress = """
        if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return -1 end
        redis.call('HSET', KEYS[1], 'steps', ARGV[2])
        if redis.call('HGET', KEYS[1], 'cancel') == '1' then return 1 end
        return 0
        """

    /// Lease renewal: while the epoch is the claim's, take the stream entry (back) for this
    /// consumer, which resets its idle time: the lease. Returns 0 once the claim is lost.
    /// KEYS: job hash, stream. ARGV: epoch, group, consumer, entry.
    static let renew = """
        if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
        redis.call('XCLAIM', KEYS[2], ARGV[2], ARGV[3], 0, ARGV[4], 'JUSTID')
        return 1
        """

    /// Hand-back (drain deadline): the job goes back to the end of the queue, and the old
    /// epoch stops counting. KEYS: job hash, stream, queued set. ARGV: epoch, group, entry,
    /// record (queued), id, score.
    static let handBack = """
        if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
        redis.call('XACK', KEYS[2], ARGV[2], ARGV[3])
        redis.call('XDEL', KEYS[2], ARGV[3])
        local entry = redis.call('XADD', KEYS[2], '*', 'job', ARGV[5])
        redis.call('HSET', KEYS[1], 'record', ARGV[4], 'entry', entry, 'steps', '0')
        redis.call('HINCRBY', KEYS[1], 'epoch', 1)
        redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
        return 1
        """

    /// Result accounting: forgets results past their expiry, then evicts the oldest results
    /// (not held by a waiting synchronous request) until the total is within the cap; an
    /// evicted job's record stays and says so. Returns how many results were dropped.
    /// KEYS: results set, result-bytes hash, retained-bytes counter. ARGV: cap, prefix,
    /// expired-before score.
    static let trimResults = """
        local dropped = 0
        local function drop(id, evict)
          local bytes = tonumber(redis.call('HGET', KEYS[2], id) or '0')
          redis.call('HDEL', KEYS[2], id)
          redis.call('ZREM', KEYS[1], id)
          redis.call('DECRBY', KEYS[3], bytes)
          redis.call('DEL', ARGV[2] .. ':result:' .. id)
          if evict and redis.call('EXISTS', ARGV[2] .. ':job:' .. id) == 1 then
            redis.call('HSET', ARGV[2] .. ':job:' .. id, 'evicted', '1')
          end
          dropped = dropped + 1
        end
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])) do drop(id, false) end
        local cap = tonumber(ARGV[1])
        if tonumber(redis.call('GET', KEYS[3]) or '0') > cap then
          for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
            if tonumber(redis.call('GET', KEYS[3]) or '0') <= cap then break end
            if redis.call('EXISTS', ARGV[2] .. ':hold:' .. id) == 0 then drop(id, true) end
          end
        end
        return dropped
        """

    /// Forgets one job: its record, audio, notification and accounting.
    /// KEYS: results set, result-bytes hash, retained-bytes counter, job, result, done, hold,
    /// queued set. ARGV: id.
    static let remove = """
        local bytes = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('DECRBY', KEYS[3], bytes)
        redis.call('ZREM', KEYS[8], ARGV[1])
        return redis.call('DEL', KEYS[4], KEYS[5], KEYS[6], KEYS[7])
        """

    /// Removes the consumers of instances that died without leaving the group (SIGKILL, OOM,
    /// a lost node): those that hold no entry and have not read for the given time. One that
    /// holds entries stays until XAUTOCLAIM has taken them over. In one script, so that no
    /// consumer can claim an entry between the check and its removal (which would drop the
    /// entry from the pending list, out of reach of a takeover). Returns how many it removed.
    /// KEYS: stream. ARGV: group, min-idle milliseconds, this instance's consumer.
    static let removeDeadConsumers = """
        local removed = 0
        for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
          local f = {}
          for i = 1, #consumer, 2 do f[consumer[i]] = consumer[i + 1] end
          if f['pending'] == 0 and f['idle'] >= tonumber(ARGV[2]) and f['name'] ~= ARGV[3] then
            redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name'])
            removed = removed + 1
          end
        end
        return removed
        """
}
