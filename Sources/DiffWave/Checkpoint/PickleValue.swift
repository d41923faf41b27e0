/// A value decoded from a pickle by the allow-listed `Unpickler`: plain Python data plus the
/// few torch objects a checkpoint is made of. It is inert data — no Python object was ever
/// built — so a checkpoint can be inspected (`params`, the optimizer state) without trust.
public indirect enum PickleValue: Hashable, Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits, as pickle stores it: little-endian two's complement.
    case bigInt([UInt8])
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list([PickleValue])
    /// A set or frozenset, in the order its items arrived.
    case set([PickleValue])
    /// A dict or `collections.OrderedDict`, in insertion order (a repeated key keeps its
    /// first position and its last value, as in Python).
    case dict([Pair])
    /// An allow-listed class or function that the pickle named but did not call.
    case global(module: String, name: String)
    /// A storage that a persistent id points at; its bytes live outside the pickle.
    case storage(StorageRef)
    /// A `torch.Tensor` as `_rebuild_tensor_v2` would have rebuilt it: a view of a storage.
    case tensor(TensorRef)

    public struct Pair: Hashable, Sendable {
        public var key: PickleValue
        public var value: PickleValue

        public init(key: PickleValue, value: PickleValue) {
            self.key = key
            self.value = value
        }
    }

    /// A reference to a torch storage: which bytes (`key`, an entry of the zip `data/` folder
    /// or a record of a legacy file), what they hold, and which elements of them this is.
    public struct StorageRef: Hashable, Sendable {
        public var key: String
        public var type: StorageType
        /// Device the storage was saved from ("cpu", "cuda:0"); every storage loads on the CPU.
        public var location: String
        /// First element within the stored bytes (non-zero only for legacy storage views).
        public var offset: Int
        /// Elements in this storage.
        public var count: Int
    }

    /// A tensor: `shape` and `stride` in elements, starting `offset` elements into `storage`.
    public struct TensorRef: Hashable, Sendable {
        public var storage: StorageRef
        public var offset: Int
        public var shape: [Int]
        public var stride: [Int]
    }

    /// The storage classes torch names in persistent ids, by their pickled names.
    public enum StorageType: String, Hashable, Sendable, CaseIterable {
        case float = "FloatStorage"
        case half = "HalfStorage"
        case bfloat16 = "BFloat16Storage"
        case double = "DoubleStorage"
        case long = "LongStorage"
        case int = "IntStorage"
        case short = "ShortStorage"
        case char = "CharStorage"
        case byte = "ByteStorage"
        case bool = "BoolStorage"
        case complexFloat = "ComplexFloatStorage"
        case complexDouble = "ComplexDoubleStorage"
        case untyped = "UntypedStorage"

        /// Bytes per element, which legacy files need to find where each storage ends.
        public var elementSize: Int {
            switch self {
            case .double, .long, .complexFloat: 8
            case .float, .int: 4
            case .half, .bfloat16, .short: 2
            case .char, .byte, .bool, .untyped: 1
            case .complexDouble: 16
            }
        }

        /// How the elements become `Float`; nil for the types that never hold weights.
        var floatEncoding: FloatEncoding? {
            switch self {
            case .float: .float32
            case .half: .float16
            case .bfloat16: .bfloat16
            case .double: .float64
            default: nil
            }
        }
    }
}

// Typed reads for hyper-parameters and checkpoint layout; each is nil when the value is of
// another kind, so callers decide what a missing or odd entry means.
extension PickleValue {
    /// The value for a string key of a dict (the last one if the key repeats).
    public subscript(key: String) -> PickleValue? {
        guard case .dict(let pairs) = self else { return nil }
        return pairs.last(where: { $0.key == .string(key) })?.value
    }

    public var intValue: Int? {
        if case .int(let n) = self { return n }
        return nil
    }

    /// A float, or an int read as one (Python writes `0.5` and `1` alike in hparams).
    public var doubleValue: Double? {
        switch self {
        case .double(let x): x
        case .int(let n): Double(n)
        default: nil
        }
    }

    /// A bool, or the ints 0 and 1 that Python treats as False and True.
    public var boolValue: Bool? {
        switch self {
        case .bool(let b): b
        case .int(0): false
        case .int(1): true
        default: nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The items of a list, tuple or set.
    public var elements: [PickleValue]? {
        switch self {
        case .list(let items), .tuple(let items), .set(let items): items
        default: nil
        }
    }

    /// A list or tuple of numbers, such as a noise schedule.
    public var doubleArray: [Double]? {
        guard let items = elements, !isSet else { return nil }
        var out: [Double] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let x = item.doubleValue else { return nil }
            out.append(x)
        }
        return out
    }

    /// The pairs of a dict, in order.
    public var pairs: [Pair]? {
        if case .dict(let pairs) = self { return pairs }
        return nil
    }

    public var tensorRef: TensorRef? {
        if case .tensor(let t) = self { return t }
        return nil
    }

    private var isSet: Bool {
        if case .set = self { return true }
        return false
    }

    /// The kind's name, for error messages.
    var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .double: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .set: "set"
        case .dict: "dict"
        case .global(let module, let name): "\(module).\(name)"
        case .storage: "storage"
        case .tensor: "tensor"
        }
    }
}
