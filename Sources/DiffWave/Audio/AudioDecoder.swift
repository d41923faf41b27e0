import Foundation

/// Encoded file bytes → mono waveform, for any format libsndfile reads
/// (WAV, FLAC, Ogg Vorbis, AIFF, ...), detected from the header.
public enum AudioDecoder {
    /// Decodes `data` to floats in [-1, 1] (integer formats are scaled by
    /// 1/32768 for 16-bit, etc.). Only the first channel is kept; `channels`
    /// reports how many the file had.
    ///
    /// - Parameter maxFrames: refuse (`.input`) files longer than this, so a
    ///   small compressed upload cannot expand without bound.
    /// - Throws: `DiffWaveError(.audio)` for empty, unrecognised or corrupt data.
    public static func decode(_ data: Data, maxFrames: Int = .max) throws(DiffWaveError) -> (samples: [Float], sampleRate: Int, channels: Int) {
        let file = try Sndfile(readingFrom: SndfileBuffer(data))
        let channels = file.info.channels
        // The header's frame count is only a hint (and attacker-controlled),
        // so read in fixed chunks until the data ends.
        let chunkFrames = max(1, 16_384 / channels)
        var interleaved = [Float](repeating: 0, count: chunkFrames * channels)
        var samples: [Float] = []
        samples.reserveCapacity(min(max(0, file.info.frames), maxFrames, data.count))
        while true {
            let frames = try interleaved.withUnsafeMutableBufferPointer { (p) throws(DiffWaveError) in try file.read(into: p) }
            if frames == 0 { break }
            guard frames <= maxFrames - samples.count else {
                throw DiffWaveError(.input, "audio is longer than \(maxFrames) frames")
            }
            if channels == 1 {
                samples.append(contentsOf: interleaved[0..<frames])
            } else {
                for frame in 0..<frames {
                    samples.append(interleaved[frame * channels])
                }
            }
        }
        try file.close()
        return (samples, file.info.sampleRate, channels)
    }

    /// The file's metadata comment (WAV INFO ICMT, FLAC or Vorbis COMMENT), nil when it has none:
    /// where `AudioEncoder` records the model that made the audio.
    public static func comment(of data: Data) throws(DiffWaveError) -> String? {
        let file = try Sndfile(readingFrom: SndfileBuffer(data))
        defer { try? file.close() }
        return file.string(.comment)
    }
}
