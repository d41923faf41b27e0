import Foundation
import Testing
import TestSupport
@testable import VocoderServer

@Suite(.enabled(if: RedisServerProcess.isInstalled, "needs redis-server (make test installs it)"))
struct RedisConnectionPoolTests {
    @Test func reusesAConnectionAndReconnectsAfterRedisReturns() throws {
        let redis = try RedisServerProcess()
        let pool = RedisConnectionPool(endpoint: RedisEndpoint(host: "127.0.0.1", port: Int(redis.port)),
                                       connectTimeout: .seconds(1), commandTimeout: .seconds(1))
        _ = try pool.command(["SET", "a", "1"])
        #expect(try pool.command(["CLIENT", "ID"]).int() == pool.command(["CLIENT", "ID"]).int(), "one pooled connection")
        try redis.restart()
        // The pooled connection died with the server: the first call fails, the next reconnects.
        #expect(throws: RedisError.self) { try pool.command(["GET", "a"]) }
        #expect(try pool.command(["GET", "a"]) == .string(Data("1".utf8)), "AOF replayed, and a new connection made")
    }

    @Test func anUnreachableServerThrowsUnreachable() throws {
        let port = try RedisServerProcess.freePort()
        let pool = RedisConnectionPool(endpoint: RedisEndpoint(host: "127.0.0.1", port: Int(port)),
                                       connectTimeout: .milliseconds(500), commandTimeout: .milliseconds(500))
        #expect(throws: RedisError.self) { try pool.command(["PING"]) }
    }
}
