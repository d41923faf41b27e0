import Foundation
@testable import DiffWave

/// The reference cases copied from `../shared/reference` into `Fixtures/`.
enum Fixtures {
    static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    static func npy(_ name: String) throws -> Tensor { try NPY.read(data(name)) }

    static func npz(_ name: String) throws -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: try NPZ.read(data(name)).map { ($0.name, $0.tensor) })
    }

    static func model(_ name: String) throws -> DiffWave {
        try DiffWave.load(contentsOf: url("\(name).pt"))
    }

    /// A reference case as `cases.json` describes it (the fields the tests read).
    struct Case: Decodable {
        let `case`: String
        let full_steps: [Float]?
        let fast_steps: [Float]
        /// The class label the case's audio was sampled with (class-conditional cases).
        let label: Int?
    }

    static func cases() throws -> [Case] { try JSONDecoder().decode([Case].self, from: data("cases.json")) }

    /// The label `cases.json` gives case `name`, nil for a case without one.
    static func label(of name: String) throws -> Int? { try cases().first { $0.case == name }!.label }

    /// The optional `base` case stays in `../shared/reference` (31 MB); tests using it
    /// run only where that folder sits beside the checkout.
    static let sharedReference: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/reference")

    static var hasBase: Bool {
        FileManager.default.fileExists(atPath: sharedReference.appendingPathComponent("base.pt").path)
    }
}

