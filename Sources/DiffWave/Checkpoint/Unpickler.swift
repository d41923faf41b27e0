/// A safe pickle virtual machine (protocols 0–5) for torch checkpoints.
///
/// Python's unpickler imports any module and calls any callable a file names, so loading an
/// untrusted `.pt` with it runs arbitrary code. This one never imports or calls anything: it
/// knows a short allow-list of globals (OrderedDict, torch's tensor rebuilders and storage
/// classes) and interprets each itself; any other global fails the load at the opcode that
/// names it. Stack, memo and total work are bounded, and every length is checked against the
/// bytes that remain before anything is allocated.
struct Unpickler {
    /// Bounds that no real checkpoint approaches (the 31.7 MB reference checkpoint needs a
    /// stack of tens and a memo of thousands) but that stop hostile files early.
    static let maxStack = 1 << 20
    static let maxMemo = 1 << 20
    static let maxDepth = 256

    private let bytes: [UInt8]
    /// The offset of the next opcode; after `load()`, the first byte past STOP.
    private(set) var position: Int
    /// Set when a load failed because the bytes ran out, which to a file reader means "truncated".
    private(set) var ranOutOfData = false
    /// Set when a load failed on a global outside the allow-list.
    private(set) var namedForbiddenGlobal = false
    /// The type of every storage key a persistent id named, for readers that must size them.
    private(set) var storageTypes: [String: PickleValue.StorageType] = [:]

    private var stack: [Node] = []
    private var marks: [Int] = []
    private var memo: [Int: Node] = [:]
    /// Values left to build from containers before the load is refused: linear in the input,
    /// so a pickle that re-reads one big list a million times cannot stall the loader.
    private var freezeBudget: Int
    private var opcodeStart = 0

    init(_ bytes: [UInt8], from offset: Int = 0) {
        self.bytes = bytes
        self.position = offset
        self.freezeBudget = 16 * max(bytes.count - offset, 0) + 1_000_000
    }

    /// Runs the pickle starting at `position` up to its STOP opcode and returns its value.
    mutating func load() throws(DiffWaveError) -> PickleValue {
        stack.removeAll()
        marks.removeAll()
        memo.removeAll()
        while true {
            opcodeStart = position
            let opcode = try readByte()
            if opcode == Op.stop {
                guard let top = stack.popLast() else { throw failure("STOP with an empty stack") }
                var cache: [ObjectIdentifier: PickleValue] = [:]
                var open: Set<ObjectIdentifier> = []
                return try freeze(top, depth: 0, cache: &cache, open: &open)
            }
            try execute(opcode)
            guard stack.count + marks.count <= Self.maxStack else { throw failure("stack grows beyond \(Self.maxStack) items") }
        }
    }

    // MARK: - Opcodes

