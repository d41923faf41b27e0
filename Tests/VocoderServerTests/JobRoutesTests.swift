import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

@Suite struct JobRoutesTests {
    @Test func unknownJobIs404() async throws {
        try await withService { _, router in
            for (method, target) in [(HTTPMethod.get, "/jobs/nope"), (.get, "/jobs/nope/audio"), (.delete, "/jobs/nope")] {
                let response = try await router.send(method, target)
                #expect(response.status == .notFound)
                #expect(response.problem?.detail?.contains("no job nope") == true)
            }
        }
    }

    @Test func statusIsNotCached() async throws {
        try await withService { _, router in
            let accepted = try await router.vocode(testMel(frames: 1), query: "async=true")
            let id = try #require(accepted.headers["X-Job-Id"])
            let response = try await router.send(.get, "/jobs/\(id)")
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "application/json")
            #expect(response.headers["Cache-Control"] == "no-store")
            #expect(response.headers["X-Job-Id"] == id)
            let object = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
            #expect(object["id"] as? String == id)
            #expect(object["created_at"] is String)
        }
    }

    @Test func queuedAndRunningJobsReport409ForAudioAndCancelDifferently() async throws {
        try await withService { service, router in
            let running = try await router.submitSlowJob()
            _ = try await router.poll(running) { $0.status == .running }
            let accepted = try await router.vocode(testMel(frames: 1), query: "async=true")
            let queued = try #require(accepted.headers["X-Job-Id"])

            let queuedStatus = try await router.jobStatus(queued)
            #expect(queuedStatus.status == .queued && queuedStatus.queuePosition == 0)
            let runningStatus = try await router.jobStatus(running)
            #expect(runningStatus.status == .running && runningStatus.queuePosition == nil && runningStatus.startedAt != nil)

            for id in [queued, running] {
                let audio = try await router.send(.get, "/jobs/\(id)/audio")
                #expect(audio.status == .conflict)
                #expect(audio.problem?.detail?.contains("poll /jobs/\(id)") == true)
            }

            // DELETE of a queued job cancels it at once and frees its queue slot.
            let cancelQueued = try await router.send(.delete, "/jobs/\(queued)")
            #expect(cancelQueued.status == .ok)
            #expect(cancelQueued.jobSnapshot?.status == .cancelled)
            #expect(service.queue.count == 0)
            #expect(service.queue.position(of: queued) == nil)
            let afterCancel = try await router.send(.get, "/jobs/\(queued)/audio")
            #expect(afterCancel.status == .conflict)
            #expect(afterCancel.problem?.detail?.contains("cancelled") == true)

            // DELETE of a running job stops it at its next step boundary.
            let cancelRunning = try await router.send(.delete, "/jobs/\(running)")
            #expect(cancelRunning.status == .ok)
            #expect(cancelRunning.jobSnapshot?.status == .running, "it is still finishing its step")
            let stopped = try await router.poll(running, timeout: .seconds(5)) { $0.status.isFinished }
            #expect(stopped.status == .cancelled)
            #expect(stopped.progress < 1)
            #expect(stopped.error?.hasPrefix("cancelled after") == true)
            #expect(stopped.audioURL == nil)
        }
    }

    @Test func deletingAFinishedJobForgetsIt() async throws {
        try await withService { service, router in
            let done = try await router.vocode(testMel(frames: 1))
            let id = try #require(done.headers["X-Job-Id"])
            // The worker accounts the result just after publishing the finish.
            #expect(try await eventually { service.store.retainedBytes > 0 })
            let deleted = try await router.send(.delete, "/jobs/\(id)")
            #expect(deleted.status == .noContent)
            #expect(deleted.body.isEmpty)
            #expect(try await router.send(.get, "/jobs/\(id)").status == .notFound)
            #expect(try await router.send(.get, "/jobs/\(id)/audio").status == .notFound)
            #expect(try await router.send(.delete, "/jobs/\(id)").status == .notFound)
            #expect(service.store.retainedBytes == 0)
        }
    }

    @Test func audioOfAnEvictedResultIs410() async throws {
        // Room for one result of 4 frames (a 2 KiB WAV) but not two.
        try await withService({ $0.maxResultBytes = 3000 }) { service, router in
            let first = try await router.vocode(testMel(frames: 4), query: "async=true&seed=1")
            let firstID = try #require(first.headers["X-Job-Id"])
            _ = try await router.poll(firstID) { $0.status.isFinished }
            #expect(try await router.send(.get, "/jobs/\(firstID)/audio").status == .ok)

            let second = try await router.vocode(testMel(frames: 4), query: "async=true&seed=2")
            let secondID = try #require(second.headers["X-Job-Id"])
            _ = try await router.poll(secondID) { $0.status.isFinished }
            // The worker accounts (and evicts) just after publishing the finish.
            #expect(try await eventually { service.store.retainedBytes < 3000 })

            // The older result made room for the newer one; the record is still there.
            let evicted = try await router.send(.get, "/jobs/\(firstID)/audio")
            #expect(evicted.status == .gone)
            #expect(evicted.problem?.detail?.contains("no longer kept") == true)
            #expect(try await router.jobStatus(firstID).status == .succeeded)
            #expect(try await router.send(.get, "/jobs/\(secondID)/audio").status == .ok)
        }
    }

    @Test func audioOfAFailedJobIs409WithTheReason() async throws {
        try await withService { service, router in
            // A spec that skipped validation: the engine refuses it.
            let job = try service.submit(JobSpec(input: .samples(32), schedule: .fast, seed: 1, format: .wav))
            #expect(throws: ServiceError.self) { try service.audioWhenDone(job.id, within: .seconds(10), abandonOnTimeout: false) }
            let snapshot = try await router.jobStatus(job.id)
            #expect(snapshot.status == .failed)
            #expect(snapshot.error?.contains("needs a mel spectrogram") == true)
            #expect(snapshot.computeSeconds != nil)
            let audio = try await router.send(.get, "/jobs/\(job.id)/audio")
            #expect(audio.status == .conflict)
            #expect(audio.problem?.detail?.contains("failed") == true)
        }
    }

    @Test func audioCarriesTheJobHeaders() async throws {
        try await withService { _, router in
            let accepted = try await router.vocode(testMel(frames: 2), query: "async=true&seed=99&format=wav-f32")
            let id = try #require(accepted.headers["X-Job-Id"])
            let done = try await router.poll(id) { $0.status.isFinished }
            let audio = try await router.send(.get, "/jobs/\(id)/audio")
            #expect(audio.status == .ok)
            #expect(audio.headers["X-Job-Id"] == id)
            #expect(audio.headers["X-Seed"] == "99")
            #expect(audio.headers["X-Audio-Seconds"] == String(format: "%.6f", 512.0 / 22050))
            #expect(audio.headers["X-Compute-Seconds"] == String(format: "%.6f", done.computeSeconds ?? -1))
        }
    }
}
