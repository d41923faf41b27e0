import Foundation
import TestSupport
import Testing

/// A full queue, cancelled jobs, and many clients watching the same jobs.
@Suite(.serialized) struct OverloadTests {
    @Test func fullQueueIs503WithRetryAfterAndRecoversAfterDrain() async throws {
        let server = try ServiceProcess(["--workers", "1", "--queue", "2", "--retry-after", "3"])
        try await onThread {
            let client = try server.client()
            let running = try #require(try client.submit(frames: 40).value)
            try client.wait(running, for: ["running"])
            let queued = try [client.submit(frames: 2, schedule: "fast"), client.submit(frames: 2, schedule: "fast")].map { try $0.get() }
            for id in queued { #expect(try client.status(id) == "queued") }

            // Over capacity: async and sync alike are refused at once, with Retry-After.
            for target in ["/vocode?async=true", "/vocode"] {
                let refused = try client.request("POST", target, headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 2))
                #expect(refused.status == 503)
                #expect(refused.header("Retry-After") == "3")
                #expect(refused.header("Content-Type") == "application/problem+json")
                #expect(refused.json?["status"] as? Int == 503)
            }
            // Cheap routes are still served.
            #expect(try client.request("GET", "/healthz").status == 200)

            // Drain: the running job is cancelled, the queued ones run; then capacity is back.
            #expect(try client.request("DELETE", "/jobs/\(running)").status == 200)
            for id in queued { #expect(try client.wait(id, for: ["succeeded", "failed", "cancelled"]) == "succeeded") }
            let accepted = try client.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 2))
            #expect(accepted.status == 200)
        }
        #expect(try server.terminate() == 0)
    }

    @Test func cancelQueuedAndRunningJobs() async throws {
        let server = try ServiceProcess(["--workers", "1", "--queue", "4"])
        try await onThread {
            let client = try server.client()
            let running = try client.submit(frames: 60).get()
            let queued = try client.submit(frames: 60).get()
            try client.wait(running, for: ["running"])
            #expect(try client.status(queued) == "queued")

            // A queued job is cancelled at once and never starts.
            let cancelQueued = try client.request("DELETE", "/jobs/\(queued)")
            #expect(cancelQueued.status == 200)
            #expect(cancelQueued.json?["status"] as? String == "cancelled")
            // JobSnapshot leaves out the times a job does not have (no null): it never started.
            #expect(try !client.job(queued).keys.contains("started_at"))

            // A running job stops at its next step boundary, well before it would finish.
            let cancelRunning = try client.request("DELETE", "/jobs/\(running)")
            #expect(cancelRunning.status == 200)
            let start = Date()
            #expect(try client.wait(running, for: ["succeeded", "failed", "cancelled"], timeout: 10) == "cancelled")
            #expect(Date().timeIntervalSince(start) < 2)
            let progress = try client.job(running)["progress"] as? Double ?? 1
            #expect(progress < 1)

            // Their audio is a 409 conflict; the worker is free for the next job.
            for id in [queued, running] {
                let audio = try client.request("GET", "/jobs/\(id)/audio")
                #expect(audio.status == 409)
                #expect(audio.header("Content-Type") == "application/problem+json")
            }
            let next = try client.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 2))
            #expect(next.status == 200)
            // Deleting a finished job removes it.
            #expect(try client.request("DELETE", "/jobs/\(running)").status == 204)
            #expect(try client.request("GET", "/jobs/\(running)").status == 404)
        }
        #expect(try server.terminate() == 0)
    }

    /// Eight clients poll four jobs as fast as they can: every answer is complete JSON, and
    /// per client each job's status and progress only move forward.
    @Test func manyClientsPollingSeeStatusesOnlyMoveForward() async throws {
        let server = try ServiceProcess(["--workers", "2", "--queue", "8"])
        let ids = try await onThread {
            let client = try server.client()
            return try (0..<4).map { _ in try client.submit(frames: 20).get() }
        }
        let pollers = (0..<8).map { _ in
            Task {
                try await onThread { () -> Int in
                    let client = try server.client()
                    var rank: [String: Int] = [:], progress: [String: Double] = [:], polls = 0
                    let deadline = Date().addingTimeInterval(60)
                    while Date() < deadline {
                        var finished = 0
                        for id in ids {
                            let response = try client.request("GET", "/jobs/\(id)")
                            polls += 1
                            #expect(response.status == 200)
                            #expect(response.header("Cache-Control") == "no-store")
                            guard let json = response.json, let status = json["status"] as? String,
                                  let p = json["progress"] as? Double else {
                                Issue.record("torn or invalid status: \(response.text)")
                                return polls
                            }
                            #expect(json["id"] as? String == id)
                            let r = statusRank(status)
                            #expect(r >= rank[id, default: 0], "\(id) went back to \(status)")
                            #expect(p >= progress[id, default: 0], "\(id) progress went back to \(p)")
                            #expect((0...1).contains(p))
                            #expect(json.keys.contains("queue_position") == (status == "queued"))
                            rank[id] = r
                            progress[id] = p
                            if r == 2 {
                                finished += 1
                                #expect(status == "succeeded")
                                #expect(json["audio_url"] as? String == "/jobs/\(id)/audio")
                            }
                        }
                        if finished == ids.count { return polls }
                    }
                    Issue.record("jobs did not finish in time")
                    return polls
                }
            }
        }
        var total = 0
        for poller in pollers { total += try await poller.value }
        #expect(total > 8 * 4)
        try await onThread {
            let client = try server.client()
            for id in ids { #expect(try client.request("GET", "/jobs/\(id)/audio").status == 200) }
        }
        #expect(try server.terminate() == 0)
    }
}
