import Logging

/// How `diffwave serve` writes its log lines to standard output (`--log-format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's stream format: a timestamp, the level, the message, then `key=value` metadata.
    case text
    /// One JSON object per line (`JSONLogHandler`), for log collectors.
    case json

    /// The handler for a logger labelled `label`, writing lines to standard output.
    public func makeHandler(label: String) -> any LogHandler {
        switch self {
        case .text: StreamLogHandler.standardOutput(label: label)
        case .json: JSONLogHandler(label: label)
        }
    }
}
