import Foundation
import Testing
@testable import HTTP

@Suite struct HTTPResponseTests {
    private let date = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    private func text(_ response: HTTPResponse, method: HTTPMethod? = .get, version: HTTPVersion = .http1_1, keepAlive: Bool = true) -> String {
        String(decoding: response.serialized(requestMethod: method, requestVersion: version, keepAlive: keepAlive, date: date), as: UTF8.self)
    }

    @Test func serializesStatusFieldsAndContent() {
        let response = HTTPResponse(status: .ok, contentType: "text/plain", body: Data("hello".utf8), headers: ["X-Job-Id": "42"])
        #expect(text(response) == "HTTP/1.1 200 OK\r\nX-Job-Id: 42\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\nhello")
    }

    @Test func closeAndHTTP10KeepAlive() {
        let response = HTTPResponse(status: .noContent)
        #expect(text(response, keepAlive: false).contains("\r\nConnection: close\r\n"))
        #expect(text(response, version: .http1_0, keepAlive: true).contains("\r\nConnection: keep-alive\r\n"))
        #expect(!text(response, keepAlive: true).contains("Connection:"))
    }

    @Test func headKeepsContentLengthButOmitsContent() {
        let response = HTTPResponse.text("twelve bytes")
        let serialized = text(response, method: .head)
        #expect(serialized.contains("Content-Length: 12\r\n"))
        #expect(serialized.hasSuffix("\r\n\r\n"))
    }

    @Test func noContentLengthOn204Or304AndNoContent() {
        let noContent = text(HTTPResponse(status: .noContent, body: Data("x".utf8)))
        #expect(!noContent.contains("Content-Length"))
        #expect(noContent.hasSuffix("\r\n\r\n"))
        #expect(!text(HTTPResponse(status: .notModified)).contains("Content-Length"))
    }

    @Test func serializerOwnsFramingFields() {
        let response = HTTPResponse(status: .ok, headers: ["Content-Length": "999", "Transfer-Encoding": "chunked", "Connection": "upgrade"], body: Data("ab".utf8))
        let serialized = text(response, keepAlive: false)
        #expect(serialized.contains("Content-Length: 2\r\n"))
        #expect(!serialized.contains("999"))
        #expect(!serialized.contains("chunked"))
        #expect(!serialized.contains("upgrade"))
    }

    @Test func fieldValuesCannotSplitTheResponse() {
        let response = HTTPResponse(status: .ok, headers: ["Location": "/a\r\nSet-Cookie: x=1"])
        #expect(text(response).contains("Location: /a  Set-Cookie: x=1\r\n"))
    }

    @Test func reasonPhrases() {
        #expect(HTTPStatus(code: 413).reasonPhrase == "Content Too Large")
        #expect(HTTPStatus(code: 431).reasonPhrase == "Request Header Fields Too Large")
        #expect(HTTPStatus(code: 422).reasonPhrase == "Unprocessable Content")
        #expect(HTTPStatus(code: 599).reasonPhrase == "")
        #expect(text(HTTPResponse(status: HTTPStatus(code: 503))).hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
    }

    @Test func everyErrorCodeHasAnErrorStatus() {
        for code in HTTPError.Code.allCases {
            let status = HTTPError(code, "x").status
            #expect((400..<600).contains(status.code))
            #expect(!status.reasonPhrase.isEmpty)
        }
    }

    @Test func continueInterimResponse() {
        #expect(String(decoding: HTTPResponse.continueBytes, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
    }
}
