import Testing
@testable import VocoderServer

@Suite struct RedisErrorTests {
    @Test func describesItselfByItsMessageAndComparesByCodeAndMessage() {
        let error = RedisError(.serverError, "LPUSH: WRONGTYPE")
        #expect("\(error)" == "LPUSH: WRONGTYPE")
        #expect(error == RedisError(.serverError, "LPUSH: WRONGTYPE"))
        #expect(error != RedisError(.connectionLost, "LPUSH: WRONGTYPE"))
    }
}
