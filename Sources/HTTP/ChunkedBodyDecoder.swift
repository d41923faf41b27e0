import Foundation

/// Incremental decoder for the chunked transfer coding (RFC 9112 §7.1):
///
///     chunked-body = *chunk last-chunk trailer-section CRLF
///     chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
///     last-chunk   = 1*("0") [ chunk-ext ] CRLF
///
/// Fed whatever bytes have arrived, it consumes as much as it can, appends chunk data to the
/// body and reports when the final CRLF has been read. Chunk extensions are validated and
/// ignored; trailer fields are validated and discarded. Bytes it does not consume (a partial
/// size line or trailer line) must be offered again, with more appended, on the next call.
struct ChunkedBodyDecoder: Sendable {
    enum Progress: Equatable, Sendable {
        case needMore
        case done
    }

    private enum State: Equatable {
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        case trailer
        case done
    }

    private let maxBodyBytes: Int
    private let maxLineBytes: Int
    private let maxTrailerBytes: Int
    private let maxTrailerCount: Int
    private var state = State.sizeLine
    private var scanned = 0
    private var trailerBytes = 0
    private var trailerCount = 0
    /// Decoded content bytes so far.
    private(set) var bodyBytes = 0

    init(maxBodyBytes: Int, maxLineBytes: Int, maxTrailerBytes: Int, maxTrailerCount: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxLineBytes = maxLineBytes
        self.maxTrailerBytes = maxTrailerBytes
        self.maxTrailerCount = maxTrailerCount
    }

    init(limits: ServerLimits) {
        self.init(maxBodyBytes: limits.maxBodyBytes, maxLineBytes: limits.maxRequestLineBytes,
                  maxTrailerBytes: limits.maxHeaderBytes, maxTrailerCount: limits.maxHeaderCount)
    }

    /// Decodes from the start of `input`.
    /// - Returns: how many bytes of `input` were consumed, and whether the body is complete
    ///   (bytes after the end of the chunked body are left unconsumed: they belong to the next
    ///   request).
    /// - Throws: 400 for malformed framing, 413 as soon as the content would exceed
    ///   `maxBodyBytes`, 431 for an oversized trailer section.
    mutating func decode(_ input: ArraySlice<UInt8>, into body: inout Data) throws(HTTPError) -> (consumed: Int, progress: Progress) {
        var rest = input
        while true {
            switch state {
            case .done:
                return (rest.startIndex - input.startIndex, .done)

            case .sizeLine:
                switch try HTTPSyntax.scanLine(rest, scanned: &scanned, limit: maxLineBytes) {
                case .incomplete:
                    return (rest.startIndex - input.startIndex, .needMore)
                case .tooLong:
                    throw HTTPError(.malformed, "chunk-size line longer than \(maxLineBytes) bytes")
                case .complete(let line, let consumed):
                    rest = rest.dropFirst(consumed)
                    let size = try Self.parseSizeLine(line)
                    if size == 0 {
                        state = .trailer
                    } else {
                        // Refuse as soon as a chunk header announces more than the limit allows,
                        // before reading its data.
                        guard size <= maxBodyBytes - bodyBytes else {
                            throw HTTPError(.contentTooLarge, "request content exceeds \(maxBodyBytes) bytes")
                        }
                        state = .data(remaining: size)
                    }
                }

            case .data(let remaining):
                guard !rest.isEmpty else { return (rest.startIndex - input.startIndex, .needMore) }
                let take = min(remaining, rest.count)
                body.append(contentsOf: rest.prefix(take))
                bodyBytes += take
                rest = rest.dropFirst(take)
                state = take == remaining ? .dataEnd : .data(remaining: remaining - take)

            case .dataEnd:
                // RFC 9112 §7.1 — chunk-data is followed by exactly CRLF.
                guard rest.count >= 2 else {
                    if let first = rest.first, first != HTTPSyntax.cr {
                        throw HTTPError(.malformed, "chunk data not followed by CRLF")
                    }
                    return (rest.startIndex - input.startIndex, .needMore)
                }
                guard rest[rest.startIndex] == HTTPSyntax.cr, rest[rest.startIndex + 1] == HTTPSyntax.lf else {
                    throw HTTPError(.malformed, "chunk data not followed by CRLF")
                }
                rest = rest.dropFirst(2)
                state = .sizeLine

            case .trailer:
                let budget = maxTrailerBytes - trailerBytes
                switch try HTTPSyntax.scanLine(rest, scanned: &scanned, limit: max(0, budget - 2)) {
                case .incomplete:
                    return (rest.startIndex - input.startIndex, .needMore)
                case .tooLong:
                    throw HTTPError(.headersTooLarge, "trailer section larger than \(maxTrailerBytes) bytes")
                case .complete(let line, let consumed):
                    rest = rest.dropFirst(consumed)
                    if line.isEmpty {
                        state = .done
                        continue
                    }
                    // RFC 9112 §5.2 — obs-fold is rejected in trailers as in headers.
                    if let first = line.first, HTTPSyntax.isWhitespace(first) {
                        throw HTTPError(.malformed, "obsolete line folding in trailer section")
                    }
                    // RFC 9112 §7.1.2 — a recipient MAY discard trailer fields; we validate
                    // their syntax and discard them.
                    _ = try HTTPSyntax.parseFieldLine(line)
                    trailerBytes += consumed
                    trailerCount += 1
                    guard trailerCount <= maxTrailerCount else {
                        throw HTTPError(.headersTooLarge, "more than \(maxTrailerCount) trailer fields")
                    }
                }
            }
        }
    }

