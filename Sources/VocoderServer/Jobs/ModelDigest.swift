import DiffWave
import Foundation

/// A short fingerprint of the weights a service runs. A job records the digest it was accepted
/// for, and a shared store's instances claim only jobs of their own digest: a rolling model
/// update never runs a job on other weights than those it was accepted for.
///
/// FNV-1a (64 bits) of the checkpoint's bytes: it tells apart the weights one deployment
/// serves over time, which is all it is for (not a defence against crafted files).
public enum ModelDigest {
    /// The digest of a checkpoint file.
    public static func of(file path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        return "fnv1a-" + hex(fnv1a(data))
    }

    /// The built-in untrained model: its weights follow from its configuration (and fixed seed).
    public static func untrained(_ config: DiffWaveConfig) -> String {
        "untrained-" + hex(fnv1a(Data(String(describing: config).utf8)))
    }

    static func fnv1a(_ data: Data) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        String(value, radix: 16).leftPadded(to: 16)
    }
}
