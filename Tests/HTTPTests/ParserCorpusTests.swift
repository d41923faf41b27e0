import Foundation
import Testing
@testable import HTTP

/// A table of hostile and edge-case requests run through `RequestParser`, each with the exact
/// outcome we promise: the status we answer, or the exact requests we parse.
///
/// Sources. Cases marked `llhttp:<file>#<heading>` restate, in our own words and table, the
/// request cases published in the test suite of llhttp (Node.js's HTTP parser, MIT licence,
/// https://github.com/nodejs/llhttp, `test/request/*.md`). No llhttp code is used; where a
/// case depends on a behaviour we do not share it is noted. llhttp's fixtures write `\n` for
/// CRLF and `\r`/`\n` escapes for lone bytes; here `http(_:)` turns each newline of a literal
/// into CRLF and the markers `«CR»`, `«LF»`, `«NUL»` into lone bytes. llhttp's cases often omit
/// `Host`; since an HTTP/1.1 request without Host is a 400 for us (RFC 9112 §3.2), we add
/// `Host: h` where the case is about something else (marked `+Host`).
///
/// Where we are stricter than llhttp (its default, non-lenient mode):
/// - HTTP/1.1 without Host → 400 (llhttp accepts; RFC 9112 §3.2 says MUST 400).
/// - `Transfer-Encoding` with a coding other than `chunked` before the final `chunked` (e.g.
///   `deflate, chunked`) → 501: we implement no transfer coding besides chunked (RFC 9112 §6.1
///   SHOULD 501); llhttp parses the chunked framing and leaves decoding to the caller.
/// - `Content-Length` with `Transfer-Encoding` → 400 always (llhttp errors too, except lenient).
/// - Identical duplicate `Content-Length` values are accepted as one (RFC 9110 §8.6 MAY); llhttp
///   rejects any duplicate. This is the one place we are more lenient; differing values are 400.
/// - Leading zeros in Content-Length are accepted (1*DIGIT), as llhttp does.
/// - An unknown method that is a valid token parses (the router answers 501/405); llhttp
///   rejects methods outside its list at the parser (`MKCOLA`, `ANNOUNCE` over HTTP).
/// - Versions other than `HTTP/1.x` with a single-digit major 1 are 505 (major ≠ 1) or 400
///   (not `HTTP/D.D`); llhttp says "Invalid HTTP version" for both.
/// - `Connection: close` followed by more pipelined bytes: the parser still yields the next
///   request (as llhttp's loose mode); the connection layer stops after the `close` response
///   (see ConnectionTests). `Upgrade` is ignored (no protocol switching): the request parses.
@Suite struct ParserCorpusTests {
    /// The expected outcome of parsing one input in one feed (and, separately, byte by byte).
    enum Outcome: Sendable, CustomStringConvertible {
        /// These requests, in order, and no error.
        case requests([Expected])
        /// These requests first (possibly none), then an error with this status.
        case error(Int, after: [Expected] = [])
        /// The input is incomplete: no error, these requests, and the parser waits for more.
        case incomplete([Expected] = [])

        var description: String {
            switch self {
            case .requests(let r): "requests \(r.map(\.path))"
            case .error(let s, let r): "\(s) after \(r.map(\.path))"
            case .incomplete(let r): "incomplete after \(r.map(\.path))"
            }
        }
    }

    struct Expected: Sendable {
        var method: String
        var path: String
        /// Every header field, in order, name as sent.
        var headers: [(String, String)]
        var body: String
        var version: HTTPVersion = .http1_1

        init(_ method: String, _ path: String, _ headers: [(String, String)], body: String = "", version: HTTPVersion = .http1_1) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
            self.version = version
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var source: String
        var input: String
        var outcome: Outcome
        var limits = ServerLimits()
        var testDescription: String { source }
    }

