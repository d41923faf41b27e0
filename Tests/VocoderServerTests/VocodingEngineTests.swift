import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

@Suite struct VocodingEngineTests {
    @Test func preparesBothSchedules() {
        let engine = TinyModel.conditional
        #expect(engine.steps(.fast) == 6)
        #expect(engine.steps(.full) == 50)
        #expect(!engine.trained)
    }

    /// The memory budget reaches every sampler, bfloat16 jobs' included, and does not change the audio.
    @Test func memoryBudgetReachesTheSamplers() throws {
        let model = TinyModel.conditional.model
        let none = try VocodingEngine(model: model, trained: false, memoryBudgetBytes: 0, bf16MemoryBudgetBytes: 0)
        #expect(none.samplers.values.allSatisfy { $0.memoryBudgetBytes == 0 } && none.bf16MemoryBudgetBytes == 0)
        #expect(TinyModel.conditional.samplers.values.allSatisfy { $0.memoryBudgetBytes == Sampler.defaultMemoryBudgetBytes(.float32) })
        #expect(TinyModel.conditional.bf16MemoryBudgetBytes == Sampler.defaultMemoryBudgetBytes(.bfloat16))
        let spec = JobSpec(input: .mel(testMel(frames: 3)), schedule: .fast, seed: 5, format: .wavF32)
        let cached = try TinyModel.conditional.run(spec, threads: 1) { _, _ in true }.audio
        let computed = try none.run(spec, threads: 1) { _, _ in true }.audio
        let a = try AudioDecoder.decode(cached).samples, b = try AudioDecoder.decode(computed).samples
        #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    /// A bfloat16 job runs under the bfloat16 budget: with it, its projections are cached in
    /// bfloat16 (other bits than computing them per step, the same audio within bfloat16's error).
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"))
    func bfloat16BudgetReachesBfloat16Jobs() throws {
        let model = TinyModel.conditional.model
        let none = try VocodingEngine(model: model, trained: false, bf16MemoryBudgetBytes: 0)
        let spec = JobSpec(input: .mel(testMel(frames: 3)), schedule: .fast, seed: 5, format: .wavF32, precision: .bfloat16)
        let cached = try AudioDecoder.decode(TinyModel.conditional.run(spec, threads: 1) { _, _ in true }.audio).samples
        let computed = try AudioDecoder.decode(none.run(spec, threads: 1) { _, _ in true }.audio).samples
        #expect(cached.count == computed.count && cached != computed)
        #expect(zip(cached, computed).allSatisfy { abs($0 - $1) < 1e-2 })
    }

    @Test func runsAMelToEncodedAudioReportingEachStep() throws {
        var seen: [Int] = []
        let spec = JobSpec(input: .mel(testMel(frames: 3)), schedule: .fast, seed: 5, format: .wavF32)
        let (audio, seconds) = try TinyModel.conditional.run(spec, threads: 1) { done, total in
            #expect(total == 6)
            seen.append(done)
            return true
        }
        #expect(seen == [1, 2, 3, 4, 5, 6])
        #expect(seconds == 768.0 / 22050)
        let decoded = try AudioDecoder.decode(audio)
        #expect(decoded.samples.count == 768 && decoded.sampleRate == 22050 && decoded.channels == 1)
        #expect(decoded.samples.allSatisfy { $0 >= -1 && $0 <= 1 })
    }

    @Test func generatesOnAnUnconditionalModel() throws {
        let spec = JobSpec(input: .samples(300), schedule: .fast, seed: 5, format: .wav)
        let (audio, seconds) = try TinyModel.unconditional.run(spec, threads: 1) { _, _ in true }
        #expect(try AudioDecoder.decode(audio).samples.count == 300)
        #expect(seconds == 300.0 / 22050)
    }

    @Test func theSameSeedGivesTheSameBytes() throws {
        let spec = JobSpec(input: .mel(testMel(frames: 2)), schedule: .fast, seed: 11, format: .wav)
        let a = try TinyModel.conditional.run(spec, threads: 1) { _, _ in true }.audio
        let b = try TinyModel.conditional.run(spec, threads: 1) { _, _ in true }.audio
        var other = spec
        other.seed = 12
        let c = try TinyModel.conditional.run(other, threads: 1) { _, _ in true }.audio
        #expect(a == b)
        #expect(a != c)
    }

    @Test func returningFalseFromProgressCancels() {
        let spec = JobSpec(input: .mel(testMel(frames: 1)), schedule: .full, seed: 1, format: .wav)
        #expect(throws: DiffWaveError(.cancelled, "cancelled after 2 of 50 steps")) {
            try TinyModel.conditional.run(spec, threads: 1) { done, _ in done < 2 }
        }
    }

    @Test func theBuiltInIdentityUnlessToldAndTheFilesSay() throws {
        let model = try DiffWave.untrained(config: TinyModel.config())
        let builtIn = try VocodingEngine(model: model, trained: false)
        #expect(builtIn.identity == ModelIdentity.untrained(config: TinyModel.config()))
        let named = ModelIdentity(sha256: String(repeating: "ab", count: 32), fileName: "lj.pt")
        let engine = try VocodingEngine(model: model, trained: true, identity: named)
        #expect(engine.identity == named)
        #expect(engine.audioComment == "model sha256:\(named.sha256) (lj.pt)")
        // Every format's file says which model made it.
        for format in AudioFormat.allCases {
            let (audio, _) = try engine.run(JobSpec(input: .mel(testMel(frames: 2)), schedule: .fast, seed: 1, format: format), threads: 1) { _, _ in true }
            #expect(try AudioDecoder.comment(of: audio) == engine.audioComment, "\(format)")
        }
    }
}
