import Logging
import Synchronization

/// A logger that drops everything, for quiet tests.
public let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// Collects log messages so tests can assert on them.
public final class LogCapture: Sendable {
    /// One event: its message and its metadata (the handler's and the call's), values as text.
    public struct Entry: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]
    }

    private let entries_ = Mutex<[Entry]>([])

    public init() {}

    public var messages: [String] { entries.map { "\($0.level) \($0.message)" } }

    public var entries: [Entry] { entries_.withLock { $0 } }

    public var logger: Logger {
        Logger(label: "capture") { _ in Handler(capture: self) }
    }

    fileprivate func append(_ entry: Entry) { entries_.withLock { $0.append(entry) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(Entry(level: event.level, message: "\(event.message)", metadata: all.mapValues { "\($0)" }))
        }
    }
}
