import Foundation

/// Audio → the mel spectrogram DiffWave is trained on, exactly as the
/// reference's `preprocess.py` computes it:
///
///     audio = clamp(audio[0], -1, 1)                       # first channel
///     mel = torchaudio.transforms.MelSpectrogram(
///         sample_rate, n_fft, win_length = 4·hop, hop_length = hop,
///         f_min = 20, f_max = sample_rate / 2, n_mels, power = 1.0,
///         normalized = True)(audio)
///         # defaults: center = True, pad_mode = 'reflect', periodic Hann
///         # window, onesided, mel_scale = 'htk', norm = None
///     mel = 20·log10(max(mel, 1e-5)) − 20
///     mel = clamp((mel + 100) / 100, 0, 1)
///
/// Step by step, for `n` samples:
/// 1. reflect-pad `n_fft/2` samples on both sides (`center = True`);
/// 2. frame `f` is padded samples `f·hop ..< f·hop + n_fft` times the window
///    (periodic Hann of `win_length`, zero-padded to `n_fft` centred, as
///    `torch.stft` does); there are `1 + n / hop` frames (integer division).
///    The reference keeps all of them: `speech.wav` has 61402 samples and
///    `speech.mel.npy` 1 + 61402 / 256 = 240 frames, so nothing is trimmed;
/// 3. `|rFFT|` of each frame divided by the window's L2 norm
///    `√(Σ w²)` (`normalized = True` with `power = 1`);
/// 4. times the HTK mel filterbank (`melscale_fbanks`, no area
///    normalisation);
/// 5. the log and the affine map to [0, 1] above.
///
/// Thread-safe: one instance may serve any number of threads.
public struct MelFrontend: Sendable {
    public let sampleRate: Int
    public let nFFT: Int
    public let winLength: Int
    public let hopLength: Int
    public let nMels: Int
    public let fMin: Double
    public let fMax: Double

    /// Periodic Hann of `winLength`, centred in `nFFT` zeros. (n_fft,)
    private let window: [Float]
    /// `√(Σ w²)`, what `normalized = True` divides the magnitudes by.
    private let windowNorm: Float
    /// Mel band `m` weights FFT bins `first ..< first + weights.count`; every
    /// other bin has weight 0. (n_mels) × (its bins)
    private let filters: [(first: Int, weights: [Float])]
    private let fft: FFTW

    /// The reference's constants that are not model hyper-parameters.
    public static let referenceFMin = 20.0
    /// `20·log10(max(x, floor))`: the magnitude floor, −100 dB before the −20 dB shift.
    public static let magnitudeFloor: Float = 1e-5

