import Foundation
import TestSupport
import Synchronization
import Testing

/// SIGTERM with jobs queued and running: every accepted job finishes or is reported to its
/// client, nothing is accepted after the signal, and the process exits 0.
@Suite(.serialized) struct ShutdownTests {
    /// Starts `count` synchronous /vocode requests on threads of their own; returns once the
    /// server has accepted all of them (one running, the rest queued), plus a way to collect
    /// each client's outcome (status, content type).
    private func startSyncClients(_ server: ServiceProcess, count: Int, frames: Int) async throws
        -> [Task<(Int, String?), any Error>] {
        let tasks = (0..<count).map { i in
            Task {
                try await onThread { () -> (Int, String?) in
                    Thread.sleep(forTimeInterval: Double(i) * 0.05)  // in order, so the first one runs
                    let client = try server.client()
                    let response = try client.request("POST", "/vocode?schedule=full", headers: [("Content-Type", "application/x-npy")],
                                                      body: Bodies.mel(frames: frames), timeout: .seconds(120))
                    return (response.status, response.header("Content-Type"))
                }
            }
        }
        // Wait until the server reports them all: queued jobs show in the log, one per job.
        try await onThread {
            let deadline = Date().addingTimeInterval(20)
            while server.log.components(separatedBy: "job queued").count - 1 < count {
                guard Date() < deadline else { throw ServiceProcess.Failure(description: "jobs not queued: \(server.log)") }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        return tasks
    }

    /// The drain finishes what runs and starts nothing queued: the running job's client gets
    /// its audio, the queued ones' clients a 503 with Retry-After at once (their jobs cancelled
    /// with the reason), and the process exits 0.
    @Test func sigtermFinishesTheRunningJobAndRefusesTheQueuedOnesThenExitsZero() async throws {
        let server = try ServiceProcess(["--workers", "1", "--threads-per-job", "1", "--queue", "4", "--drain-timeout", "60"])
        let clients = try await startSyncClients(server, count: 3, frames: 300)
        kill(server.pid, SIGTERM)
        var answers: [(Int, String?)] = []
        for client in clients { answers.append(try await client.value) }
        #expect(answers[0].0 == 200 && answers[0].1 == "audio/wav")
        for (status, type) in answers.dropFirst() {
            #expect(status == 503)
            #expect(type == "application/problem+json")
        }
        #expect(try await onThread { try server.waitForExit(timeout: 30) } == 0)
        #expect(server.log.contains(try Regex("cancelled=2 .*drain: queued jobs not started")))
        #expect(!server.log.contains("drain deadline passed"))
    }

    /// From SIGTERM on no new work is taken, each way a client can ask: a new connection is
    /// refused (the port no longer listens), and a request on a connection opened before the
    /// signal is answered 503. The order is fixed: `serve` stops accepting, then drains, so once
    /// /readyz says 503 both hold; a running job (cancelled at the end) keeps the drain open
    /// while the test asks.
    @Test func sigtermRefusesNewConnectionsAndNewJobs() async throws {
        let server = try ServiceProcess(["--workers", "1", "--threads-per-job", "1", "--queue", "4", "--drain-timeout", "60"])
        try await onThread {
            let open = try server.client()
            // 600 frames on one thread: seconds of work, far longer than the checks below.
            let running = try #require(try open.submit(frames: 600).value)
            try open.wait(running, for: ["running"])
            kill(server.pid, SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while try open.request("GET", "/readyz").status != 503 {
                guard Date() < deadline else { throw ServiceProcess.Failure(description: "still ready 10 s after SIGTERM: \(server.log)") }
                Thread.sleep(forTimeInterval: 0.01)
            }

            let refused = #expect(throws: TestClient.Failure.self) { try server.client() }
            #expect(refused?.description == "connect to 127.0.0.1:\(server.port): errno \(ECONNREFUSED)")

            let late = try open.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 2))
            #expect(late.status == 503)
            #expect(late.header("Content-Type") == "application/problem+json")
            #expect(late.json?["detail"] as? String == "the server is shutting down")
            #expect(try open.status(running) == "running", "the drain is still waiting for it")

            // Cancelled at its next step: the drain ends and the process exits.
            #expect(try open.request("DELETE", "/jobs/\(running)").status == 200)
        }
        #expect(try await onThread { try server.waitForExit(timeout: 30) } == 0)
        #expect(server.log.contains("job cancel requested"))
    }

    @Test func sigtermPastTheDrainDeadlineCancelsAndReportsEveryJob() async throws {
        let server = try ServiceProcess(["--workers", "1", "--threads-per-job", "1", "--queue", "4", "--drain-timeout", "0.5"])
        // Each job runs for several seconds (one thread, 600 frames): none can finish within the drain deadline.
        let clients = try await startSyncClients(server, count: 3, frames: 600)
        kill(server.pid, SIGTERM)
        for client in clients {
            let (status, type) = try await client.value
            // Reported, never a reset: the running job and the queued ones alike are cancelled by
            // the drain (`cancelledByShutdown`), a 503 problem document (retry elsewhere or later).
            #expect(status == 503)
            #expect(type == "application/problem+json")
        }
        #expect(try await onThread { try server.waitForExit(timeout: 30) } == 0)
        #expect(server.log.contains("drain deadline passed"))
    }
}
