import DiffWave
import Foundation
import Testing
import HTTP
import TestSupport
@testable import VocoderServer

@Suite struct VocoderServiceTests {
    @Test func jobIDsAre128RandomBitsInHex() {
        let ids = (0..<200).map { _ in VocoderService.newJobID() }
        #expect(ids.allSatisfy { $0.wholeMatch(of: /[0-9a-f]{32}/) != nil })
        #expect(Set(ids).count == ids.count)
        #expect("ab".leftPadded(to: 5) == "000ab" && "abcdef".leftPadded(to: 3) == "abcdef")
    }

    @Test func aServiceNeverStartedCanBeDrainedAndReleased() async {
        // Releasing a service whose sweep timer was made but never resumed used to trap in
        // libdispatch ("Release of an inactive object").
        do {
            let service = VocoderService(configuration: testConfiguration(), engine: TinyModel.conditional, logger: quietLogger)
            _ = service.makeRouter()
        }
        do {
            let service = VocoderService(configuration: testConfiguration(), engine: TinyModel.conditional, logger: quietLogger)
            service.drain()
            #expect(service.isDraining)
        }
        // Started and released without a drain: the sweep timer is cancelled with the service.
        do {
            let service = VocoderService(configuration: testConfiguration(), engine: TinyModel.conditional, logger: quietLogger)
            service.start()
            service.drain()
        }
    }

    @Test func submitRecordsAndQueuesTheJob() async throws {
        try await withService { service, router in
            let slow = try await router.submitSlowJob()
            _ = try await router.poll(slow) { $0.status == .running }
            let job = try service.submit(JobSpec(input: .mel(testMel(frames: 1)), schedule: .full, seed: 1, format: .wav))
            #expect(job.steps == 50)
            #expect(service.memory.record(job.id)?.status == .queued)
            #expect(service.memory.queue.position(of: job.id) == 0)
            #expect(try service.status(job.id).queuePosition == 0)
        }
    }

