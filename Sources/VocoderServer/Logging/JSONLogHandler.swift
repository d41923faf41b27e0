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
            ("timestamp", JSONText.string(Self.timestamp(Date()))),
            ("level", JSONText.string(event.level.rawValue)),
            ("message", JSONText.string("\(event.message)")),
            ("logger", JSONText.string(label)),
        ]
        if let error = event.error { members.append(("error", JSONText.string("\(error)"))) }
        let fixed = Set(members.map(\.0))
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in all.keys.sorted() where !fixed.contains(key) {
            members.append((key, Self.json(all[key]!)))
        }
        write("{" + members.map { JSONText.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}\n")
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-12-06T20:30:13.123Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// A metadata value as JSON: integers, floating-point numbers and booleans given as
    /// `stringConvertible` as themselves, everything else as strings, lists and objects.
    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return JSONText.string(text)
        case .stringConvertible(let item):
            switch item {
            case let number as any BinaryInteger: return "\(number)"
            case let number as Double where number.isFinite: return "\(number)"
            case let flag as Bool: return flag ? "true" : "false"
            default: return JSONText.string(item.description)
            }
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let members):
            return "{" + members.keys.sorted().map { JSONText.string($0) + ":" + json(members[$0]!) }.joined(separator: ",") + "}"
        }
    }

    private static let outputLock = Mutex(())

    /// Writes a line to standard output whole: one write per line, under a lock, so lines of
    /// concurrent threads never interleave. A closed or full output loses the line rather than
    /// stopping the server.
    public static let standardOutput: @Sendable (String) -> Void = { line in
        outputLock.withLock { _ in try? FileHandle.standardOutput.write(contentsOf: Data(line.utf8)) }
    }
}
