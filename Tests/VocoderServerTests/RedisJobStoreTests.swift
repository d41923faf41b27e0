import DiffWave
import Foundation
import HTTP
import Testing
import TestSupport
@testable import VocoderServer

/// The Redis store against a real redis-server; two store objects on one Redis stand for two
/// instances. Leases are short so that takeovers happen within a test.
@Suite(.enabled(if: RedisServerProcess.isInstalled, "needs redis-server (make test installs it)"))
struct RedisJobStoreTests {
    let redis: RedisServerProcess

    init() throws {
        redis = try RedisServerProcess()
    }

    func store(digest: String = "d1", capacity: Int = 4, lease: Duration = .seconds(5), maxAttempts: Int = 3,
                       maxResultBytes: Int = 1 << 20, start: Bool = true, runsBF16: Bool = false, ttl: Duration = .seconds(60)) -> RedisJobStore {
        var s = RedisJobStore.Settings(endpoint: RedisEndpoint(host: "127.0.0.1", port: Int(redis.port)), modelDigest: digest)
        s.runsBF16 = runsBF16
        s.queueCapacity = capacity
        s.lease = lease
        s.maxAttempts = maxAttempts
        s.maxResultBytes = maxResultBytes
        s.timeout = .milliseconds(500)
        s.retryInterval = .milliseconds(100)
        s.ttl = ttl
        let store = RedisJobStore(s, logger: quietLogger)
        if start { store.start() } else { store.createGroups() }
        return store
    }

    func melRecord(_ id: String) -> JobRecord {
        JobRecord(id: id, spec: JobSpec(input: .mel(testMel(frames: 3)), schedule: .fast, seed: 42, format: .wav), steps: 6)
    }

    /// A claim on a thread of its own; nil when none came within `seconds` (the store is closed then).
    func claim(_ store: RedisJobStore, within seconds: Double = 5) async throws -> JobClaim? {
        let result = Locked<JobClaim??>(nil)
        Thread.detachNewThread { let c = store.claim(); result.withLock { $0 = .some(c) } }
        let got = try await eventually(timeout: .milliseconds(Int64(seconds * 1000))) { result.value != nil }
        if !got { store.close() }
        _ = try await eventually { result.value != nil }
        return result.value ?? nil
    }

    @Test func submitsReadsBackAndBoundsTheSharedQueue() throws {
        let a = store(capacity: 2), b = store(capacity: 2)
        try a.submit(melRecord("j1"), holdResult: false)
        try b.submit(melRecord("j2"), holdResult: false)
        #expect(throws: ServiceError.queueFull(capacity: 2)) { try a.submit(melRecord("j3"), holdResult: false) }
        let r = try #require(try b.record("j1"))
        #expect(r.status == .queued && r.modelDigest == "d1" && r.spec.seed == 42)
        guard case .mel(let mel) = r.spec.input else { Issue.record("not a mel"); return }
        #expect(mel == testMel(frames: 3), "the mel comes back bit for bit")
        #expect(try a.queuePosition(of: "j1") == 0 && a.queuePosition(of: "j2") == 1)
        #expect(a.queueDepth == 2)
        #expect(try a.record("j3") == nil, "a refused job is not stored")
    }

