import Testing
@testable import VocoderServer

@Suite struct RedisEndpointTests {
    @Test func parsesEveryPart() throws {
        let e = try RedisEndpoint(url: "redis://app:p%40ss@cache.internal:6380/2")
        #expect(e == RedisEndpoint(host: "cache.internal", port: 6380, database: 2, user: "app", password: "p@ss"))
        #expect(try RedisEndpoint(url: "redis://localhost") == RedisEndpoint(host: "localhost"))
        #expect(try RedisEndpoint(url: "redis://:pw@h:1/") == RedisEndpoint(host: "h", port: 1, password: "pw"))
        #expect(try RedisEndpoint(url: "redis://[::1]:7000").host == "::1")
    }

    @Test func refusesWhatItCannotUseWithoutQuotingTheURL() {
        for bad in ["rediss://h:1", "http://h", "redis://:secret@h:notaport", "redis://:secret@h:1/x", "redis://:secret@"] {
            do {
                _ = try RedisEndpoint(url: bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(!error.message.contains("secret"), "\(bad): \(error.message)")
            }
        }
    }

    @Test func itsDescriptionMasksThePassword() throws {
        let e = try RedisEndpoint(url: "redis://app:hunter2@h:6379/1")
        #expect(e.description == "redis://app:***@h:6379/1")
        #expect(!"\(e)".contains("hunter2"))
        #expect(try RedisEndpoint(url: "redis://h:1").description == "redis://h:1/0")
    }
}
