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

    @Test func sigtermFinishesRunningAndQueuedJobsThenExitsZero() async throws {
        let server = try ServiceProcess(["--workers", "1", "--queue", "4", "--drain-timeout", "60"])
        let clients = try await startSyncClients(server, count: 3, frames: 12)
        kill(server.pid, SIGTERM)
        // New work is refused from now on: either the port is closed or the answer is 503.
        try await onThread {
            Thread.sleep(forTimeInterval: 0.2)
            if let late = try? server.client() {
                let response = try? late.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 2), timeout: .seconds(5))
                #expect(response == nil || response?.status == 503)
            }
        }
        for client in clients {
            let (status, type) = try await client.value
            #expect(status == 200)
            #expect(type == "audio/wav")
        }
        #expect(try await onThread { try server.waitForExit(timeout: 30) } == 0)
        #expect(server.log.components(separatedBy: "job finished").count - 1 == 3)
    }

    @Test func sigtermPastTheDrainDeadlineCancelsAndReportsEveryJob() async throws {
        let server = try ServiceProcess(["--workers", "1", "--threads-per-job", "1", "--queue", "4", "--drain-timeout", "0.5"])
        // Each job runs for several seconds (one thread, 600 frames): none can finish within the drain deadline.
        let clients = try await startSyncClients(server, count: 3, frames: 600)
        kill(server.pid, SIGTERM)
        for client in clients {
            let (status, type) = try await client.value
            // Reported: a problem document saying the job was cancelled (409), never a reset.
            #expect(status == 409 || status == 503, "status \(status)")
            #expect(type == "application/problem+json")
        }
        #expect(try await onThread { try server.waitForExit(timeout: 30) } == 0)
        #expect(server.log.contains("drain deadline passed"))
    }
}
