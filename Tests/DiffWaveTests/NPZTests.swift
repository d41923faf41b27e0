import Foundation
import Testing
@testable import DiffWave

private func arrayError(_ data: Data, maxBytes: Int = NPZ.defaultMaxBytes) -> DiffWaveError? {
    do {
        _ = try NPZ.read(data, maxBytes: maxBytes)
        return nil
    } catch {
        return error
    }
}

struct NPZTests {
    @Test func readsTheReferenceForwardArchiveInOrder() throws {
        let arrays = try NPZ.read(Fixtures.data("tiny.forward.npz"))
        #expect(arrays.map(\.name) == ["x", "upsampled", "out_t0", "out_t7", "out_t2_375", "embedding_t7"])
        #expect(arrays.map(\.tensor.shape) == [[6144], [80, 6144], [6144], [6144], [6144], [512]])
        // Values as numpy reads them.
        let x = arrays[0].tensor.data
        #expect(x[0] == -0.8399645686149597 && x[1] == 0.14799395203590393 && x[6143] == -2.1701183319091797)
        let embedding = arrays[5].tensor.data
        #expect(embedding[0] == 0.08696756511926651 && embedding[511] == 0.19125038385391235)
    }

    @Test func readsDeflatedEntries() throws {
        // numpy.savez_compressed(mel=<f4 [2, 3, 4]>, noise=<f8 arange(5)>)
        let arrays = try NPZ.read(Fixtures.data("npy/deflated.npz"))
        #expect(arrays.map(\.name) == ["mel", "noise"])
        #expect(arrays[0].tensor == Tensor(shape: [2, 3, 4], data: (0..<24).map { Float($0) * 0.25 - 2 }))
        #expect(arrays[1].tensor == Tensor(shape: [5], data: [0, 1, 2, 3, 4]))
    }

    @Test func readsStoredEntriesOfMixedDtypes() throws {
        // numpy.savez(first=<f4 arange(3)>, second=>f2 [2, 3, 4])
        let arrays = try NPZ.read(Fixtures.data("npy/stored.npz"))
        #expect(arrays.map(\.name) == ["first", "second"])
        #expect(arrays[0].tensor.data == [0, 1, 2])
        #expect(arrays[1].tensor.shape == [2, 3, 4] && arrays[1].tensor.data.last == 3.75)
    }

    @Test func rejectsSomethingThatIsNotAZip() throws {
        let error = arrayError(try Fixtures.data("npy/lef4_c.npy"))
        #expect(error == DiffWaveError(.array, "npz is truncated or not a zip archive (no end-of-central-directory record)"))
        #expect(arrayError(Data())?.code == .array)
    }

    @Test func rejectsATruncatedArchive() throws {
        let data = try Fixtures.data("npy/deflated.npz")
        #expect(arrayError(data.prefix(data.count / 2))?.code == .array)
    }

    @Test func namesTheEntryThatHoldsABadArray() throws {
        let error = arrayError(try Fixtures.data("npy/object_entry.npz"))
        #expect(error == DiffWaveError(.array, "npz entry 'bad.npy': unsupported dtype '|O': object arrays are never loaded"))
    }

    @Test func stopsAtTheByteLimit() throws {
        let data = try Fixtures.data("npy/deflated.npz")
        let error = arrayError(data, maxBytes: 300)
        // mel.npy inflates to 224 bytes; noise.npy (168) no longer fits.
        #expect(error == DiffWaveError.tooLarge("npz entry 'noise.npy' is 168 bytes, over the limit of 76", limit: 76))
    }

    @Test func readsFromADataSlice() throws {
        let data = try Fixtures.data("npy/deflated.npz")
        let arrays = try NPZ.read((Data([9, 9]) + data).dropFirst(2))
        #expect(arrays.map(\.name) == ["mel", "noise"])
    }
}
