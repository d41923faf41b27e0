import Foundation

/// Band-limited sample-rate conversion by windowed-sinc interpolation.
///
/// Output sample `j` sits at input time `t = j · from / to` (in input
/// samples) and is `Σ_i x[i] · h(t − i)` over the input samples within the
/// filter's reach, where
///
///     h(u) = c · sinc(c · u) · kaiser(u / reach),   sinc(v) = sin(πv) / (πv)
///
/// - `c = rolloff · min(1, to / from)` is the cutoff as a fraction of the
///   input's Nyquist frequency: when downsampling, everything above the new
///   Nyquist is removed before it can alias; `rolloff` (0.97) leaves the
///   filter room to roll off below it.
/// - `reach = zeroCrossings / c` input samples each side (`zeroCrossings` =
///   16 lobes of the sinc), tapered by a Kaiser window with β = 8.6 (about
///   −90 dB stopband), so the transition band is narrow and the stopband
///   deep enough for 16-bit audio.
/// - Samples outside the input count as zero.
/// - The output has `ceil(n · to / from)` samples (what `torchaudio`'s
///   resample returns), so the duration is kept.
///
/// The ratio is reduced to `L / M` (`to / gcd`, `from / gcd`); output times
/// then fall on only `L` distinct fractional positions, and when `L` is small
/// enough (every common pair of audio rates) their taps are computed once
/// into a table. Otherwise taps are computed per output sample.
public struct Resampler: Sendable {
    public let inputRate: Int
    public let outputRate: Int

    static let rolloff = 0.97
    static let zeroCrossings = 16.0
    static let kaiserBeta = 8.6
    /// Most taps (phases × taps per phase) kept in a table: 16 MB of floats.
    static let maxTabulatedTaps = 1 << 22

    /// `to / gcd`, `from / gcd`: output sample `j` is at input time `j · M / L`.
    private let up: Int
    private let down: Int
    private let cutoff: Double
    /// Filter reach each side, in input samples.
    private let reach: Double
    /// For phase `p` (output time `k + p / L`): the taps for inputs
    /// `k + first ... k + first + taps.count − 1`; nil when the table would
    /// be too large.
    private let table: [(first: Int, taps: [Float])]?

    /// - Throws: `DiffWaveError(.input)` unless both rates are positive.
    public init(from inputRate: Int, to outputRate: Int) throws(DiffWaveError) {
        try self.init(from: inputRate, to: outputRate, maxTabulatedTaps: Self.maxTabulatedTaps)
    }

    /// `maxTabulatedTaps: 0` forces per-sample taps (tests compare both paths).
    init(from inputRate: Int, to outputRate: Int, maxTabulatedTaps: Int) throws(DiffWaveError) {
        guard inputRate > 0, outputRate > 0 else {
            throw DiffWaveError(.input, "cannot resample from \(inputRate) Hz to \(outputRate) Hz: rates must be positive")
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        let g = gcd(inputRate, outputRate)
        up = outputRate / g
        down = inputRate / g
        cutoff = Self.rolloff * min(1, Double(outputRate) / Double(inputRate))
        reach = Self.zeroCrossings / cutoff
        if Double(up) * (2 * reach + 2) <= Double(maxTabulatedTaps) {
            let (cutoff, reach, up) = (cutoff, reach, up)
            table = (0..<up).map { p in resamplerTaps(fraction: Double(p) / Double(up), cutoff: cutoff, reach: reach) }
        } else {
            table = nil
        }
    }

    /// Samples the output has for `inputCount` input samples: `ceil(n · to / from)`.
    public func outputCount(for inputCount: Int) -> Int {
        (inputCount * up + down - 1) / down
    }

    /// x (n,) at `inputRate` → (ceil(n · to / from),) at `outputRate`.
    public func resample(_ x: [Float]) -> [Float] {
        if up == down { return x }
        let count = outputCount(for: x.count)
        var y = [Float](repeating: 0, count: count)
        x.withUnsafeBufferPointer { x in
            for j in 0..<count {
                // Input time j·M/L = k + p/L.
                let k = (j * down) / up
                let p = (j * down) % up
                let (first, taps) = table?[p] ?? resamplerTaps(fraction: Double(p) / Double(up), cutoff: cutoff, reach: reach)
                var sum: Float = 0
                let lo = max(0, k + first)
                let hi = min(x.count, k + first + taps.count)
                if lo < hi {
                    for i in lo..<hi {
                        sum += x[i] * taps[i - k - first]
                    }
                }
                y[j] = sum
            }
        }
        return y
    }
}

/// The taps for an output at input time `k + fraction` (0 <= fraction < 1):
/// weights for inputs `k + first ..< k + first + taps.count`, i.e. every
/// input `i` with `|k + fraction − i| < reach`, each `h(k + fraction − i)`.
func resamplerTaps(fraction: Double, cutoff: Double, reach: Double) -> (first: Int, taps: [Float]) {
    // Offsets d = i − k with |fraction − d| <= reach; the filter argument is u = fraction − d.
    let first = Int((fraction - reach).rounded(.up))
    let last = Int((fraction + reach).rounded(.down))
    var taps: [Float] = []
    taps.reserveCapacity(max(0, last - first + 1))
    for d in stride(from: first, through: last, by: 1) {
        let u = fraction - Double(d)
        taps.append(Float(cutoff * sinc(cutoff * u) * kaiser(u / reach, beta: Resampler.kaiserBeta)))
    }
    return (first, taps)
}

/// sin(πv) / (πv), 1 at 0.
func sinc(_ v: Double) -> Double {
    if v == 0 { return 1 }
    return sin(Double.pi * v) / (Double.pi * v)
}

/// Kaiser window at x ∈ [−1, 1]: I0(β·√(1 − x²)) / I0(β); 0 outside.
func kaiser(_ x: Double, beta: Double) -> Double {
    guard abs(x) <= 1 else { return 0 }
    return besselI0(beta * (1 - x * x).squareRoot()) / besselI0(beta)
}

/// Modified Bessel function of the first kind, order 0, by its power series
/// Σ ((x/2)^k / k!)²; converges quickly for the β used here (terms shrink
/// below 1e-17 of the sum within ~30 terms for x <= 10).
func besselI0(_ x: Double) -> Double {
    var sum = 1.0
    var term = 1.0
    let half = x / 2
    var k = 1.0
    while true {
        term *= (half / k) * (half / k)
        sum += term
        if term < sum * 1e-17 { break }
        k += 1
    }
    return sum
}

private func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
