import Testing
@testable import VocoderServer

@Suite struct RedisJobKeysTests {
    @Test func everyKeyIsUnderThePrefixAndQueuesSplitByModelAndPrecision() {
        let keys = RedisJobKeys(prefix: "tts-a")
        let all = [keys.job("1"), keys.result("1"), keys.done("1"), keys.hold("1"), keys.queue(digest: "d", precision: "f32"),
                   keys.queued, keys.results, keys.resultBytes, keys.retainedBytes]
        #expect(all.allSatisfy { $0.hasPrefix("tts-a:") })
        #expect(Set(all).count == all.count)
        #expect(keys.queue(digest: "d", precision: "f32") != keys.queue(digest: "d", precision: "bf16"))
        #expect(keys.queue(digest: "d", precision: "f32") != keys.queue(digest: "e", precision: "f32"))
    }
}
