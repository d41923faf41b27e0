import Foundation
import Testing

/// docs/architecture.md names the files to read and to change; they must exist, so that the
/// page cannot silently go stale when code moves.
@Suite struct ArchitectureDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func page() throws -> String {
        try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
    }

    /// Every `Sources/...` or `Tests/...` path in backticks.
    static func paths(in text: String) -> [String] {
        text.matches(of: /`((?:Sources|Tests)\/[^`\s]+)`/).map { String($0.output.1) }
    }

    @Test func everyPathItNamesExists() throws {
        let paths = Self.paths(in: try Self.page())
        #expect(paths.count >= 40, "the page names the files along the /vocode path and every limit")
        let missing = paths.filter { !FileManager.default.fileExists(atPath: Self.root.appendingPathComponent($0).path) }
        #expect(missing.isEmpty, "named in docs/architecture.md but absent: \(missing)")
    }

    @Test func itSaysWhichFileToChangeForEachCommonChange() throws {
        let page = try Self.page()
        for change in ["a new route", "a new error", "a new output format", "a new kernel"] {
            let row = try #require(page.split(separator: "\n").first { $0.hasPrefix("| \(change) |") }, "no row for \(change)")
            #expect(!Self.paths(in: String(row)).isEmpty, "the row for \(change) names no file")
        }
    }

    @Test func aMissingPathIsCaught() {
        let paths = Self.paths(in: "see `Sources/Nowhere/Missing.swift` and `Tests/TestSupport/TestClient.swift`")
        #expect(paths == ["Sources/Nowhere/Missing.swift", "Tests/TestSupport/TestClient.swift"])
        #expect(!FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(paths[0]).path))
    }
}
