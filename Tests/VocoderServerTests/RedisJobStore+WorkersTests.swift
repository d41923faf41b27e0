import DiffWave
import Foundation
import Testing
import TestSupport
@testable import VocoderServer

/// Claims across instances: lapsed leases, renewal, attempts, model digests, the drain's hand-back.
@Suite(.enabled(if: RedisServerProcess.isInstalled, "needs redis-server (make test installs it)"))
struct RedisJobStoreWorkersTests {
    let base: RedisJobStoreTests

    init() throws {
        base = try RedisJobStoreTests()
    }

    func store(digest: String = "d1", lease: Duration = .seconds(5), maxAttempts: Int = 3, start: Bool = true) -> RedisJobStore {
        base.store(digest: digest, lease: lease, maxAttempts: maxAttempts, start: start)
    }
    func melRecord(_ id: String) -> JobRecord { base.melRecord(id) }
    func claim(_ store: RedisJobStore, within seconds: Double = 5) async throws -> JobClaim? { try await base.claim(store, within: seconds) }

    @Test func aLapsedLeaseIsTakenOverAndTheOldOwnerCanNoLongerWrite() async throws {
        // `a` never renews (not started): its lease lapses.
        let a = store(lease: .milliseconds(400), start: false), b = store(lease: .milliseconds(400))
        try a.submit(melRecord("j"), holdResult: false)
        let first = try #require(try await claim(a))
        let second = try #require(try await claim(b, within: 5))
        #expect(second.id == "j" && second.epoch == first.epoch + 1)
        #expect(try b.record("j")?.attempts == 2)
        #expect(a.reportProgress(first, stepsDone: 3) == .lost)
        #expect(a.finish(first, .succeeded(audio: Data([9]), audioSeconds: 1, computeSeconds: 1)) == nil, "fenced")
        #expect(try b.record("j")?.status == .running)
        #expect(b.finish(second, .succeeded(audio: Data([7]), audioSeconds: 1, computeSeconds: 1))?.status == .succeeded)
        #expect(try a.result(of: "j") == Data([7]))
        #expect(b.finish(second, .failed(reason: "again", computeSeconds: 1)) == nil, "finished once")
    }

    @Test func aRenewedLeaseIsNotTakenOver() async throws {
        let a = store(lease: .milliseconds(400)), b = store(lease: .milliseconds(400))
        try a.submit(melRecord("j"), holdResult: false)
        let held = try #require(try await claim(a))
        #expect(try await claim(b, within: 1.5) == nil, "renewed every third of the lease")
        #expect(a.reportProgress(held, stepsDone: 1) == .running)
    }

    @Test func aJobWhoseRunsKeepDyingFailsAfterMaxAttempts() async throws {
        let a = store(lease: .milliseconds(300), maxAttempts: 2, start: false)
        try a.submit(melRecord("j"), holdResult: false)
        _ = try #require(try await claim(a))
        _ = try #require(try await claim(a))
        #expect(try await claim(a, within: 1.5) == nil)
        let r = try #require(try a.record("j"))
        #expect(r.status == .failed)
        #expect(r.error?.contains("gave up after 2 attempts") == true)
    }

    @Test func instancesClaimOnlyJobsOfTheirOwnModel() async throws {
        let old = store(digest: "old-weights"), new = store(digest: "new-weights")
        try old.submit(melRecord("j"), holdResult: false)
        #expect(try await claim(new, within: 0.8) == nil)
        #expect(try await claim(old)?.id == "j")
    }

    @Test func aBF16JobWaitsForAnInstanceWhoseCPUHasIt() async throws {
        let noBF16 = store()
        try noBF16.submit(JobRecord(id: "bf16", spec: JobSpec(input: .mel(testMel(frames: 2)), schedule: .fast, seed: 1, format: .wav,
                                                            precision: .bfloat16), steps: 6), holdResult: false)
        #expect(try await claim(noBF16, within: 0.8) == nil, "its CPU would not make the same bytes")
        let withBF16 = base.store(start: true, runsBF16: true)
        #expect(try await claim(withBF16)?.id == "bf16")
    }

    @Test func aResultFinishedWhileRedisIsDownIsWrittenWhenItReturns() async throws {
        let a = store()
        try a.submit(melRecord("j"), holdResult: false)
        let claimed = try #require(try await claim(a))
        base.redis.stop()
        let written = Locked<JobRecord??>(nil)
        Thread.detachNewThread {
            let r = a.finish(claimed, .succeeded(audio: Data([5, 6]), audioSeconds: 1, computeSeconds: 1))
            written.withLock { $0 = .some(r) }
        }
        try await Task.sleep(for: .milliseconds(400))
        #expect(written.value == nil, "kept, not dropped, while Redis is away")
        try base.redis.start()
        #expect(try await eventually { written.value != nil })
        #expect((written.value ?? nil)?.status == .succeeded)
        #expect(try a.result(of: "j") == Data([5, 6]))
    }

    @Test func theDrainHandsRunningJobsBackToTheQueue() async throws {
        let a = store(), b = store()
        try a.submit(melRecord("j"), holdResult: false)
        let first = try #require(try await claim(a))
        a.close()
        #expect(a.abandon() == 1)
        #expect(try b.record("j")?.status == .queued)
        #expect(a.reportProgress(first, stepsDone: 1) == .lost)
        let again = try #require(try await claim(b))
        #expect(again.id == "j" && again.epoch > first.epoch)
        #expect(again.record.attempts == 1, "a handed-back run does not count as one that died")
        #expect(a.finish(first, .succeeded(audio: Data([1]), audioSeconds: 1, computeSeconds: 1)) == nil)
        #expect(try base.redis.cli(["XINFO", "CONSUMERS", "diffwave:queue:d1:f32", "workers"]).contains(a.consumer))
        a.stop()
        #expect(try !base.redis.cli(["XINFO", "CONSUMERS", "diffwave:queue:d1:f32", "workers"]).contains(a.consumer), "it left the group")
    }

}
