import Foundation

/// A response as handlers build it: status, fields and the whole content. Framing fields
/// (`Content-Length`, `Transfer-Encoding`), `Date` and `Connection` are owned by the
/// serializer; handlers set the others (`Content-Type`, `Location`, `Allow`, ...).
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Data
    /// Fields for the request's log line, never sent: what the layer above wants its one line
    /// per request to carry (the service puts the job id here), without this layer knowing it.
    public var logMetadata: [String: String] = [:]

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with `Content-Type` set.
    public init(status: HTTPStatus = .ok, contentType: String, body: Data, headers: HTTPHeaders = [:]) {
        var headers = headers
        headers.set("Content-Type", contentType)
        self.init(status: status, headers: headers, body: body)
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Data(text.utf8))
    }

    /// Whether content is sent for this response: never for HEAD (RFC 9110 §9.3.2), 1xx, 204
    /// or 304 (RFC 9112 §6.3 ¶1).
    func sendsContent(requestMethod: HTTPMethod?) -> Bool {
        requestMethod != .head && !status.isInformational && status.code != 204 && status.code != 304
    }

    /// The bytes to write: status-line, fields, empty line and (unless omitted) the content.
    /// - Parameters:
    ///   - requestMethod: the request's method (`nil` when no request was parsed), for HEAD.
    ///   - requestVersion: an HTTP/1.0 client that keeps the connection is told `keep-alive`.
    ///   - keepAlive: whether the connection stays open; when false, `Connection: close`.
    func serialized(requestMethod: HTTPMethod?, requestVersion: HTTPVersion = .http1_1,
                    keepAlive: Bool, date: Date = Date()) -> Data {
        var fields = headers
        fields.remove("Content-Length")
        fields.remove("Transfer-Encoding")
        fields.remove("Connection")
        // RFC 9110 §8.6 — a server MUST NOT send Content-Length in a 1xx or 204 response; for a
        // HEAD response it is the length a GET would have sent (the content is then omitted);
        // for 304 we send none.
        if !status.isInformational && status.code != 204 && status.code != 304 {
            fields.add("Content-Length", String(body.count))
        }
        // RFC 9110 §6.6.1 — an origin server with a clock MUST send Date in 2xx, 3xx and 4xx
        // responses (and MAY in 1xx and 5xx); we send it on all final responses.
        if !status.isInformational && !fields.contains("Date") {
            fields.add("Date", HTTPDate.format(date))
        }
        if !keepAlive {
            // RFC 9112 §9.6 — a server that will close sends the "close" connection option.
            fields.add("Connection", "close")
        } else if requestVersion < .http1_1 {
            // RFC 9112 §9.3 / Appendix C.2.2 — an HTTP/1.0 client learns that the connection
            // persists from the keep-alive option.
            fields.add("Connection", "keep-alive")
        }

        // RFC 9112 §4 — status-line = HTTP-version SP status-code SP [ reason-phrase ]. We
        // always answer HTTP/1.1 (RFC 9112 §2.3: the highest minor version we conform to).
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for field in fields {
            head += "\(field.name): \(Self.sanitized(field.value))\r\n"
        }
        head += "\r\n"
        var bytes = Data(head.utf8)
        if sendsContent(requestMethod: requestMethod) {
            bytes.append(body)
        }
        return bytes
    }

    /// RFC 9110 §5.5 — never emit CR, LF or NUL in a field value (response splitting, RFC
    /// 9112 §11.1): handler-supplied values that contain them are cut down to SP.
    private static func sanitized(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else { return value }
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            scalars.append(scalar == "\r" || scalar == "\n" || scalar == "\0" ? " " : scalar)
        }
        return String(scalars)
    }

    /// `HTTP/1.1 100 Continue` — the interim response to `Expect: 100-continue`
    /// (RFC 9110 §15.2.1).
    static let continueBytes = Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
