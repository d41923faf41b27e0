import Foundation

/// Where the test targets that run the built `diffwave` find it and the test checkpoints.
public enum TestPaths {
    /// The products directory `swift test` built into: the test runner lives in it
    /// (…/debug/<package>PackageTests.xctest), so the first folder up that holds `diffwave`.
    public static let productsDirectory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("diffwave").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// The built `diffwave` executable.
    public static var diffwave: URL { productsDirectory.appendingPathComponent("diffwave") }

    /// DiffWaveTests' fixtures (reference cases, test checkpoints), read from the source tree.
    public static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffWaveTests/Fixtures")

    /// The path of one fixture.
    public static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }
}

/// The largest element-wise difference of two equally long arrays.
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
