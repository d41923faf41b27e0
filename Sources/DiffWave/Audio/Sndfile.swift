import CSndfile
import Foundation

/// An in-memory file for libsndfile's virtual I/O: encoding grows it, decoding
/// reads it. Positions are offsets from `data.startIndex`, so a `Data` slice
/// works as input.
final class SndfileBuffer {
    private(set) var data: Data
    private var position = 0

    init(_ data: Data = Data()) {
        self.data = data
    }

    var length: Int64 { Int64(data.count) }

    var offset: Int64 { Int64(position) }

    /// lseek semantics: seeking past the end is allowed, a later write fills
    /// the gap with zeros; a negative target fails with -1.
    func seek(_ offset: Int64, whence: Int32) -> Int64 {
        let base: Int64
        switch whence {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = Int64(position)
        case SEEK_END: base = Int64(data.count)
        default: return -1
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0, target <= Int64(Int.max) else { return -1 }
        position = Int(target)
        return target
    }

    func read(into destination: UnsafeMutableRawPointer, count: Int64) -> Int64 {
        let available = max(0, data.count - position)
        let n = Int(min(Int64(available), max(0, count)))
        guard n > 0 else { return 0 }
        let start = data.startIndex + position
        data.copyBytes(to: destination.assumingMemoryBound(to: UInt8.self), from: start..<start + n)
        position += n
        return Int64(n)
    }

    func write(from source: UnsafeRawPointer, count: Int64) -> Int64 {
        guard count > 0 else { return 0 }
        let n = Int(count)
        if position > data.count {
            data.append(contentsOf: repeatElement(0, count: position - data.count))
        }
        let bytes = UnsafeRawBufferPointer(start: source, count: n)
        let start = data.startIndex + position
        let overlap = min(n, data.count - position)
        data.replaceSubrange(start..<start + overlap, with: bytes)
        position += n
        return count
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> SndfileBuffer {
        Unmanaged<SndfileBuffer>.fromOpaque(userData!).takeUnretainedValue()
    }
}

/// The one wrapper around libsndfile. Each C function is called from exactly
/// one place here, and a failure becomes `DiffWaveError(.audio, "<function>: <sf_strerror>")`.
/// The handle is closed in `deinit` unless `close()` already did it.
///
/// Not thread-safe: one instance belongs to one encode or decode.
final class Sndfile {
    struct Info: Equatable {
        var sampleRate: Int
        var channels: Int
        /// As the header states it; may be inexact for compressed formats.
        var frames: Int
        /// `SF_FORMAT_*` major type | subtype.
        var format: Int32
    }

    let info: Info
    private var handle: OpaquePointer?
    /// libsndfile holds an unretained pointer to it; keeping it here makes it
    /// outlive the handle.
    private let buffer: SndfileBuffer

    /// Opens an empty-or-not `buffer` for writing mono or interleaved frames.
    convenience init(writingTo buffer: SndfileBuffer, format: Int32, sampleRate: Int, channels: Int) throws(DiffWaveError) {
        guard let rate = Int32(exactly: sampleRate), rate > 0 else {
            throw DiffWaveError(.audio, "sample rate \(sampleRate) is not a positive 32-bit integer")
        }
        guard let channelCount = Int32(exactly: channels), channelCount > 0 else {
            throw DiffWaveError(.audio, "channel count \(channels) is not a positive 32-bit integer")
        }
        var info = SF_INFO()
        info.samplerate = rate
        info.channels = channelCount
        info.format = format
        try self.init(buffer: buffer, mode: Int32(SFM_WRITE), info: info)
    }

    /// Opens `buffer` for reading; the format is detected from its header.
    convenience init(readingFrom buffer: SndfileBuffer) throws(DiffWaveError) {
        try self.init(buffer: buffer, mode: Int32(SFM_READ), info: SF_INFO())
    }

    private init(buffer: SndfileBuffer, mode: Int32, info: SF_INFO) throws(DiffWaveError) {
        self.buffer = buffer
        var info = info
        var io = SF_VIRTUAL_IO(
            get_filelen: { SndfileBuffer.from($0).length },
            seek: { offset, whence, userData in SndfileBuffer.from(userData).seek(offset, whence: whence) },
            read: { destination, count, userData in
                guard let destination else { return 0 }
                return SndfileBuffer.from(userData).read(into: destination, count: count)
            },
            write: { source, count, userData in
                guard let source else { return 0 }
                return SndfileBuffer.from(userData).write(from: source, count: count)
            },
            tell: { SndfileBuffer.from($0).offset }
        )
        let userData = Unmanaged.passUnretained(buffer).toOpaque()
        // A failed open leaves its reason in libsndfile's process-wide error
        // slot, read back by sf_strerror(NULL); the lock keeps concurrent
        // opens from reporting each other's reasons.
        let opened: Result<OpaquePointer, DiffWaveError> = Self.openLock.withLock {
            if let handle = sf_open_virtual(&io, mode, &info, userData) {
                return .success(handle)
            }
            return .failure(DiffWaveError(.audio, "sf_open_virtual: \(Self.errorText(nil))"))
        }
        self.handle = try opened.get()
        self.info = Info(
            sampleRate: Int(info.samplerate),
            channels: Int(info.channels),
            frames: Int(info.frames),
            format: info.format
        )
    }

    deinit {
        if let handle {
            _ = Self.release(handle)
        }
    }

    private static let openLock = NSLock()

    // MARK: Commands

    /// Float → integer conversion saturates instead of wrapping, so a sample
    /// that rounds just past full scale stays at full scale.
    func setClipping(_ enabled: Bool) throws(DiffWaveError) {
        let state = enabled ? Int32(SF_TRUE) : Int32(SF_FALSE)
        // SFC_SET_CLIPPING answers with the state now in force.
        guard command(Int32(SFC_SET_CLIPPING), nil, state) == state else {
            throw DiffWaveError(.audio, "sf_command(SFC_SET_CLIPPING): \(Self.errorText(handle))")
        }
    }

    /// Variable-bitrate quality, 0 (smallest) ... 1 (best); must precede the first write.
    func setVBRQuality(_ quality: Double) throws(DiffWaveError) {
        var quality = quality
        let result = withUnsafeMutableBytes(of: &quality) {
            command(Int32(SFC_SET_VBR_ENCODING_QUALITY), $0.baseAddress, Int32($0.count))
        }
        guard result == Int32(SF_TRUE) else {
            throw DiffWaveError(.audio, "sf_command(SFC_SET_VBR_ENCODING_QUALITY): \(Self.errorText(handle))")
        }
    }

    /// WAV float files get a PEAK chunk by default, and it carries a
    /// timestamp: off, the same samples always encode to the same bytes.
    func setPeakChunk(_ enabled: Bool) throws(DiffWaveError) {
        let state = enabled ? Int32(SF_TRUE) : Int32(SF_FALSE)
        // SFC_SET_ADD_PEAK_CHUNK answers with the state now in force.
        guard command(Int32(SFC_SET_ADD_PEAK_CHUNK), nil, state) == state else {
            throw DiffWaveError(.audio, "sf_command(SFC_SET_ADD_PEAK_CHUNK): \(Self.errorText(handle))")
        }
    }

    /// Writes the header now rather than at the first frame or at close.
    func updateHeaderNow() {
        // Returns nothing useful: 0 whether or not the format has a header to write.
        _ = command(Int32(SFC_UPDATE_HEADER_NOW), nil, 0)
    }

    // MARK: String metadata

    /// The text fields libsndfile stores in a file's own metadata: WAV LIST/INFO chunks, FLAC
    /// and Ogg Vorbis comments.
    enum StringField: Sendable {
        case software, comment

        var code: Int32 {
            switch self {
            case .software: Int32(SF_STR_SOFTWARE)
            case .comment: Int32(SF_STR_COMMENT)
            }
        }
    }

    /// Stores `value` in the file's metadata; must precede the first write (FLAC and Vorbis put
    /// their comments in the stream header).
    func setString(_ field: StringField, _ value: String) throws(DiffWaveError) {
        let status = sf_set_string(openHandle, field.code, value)
        guard status == 0 else {
            throw DiffWaveError(.audio, "sf_set_string: \(Self.errorText(code: status))")
        }
    }

    /// The metadata text of `field` in a file opened for reading, nil when it has none.
    func string(_ field: StringField) -> String? {
        sf_get_string(openHandle, field.code).map { String(cString: $0) }
    }

    private func command(_ command: Int32, _ data: UnsafeMutableRawPointer?, _ size: Int32) -> Int32 {
        sf_command(openHandle, command, data, size)
    }

    // MARK: Frames

    /// Writes `samples.count / channels` interleaved frames.
    func write(_ samples: UnsafeBufferPointer<Float>) throws(DiffWaveError) {
        precondition(samples.count % info.channels == 0, "\(samples.count) samples do not fill whole frames")
        let frames = Int64(samples.count / info.channels)
        guard frames > 0, let base = samples.baseAddress else { return }
        let written = sf_writef_float(openHandle, base, frames)
        guard written == frames else {
            throw DiffWaveError(.audio, "sf_writef_float: wrote \(written) of \(frames) frames: \(Self.errorText(handle))")
        }
    }

    /// Reads up to `buffer.count / channels` interleaved frames; returns the
    /// number of frames read, 0 at the end of the data.
    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(DiffWaveError) -> Int {
        let capacity = Int64(buffer.count / info.channels)
        guard capacity > 0, let base = buffer.baseAddress else { return 0 }
        let frames = sf_readf_float(openHandle, base, capacity)
        // A short read is the normal end of the data unless libsndfile logged an error.
        if frames < capacity, sf_error(openHandle) != Int32(SF_ERR_NO_ERROR) {
            throw DiffWaveError(.audio, "sf_readf_float: \(Self.errorText(handle))")
        }
        return Int(max(0, frames))
    }

    // MARK: Closing

    /// Finishes the file: encoders write their trailing blocks and patch the
    /// header, so an encoded buffer is complete only after this.
    func close() throws(DiffWaveError) {
        guard let handle else { return }
        self.handle = nil
        let status = Self.release(handle)
        guard status == 0 else {
            throw DiffWaveError(.audio, "sf_close: \(Self.errorText(code: status))")
        }
    }

    private static func release(_ handle: OpaquePointer) -> Int32 {
        sf_close(handle)
    }

    private var openHandle: OpaquePointer {
        guard let handle else { preconditionFailure("Sndfile used after close()") }
        return handle
    }

    // MARK: Error text

    /// libsndfile's message for `handle`'s last error, or for the last failed
    /// open when `handle` is nil.
    private static func errorText(_ handle: OpaquePointer?) -> String {
        guard let text = sf_strerror(handle) else { return "unknown error" }
        return String(cString: text)
    }

    /// The message for an error number, for calls that return one after the
    /// handle is gone.
    private static func errorText(code: Int32) -> String {
        guard let text = sf_error_number(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
