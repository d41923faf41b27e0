import CSndfile
import Foundation

/// The container/codec a vocoded waveform is delivered in. The raw value is
/// the spelling of the `format=` query parameter and the CLI flag.
public enum AudioFormat: String, CaseIterable, Sendable {
    /// RIFF WAVE, 16-bit PCM: the default, playable everywhere.
    case wav
    /// RIFF WAVE, 32-bit IEEE float: the model output bit for bit.
    case wavF32 = "wav-f32"
    /// FLAC, 16-bit: lossless relative to `wav`, about half the size.
    case flac
    /// Ogg Vorbis: lossy, smallest.
    case ogg

    /// The `Content-Type` of an encoded response.
    public var mediaType: String {
        switch self {
        case .wav, .wavF32: "audio/wav"
        case .flac: "audio/flac"
        case .ogg: "audio/ogg"
        }
    }

    /// File name extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .wav, .wavF32: "wav"
        case .flac: "flac"
        case .ogg: "ogg"
        }
    }

    /// `SF_INFO.format`: major format | subtype.
    var sndfileFormat: Int32 {
        switch self {
        case .wav: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        case .wavF32: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)
        case .flac: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
        case .ogg: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)
        }
    }

    /// Whether samples are stored as integers, so float input must be clipped.
    var isInteger: Bool {
        switch self {
        case .wav, .flac: true
        case .wavF32, .ogg: false
        }
    }

    /// The format for one media range of an `Accept` header, e.g.
    /// `audio/x-wav;q=0.8`. Parameters are ignored (RFC 9110 §12.5.1 puts
    /// q-values there; ranking the ranges is the HTTP layer's job), and so are
    /// wildcards: `audio/*` and `*/*` return nil so the caller picks its default.
    /// There is no registered media type that selects float WAV, so `wav-f32`
    /// is reachable only through `format=` / `init(rawValue:)`.
    public init?(mediaType: String) {
        let essence = mediaType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces)
            .lowercased()
        switch essence {
        case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave": self = .wav
        case "audio/flac", "audio/x-flac": self = .flac
        case "audio/ogg", "audio/vorbis", "audio/x-vorbis", "audio/x-vorbis+ogg", "application/ogg": self = .ogg
        default: return nil
        }
    }
}
