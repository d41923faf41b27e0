/// Character classes and small grammar rules shared by the request parser, the
/// chunked decoder and the router. Pure functions over bytes; no state.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    // RFC 9110 §5.6.2 — tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
    //                           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static let tcharTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in "!#$%&'*+-.^_`|~".utf8 { table[Int(byte)] = true }
        return table
    }()

    static func isTokenChar(_ byte: UInt8) -> Bool { tcharTable[Int(byte)] }

    /// RFC 9110 §5.6.2 — token = 1*tchar
    static func isToken<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenChar)
    }

    /// RFC 9110 §5.6.3 — OWS = *( SP / HTAB )
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == sp || byte == htab }

    /// RFC 9110 §5.5 — field-vchar = VCHAR / obs-text; field-content also allows SP and HTAB
    /// between visible characters. Every other control (CR, LF, NUL, DEL, ...) is invalid.
    static func isFieldContentChar(_ byte: UInt8) -> Bool {
        (byte >= 0x21 && byte != 0x7F) || byte == sp || byte == htab
    }

    static func isHexDigit(_ byte: UInt8) -> Bool { hexValue(byte) != nil }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// RFC 9110 §5.5 — a field value excludes leading and trailing whitespace.
    static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWhitespace(last) { slice = slice.dropLast() }
        return slice
    }

    /// Header values are octets (obs-text included, RFC 9110 §5.5); they are exposed as
    /// UTF-8 when valid, else as ISO-8859-1 so that no octet is lost.
    static func string<C: Collection<UInt8>>(_ bytes: C) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// Parses one field line, `field-name ":" OWS field-value OWS` (RFC 9112 §5), for the
    /// header section and for the trailer section of a chunked body alike.
    static func parseFieldLine(_ line: ArraySlice<UInt8>) throws(HTTPError) -> (name: String, value: String) {
        guard let colon = line.firstIndex(of: colon) else {
            throw HTTPError(.malformed, "header field line has no colon")
        }
        let name = line[line.startIndex..<colon]
        // RFC 9112 §5.1 — a server MUST reject, with 400, whitespace between a field name and colon
        if let last = name.last, isWhitespace(last) {
            throw HTTPError(.malformed, "whitespace between header field name and colon")
        }
        // RFC 9110 §5.1 — field-name = token
        guard isToken(name) else {
            throw HTTPError(.malformed, "header field name is not a token")
        }
        let value = trimmingWhitespace(line[line.index(after: colon)...])
        // RFC 9110 §5.5 — CR, LF and NUL (and the other controls) are invalid in a field value;
        // we reject rather than replace them.
        guard value.allSatisfy(isFieldContentChar) else {
            throw HTTPError(.malformed, "control character in header field '\(string(name))'")
        }
        return (string(name), string(value))
    }

    /// The outcome of looking for one CRLF-terminated line at the start of some input.
    enum LineScan {
        /// The line without its CRLF, and how many input bytes it took including the CRLF.
        case complete(ArraySlice<UInt8>, consumed: Int)
        /// No line end yet and still within the limit: feed more bytes.
        case incomplete
        /// More than `limit` bytes without a line end.
        case tooLong
    }

    /// Looks for a line at the start of `input`. `scanned` remembers how many bytes are
    /// known to hold no LF so that a line arriving a byte at a time is searched once overall;
    /// reset it to 0 after each complete line.
    /// - Throws: 400 for a bare LF or a bare CR — RFC 9112 §2.2: we do not accept a lone LF
    ///   as a line terminator, and a bare CR makes the element invalid.
    static func scanLine(_ input: ArraySlice<UInt8>, scanned: inout Int, limit: Int) throws(HTTPError) -> LineScan {
        let searchStart = input.startIndex + scanned
        guard let lfIndex = input[searchStart...].firstIndex(of: lf) else {
            scanned = input.count
            return input.count > limit + 1 ? .tooLong : .incomplete
        }
        scanned = 0
        guard lfIndex > input.startIndex, input[lfIndex - 1] == cr else {
            throw HTTPError(.malformed, "bare LF where CRLF is required")
        }
        let line = input[input.startIndex..<(lfIndex - 1)]
        guard line.count <= limit else { return .tooLong }
        guard !line.contains(cr) else {
            throw HTTPError(.malformed, "bare CR where CRLF is required")
        }
        return .complete(line, consumed: lfIndex + 1 - input.startIndex)
    }
}
