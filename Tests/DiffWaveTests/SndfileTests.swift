import CSndfile
import Foundation
import Testing
@testable import DiffWave

@Test func sndfileBufferBehavesLikeAFile() {
    let buffer = SndfileBuffer()
    #expect(buffer.write(from: [UInt8]([1, 2, 3, 4]), count: 4) == 4)
    #expect(buffer.offset == 4)
    // Past the end, then a write: the gap reads back as zeros.
    #expect(buffer.seek(2, whence: SEEK_END) == 6)
    #expect(buffer.write(from: [UInt8]([9]), count: 1) == 1)
    #expect([UInt8](buffer.data) == [1, 2, 3, 4, 0, 0, 9])
    // Overwrite in the middle, extending past the end.
    #expect(buffer.seek(5, whence: SEEK_SET) == 5)
    #expect(buffer.write(from: [UInt8]([7, 8, 7]), count: 3) == 3)
    #expect([UInt8](buffer.data) == [1, 2, 3, 4, 0, 7, 8, 7])
    #expect(buffer.length == 8)
    #expect(buffer.seek(-3, whence: SEEK_CUR) == 5)
    #expect(buffer.seek(-1, whence: SEEK_SET) == -1)
    #expect(buffer.offset == 5)
}

@Test func sndfileBufferReadsAreClampedToTheData() {
    let buffer = SndfileBuffer(Data([0xAA, 1, 2, 3])[1...])
    var out = [UInt8](repeating: 0, count: 8)
    #expect(out.withUnsafeMutableBytes { buffer.read(into: $0.baseAddress!, count: 8) } == 3)
    #expect(out.prefix(3) == [1, 2, 3])
    #expect(out.withUnsafeMutableBytes { buffer.read(into: $0.baseAddress!, count: 8) } == 0)
    _ = buffer.seek(10, whence: SEEK_SET)
    #expect(out.withUnsafeMutableBytes { buffer.read(into: $0.baseAddress!, count: 8) } == 0)
}

@Test func sndfileWritesAndReadsInterleavedFrames() throws {
    let buffer = SndfileBuffer()
    let writer = try Sndfile(
        writingTo: buffer, format: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT), sampleRate: 48_000, channels: 3)
    let frames: [Float] = [0.1, 0.2, 0.3, -0.1, -0.2, -0.3]
    try frames.withUnsafeBufferPointer { try writer.write($0) }
    try writer.close()
    try writer.close()  // a second close is a no-op

    let reader = try Sndfile(readingFrom: SndfileBuffer(buffer.data))
    #expect(reader.info.sampleRate == 48_000)
    #expect(reader.info.channels == 3)
    #expect(reader.info.frames == 2)
    #expect(reader.info.format == Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT))
    var out = [Float](repeating: 0, count: 9)
    #expect(try out.withUnsafeMutableBufferPointer { try reader.read(into: $0) } == 2)
    #expect(Array(out.prefix(6)) == frames)
    #expect(try out.withUnsafeMutableBufferPointer { try reader.read(into: $0) } == 0)
}

@Test func sndfileNamesTheFailingFunction() {
    var info: DiffWaveError?
    do {
        _ = try Sndfile(writingTo: SndfileBuffer(), format: 0x7FFF_0000, sampleRate: 8_000, channels: 1)
    } catch {
        info = error
    }
    #expect(info?.code == .audio)
    #expect(info?.message.hasPrefix("sf_open_virtual: ") == true)
}

@Test func sndfileRejectsBadChannelCounts() {
    #expect(throws: DiffWaveError.self) {
        try Sndfile(writingTo: SndfileBuffer(), format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sampleRate: 8_000, channels: 0)
    }
}

@Test func sndfileClosesInDeinit() throws {
    // A writer dropped without close() still releases its handle; the buffer
    // it held stays usable.
    let buffer = SndfileBuffer()
    do {
        let writer = try Sndfile(
            writingTo: buffer, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sampleRate: 8_000, channels: 1)
        try [Float](repeating: 0.25, count: 10).withUnsafeBufferPointer { try writer.write($0) }
    }
    #expect(try AudioDecoder.decode(buffer.data).samples.count == 10)
}

@Test func sndfileKeepsStringMetadata() throws {
    for format in [Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)] {
        let buffer = SndfileBuffer()
        let writer = try Sndfile(writingTo: buffer, format: format, sampleRate: 16_000, channels: 1)
        try writer.setString(.comment, "model sha256:00ff")
        try writer.setString(.software, "diffwave-server")
        try [Float](repeating: 0.25, count: 1600).withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        let reader = try Sndfile(readingFrom: SndfileBuffer(buffer.data))
        #expect(reader.string(.comment) == "model sha256:00ff", "format \(String(format, radix: 16))")
        #expect(reader.string(.software)?.hasPrefix("diffwave-server") == true)
    }
}
