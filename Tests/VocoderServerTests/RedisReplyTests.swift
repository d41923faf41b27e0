import Foundation
import Testing
@testable import VocoderServer

@Suite struct RedisReplyTests {
    @Test func readsTheTypesItHolds() throws {
        #expect(try RedisReply.string(Data("12".utf8)).int() == 12)
        #expect(try RedisReply.integer(5).int() == 5)
        #expect(try RedisReply.status("OK").text() == "OK")
        #expect(try RedisReply.null.array() == [])
        #expect(try RedisReply.array([.integer(1)]).array() == [.integer(1)])
    }

    @Test func aValueOfTheWrongShapeIsAnUnexpectedReply() {
        #expect(throws: RedisError(.unexpectedReply, "expected an integer, got a string that is none")) {
            try RedisReply.string(Data("twelve".utf8)).int()
        }
        #expect(throws: RedisError.self) { try RedisReply.integer(1).data() }
        #expect(throws: RedisError.self) { try RedisReply.string(Data([0xFF, 0xFE])).text() }
        #expect(throws: RedisError.self) { try RedisReply.status("OK").array() }
    }
}