    /// Each newline becomes CRLF; markers become lone bytes.
    static func http(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: "\r\n")
            .replacingOccurrences(of: "«CR»", with: "\r")
            .replacingOccurrences(of: "«LF»", with: "\n")
            .replacingOccurrences(of: "«NUL»", with: "\u{0}")
    }

    // MARK: llhttp test/request/content-length.md

    static let contentLength: [Case] = [
        Case(source: "llhttp:content-length#Content-Length with zeroes (+Host)",
             input: http("PUT /url HTTP/1.1\nHost: h\nContent-Length: 003\n\nabc"),
             outcome: .requests([Expected("PUT", "/url", [("Host", "h"), ("Content-Length", "003")], body: "abc")])),
        Case(source: "llhttp:content-length#Content-Length with follow-up headers (+Host)",
             input: http("PUT /url HTTP/1.1\nHost: h\nContent-Length: 003\nOhai: world\n\nabc"),
             outcome: .requests([Expected("PUT", "/url", [("Host", "h"), ("Content-Length", "003"), ("Ohai", "world")], body: "abc")])),
        Case(source: "llhttp:content-length#Error on Content-Length overflow",
             input: http("PUT /url HTTP/1.1\nHost: h\nContent-Length: 1000000000000000000000\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:content-length#Error on duplicate Content-Length (differing)",
             input: http("PUT /url HTTP/1.1\nHost: h\nContent-Length: 1\nContent-Length: 2\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:content-length#Error on simultaneous Content-Length and Transfer-Encoding: identity",
             input: http("PUT /url HTTP/1.1\nHost: h\nContent-Length: 1\nTransfer-Encoding: identity\n\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:content-length#lenient CL+TE chunked (we stay strict)",
             input: http("PUT /url HTTP/1.1\nHost: h\nContent-Length: 1\nTransfer-Encoding: chunked\n\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:content-length#Funky Content-Length with body (HTTP/1.0, no Host needed)",
             input: http("GET /get_funky_content_length_body_hello HTTP/1.0\nconTENT-Length: 5\n\nHELLO"),
             outcome: .requests([Expected("GET", "/get_funky_content_length_body_hello", [("conTENT-Length", "5")], body: "HELLO", version: .http1_0)])),
        Case(source: "llhttp:content-length#Spaces in Content-Length (surrounding) (+Host)",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length:  42 \n\n"),
             outcome: .incomplete()),
        Case(source: "llhttp:content-length#Spaces in Content-Length #2",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 4 2\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:content-length#Spaces in Content-Length #3",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 13 37\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:content-length#Empty Content-Length",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length:\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:content-length#Content-Length with CR instead of dash",
             input: http("PUT /url HTTP/1.1\nHost: h\nContent«CR»Length: 003\n\nabc"),
             outcome: .error(400)),
    ]

    // MARK: llhttp test/request/transfer-encoding.md

    static let transferEncoding: [Case] = [
        Case(source: "llhttp:transfer-encoding#Empty Transfer-Encoding with Content-Length",
             input: http("POST /first HTTP/1.1\nHost: h\nTransfer-Encoding:\nContent-Length: 5\n\nhello"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#Parsing and setting flag (+Host)",
             input: http("PUT /url HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n"),
             outcome: .incomplete()),
        Case(source: "llhttp:transfer-encoding#Parse chunks with lowercase size (+Host)",
             input: http("PUT /url HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\na\n0123456789\n0\n\n"),
             outcome: .requests([Expected("PUT", "/url", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "0123456789")])),
        Case(source: "llhttp:transfer-encoding#Parse chunks with uppercase size (+Host)",
             input: http("PUT /url HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\nA\n0123456789\n0\n\n"),
             outcome: .requests([Expected("PUT", "/url", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "0123456789")])),
        Case(source: "llhttp:transfer-encoding#POST with Transfer-Encoding: chunked (+Host)",
             input: http("POST /post_chunked_all_your_base HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n1e\nall your base are belong to us\n0\n\n"),
             outcome: .requests([Expected("POST", "/post_chunked_all_your_base", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "all your base are belong to us")])),
        Case(source: "llhttp:transfer-encoding#Two chunks and triple zero prefixed end chunk (+Host)",
             input: http("POST /two_chunks_mult_zero_end HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n5\nhello\n6\n world\n000\n\n"),
             outcome: .requests([Expected("POST", "/two_chunks_mult_zero_end", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "hello world")])),
        Case(source: "llhttp:transfer-encoding#Trailing headers (+Host; trailers are validated and discarded)",
             input: http("POST /chunked_w_trailing_headers HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n5\nhello\n6\n world\n0\nVary: *\nContent-Type: text/plain\n\n"),
             outcome: .requests([Expected("POST", "/chunked_w_trailing_headers", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "hello world")])),
        Case(source: "llhttp:transfer-encoding#Chunk extensions (+Host)",
             input: http("POST /chunked_w_unicorns_after_length HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n5;ilovew3;somuchlove=aretheseparametersfor;another=withvalue\nhello\n6;blahblah;blah\n world\n0\n\n"),
             outcome: .requests([Expected("POST", "/chunked_w_unicorns_after_length", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "hello world")])),
        Case(source: "llhttp:transfer-encoding#No semicolon before chunk extensions",
             input: http("POST /chunked_w_unicorns_after_length HTTP/1.1\nHost: localhost\nTransfer-encoding: chunked\n\n2 erfrferferf\naa\n0 rrrr\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#No extension after semicolon",
             input: http("POST /chunked_w_unicorns_after_length HTTP/1.1\nHost: localhost\nTransfer-encoding: chunked\n\n2;\naa\n0\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#Chunk extensions quoting (+Host)",
             input: http("POST /chunked_w_unicorns_after_length HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n5;ilovew3=\"I \\\"love\\\"; \\\\extensions\\\\\";somuchlove=\"aretheseparametersfor\";blah;foo=bar\nhello\n6;blahblah;blah\n world\n0\n\n"),
             outcome: .requests([Expected("POST", "/chunked_w_unicorns_after_length", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "hello world")])),
        Case(source: "llhttp:transfer-encoding#Unbalanced chunk extensions quoting",
             input: http("POST /chunked_w_unicorns_after_length HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n5;ilovew3=\"abc\";somuchlove=\"def; ghi\nhello\n6;blahblah;blah\n world\n0\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#Ignoring pigeons",
             input: http("PUT /url HTTP/1.1\nHost: h\nTransfer-Encoding: pigeons\n\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#POST with Transfer-Encoding and Content-Length",
             input: http("POST /post_identity_body_world?q=search HTTP/1.1\nHost: h\nAccept: */*\nTransfer-Encoding: identity\nContent-Length: 5\n\nWorld"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#POST with empty Transfer-Encoding and Content-Length",
             input: http("POST / HTTP/1.1\nHost: foo\nContent-Length: 10\nTransfer-Encoding:\nTransfer-Encoding:\nTransfer-Encoding:\n\n2\nAA\n0\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#POST with chunked before other transfer coding names",
             input: http("POST /post_identity_body_world HTTP/1.1\nHost: h\nAccept: */*\nTransfer-Encoding: chunked, deflate\n\nWorld"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#POST with chunked and duplicate transfer-encoding",
             input: http("POST /post_identity_body_world HTTP/1.1\nHost: h\nAccept: */*\nTransfer-Encoding: chunked\nTransfer-Encoding: deflate\n\nWorld"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#POST with chunked as last transfer-encoding (stricter: 501)",
             input: http("POST /post_identity_body_world HTTP/1.1\nHost: h\nAccept: */*\nTransfer-Encoding: deflate, chunked\n\n5\nWorld\n0\n\n"),
             outcome: .error(501)),
        Case(source: "llhttp:transfer-encoding#chunked as last transfer-encoding, multiple headers (stricter: 501)",
             input: http("POST /post_identity_body_world HTTP/1.1\nHost: h\nAccept: */*\nTransfer-Encoding: deflate\nTransfer-Encoding: chunked\n\n5\nWorld\n0\n\n"),
             outcome: .error(501)),
        Case(source: "llhttp:transfer-encoding#POST with chunkedchunked as transfer-encoding",
             input: http("POST /post_identity_body_world HTTP/1.1\nHost: h\nAccept: */*\nTransfer-Encoding: chunkedchunked\n\n5\nWorld\n0\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#Missing last-chunk",
             input: http("PUT /url HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n3\nfoo\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#Validate chunk parameters",
             input: http("PUT /url HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n3 «LF»  \nfoo\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#Invalid OBS fold after chunked value",
             input: http("PUT /url HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n  abc\n\n5\nWorld\n0\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#Chunk header not terminated by CRLF",
             input: http("GET / HTTP/1.1\nHost: a\nConnection: close \nTransfer-Encoding: chunked \n\n5«CR»«CR»;ABCD\n34\nE\n0\n\nGET / HTTP/1.1 \nHost: a\nContent-Length: 5\n\n0\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#Chunk data not terminated by CRLF",
             input: http("GET / HTTP/1.1\nHost: a\nConnection: close \nTransfer-Encoding: chunked \n\n5\nABCDE0\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:transfer-encoding#Space after chunk header (we accept BWS before an extension only)",
             input: http("PUT /url HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\na \n0123456789\n0\n\n"),
             outcome: .error(400)),
    ]

    // MARK: llhttp test/request/invalid.md

    static let invalid: [Case] = [
        Case(source: "llhttp:invalid#ICE protocol and GET method",
             input: http("GET /music/sweet/music ICE/1.0\nHost: example.com\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#ICE protocol, but not really",
             input: http("GET /music/sweet/music IHTTP/1.0\nHost: example.com\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#RTSP protocol and PUT method",
             input: http("PUT /music/sweet/music RTSP/1.0\nHost: example.com\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#HTTP protocol and ANNOUNCE method (a token: parses; the router answers)",
             input: http("ANNOUNCE /music/sweet/music HTTP/1.0\nHost: example.com\n\n"),
             outcome: .requests([Expected("ANNOUNCE", "/music/sweet/music", [("Host", "example.com")], version: .http1_0)])),
        Case(source: "llhttp:invalid#Headers separated by CR",
             input: http("GET / HTTP/1.1\nHost: h\nFoo: 1«CR»Bar: 2\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Headers separated by LF",
             input: http("POST / HTTP/1.1\nHost: localhost:5000\nx:x«LF»Transfer-Encoding: chunked\n\n1\nA\n0\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Headers separated by dummy characters",
             input: http("GET / HTTP/1.1\nConnection: close\nHost: a\n«CR»ZGET /evil: HTTP/1.1\nHost: a\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Empty headers separated by CR",
             input: http("POST / HTTP/1.1\nConnection: Close\nHost: localhost:5000\nx:«CR»Transfer-Encoding: chunked\n\n1\nA\n0\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Empty headers separated by LF",
             input: http("POST / HTTP/1.1\nHost: localhost:5000\nx:«LF»Transfer-Encoding: chunked\n\n1\nA\n0\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Invalid header token #1",
             input: http("GET / HTTP/1.1\nHost: h\nFo@: Failure\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Invalid header token #2 (\\01 as a control byte)",
             input: http("GET / HTTP/1.1\nHost: h\nFoo\u{1}\test: Bar\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Invalid header token #3",
             input: http("GET / HTTP/1.1\nHost: h\n: Bar\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Invalid method (MKCOLA is a token: parses; the router answers)",
             input: http("MKCOLA / HTTP/1.1\nHost: h\n\n"),
             outcome: .requests([Expected("MKCOLA", "/", [("Host", "h")])])),
        Case(source: "llhttp:invalid#Illegal header field name line folding",
             input: http("GET / HTTP/1.1\nHost: h\nname\n : value\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Corrupted Connection header",
             input: http("GET / HTTP/1.1\nHost: www.example.com\nConnection«CR»\u{1B}5\u{D5}eep-Alive\nAccept-Encoding: gzip\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Corrupted header name",
             input: http("GET / HTTP/1.1\nHost: www.example.com\nX-Some-Header«CR»\u{1B}5\u{D5}eep-Alive\nAccept-Encoding: gzip\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Missing CR between headers",
             input: http("GET / HTTP/1.1\nHost: localhost\nDummy: x«LF»Content-Length: 23\n\nGET / HTTP/1.1\nDummy: GET /admin HTTP/1.1\nHost: localhost\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Invalid HTTP version (major 5: 505 for us)",
             input: http("GET / HTTP/5.6\n"),
             outcome: .error(505)),
        Case(source: "llhttp:invalid#Invalid space after start line",
             input: http("GET / HTTP/1.1\n Host: foo\n"),
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Only LFs present",
             input: "POST / HTTP/1.1\nTransfer-Encoding: chunked\nTrailer: Baz\r\nFoo: abc\nBar: def\n\n1\nA\n0\n\nBaz: ghi\n\n",
             outcome: .error(400)),
        Case(source: "llhttp:invalid#Spaces before headers",
             input: http("POST /hello HTTP/1.1\nHost: localhost\nFoo: bar\n Content-Length: 38\n\nGET /bye HTTP/1.1\nHost: localhost\n\n"),
             outcome: .error(400)),
    ]

    // MARK: llhttp test/request/connection.md and pipelining.md

    static let connection: [Case] = [
        Case(source: "llhttp:connection#keep-alive Setting flag (+Host)",
             input: http("PUT /url HTTP/1.1\nHost: h\nConnection: keep-alive\n\n"),
             outcome: .requests([Expected("PUT", "/url", [("Host", "h"), ("Connection", "keep-alive")])])),
        Case(source: "llhttp:connection#Restarting when keep-alive is explicitly (+Host)",
             input: http("PUT /url HTTP/1.1\nHost: h\nConnection: keep-alive\n\nPUT /url HTTP/1.1\nHost: h\nConnection: keep-alive\n\n"),
             outcome: .requests([Expected("PUT", "/url", [("Host", "h"), ("Connection", "keep-alive")]),
                                 Expected("PUT", "/url", [("Host", "h"), ("Connection", "keep-alive")])])),
        Case(source: "llhttp:connection#No restart when keep-alive is off (1.0): second request lacks Host",
             input: http("PUT /url HTTP/1.0\n\nPUT /url HTTP/1.1\n\n"),
             outcome: .error(400, after: [Expected("PUT", "/url", [], version: .http1_0)])),
        Case(source: "llhttp:connection#Resetting flags when keep-alive is off (1.0), loose (+Host)",
             input: http("PUT /url HTTP/1.0\nContent-Length: 0\n\nPUT /url HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n"),
             outcome: .incomplete([Expected("PUT", "/url", [("Content-Length", "0")], version: .http1_0)])),
        Case(source: "llhttp:connection#CRLF between requests, implicit keep-alive",
             input: http("POST / HTTP/1.1\nHost: www.example.com\nContent-Type: application/x-www-form-urlencoded\nContent-Length: 4\n\nq=42\n\nGET / HTTP/1.1\nHost: www.example.com\n\n"),
             outcome: .requests([
                 Expected("POST", "/", [("Host", "www.example.com"), ("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "4")], body: "q=42"),
                 Expected("GET", "/", [("Host", "www.example.com")]),
             ])),
        Case(source: "llhttp:connection#CRLF between requests, explicit close (parser yields both; connection stops)",
             input: http("POST / HTTP/1.1\nHost: www.example.com\nContent-Length: 4\nConnection: close\n\nq=42\n\nGET / HTTP/1.1\nHost: h\n\n"),
             outcome: .requests([
                 Expected("POST", "/", [("Host", "www.example.com"), ("Content-Length", "4"), ("Connection", "close")], body: "q=42"),
                 Expected("GET", "/", [("Host", "h")]),
             ])),
        Case(source: "llhttp:connection#Parsing multiple tokens (+Host)",
             input: http("PUT /url HTTP/1.1\nHost: h\nConnection: close, token, upgrade, token, keep-alive\n\n"),
             outcome: .requests([Expected("PUT", "/url", [("Host", "h"), ("Connection", "close, token, upgrade, token, keep-alive")])])),
        Case(source: "llhttp:connection#Multiple tokens with folding (obs-fold: 400)",
             input: http("GET /demo HTTP/1.1\nHost: example.com\nConnection: Something,\n Upgrade, ,Keep-Alive\nUpgrade: WebSocket\n\n"),
             outcome: .error(400)),
        Case(source: "llhttp:connection#Multiple tokens with folding, LWS, and CRLF (obs-fold: 400)",
             input: http("GET /demo HTTP/1.1\nHost: h\nConnection: keep-alive, \n upgrade\nUpgrade: WebSocket\n\nHot diggity dogg"),
             outcome: .error(400)),
        Case(source: "llhttp:connection#Upgrade POST request (no upgrade: body is content, rest is the next request)",
             input: http("POST /demo HTTP/1.1\nHost: example.com\nConnection: Upgrade\nUpgrade: HTTP/2.0\nContent-Length: 15\n\nsweet post body"),
             outcome: .requests([Expected("POST", "/demo", [("Host", "example.com"), ("Connection", "Upgrade"), ("Upgrade", "HTTP/2.0"), ("Content-Length", "15")], body: "sweet post body")])),
        Case(source: "llhttp:pipelining#Should parse multiple events (+Host)",
             input: http("POST /aaa HTTP/1.1\nHost: h\nContent-Length: 3\n\nAAA\nPUT /bbb HTTP/1.1\nHost: h\nContent-Length: 4\n\nBBBB\nPATCH /ccc HTTP/1.1\nHost: h\nContent-Length: 5\n\nCCCCC"),
             outcome: .requests([
                 Expected("POST", "/aaa", [("Host", "h"), ("Content-Length", "3")], body: "AAA"),
                 Expected("PUT", "/bbb", [("Host", "h"), ("Content-Length", "4")], body: "BBBB"),
                 Expected("PATCH", "/ccc", [("Host", "h"), ("Content-Length", "5")], body: "CCCCC"),
             ])),
    ]

    // MARK: Request smuggling and hostile framing (ours; RFC 9112 §6, §7, §11.2)

    static let smuggling: [Case] = [
        Case(source: "CL.TE: Content-Length then Transfer-Encoding",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 6\nTransfer-Encoding: chunked\n\n0\n\nG"),
             outcome: .error(400)),
        Case(source: "TE.CL: Transfer-Encoding then Content-Length",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nContent-Length: 3\n\n8\nSMUGGLED\n0\n\n"),
             outcome: .error(400)),
        Case(source: "TE obfuscated with a space before the colon",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding : chunked\nContent-Length: 4\n\n1\nZ\n0\n\n"),
             outcome: .error(400)),
        Case(source: "TE obfuscated with a tab value",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding:\tchunked\n\n1\nZ\n0\n\n"),
             outcome: .requests([Expected("POST", "/", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "Z")])),
        Case(source: "TE obfuscated: xchunked",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: xchunked\n\n1\nZ\n0\n\n"),
             outcome: .error(400)),
        Case(source: "TE obfuscated: quoted \"chunked\"",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: \"chunked\"\n\n1\nZ\n0\n\n"),
             outcome: .error(400)),
        Case(source: "TE: chunked not last (chunked, identity)",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked, identity\n\n1\nZ\n0\n\n"),
             outcome: .error(400)),
        Case(source: "TE: chunked twice in separate fields",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nTransfer-Encoding: chunked\n\n1\nZ\n0\n\n"),
             outcome: .error(400)),
        Case(source: "TE: unknown coding before chunked is 501",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip, chunked\n\n1\nZ\n0\n\n"),
             outcome: .error(501)),
        Case(source: "TE in HTTP/1.0",
             input: http("POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n1\nZ\n0\n\n"),
             outcome: .error(400)),
        Case(source: "Duplicate identical Content-Length accepted as one (RFC 9110 §8.6)",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 2\nContent-Length: 2\n\nok"),
             outcome: .requests([Expected("POST", "/", [("Host", "h"), ("Content-Length", "2"), ("Content-Length", "2")], body: "ok")])),
        Case(source: "Duplicate differing Content-Length",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 2\nContent-Length: 20\n\nok"),
             outcome: .error(400)),
        Case(source: "Content-Length list with differing values",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 2, 3\n\nok"),
             outcome: .error(400)),
        Case(source: "Content-Length list with an empty element",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 2,\n\nok"),
             outcome: .error(400)),
        Case(source: "Content-Length Int.max + 1 (overflow)",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 9223372036854775808\n\n"),
             outcome: .error(400)),
        Case(source: "Content-Length Int.max (over the body limit)",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 9223372036854775807\n\n"),
             outcome: .error(413)),
        Case(source: "Content-Length negative",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: -0\n\n"),
             outcome: .error(400)),
        Case(source: "Content-Length with Unicode digits",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: \u{0663}\n\nabc"),
             outcome: .error(400)),
        Case(source: "Chunk size overflow (17 hex digits)",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n10000000000000000\nx\n0\n\n"),
             outcome: .error(400)),
        Case(source: "Chunk size 2^63 - 1 (over the body limit)",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n7fffffffffffffff\nx\n0\n\n"),
             outcome: .error(413)),
        Case(source: "Chunk size with leading zeros overflowing only when the zeros count",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n000000000000000000001\nx\n0\n\n"),
             outcome: .requests([Expected("POST", "/", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "x")])),
        Case(source: "Chunk size with 0x prefix",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n0x1\nx\n0\n\n"),
             outcome: .error(400)),
        Case(source: "Negative chunk size",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n-1\nx\n0\n\n"),
             outcome: .error(400)),
        Case(source: "Chunk size line ended by bare LF",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n1«LF»x\n0\n\n"),
             outcome: .error(400)),
        Case(source: "Chunk data ended by bare LF",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n1\nx«LF»0\n\n"),
             outcome: .error(400)),
        Case(source: "Last chunk ended by bare LF",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n1\nx\n0«LF»«LF»"),
             outcome: .error(400)),
        Case(source: "Trailer with obs-fold",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n1\nx\n0\nT: a\n b\n\n"),
             outcome: .error(400)),
        Case(source: "Trailer smuggling a Content-Length (discarded, not applied)",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n1\nx\n0\nContent-Length: 50\n\nGET /next HTTP/1.1\nHost: h\n\n"),
             outcome: .requests([Expected("POST", "/", [("Host", "h"), ("Transfer-Encoding", "chunked")], body: "x"),
                                 Expected("GET", "/next", [("Host", "h")])])),
        Case(source: "Bare LF ending the request-line",
             input: "GET / HTTP/1.1\nHost: h\r\n\r\n",
             outcome: .error(400)),
        Case(source: "Bare LF ending the header section",
             input: "GET / HTTP/1.1\r\nHost: h\r\n\n",
             outcome: .error(400)),
        Case(source: "Bare CR inside a header value",
             input: http("GET / HTTP/1.1\nHost: h\nX: a«CR»Content-Length: 5\n\n"),
             outcome: .error(400)),
        Case(source: "obs-fold continuing Transfer-Encoding",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip,\n chunked\n\n"),
             outcome: .error(400)),
        Case(source: "obs-fold with a tab",
             input: http("GET / HTTP/1.1\nHost: h\nX: a\n\tb\n\n"),
             outcome: .error(400)),
        Case(source: "NUL in a header value",
             input: http("GET / HTTP/1.1\nHost: h\nX: a«NUL»b\n\n"),
             outcome: .error(400)),
        Case(source: "NUL in a header name",
             input: http("GET / HTTP/1.1\nHost: h\nX«NUL»: b\n\n"),
             outcome: .error(400)),
        Case(source: "NUL in the request-target",
             input: http("GET /a«NUL»b HTTP/1.1\nHost: h\n\n"),
             outcome: .error(400)),
        Case(source: "NUL in the method",
             input: http("G«NUL»T / HTTP/1.1\nHost: h\n\n"),
             outcome: .error(400)),
        Case(source: "Control byte 0x0B (VT) in a header value",
             input: http("GET / HTTP/1.1\nHost: h\nX: a\u{0B}b\n\n"),
             outcome: .error(400)),
        Case(source: "Control byte 0x1F in a header value",
             input: http("GET / HTTP/1.1\nHost: h\nX: a\u{1F}b\n\n"),
             outcome: .error(400)),
        Case(source: "DEL in a header value",
             input: http("GET / HTTP/1.1\nHost: h\nX: a\u{7F}b\n\n"),
             outcome: .error(400)),
        Case(source: "Space inside a header name",
             input: http("GET / HTTP/1.1\nHost: h\nContent Length: 5\n\nhello"),
             outcome: .error(400)),
        Case(source: "Host with a space (routing confusion)",
             input: http("GET / HTTP/1.1\nHost: a b\n\n"),
             outcome: .error(400)),
        Case(source: "Two Host fields",
             input: http("GET / HTTP/1.1\nHost: a\nhost: b\n\n"),
             outcome: .error(400)),
        Case(source: "HTTP/1.1 without Host (deliberate: RFC 9112 §3.2 MUST 400)",
             input: http("GET / HTTP/1.1\n\n"),
             outcome: .error(400)),
        Case(source: "HTTP/2 preface (the version is checked first: 505)",
             input: http("PRI * HTTP/2.0\n\nSM\n\n"),
             outcome: .error(505)),
        Case(source: "HTTP/2.0 request-line",
             input: http("GET / HTTP/2.0\nHost: h\n\n"),
             outcome: .error(505)),
        Case(source: "HTTP/0.9 request-line",
             input: http("GET / HTTP/0.9\nHost: h\n\n"),
             outcome: .error(505)),
        Case(source: "TLS ClientHello on the plain port",
             input: "\u{16}\u{03}\u{01}\u{00}\u{A5}\u{01}\u{00}\u{00}",
             outcome: .error(400)),
        Case(source: "Request-line over the limit (414 before its end)",
             input: "GET /" + String(repeating: "a", count: 200),
             outcome: .error(414), limits: ServerLimits(maxRequestLineBytes: 64)),
        Case(source: "Header section over the limit (431 before its end)",
             input: http("GET / HTTP/1.1\nHost: h\nX: ") + String(repeating: "v", count: 300),
             outcome: .error(431), limits: ServerLimits(maxHeaderBytes: 128)),
        Case(source: "Too many header fields (431)",
             input: http("GET / HTTP/1.1\nHost: h\n" + (0..<20).map { "X\($0): v\n" }.joined() + "\n"),
             outcome: .error(431), limits: ServerLimits(maxHeaderCount: 10)),
        Case(source: "Trailer section over the limit (431)",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n0\nT: ") + String(repeating: "v", count: 300),
             outcome: .error(431), limits: ServerLimits(maxHeaderBytes: 128)),
        Case(source: "Declared body over the limit (413 before the body)",
             input: http("POST / HTTP/1.1\nHost: h\nContent-Length: 101\n\n"),
             outcome: .error(413), limits: ServerLimits(maxBodyBytes: 100)),
        Case(source: "Chunked body over the limit across chunks (413)",
             input: http("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n40\n") + String(repeating: "a", count: 64) + http("\n40\n"),
             outcome: .error(413), limits: ServerLimits(maxBodyBytes: 100)),
        Case(source: "Pipelined: a valid request, a smuggled one, then one never parsed",
             input: http("GET /ok HTTP/1.1\nHost: h\n\nPOST /x HTTP/1.1\nHost: h\nContent-Length: 3\nTransfer-Encoding: chunked\n\n0\n\nGET /never HTTP/1.1\nHost: h\n\n"),
             outcome: .error(400, after: [Expected("GET", "/ok", [("Host", "h")])])),
        Case(source: "Pipelined: body bytes that look like a request are body",
             input: http("POST /a HTTP/1.1\nHost: h\nContent-Length: 28\n\nGET /b HTTP/1.1\nHost: h\n\nGET /c HTTP/1.1\nHost: h\n\n"),
             outcome: .requests([Expected("POST", "/a", [("Host", "h"), ("Content-Length", "28")], body: http("GET /b HTTP/1.1\nHost: h\n\n")),
                                 Expected("GET", "/c", [("Host", "h")])])),
    ]

    static let all: [Case] = contentLength + transferEncoding + invalid + connection + smuggling

    // MARK: The checks

    @Test(arguments: all)
    func wholeFeed(_ corpusCase: Case) {
        var parser = RequestParser(limits: corpusCase.limits)
        let events = parser.feed(Array(corpusCase.input.utf8))
        check(events, parser: parser, against: corpusCase)
    }

    /// The same input a byte at a time gives the same outcome (state carried across feeds).
    @Test(arguments: all)
    func byteByByteFeed(_ corpusCase: Case) {
        var parser = RequestParser(limits: corpusCase.limits)
        var events: [RequestParser.Event] = []
        for byte in corpusCase.input.utf8 {
            events += parser.feed([byte])
        }
        check(events, parser: parser, against: corpusCase)
    }

    /// Regression: an empty line between requests whose CR and LF arrived in separate reads
    /// left the line scanner's offset past the end of the buffer, and the next byte crashed
    /// the process (`Range requires lowerBound <= upperBound`) — a one-packet remote crash.
    @Test func emptyLineSplitAcrossReadsBetweenRequests() {
        var parser = RequestParser()
        var events = parser.feed(Array("GET /a HTTP/1.1\r\nHost: h\r\n\r\n\r".utf8))
        events += parser.feed(Array("\n".utf8))
        events += parser.feed(Array("G".utf8))
        events += parser.feed(Array("ET /b HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(events.compactMap(\.request).map(\.path) == ["/a", "/b"])
        #expect(events.compactMap(\.error).isEmpty)
        var fresh = RequestParser()
        #expect(fresh.feed(Array("\r".utf8)).isEmpty)
        #expect(fresh.feed(Array("\n".utf8)).isEmpty)
        #expect(fresh.feed(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8)).compactMap(\.request).count == 1)
    }

    @Test func corpusIsLargeAndNamesItsSources() {
        #expect(Self.all.count >= 100)
        #expect(Self.all.filter { $0.source.hasPrefix("llhttp:") }.count >= 60)
    }

    private func check(_ events: [RequestParser.Event], parser: RequestParser, against corpusCase: Case, sourceLocation: SourceLocation = #_sourceLocation) {
        let requests = events.compactMap(\.request)
        let errors = events.compactMap(\.error)
        // A request is announced by exactly one head, before it.
        #expect(events.compactMap(\.head).count >= requests.count, "\(corpusCase.source)", sourceLocation: sourceLocation)
        switch corpusCase.outcome {
        case .requests(let expected):
            #expect(errors.isEmpty, "\(corpusCase.source): unexpected \(errors)", sourceLocation: sourceLocation)
            compare(requests, expected, corpusCase.source, sourceLocation)
            #expect(parser.phase == .idle, "\(corpusCase.source): phase \(parser.phase)", sourceLocation: sourceLocation)
        case .incomplete(let expected):
            #expect(errors.isEmpty, "\(corpusCase.source): unexpected \(errors)", sourceLocation: sourceLocation)
            compare(requests, expected, corpusCase.source, sourceLocation)
            #expect(parser.phase != .idle && parser.phase != .failed, "\(corpusCase.source): phase \(parser.phase)", sourceLocation: sourceLocation)
        case .error(let status, let expected):
            #expect(errors.map(\.status.code) == [status], "\(corpusCase.source): got \(errors)", sourceLocation: sourceLocation)
            if case .error = events.last {} else {
                Issue.record("\(corpusCase.source): the error is not the last event", sourceLocation: sourceLocation)
            }
            compare(requests, expected, corpusCase.source, sourceLocation)
            #expect(parser.phase == .failed, sourceLocation: sourceLocation)
        }
    }

    private func compare(_ requests: [HTTPRequest], _ expected: [Expected], _ source: String, _ sourceLocation: SourceLocation) {
        #expect(requests.count == expected.count, "\(source): \(requests.map(\.target))", sourceLocation: sourceLocation)
        for (request, want) in zip(requests, expected) {
            #expect(request.method.rawValue == want.method, "\(source)", sourceLocation: sourceLocation)
            #expect(request.path == want.path, "\(source)", sourceLocation: sourceLocation)
            #expect(request.version == want.version, "\(source)", sourceLocation: sourceLocation)
            #expect(request.headers.fields.map(\.name) == want.headers.map(\.0), "\(source)", sourceLocation: sourceLocation)
            #expect(request.headers.fields.map(\.value) == want.headers.map(\.1), "\(source)", sourceLocation: sourceLocation)
            #expect(request.body == Data(want.body.utf8), "\(source): body \(String(decoding: request.body, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
        }
    }
}
