import Foundation

/// NumPy `.npy` arrays: the mel input of the API and the format of the reference fixtures.
///
/// The reader accepts format versions 1.0, 2.0 and 3.0, dtypes `<f4 >f4 <f8 >f8 <f2 >f2`,
/// and C or Fortran order, and always returns a row-major float32 `Tensor`. It checks only
/// the container (magic, header, dtype, byte count); whether the array makes sense as a
/// mel (rank, n_mels, NaN) is for the caller that knows the model.
public enum NPY {
    /// `\x93NUMPY`.
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Parses a whole `.npy` file. Throws `DiffWaveError(.array, ...)` with a one-line reason.
    public static func read(_ data: Data) throws(DiffWaveError) -> Tensor {
        // Data.withUnsafeBytes rethrows untyped errors, so the typed error rides out in a Result.
        let result = data.withUnsafeBytes { raw in
            Result { () throws(DiffWaveError) -> Tensor in try read(raw) }
        }
        return try result.get()
    }

    /// Encodes `tensor` as a version 1.0, little-endian float32 (`<f4`), C-order `.npy` file,
    /// the layout every numpy since 1.0 reads.
    public static func encode(_ tensor: Tensor) -> Data {
        let dims = tensor.shape.map(String.init)
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        // The format asks for magic + version + length + header to end on a 64-byte boundary.
        let prefixLength = magic.count + 2 + 2
        let unpadded = prefixLength + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let headerBytes = Array(header.utf8)
        var out = Data(capacity: prefixLength + headerBytes.count + tensor.count * 4)
        out.append(contentsOf: magic)
        if headerBytes.count <= Int(UInt16.max) {
            out.append(contentsOf: [1, 0, UInt8(headerBytes.count & 0xFF), UInt8(headerBytes.count >> 8)])
        } else {
            // Only a shape of thousands of axes gets here; version 2.0 has a 32-bit length.
            out.append(contentsOf: [2, 0])
            withUnsafeBytes(of: UInt32(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: headerBytes)
        tensor.data.withUnsafeBufferPointer { values in
            #if _endian(little)
            out.append(UnsafeBufferPointer(start: values.baseAddress, count: values.count))
            #else
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
            #endif
        }
        return out
    }

    /// The reader over raw bytes, shared with `NPZ`.
    static func read(_ raw: UnsafeRawBufferPointer) throws(DiffWaveError) -> Tensor {
        guard raw.count >= 10, raw.prefix(magic.count).elementsEqual(magic) else {
            throw failure("not a .npy array (bad magic)")
        }
        let (major, minor) = (raw[6], raw[7])
        let headerStart: Int
        let headerLength: Int
        switch (major, minor) {
        case (1, 0):
            headerStart = 10
            headerLength = Int(raw[8]) | Int(raw[9]) << 8
        case (2, 0), (3, 0):
            guard raw.count >= 12 else { throw failure("truncated header") }
            headerStart = 12
            headerLength = Int(raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian)
        default:
            throw failure("unsupported .npy format version \(major).\(minor)")
        }
        let available = raw.count - headerStart
        guard headerLength <= available else {
            throw failure("truncated header: expected \(headerLength) bytes, got \(available)")
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: raw[headerStart..<(headerStart + headerLength)])
        let text: String
        if major == 3 {
            guard let utf8 = String(validating: headerBytes, as: UTF8.self) else {
                throw failure("malformed header: not valid UTF-8")
            }
            text = utf8
        } else {
            // Versions 1 and 2 spell the header in latin-1: each byte is one code point.
            text = String(String.UnicodeScalarView(headerBytes.map { Unicode.Scalar($0) }))
        }
        let header = try Header(parsing: text)
        let (encoding, bigEndian) = try dtype(header.descr)

        var count = 1
        for dim in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw failure("shape \(Tensor.describe(header.shape)) is too large") }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: encoding.byteCount)
        guard !overflow else { throw failure("shape \(Tensor.describe(header.shape)) is too large") }
        let dataStart = headerStart + headerLength
        let got = raw.count - dataStart
        // Checked before anything is allocated: a header claiming 10^12 elements costs nothing.
        guard got >= byteCount else {
            throw failure("truncated data: shape \(Tensor.describe(header.shape)) of '\(header.descr)' needs \(byteCount) bytes, got \(got)")
        }
        guard got == byteCount else {
            throw failure("data size mismatch: shape \(Tensor.describe(header.shape)) of '\(header.descr)' needs \(byteCount) bytes, got \(got)")
        }

        let values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if let base = raw.baseAddress, let dst = out.baseAddress, count > 0 {
                encoding.decode(base + dataStart, count: count, bigEndian: bigEndian, into: dst)
            }
            initialized = count
        }
        guard header.fortranOrder, header.shape.count >= 2 else {
            return Tensor(shape: header.shape, data: values)
        }
        // Fortran order is the row-major array seen through strides 1, d0, d0·d1, ...
        var strides = [Int](repeating: 1, count: header.shape.count)
        for axis in 1..<header.shape.count { strides[axis] = strides[axis - 1] &* header.shape[axis - 1] }
        return values.withUnsafeBufferPointer {
            Tensor(gathering: $0, offset: 0, shape: header.shape, strides: strides)
        }
    }

    /// Maps a `descr` to its decoder, naming what is refused.
    static func dtype(_ descr: String) throws(DiffWaveError) -> (FloatEncoding, bigEndian: Bool) {
        switch descr {
        case "<f4": return (.float32, false)
        case ">f4": return (.float32, true)
        case "<f8": return (.float64, false)
        case ">f8": return (.float64, true)
        case "<f2": return (.float16, false)
        case ">f2": return (.float16, true)
        default:
            if descr.hasSuffix("O") {
                throw failure("unsupported dtype '\(descr)': object arrays are never loaded")
            }
            throw failure("unsupported dtype '\(descr)' (expected float16, float32 or float64)")
        }
    }

    static func failure(_ message: String) -> DiffWaveError {
        DiffWaveError(.array, "npy: " + message)
    }
}
