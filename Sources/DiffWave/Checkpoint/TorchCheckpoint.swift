import Foundation

/// A PyTorch checkpoint (`torch.save` output), read without Python and without trusting it.
///
/// Both serializations are accepted: the zip format (torch ≥ 1.6: `<name>/data.pkl` plus one
/// `<name>/data/<key>` record per storage) and the legacy format (a sequence of pickles
/// followed by raw storage records). The pickle is decoded by the allow-listed `Unpickler`
/// into `root`; storage bytes are only read and converted when `stateDict` asks for them, so
/// an optimizer state that is never used costs no conversion.
///
/// Not `Sendable`: zip storages are read lazily through one archive handle. Load and call
/// `stateDict` on one thread; the resulting tensors are plain values to share.
public struct TorchCheckpoint {
    /// The whole pickled object: for a DiffWave learner checkpoint a dict with `step`,
    /// `model`, `optimizer`, `params` and `scaler`; for a bare `state_dict` file, that dict.
    public let root: PickleValue
    private let storages: StorageSource

    /// Where the storage bytes behind the pickle's persistent ids live.
    enum StorageSource {
        /// `<prefix>data/<key>` entries of the archive.
        case zip(ZipArchive, prefix: String)
        /// Byte ranges of the file, one per storage key.
        case legacy(Data, records: [String: Range<Int>])
    }

    init(root: PickleValue, storages: StorageSource) {
        self.root = root
        self.storages = storages
    }

    /// Reads a checkpoint file. Throws `.io` when the file cannot be read, otherwise as `init(data:)`.
    public static func load(contentsOf url: URL) throws(DiffWaveError) -> TorchCheckpoint {
        try TorchCheckpoint(data: contents(of: url))
    }