    private mutating func execute(_ opcode: UInt8) throws(DiffWaveError) {
        switch opcode {
        case Op.proto:
            let version = try readByte()
            guard version <= 5 else { throw failure("unsupported pickle protocol \(version)") }
        case Op.frame:
            _ = try readInteger(8)  // protocol 4 framing: a length hint, nothing to do
        case Op.mark:
            marks.append(stack.count)
        case Op.pop:
            if stack.count > (marks.last ?? 0) {
                stack.removeLast()
            } else if marks.isEmpty {
                throw failure("POP on an empty stack")
            } else {
                _ = try popMark()
            }
        case Op.popMark:
            _ = try popMark()
        case Op.dup:
            push(try top())
        case Op.none:
            push(.value(.none))
        case Op.newTrue:
            push(.value(.bool(true)))
        case Op.newFalse:
            push(.value(.bool(false)))

        case Op.int:
            let line = try readLine()
            // Protocol 0 spells booleans as INT "01" / "00".
            if line == "01" { push(.value(.bool(true))) } else if line == "00" { push(.value(.bool(false))) } else {
                push(.value(.int(try parseDecimal(line))))
            }
        case Op.binInt:
            push(.value(.int(Int(Int32(truncatingIfNeeded: try readInteger(4))))))
        case Op.binInt1:
            push(.value(.int(Int(try readByte()))))
        case Op.binInt2:
            push(.value(.int(Int(try readInteger(2)))))
        case Op.long:
            var line = try readLine()
            if line.hasSuffix("L") { line.removeLast() }
            push(.value(.int(try parseDecimal(line))))
        case Op.long1:
            push(.value(try readLong(length: Int(try readByte()))))
        case Op.long4:
            push(.value(try readLong(length: try readLength(4, signed: true))))
        case Op.float:
            let line = try readLine()
            guard let x = Double(line) else { throw failure("FLOAT '\(line)' is not a number") }
            push(.value(.double(x)))
        case Op.binFloat:
            push(.value(.double(Double(bitPattern: UInt64(try readInteger(8, bigEndian: true))))))

        case Op.string:
            push(.value(Self.text(try unquote(try readLineBytes()))))
        case Op.binString:
            push(.value(Self.text(try readBytes(try readLength(4, signed: true)))))
        case Op.shortBinString:
            push(.value(Self.text(try readBytes(Int(try readByte())))))
        case Op.unicode:
            push(.value(.string(try rawUnicodeEscape(try readLineBytes()))))
        case Op.binUnicode:
            push(.value(.string(try utf8(try readBytes(try readLength(4))))))
        case Op.shortBinUnicode:
            push(.value(.string(try utf8(try readBytes(Int(try readByte()))))))
        case Op.binUnicode8:
            push(.value(.string(try utf8(try readBytes(try readLength(8))))))
        case Op.binBytes:
            push(.value(.bytes(try readBytes(try readLength(4)))))
        case Op.shortBinBytes:
            push(.value(.bytes(try readBytes(Int(try readByte())))))
        case Op.binBytes8:
            push(.value(.bytes(try readBytes(try readLength(8)))))

        case Op.emptyTuple:
            push(.tuple(TupleBox([])))
        case Op.tuple:
            push(.tuple(TupleBox(try popMark())))
        case Op.tuple1, Op.tuple2, Op.tuple3:
            let n = Int(opcode - Op.tuple1) + 1
            push(.tuple(TupleBox(try popItems(n))))
        case Op.emptyList:
            push(.list(ListBox([])))
        case Op.list:
            push(.list(ListBox(try popMark())))
        case Op.append:
            let item = try pop()
            try appendToList([item])
        case Op.appends:
            try appendToList(try popMark())
        case Op.emptyDict:
            push(.dict(DictBox()))
        case Op.dict:
            let items = try popMark()
            let box = DictBox()
            try setItems(items, in: box)
            push(.dict(box))
        case Op.setItem:
            let value = try pop()
            let key = try pop()
            try setItems([key, value], in: try dictOnTop())
        case Op.setItems:
            let items = try popMark()
            try setItems(items, in: try dictOnTop())
        case Op.emptySet:
            push(.set(SetBox()))
        case Op.addItems:
            let items = try popMark()
            guard case .set(let box) = try top() else { throw failure("ADDITEMS to something other than a set") }
            for item in items { box.insert(try freezeShallow(item)) }
        case Op.frozenSet:
            let box = SetBox()
            for item in try popMark() { box.insert(try freezeShallow(item)) }
            push(.set(box))

        case Op.get:
            push(try memoized(try parseDecimal(try readLine())))
        case Op.binGet:
            push(try memoized(Int(try readByte())))
        case Op.longBinGet:
            push(try memoized(Int(try readInteger(4))))
        case Op.put:
            try memoize(try top(), at: try parseDecimal(try readLine()))
        case Op.binPut:
            try memoize(try top(), at: Int(try readByte()))
        case Op.longBinPut:
            try memoize(try top(), at: Int(try readInteger(4)))
        case Op.memoizeTop:
            try memoize(try top(), at: memo.count)

        case Op.global:
            let module = String(decoding: try readLineBytes(), as: UTF8.self)
            let name = String(decoding: try readLineBytes(), as: UTF8.self)
            push(.value(try allowedGlobal(module: module, name: name)))
        case Op.stackGlobal:
            let name = try freezeShallow(try pop())
            let module = try freezeShallow(try pop())
            guard case .string(let n) = name, case .string(let m) = module else {
                throw failure("STACK_GLOBAL needs two strings")
            }
            push(.value(try allowedGlobal(module: m, name: n)))
        case Op.reduce:
            let args = try pop()
            let callable = try pop()
            push(try call(callable, args: args))
        case Op.newObj:
            let args = try pop()
            let cls = try pop()
            guard case .value(.global("collections", "OrderedDict")) = cls else {
                throw failure("NEWOBJ of \(describe(cls)) is not supported")
            }
            push(try call(cls, args: args))
        case Op.build:
            let state = try pop()
            switch try top() {
            case .dict:
                // OrderedDict state (a state_dict's `_metadata` attribute): irrelevant to weights.
                break
            case .value(.tensor):
                // A tensor's `__dict__` / hooks state: nothing the engine reads.
                break
            case let other:
                throw failure("BUILD on \(describe(other)) is not supported (state \(describe(state)))")
            }
        case Op.persID:
            let id = String(decoding: try readLineBytes(), as: UTF8.self)
            throw failure("unsupported persistent id '\(id)'")
        case Op.binPersID:
            push(.value(try persistentLoad(try freezeShallow(try pop()))))

        default:
            let name = Op.names[opcode].map { " (\($0))" } ?? ""
            throw failure("unsupported pickle opcode 0x\(String(opcode, radix: 16))\(name)")
        }
    }

