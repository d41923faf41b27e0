import Foundation
import Testing
@testable import DiffWave

/// Bytes from a mix of opcode characters and raw values.
private func pickle(_ parts: [Any]) -> [UInt8] {
    parts.flatMap { part -> [UInt8] in
        switch part {
        case let s as String: Array(s.utf8)
        case let b as UInt8: [b]
        case let n as Int: [UInt8(n)]
        case let b as [UInt8]: b
        case let ns as [Int]: ns.map { UInt8($0) }
        default: preconditionFailure("\(part)")
        }
    }
}

private func load(_ bytes: [UInt8]) throws(DiffWaveError) -> PickleValue {
    var unpickler = Unpickler(bytes)
    return try unpickler.load()
}

private func loadError(_ bytes: [UInt8]) -> DiffWaveError? {
    do {
        _ = try load(bytes)
        return nil
    } catch {
        return error
    }
}

/// What Fixtures/pickle/make_pickles.py pickles, as this VM must decode it.
private let plainObject: PickleValue = {
    func s(_ x: String) -> PickleValue { .string(x) }
    let shared = PickleValue.list([.int(1), .int(2)])
    let pairs: [(PickleValue, PickleValue)] = [
        (s("none"), .none), (s("true"), .bool(true)), (s("false"), .bool(false)),
        (s("small"), .int(7)), (s("neg"), .int(-300)), (s("int32"), .int(2_147_483_647)),
        (s("int64"), .int(Int.min)), (s("long"), .int(1 << 62)),
        (s("float"), .double(0.1)), (s("str"), s("h\u{e9}llo \u{2713}")), (s("bytes"), .bytes([0, 255, 97, 98])),
        (s("tuple"), .tuple([.int(1), s("a"), .tuple([.double(2.5)])])), (s("empty_tuple"), .tuple([])),
        (s("list"), .list([.int(1), .list([.int(2), .list([.int(3)])])])),
        (s("set"), .set([.int(3)])), (s("frozen"), .set([.int(4)])), (s("shared"), .tuple([shared, shared])),
        (s("odict"), .dict([.init(key: s("b"), value: .int(1)), .init(key: s("a"), value: .int(2))])),
        (.int(1), s("int key")),
    ]
    return .dict(pairs.map { PickleValue.Pair(key: $0.0, value: $0.1) })
}()

struct UnpicklerTests {
    @Test(arguments: 0...5)
    func decodesEveryProtocol(protocol version: Int) throws {
        let value = try load([UInt8](Fixtures.data("pickle/plain_p\(version).pkl")))
        #expect(value == plainObject)
    }

    @Test func reportsWhereThePickleEnds() throws {
        // Two pickles back to back, as legacy torch files are laid out.
        let bytes = pickle([0x80, 2, "K", 5, "."]) + pickle([0x80, 2, "K", 6, "."])
        var unpickler = Unpickler(bytes)
        #expect(try unpickler.load() == .int(5))
        #expect(unpickler.position == 5)
        unpickler = Unpickler(bytes, from: unpickler.position)
        #expect(try unpickler.load() == .int(6))
    }

    @Test func refusesAForbiddenGlobalByName() {
        // pickle.loads of this would run os.system("ls").
        let bytes = pickle([0x80, 2, "cos\nsystem\n", "X", [2, 0, 0, 0], "ls", 0x85, "R", "."])
        #expect(loadError(bytes) == DiffWaveError(.pickle, "checkpoint names a forbidden global 'os.system' at offset 2; nothing was imported or run"))
        // Protocol 4 spells it with STACK_GLOBAL.
        let stacked = pickle([0x80, 4, 0x8C, 5, "posix", 0x8C, 6, "system", 0x93, "."])
        #expect(loadError(stacked)?.message.contains("forbidden global 'posix.system'") == true)
        // numpy scalars are not on the list either.
        let numpy = pickle([0x80, 2, "cnumpy.core.multiarray\nscalar\n", "."])
        #expect(loadError(numpy)?.message.contains("'numpy.core.multiarray.scalar'") == true)
    }

    @Test func refusesUnsupportedOpcodesNamingThemAndTheirOffset() {
        let inst = pickle([0x80, 2, "(", "ios\nsystem\n", "."])
        #expect(loadError(inst) == DiffWaveError(.pickle, "pickle: unsupported pickle opcode 0x69 (INST) at offset 3"))
        let unknown = pickle([0x80, 2, 0xFF])
        #expect(loadError(unknown) == DiffWaveError(.pickle, "pickle: unsupported pickle opcode 0xff at offset 2"))
    }