    /// `chunk-size [ chunk-ext ]` → the size.
    static func parseSizeLine(_ line: ArraySlice<UInt8>) throws(HTTPError) -> Int {
        // RFC 9112 §7.1 — chunk-size = 1*HEXDIG
        let digits = line.prefix(while: HTTPSyntax.isHexDigit)
        guard !digits.isEmpty else { throw HTTPError(.malformed, "chunk size is not hexadecimal") }
        var size = 0
        for digit in digits {
            // RFC 9112 §7.1 — recipients MUST anticipate large hex numerals and prevent
            // integer overflow.
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            guard !overflow, shifted <= Int.max - 15 else {
                throw HTTPError(.malformed, "chunk size overflows")
            }
            size = shifted + Int(HTTPSyntax.hexValue(digit)!)
        }
        try validateExtensions(line[digits.endIndex...])
        return size
    }

    /// RFC 9112 §7.1.1 — chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ),
    /// chunk-ext-val = token / quoted-string. A recipient MUST ignore unrecognized extensions,
    /// so we only check the syntax.
    private static func validateExtensions(_ bytes: ArraySlice<UInt8>) throws(HTTPError) {
        var rest = bytes
        func skipWhitespace() { rest = rest.drop(while: HTTPSyntax.isWhitespace) }
        func token() -> Bool {
            let name = rest.prefix(while: HTTPSyntax.isTokenChar)
            rest = rest[name.endIndex...]
            return !name.isEmpty
        }
        let invalid = HTTPError(.malformed, "invalid chunk extension")
        while !rest.isEmpty {
            skipWhitespace()
            guard rest.first == UInt8(ascii: ";") else { throw invalid }
            rest = rest.dropFirst()
            skipWhitespace()
            guard token() else { throw invalid }
            let beforeValue = rest
            skipWhitespace()
            guard rest.first == UInt8(ascii: "=") else {
                rest = beforeValue
                continue
            }
            rest = rest.dropFirst()
            skipWhitespace()
            if rest.first == UInt8(ascii: "\"") {
                rest = try quotedStringRemainder(rest.dropFirst())
            } else if !token() {
                throw invalid
            }
        }
    }

    /// RFC 9110 §5.6.4 — the bytes after a quoted-string whose opening DQUOTE was dropped.
    private static func quotedStringRemainder(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> ArraySlice<UInt8> {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return bytes[(index + 1)...] }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.endIndex, HTTPSyntax.isFieldContentChar(bytes[index]) else { break }
            } else if !HTTPSyntax.isFieldContentChar(byte) {
                break
            }
            index += 1
        }
        throw HTTPError(.malformed, "invalid quoted-string in chunk extension")
    }
}
