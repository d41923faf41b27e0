import Foundation
import Testing
@testable import DiffWave

@Suite struct LabelTests {
    @Test func allDigitsIsAnIndexAnythingElseAName() {
        #expect(Label(parsing: "3") == .index(3))
        #expect(Label(parsing: "007") == .index(7))
        #expect(Label(parsing: "three") == .name("three"))
        #expect(Label(parsing: "-1") == .name("-1"))
        #expect(Label(parsing: "3a") == .name("3a"))
        #expect(Label(parsing: "") == .name(""))
        // Digits beyond Int stay an index, which no model has.
        #expect(Label(parsing: "99999999999999999999999") == .index(Int.max))
    }

    @Test func jsonNumbersAreIndicesAndStringsAreParsed() throws {
        struct Body: Decodable { let label: Label }
        func decode(_ json: String) throws -> Label { try JSONDecoder().decode(Body.self, from: Data(json.utf8)).label }
        #expect(try decode(#"{"label": 4}"#) == .index(4))
        #expect(try decode(#"{"label": "four"}"#) == .name("four"))
        #expect(try decode(#"{"label": "4"}"#) == .index(4))
        #expect(throws: DecodingError.self) { try decode(#"{"label": 4.5}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"label": null}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"label": true}"#) }
    }

    @Test func descriptionQuotesNames() {
        #expect(Label.index(2).description == "2")
        #expect(Label.name("two").description == "'two'")
    }
}
