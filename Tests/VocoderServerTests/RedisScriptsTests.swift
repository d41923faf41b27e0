import Foundation
import Testing
import TestSupport
@testable import VocoderServer

@Suite(.enabled(if: RedisServerProcess.isInstalled, "needs redis-server (make test installs it)"))
struct RedisScriptsTests {
    @Test func everyScriptCompilesOnRedis() throws {
        let redis = try RedisServerProcess()
        let c = try RedisConnection(RedisEndpoint(host: "127.0.0.1", port: Int(redis.port)), connectTimeout: .seconds(1), commandTimeout: .seconds(1))
        for script in [RedisScripts.submit, RedisScripts.progress, RedisScripts.renew, RedisScripts.handBack,
                       RedisScripts.trimResults, RedisScripts.remove] {
            #expect(try c.command(["SCRIPT", "LOAD", script]).text().count == 40)
        }
    }

    @Test func progressIsFencedByTheEpoch() throws {
        let redis = try RedisServerProcess()
        let c = try RedisConnection(RedisEndpoint(host: "127.0.0.1", port: Int(redis.port)), connectTimeout: .seconds(1), commandTimeout: .seconds(1))
        _ = try c.command(["HSET", "p:job:j", "epoch", "2"])
        #expect(try c.command(["EVAL", RedisScripts.progress, "1", "p:job:j", "1", "5"]).int() == -1, "an older epoch")
        #expect(try c.command(["HGET", "p:job:j", "steps"]) == .null)
        #expect(try c.command(["EVAL", RedisScripts.progress, "1", "p:job:j", "2", "5"]).int() == 0)
        _ = try c.command(["HSET", "p:job:j", "cancel", "1"])
        #expect(try c.command(["EVAL", RedisScripts.progress, "1", "p:job:j", "2", "6"]).int() == 1)
        #expect(try c.command(["HGET", "p:job:j", "steps"]).int() == 6)
    }
}
