import Foundation
import Testing
@testable import DiffWave

/// arange(24).reshape(2, 3, 4) * 0.25 - 2, the contents of every fixture in Fixtures/npy
/// (written by Fixtures/npy/make_npy.py with numpy).
private let expected = Tensor(shape: [2, 3, 4], data: (0..<24).map { Float($0) * 0.25 - 2 })

/// Builds a v1.0 file around a hand-written header, padded the way numpy pads it.
private func npy(header: String, payload: [UInt8] = [], version: (UInt8, UInt8) = (1, 0)) -> Data {
    var bytes: [UInt8] = NPY.magic + [version.0, version.1]
    let text = Array(header.utf8) + [0x0A]
    if version.0 == 1 {
        bytes += [UInt8(text.count & 0xFF), UInt8(text.count >> 8)]
    } else {
        bytes += withUnsafeBytes(of: UInt32(text.count).littleEndian, Array.init)
    }
    return Data(bytes + text + payload)
}

private func arrayError(_ data: Data) -> DiffWaveError? {
    do {
        _ = try NPY.read(data)
        return nil
    } catch {
        return error
    }
}

struct NPYTests {
    @Test(arguments: ["lef4", "bef4", "lef8", "bef8", "lef2", "bef2"], ["c", "f"])
    func npyReadsEveryFloatDtypeInBothOrders(dtype: String, order: String) throws {
        let tensor = try NPY.read(Fixtures.data("npy/\(dtype)_\(order).npy"))
        #expect(tensor == expected)
    }

    @Test(arguments: ["v2", "v3"])
    func npyReadsFormatVersions2And3(version: String) throws {
        #expect(try NPY.read(Fixtures.data("npy/\(version).npy")) == expected)
    }

    @Test func npyReadsScalarVectorAndEmptyShapes() throws {
        let scalar = try NPY.read(Fixtures.data("npy/scalar.npy"))
        #expect(scalar.shape == [] && scalar.data == [1.5])
        let vector = try NPY.read(Fixtures.data("npy/vector.npy"))
        #expect(vector.shape == [5] && vector.data == [0, 1, 2, 3, 4])
        let empty = try NPY.read(Fixtures.data("npy/empty.npy"))
        #expect(empty.shape == [0, 3] && empty.data.isEmpty)
    }

    @Test func npyReadsTheReferenceMel() throws {
        let mel = try NPY.read(Fixtures.data("tiny.mel.npy"))
        #expect(mel.shape == [80, 24])
    }

    @Test func npyReadsAFortranOrderedMatrixInRowMajorOrder() throws {
        // [[1, 2, 3], [4, 5, 6]] stored column by column.
        let payload = [Float(1), 4, 2, 5, 3, 6].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let data = npy(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", payload: payload)
        #expect(try NPY.read(data) == Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]))
    }

    @Test func npyAcceptsHeaderVariantsNumpyHasWritten() throws {
        // Python 2 longs, double quotes, no trailing comma, keys in another order.
        let payload = [Float(7), 8].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let data = npy(header: #"{"shape": (1L, 2L), "fortran_order": False, "descr": "<f4"}"#, payload: payload)
        #expect(try NPY.read(data) == Tensor(shape: [1, 2], data: [7, 8]))
    }

    @Test func npyEncodeRoundTripsAndMatchesNumpyLayout() throws {
        let data = NPY.encode(expected)
        #expect(try NPY.read(data) == expected)
        // numpy's own `<f4` file of the same array is byte for byte what encode writes.
        #expect(data == (try Fixtures.data("npy/lef4_c.npy")))
        for shape in [[], [5], [0, 3]] {
            let t = Tensor(zeros: shape)
            let bytes = NPY.encode(t)
            #expect(try NPY.read(bytes) == t)
            let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            #expect((10 + headerLength) % 64 == 0)
        }
    }

    @Test func npyRejectsBadMagic() {
        var data = NPY.encode(expected)
        data[0] = 0x00
        #expect(arrayError(data) == DiffWaveError(.array, "npy: not a .npy array (bad magic)"))
        #expect(arrayError(Data("hello".utf8))?.message == "npy: not a .npy array (bad magic)")
    }

    @Test func npyRejectsUnsupportedVersion() {
        var data = NPY.encode(expected)
        data[6] = 4
        #expect(arrayError(data)?.message == "npy: unsupported .npy format version 4.0")
    }

    @Test func npyRejectsTruncatedDataSayingExpectedAndGot() throws {
        let full = try Fixtures.data("npy/lef4_c.npy")
        let error = arrayError(full.prefix(full.count - 10))
        #expect(error?.code == .array)
        #expect(error?.message == "npy: truncated data: shape [2, 3, 4] of '<f4' needs 96 bytes, got 86")
        let truncatedHeader = arrayError(full.prefix(40))
        #expect(truncatedHeader?.message.hasPrefix("npy: truncated header") == true)
    }

    @Test func npyRejectsTrailingBytes() throws {
        let error = arrayError(try Fixtures.data("npy/lef4_c.npy") + Data([0, 0, 0, 0]))
        #expect(error?.message == "npy: data size mismatch: shape [2, 3, 4] of '<f4' needs 96 bytes, got 100")
    }

    @Test func npyRejectsObjectAndOtherDtypesByName() throws {
        let object = arrayError(try Fixtures.data("npy/object.npy"))
        #expect(object == DiffWaveError(.array, "npy: unsupported dtype '|O': object arrays are never loaded"))
        let int64 = arrayError(try Fixtures.data("npy/int64.npy"))
        #expect(int64?.message == "npy: unsupported dtype '<i8' (expected float16, float32 or float64)")
        let structured = arrayError(npy(header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"))
        #expect(structured?.message == "npy: unsupported dtype: structured arrays are not accepted")
    }

    @Test(arguments: [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ",
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2], }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
        "['descr', '<f4']",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }",
        "",
        String(repeating: "(", count: 40),  // deeper than the parser nests
    ])
    func npyRejectsMalformedHeaders(header: String) {
        let error = arrayError(npy(header: header, payload: [UInt8](repeating: 0, count: 8)))
        #expect(error?.code == .array)
        #expect(error?.message.hasPrefix("npy: malformed header") == true, "\(String(describing: error))")
    }

    @Test func npyRejectsAbsurdShapesBeforeAllocating() {
        // 2^62 elements: the product overflows once multiplied by the item size.
        let huge = arrayError(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }"))
        #expect(huge?.message == "npy: shape [4611686018427387904] is too large")
        let overflow = arrayError(npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"))
        #expect(overflow?.message == "npy: shape [4294967296, 4294967296] is too large")
        let digits = arrayError(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }"))
        #expect(digits?.message == "npy: shape dimension is too large")
        // Large but representable: refused as truncated, not allocated.
        let big = arrayError(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }"))
        #expect(big?.message == "npy: truncated data: shape [1000000, 1000000] of '<f4' needs 4000000000000 bytes, got 0")
    }

    @Test func npyReadsFromADataSlice() throws {
        // HTTP bodies and zip entries arrive as slices whose indices do not start at 0.
        let padded = Data([1, 2, 3]) + NPY.encode(expected)
        #expect(try NPY.read(padded.dropFirst(3)) == expected)
    }
}
