import CFFTW
import Foundation

/// The one wrapper around FFTW (single precision, `libfftw3f`): a planned
/// real-to-complex forward transform of one size. Each FFTW function is
/// called from exactly one place here; a plan FFTW cannot make becomes
/// `DiffWaveError(.audio, "fftwf_plan_dft_r2c_1d: ...")`. The plan is
/// destroyed in `deinit`.
///
/// Thread safety: FFTW's planner (plan creation and destruction) shares
/// global state and is not thread-safe, so both happen under one process-wide
/// lock. Executing a plan on caller-supplied arrays (`fftwf_execute_dft_r2c`)
/// is thread-safe, and every `forward` call brings its own buffers, so one
/// instance may be shared by any number of threads.
final class FFTW: @unchecked Sendable {
    /// Transform length `n`: `n` real inputs, `n/2 + 1` complex outputs.
    let size: Int
    /// `size / 2 + 1`, the non-redundant half of the spectrum.
    var bins: Int { size / 2 + 1 }

    private let plan: OpaquePointer

    /// Serialises FFTW's planner across every instance in the process.
    private static let plannerLock = NSLock()

    /// Plans the forward real FFT of length `size` (>= 1).
    ///
    /// FFTW_ESTIMATE picks an algorithm without timing trial runs, so planning
    /// is cheap and deterministic; FFTW_UNALIGNED lets `forward` run on arrays
    /// of any alignment (Swift's arrays are not necessarily SIMD-aligned, and
    /// the new-array execute requires the plan's alignment otherwise).
    init(size: Int) throws(DiffWaveError) {
        guard size >= 1, let n = Int32(exactly: size) else {
            throw DiffWaveError(.audio, "fftwf_plan_dft_r2c_1d: size \(size) is not a positive 32-bit integer")
        }
        self.size = size
        // ESTIMATE planning reads neither array, but FFTW wants real pointers.
        let input = UnsafeMutablePointer<Float>.allocate(capacity: size)
        let output = UnsafeMutablePointer<fftwf_complex>.allocate(capacity: size / 2 + 1)
        defer {
            input.deallocate()
            output.deallocate()
        }
        let flags = UInt32(FFTW_ESTIMATE) | UInt32(FFTW_UNALIGNED)
        let made = Self.plannerLock.withLock { fftwf_plan_dft_r2c_1d(n, input, output, flags) }
        guard let made else {
            throw DiffWaveError(.audio, "fftwf_plan_dft_r2c_1d: FFTW could not plan a real FFT of size \(size)")
        }
        plan = made
    }

    deinit {
        Self.plannerLock.withLock { fftwf_destroy_plan(plan) }
    }

    /// input (n,) real → output (n/2 + 1,) complex, interleaved as
    /// `[re0, im0, re1, im1, ...]` (2·(n/2 + 1) floats). Unnormalised, as
    /// FFTW and `torch.stft` compute it: `X[k] = Σ x[t]·e^(−2πi·k·t/n)`.
    /// `input` is not modified (out-of-place r2c preserves its input).
    func forward(_ input: UnsafeMutableBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(input.count == size, "FFT input has \(input.count) values, the plan is for \(size)")
        precondition(output.count == 2 * bins, "FFT output has room for \(output.count) floats, needs \(2 * bins)")
        guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return }
        outBase.withMemoryRebound(to: fftwf_complex.self, capacity: bins) { complex in
            fftwf_execute_dft_r2c(plan, inBase, complex)
        }
    }

    /// Array convenience for `forward(_:into:)`: (n,) → (2·(n/2 + 1),) interleaved.
    func forward(_ input: [Float]) -> [Float] {
        var input = input
        var output = [Float](repeating: 0, count: 2 * bins)
        input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                forward(inBuffer, into: outBuffer)
            }
        }
        return output
    }
}
