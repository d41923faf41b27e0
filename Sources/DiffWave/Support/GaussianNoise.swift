/// A seeded source of standard-normal `Float`s that yields the same values,
/// bit for bit, on every platform: `seed=` on the API promises the same audio
/// bytes on any machine.
///
/// Algorithm (changing any step changes every seeded output; the golden
/// values in `GaussianNoiseTests` catch that):
/// 1. SplitMix64 from `seed` produces four words, the state of xoshiro256**
///    (Blackman & Vigna), so nearby seeds give unrelated streams.
/// 2. A uniform Double in [0, 1) is the top 53 bits of one xoshiro256** output
///    times 2⁻⁵³.
/// 3. Marsaglia's polar method, in Double: u = 2U₁ − 1, v = 2U₂ − 1,
///    s = u² + v², redrawing both while s ≥ 1 or s = 0; then
///    m = sqrt(−2 ln(s) / s), and u·m, v·m are two independent normals,
///    returned in that order.
/// 4. Each is rounded to the nearest Float.
///
/// Only +, −, ×, ÷, sqrt (all correctly rounded by IEEE 754) and ln are used.
/// ln comes from `naturalLog` below, not libm: libm's `log` is not required
/// to be correctly rounded, and glibc, Apple's libm and musl may differ in the
/// last bit, which would surface as an occasional differing Float.
///
/// `next()` and `fill` draw from one stream: filling 10 values and then 5
/// yields the same 15 values as filling 15 at once.
public struct GaussianNoise: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    /// The second normal of the last polar pair, not yet returned.
    private var spare: Float?

    public init(seed: UInt64) {
        var splitMix = seed
        s0 = Self.splitMix64(&splitMix)
        s1 = Self.splitMix64(&splitMix)
        s2 = Self.splitMix64(&splitMix)
        s3 = Self.splitMix64(&splitMix)
    }

    /// The next standard-normal value.
    public mutating func next() -> Float {
        if let value = spare {
            spare = nil
            return value
        }
        let (first, second) = nextPair()
        spare = second
        return first
    }

    /// Overwrites `buffer` with the next `buffer.count` values.
    public mutating func fill(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard !buffer.isEmpty else { return }
        var index = 0
        if let value = spare {
            buffer[0] = value
            spare = nil
            index = 1
        }
        while index + 1 < buffer.count {
            let (first, second) = nextPair()
            buffer[index] = first
            buffer[index + 1] = second
            index += 2
        }
        if index < buffer.count {
            buffer[index] = next()
        }
    }

    /// Overwrites `array` with the next `array.count` values.
    public mutating func fill(_ array: inout [Float]) {
        array.withUnsafeMutableBufferPointer { fill($0) }
    }

    // MARK: Steps of the algorithm

    /// Polar method (step 3), rounded to Float (step 4).
    mutating func nextPair() -> (Float, Float) {
        while true {
            let u = 2 * nextUniform() - 1
            let v = 2 * nextUniform() - 1
            let s = u * u + v * v
            if s < 1, s > 0 {
                let m = (-2 * Self.naturalLog(s) / s).squareRoot()
                return (Float(u * m), Float(v * m))
            }
        }
    }

    /// Step 2: [0, 1) with 53 random bits.
    mutating func nextUniform() -> Double {
        Double(nextBits() >> 11) * 0x1p-53
    }

    /// Step 1: xoshiro256**.
    mutating func nextBits() -> UInt64 {
        let result = Self.rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotateLeft(s3, 45)
        return result
    }

    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// ln(x) for finite x > 0, within a few ulp, from IEEE basic operations
    /// only, so it rounds identically everywhere (Swift never fuses a * b + c
    /// into an FMA on its own).
    ///
    /// x = m · 2ᵉ with m in [√½, √2), and ln m = 2 atanh(f), f = (m − 1)/(m + 1),
    /// |f| ≤ 0.1716; the odd series 2(f + f³/3 + ... + f²³/23) leaves a
    /// remainder below 10⁻¹⁸ relative.
    static func naturalLog(_ x: Double) -> Double {
        var m = x.significand  // [1, 2), exact for subnormals too
        var e = Double(x.exponent)
        if m > sqrt2 {
            m /= 2
            e += 1
        }
        let f = (m - 1) / (m + 1)
        let f2 = f * f
        // Horner over 1/3, 1/5, ..., 1/23, highest power first.
        var series = 0.0
        for c in atanhCoefficients.reversed() {
            series = c + f2 * series
        }
        return e * ln2 + (2 * f + 2 * f * (f2 * series))
    }

    private static let ln2 = 0.693_147_180_559_945_309_417_232_121_458
    private static let sqrt2 = 1.414_213_562_373_095_048_801_688_724_210
    private static let atanhCoefficients: [Double] = stride(from: 3.0, through: 23.0, by: 2.0).map { 1 / $0 }
}
