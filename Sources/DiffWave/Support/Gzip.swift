import CZlibSystem
import Foundation

/// gzip (RFC 1952) decompression through zlib, with a cap on the output so a small body
/// cannot expand without bound.
public enum Gzip {
    /// Inflates `data`; throws `.tooLarge` once the output would pass `maxBytes`.
    public static func decompress(_ data: Data, maxBytes: Int) throws(DiffWaveError) -> Data {
        // 16 + MAX_WBITS: expect a gzip header and trailer (not raw deflate or zlib).
        try inflate(data, windowBits: 16 + MAX_WBITS, maxBytes: maxBytes)
    }

    /// Inflates a raw deflate stream (RFC 1951, as in a zip entry) that must end within `data`;
    /// throws `.compression` when it does not, or `.tooLarge` once the output would pass `maxBytes`.
    static func inflateRaw(_ data: Data, maxBytes: Int) throws(DiffWaveError) -> Data {
        try inflate(data, windowBits: -MAX_WBITS, maxBytes: maxBytes)
    }

    /// CRC-32 (ISO 3309, as zip and gzip use) of `data`.
    static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw in
            UInt32(CZlibSystem.crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
        }
    }

    private static func inflate(_ data: Data, windowBits: Int32, maxBytes: Int) throws(DiffWaveError) -> Data {
        var stream = z_stream()
        try check(inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)), "inflateInit2_", stream)
        defer { inflateEnd(&stream) }

        var output = Data()
        let chunk = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: chunk)
        var input = [UInt8](data)
        let inputCount = input.count
        var status = Z_OK
        try input.withUnsafeMutableBufferPointer { (source) throws(DiffWaveError) in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(inputCount)
            repeat {
                let produced = buffer.withUnsafeMutableBufferPointer { out -> Int in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = CZlibSystem.inflate(&stream, Z_NO_FLUSH)
                    return chunk - Int(stream.avail_out)
                }
                // Z_BUF_ERROR: no progress possible, i.e. the input ended before the stream did.
                if status == Z_BUF_ERROR || (status == Z_OK && stream.avail_in == 0 && produced < chunk) {
                    throw DiffWaveError(.compression, "gzip body is truncated")
                }
                if status != Z_STREAM_END { try check(status, "inflate", stream) }
                guard output.count + produced <= maxBytes else {
                    throw DiffWaveError.tooLarge("gzip body inflates to more than \(maxBytes) bytes", limit: maxBytes)
                }
                output.append(contentsOf: buffer[0..<produced])
            } while status != Z_STREAM_END
        }
        return output
    }

    /// Compresses `data` as gzip (tests and clients that want to send gzip bodies).
    public static func compress(_ data: Data) throws(DiffWaveError) -> Data {
        var stream = z_stream()
        try check(deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)), "deflateInit2_", stream)
        defer { deflateEnd(&stream) }
        var input = [UInt8](data)
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let inputCount = input.count
        var status = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(inputCount)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(bound)
                status = deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { try check(status == Z_OK ? Z_BUF_ERROR : status, "deflate", stream); return Data() }
        return Data(output[0..<Int(stream.total_out)])
    }

    /// zlib's return code as a typed error naming the function.
    private static func check(_ status: Int32, _ function: String, _ stream: z_stream) throws(DiffWaveError) {
        guard status != Z_OK else { return }
        let reason = stream.msg.map { String(cString: $0) } ?? "code \(status)"
        throw DiffWaveError(.compression, "gzip body is invalid (\(function): \(reason))")
    }
}
