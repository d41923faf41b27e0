import Foundation
import TestSupport
import Testing
@testable import DiffWave

/// speech.wav's samples as the 16-bit integers the file holds.
private func speechInt16() throws -> [Int] {
    try AudioDecoder.decode(Fixtures.data("speech.wav")).samples.map { Int(($0 * 32_768).rounded()) }
}

@Test func melFrontendReproducesTheReferenceMel() throws {
    let frontend = try MelFrontend(config: .base)
    let mel = try frontend.mel(ofAudioFile: Fixtures.data("speech.wav"))
    let reference = try Fixtures.npy("speech.mel.npy")
    #expect(mel.shape == [80, 240])
    #expect(mel.shape == reference.shape)
    // Measured: 2.1e-5 (float32 FFT round-off), no bin needs the looser 1e-3
    // that a value clamped at 0 or 1 in the reference could.
    #expect(maxAbsDifference(mel.data, reference.data) < 1e-4)
}

@Test func melFrontendFrameCountIsOnePlusSamplesOverHop() throws {
    let frontend = try MelFrontend(config: .base)
    // speech.wav: 61402 samples → 1 + 239 = 240 frames, what speech.mel.npy has.
    #expect(frontend.frameCount(forSamples: 61_402) == 240)
    for (samples, frames) in [(513, 3), (1_023, 4), (1_024, 5), (1_025, 5)] {
        let x = (0..<samples).map { Float(sin(Double($0) * 0.1)) * 0.3 }
        #expect(try frontend.mel(of: x).shape == [80, frames])
        #expect(frontend.frameCount(forSamples: samples) == frames)
    }
}

@Test func melFrontendUsesTheFirstChannel() throws {
    let left = try speechInt16()
    var noise = GaussianNoise(seed: 9)
    let interleaved = left.flatMap { [$0, Int(max(-32_768, min(32_767, noise.next() * 8_000)))] }
    let frontend = try MelFrontend(config: .base)
    let stereo = try frontend.mel(ofAudioFile: pcmWAV(channels: 2, sampleRate: 22_050, bits: 16, interleaved: interleaved))
    let mono = try frontend.mel(ofAudioFile: Fixtures.data("speech.wav"))
    #expect(stereo == mono)
}

@Test func melFrontendReadsAnyBitDepthAndFLAC() throws {
    let frontend = try MelFrontend(config: .base)
    let reference = try Fixtures.npy("speech.mel.npy")
    let speech = try speechInt16()
    // 24-bit: the same samples shifted up 8 bits are the same floats.
    let wav24 = try frontend.mel(ofAudioFile: pcmWAV(channels: 1, sampleRate: 22_050, bits: 24, interleaved: speech.map { $0 << 8 }))
    #expect(maxAbsDifference(wav24.data, reference.data) < 1e-4)
    // FLAC (16-bit, lossless).
    let samples = try AudioDecoder.decode(Fixtures.data("speech.wav")).samples
    let flac = try frontend.mel(ofAudioFile: AudioEncoder.encode(samples, sampleRate: 22_050, format: .flac))
    #expect(maxAbsDifference(flac.data, reference.data) < 1e-4)
    // 8-bit: coarser audio, so only the computation is checked: the file's
    // mel is the mel of its samples as libsndfile scales them, (v − 128) / 128.
    let speech8 = speech.map { max(-128, min(127, Int((Double($0) / 256).rounded()))) }
    let wav8 = try frontend.mel(ofAudioFile: pcmWAV(channels: 1, sampleRate: 22_050, bits: 8, interleaved: speech8))
    #expect(wav8 == (try frontend.mel(of: speech8.map { Float($0) / 128 })))
    #expect(wav8.shape == [80, 240])
    // ... and still close to the 16-bit mel where the speech is loud.
    let loud = zip(wav8.data, reference.data).filter { $0.1 > 0.5 }
    #expect(loud.map { abs($0.0 - $0.1) }.max()! < 0.1)  // measured 0.046
}

