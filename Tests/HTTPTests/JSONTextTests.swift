import Foundation
import Testing
import HTTP

@Suite struct JSONTextTests {
    /// What a JSON reader gets back is the string itself, and the text is one line.
    @Test(arguments: ["plain", "quote \" and \\ backslash", "line\nbreak\r\ttab", "bell \u{07} nul \u{00}", "sep \u{2028}\u{2029}", "ünï 😀"])
    func aStringRoundTripsOnOneLine(_ value: String) throws {
        let text = JSONText.string(value)
        #expect(!text.contains("\n") && !text.contains("\r") && !text.contains("\u{2028}"))
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(text)]".utf8)) as? [String]
        #expect(decoded == [value])
    }

    @Test func controlCharactersAreFourDigitEscapes() {
        #expect(JSONText.string("\u{01}\u{1F}") == #""\u0001\u001f""#)
        #expect(JSONText.string("\u{2028}") == #""\u2028""#)
    }
}