    /// A checkpoint file's bytes (mapped where safe); `.io` when it cannot be read.
    static func contents(of url: URL) throws(DiffWaveError) -> Data {
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw DiffWaveError(.io, "cannot read checkpoint \(url.path): \(error.localizedDescription)")
        }
    }

    /// Parses a checkpoint held in memory, telling the formats apart by their first bytes.
    /// Throws `.checkpoint` for a truncated, corrupt or foreign file and `.pickle` for a pickle
    /// that is malformed or names a forbidden global.
    public init(data: Data) throws(DiffWaveError) {
        if data.starts(with: [0x50, 0x4B]) {  // "PK": a zip local file header or an empty archive
            self = try Self.zip(data)
        } else if data.first == 0x80 {  // PROTO: a pickle, which torch's legacy files start with
            self = try Self.legacy(data)
        } else if data.count > 262, data[data.startIndex + 257..<data.startIndex + 262].elementsEqual("ustar".utf8) {
            throw DiffWaveError(.checkpoint, "tar-format torch checkpoints (torch < 0.4) are not supported")
        } else {
            throw DiffWaveError(.checkpoint, "not a torch checkpoint (no zip signature, no legacy magic)")
        }
    }

    private static func zip(_ data: Data) throws(DiffWaveError) -> TorchCheckpoint {
        let archive = try ZipArchive(data: data, code: .checkpoint, label: "checkpoint")
        // torch names every record `<archive name>/...`; the pickle is `<archive name>/data.pkl`.
        let pickles = archive.paths.filter { path in
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[1] == "data.pkl" && !parts[0].isEmpty
        }
        guard let pickle = pickles.first else {
            throw DiffWaveError(.checkpoint, "not a torch checkpoint (zip archive without <name>/data.pkl)")
        }
        guard pickles.count == 1 else {
            throw DiffWaveError(.checkpoint, "checkpoint holds \(pickles.count) data.pkl records; expected one")
        }
        let prefix = String(pickle.dropLast("data.pkl".count))
        if archive.contains(prefix + "byteorder") {
            let order = String(decoding: try archive.read(prefix + "byteorder", limit: 64), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard order == "little" else {
                throw DiffWaveError(.checkpoint, order == "big"
                    ? "checkpoint was saved on a big-endian machine, which is not supported"
                    : "checkpoint has an unknown byte order '\(order)'")
            }
        }
        var unpickler = Unpickler([UInt8](try archive.read(pickle)))
        let root = try runPickle(&unpickler)
        return TorchCheckpoint(root: root, storages: .zip(archive, prefix: prefix))
    }

    /// Runs one pickle; running out of bytes means the file was cut short.
    static func runPickle(_ unpickler: inout Unpickler) throws(DiffWaveError) -> PickleValue {
        do {
            return try unpickler.load()
        } catch where unpickler.ranOutOfData {
            throw DiffWaveError(.checkpoint, "checkpoint is truncated: \(error.message)")
        }
    }

    // MARK: - Reading

    /// The hyper-parameters stored under `params` (the reference writes a plain dict), by
    /// name; nil when the checkpoint has none, in which case the reference defaults apply.
    public var params: [String: PickleValue]? {
        guard let pairs = root["params"]?.pairs else { return nil }
        var out: [String: PickleValue] = [:]
        for pair in pairs {
            if case .string(let name) = pair.key { out[name] = pair.value }
        }
        return out
    }

    /// The float tensors of the state dict under `key` (`model` in a learner checkpoint), or of
    /// `root` itself when the file is a bare state dict. Keys lose a leading `module.`
    /// (DataParallel). Storage dtype (float32, float16, bfloat16, float64), size, stride and
    /// offset are honoured and bounds-checked; errors name the tensor.
    public func stateDict(_ key: String = "model") throws(DiffWaveError) -> [String: Tensor] {
        let pairs: [PickleValue.Pair]
        if let entry = root[key] {
            guard let dict = entry.pairs else {
                throw DiffWaveError(.checkpoint, "checkpoint entry '\(key)' is not a state dict (found \(entry.kindName))")
            }
            pairs = dict
        } else if let dict = root.pairs, !dict.isEmpty, dict.allSatisfy({ $0.value.tensorRef != nil }) {
            pairs = dict
        } else {
            let keys = (root.pairs ?? []).compactMap(\.key.stringValue).joined(separator: ", ")
            throw DiffWaveError(.checkpoint, "checkpoint has no '\(key)' state dict (top-level keys: \(keys.isEmpty ? "none" : keys))")
        }

        var decoded: [String: [Float]] = [:]  // several tensors may view one storage
        var tensors: [String: Tensor] = [:]
        for pair in pairs {
            guard case .string(let original) = pair.key else {
                throw DiffWaveError(.checkpoint, "state dict '\(key)' has a key of type \(pair.key.kindName)")
            }
            let name = original.hasPrefix("module.") ? String(original.dropFirst("module.".count)) : original
            guard case .tensor(let ref) = pair.value else {
                throw DiffWaveError(.checkpoint, "state dict entry '\(original)' is not a tensor (found \(pair.value.kindName))")
            }
            guard tensors[name] == nil else {
                throw DiffWaveError(.checkpoint, "state dict names '\(name)' twice")
            }
            tensors[name] = try materialize(ref, name: original, decoded: &decoded)
        }
        return tensors
    }

    /// One tensor as a dense row-major float32 array.
    private func materialize(_ ref: PickleValue.TensorRef, name: String, decoded: inout [String: [Float]]) throws(DiffWaveError) -> Tensor {
        let storage = ref.storage
        guard let encoding = storage.type.floatEncoding else {
            throw DiffWaveError(.checkpoint, "tensor '\(name)' is stored as \(storage.type.rawValue), which does not hold floats")
        }
        var count = 1
        for dim in ref.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw DiffWaveError(.checkpoint, "tensor '\(name)' has an impossible size \(Tensor.describe(ref.shape))") }
            count = product
        }
        guard let extent = Tensor.stridedExtent(shape: ref.shape, strides: ref.stride, offset: ref.offset),
              extent <= storage.count else {
            throw DiffWaveError(.checkpoint, "tensor '\(name)' (size \(Tensor.describe(ref.shape)), stride \(Tensor.describe(ref.stride)), offset \(ref.offset)) reaches outside its storage of \(storage.count) elements")
        }
        let values: [Float]
        if let cached = decoded[storage.key] {
            values = cached
        } else {
            values = try decode(storage, encoding: encoding, tensor: name)
            decoded[storage.key] = values
        }
        guard storage.offset + storage.count <= values.count else {
            throw DiffWaveError(.checkpoint, "storage '\(storage.key)' of tensor '\(name)' holds \(values.count) elements; its pickle promises \(storage.offset + storage.count)")
        }
        return values.withUnsafeBufferPointer {
            Tensor(gathering: $0, offset: storage.offset + ref.offset, shape: ref.shape, strides: ref.stride)
        }
    }

    /// Every element of a storage record, converted to float32.
    private func decode(_ storage: PickleValue.StorageRef, encoding: FloatEncoding, tensor: String) throws(DiffWaveError) -> [Float] {
        let bytes: Data
        switch storages {
        case .zip(let archive, let prefix):
            let path = prefix + "data/" + storage.key
            guard archive.contains(path) else {
                throw DiffWaveError(.checkpoint, "checkpoint has no record 'data/\(storage.key)' for tensor '\(tensor)'")
            }
            bytes = try archive.read(path)
        case .legacy(let data, let records):
            guard let range = records[storage.key] else {
                throw DiffWaveError(.checkpoint, "checkpoint has no storage '\(storage.key)' for tensor '\(tensor)'")
            }
            bytes = data[range]
        }
        let count = bytes.count / encoding.byteCount
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                if let src = raw.baseAddress, let dst = out.baseAddress, count > 0 {
                    encoding.decode(src, count: count, bigEndian: false, into: dst)
                }
            }
            initialized = count
        }
    }
}