    // MARK: - Allow-listed globals

    /// Every global a checkpoint may name. Anything else is refused by name, before it could
    /// matter whether it would be called.
    private static let allowedGlobals: Set<String> = {
        var names: Set<String> = [
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset",
            // Python 3 pickles `bytes` at protocol 2 as _codecs.encode(str, 'latin1').
            "_codecs.encode",
        ]
        for type in PickleValue.StorageType.allCases { names.insert("torch." + type.rawValue) }
        return names
    }()

    private mutating func allowedGlobal(module: String, name: String) throws(DiffWaveError) -> PickleValue {
        let qualified = module + "." + name
        guard Self.allowedGlobals.contains(qualified) else {
            namedForbiddenGlobal = true
            throw DiffWaveError(.pickle, "checkpoint names a forbidden global '\(qualified)' at offset \(opcodeStart); nothing was imported or run")
        }
        return .global(module: module == "__builtin__" ? "builtins" : module, name: name)
    }

    /// REDUCE and NEWOBJ: each allowed callable is interpreted here, never invoked.
    private mutating func call(_ callable: Node, args node: Node) throws(DiffWaveError) -> Node {
        guard case .value(.global(let module, let name)) = callable else {
            throw failure("REDUCE on \(describe(callable)), which is not a callable")
        }
        guard case .tuple(let argBox) = node else { throw failure("REDUCE arguments are not a tuple") }
        let args = argBox.items
        switch (module, name) {
        case ("collections", "OrderedDict"):
            let box = DictBox()
            if let first = args.first {
                // Python 2 pickled OrderedDict(items) with its items as a list of pairs.
                guard args.count == 1, case .list(let list) = first else { throw failure("OrderedDict arguments are not a list of pairs") }
                for pair in list.items {
                    guard case .list(let kv) = pair, kv.items.count == 2 else {
                        throw failure("OrderedDict arguments are not a list of pairs")
                    }
                    try setItems(kv.items, in: box)
                }
            }
            return .dict(box)
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            return .value(.tensor(try rebuildTensor(args)))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            // (data, requires_grad, backward_hooks[, state]): a Parameter is its data.
            guard args.count >= 3, case .value(.tensor) = args[0] else { throw failure("\(name) without a tensor") }
            return args[0]
        case ("builtins", "set"), ("builtins", "frozenset"):
            let box = SetBox()
            if let first = args.first {
                guard args.count == 1, let items = try freezeShallow(first).elements else { throw failure("\(name) of a non-sequence") }
                for item in items { box.insert(item) }
            }
            return .set(box)
        case ("_codecs", "encode"):
            guard args.count == 2, case .value(.string(let text)) = args[0],
                  case .value(.string(let codec)) = args[1], codec == "latin1" || codec == "latin-1" else {
                throw failure("_codecs.encode is allowed only for latin-1 text")
            }
            var out: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw failure("_codecs.encode of text outside latin-1") }
                out.append(UInt8(scalar.value))
            }
            return .value(.bytes(out))
        default:
            throw failure("\(module).\(name) cannot be called")
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`.
    private mutating func rebuildTensor(_ args: [Node]) throws(DiffWaveError) -> PickleValue.TensorRef {
        guard args.count >= 4, case .value(.storage(let storage)) = args[0],
              case .value(.int(let offset)) = args[1], offset >= 0 else {
            throw failure("tensor rebuild arguments are not (storage, offset, size, stride, ...)")
        }
        func dims(_ node: Node) throws(DiffWaveError) -> [Int] {
            guard case .tuple(let box) = node else { throw failure("tensor size or stride is not a tuple") }
            var out: [Int] = []
            for item in box.items {
                guard case .value(.int(let n)) = item, n >= 0 else {
                    throw failure("tensor size or stride holds something other than a non-negative int")
                }
                out.append(n)
            }
            return out
        }
        let shape = try dims(args[2])
        let stride = try dims(args[3])
        guard shape.count == stride.count else {
            throw failure("tensor size \(Tensor.describe(shape)) and stride \(Tensor.describe(stride)) differ in rank")
        }
        return PickleValue.TensorRef(storage: storage, offset: offset, shape: shape, stride: stride)
    }

    /// torch's persistent ids: `('storage', StorageClass, key, location, numel)` in zip files;
    /// legacy files add `view_metadata`, None or `(view_key, offset, view_size)`.
    private mutating func persistentLoad(_ id: PickleValue) throws(DiffWaveError) -> PickleValue {
        guard case .tuple(let items) = id, items.count == 5 || items.count == 6,
              items[0] == .string("storage") else {
            throw failure("unsupported persistent id \(id.kindName)")
        }
        guard case .global("torch", let typeName) = items[1], let type = PickleValue.StorageType(rawValue: typeName) else {
            throw failure("persistent id names an unknown storage type")
        }
        let key: String
        switch items[2] {
        case .string(let s): key = s
        case .int(let n): key = String(n)
        default: throw failure("persistent id has a storage key of type \(items[2].kindName)")
        }
        guard let location = items[3].stringValue, let count = items[4].intValue, count >= 0 else {
            throw failure("persistent id for storage '\(key)' is malformed")
        }
        if let previous = storageTypes[key], previous != type {
            throw failure("storage '\(key)' is named as both \(previous.rawValue) and \(type.rawValue)")
        }
        storageTypes[key] = type
        var ref = PickleValue.StorageRef(key: key, type: type, location: location, offset: 0, count: count)
        if items.count == 6, items[5] != .none {
            guard case .tuple(let view) = items[5], view.count == 3,
                  let viewOffset = view[1].intValue, let viewCount = view[2].intValue,
                  viewOffset >= 0, viewCount >= 0, viewOffset <= count, viewCount <= count - viewOffset else {
                throw failure("storage view of '\(key)' is malformed or outside its storage")
            }
            ref.offset = viewOffset
            ref.count = viewCount
        }
        return .storage(ref)
    }

    // MARK: - Stack, marks, memo

    private mutating func push(_ node: Node) {
        stack.append(node)
    }

    private mutating func pop() throws(DiffWaveError) -> Node {
        guard stack.count > (marks.last ?? 0), let node = stack.popLast() else {
            throw failure("stack underflow")
        }
        return node
    }

    private func top() throws(DiffWaveError) -> Node {
        guard stack.count > (marks.last ?? 0), let node = stack.last else { throw failure("stack underflow") }
        return node
    }

    private mutating func popItems(_ n: Int) throws(DiffWaveError) -> [Node] {
        guard stack.count - (marks.last ?? 0) >= n else { throw failure("stack underflow") }
        let items = Array(stack.suffix(n))
        stack.removeLast(n)
        return items
    }

    private mutating func popMark() throws(DiffWaveError) -> [Node] {
        guard let mark = marks.popLast() else { throw failure("no MARK to pop to") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private func memoized(_ index: Int) throws(DiffWaveError) -> Node {
        guard let node = memo[index] else { throw failure("memo key \(index) was never stored") }
        return node
    }

    private mutating func memoize(_ node: Node, at index: Int) throws(DiffWaveError) {
        guard index >= 0 else { throw failure("negative memo key") }
        guard memo.count < Self.maxMemo || memo[index] != nil else {
            throw failure("memo grows beyond \(Self.maxMemo) entries")
        }
        memo[index] = node
    }

    private mutating func appendToList(_ items: [Node]) throws(DiffWaveError) {
        guard case .list(let box) = try top() else { throw failure("APPEND to something other than a list") }
        box.items.append(contentsOf: items)
    }

    private mutating func dictOnTop() throws(DiffWaveError) -> DictBox {
        guard case .dict(let box) = try top() else { throw failure("SETITEM on something other than a dict") }
        return box
    }

    private mutating func setItems(_ items: [Node], in box: DictBox) throws(DiffWaveError) {
        guard items.count % 2 == 0 else { throw failure("dict items are not key-value pairs") }
        for i in stride(from: 0, to: items.count, by: 2) {
            box.set(try freezeShallow(items[i]), items[i + 1])
        }
    }

    // MARK: - Freezing containers into values

    /// Freezes a value needed mid-run (a dict key, call arguments); charged to the budget.
    private mutating func freezeShallow(_ node: Node) throws(DiffWaveError) -> PickleValue {
        var cache: [ObjectIdentifier: PickleValue] = [:]
        var open: Set<ObjectIdentifier> = []
        return try freeze(node, depth: 0, cache: &cache, open: &open)
    }

    /// Turns the mutable containers of the run into values. Shared containers are built once
    /// (so a pickle of nested shared lists cannot expand exponentially), a container that
    /// contains itself is refused, and so is nesting deeper than `maxDepth`.
    private mutating func freeze(
        _ node: Node, depth: Int, cache: inout [ObjectIdentifier: PickleValue], open: inout Set<ObjectIdentifier>
    ) throws(DiffWaveError) -> PickleValue {
        freezeBudget -= 1
        guard freezeBudget >= 0 else { throw failure("pickle expands to too many values") }
        guard depth < Self.maxDepth else { throw failure("containers nest deeper than \(Self.maxDepth) levels") }
        let id: ObjectIdentifier
        switch node {
        case .value(let value): return value
        case .list(let box): id = ObjectIdentifier(box)
        case .tuple(let box): id = ObjectIdentifier(box)
        case .dict(let box): id = ObjectIdentifier(box)
        case .set(let box): return .set(box.items)
        }
        if let done = cache[id] { return done }
        guard open.insert(id).inserted else { throw failure("pickle contains a reference cycle") }
        let value: PickleValue
        switch node {
        case .list(let box):
            var items: [PickleValue] = []
            items.reserveCapacity(box.items.count)
            for item in box.items { items.append(try freeze(item, depth: depth + 1, cache: &cache, open: &open)) }
            value = .list(items)
        case .tuple(let box):
            var items: [PickleValue] = []
            items.reserveCapacity(box.items.count)
            for item in box.items { items.append(try freeze(item, depth: depth + 1, cache: &cache, open: &open)) }
            value = .tuple(items)
        case .dict(let box):
            var pairs: [PickleValue.Pair] = []
            pairs.reserveCapacity(box.keys.count)
            for (key, item) in zip(box.keys, box.values) {
                pairs.append(.init(key: key, value: try freeze(item, depth: depth + 1, cache: &cache, open: &open)))
            }
            value = .dict(pairs)
        case .value, .set:
            preconditionFailure("handled above")
        }
        open.remove(id)
        cache[id] = value
        return value
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .value(let v): v.kindName
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .set: "set"
        }
    }

    // MARK: - Reading bytes

    private mutating func need(_ count: Int) throws(DiffWaveError) {
        guard count >= 0, count <= bytes.count - position else {
            ranOutOfData = true
            throw failure("pickle data ends early (needs \(count) bytes, \(max(bytes.count - position, 0)) left)")
        }
    }

    private mutating func readByte() throws(DiffWaveError) -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    /// An unsigned little-endian (or big-endian) integer of `count` ≤ 8 bytes.
    private mutating func readInteger(_ count: Int, bigEndian: Bool = false) throws(DiffWaveError) -> UInt64 {
        try need(count)
        var value: UInt64 = 0
        for i in 0..<count {
            let byte = UInt64(bytes[position + (bigEndian ? i : count - 1 - i)])
            value = value << 8 | byte
        }
        position += count
        return value
    }

    /// A length prefix, refused when it exceeds what is left so nothing is allocated for it.
    private mutating func readLength(_ count: Int, signed: Bool = false) throws(DiffWaveError) -> Int {
        let raw = try readInteger(count)
        let value: Int
        if signed && count == 4 {
            value = Int(Int32(truncatingIfNeeded: raw))
            guard value >= 0 else { throw failure("negative length \(value)") }
        } else {
            guard raw <= UInt64(Int.max) else { throw failure("length \(raw) is impossible") }
            value = Int(raw)
        }
        try need(value)
        return value
    }

    private mutating func readBytes(_ count: Int) throws(DiffWaveError) -> [UInt8] {
        try need(count)
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// The bytes up to the next newline (protocol 0 arguments), newline consumed.
    private mutating func readLineBytes() throws(DiffWaveError) -> [UInt8] {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else {
            ranOutOfData = true
            throw failure("pickle data ends inside a text argument")
        }
        defer { position = end + 1 }
        return Array(bytes[position..<end])
    }

    private mutating func readLine() throws(DiffWaveError) -> String {
        String(decoding: try readLineBytes(), as: UTF8.self)
    }

    /// LONG1/LONG4: little-endian two's complement, `Int` when it fits.
    private mutating func readLong(length: Int) throws(DiffWaveError) -> PickleValue {
        let raw = try readBytes(length)
        guard raw.count <= 8 else { return .bigInt(raw) }
        guard let last = raw.last else { return .int(0) }
        var value: UInt64 = last & 0x80 != 0 ? ~0 : 0  // sign extension
        for byte in raw.reversed() { value = value << 8 | UInt64(byte) }
        return .int(Int(Int64(bitPattern: value)))
    }

    private func parseDecimal(_ text: String) throws(DiffWaveError) -> Int {
        guard let n = Int(text.trimmingPrefix("+")) else { throw failure("'\(text)' is not a 64-bit integer") }
        return n
    }

    /// STRING's argument is a Python 2 `repr`: quoted, with backslash escapes.
    private func unquote(_ raw: [UInt8]) throws(DiffWaveError) -> [UInt8] {
        guard raw.count >= 2, let q = raw.first, q == 0x27 || q == 0x22, raw.last == q else {
            throw failure("STRING argument is not quoted")
        }
        var out: [UInt8] = []
        var i = 1
        while i < raw.count - 1 {
            let c = raw[i]
            i += 1
            guard c == 0x5C, i < raw.count - 1 else { out.append(c); continue }
            let e = raw[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "x"):
                guard i + 2 <= raw.count - 1, let v = UInt8(String(decoding: raw[i..<(i + 2)], as: UTF8.self), radix: 16) else {
                    throw failure("bad \\x escape in STRING")
                }
                out.append(v)
                i += 2
            default: out.append(e)
            }
        }
        return out
    }

    /// UNICODE's argument is Python's raw-unicode-escape: latin-1 plus `\uXXXX` / `\UXXXXXXXX`.
    private func rawUnicodeEscape(_ raw: [UInt8]) throws(DiffWaveError) -> String {
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < raw.count {
            if raw[i] == 0x5C, i + 1 < raw.count, raw[i + 1] == UInt8(ascii: "u") || raw[i + 1] == UInt8(ascii: "U") {
                let width = raw[i + 1] == UInt8(ascii: "u") ? 4 : 8
                guard i + 2 + width <= raw.count,
                      let code = UInt32(String(decoding: raw[(i + 2)..<(i + 2 + width)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(code) else { throw failure("bad escape in UNICODE") }
                scalars.append(scalar)
                i += 2 + width
            } else {
                scalars.append(Unicode.Scalar(raw[i]))
                i += 1
            }
        }
        return String(scalars)
    }

    private func utf8(_ raw: [UInt8]) throws(DiffWaveError) -> String {
        guard let s = String(validating: raw, as: UTF8.self) else { throw failure("string is not valid UTF-8") }
        return s
    }

    /// Python 2 `str` (STRING opcodes): text when it is UTF-8, as torch.load decodes it.
    private static func text(_ raw: [UInt8]) -> PickleValue {
        String(validating: raw, as: UTF8.self).map { .string($0) } ?? .bytes(raw)
    }

    private func failure(_ what: String) -> DiffWaveError {
        DiffWaveError(.pickle, "pickle: \(what) at offset \(opcodeStart)")
    }
}

// MARK: - Run-time containers

extension Unpickler {
    /// The stack holds mutable containers by reference, as Python does: a list that is
    /// memoized and then appended to must show its items wherever it is referenced.
    fileprivate enum Node {
        case value(PickleValue)
        case list(ListBox)
        case tuple(TupleBox)
        case dict(DictBox)
        case set(SetBox)
    }

    fileprivate final class ListBox {
        var items: [Node]
        init(_ items: [Node]) { self.items = items }
    }

    /// Tuples are immutable but may hold mutable containers, and are shared through the memo.
    fileprivate final class TupleBox {
        let items: [Node]
        init(_ items: [Node]) { self.items = items }
    }

    fileprivate final class DictBox {
        var keys: [PickleValue] = []
        var values: [Node] = []
        private var index: [PickleValue: Int] = [:]

        func set(_ key: PickleValue, _ value: Node) {
            if let i = index[key] {
                values[i] = value
            } else {
                index[key] = keys.count
                keys.append(key)
                values.append(value)
            }
        }
    }

    /// Set items are frozen on insertion: Python only allows immutable (hashable) ones.
    fileprivate final class SetBox {
        var items: [PickleValue] = []
        private var seen: Set<PickleValue> = []

        func insert(_ item: PickleValue) {
            if seen.insert(item).inserted { items.append(item) }
        }
    }

    /// Opcode bytes, named as in CPython's pickletools.
    fileprivate enum Op {
        static let mark = UInt8(ascii: "(")
        static let stop = UInt8(ascii: ".")
        static let pop = UInt8(ascii: "0")
        static let popMark = UInt8(ascii: "1")
        static let dup = UInt8(ascii: "2")
        static let float = UInt8(ascii: "F")
        static let int = UInt8(ascii: "I")
        static let binInt = UInt8(ascii: "J")
        static let binInt1 = UInt8(ascii: "K")
        static let long = UInt8(ascii: "L")
        static let binInt2 = UInt8(ascii: "M")
        static let none = UInt8(ascii: "N")
        static let persID = UInt8(ascii: "P")
        static let binPersID = UInt8(ascii: "Q")
        static let reduce = UInt8(ascii: "R")
        static let string = UInt8(ascii: "S")
        static let binString = UInt8(ascii: "T")
        static let shortBinString = UInt8(ascii: "U")
        static let unicode = UInt8(ascii: "V")
        static let binUnicode = UInt8(ascii: "X")
        static let append = UInt8(ascii: "a")
        static let build = UInt8(ascii: "b")
        static let global = UInt8(ascii: "c")
        static let dict = UInt8(ascii: "d")
        static let emptyDict = UInt8(ascii: "}")
        static let appends = UInt8(ascii: "e")
        static let get = UInt8(ascii: "g")
        static let binGet = UInt8(ascii: "h")
        static let longBinGet = UInt8(ascii: "j")
        static let list = UInt8(ascii: "l")
        static let emptyList = UInt8(ascii: "]")
        static let put = UInt8(ascii: "p")
        static let binPut = UInt8(ascii: "q")
        static let longBinPut = UInt8(ascii: "r")
        static let setItem = UInt8(ascii: "s")
        static let tuple = UInt8(ascii: "t")
        static let emptyTuple = UInt8(ascii: ")")
        static let setItems = UInt8(ascii: "u")
        static let binFloat = UInt8(ascii: "G")
        static let proto: UInt8 = 0x80
        static let newObj: UInt8 = 0x81
        static let tuple1: UInt8 = 0x85
        static let tuple2: UInt8 = 0x86
        static let tuple3: UInt8 = 0x87
        static let newTrue: UInt8 = 0x88
        static let newFalse: UInt8 = 0x89
        static let long1: UInt8 = 0x8A
        static let long4: UInt8 = 0x8B
        static let binBytes = UInt8(ascii: "B")
        static let shortBinBytes = UInt8(ascii: "C")
        static let shortBinUnicode: UInt8 = 0x8C
        static let binUnicode8: UInt8 = 0x8D
        static let binBytes8: UInt8 = 0x8E
        static let emptySet: UInt8 = 0x8F
        static let addItems: UInt8 = 0x90
        static let frozenSet: UInt8 = 0x91
        static let stackGlobal: UInt8 = 0x93
        static let memoizeTop: UInt8 = 0x94
        static let frame: UInt8 = 0x95

        /// Names of the opcodes this VM refuses, for the error message.
        static let names: [UInt8: String] = [
            UInt8(ascii: "i"): "INST", UInt8(ascii: "o"): "OBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
            0x92: "NEWOBJ_EX", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
        ]
    }
}
