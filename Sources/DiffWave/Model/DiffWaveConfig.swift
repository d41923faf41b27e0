/// The model's hyper-parameters, as the reference's `params` dict names them.
public struct DiffWaveConfig: Equatable, Sendable {
    public var residualLayers: Int
    public var residualChannels: Int
    public var dilationCycleLength: Int
    public var nMels: Int
    public var hopSamples: Int
    public var sampleRate: Int
    /// What the network takes besides the noisy audio and the step: a mel, a label, both or nothing.
    public var conditioning: Conditioning
    /// The training betas; their count is the number of diffusion steps the embedding table covers.
    public var noiseSchedule: [Double]
    /// The fast-sampling betas.
    public var inferenceNoiseSchedule: [Double]
    /// Training crop length in samples (models without a mel generate this many by default).
    public var audioLen: Int?
    /// FFT length of the mel frontend (`params['n_fft']`); the vocoder itself never uses it.
    public var nFFT: Int = 1024

    /// Width of the diffusion-step embedding table (sin and cos halves) and of its MLP.
    public static let embeddingTableWidth = 128
    public static let embeddingWidth = 512
    /// The upsampler's two transposed convolutions each stretch time by 16.
    public static let upsamplerStride = 16

    /// The reference defaults (`diffwave.params`): BASE at 22050 Hz, what its inference
    /// code assumes for a checkpoint without `params`.
    public static let base = DiffWaveConfig(
        residualLayers: 30, residualChannels: 64, dilationCycleLength: 10, nMels: 80,
        hopSamples: 256, sampleRate: 22050, conditioning: .mel,
        noiseSchedule: linspace(1e-4, 0.05, 50),
        inferenceNoiseSchedule: [0.0001, 0.001, 0.01, 0.05, 0.2, 0.5],
        audioLen: 22050 * 5)

    /// The paper's SC09 model (§4, class-conditional generation of spoken digits): 36 layers,
    /// 256 channels, dilation cycle 12, 16 kHz, 1-second samples, 200 linear training betas
    /// 1e-4...0.02, ten classes `zero`...`nine` embedded in 128 values, no mel. The fast
    /// schedule is the reference's default. For timing it with random weights (`bench --preset sc09`).
    public static let sc09 = DiffWaveConfig(
        residualLayers: 36, residualChannels: 256, dilationCycleLength: 12, nMels: 80,
        hopSamples: 256, sampleRate: 16000,
        conditioning: .label(ClassLabels(count: 10, names: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])),
        noiseSchedule: linspace(1e-4, 0.02, 200),
        inferenceNoiseSchedule: base.inferenceNoiseSchedule,
        audioLen: 16000)

    public init(residualLayers: Int, residualChannels: Int, dilationCycleLength: Int, nMels: Int,
                hopSamples: Int, sampleRate: Int, conditioning: Conditioning,
                noiseSchedule: [Double], inferenceNoiseSchedule: [Double], audioLen: Int?) {
        self.residualLayers = residualLayers
        self.residualChannels = residualChannels
        self.dilationCycleLength = dilationCycleLength
        self.nMels = nMels
        self.hopSamples = hopSamples
        self.sampleRate = sampleRate
        self.conditioning = conditioning
        self.noiseSchedule = noiseSchedule
        self.inferenceNoiseSchedule = inferenceNoiseSchedule
        self.audioLen = audioLen
    }

    /// Dilation of residual layer `i`: `2^(i mod cycle)`.
    public func dilation(ofLayer i: Int) -> Int { 1 << (i % dilationCycleLength) }

    /// Rejects hyper-parameters the network cannot run with.
    public func validate() throws(DiffWaveError) {
        func require(_ ok: Bool, _ why: String) throws(DiffWaveError) {
            if !ok { throw DiffWaveError(.config, why) }
        }
        try require(residualLayers >= 1 && residualLayers <= 1024, "residual_layers must be in 1...1024, got \(residualLayers)")
        try require(residualChannels >= 1 && residualChannels <= 4096, "residual_channels must be in 1...4096, got \(residualChannels)")
        try require(dilationCycleLength >= 1 && dilationCycleLength <= 20, "dilation_cycle_length must be in 1...20, got \(dilationCycleLength)")
        try require(nMels >= 1 && nMels <= 1024, "n_mels must be in 1...1024, got \(nMels)")
        try require(sampleRate >= 1 && sampleRate <= 384_000, "sample_rate must be in 1...384000, got \(sampleRate)")
        let upsampling = Self.upsamplerStride * Self.upsamplerStride
        try require(!conditioning.takesMel || hopSamples == upsampling,
                    "hop_samples must be \(upsampling) (what the upsampler's two stride-16 layers produce), got \(hopSamples)")
        try require(!noiseSchedule.isEmpty && noiseSchedule.count <= 100_000, "noise_schedule must have 1...100000 betas, got \(noiseSchedule.count)")
        try require(noiseSchedule.allSatisfy { $0 > 0 && $0 < 1 }, "noise_schedule betas must lie in (0, 1)")
        try conditioning.labels?.validate()
    }

    /// numpy's `linspace(start, stop, count)`.
    static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
        let step = (stop - start) / Double(count - 1)
        return (0..<count).map { i in i == count - 1 ? stop : start + Double(i) * step }
    }
}
