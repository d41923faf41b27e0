import Foundation
import Testing
@testable import HTTP

@Suite struct RequestParserTests {
    // MARK: Well-formed requests

    @Test func simpleGet() throws {
        let events = parseAll("GET /jobs/42?wait=1&name=a%20b+c HTTP/1.1\r\nHost: example\r\nX-Thing:  spaced value \t\r\n\r\n")
        #expect(events.count == 2)
        let head = try #require(events[0].head)
        #expect(head.framing == .none)
        #expect(!head.expectsContinue)
        let request = try #require(events[1].request)
        #expect(request.method == .get)
        #expect(request.target == "/jobs/42?wait=1&name=a%20b+c")
        #expect(request.path == "/jobs/42")
        #expect(request.queryValue("wait") == "1")
        #expect(request.queryValue("name") == "a b c")
        #expect(request.version == .http1_1)
        #expect(request.headers["host"] == "example")
        #expect(request.headers["X-THING"] == "spaced value")
        #expect(request.body.isEmpty)
    }

    @Test func headersKeepOrderAndRepeats() throws {
        let events = parseAll("GET / HTTP/1.1\r\nHost: h\r\nB: 1\r\nA: 2\r\nb: 3\r\n\r\n")
        let request = try #require(events.compactMap(\.request).first)
        #expect(request.headers.fields.map(\.name) == ["Host", "B", "A", "b"])
        #expect(request.headers.values(for: "B") == ["1", "3"])
    }

    @Test func contentLengthBody() throws {
        let events = parseAll("POST /vocode HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
        #expect(events.compactMap(\.head).first?.framing == .contentLength(5))
        let request = try #require(events.compactMap(\.request).first)
        #expect(request.body == Data("hello".utf8))
    }

    @Test func identicalDuplicateContentLengthIsAccepted() throws {
        let events = parseAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc")
        #expect(events.compactMap(\.request).first?.body == Data("abc".utf8))
    }

    @Test func http10WithoutHostIsAccepted() throws {
        let events = parseAll("GET / HTTP/1.0\r\n\r\n")
        let request = try #require(events.compactMap(\.request).first)
        #expect(request.version == .http1_0)
        #expect(!request.wantsKeepAlive)
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        let events = parseAll("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(events.compactMap(\.request).count == 1)
    }

    @Test func absoluteFormTarget() throws {
        let events = parseAll("GET http://example.com:8080/jobs/1?x=2 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        let request = try #require(events.compactMap(\.request).first)
        #expect(request.path == "/jobs/1")
        #expect(request.queryValue("x") == "2")
    }

    @Test func higherMinorVersionIsAccepted() throws {
        let events = parseAll("GET / HTTP/1.9\r\nHost: h\r\n\r\n")
        #expect(events.compactMap(\.request).first?.version == HTTPVersion(major: 1, minor: 9))
    }

    // MARK: Pipelining and incremental input

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let text = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
            + "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
            + "GET /d HTTP/1.1\r\nHost: h\r\n\r\n"
        let requests = parseAll(text).compactMap(\.request)
        #expect(requests.map(\.path) == ["/a", "/b", "/c", "/d"])
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["", "xyz", "hi", ""])
    }

    @Test func byteByByteFeedGivesTheSameRequests() throws {
        let text = "POST /b?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
            + "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=\"v\"\r\nhi\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n"
            + "GET /d HTTP/1.1\r\nHost: h\r\n\r\n"
        var parser = RequestParser()
        var events: [RequestParser.Event] = []
        for byte in text.utf8 {
            events += parser.feed([byte])
        }
        #expect(events.compactMap(\.error).isEmpty)
        let requests = events.compactMap(\.request)
        #expect(requests.map(\.path) == ["/b", "/c", "/d"])
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["xyz", "hi0123456789abcdef", ""])
        #expect(events.compactMap(\.head).count == 3)
        #expect(parser.phase == .idle)
    }

