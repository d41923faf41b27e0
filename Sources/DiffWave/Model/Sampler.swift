/// Where the sampler's Gaussian draws come from.
public enum NoiseSource: Sendable {
    /// A seeded `GaussianNoise`: the same seed gives the same audio, bit for bit.
    case seed(UInt64)
    /// Pre-drawn noise `(S, N)` in the reference's order: row 0 is x_T, then one row per step n = S-1 ... 1.
    case draws(Tensor)
}

/// The reverse diffusion chain (DiffWave Algorithm 2, with the fast schedule's T[s] mapping):
///
///     x = draw[0]
///     for n = S-1 ... 0:
///         x = (x - β_n / √(1 - ᾱ_n) · ε_θ(x, T[n], mel, label)) / √α_n
///         if n > 0: x += √((1 - ᾱ_{n-1}) / (1 - ᾱ_n) · β_n) · next draw
///         x = clamp(x, -1, 1)
public struct Sampler: Sendable {
    public let model: DiffWave
    public let schedule: NoiseSchedule
    /// The GEMMs' number format: `.float32` (exact, the default) or `.bfloat16` (fast).
    public let precision: Precision
    /// Bytes a request's workspace may hold (`ExecutionPlan`): the activations (3 · C · N floats)
    /// always; then the upsampled mel, `M · N` values in the GEMMs' input format (14 MB in
    /// float32 for 2 s of BASE audio), which saves the upsampler's second layer in every layer
    /// and step; then the conditioner's projection, `2C · N` values per layer in the same
    /// format (22.6 MB per layer at 2 s in float32, 11.3 MB in bfloat16), which saves its GEMM
    /// in every step but the first (`defaultMemoryBudgetBytes`).
    public let memoryBudgetBytes: Int
    /// The budget where none is given. Float32, the exact path, stays lean: 224 MiB holds
    /// the mel and 8 of BASE's 30 layers at 2 s; at 10 s (activations 173 MB) neither (the mel,
    /// 71 MB, would take the process's peak past 300 MB). Bfloat16, the fast path, trades
    /// memory for speed: 2 GiB holds the mel and all 30 layers up to 11 s of BASE audio, so that
    /// five of a request's six steps skip every layer's conditioner GEMM, a large share of a
    /// bf16 step (bench/README.md).
    public static func defaultMemoryBudgetBytes(_ precision: Precision) -> Int {
        precision == .bfloat16 ? 2048 << 20 : 224 << 20
    }
    /// The largest budget the settings take, in MiB (1 TiB; it keeps MiB-to-bytes in range).
    public static let maxMemoryBudgetMB = 1 << 20

    public init(model: DiffWave, schedule: NoiseSchedule, precision: Precision = .float32,
                memoryBudgetBytes: Int? = nil) throws(DiffWaveError) {
        for t in schedule.steps { try model.checkStep(t) }
        guard precision.isAvailable else {
            throw DiffWaveError(.config, "precision \(precision.rawValue) is not available on this machine (oneDNN has no bf16 matmul here)")
        }
        self.model = model
        self.schedule = schedule
        self.precision = precision
        self.memoryBudgetBytes = memoryBudgetBytes ?? Sampler.defaultMemoryBudgetBytes(precision)
    }

    /// Called after each step with (steps done, steps in all); returning false cancels the run.
    public typealias Progress = (_ done: Int, _ total: Int) -> Bool

    /// Audio `(frames * hop)` for a validated mel `(M, frames)`, and class `label` for a model
    /// with classes (nil for one without).
    public func vocode(mel: Tensor, label: Int? = nil, noise: NoiseSource, threads: Int = 1,
                       progress: Progress = { _, _ in true }) throws(DiffWaveError) -> [Float] {
        guard model.config.conditioning.takesMel else {
            throw DiffWaveError(.input, "this checkpoint takes no mel (use generate)")
        }
        let label = try model.config.conditioning.classIndex(of: label.map(Label.index))
        try MelInput.check(mel, config: model.config)
        let conditioner = model.upsampleFirstLayer(mel: mel)
        return try conditioner.withUnsafeBufferPointer { (c) throws(DiffWaveError) -> [Float] in
            try run(samples: mel.shape[1] * model.config.hopSamples, conditioner: c.baseAddress, label: label, noise: noise,
                    threads: threads, progress: progress)
        }
    }

