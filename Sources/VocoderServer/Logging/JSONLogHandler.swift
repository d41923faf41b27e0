import Foundation
import HTTP
import Logging
import Synchronization

/// A swift-log handler that writes each event as one JSON object on one line, the shape log
/// collectors (Loki, Elasticsearch, Cloud Logging) ingest: `timestamp` (RFC 3339, UTC),
/// `level`, `message`, `logger`, then every metadata value as a member of its own — among them
/// the request's and job's fields (`LogField`: request_id, job_id, method, path, status,
/// bytes, duration_ms) where the line has them. Numbers stay numbers.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public let label: String
    private let write: @Sendable (String) -> Void

    /// - Parameter write: receives each line, newline included; by default standard output.
    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var members = [
            ("timestamp", Self.string(Self.timestamp(Date()))),
            ("level", Self.string(event.level.rawValue)),
            ("message", Self.string("\(event.message)")),
            ("logger", Self.string(label)),
        ]
        if let error = event.error { members.append(("error", Self.string("\(error)"))) }
        let fixed = Set(members.map(\.0))
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in all.keys.sorted() where !fixed.contains(key) {
            members.append((key, Self.json(all[key]!)))
        }
        write("{" + members.map { Self.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}\n")
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-12-06T20:30:13.123Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// A metadata value as JSON: integers, floating-point numbers and booleans given as
    /// `stringConvertible` as themselves, everything else as strings, lists and objects.
    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return string(text)
        case .stringConvertible(let item):
            switch item {
            case let number as any BinaryInteger: return "\(number)"
            case let number as Double where number.isFinite: return "\(number)"
            case let flag as Bool: return flag ? "true" : "false"
            default: return string(item.description)
            }
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let members):
            return "{" + members.keys.sorted().map { string($0) + ":" + json(members[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// RFC 8259 §7 — a JSON string: quote, reverse solidus and control characters escaped, so
    /// no value can break its line.
    static func string(_ value: String) -> String {
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

    private static let outputLock = Mutex(())

    /// Writes a line to standard output whole: one write per line, under a lock, so lines of
    /// concurrent threads never interleave. A closed or full output loses the line rather than
    /// stopping the server.
    public static let standardOutput: @Sendable (String) -> Void = { line in
        outputLock.withLock { _ in try? FileHandle.standardOutput.write(contentsOf: Data(line.utf8)) }
    }
}