    /// The frontend for `config`'s `sample_rate`, `n_fft`, `hop_samples`
    /// (window `4·hop_samples`, as the reference uses) and `n_mels`.
    ///
    /// - Throws: `DiffWaveError(.config)` for settings the reference cannot
    ///   run (a window longer than `n_fft`, a sample rate with no room above
    ///   `f_min`); `.audio` if FFTW cannot plan the transform.
    public init(config: DiffWaveConfig) throws(DiffWaveError) {
        let winLength = 4 * config.hopSamples
        guard config.hopSamples >= 1 else {
            throw DiffWaveError(.config, "hop_samples must be at least 1 for the mel frontend, got \(config.hopSamples)")
        }
        guard config.nFFT >= 2, config.nFFT <= 1 << 20 else {
            throw DiffWaveError(.config, "n_fft must be in 2...\(1 << 20) for the mel frontend, got \(config.nFFT)")
        }
        guard winLength <= config.nFFT else {
            throw DiffWaveError(.config, "the mel frontend's window (4·hop_samples = \(winLength)) is longer than n_fft (\(config.nFFT))")
        }
        guard config.nMels >= 1 else {
            throw DiffWaveError(.config, "n_mels must be at least 1, got \(config.nMels)")
        }
        guard Double(config.sampleRate) / 2 > Self.referenceFMin else {
            throw DiffWaveError(.config, "sample_rate \(config.sampleRate) Hz leaves no band above f_min = \(Self.referenceFMin) Hz")
        }
        sampleRate = config.sampleRate
        nFFT = config.nFFT
        self.winLength = winLength
        hopLength = config.hopSamples
        nMels = config.nMels
        fMin = Self.referenceFMin
        fMax = Double(config.sampleRate) / 2
        window = hannWindow(length: winLength, paddedTo: nFFT)
        windowNorm = Float(window.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
        let dense = melFilterbank(nFreqs: nFFT / 2 + 1, fMin: fMin, fMax: fMax, nMels: nMels, sampleRate: sampleRate)
        filters = sparseFilters(dense, nMels: nMels)
        fft = try FFTW(size: nFFT)
    }

    /// Frames of the mel for `sampleCount` samples: `1 + n / hop`.
    public func frameCount(forSamples sampleCount: Int) -> Int {
        1 + sampleCount / hopLength
    }

    /// The normalised log-mel of a mono waveform at `sampleRate`: `(n_mels, frames)`,
    /// values in [0, 1]. Samples are clamped to [-1, 1] first, as the reference does.
    ///
    /// - Throws: `DiffWaveError(.input)` for no samples, or fewer than
    ///   `n_fft/2 + 1` (the reference's reflect padding needs them).
    public func mel(of samples: [Float]) throws(DiffWaveError) -> Tensor {
        guard !samples.isEmpty else {
            throw DiffWaveError(.input, "audio has no samples: cannot compute a mel spectrogram")
        }
        let pad = nFFT / 2
        guard samples.count > pad else {
            throw DiffWaveError(.input, "audio is too short for the mel frontend: \(samples.count) samples, needs at least \(pad + 1) (n_fft/2 + 1, for the centred STFT's reflect padding)")
        }
        let padded = reflectPad(samples.map { min(max($0, -1), 1) }, by: pad)
        let frames = frameCount(forSamples: samples.count)
        let bins = nFFT / 2 + 1
        var out = [Float](repeating: 0, count: nMels * frames)
        var frame = [Float](repeating: 0, count: nFFT)
        var spectrum = [Float](repeating: 0, count: 2 * bins)
        var magnitude = [Float](repeating: 0, count: bins)
        for f in 0..<frames {
            let start = f * hopLength
            for i in 0..<nFFT {
                frame[i] = padded[start + i] * window[i]
            }
            frame.withUnsafeMutableBufferPointer { input in
                spectrum.withUnsafeMutableBufferPointer { output in
                    fft.forward(input, into: output)
                }
            }
            stftMagnitude(spectrum, scale: 1 / windowNorm, into: &magnitude)
            for (m, filter) in filters.enumerated() {
                var sum = 0.0
                for (j, w) in filter.weights.enumerated() {
                    sum += Double(w) * Double(magnitude[filter.first + j])
                }
                out[m * frames + f] = normalisedLogMel(Float(sum))
            }
        }
        return Tensor(shape: [nMels, frames], data: out)
    }

    /// Decodes an audio file (WAV, FLAC, Ogg, ...: anything libsndfile reads,
    /// any bit depth; the first channel of a multi-channel file) and returns
    /// its mel, `(n_mels, frames)`.
    ///
    /// - Parameters:
    ///   - resample: convert audio at another rate to `sampleRate` with
    ///     `Resampler` instead of refusing it. The reference never resamples
    ///     (its data is at the model's rate), so a resampled mel is close to,
    ///     not identical with, one of audio recorded at the model's rate.
    ///   - maxFrames: refuse (`.input`) files with more audio frames than this.
    /// - Throws: `.audio` for an empty, unreadable or corrupt file; `.input`
    ///   for audio without samples, too short, too long, or at another sample
    ///   rate (when `resample` is false).
    public func mel(ofAudioFile data: Data, resample: Bool = false, maxFrames: Int = .max) throws(DiffWaveError) -> Tensor {
        guard !data.isEmpty else {
            throw DiffWaveError(.audio, "the audio file is empty (0 bytes)")
        }
        let decoded = try AudioDecoder.decode(data, maxFrames: maxFrames)
        guard !decoded.samples.isEmpty else {
            throw DiffWaveError(.input, "the audio file has no samples: cannot compute a mel spectrogram")
        }
        var samples = decoded.samples
        if decoded.sampleRate != sampleRate {
            guard resample else {
                throw DiffWaveError(.input, "audio is sampled at \(decoded.sampleRate) Hz but the model expects \(sampleRate) Hz: resample it, or enable resampling")
            }
            samples = try Resampler(from: decoded.sampleRate, to: sampleRate).resample(samples)
        }
        return try mel(of: samples)
    }
}

// MARK: - Kernels

/// Periodic Hann window of `length`, `w[i] = 0.5 − 0.5·cos(2π·i / length)`
/// (`torch.hann_window(length, periodic=True)`), centred in `n` zeros the
/// way `torch.stft` pads a window shorter than `n_fft`. (n,)
func hannWindow(length: Int, paddedTo n: Int) -> [Float] {
    precondition(length >= 1 && length <= n)
    var window = [Float](repeating: 0, count: n)
    let left = (n - length) / 2
    for i in 0..<length {
        window[left + i] = Float(0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(length)))
    }
    return window
}

