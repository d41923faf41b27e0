import Foundation

/// The request-target of a request-line split into its path and decoded query (RFC 9112 §3.2).
/// The path stays percent-encoded so that an encoded `/` (`%2F`) inside a segment is not
/// mistaken for a separator; the router decodes it per segment.
struct RequestTarget: Sendable, Equatable {
    /// Percent-encoded absolute path, e.g. `/jobs/abc`; `*` for the asterisk-form.
    var path: String
    /// Query items in order, names and values percent-decoded (and `+` read as a space, as
    /// HTML forms and most clients encode it).
    var query: [URLQueryItem]

    static func parse(_ bytes: ArraySlice<UInt8>, method: HTTPMethod) throws(HTTPError) -> RequestTarget {
        guard let first = bytes.first else { throw HTTPError(.malformed, "empty request-target") }
        // RFC 3986 §2 / RFC 9112 §3.2 — a target is printable US-ASCII; anything else must be
        // percent-encoded, and a fragment is never sent.
        for byte in bytes where byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "#") {
            throw HTTPError(.malformed, "invalid character 0x\(String(byte, radix: 16)) in request-target")
        }
        var pathAndQuery = bytes
        if first == UInt8(ascii: "*") {
            // RFC 9112 §3.2.4 — asterisk-form is only used with OPTIONS.
            guard bytes.count == 1, method == .options else {
                throw HTTPError(.malformed, "asterisk-form request-target is only valid for OPTIONS")
            }
            return RequestTarget(path: "*", query: [])
        } else if first != UInt8(ascii: "/") {
            // RFC 9112 §3.2.2 — a server MUST accept the absolute-form; we keep its path and query.
            guard let rest = stripAbsoluteFormPrefix(bytes) else {
                throw HTTPError(.malformed, "request-target must be origin-form (\"/path\") or absolute-form")
            }
            pathAndQuery = rest
        }
        let questionMark = pathAndQuery.firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = pathAndQuery[pathAndQuery.startIndex..<(questionMark ?? pathAndQuery.endIndex)]
        try validatePercentEncoding(pathBytes)
        var query: [URLQueryItem] = []
        if let questionMark {
            query = try parseQuery(pathAndQuery[pathAndQuery.index(after: questionMark)...])
        }
        let path = pathBytes.isEmpty ? "/" : String(decoding: pathBytes, as: UTF8.self)
        return RequestTarget(path: path, query: query)
    }

    /// `http://authority/path?query` → `/path?query` (`/` when the path is empty).
    private static func stripAbsoluteFormPrefix(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let text = String(decoding: bytes.prefix(8), as: UTF8.self).lowercased()
        let schemeLength: Int
        if text.hasPrefix("http://") { schemeLength = 7 } else if text.hasPrefix("https://") { schemeLength = 8 } else { return nil }
        let afterScheme = bytes.dropFirst(schemeLength)
        guard let authorityEnd = afterScheme.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else {
            return afterScheme.isEmpty ? nil : [UInt8(ascii: "/")]
        }
        guard authorityEnd > afterScheme.startIndex else { return nil }  // empty authority
        if bytes[authorityEnd] == UInt8(ascii: "?") { return [UInt8(ascii: "/")] + bytes[authorityEnd...] }
        return bytes[authorityEnd...]
    }

    private static func validatePercentEncoding(_ bytes: ArraySlice<UInt8>) throws(HTTPError) {
        guard percentDecode(bytes, plusAsSpace: false) != nil else {
            throw HTTPError(.malformed, "invalid percent-encoding in request-target")
        }
    }

    private static func parseQuery(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> [URLQueryItem] {
        var items: [URLQueryItem] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = pair[pair.startIndex..<(equals ?? pair.endIndex)]
            guard let name = percentDecode(rawName, plusAsSpace: true) else {
                throw HTTPError(.malformed, "invalid percent-encoding in query")
            }
            var value: String?
            if let equals {
                guard let decoded = percentDecode(pair[pair.index(after: equals)...], plusAsSpace: true) else {
                    throw HTTPError(.malformed, "invalid percent-encoding in query")
                }
                value = decoded
            }
            items.append(URLQueryItem(name: name, value: value))
        }
        return items
    }

    /// RFC 3986 §2.1 — `%` HEXDIG HEXDIG. Returns nil for a malformed escape; decoded octets
    /// that are not UTF-8 are replaced by U+FFFD.
    static func percentDecode<C: Collection<UInt8>>(_ bytes: C, plusAsSpace: Bool) -> String? {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let high = bytes.index(after: index)
                guard high != bytes.endIndex else { return nil }
                let low = bytes.index(after: high)
                guard low != bytes.endIndex,
                      let highValue = HTTPSyntax.hexValue(bytes[high]),
                      let lowValue = HTTPSyntax.hexValue(bytes[low])
                else { return nil }
                decoded.append(highValue << 4 | lowValue)
                index = bytes.index(after: low)
            } else {
                decoded.append(plusAsSpace && byte == UInt8(ascii: "+") ? HTTPSyntax.sp : byte)
                index = bytes.index(after: index)
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }
}
