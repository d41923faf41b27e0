/// A sampling schedule: betas, their cumulative alphas, and for each inference step the
/// (possibly fractional) training step T[s] whose noise level it matches.
public struct NoiseSchedule: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// The training schedule itself (T = 50 for the reference models).
        case full
        /// The reference's 6-step inference schedule.
        case fast
    }

    public let betas: [Double]
    public let alphas: [Double]
    public let alphaCum: [Double]
    /// T[s], in float32 as the reference feeds it to the network.
    public let steps: [Float]

    public var count: Int { betas.count }

    /// Maps `betas` onto the training schedule `training`, as the reference's inference does:
    /// T[s] is the t with `talpha_cum[t+1] <= alpha_cum[s] <= talpha_cum[t]`, plus the
    /// fraction of the way between them in sqrt(alpha_cum).
    public init(betas: [Double], training: [Double]) throws(DiffWaveError) {
        guard !betas.isEmpty else { throw DiffWaveError(.schedule, "noise schedule is empty") }
        if let bad = betas.firstIndex(where: { !($0 > 0 && $0 < 1) }) {
            throw DiffWaveError(.schedule, "noise schedule beta[\(bad)] = \(betas[bad]) is outside (0, 1)")
        }
        let talphaCum = Self.cumulativeProduct(training.map { 1 - $0 })
        let alphas = betas.map { 1 - $0 }
        let alphaCum = Self.cumulativeProduct(alphas)
        var steps: [Float] = []
        for (s, a) in alphaCum.enumerated() {
            guard let t = (0..<max(talphaCum.count - 1, 0)).first(where: { talphaCum[$0 + 1] <= a && a <= talphaCum[$0] }) else {
                throw DiffWaveError(.schedule,
                    "noise schedule step \(s) (alpha_cum \(a)) matches no training step: it must lie within the training schedule's alpha_cum range [\(talphaCum.last ?? 0), \(talphaCum.first ?? 1)]")
            }
            let twiddle = (talphaCum[t].squareRoot() - a.squareRoot()) / (talphaCum[t].squareRoot() - talphaCum[t + 1].squareRoot())
            steps.append(Float(Double(t) + twiddle))
        }
        self.betas = betas
        self.alphas = alphas
        self.alphaCum = alphaCum
        self.steps = steps
    }

    /// The named schedule of a model.
    public init(_ kind: Kind, config: DiffWaveConfig) throws(DiffWaveError) {
        switch kind {
        case .full: try self.init(betas: config.noiseSchedule, training: config.noiseSchedule)
        case .fast: try self.init(betas: config.inferenceNoiseSchedule, training: config.noiseSchedule)
        }
    }

    static func cumulativeProduct(_ values: [Double]) -> [Double] {
        var product = 1.0
        return values.map { product *= $0; return product }
    }
}
