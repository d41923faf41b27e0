import Foundation
import Synchronization
import Testing
@testable import DiffWave

/// The textbook DFT in double precision, interleaved (re, im) for k = 0 ... n/2.
private func naiveRealDFT(_ x: [Float]) -> [Double] {
    let n = x.count
    var out: [Double] = []
    for k in 0...(n / 2) {
        var re = 0.0, im = 0.0
        for t in 0..<n {
            let angle = -2 * Double.pi * Double(k * t % n) / Double(n)
            re += Double(x[t]) * cos(angle)
            im += Double(x[t]) * sin(angle)
        }
        out += [re, im]
    }
    return out
}

private func randomSignal(_ n: Int, seed: UInt64) -> [Float] {
    var noise = GaussianNoise(seed: seed)
    return (0..<n).map { _ in noise.next() }
}

@Test(arguments: [1, 2, 8, 15, 64, 1024])
func fftwMatchesANaiveDFT(size: Int) throws {
    let x = randomSignal(size, seed: UInt64(size))
    let fft = try FFTW(size: size)
    #expect(fft.bins == size / 2 + 1)
    let got = fft.forward(x)
    let expected = naiveRealDFT(x)
    #expect(got.count == expected.count)
    // float32 round-off grows like log(n)·√n·|x|; 1e-4·√n is ample and still
    // far below any real error (a wrong bin is off by O(√n)).
    let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(worst < 1e-4 * Double(size).squareRoot() + 1e-5, "size \(size): max error \(worst)")
}

@Test func fftwLeavesItsInputAlone() throws {
    let x = randomSignal(32, seed: 7)
    var input = x
    var output = [Float](repeating: 0, count: 34)
    let fft = try FFTW(size: 32)
    input.withUnsafeMutableBufferPointer { i in
        output.withUnsafeMutableBufferPointer { o in fft.forward(i, into: o) }
    }
    #expect(input == x)
}

@Test func fftwPlansAndRunsFromManyThreadsAtOnce() throws {
    let x = randomSignal(512, seed: 3)
    let expected = try FFTW(size: 512).forward(x)
    let shared = try FFTW(size: 512)
    let results = Mutex<[[Float]]>([])
    DispatchQueue.concurrentPerform(iterations: 16) { i in
        // Half the threads plan their own transform (the planner is locked),
        // the rest share one plan (new-array execution is thread-safe).
        let fft = i % 2 == 0 ? (try? FFTW(size: 512)) : shared
        let y = fft?.forward(x) ?? []
        results.withLock { $0.append(y) }
    }
    #expect(results.withLock { $0.count } == 16)
    #expect(results.withLock { $0.allSatisfy { $0 == expected } })
}

@Test func fftwRejectsSizeZeroNamingTheFunction() {
    do {
        _ = try FFTW(size: 0)
        Issue.record("size 0 was accepted")
    } catch {
        #expect(error.code == .audio)
        #expect(error.message.hasPrefix("fftwf_plan_dft_r2c_1d: "))
    }
}
