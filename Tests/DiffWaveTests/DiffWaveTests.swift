import Foundation
import TestSupport
import Testing
@testable import DiffWave

/// Single network evaluations against the reference's `CASE.forward.npz`:
/// the upsampler, the step embedding at t = 7, and ε_θ at t = 0, 7 and 2.375.
@Suite struct DiffWaveTests {
    static let tolerance: Float = 1e-4

    /// Runs the checks of one case; `directory` holds `CASE.pt`, `CASE.mel.npy`, `CASE.forward.npz`.
    static func checkForward(_ name: String, in directory: URL) throws {
        let model = try DiffWave.load(contentsOf: directory.appendingPathComponent("\(name).pt"))
        let forward = Dictionary(uniqueKeysWithValues: try NPZ.read(Data(contentsOf: directory.appendingPathComponent("\(name).forward.npz"))).map { ($0.name, $0.tensor) })
        let x = forward["x"]!.data

        var conditioner: [Float]? = nil
        if model.config.conditioning.takesMel {
            let mel = try NPY.read(Data(contentsOf: directory.appendingPathComponent("\(name).mel.npy")))
            conditioner = model.upsampleFirstLayer(mel: mel)
            let diff = maxAbsDifference(model.upsample(mel: mel), forward["upsampled"]!.data)
            #expect(diff < tolerance, "\(name) upsampled: max |diff| \(diff)")
        }
        let embeddingDiff = maxAbsDifference(model.stepEmbedding(7), forward["embedding_t7"]!.data)
        #expect(embeddingDiff < tolerance, "\(name) embedding_t7: max |diff| \(embeddingDiff)")

        let workspace = try Workspace(model: model, samples: x.count)
        for (step, key) in [(Float(0), "out_t0"), (7, "out_t7"), (2.375, "out_t2_375")] {
            let out = evaluate(model, x, step: step, conditioner: conditioner, workspace: workspace)
            let diff = maxAbsDifference(out, forward[key]!.data)
            #expect(diff < tolerance, "\(name) \(key): max |diff| \(diff)")
        }
    }

    static func evaluate(_ model: DiffWave, _ x: [Float], step: Float, conditioner: [Float]?, label: Int? = nil,
                         workspace: Workspace) -> [Float] {
        var out = [Float](repeating: .nan, count: x.count)
        let c = conditioner ?? []
        x.withUnsafeBufferPointer { xp in c.withUnsafeBufferPointer { cp in out.withUnsafeMutableBufferPointer { op in
            model.predictNoise(audio: xp.baseAddress!, step: step, conditioner: conditioner == nil ? nil : cp.baseAddress!,
                               label: label, into: op.baseAddress!, workspace: workspace)
        } } }
        return out
    }

    @Test(arguments: ["tiny", "tiny_legacy", "tiny_uncond"])
    func matchesReferenceForward(_ name: String) throws {
        try Self.checkForward(name, in: Fixtures.directory)
    }

    /// The class-conditional cases: ε_θ for several labels at t = 0 and 2.375, every
    /// `out_label{L}_t{T}` of the case's forward.npz, through one workspace (labels change between calls).
    @Test(arguments: [("tiny_class", 6), ("tiny_speaker", 6)])
    func matchesReferenceForwardWithLabels(_ name: String, outputs: Int) throws {
        let model = try Fixtures.model(name)
        let forward = try Fixtures.npz("\(name).forward.npz")
        let x = forward["x"]!.data
        let conditioner = try model.config.conditioning.takesMel ? model.upsampleFirstLayer(mel: Fixtures.npy("\(name).mel.npy")) : nil
        let workspace = try Workspace(model: model, samples: x.count)
        let keys = forward.keys.filter { $0.hasPrefix("out_label") }.sorted()
        #expect(keys.count == outputs)
        for key in keys {
            // out_label{L}_t{T}, T with "_" for the decimal point.
            let parts = key.dropFirst("out_label".count).split(separator: "_", maxSplits: 1)
            let label = Int(parts[0])!, step = Float(parts[1].dropFirst().replacingOccurrences(of: "_", with: "."))!
            let out = Self.evaluate(model, x, step: step, conditioner: conditioner, label: label, workspace: workspace)
            let diff = maxAbsDifference(out, forward[key]!.data)
            #expect(diff < Self.tolerance, "\(name) \(key): max |diff| \(diff)")
        }
    }

    @Test func differentLabelsGiveDifferentOutputs() throws {
        let model = try Fixtures.model("tiny_class")
        let x = TestModels.randomSignal(500, seed: 4)
        let workspace = try Workspace(model: model, samples: x.count)
        let three = Self.evaluate(model, x, step: 2, conditioner: nil, label: 3, workspace: workspace)
        let four = Self.evaluate(model, x, step: 2, conditioner: nil, label: 4, workspace: workspace)
        #expect(maxAbsDifference(three, four) > 1e-3)
        #expect(Self.evaluate(model, x, step: 2, conditioner: nil, label: 3, workspace: workspace) == three)
    }

    @Test(.enabled(if: Fixtures.hasBase, "needs ../shared/reference/base.pt"))
    func matchesReferenceForwardForBase() throws {
        try Self.checkForward("base", in: Fixtures.sharedReference)
    }

    @Test func outputDoesNotDependOnTileBoundaries() throws {
        // A signal longer than one tile crosses tile edges inside every dilated conv.
        let model = try Fixtures.model("tiny_uncond")
        let n = ExecutionPlan.tileColumns * 2 + 37
        var noise = GaussianNoise(seed: 3)
        var x = [Float](repeating: 0, count: n)
        noise.fill(&x)
        let whole = Self.evaluate(model, x, step: 3, conditioner: nil, workspace: try Workspace(model: model, samples: n))
        // The same samples' output computed inside a shorter signal must agree away from its end:
        // the receptive field is finite, so the first samples see identical context.
        let prefix = Array(x[0..<(ExecutionPlan.tileColumns + 100)])
        let part = Self.evaluate(model, prefix, step: 3, conditioner: nil, workspace: try Workspace(model: model, samples: prefix.count))
        #expect(maxAbsDifference(Array(whole[0..<ExecutionPlan.tileColumns]), Array(part[0..<ExecutionPlan.tileColumns])) < 1e-5)
    }

    @Test func stepOutsideTheTableIsRejected() throws {
        let model = try Fixtures.model("tiny")
        #expect(throws: DiffWaveError.self) { try model.checkStep(50) }
        #expect(throws: DiffWaveError.self) { try model.checkStep(-0.5) }
        #expect(throws: DiffWaveError.self) { try model.checkStep(.nan) }
        try model.checkStep(48.9)
    }
}
