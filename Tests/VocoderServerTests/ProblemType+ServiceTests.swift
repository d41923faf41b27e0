import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

/// Issue 21: each kind of error has a stable type and title; these tests pin each type the
/// service assigns to a request that triggers it (the engine's and the service's mappings are
/// pinned case by case in HTTPError+EngineTests and HTTPError+ServiceTests).
@Suite struct ProblemTypeServiceTests {
    @Test func theCatalogueNamesEachTypeOnce() {
        let names = ProblemType.catalogue.map(\.name)
        #expect(Set(names).count == names.count, "\(names)")
        #expect(Set(ProblemType.catalogue.map(\.title)).count == names.count)
        #expect(ProblemType.catalogue.allSatisfy { !$0.summary.isEmpty && !$0.summary.contains("\n") })
    }

    private static let npy = ["Content-Type": "application/x-npy"] as HTTPHeaders

    /// (what, request, expected status, expected type), each sent to a fresh tiny service.
    @Test func eachTriggerGetsItsType() async throws {
        try await withService({ $0.maxFrames = 200 }) { _, router in
            func expect(_ response: HTTPResponse, _ status: Int, _ type: String, _ what: String) {
                #expect(response.status.code == status, "\(what): \(response.text)")
                #expect(response.problem?.type == type, "\(what): \(response.text)")
                #expect(response.problem?.title == ProblemType.catalogue.first { $0.uri == type }?.title, "\(what)")
            }
            let outOfRange = Tensor(shape: [80, 2], data: [Float](repeating: 3, count: 160))
            expect(try await router.vocode(outOfRange), 422, "/problems/mel-out-of-range", "mel values outside [0, 1]")
            expect(try await router.vocode(testMel(frames: 201)), 422, "/problems/mel-too-long", "more frames than max-frames")
            expect(try await router.vocode(testMel(frames: 2, nMels: 64)), 422, "/problems/unusable-input", "wrong n_mels")
            expect(try await router.vocode(testMel(frames: 2), query: "seed=x"), 400, "/problems/invalid-parameter", "a seed that is no integer")
            expect(try await router.vocode(testMel(frames: 2), query: "format=mp3"), 400, "/problems/invalid-parameter", "an unknown format")
            expect(try await router.vocode(testMel(frames: 2), query: "schedule=slow"), 422, "/problems/schedule", "an unknown schedule")
            expect(try await router.vocode(testMel(frames: 2), query: "precision=f8"), 422, "/problems/precision-unavailable", "an unknown precision")
            expect(try await router.vocode(testMel(frames: 2), query: "label=3"), 422, "/problems/label", "a label for a model without classes")
            expect(try await router.send(.post, "/vocode", headers: Self.npy, body: Data("not npy".utf8)), 400,
                   "/problems/malformed-array", "a body that is no .npy")
            expect(try await router.send(.post, "/vocode", headers: ["Content-Type": "application/x-npy", "Content-Encoding": "gzip"],
                                         body: Data("not gzip".utf8)), 400, "/problems/malformed-compression", "a corrupt gzip body")
            expect(try await router.send(.post, "/vocode", headers: ["Content-Type": "text/csv"], body: Data("1,2".utf8)), 415,
                   "/problems/unsupported-media-type", "an unsupported media type")
            expect(try await router.send(.post, "/generate"), 422, "/problems/wrong-endpoint", "/generate on a mel model")
            expect(try await router.send(.get, "/jobs/nope"), 404, "/problems/job-not-found", "an unknown job")
            expect(try await router.send(.get, "/nowhere"), 404, "/problems/not-found", "an unknown path")
            expect(try await router.send(.put, "/vocode"), 405, "/problems/method-not-allowed", "a wrong method")
            // A job that has not finished has no audio yet.
            let slow = try await router.submitSlowJob()
            expect(try await router.send(.get, "/jobs/\(slow)/audio"), 409, "/problems/job-not-finished", "audio of a running job")
            _ = try await router.send(.delete, "/jobs/\(slow)")
            _ = try await router.poll(slow) { $0.status.isFinished }
            expect(try await router.send(.get, "/jobs/\(slow)/audio"), 409, "/problems/job-has-no-audio", "audio of a cancelled job")
        }
        try await withService(engine: TinyModel.unconditional, { $0.maxSamples = 100 }) { _, router in
            func expect(_ response: HTTPResponse, _ status: Int, _ type: String, _ what: String) {
                #expect(response.status.code == status && response.problem?.type == type, "\(what): \(response.text)")
            }
            expect(try await router.send(.post, "/generate", headers: ["Content-Type": "application/json"], body: Data(#"{"samples": 101}"#.utf8)),
                   422, "/problems/too-many-samples", "more samples than max-samples")
            expect(try await router.vocode(testMel(frames: 2)), 422, "/problems/wrong-endpoint", "/vocode on a model without a mel")
        }
        try await withService(engine: TinyModel.labelled) { _, router in
            let response = try await router.send(.post, "/generate?label=eleven")
            #expect(response.status.code == 422 && response.problem?.type == "/problems/label", "an unknown label: \(response.text)")
        }
        try await withService({ $0.queueCapacity = 1 }) { _, router in
            // One slow job runs, one waits; the next has no room.
            var full: HTTPResponse?
            for _ in 0..<3 {
                let response = try await router.vocode(testMel(frames: 200), query: "schedule=full&async=true")
                if response.status.code == 503 { full = response; break }
            }
            #expect(full?.problem?.type == "/problems/queue-full", "a full queue")
        }
        try await withService({ $0.syncTimeout = .milliseconds(50) }) { _, router in
            let late = try await router.vocode(testMel(frames: 200), query: "schedule=full")
            #expect(late.status.code == 503 && late.problem?.type == "/problems/sync-timeout", "past sync-timeout: \(late.text)")
        }
        try await withService({ $0.maxDecodedBodyBytes = 1000; $0.maxResultBytes = 0 }) { service, router in
            let bomb = try Gzip.compress(NPY.encode(testMel(frames: 200)))
            let tooLarge = try await router.send(.post, "/vocode", headers: ["Content-Type": "application/x-npy", "Content-Encoding": "gzip"], body: bomb)
            #expect(tooLarge.status.code == 413 && tooLarge.problem?.type == "/problems/input-too-large", "past max-decoded-body-bytes: \(tooLarge.text)")
            // No result is retained: once answered, the audio is gone.
            let sync = try await router.vocode(testMel(frames: 2))
            let again = try await router.send(.get, "/jobs/\(try #require(sync.headers["X-Job-Id"]))/audio")
            #expect(again.status.code == 410 && again.problem?.type == "/problems/audio-expired", "an evicted result: \(again.text)")
            service.drain()
            let draining = try await router.send(.get, "/readyz"), refused = try await router.vocode(testMel(frames: 2))
            #expect(draining.problem?.type == "/problems/shutting-down" && refused.problem?.type == "/problems/shutting-down")
        }
    }
}
