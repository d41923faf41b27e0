import Foundation
import TestSupport
import Testing

/// Two `diffwave serve` processes sharing one real redis-server (`--job-store`): any instance
/// answers for any job, idle instances take queued work, a killed instance's job is finished
/// elsewhere with the same bytes, Redis can go away and come back, SIGTERM hands work back,
/// and the queue bound is shared. Leases are short (1 s) so takeovers happen within a test; the
/// idle timeout is long because a test holds one instance's connection while it waits on the other.
@Suite(.serialized, .enabled(if: RedisServerProcess.isInstalled, "needs redis-server (make test installs it)"))
struct SharedJobStoreTests {
    let redis: RedisServerProcess

    init() throws {
        redis = try RedisServerProcess()
    }

    private func instance(_ extra: [String] = []) throws -> ServiceProcess {
        try ServiceProcess(["--job-store", redis.url, "--workers", "1", "--threads-per-job", "1", "--job-lease", "1",
                            "--job-store-retry", "0.2", "--job-store-timeout", "0.5", "--idle-timeout", "300"] + extra)
    }

    /// `POST /vocode` (async) with a fixed seed; the job id.
    private func submit(_ client: TestClient, frames: Int, seed: Int = 11, schedule: String = "full") throws -> String {
        let response = try client.request("POST", "/vocode?async=true&schedule=\(schedule)&seed=\(seed)",
                                          headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: frames))
        guard response.status == 202, let id = response.json?["id"] as? String else {
            throw TestClient.Failure(description: "submit: \(response.status) \(response.text)")
        }
        return id
    }

    private func audio(_ client: TestClient, _ id: String) throws -> Data {
        let response = try client.request("GET", "/jobs/\(id)/audio")
        guard response.status == 200 else { throw TestClient.Failure(description: "audio: \(response.status) \(response.text)") }
        return response.body
    }

    @Test func anyInstanceAnswersForAnyJob() async throws {
        let a = try instance(), b = try instance()
        try await onThread {
            let ca = try a.client(), cb = try b.client()
            let id = try submit(ca, frames: 20)
            #expect(try cb.wait(id, for: ["succeeded"]) == "succeeded")
            let fromB = try audio(cb, id), fromA = try audio(ca, id)
            #expect(fromB == fromA && fromB.count > 44)
            let slow = try submit(ca, frames: 600)
            try cb.wait(slow, for: ["running"])
            #expect(try cb.request("DELETE", "/jobs/\(slow)").status == 200)
            #expect(try ca.wait(slow, for: ["cancelled"]) == "cancelled")
            #expect(try cb.request("DELETE", "/jobs/\(id)").status == 204)
            #expect(try ca.request("GET", "/jobs/\(id)").status == 404)
        }
    }

    @Test func aJobSubmittedToABusyInstanceRunsOnTheIdleOne() async throws {
        let a = try instance()
        try await onThread {
            let ca = try a.client()
            let busy = try submit(ca, frames: 600)
            try ca.wait(busy, for: ["running"])
            let b = try instance()
            let next = try submit(ca, frames: 20)
            #expect(try ca.wait(next, for: ["succeeded"]) == "succeeded")
            #expect(b.logs("job_id=\(next)[^\n]*job_status=succeeded"), "B ran it: \(b.log)")
            #expect(try ca.status(busy) == "running", "A is still busy with its own")
            #expect(try ca.request("DELETE", "/jobs/\(busy)").status == 200)
            // A synchronous request to A whose job runs on B still gets the audio.
            let slowAgain = try submit(ca, frames: 600, seed: 12)
            try ca.wait(slowAgain, for: ["running"])
            let sync = try ca.request("POST", "/vocode?schedule=full&seed=11", headers: [("Content-Type", "application/x-npy")],
                                      body: Bodies.mel(frames: 20), timeout: .seconds(60))
            #expect(sync.status == 200)
            #expect(sync.body == (try audio(ca, next)), "same seed, same bytes, wherever it ran")
            _ = try ca.request("DELETE", "/jobs/\(slowAgain)")
        }
    }

    @Test func aKilledInstancesJobIsFinishedElsewhereWithTheSameBytes() async throws {
        let a = try instance()
        try await onThread {
            let ca = try a.client()
            let id = try submit(ca, frames: 300, seed: 77)
            try ca.wait(id, for: ["running"])
            let b = try instance()
            kill(a.pid, SIGKILL)
            _ = try a.waitForExit(timeout: 10)
            let cb = try b.client()
            #expect(try cb.wait(id, for: ["succeeded", "failed"], timeout: 90) == "succeeded")
            let job = try cb.job(id)
            #expect(job["error"] == nil || job["error"] is NSNull)
            let takenOver = try audio(cb, id)
            // The same request run start to finish on B alone.
            let reference = try submit(cb, frames: 300, seed: 77)
            try cb.wait(reference, for: ["succeeded"], timeout: 90)
            #expect(takenOver == (try audio(cb, reference)))
            #expect(b.log.contains("taking it over"))
        }
    }

    @Test func redisStoppedAndRestartedFromItsAOF() async throws {
        let a = try instance(), b = try instance()
        try await onThread {
            let ca = try a.client(), cb = try b.client()
            let ids = try (0..<3).map { i in try submit(ca, frames: 200, seed: 20 + i) }
            redis.stop()
            let ready = try cb.request("GET", "/readyz")
            #expect(ready.status == 503)
            let read = try ca.request("GET", "/jobs/\(ids[0])")
            #expect(read.status == 503 && read.header("Retry-After") != nil)
            #expect(read.header("Content-Type") == "application/problem+json")
            let refused = try cb.request("POST", "/vocode?async=true", headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 5))
            #expect(refused.status == 503 && refused.header("Retry-After") != nil)
            #expect(a.isRunning && b.isRunning, "nothing crashed")
            try redis.start()
            let deadline = Date().addingTimeInterval(20)
            while try ca.request("GET", "/readyz").status != 200 && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            #expect(try ca.request("GET", "/readyz").status == 200, "ready again without a restart")
            for id in ids { #expect(try cb.wait(id, for: ["succeeded", "failed"], timeout: 90) == "succeeded") }
        }
    }

    @Test func sigtermHandsUnfinishedJobsBackAndAnotherInstanceRunsThem() async throws {
        let a = try instance(["--drain-timeout", "0.5"])
        try await onThread {
            let ca = try a.client()
            let id = try submit(ca, frames: 600, seed: 5)
            try ca.wait(id, for: ["running"])
            let b = try instance()
            #expect(try a.terminate(timeout: 30) == 0)
            #expect(a.log.contains("job handed back to the queue"))
            let cb = try b.client()
            #expect(try cb.wait(id, for: ["succeeded", "failed", "cancelled"], timeout: 120) == "succeeded")
        }
    }

    @Test func redisUnreachableAtStartServesReadyz503UntilItComes() async throws {
        let late = try RedisServerProcess(start: false)
        let a = try ServiceProcess(["--job-store", late.url, "--workers", "1", "--job-store-retry", "0.2", "--job-store-timeout", "0.5"])
        try await onThread {
            let ca = try a.client()
            #expect(a.logs("job store unreachable"))
            #expect(try ca.request("GET", "/readyz").status == 503)
            #expect(try ca.request("GET", "/healthz").status == 200, "alive, only not ready")
            try late.start()
            let deadline = Date().addingTimeInterval(20)
            while try ca.request("GET", "/readyz").status != 200 && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            #expect(try ca.request("GET", "/readyz").status == 200)
            let id = try submit(ca, frames: 10)
            #expect(try ca.wait(id, for: ["succeeded"]) == "succeeded", "the workers found the queue once Redis came")
        }
    }

    @Test func thePasswordShowsNowhereAndAForeignValueFailsOneJob() async throws {
        let secured = try RedisServerProcess(arguments: ["--requirepass", "pw-s3cret-42"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)")
        try Data("pw-s3cret-42\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let inURL = try ServiceProcess(["--job-store", "redis://:pw-s3cret-42@127.0.0.1:\(secured.port)", "--workers", "1"])
        let inFile = try ServiceProcess(["--job-store", secured.url, "--job-store-password-file", file.path, "--workers", "1"])
        try await onThread {
            for server in [inURL, inFile] {
                let client = try server.client()
                #expect(try client.request("GET", "/readyz").status == 200, "authenticated")
                let model = try client.request("GET", "/model")
                #expect(model.status == 200 && !model.text.contains("pw-s3cret-42"))
                let id = try submit(client, frames: 5, schedule: "fast")
                #expect(try client.wait(id, for: ["succeeded"]) == "succeeded")
            }
            // A value under our keys that is not ours fails that job, with the reason.
            try secured.cli(["HSET", "diffwave:job:0123456789abcdef0123456789abcdef", "record", "garbage"])
            let client = try inURL.client()
            let job = try client.job("0123456789abcdef0123456789abcdef")
            #expect(job["status"] as? String == "failed")
            #expect((job["error"] as? String)?.contains("unreadable") == true)
            #expect(try client.request("GET", "/readyz").status == 200, "the process carries on")
        }
        #expect(!inURL.log.contains("pw-s3cret-42") && !inFile.log.contains("pw-s3cret-42"))
        #expect(inURL.log.contains("redis://:***@127.0.0.1"))
        let help = Process()
        help.executableURL = TestPaths.diffwave
        help.arguments = ["serve", "--help"]
        help.environment = ["DIFFWAVE_JOB_STORE": "redis://:pw-s3cret-42@h:1"]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("help-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        help.standardOutput = try FileHandle(forWritingTo: output)
        try help.run()
        help.waitUntilExit()
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(text.contains("--job-store") && !text.contains("pw-s3cret-42"))
    }

    @Test func theSharedQueueBoundIsAnsweredFromEitherInstance() async throws {
        let a = try instance(["--queue", "1"]), b = try instance(["--queue", "1"])
        try await onThread {
            let ca = try a.client(), cb = try b.client()
            // One at a time: with a bound of 1 the second is refused until a worker took the first.
            var running: [String] = []
            for (client, seed) in [(ca, 1), (cb, 2)] {
                running.append(try submit(client, frames: 600, seed: seed))
                try ca.wait(running.last!, for: ["running"])
            }
            let queued = try submit(ca, frames: 600, seed: 3)
            // Both instances export the shared queue's depth.
            for client in [ca, cb] {
                #expect(try client.request("GET", "/metrics").text.contains("diffwave_queue_depth 1"))
            }
            for client in [ca, cb] {
                let refused = try client.request("POST", "/vocode?async=true", headers: [("Content-Type", "application/x-npy")],
                                                 body: Bodies.mel(frames: 5))
                #expect(refused.status == 503 && refused.header("Retry-After") != nil)
                #expect(refused.text.contains("queue is full"))
            }
            for id in running + [queued] { _ = try ca.request("DELETE", "/jobs/\(id)") }
        }
    }
}