    /// `samples` samples from a model without a mel: unconditional, or of class `label` for a
    /// model with classes (nil for one without).
    public func generate(samples: Int, label: Int? = nil, noise: NoiseSource, threads: Int = 1,
                         progress: Progress = { _, _ in true }) throws(DiffWaveError) -> [Float] {
        guard !model.config.conditioning.takesMel else {
            throw DiffWaveError(.input, "this checkpoint needs a mel spectrogram (use vocode)")
        }
        let label = try model.config.conditioning.classIndex(of: label.map(Label.index))
        return try run(samples: samples, conditioner: nil, label: label, noise: noise, threads: threads, progress: progress)
    }

    private func run(samples n: Int, conditioner: UnsafePointer<Float>?, label: Int?, noise: NoiseSource, threads: Int,
                     progress: Progress) throws(DiffWaveError) -> [Float] {
        guard n >= 1 else { throw DiffWaveError(.input, "cannot sample \(n) samples") }
        let s = schedule.count
        var draws = NoiseDraws(source: noise, rows: s, samples: n)
        try draws.validate()
        let plan = ExecutionPlan(model: model, samples: n, threads: threads, precision: precision,
                                 memoryBudgetBytes: memoryBudgetBytes)
        let workspace = try Workspace(model: model, plan: plan)
        if let conditioner { workspace.cacheConditioner(conditioner, model: model) }
        var x = [Float](repeating: 0, count: n)
        var eps = [Float](repeating: 0, count: n)
        var z = [Float](repeating: 0, count: n)
        draws.next(into: &x)
        for step in stride(from: s - 1, through: 0, by: -1) {
            let beta = schedule.betas[step], alpha = schedule.alphas[step], alphaCum = schedule.alphaCum[step]
            x.withUnsafeBufferPointer { xp in eps.withUnsafeMutableBufferPointer { ep in
                model.predictNoise(audio: xp.baseAddress!, step: schedule.steps[step], conditioner: conditioner,
                                   label: label, into: ep.baseAddress!, workspace: workspace)
            } }
            let c1 = Float(1 / alpha.squareRoot()), c2 = Float(beta / (1 - alphaCum).squareRoot())
            for i in 0..<n { x[i] = c1 * (x[i] - c2 * eps[i]) }
            if step > 0 {
                draws.next(into: &z)
                let sigma = Float(((1 - schedule.alphaCum[step - 1]) / (1 - alphaCum) * beta).squareRoot())
                for i in 0..<n { x[i] += sigma * z[i] }
            }
            for i in 0..<n { x[i] = min(max(x[i], -1), 1) }
            if !progress(s - step, s) { throw DiffWaveError(.cancelled, "cancelled after \(s - step) of \(s) steps") }
        }
        return x
    }
}

/// Hands out the chain's Gaussian draws row by row, from a seed or a file.
struct NoiseDraws {
    let source: NoiseSource
    let rows: Int
    let samples: Int
    private var generator: GaussianNoise?
    private var row = 0

    init(source: NoiseSource, rows: Int, samples: Int) {
        self.source = source
        self.rows = rows
        self.samples = samples
        if case .seed(let seed) = source { generator = GaussianNoise(seed: seed) }
    }

    func validate() throws(DiffWaveError) {
        if case .draws(let t) = source, t.shape != [rows, samples] {
            throw DiffWaveError(.input, "noise draws have shape \(Tensor.describe(t.shape)), expected \(Tensor.describe([rows, samples])) (schedule steps, samples)")
        }
    }

    mutating func next(into out: inout [Float]) {
        switch source {
        case .seed:
            out.withUnsafeMutableBufferPointer { generator!.fill($0) }
        case .draws(let t):
            let base = row * samples
            for i in 0..<samples { out[i] = t.data[base + i] }
        }
        row += 1
    }
}
