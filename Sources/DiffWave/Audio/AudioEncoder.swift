import Foundation

/// Mono waveform → encoded file bytes, in memory (no temporary files).
public enum AudioEncoder {
    /// Vorbis VBR quality on libsndfile's 0...1 scale (its default is 0.4):
    /// one step up for speech, still several times smaller than FLAC.
    static let vorbisQuality = 0.5

    /// The software name written beside a comment.
    public static let software = "diffwave-server"

    /// Encodes `samples` (nominally in [-1, 1]) as one channel at `sampleRate` Hz.
    ///
    /// - 16-bit formats (`wav`, `flac`) use libsndfile's float → int
    ///   conversion with clipping on: scale by 32768 and saturate to
    ///   [-32768, 32767] (so 1.0 → 32767) instead of wrapping around.
    ///   libsndfile 1.2 floors in its WAV path and rounds to nearest in FLAC;
    ///   either way a sample is off by less than one step.
    /// - `wav-f32` stores the floats bit for bit.
    /// - An empty `samples` gives a valid file with no frames.
    /// - The same samples give the same bytes, every call (no timestamps,
    ///   no random Ogg serial numbers): `seed=` promises reproducible output.
    /// - `comment`, when given, goes into the file's own metadata (WAV INFO ICMT, the FLAC or
    ///   Vorbis COMMENT), with the software name: headers are lost once a file is saved, this
    ///   stays with it (the service writes the model's digest here).
    public static func encode(_ samples: [Float], sampleRate: Int, format: AudioFormat, comment: String? = nil) throws(DiffWaveError) -> Data {
        let buffer = SndfileBuffer()
        let file = try Sndfile(writingTo: buffer, format: format.sndfileFormat, sampleRate: sampleRate, channels: 1)
        if let comment {
            try file.setString(.software, software)
            try file.setString(.comment, comment)
        }
        if format.isInteger {
            try file.setClipping(true)
        }
        if format == .wavF32 {
            try file.setPeakChunk(false)
        }
        if format == .ogg {
            try file.setVBRQuality(vorbisQuality)
        }
        // libsndfile starts the FLAC encoder at the first write, so with no
        // frames it would emit 0 bytes; forcing the header gives a valid empty
        // stream. (Ogg must not get this: its header would be written twice.)
        if samples.isEmpty, format == .flac {
            file.updateHeaderNow()
        }
        try samples.withUnsafeBufferPointer { (p) throws(DiffWaveError) in try file.write(p) }
        try file.close()
        if format == .ogg {
            var data = buffer.data
            try pinOggSerialNumber(&data)
            return data
        }
        return buffer.data
    }
}
