import Logging
import Testing
@testable import VocoderServer

@Suite struct LogFormatTests {
    @Test func eachFormatMakesItsHandler() {
        #expect(LogFormat.json.makeHandler(label: "x") is JSONLogHandler)
        #expect(LogFormat.text.makeHandler(label: "x") is StreamLogHandler)
        #expect(LogFormat(rawValue: "json") == .json && LogFormat(rawValue: "JSON") == nil)
    }
}
