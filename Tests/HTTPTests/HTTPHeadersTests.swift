import Testing
@testable import HTTP

@Suite struct HTTPHeadersTests {
    @Test func lookupIsCaseInsensitiveAndOrdered() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-Multi": "1"]
        headers.add("x-multi", "2")
        #expect(headers["content-type"] == "a")
        #expect(headers["CONTENT-TYPE"] == "a")
        #expect(headers["X-MULTI"] == "1")
        #expect(headers.values(for: "x-Multi") == ["1", "2"])
        #expect(headers.contains("x-multi"))
        #expect(!headers.contains("x-mult"))
        #expect(headers["missing"] == nil)
    }

    @Test func setReplacesAllAndRemoveRemovesAll() {
        var headers: HTTPHeaders = ["A": "1", "B": "2", "a": "3"]
        headers.set("a", "4")
        #expect(headers.fields.map(\.name) == ["A", "B"])
        #expect(headers["A"] == "4")
        headers.set("C", "5")
        #expect(headers.count == 3)
        headers.remove("b")
        #expect(headers.fields.map(\.value) == ["4", "5"])
    }

    @Test func tokensCombineLinesAndIgnoreEmptyElements() {
        let headers: HTTPHeaders = ["Connection": "Keep-Alive, , Upgrade", "connection": " CLOSE "]
        #expect(headers.tokens(for: "Connection") == ["keep-alive", "upgrade", "close"])
    }

    @Test func keepAliveRules() throws {
        func request(_ version: HTTPVersion, _ connection: String?) throws -> HTTPRequest {
            var headers = HTTPHeaders()
            if let connection { headers.add("Connection", connection) }
            return try HTTPRequest(method: .get, target: "/", version: version, headers: headers)
        }
        #expect(try request(.http1_1, nil).wantsKeepAlive)
        #expect(try !request(.http1_1, "close").wantsKeepAlive)
        #expect(try !request(.http1_1, "keep-alive, Close").wantsKeepAlive)
        #expect(try !request(.http1_0, nil).wantsKeepAlive)
        #expect(try request(.http1_0, "Keep-Alive").wantsKeepAlive)
    }
}