    @Test func phaseFollowsTheRequest() {
        var parser = RequestParser()
        #expect(parser.phase == .idle)
        _ = parser.feed("POST / HTTP/1.1\r\nHo")
        #expect(parser.phase == .head)
        let events = parser.feed("st: h\r\nContent-Length: 4\r\n\r\nab")
        #expect(events.count == 1)
        #expect(events.first?.head?.framing == .contentLength(4))
        #expect(parser.phase == .body)
        _ = parser.feed("cd")
        #expect(parser.phase == .idle)
    }

    // MARK: 100-continue

    @Test func expectContinueIsSignalledWithTheHead() throws {
        var parser = RequestParser()
        let events = parser.feed("POST /vocode HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n")
        #expect(events.count == 1)
        let head = try #require(events.first?.head)
        #expect(head.expectsContinue)
        #expect(head.framing == .contentLength(4))
        #expect(parser.feed("body").compactMap(\.request).count == 1)
    }

    @Test func expectContinueWithChunkedBody() throws {
        let events = parseAll("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(events.first?.head?.expectsContinue == true)
    }

    @Test func expectContinueWithoutBodyOrInHTTP10IsNotSignalled() {
        #expect(parseAll("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n").first?.head?.expectsContinue == false)
        #expect(parseAll("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n").first?.head?.expectsContinue == false)
    }

    @Test func oversizedBodyWithExpectContinueIsRejectedWithoutAHead() {
        let limits = ServerLimits(maxBodyBytes: 10)
        let events = parseAll("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n", limits: limits)
        #expect(events.count == 1)
        #expect(events.first?.error?.status.code == 413)
    }

    @Test func unknownExpectationIs417() {
        #expect(errorStatus("POST / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx") == 417)
    }

    // MARK: Rejections with their exact status

    @Test(arguments: [
        // RFC 9112 §6.1 — both Content-Length and Transfer-Encoding
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        // RFC 9112 §6.3 — differing duplicate, non-numeric, signed, empty, overflowing Content-Length
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        // RFC 9112 §6.3 ¶4 — chunked not the final coding
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
        // RFC 9112 §7.1 — chunked twice
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
        // RFC 9112 §6.1 — Transfer-Encoding in HTTP/1.0
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        // RFC 9112 §5.2 — obs-fold
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n",
        // RFC 9112 §2.2 — whitespace before the first field
        "GET / HTTP/1.1\r\n Host: h\r\n\r\n",
        // RFC 9112 §2.2 — bare LF / bare CR
        "GET / HTTP/1.1\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\n",
        "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",
        "GET /\r HTTP/1.1\r\nHost: h\r\n\r\n",
        // RFC 9112 §5.1 — whitespace between field name and colon
        "GET / HTTP/1.1\r\nHost: h\r\nX-A : v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A\t: v\r\n\r\n",
        // RFC 9110 §5.5 — control characters and NUL in fields
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{0}b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{1}b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{7F}b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX\u{0}A: v\r\n\r\n",
        // RFC 9110 §5.1 — field name must be a token
        "GET / HTTP/1.1\r\nHost: h\r\nX(A): v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX\"A: v\r\n\r\n",
        // RFC 9110 §9.1 — method must be a token
        "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GE\"T / HTTP/1.1\r\nHost: h\r\n\r\n",
        "\u{16}\u{3}\u{1}\u{2}\u{0}",
        // RFC 9112 §3 — request-line shape
        "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
        "GET /\tHTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /\r\nHost: h\r\n\r\n",
        " GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        // RFC 9112 §2.3 — version syntax
        "GET / HTTP/1.1.1\r\nHost: h\r\n\r\n",
        "GET / http/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/11\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.x\r\nHost: h\r\n\r\n",
        // RFC 9112 §3.2 — request-target forms and characters
        "GET jobs HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /a%2 HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /?q=%G0 HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /caf\u{E9} HTTP/1.1\r\nHost: h\r\n\r\n",
        // RFC 9112 §3.2 — Host missing in HTTP/1.1, repeated, or invalid
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n",
        // RFC 9112 §7.1 — malformed chunked bodies
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
    ])
    func malformedIs400(_ text: String) {
        #expect(errorStatus(text) == 400, "\(text.debugDescription)")
    }

    @Test(arguments: [
        // RFC 9112 §6.1 — a transfer coding we do not implement, before a final chunked
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: foo\r\nTransfer-Encoding: Chunked\r\n\r\n",
    ])
    func unknownTransferCodingIs501(_ text: String) {
        #expect(errorStatus(text) == 501, "\(text.debugDescription)")
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/0.9", "HTTP/3.1"])
    func unsupportedMajorVersionIs505(_ version: String) {
        #expect(errorStatus("GET / \(version)\r\nHost: h\r\n\r\n") == 505)
    }

    @Test func transferCodingNamesAreCaseInsensitive() {
        let events = parseAll("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: CHUNKED\r\n\r\n1\r\na\r\n0\r\n\r\n")
        #expect(events.compactMap(\.request).first?.body == Data("a".utf8))
    }

    // MARK: Size limits

    @Test func longRequestLineIs414EvenBeforeItEnds() {
        let limits = ServerLimits(maxRequestLineBytes: 64)
        let path = "/" + String(repeating: "a", count: 100)
        #expect(errorStatus("GET \(path) HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits) == 414)
        #expect(errorStatus("GET \(path)", limits: limits) == 414)
        #expect(errorStatus("GET /\(String(repeating: "a", count: 40)) HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits) == nil)
    }

    @Test func largeHeaderSectionIs431EvenBeforeItEnds() {
        let limits = ServerLimits(maxHeaderBytes: 100)
        let big = String(repeating: "v", count: 120)
        #expect(errorStatus("GET / HTTP/1.1\r\nHost: h\r\nX: \(big)\r\n\r\n", limits: limits) == 431)
        #expect(errorStatus("GET / HTTP/1.1\r\nHost: h\r\nX: \(big)", limits: limits) == 431)
        let many = (0..<10).map { "X-\($0): \(String(repeating: "v", count: 8))\r\n" }.joined()
        #expect(errorStatus("GET / HTTP/1.1\r\nHost: h\r\n\(many)\r\n", limits: limits) == 431)
        #expect(errorStatus("GET / HTTP/1.1\r\nHost: h\r\nX: short\r\n\r\n", limits: limits) == nil)
    }

    @Test func tooManyHeaderFieldsIs431() {
        let limits = ServerLimits(maxHeaderCount: 5)
        let fields = (0..<5).map { "X-\($0): v\r\n" }.joined()
        #expect(errorStatus("GET / HTTP/1.1\r\nHost: h\r\n\(fields)\r\n", limits: limits) == 431)
        let fewer = (0..<4).map { "X-\($0): v\r\n" }.joined()
        #expect(errorStatus("GET / HTTP/1.1\r\nHost: h\r\n\(fewer)\r\n", limits: limits) == nil)
    }

    @Test func declaredContentLengthOverLimitIs413BeforeTheBody() {
        let limits = ServerLimits(maxBodyBytes: 1000)
        var parser = RequestParser(limits: limits)
        let events = parser.feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n")
        #expect(events.count == 1)
        #expect(events.first?.error?.status.code == 413)
        #expect(parser.phase == .failed)
        #expect(parser.feed("more").isEmpty)
        #expect(errorStatus("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n", limits: limits) == nil)
    }

    @Test func chunkedBodyOverLimitIs413AsSoonAsExceeded() {
        let limits = ServerLimits(maxBodyBytes: 10)
        var parser = RequestParser(limits: limits)
        var events = parser.feed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n")
        #expect(events.compactMap(\.error).isEmpty)
        // The next chunk header announces 3 more bytes than allowed: refused before its data.
        events = parser.feed("5\r\n")
        #expect(events.first?.error?.status.code == 413)
        #expect(parser.currentHead?.requestTarget.path == "/")
    }

    // MARK: Errors end the parse

    @Test func requestsBeforeAnErrorAreDeliveredThenParsingStops() {
        let events = parseAll("GET /ok HTTP/1.1\r\nHost: h\r\n\r\nGET /bad HTTP/1.1\r\nHost: h\r\nX : y\r\n\r\nGET /never HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(events.compactMap(\.request).map(\.path) == ["/ok"])
        #expect(events.last?.error?.status.code == 400)
    }
}
