import Foundation
import Synchronization

/// Connections to one Redis shared by the threads of this process: each call borrows one for
/// its commands alone and gives it back, or drops it when it broke (the next call connects
/// anew, which is how the store resumes after Redis returns).
public final class RedisConnectionPool: Sendable {
    public let endpoint: RedisEndpoint
    public let connectTimeout: Duration
    public let commandTimeout: Duration
    private let idle = Mutex<[RedisConnection]>([])

    public init(endpoint: RedisEndpoint, connectTimeout: Duration, commandTimeout: Duration) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// A new connection, not pooled: for a thread that blocks on it (a worker's read of the
    /// queue, a waiter's read of a job's notification).
    public func connect() throws(RedisError) -> RedisConnection {
        try RedisConnection(endpoint, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    }

    /// Runs `body` with a connection of its own; a connection that saw an error is closed.
    public func with<R>(_ body: (RedisConnection) throws(RedisError) -> R) throws(RedisError) -> R {
        let pooled = idle.withLock { $0.popLast() }
        let connection: RedisConnection
        if let pooled { connection = pooled } else { connection = try connect() }
        do throws(RedisError) {
            let result = try body(connection)
            giveBack(connection)
            return result
        } catch {
            // Not given back: an error may have left it inside MULTI or WATCH.
            throw error
        }
    }

    /// One command on a pooled connection.
    public func command(_ arguments: [Data]) throws(RedisError) -> RedisReply {
        try with { connection throws(RedisError) in try connection.command(arguments) }
    }

    public func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        try command(arguments.map { Data($0.utf8) })
    }

    private func giveBack(_ connection: RedisConnection) {
        guard !connection.isBroken else { return }
        idle.withLock { $0.append(connection) }
    }

    /// Closes the idle connections (a lost Redis leaves them all broken).
    public func reset() {
        idle.withLock { $0.removeAll() }
    }
}