@Test func melFrontendRefusesAnotherSampleRateNamingBoth() throws {
    let frontend = try MelFrontend(config: .base)
    let samples = (0..<44_100).map { Float(0.3 * sin(2 * Double.pi * 440 * Double($0) / 44_100)) }
    let file = try AudioEncoder.encode(samples, sampleRate: 44_100, format: .wav)
    let error = try #require(caught { _ = try frontend.mel(ofAudioFile: file) })
    #expect(error.code == .input)
    #expect(error.message.contains("44100 Hz"))
    #expect(error.message.contains("22050 Hz"))
}

@Test func melFrontendResamplesWhenAsked() throws {
    let frontend = try MelFrontend(config: .base)
    // speech.wav taken up to 44.1 kHz, stored as float WAV: resampled back
    // down it gives 61402 samples again, so the reference's 240 frames, and
    // nearly the reference mel (the two conversions cut a little above 10.7 kHz).
    let samples = try AudioDecoder.decode(Fixtures.data("speech.wav")).samples
    let up = try Resampler(from: 22_050, to: 44_100).resample(samples)
    #expect(up.count == 122_804)
    let file = try AudioEncoder.encode(up, sampleRate: 44_100, format: .wavF32)
    let mel = try frontend.mel(ofAudioFile: file, resample: true)
    #expect(mel.shape == [80, frontend.frameCount(forSamples: 61_402)])
    let reference = try Fixtures.npy("speech.mel.npy")
    let bands = 0..<76  // below the top few bands, which the conversions' roll-off touches
    var worst: Float = 0
    for m in bands {
        for f in 0..<240 {
            worst = max(worst, abs(mel.data[m * 240 + f] - reference.data[m * 240 + f]))
        }
    }
    #expect(worst < 0.005)  // measured 1.2e-3; the top 4 bands differ by up to 0.11
    // 16 kHz audio comes out at 22.05 kHz: ceil(16000 · 441 / 320) = 22050 samples.
    let file16k = try AudioEncoder.encode([Float](repeating: 0.1, count: 16_000), sampleRate: 16_000, format: .wav)
    #expect(try frontend.mel(ofAudioFile: file16k, resample: true).shape == [80, 1 + 22_050 / 256])
}

@Test func melFrontendRejectsEmptyAudio() throws {
    let frontend = try MelFrontend(config: .base)
    let noBytes = try #require(caught { _ = try frontend.mel(ofAudioFile: Data()) })
    #expect(noBytes.code == .audio)
    #expect(noBytes.message.contains("empty"))
    let noFrames = try #require(caught { _ = try frontend.mel(ofAudioFile: pcmWAV(channels: 1, sampleRate: 22_050, bits: 16, interleaved: [])) })
    #expect(noFrames.code == .input)
    #expect(noFrames.message.contains("no samples"))
    #expect(caught { _ = try frontend.mel(of: []) }?.code == .input)
}

@Test func melFrontendRejectsAudioTooShortForReflectPadding() throws {
    let frontend = try MelFrontend(config: .base)
    let error = try #require(caught { _ = try frontend.mel(of: [Float](repeating: 0.1, count: 512)) })
    #expect(error.code == .input)
    #expect(error.message.contains("513"))
}

@Test func melFrontendRejectsACorruptFile() throws {
    let frontend = try MelFrontend(config: .base)
    #expect(caught { _ = try frontend.mel(ofAudioFile: Data("RIFF....WAVEfmt this is not audio".utf8)) }?.code == .audio)
    let samples = try AudioDecoder.decode(Fixtures.data("speech.wav")).samples
    var flac = try AudioEncoder.encode(samples, sampleRate: 22_050, format: .flac)
    for i in stride(from: 200, to: flac.count, by: 7) {
        flac[i] ^= 0x5A
    }
    #expect(caught { _ = try frontend.mel(ofAudioFile: flac) }?.code == .audio)
}

@Test func melFrontendFollowsTheConfig() throws {
    var config = DiffWaveConfig.base
    config.nMels = 64
    config.sampleRate = 16_000
    config.nFFT = 2_048  // window stays 4·hop = 1024, centred in 2048
    let frontend = try MelFrontend(config: config)
    #expect(frontend.winLength == 1_024)
    let mel = try frontend.mel(of: (0..<16_000).map { Float(0.3 * sin(Double($0) * 0.2)) })
    #expect(mel.shape == [64, 1 + 16_000 / 256])
    #expect(mel.data.allSatisfy { $0 >= 0 && $0 <= 1 })
    config.nFFT = 512
    #expect(caught { _ = try MelFrontend(config: config) }?.code == .config)
}

