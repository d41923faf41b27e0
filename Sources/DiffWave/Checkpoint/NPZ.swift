import Foundation

/// NumPy `.npz` archives (`numpy.savez`, stored; `numpy.savez_compressed`, deflated): a mel
/// upload may come as one, and the reference fixtures keep their forward-pass tensors in them.
public enum NPZ {
    /// The default cap on the bytes all arrays inflate to: far above any mel, far below what a
    /// few kilobytes of hostile deflate stream could otherwise make the process allocate.
    public static let defaultMaxBytes = 1 << 30

    /// Every `.npy` entry of the archive in archive order, named without the `.npy` suffix.
    /// Entries that are not `.npy` files are skipped (numpy would hand them back as raw bytes).
    /// Throws `DiffWaveError(.array, ...)`; an entry's error names the entry.
    public static func read(_ data: Data, maxBytes: Int = defaultMaxBytes) throws(DiffWaveError) -> [(name: String, tensor: Tensor)] {
        let archive = try ZipArchive(data: data, code: .array, label: "npz")
        var arrays: [(name: String, tensor: Tensor)] = []
        var budget = maxBytes
        for path in archive.paths where path.hasSuffix(".npy") {
            let bytes = try archive.read(path, limit: budget)
            budget -= bytes.count
            do {
                arrays.append((String(path.dropLast(4)), try NPY.read(bytes)))
            } catch {
                let reason = error.message.hasPrefix("npy: ") ? String(error.message.dropFirst(5)) : error.message
                throw DiffWaveError(.array, "npz entry '\(path)': \(reason)")
            }
        }
        return arrays
    }
}