/// Reflect padding without repeating the edge sample (`pad_mode='reflect'`):
/// `[x2, x1 | x0, x1, x2, ..., xn-1 | xn-2, xn-3]`. Needs `pad < n`.
/// (n,) → (n + 2·pad,)
func reflectPad(_ x: [Float], by pad: Int) -> [Float] {
    precondition(pad >= 0 && pad < x.count, "reflect padding of \(pad) needs more than \(pad) samples, got \(x.count)")
    let n = x.count
    var out = [Float](repeating: 0, count: n + 2 * pad)
    for i in 0..<pad {
        out[i] = x[pad - i]              // left: x[pad], ..., x[1]
        out[pad + n + i] = x[n - 2 - i]  // right: x[n-2], ..., x[n-1-pad]
    }
    for i in 0..<n {
        out[pad + i] = x[i]
    }
    return out
}

/// Interleaved complex spectrum (2·bins,) → scaled magnitudes (bins,):
/// `|X[k]| · scale`.
func stftMagnitude(_ spectrum: [Float], scale: Float, into magnitude: inout [Float]) {
    precondition(spectrum.count == 2 * magnitude.count)
    for k in 0..<magnitude.count {
        let re = spectrum[2 * k], im = spectrum[2 * k + 1]
        magnitude[k] = (re * re + im * im).squareRoot() * scale
    }
}

/// HTK mel scale: `2595·log10(1 + f/700)`.
func hzToMelHTK(_ hz: Double) -> Double { 2595 * log10(1 + hz / 700) }

/// Inverse of `hzToMelHTK`: `700·(10^(mel/2595) − 1)`.
func melToHzHTK(_ mel: Double) -> Double { 700 * (pow(10, mel / 2595) - 1) }

/// torchaudio's `melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate,
/// norm=None, mel_scale='htk')`, row-major (n_freqs, n_mels):
/// - bin `k` is at `k · (sample_rate // 2) / (n_freqs − 1)` Hz (linspace
///   from 0 to the integer half of the rate);
/// - `n_mels + 2` points evenly spaced in HTK mel from `f_min` to `f_max`,
///   back in Hz: `f_pts`;
/// - filter `m` rises from `f_pts[m]` to `f_pts[m+1]` and falls to
///   `f_pts[m+2]`: `max(0, min(down, up))` with
///   `down = (f − f_pts[m]) / (f_pts[m+1] − f_pts[m])` and
///   `up = (f_pts[m+2] − f) / (f_pts[m+2] − f_pts[m+1])`; no area normalisation.
func melFilterbank(nFreqs: Int, fMin: Double, fMax: Double, nMels: Int, sampleRate: Int) -> [Double] {
    let nyquist = Double(sampleRate / 2)
    let freqs = (0..<nFreqs).map { nFreqs == 1 ? 0 : nyquist * Double($0) / Double(nFreqs - 1) }
    let mMin = hzToMelHTK(fMin), mMax = hzToMelHTK(fMax)
    let points = (0..<(nMels + 2)).map { melToHzHTK(mMin + (mMax - mMin) * Double($0) / Double(nMels + 1)) }
    var bank = [Double](repeating: 0, count: nFreqs * nMels)
    for k in 0..<nFreqs {
        for m in 0..<nMels {
            let down = (freqs[k] - points[m]) / (points[m + 1] - points[m])
            let up = (points[m + 2] - freqs[k]) / (points[m + 2] - points[m + 1])
            bank[k * nMels + m] = max(0, min(down, up))
        }
    }
    return bank
}

/// Dense (n_freqs, n_mels) → per mel band, the run of bins from its first to
/// its last non-zero weight (a triangle's support is contiguous).
func sparseFilters(_ bank: [Double], nMels: Int) -> [(first: Int, weights: [Float])] {
    let nFreqs = bank.count / nMels
    return (0..<nMels).map { m in
        let column = (0..<nFreqs).map { bank[$0 * nMels + m] }
        guard let first = column.firstIndex(where: { $0 != 0 }), let last = column.lastIndex(where: { $0 != 0 }) else {
            return (0, [])
        }
        return (first, column[first...last].map { Float($0) })
    }
}

/// The reference's normalisation of a mel magnitude:
/// `clamp((20·log10(max(x, 1e-5)) − 20 + 100) / 100, 0, 1)`.
func normalisedLogMel(_ x: Float) -> Float {
    let db = 20 * log10(Double(max(x, MelFrontend.magnitudeFloor))) - 20
    return Float(min(max((db + 100) / 100, 0), 1))
}
