import Foundation

/// Hand-built PCM WAV files (RIFF, WAVE_FORMAT_PCM) for upload tests: any channel count,
/// 8-bit (unsigned) or 16-bit (signed), any rate.
enum TestAudio {
    /// A 220 Hz sine at half scale, `seconds` long, the same in every channel.
    static func sineWAV(seconds: Double, sampleRate: Int = 22_050, channels: Int = 1, bits: Int = 16) -> Data {
        let frames = Int(seconds * Double(sampleRate))
        let samples = (0..<frames).map { Float(0.5 * sin(2 * Double.pi * 220 * Double($0) / Double(sampleRate))) }
        return wav(samples, sampleRate: sampleRate, channels: channels, bits: bits)
    }

    static func wav(_ mono: [Float], sampleRate: Int, channels: Int, bits: Int) -> Data {
        var pcm = Data()
        for x in mono {
            for _ in 0..<channels {
                if bits == 8 {
                    pcm.append(UInt8(clamping: Int((x * 127).rounded()) + 128))
                } else {
                    withUnsafeBytes(of: Int16(clamping: Int((x * 32767).rounded())).littleEndian) { pcm.append(contentsOf: $0) }
                }
            }
        }
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        let blockAlign = channels * bits / 8
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + pcm.count); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(channels); u32(sampleRate)
        u32(sampleRate * blockAlign); u16(blockAlign); u16(bits)
        d.append(contentsOf: Array("data".utf8)); u32(pcm.count); d.append(pcm)
        return d
    }
}
