import Foundation
import Testing
import TestSupport
@testable import VocoderServer

@Suite(.enabled(if: RedisServerProcess.isInstalled, "needs redis-server (make test installs it)"))
struct RedisConnectionTests {
    private func connect(_ redis: RedisServerProcess, password: String? = nil) throws -> RedisConnection {
        try RedisConnection(RedisEndpoint(host: "127.0.0.1", port: Int(redis.port), password: password),
                            connectTimeout: .seconds(2), commandTimeout: .seconds(2))
    }

    @Test func sendsBinarySafeArgumentsAndDecodesEachReplyType() throws {
        let redis = try RedisServerProcess()
        let connection = try connect(redis)
        let bytes = Data([0, 1, 0xFF, 0x0D, 0x0A, 0])
        #expect(try connection.command([Data("SET".utf8), Data("k".utf8), bytes]) == .status("OK"))
        #expect(try connection.command(["GET", "k"]) == .string(bytes))
        #expect(try connection.command(["GET", "absent"]) == .null)
        #expect(try connection.command(["INCRBY", "n", "41"]) == .integer(41))
        #expect(try connection.command(["RPUSH", "l", "a", "b"]).int() == 2)
        #expect(try connection.command(["LRANGE", "l", "0", "-1"]) == .array([.string(Data("a".utf8)), .string(Data("b".utf8))]))
    }

    @Test func anErrorReplyThrowsAServerErrorAndKeepsTheConnection() throws {
        let redis = try RedisServerProcess()
        let connection = try connect(redis)
        _ = try connection.command(["SET", "s", "text"])
        let error = redisError { _ = try connection.command(["LPUSH", "s", "x"]) }
        #expect(error?.code == .serverError)
        #expect(error?.message.contains("WRONGTYPE") == true)
        #expect(!connection.isBroken)
        #expect(try connection.command(["PING"]) == .status("PONG"))
    }

    @Test func aClosedPortIsUnreachable() throws {
        let port = try RedisServerProcess.freePort()
        let error = redisError {
            _ = try RedisConnection(RedisEndpoint(host: "127.0.0.1", port: Int(port)), connectTimeout: .seconds(1), commandTimeout: .seconds(1))
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("redisConnectWithTimeout") == true)
    }

    @Test func aServerThatGoesAwayBreaksTheConnection() throws {
        let redis = try RedisServerProcess()
        let connection = try connect(redis)
        redis.kill()
        #expect(redisError { _ = try connection.command(["PING"]) }?.code == .connectionLost)
        #expect(connection.isBroken)
    }

    @Test func aBlockingReadOutlastsTheCommandTimeoutOnlyWhenToldTo() throws {
        let redis = try RedisServerProcess()
        let connection = try RedisConnection(RedisEndpoint(host: "127.0.0.1", port: Int(redis.port)),
                                             connectTimeout: .seconds(1), commandTimeout: .milliseconds(200))
        // BLPOP for 0.5 s under a 0.2 s socket timeout: the socket gives up first.
        #expect(throws: RedisError.self) { try connection.command(["BLPOP", "nothing", "0.5"]) }
        let second = try connect(redis)
        try second.setTimeout(.seconds(2))
        #expect(try second.command(["BLPOP", "nothing", "0.3"]) == .null)
    }

    @Test func authenticatesAndRefusesAWrongPasswordWithoutEchoingIt() throws {
        let redis = try RedisServerProcess(arguments: ["--requirepass", "s3cret-pw"])
        let connection = try connect(redis, password: "s3cret-pw")
        #expect(try connection.command(["PING"]) == .status("PONG"))
        let error = redisError { _ = try connect(redis, password: "wrong-pw") }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("wrong-pw") == false)
    }
}

/// The `RedisError` `body` throws; nil when it throws none (or another error).
func redisError(_ body: () throws -> Void) -> RedisError? {
    do {
        try body()
        return nil
    } catch {
        return error as? RedisError
    }
}
