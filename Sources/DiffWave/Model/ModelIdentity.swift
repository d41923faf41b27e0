import Foundation

/// Which weights are served: the SHA-256 of the checkpoint file as loaded (so a fleet can check
/// that every replica serves the same bytes, and an audio file names the model that made it),
/// with the file's name. The built-in untrained model has a fixed identity of its own: the
/// digest of the seed and configuration its weights come from.
public struct ModelIdentity: Sendable, Equatable, Codable {
    /// 64 lower-case hex digits.
    public let sha256: String
    /// The checkpoint's file name (no directories), nil for the built-in model.
    public let fileName: String?

    public init(sha256: String, fileName: String?) {
        self.sha256 = sha256
        self.fileName = fileName
    }

    /// `sha256:<hex>`, as `X-Model-Digest`, job records and audio metadata carry it.
    public var digest: String { "sha256:" + sha256 }

    /// What an audio file says of the model that made it (its metadata comment): the digest,
    /// then the file name when there is one.
    public var audioComment: String {
        "model \(digest)" + (fileName.map { " (\($0))" } ?? "")
    }

    /// The identity of a checkpoint file's bytes: their SHA-256, with the file's name
    /// (`DiffWave.loadIdentified` reads the file once for the model and this).
    init(checkpoint data: Data, fileName: String) {
        var hash = SHA256()
        data.withUnsafeBytes { hash.update($0) }
        self.init(sha256: hash.finalize().hex, fileName: fileName)
    }

    /// The built-in untrained model's identity for `config`: the digest of a text naming the
    /// seed and the hyper-parameters, which determine its weights (`DiffWave.untrained`).
    public static func untrained(config: DiffWaveConfig, seed: UInt64 = DiffWave.untrainedSeed) -> ModelIdentity {
        let text = "diffwave-server built-in untrained model; seed \(seed); \(config)"
        return ModelIdentity(sha256: SHA256.hash(Array(text.utf8)).hex, fileName: nil)
    }
}