    @Test func flagsTruncationSoFileReadersCanSaySo() {
        var unpickler = Unpickler(pickle([0x80, 2, "X", [16, 0, 0, 0], "ab"]))
        #expect(throws: DiffWaveError(.pickle, "pickle: pickle data ends early (needs 16 bytes, 2 left) at offset 2")) {
            try unpickler.load()
        }
        #expect(unpickler.ranOutOfData)
        var noStop = Unpickler(pickle([0x80, 2, "K", 1]))
        #expect(throws: DiffWaveError.self) { try noStop.load() }
        #expect(noStop.ranOutOfData)
    }

    @Test func checksLengthsBeforeAllocating() {
        // BINUNICODE8 and BINBYTES8 claiming 2^62 bytes.
        let huge: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0x40]
        #expect(loadError(pickle([0x80, 4, 0x8D, huge, "."]))?.message.contains("needs 4611686018427387904 bytes") == true)
        #expect(loadError(pickle([0x80, 4, 0x8E, huge, "."]))?.code == .pickle)
        // A negative BINSTRING length.
        #expect(loadError(pickle([0x80, 2, "T", [0xFF, 0xFF, 0xFF, 0xFF], "."]))?.message.contains("negative length") == true)
    }

    @Test func keepsPythonReferenceSemanticsForMemoizedLists() throws {
        // a = []; b = [a]; a.append(5) -- b must see the 5.
        let bytes = pickle([0x80, 2, "]", "q", 0, "]", "h", 0, "a", "h", 0, "K", 5, "a", "0", "."])
        #expect(try load(bytes) == .list([.list([.int(5)])]))
    }

    @Test func refusesCyclesAndDeepNesting() {
        // a = []; a.append(a)
        let cycle = pickle([0x80, 2, "]", "q", 0, "h", 0, "a", "."])
        #expect(loadError(cycle)?.message.contains("reference cycle") == true)
        let deep = pickle([0x80, 2, String(repeating: "]", count: 300), String(repeating: "a", count: 299), "."])
        #expect(loadError(deep)?.message.contains("nest deeper than 256") == true)
    }

    @Test func sharedTuplesDoNotExpandExponentially() throws {
        // t0 = (1,); t[i+1] = (t[i], t[i]) for 60 levels: 2^60 leaves, 60 distinct tuples.
        var bytes = pickle([0x80, 2, "K", 1, 0x85, "q", 0])
        for level in 0..<60 {
            bytes += pickle(["h", UInt8(level), "h", UInt8(level), 0x86, "q", UInt8(level + 1)])
        }
        bytes += pickle(["."])
        guard case .tuple(let top) = try load(bytes) else { Issue.record("not a tuple"); return }
        #expect(top.count == 2)
    }

    @Test func decodesPython2StringsAndBigIntegers() throws {
        let bytes = pickle([0x80, 2, "(", "S'a\\nb'\n", "U", 3, "xyz", "T", [2, 0, 0, 0], [0xFF, 0xFE],
                            0x8A, 10, TorchCheckpoint.legacyMagic, 0x8A, 2, [0x00, 0xFF], 0x8A, 0, "l", "."])
        #expect(try load(bytes) == .list([.string("a\nb"), .string("xyz"), .bytes([0xFF, 0xFE]),
                                          .bigInt(TorchCheckpoint.legacyMagic), .int(-256), .int(0)]))
    }

    @Test func rebuildsTensorsFromPersistentIds() throws {
        // _rebuild_tensor_v2(('storage', HalfStorage, '7', 'cpu', 6), 1, (2, 2), (1, 2), False, OrderedDict())
        let bytes = pickle([
            0x80, 2, "ctorch._utils\n_rebuild_tensor_v2\n", "(",
            "(", "X", [7, 0, 0, 0], "storage", "ctorch\nHalfStorage\n", "X", [1, 0, 0, 0], "7",
            "X", [3, 0, 0, 0], "cpu", "K", 6, "t", "Q",
            "K", 1, "K", 2, "K", 2, 0x86, "K", 1, "K", 2, 0x86, 0x89,
            "ccollections\nOrderedDict\n", ")", "R", "t", "R", ".",
        ])
        var unpickler = Unpickler(bytes)
        let value = try unpickler.load()
        let storage = PickleValue.StorageRef(key: "7", type: .half, location: "cpu", offset: 0, count: 6)
        #expect(value == .tensor(.init(storage: storage, offset: 1, shape: [2, 2], stride: [1, 2])))
        #expect(unpickler.storageTypes == ["7": .half])
    }

    @Test func refusesMalformedPersistentIdsAndTensorArguments() {
        let pid = pickle([0x80, 2, "X", [3, 0, 0, 0], "abc", "Q", "."])
        #expect(loadError(pid)?.message.contains("unsupported persistent id str") == true)
        let textPid = pickle(["Pabc\n", "."])
        #expect(loadError(textPid)?.message.contains("unsupported persistent id 'abc'") == true)
        // A storage class torch never wrote.
        let type = pickle([0x80, 2, "(", "X", [7, 0, 0, 0], "storage", "ccollections\nOrderedDict\n",
                           "X", [1, 0, 0, 0], "0", "X", [3, 0, 0, 0], "cpu", "K", 1, "t", "Q", "."])
        #expect(loadError(type)?.message.contains("unknown storage type") == true)
        // _rebuild_tensor_v2 with a size that is not a tuple.
        let rebuild = pickle([0x80, 2, "ctorch._utils\n_rebuild_tensor_v2\n", "(", "N", "K", 0, "K", 1, "K", 1, "t", "R", "."])
        #expect(loadError(rebuild)?.message.contains("tensor rebuild arguments") == true)
    }

    @Test func refusesStackAndMemoMisuse() {
        #expect(loadError(pickle([0x80, 2, "a", "."]))?.message.contains("stack underflow") == true)
        #expect(loadError(pickle([0x80, 2, "h", 9, "."]))?.message.contains("memo key 9 was never stored") == true)
        #expect(loadError(pickle([0x80, 2, "t", "."]))?.message.contains("no MARK") == true)
        #expect(loadError(pickle([0x80, 2, "."]))?.message.contains("STOP with an empty stack") == true)
        #expect(loadError(pickle([0x80, 6, "N", "."]))?.message.contains("unsupported pickle protocol 6") == true)
        // Calling something that is allowed to be named but not called.
        #expect(loadError(pickle([0x80, 2, "ctorch\nFloatStorage\n", ")", "R", "."]))?.message.contains("cannot be called") == true)
    }
}