    @Test func aFullQueueAnswers503WithRetryAfter() async throws {
        try await withService({ $0.queueCapacity = 1; $0.retryAfter = .seconds(7) }) { service, router in
            let running = try await router.submitSlowJob()
            _ = try await router.poll(running) { $0.status == .running }
            let waiting = try await router.vocode(testMel(frames: 1), query: "async=true")
            #expect(waiting.status == .accepted)

            let refused = try await router.vocode(testMel(frames: 1), query: "async=true")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers["Retry-After"] == "7")
            #expect(refused.problem?.detail?.contains("queue is full") == true)
            // A refused job leaves no record behind.
            #expect(service.memory.countsByStatus() == [.running: 1, .queued: 1])

            // Cancelling the waiting job frees its slot.
            #expect(try await router.send(.delete, "/jobs/\(try #require(waiting.headers["X-Job-Id"]))").status == .ok)
            #expect(try await router.vocode(testMel(frames: 1), query: "async=true").status == .accepted)
        }
    }

    @Test func queueZeroRunsOneJobPerWorkerAndRefusesTheRest() async throws {
        try await withService({ $0.queueCapacity = 0 }) { service, router in
            // Every job used to be refused: a job handed to an idle worker counted as waiting.
            #expect(try await eventually { service.memory.queue.waitingWorkers == 1 })
            let sync = try await router.vocode(testMel(frames: 1))
            #expect(sync.status == .ok, "\(sync.text)")
            #expect(try await eventually { service.memory.queue.waitingWorkers == 1 })
            let running = try await router.submitSlowJob()
            _ = try await router.poll(running) { $0.status == .running }
            let refused = try await router.vocode(testMel(frames: 1), query: "async=true")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers["Retry-After"] == "2")
        }
    }

    /// The drain finishes the running job and starts no queued one: those are cancelled at
    /// once with the reason, so that drain-timeout need only cover one job.
    @Test func drainFinishesTheRunningJobCancelsTheQueuedOnesThenRefusesNewOnes() async throws {
        try await withService({ $0.drainTimeout = .seconds(30); $0.retryAfter = .seconds(4) }) { service, router in
            let running = try await router.submitSlowJob()
            _ = try await router.poll(running) { $0.status == .running }
            var queued: [String] = []
            for seed in 1...2 {
                let accepted = try await router.vocode(testMel(frames: 2), query: "async=true&seed=\(seed)")
                queued.append(try #require(accepted.headers["X-Job-Id"]))
            }
            service.drain()
            #expect(service.isDraining)
            #expect(try await router.jobStatus(running).status == .succeeded)
            for id in queued {
                let job = try await router.jobStatus(id)
                #expect(job.status == .cancelled && job.error == InMemoryJobStore.notStartedReason)
            }
            let ids = [running]
            let refused = try await router.vocode(testMel(frames: 1))
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers["Retry-After"] == "4")
            #expect(refused.problem?.detail?.contains("shutting down") == true)
            // Results stay fetchable while the process lives.
            #expect(try await router.send(.get, "/jobs/\(ids[0])/audio").status == .ok)
        }
    }

    @Test func drainTwiceIsHarmless() async throws {
        try await withService { service, router in
            let response = try await router.vocode(testMel(frames: 1))
            #expect(response.status == .ok)
            service.drain()
            service.drain()
            #expect(service.isDraining)
            #expect(service.memory.queue.waitingWorkers == 0, "the workers have exited")
        }
    }

    @Test func drainCancelsWhatIsLeftAtTheDeadline() async throws {
        try await withService({ $0.drainTimeout = .milliseconds(100) }) { service, router in
            let running = try await router.submitSlowJob()
            _ = try await router.poll(running) { $0.status == .running }
            let queued = try #require(try await router.vocode(testMel(frames: 1), query: "async=true").headers["X-Job-Id"])
            let began = ContinuousClock.now
            service.drain()
            #expect(ContinuousClock.now - began < .seconds(5), "a running job stops at its next step")
            let r = try await router.jobStatus(running), q = try await router.jobStatus(queued)
            #expect(r.status == .cancelled && r.progress < 1)
            #expect(q.status == .cancelled && q.error == InMemoryJobStore.notStartedReason)
            #expect(service.memory.queue.count == 0)
        }
    }

    @Test func everyCancelledJobIsCountedOnce() async throws {
        // Jobs cancelled while queued (DELETE, or the drain deadline) never reach a worker and
        // used to be missing from diffwave_jobs_finished_total.
        try await withService({ $0.drainTimeout = .milliseconds(50) }) { service, router in
            let running = try await router.submitSlowJob()
            _ = try await router.poll(running) { $0.status == .running }
            let deleted = try #require(try await router.vocode(testMel(frames: 1), query: "async=true").headers["X-Job-Id"])
            let drained = try #require(try await router.vocode(testMel(frames: 1), query: "async=true").headers["X-Job-Id"])
            #expect(try await router.send(.delete, "/jobs/\(deleted)").status == .ok)
            #expect(try await router.send(.delete, "/jobs/\(deleted)").status == .noContent, "already finished: forgotten")
            service.drain()
            #expect(try await router.jobStatus(drained).status == .cancelled)
            let runningStatus = try await router.jobStatus(running)
            #expect(runningStatus.status == .cancelled, "\(runningStatus)")
            let metrics = try await router.send(.get, "/metrics").text
            #expect(metrics.contains(#"diffwave_jobs_finished_total{status="cancelled"} 3"#), "\(metrics)")
        }
    }

    @Test func finishedJobsExpireAfterTheTTL() async throws {
        try await withService({ $0.jobTTL = .milliseconds(200) }) { service, router in
            let response = try await router.vocode(testMel(frames: 1))
            let id = try #require(response.headers["X-Job-Id"])
            #expect(try await eventually { service.memory.record(id) == nil }, "the sweep forgets it")
            #expect(try await router.send(.get, "/jobs/\(id)").status == .notFound)
            #expect(service.memory.retainedBytes == 0)
        }
    }

    @Test func servesOverTCP() async throws {
        try await withService { _, router in
            let body = NPY.encode(testMel(frames: 2))
            let server = HTTPServer(host: "127.0.0.1", port: 0, router: router, logger: quietLogger)
            try server.start()
            defer { server.shutdown(gracePeriod: .milliseconds(100)) }
            try await onThread {
                let client = try TestClient(port: server.port)
                try client.send("POST /vocode?seed=4 HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-npy\r\nContent-Length: \(body.count)\r\n\r\n")
                try client.send(Array(body))
                let audio = try #require(try client.readResponse(timeout: .seconds(10)))
                #expect(audio.status == 200)
                #expect(audio.headers["Content-Type"] == "audio/wav")
                #expect(try AudioDecoder.decode(audio.body).samples.count == 512)
                let id = try #require(audio.headers["X-Job-Id"])

                // HEAD of the audio: the GET's fields, no content.
                try client.send("HEAD /jobs/\(id)/audio HTTP/1.1\r\nHost: t\r\n\r\n")
                let head = try #require(try client.readResponse(hasBody: false))
                #expect(head.status == 200)
                #expect(head.headers["Content-Length"] == String(audio.body.count))

                try client.send("GET /jobs/\(id) HTTP/1.1\r\nHost: t\r\n\r\n")
                let status = try #require(try client.readResponse())
                #expect(status.status == 200)
                #expect(try JSONDecoder().decode(JobSnapshot.self, from: status.body).status == .succeeded)

                try client.send("POST /vocode HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv\r\nContent-Length: 1\r\n\r\nx")
                let refused = try #require(try client.readResponse())
                #expect(refused.status == 415)
                #expect(refused.headers["Content-Type"] == "application/problem+json")
            }
        }
    }
}