@Test func melFrontendIsSafeToShareAcrossThreads() throws {
    let frontend = try MelFrontend(config: .base)
    let samples = try AudioDecoder.decode(Fixtures.data("speech.wav")).samples
    let expected = try frontend.mel(of: samples)
    let same = UnsafeSendableFlags(count: 8)
    DispatchQueue.concurrentPerform(iterations: 8) { i in
        same.set(i, (try? frontend.mel(of: samples)) == expected)
    }
    #expect(same.all)
}

/// One Bool per thread of a `concurrentPerform`; each thread writes only its own slot.
private final class UnsafeSendableFlags: @unchecked Sendable {
    private var flags: [Bool]
    init(count: Int) { flags = [Bool](repeating: false, count: count) }
    func set(_ i: Int, _ value: Bool) { flags.withUnsafeMutableBufferPointer { $0[i] = value } }
    var all: Bool { flags.allSatisfy { $0 } }
}

// MARK: Kernels

@Test func reflectPadMirrorsWithoutRepeatingTheEdge() {
    #expect(reflectPad([1, 2, 3, 4], by: 2) == [3, 2, 1, 2, 3, 4, 3, 2])
    #expect(reflectPad([1, 2], by: 1) == [2, 1, 2, 1])
    #expect(reflectPad([5, 6, 7], by: 0) == [5, 6, 7])
}

@Test func hannWindowIsPeriodicAndCentred() {
    let w = hannWindow(length: 4, paddedTo: 4)
    #expect(maxAbsDifference(w, [0, 0.5, 1, 0.5]) < 1e-7)
    // torch.stft centres a shorter window: left padding (n_fft − win) / 2.
    #expect(maxAbsDifference(hannWindow(length: 2, paddedTo: 4), [0, 0, 1, 0]) < 1e-7)
    #expect(maxAbsDifference(hannWindow(length: 4, paddedTo: 7), [0, 0, 0.5, 1, 0.5, 0, 0]) < 1e-7)
}

@Test func htkMelScaleRoundTrips() {
    #expect(abs(hzToMelHTK(700) - 2595 * log10(2.0)) < 1e-9)
    #expect(abs(hzToMelHTK(0)) < 1e-12)
    for hz in [20.0, 440, 8_000, 11_025] {
        #expect(abs(melToHzHTK(hzToMelHTK(hz)) - hz) < 1e-9)
    }
}

@Test func melFilterbankHasTorchaudiosTriangles() {
    // 5 bins at 0, 1000, ..., 4000 Hz; 2 mels between 0 and 4000 Hz.
    let bank = melFilterbank(nFreqs: 5, fMin: 0, fMax: 4_000, nMels: 2, sampleRate: 8_000)
    let mMax = hzToMelHTK(4_000)
    let points = (0..<4).map { melToHzHTK(mMax * Double($0) / 3) }
    for k in 0..<5 {
        let f = 1_000.0 * Double(k)
        for m in 0..<2 {
            let expected = max(0, min((f - points[m]) / (points[m + 1] - points[m]), (points[m + 2] - f) / (points[m + 2] - points[m + 1])))
            #expect(abs(bank[k * 2 + m] - expected) < 1e-12)
        }
    }
    #expect(bank[0] == 0 && bank[1] == 0)  // 0 Hz is each triangle's foot or outside it
    // The integer half of an odd rate, as torchaudio's `sample_rate // 2`.
    let odd = melFilterbank(nFreqs: 3, fMin: 0, fMax: 4_000.5, nMels: 1, sampleRate: 8_001)
    #expect(odd.count == 3)
}

@Test func normalisedLogMelMapsTheReferenceRange() {
    #expect(normalisedLogMel(0) == 0)             // floor 1e-5: −100 dB − 20 → clamped
    #expect(abs(normalisedLogMel(10) - 1) < 1e-6)  // 20 dB − 20 = 0 dB → 1
    #expect(abs(normalisedLogMel(1) - 0.8) < 1e-6) // 0 dB − 20 → 0.8
    #expect(normalisedLogMel(1_000) == 1)
}
