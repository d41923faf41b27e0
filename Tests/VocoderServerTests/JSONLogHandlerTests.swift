import Foundation
import Logging
import Testing
@testable import VocoderServer

@Suite struct JSONLogHandlerTests {
    /// A logger whose lines land in `lines`.
    private func logger(_ lines: Locked<[String]>) -> Logger {
        Logger(label: "test") { label in JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } } }
    }

    private func object(_ line: String) throws -> [String: Any] {
        #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil, "one line per event")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func anEventIsOneObjectWithTimestampLevelMessageAndItsMetadata() throws {
        let lines = Locked<[String]>([])
        var log = logger(lines)
        log[metadataKey: "connection"] = "3"
        log.warning("GET /x 404", metadata: ["request_id": "r-1", "status": .stringConvertible(404), "bytes": .stringConvertible(98),
                                               "duration_ms": .stringConvertible(1.5), "path": "/x"])
        let json = try object(try #require(lines.value.first))
        #expect(json["level"] as? String == "warning")
        #expect(json["message"] as? String == "GET /x 404")
        #expect(json["logger"] as? String == "test")
        #expect(json["connection"] as? String == "3", "the handler's own metadata too")
        #expect(json["request_id"] as? String == "r-1" && json["path"] as? String == "/x")
        #expect(json["status"] as? Int == 404 && json["bytes"] as? Int == 98, "numbers stay numbers")
        #expect(json["duration_ms"] as? Double == 1.5)
        let timestamp = try #require(json["timestamp"] as? String)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "RFC 3339 in UTC: \(timestamp)")
        #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(timestamp).timeIntervalSinceNow.magnitude < 60)
    }

    @Test func noValueCanBreakItsLineOrTheObject() throws {
        let lines = Locked<[String]>([])
        logger(lines).info("two\nlines \"quoted\" \\ \u{1} \u{2028}", metadata: ["k": "v\r\n{\"x\":1}", "list": ["a", .stringConvertible(2)],
                                                                              "map": ["b": "c"]])
        let json = try object(try #require(lines.value.first))
        #expect(json["message"] as? String == "two\nlines \"quoted\" \\ \u{1} \u{2028}")
        #expect(json["k"] as? String == "v\r\n{\"x\":1}")
        #expect((json["list"] as? [Any])?.count == 2)
        #expect((json["map"] as? [String: String]) == ["b": "c"])
    }

    @Test func theLevelFilterApplies() {
        let lines = Locked<[String]>([])
        var log = logger(lines)
        log.logLevel = .info
        log.debug("hidden")
        log.info("shown")
        #expect(lines.value.count == 1)
    }
}
