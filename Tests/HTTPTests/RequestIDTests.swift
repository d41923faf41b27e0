import Testing
@testable import HTTP

@Suite struct RequestIDTests {
    @Test(arguments: ["a", "abc-123", "trace:0af7651916cd43dd8448eb211c80319c", String(repeating: "x", count: 128), "!~"])
    func aVisibleASCIIIdUpTo128CharactersIsKept(_ id: String) {
        #expect(RequestID.accepted(id) == id)
        #expect(RequestID.of([RequestID.field: id]) == id)
    }

    @Test(arguments: ["", " ", "two words", String(repeating: "x", count: 129), "tab\there", "line\nbreak", "é", "\u{7F}"])
    func anythingElseIsReplaced(_ id: String) {
        #expect(RequestID.accepted(id) == nil)
        let made = RequestID.of([RequestID.field: id])
        #expect(made != id)
        #expect(made.wholeMatch(of: /[0-9a-f]{32}/) != nil)
    }

    @Test func withoutTheFieldOneIsMadeAndEachIsNew() {
        let ids = (0..<100).map { _ in RequestID.of([:]) }
        #expect(ids.allSatisfy { $0.wholeMatch(of: /[0-9a-f]{32}/) != nil })
        #expect(Set(ids).count == ids.count)
    }

    @Test func aRequestCarriesItsId() throws {
        let request = try HTTPRequest(method: .get, target: "/x", headers: ["x-request-id": "client-7"])
        #expect(request.requestID == "client-7", "field names are case-insensitive")
    }
}
