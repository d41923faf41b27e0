/// JSON text written by hand where the bytes must be stable or a line must stay one line
/// (problem documents, JSON log lines); `JSONEncoder` promises neither member order nor that.
public enum JSONText {
    /// RFC 8259 §7 — a JSON string: quote, reverse solidus and control characters escaped, and
    /// U+2028/U+2029 too, so that no value can break a line (or a JavaScript reader).
    public static func string(_ value: String) -> String {
        var escaped = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar == "\u{2028}" || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}