    @Test func aJobRunsOnOneInstanceAndWakesAWaiterOnTheOther() async throws {
        let a = store(), b = store()
        try a.submit(melRecord("j"), holdResult: true)
        let claim = try #require(try await claim(b))
        #expect(claim.record.status == .running && claim.epoch == 1)
        #expect(try a.record("j")?.status == .running)
        #expect(try a.queuePosition(of: "j") == nil)
        #expect(b.reportProgress(claim, stepsDone: 2) == .running)
        #expect(try a.record("j")?.stepsDone == 2)
        let waited = Locked<JobWaitOutcome?>(nil)
        Thread.detachNewThread {
            let outcome = a.wait(for: "j", deadline: .now + .seconds(10), clientHasGone: { false })
            waited.withLock { $0 = outcome }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(waited.value == nil, "still running")
        let done = b.finish(claim, .succeeded(audio: Data([1, 2, 3]), audioSeconds: 1, computeSeconds: 2))
        #expect(done?.status == .succeeded)
        #expect(try await eventually { waited.value == .finished })
        #expect(try a.result(of: "j") == Data([1, 2, 3]))
        #expect(try a.record("j")?.result == .stored(bytes: 3))
        #expect(a.retainedBytes == 3)
        #expect(a.wait(for: "j", deadline: .now, clientHasGone: { false }) == .finished, "already finished")
        try a.remove("j")
        #expect(try b.record("j") == nil && a.retainedBytes == 0)
    }

    @Test func cancelFromAnotherInstance() async throws {
        let a = store(), b = store()
        try a.submit(melRecord("queued"), holdResult: false)
        let cancelled = try #require(try b.requestCancel("queued", reason: "cancelled before it started"))
        #expect(cancelled.cancelledNow && cancelled.record.status == .cancelled)
        #expect(a.queueDepth == 0)
        try a.submit(melRecord("running"), holdResult: false)
        let running = try #require(try await claim(a))
        #expect(running.id == "running", "the cancelled job was never handed out")
        #expect(try b.requestCancel("running", reason: "x")?.cancelledNow == false)
        #expect(a.reportProgress(running, stepsDone: 1) == .cancelRequested)
        #expect(a.finish(running, .cancelled(reason: "cancelled after 1 of 6 steps", computeSeconds: 0))?.status == .cancelled)
        #expect(try b.record("running")?.status == .cancelled)
    }

    @Test func aMalformedValueFailsThatJobOnly() async throws {
        let a = store()
        try redis.cli(["HSET", "diffwave:job:foreign", "record", "{\"not\": \"ours\"}"])
        try redis.cli(["SET", "diffwave:job:wrongtype", "a string"])
        let foreign = try #require(try a.record("foreign"))
        #expect(foreign.status == .failed && foreign.error?.contains("unreadable") == true)
        #expect(try a.record("wrongtype")?.status == .failed)
        // Queue entries naming garbage, or no job at all, are dropped; the next job still runs.
        try redis.cli(["DEL", "diffwave:queue:d1:f32"])
        a.createGroups()
        try redis.cli(["XADD", "diffwave:queue:d1:f32", "*", "nonsense", "1"])
        try redis.cli(["XADD", "diffwave:queue:d1:f32", "*", "job", "foreign"])
        try a.submit(melRecord("good"), holdResult: false)
        let claimed = try #require(try await claim(a))
        #expect(claimed.id == "good")
        #expect(try redis.cli(["XLEN", "diffwave:queue:d1:f32"]) == "1", "only the claimed entry is left")
    }

    @Test func resultsPastTheByteCapAreEvictedOldestFirst() async throws {
        let a = store(maxResultBytes: 150)
        for id in ["old", "new"] {
            try a.submit(melRecord(id), holdResult: false)
            let claimed = try #require(try await claim(a))
            _ = a.finish(claimed, .succeeded(audio: Data(count: 100), audioSeconds: 1, computeSeconds: 1))
        }
        #expect(try a.record("old")?.result == .evicted && a.result(of: "old") == nil)
        #expect(try a.result(of: "new")?.count == 100)
        #expect(a.retainedBytes == 100)
    }

    @Test func aFinishedJobsRecordAndAudioExpireWithTheTTL() async throws {
        let a = store(ttl: .milliseconds(600))
        try a.submit(melRecord("j"), holdResult: false)
        let claimed = try #require(try await claim(a))
        try await Task.sleep(for: .milliseconds(800))
        #expect(try a.record("j") != nil, "an unfinished job does not expire")
        _ = a.finish(claimed, .succeeded(audio: Data([1]), audioSeconds: 1, computeSeconds: 1))
        #expect(try a.result(of: "j") == Data([1]))
        #expect(try await eventually(timeout: .seconds(5)) { if case .some(.none) = try? a.record("j") { true } else { false } })
        #expect(try a.result(of: "j") == nil)
        #expect(try await eventually(timeout: .seconds(5)) { a.sweep(now: Date()) >= 0 && a.retainedBytes == 0 }, "the sweep forgets its bytes")
    }

    /// An instance killed without leaving the group (SIGKILL) leaves its consumer behind: the
    /// sweep removes it once it has been silent past `deadConsumerIdle`, but not one that holds
    /// an entry (a takeover will need it).
    @Test func theSweepRemovesTheConsumersOfDeadInstances() async throws {
        let a = store(lease: .milliseconds(300))
        let stream = a.streams[0]
        try redis.cli(["XGROUP", "CREATECONSUMER", stream, RedisJobKeys.group, "ghost"])
        try a.submit(melRecord("j"), holdResult: false)
        try redis.cli(["XREADGROUP", "GROUP", RedisJobKeys.group, "holder", "COUNT", "1", "STREAMS", stream, ">"])
        func consumers() throws -> Set<String> {
            let lines = try redis.cli(["XINFO", "CONSUMERS", stream, RedisJobKeys.group]).split(separator: "\n").map(String.init)
            return Set(zip(lines, lines.dropFirst()).filter { $0.0 == "name" }.map(\.1))
        }
        #expect(try consumers() == ["ghost", "holder"])
        a.sweep(now: Date())
        #expect(try consumers() == ["ghost", "holder"], "not silent long enough yet")
        try await Task.sleep(for: a.deadConsumerIdle + .milliseconds(200))
        a.sweep(now: Date())
        #expect(try consumers() == ["holder"])
    }

    @Test func aLostRedisIsUnavailableAndTheStoreResumesWhenItReturns() throws {
        let a = store()
        try a.submit(melRecord("j"), holdResult: false)
        redis.stop()
        #expect(!a.isAvailable)
        #expect(throws: ServiceError.self) { try a.record("j") }
        do {
            _ = try a.record("j")
        } catch {
            #expect(HTTPErrorStatus.of(error) == 503)
        }
        try redis.start()
        #expect(a.isAvailable)
        #expect(try a.record("j")?.status == .queued, "replayed from the AOF")
    }
}

/// The status a service error is answered with.
enum HTTPErrorStatus {
    static func of(_ error: ServiceError) -> Int { HTTPError(error, retryAfter: "1").status.code }
}
