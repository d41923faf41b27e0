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

