import Foundation
import TestSupport
import Testing
@testable import DiffWave

@Suite struct NoiseScheduleTests {
    /// Each case's schedules from its own checkpoint's config (`tiny_class` trains on 200
    /// betas); `base` keeps the reference defaults and stays in ../shared.
    @Test func stepsMatchTheReference() throws {
        let cases = try Fixtures.cases()
        #expect(cases.map(\.case) == ["tiny", "tiny_legacy", "tiny_uncond", "base", "tiny_class", "tiny_speaker"])
        #expect(cases.filter { $0.full_steps != nil }.count == 3)
        for c in cases {
            let config = c.case == "base" ? DiffWaveConfig.base : try Fixtures.model(c.case).config
            let fast = try NoiseSchedule(.fast, config: config)
            #expect(maxAbsDifference(fast.steps, c.fast_steps) < 1e-5, "\(c.case) fast")
            if let full = c.full_steps {
                #expect(maxAbsDifference(try NoiseSchedule(.full, config: config).steps, full) < 1e-5, "\(c.case) full")
            }
        }
    }

    @Test func cumulativeAlphas() throws {
        let s = try NoiseSchedule(betas: [0.1, 0.5], training: [0.1, 0.5, 0.5])
        #expect(s.alphas == [0.9, 0.5])
        #expect(abs(s.alphaCum[1] - 0.45) < 1e-15)
        #expect(s.steps == [0, 1])
    }

    @Test func aScheduleNoisierThanTrainingIsRejected() {
        // alpha_cum of 0.5 * 0.5 * 0.5 * ... falls below the training schedule's last alpha_cum.
        #expect(throws: DiffWaveError.self) {
            try NoiseSchedule(betas: [0.5, 0.9, 0.9], training: DiffWaveConfig.base.noiseSchedule)
        }
        do {
            _ = try NoiseSchedule(betas: [0.5, 0.9, 0.9], training: DiffWaveConfig.base.noiseSchedule)
        } catch {
            #expect(error.code == .schedule)
            #expect(error.message.contains("step 1"))
        }
    }

    @Test func aScheduleCleanerThanTrainingIsRejected() {
        #expect(throws: DiffWaveError.self) { try NoiseSchedule(betas: [1e-6], training: DiffWaveConfig.base.noiseSchedule) }
    }

    @Test func betasOutsideTheUnitIntervalAreRejected() {
        #expect(throws: DiffWaveError.self) { try NoiseSchedule(betas: [], training: [0.1, 0.2]) }
        #expect(throws: DiffWaveError.self) { try NoiseSchedule(betas: [0, 0.1], training: [0.1, 0.2]) }
        #expect(throws: DiffWaveError.self) { try NoiseSchedule(betas: [1.5], training: [0.1, 0.2]) }
    }
}
