@testable import DiffWave
import Foundation
import TestSupport
import Testing
import HTTP
@testable import VocoderServer

@Suite struct VocodeRouteTests {
    // MARK: - Synchronous /vocode

    @Test func syncNpyAnswersWavWithJobHeaders() async throws {
        try await withService { service, router in
            let response = try await router.vocode(testMel(frames: 4), query: "seed=42")
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.headers["Content-Type"] == "audio/wav")
            let decoded = try AudioDecoder.decode(response.body)
            #expect(decoded.samples.count == 4 * 256)
            #expect(decoded.sampleRate == 22050 && decoded.channels == 1)
            let id = try #require(response.headers["X-Job-Id"])
            #expect(id.wholeMatch(of: /[0-9a-f]{32}/) != nil)
            #expect(response.headers["X-Audio-Seconds"] == String(format: "%.6f", 1024.0 / 22050))
            let compute = try #require(response.headers["X-Compute-Seconds"].flatMap(Double.init))
            #expect(compute > 0)
            #expect(response.headers["X-Seed"] == "42")
            // The job stays pollable after a sync answer.
            let snapshot = try await router.jobStatus(id)
            #expect(snapshot.status == .succeeded && snapshot.progress == 1)
        }
    }

    @Test func aSyncAnswerCarriesItsAudioEvenWhenNoResultIsRetained() async throws {
        // max-result-bytes below one result: the worker evicts it as soon as it is accounted,
        // which used to leave the waiting request with 410 for its own audio.
        for cap in [0, 100] {
            try await withService({ $0.maxResultBytes = cap }) { service, router in
                for seed in 1...3 {
                    let response = try await router.vocode(testMel(frames: 2), query: "seed=\(seed)")
                    #expect(response.status == .ok, "cap \(cap): \(response.text)")
                    #expect(try AudioDecoder.decode(response.body).samples.count == 512)
                    // Once answered, the result is not kept.
                    let id = try #require(response.headers["X-Job-Id"])
                    #expect(try await eventually { service.memory.record(id)?.result == .evicted })
                    #expect(service.memory.retainedBytes == 0)
                    #expect(try await router.send(.get, "/jobs/\(id)/audio").status == .gone)
                }
            }
        }
    }

    @Test func theSameSeedGivesTheSameBytes() async throws {
        try await withService { _, router in
            let a = try await router.vocode(testMel(frames: 3), query: "seed=123")
            let b = try await router.vocode(testMel(frames: 3), query: "seed=123")
            let c = try await router.vocode(testMel(frames: 3), query: "seed=124")
            #expect(a.status == .ok && b.status == .ok && c.status == .ok)
            #expect(a.body == b.body)
            #expect(a.body != c.body)
            #expect(a.headers["X-Job-Id"] != b.headers["X-Job-Id"])
        }
    }

    @Test func withoutASeedTheChosenOneIsReported() async throws {
        try await withService { _, router in
            let first = try await router.vocode(testMel(frames: 2), query: "")
            let seed = try #require(first.headers["X-Seed"].flatMap(UInt64.init))
            let again = try await router.vocode(testMel(frames: 2), query: "seed=\(seed)")
            #expect(first.body == again.body, "the reported seed reproduces the audio")
        }
    }

    /// Every accepted body form of one mel vocodes to the bytes the plain .npy body gives.
    @Test func everyBodyFormGivesTheSameAudio() async throws {
        try await withService { _, router in
            let mel = testMel(frames: 3)
            let npy = NPY.encode(mel)
            let reference = try await router.vocode(mel, query: "seed=5")
            try #require(reference.status == .ok)
            let other = NPY.encode(testMel(frames: 2, nMels: 7))
            let forms: [(String, HTTPHeaders, Data)] = [
                ("json", ["Content-Type": "application/json"], jsonBody(mel)),
                ("json with charset", ["Content-Type": "application/json; charset=utf-8"], jsonBody(mel)),
                ("json batch axis", ["Content-Type": "application/json"], jsonBody(mel, batch: true)),
                ("npy batch axis", ["Content-Type": "application/x-npy"], NPY.encode(testMel(frames: 3, batch: true))),
                ("npz named mel", ["Content-Type": "application/x-npz"], storedZip([("noise.npy", other), ("mel.npy", npy)])),
                ("npz first array", ["Content-Type": "application/x-npz"], storedZip([("x.npy", npy), ("y.npy", other)])),
                ("gzip npy", ["Content-Type": "application/x-npy", "Content-Encoding": "gzip"], try Gzip.compress(npy)),
                ("gzip json", ["Content-Type": "application/json", "Content-Encoding": "gzip"], try Gzip.compress(jsonBody(mel))),
                ("octet-stream npy", ["Content-Type": "application/octet-stream"], npy),
                ("octet-stream npz", ["Content-Type": "application/octet-stream"], storedZip([("mel.npy", npy)])),
                ("untyped npy", [:], npy),
            ]
            for (name, headers, body) in forms {
                let response = try await router.send(.post, "/vocode?seed=5", headers: headers, body: body)
                #expect(response.status == .ok, "\(name): \(response.text)")
                #expect(response.body == reference.body, "\(name)")
            }
        }
    }

    // MARK: - Refused bodies

    private func expectProblem(_ response: HTTPResponse, _ status: Int, _ detail: String? = nil,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status.code == status, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers["Content-Type"] == "application/problem+json", sourceLocation: sourceLocation)
        if let detail {
            #expect(response.problem?.detail?.contains(detail) == true, "detail: \(response.problem?.detail ?? "none")",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func unknownContentEncodingIs415() async throws {
        try await withService { _, router in
            let response = try await router.vocode(testMel(frames: 1), headers: ["Content-Type": "application/x-npy", "Content-Encoding": "br"])
            expectProblem(response, 415, "Content-Encoding 'br'")
            #expect(response.headers["Accept-Encoding"] == "gzip")
        }
    }

    @Test func unknownContentTypeIs415() async throws {
        try await withService { _, router in
            let response = try await router.vocode(testMel(frames: 1), headers: ["Content-Type": "text/csv"])
            expectProblem(response, 415, "text/csv")
            #expect(response.headers["Accept-Post"]?.contains("application/x-npy") == true)
            // Untyped bytes that are neither .npy nor .npz.
            let garbage = try await router.send(.post, "/vocode", headers: ["Content-Type": "application/octet-stream"], body: Data("hello".utf8))
            expectProblem(garbage, 415)
        }
    }

    @Test func emptyBodyIs400() async throws {
        try await withService { _, router in
            expectProblem(try await router.send(.post, "/vocode", headers: ["Content-Type": "application/x-npy"]), 400, "empty")
        }
    }

    @Test func malformedBodiesAre400() async throws {
        try await withService { _, router in
            let npy = NPY.encode(testMel(frames: 2))
            let bodies: [(HTTPHeaders, Data)] = [
                (["Content-Type": "application/x-npy"], npy.prefix(20)),
                (["Content-Type": "application/x-npy"], npy.dropLast(8)),
                (["Content-Type": "application/x-npy"], Data("not an npy file".utf8)),
                (["Content-Type": "application/json"], Data("{\"mel\": 3}".utf8)),
                (["Content-Type": "application/json"], Data("{\"mel\": [[0.1, 0.2], [0.3]]}".utf8)),
                (["Content-Type": "application/json"], Data("[[0.1]]".utf8)),
                (["Content-Type": "application/x-npz"], storedZip([("readme.txt", Data("x".utf8))])),
                (["Content-Type": "application/x-npz"], Data("PK\u{3}\u{4}truncated".utf8)),
                (["Content-Type": "application/x-npy", "Content-Encoding": "gzip"], npy),
            ]
            for (headers, body) in bodies {
                expectProblem(try await router.send(.post, "/vocode", headers: headers, body: body), 400)
            }
        }
    }

    @Test func wrongMelBandsIs422() async throws {
        try await withService { _, router in
            expectProblem(try await router.vocode(testMel(frames: 2, nMels: 40)), 422, "the model expects 80")
            expectProblem(try await router.vocode(Tensor(shape: [80], data: [Float](repeating: 0.5, count: 80))), 422, "shape")
        }
    }

    @Test func nonFiniteValuesAre422() async throws {
        try await withService { _, router in
            for bad in [Float.nan, .infinity, -.infinity] {
                var mel = testMel(frames: 2)
                mel.data[5] = bad
                expectProblem(try await router.vocode(mel), 422, "non-finite")
                expectProblem(try await router.vocode(mel, query: "strict=false"), 422, "non-finite")
            }
        }
    }

    @Test func valuesOutsideTheUnitRangeAre422UnlessNotStrict() async throws {
        try await withService { _, router in
            var mel = testMel(frames: 2)
            mel.data[0] = -11.5
            mel.data[1] = 1.5
            let refused = try await router.vocode(mel)
            expectProblem(refused, 422, "[0, 1]")
            let detail = refused.problem?.detail ?? ""
            #expect(detail.contains("20·log10"), "names the expected normalisation: \(detail)")
            #expect(detail.contains("min -11.5") && detail.contains("max 1.5"))
            let relaxed = try await router.vocode(mel, query: "strict=false&seed=1")
            #expect(relaxed.status == .ok)
            #expect(try AudioDecoder.decode(relaxed.body).samples.count == 512)
        }
    }

    @Test func tooManyFramesIs422() async throws {
        try await withService({ $0.maxFrames = 3 }) { _, router in
            #expect(try await router.vocode(testMel(frames: 3)).status == .ok)
            expectProblem(try await router.vocode(testMel(frames: 4)), 422, "at most 3")
        }
    }

    @Test func badQueryParameters() async throws {
        try await withService { _, router in
            let mel = testMel(frames: 1)
            expectProblem(try await router.vocode(mel, query: "schedule=slow"), 422, "schedule")
            expectProblem(try await router.vocode(mel, query: "seed=-1"), 400, "seed")
            expectProblem(try await router.vocode(mel, query: "seed=abc"), 400, "seed")
            expectProblem(try await router.vocode(mel, query: "seed=18446744073709551616"), 400, "seed")
            expectProblem(try await router.vocode(mel, query: "format=mp3"), 400, "format")
            expectProblem(try await router.vocode(mel, query: "async=maybe"), 400, "async")
            expectProblem(try await router.vocode(mel, query: "strict=perhaps"), 400, "strict")
            expectProblem(try await router.vocode(mel, query: "precision=f16"), 422, "precision")
            #expect(try await router.vocode(mel, query: "seed=18446744073709551615&precision=f32").status == .ok)
        }
    }

    /// Where the CPU cannot run bfloat16 (forced here, so tested on every CPU) `precision=bf16` is
    /// a 422 that names the precision.
    @Test func bfloat16IsRefusedWhereTheCPUCannotRunIt() async throws {
        try await withService { _, router in
            let request = try HTTPRequest(method: .post, target: "/vocode?precision=bf16", headers: ["Content-Type": "application/x-npy"],
                                          body: NPY.encode(testMel(frames: 1)))
            // Answered on this task, where the override is bound (`send` answers on a thread of its own).
            let refused = Precision.$bfloat16AvailableOverride.withValue(false) { router.respond(to: request) }
            expectProblem(refused, 422, "precision 'bf16' is not available on this server")
        }
    }

    /// `precision=bf16` (or the server's `--precision bf16`) runs the bfloat16 GEMMs: the same
    /// length of audio, close to the float32 answer for the same seed but not bit-equal to it.
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"))
    func bfloat16OnRequestAndByDefault() async throws {
        let mel = testMel(frames: 4)
        let f32 = try await withService { _, router in try await router.vocode(mel, query: "seed=5&format=wav-f32") }
        let asked = try await withService { _, router in try await router.vocode(mel, query: "seed=5&format=wav-f32&precision=bf16") }
        let byDefault = try await withService(engine: TinyModel.conditional, { $0.precision = .bfloat16 }) { _, router in
            try await router.vocode(mel, query: "seed=5&format=wav-f32")
        }
        #expect(f32.status == .ok && asked.status == .ok && byDefault.status == .ok)
        #expect(asked.body == byDefault.body, "the server default is the same path as the query")
        let exact = try AudioDecoder.decode(f32.body).samples, fast = try AudioDecoder.decode(asked.body).samples
        #expect(exact.count == 4 * 256 && fast.count == exact.count)
        #expect(exact != fast, "bfloat16 products round differently")
        var signal = 0.0, noise = 0.0
        for (a, b) in zip(exact, fast) { signal += Double(a * a); noise += Double((a - b) * (a - b)) }
        #expect(10 * log10(signal / noise) > 30, "close to the float32 audio")
    }

    @Test func theFullScheduleRunsFiftySteps() async throws {
        try await withService { _, router in
            let response = try await router.vocode(testMel(frames: 1), query: "schedule=full&seed=3")
            #expect(response.status == .ok)
            let fast = try await router.vocode(testMel(frames: 1), query: "schedule=fast&seed=3")
            #expect(response.body != fast.body)
        }
    }

    // MARK: - Formats

    @Test func acceptFlacGivesFlac() async throws {
        try await withService { _, router in
            let response = try await router.vocode(testMel(frames: 2), headers: ["Content-Type": "application/x-npy", "Accept": "audio/flac"])
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "audio/flac")
            #expect(response.body.starts(with: Data("fLaC".utf8)))
            #expect(try AudioDecoder.decode(response.body).samples.count == 512)
        }
    }

    @Test func formatQueryWinsOverAccept() async throws {
        try await withService { _, router in
            let ogg = try await router.vocode(testMel(frames: 2), query: "format=ogg",
                                              headers: ["Content-Type": "application/x-npy", "Accept": "audio/flac"])
            #expect(ogg.status == .ok && ogg.headers["Content-Type"] == "audio/ogg")
            #expect(ogg.body.starts(with: Data("OggS".utf8)))
            let f32 = try await router.vocode(testMel(frames: 2), query: "format=wav-f32&seed=8")
            let i16 = try await router.vocode(testMel(frames: 2), query: "format=wav&seed=8")
            #expect(f32.headers["Content-Type"] == "audio/wav")
            #expect(f32.body.count > i16.body.count, "32-bit samples")
            let a = try AudioDecoder.decode(f32.body).samples, b = try AudioDecoder.decode(i16.body).samples
            #expect(a.count == 512 && b.count == 512)
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1.0 / 32767 + 1e-6 }, "the same audio, at two precisions")
        }
    }

    @Test func unacceptableAcceptIs406() async throws {
        try await withService { _, router in
            let response = try await router.vocode(testMel(frames: 1), headers: ["Content-Type": "application/x-npy", "Accept": "text/html"])
            expectProblem(response, 406, "text/html")
        }
    }

    // MARK: - Asynchronous

    @Test func asyncAnswers202ThenTheJobSucceeds() async throws {
        try await withService { _, router in
            let reference = try await router.vocode(testMel(frames: 3), query: "seed=77")
            for (query, headers) in [("seed=77&async=true", ["Content-Type": "application/x-npy"]),
                                     ("seed=77", ["Content-Type": "application/x-npy", "Prefer": "respond-async"] as HTTPHeaders)] {
                let accepted = try await router.vocode(testMel(frames: 3), query: query, headers: headers)
                #expect(accepted.status == .accepted)
                let id = try #require(accepted.headers["X-Job-Id"])
                #expect(accepted.headers["Location"] == "/jobs/\(id)")
                #expect(accepted.headers["Cache-Control"] == "no-store")
                #expect(accepted.headers["Preference-Applied"] == nil)
                let first = try #require(accepted.jobSnapshot)
                #expect(first.id == id && [.queued, .running, .succeeded].contains(first.status))

                let done = try await router.poll(id) { $0.status.isFinished }
                #expect(done.status == .succeeded)
                #expect(done.progress == 1)
                #expect(done.audioURL == "/jobs/\(id)/audio")
                #expect(done.audioSeconds == 768.0 / 22050)
                #expect(done.startedAt != nil && done.finishedAt != nil && done.error == nil)

                let audio = try await router.send(.get, try #require(done.audioURL))
                #expect(audio.status == .ok)
                #expect(audio.headers["Content-Type"] == "audio/wav")
                #expect(audio.body == reference.body, "async gives the sync bytes for the same seed")
            }
        }
    }

    @Test func anAsyncRequestAcceptingJSONGets202() async throws {
        try await withService { _, router in
            let response = try await router.vocode(testMel(frames: 1), query: "async=true",
                                                   headers: ["Content-Type": "application/x-npy", "Accept": "application/json"])
            #expect(response.status == .accepted)
            #expect(response.headers["Content-Type"] == "application/json")
            let id = try #require(response.headers["X-Job-Id"])
            _ = try await router.poll(id) { $0.status.isFinished }
            #expect(try await router.send(.get, "/jobs/\(id)/audio").headers["Content-Type"] == "audio/wav")
        }
    }

    /// Sync means audio or failure: past sync-timeout the job is cancelled (no one will fetch
    /// it) and the answer is 503 + Retry-After, counted as abandoned.
    @Test func aSyncRequestThatOutwaitsSyncTimeoutIs503AndItsJobCancelled() async throws {
        try await withService({ $0.syncTimeout = .milliseconds(50) }) { service, router in
            let response = try await router.vocode(testMel(frames: 200), query: "schedule=full")
            expectProblem(response, 503, "no audio within sync-timeout (0.05 s)")
            #expect(response.headers["Retry-After"] == "2")
            let id = try #require(response.headers["X-Job-Id"])
            let job = try await router.poll(id) { $0.status.isFinished }
            #expect(job.status == .cancelled)
            #expect(job.progress < 1)
            #expect(String(decoding: service.metricsExposition(), as: UTF8.self)
                .contains(#"diffwave_abandoned_jobs_total{reason="sync_timeout"} 1"#))
        }
    }

    /// RFC 7240: `Prefer: respond-async, wait=N` waits up to N s for the audio, then answers
    /// 202 + Location and keeps the job; a short job's audio comes within the wait.
    @Test func preferRespondAsyncWithWaitKeepsTheJob() async throws {
        try await withService { _, router in
            let slow = try await router.vocode(testMel(frames: 200), query: "schedule=full",
                                               headers: ["Content-Type": "application/x-npy", "Prefer": "respond-async, wait=0"])
            #expect(slow.status == .accepted)
            #expect(slow.headers["Preference-Applied"] == "respond-async, wait=0.0")
            let id = try #require(slow.headers["X-Job-Id"])
            #expect(slow.headers["Location"] == "/jobs/\(id)")
            #expect(try await router.poll(id) { $0.status.isFinished }.status == .succeeded)

            let quick = try await router.vocode(testMel(frames: 2), headers: ["Content-Type": "application/x-npy", "Prefer": "respond-async, wait=30"])
            #expect(quick.status == .ok)
            #expect(quick.headers["Content-Type"] == "audio/wav")
        }
    }

    /// No work for no one: a synchronous client that goes away has its job cancelled (a
    /// running one at its next step), counted; the job waiting behind it starts.
    @Test func aSyncClientThatGoesAwayHasItsJobCancelled() async throws {
        try await withService { service, router in
            let gone = Locked(false)
            var request = try HTTPRequest(method: .post, target: "/vocode?schedule=full&seed=1",
                                          headers: ["Content-Type": "application/x-npy"], body: NPY.encode(testMel(frames: 200)))
            request.clientHasGone = { gone.withLock { $0 } }
            let sent = request
            let answer = Task { try await onThread { router.respond(to: sent) } }
            #expect(try await eventually { service.store.countsByStatus()[.running, default: 0] == 1 })
            let waiting = try await router.send(.post, "/vocode?async=true&seed=2", headers: ["Content-Type": "application/x-npy"],
                                                body: NPY.encode(testMel(frames: 2)))
            let next = try #require(waiting.headers["X-Job-Id"])
            gone.withLock { $0 = true }
            let response = try await answer.value
            #expect(response.status.code == 499)
            let id = try #require(response.headers["X-Job-Id"])
            let cancelled = try await router.poll(id) { $0.status.isFinished }
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.progress < 1)
            #expect(try await router.poll(next) { $0.status.isFinished }.status == .succeeded)
            #expect(String(decoding: service.metricsExposition(), as: UTF8.self)
                .contains(#"diffwave_abandoned_jobs_total{reason="client_gone"} 1"#))
        }
    }

    @Test func aSyncRequestWhoseJobFailedIs500() async throws {
        // It was answered 409 Conflict, as if the client had asked at the wrong time.
        try await withService { service, router in
            let job = try service.submit(JobSpec(input: .samples(32), schedule: .fast, seed: 1, format: .wav))
            do throws(ServiceError) {
                _ = try service.audioWhenDone(job.id, within: .seconds(10), abandonOnTimeout: true)
                Issue.record("a failed job answered")
            } catch {
                guard case .jobFailed(_, let reason) = error else { Issue.record("\(error)"); return }
                #expect(reason.contains("needs a mel spectrogram"))
                #expect(HTTPError(error, retryAfter: "1").status.code == 500)
            }
        }
    }

    @Test func aSyncRequestCancelledByDeleteIs409AndByTheDrain503() async throws {
        try await withService({ $0.retryAfter = .seconds(3) }) { service, router in
            let running = try await router.submitSlowJob()
            _ = try await router.poll(running) { $0.status == .running }
            let sync = Task { try await router.vocode(testMel(frames: 1)) }
            #expect(try await eventually { service.memory.queue.count == 1 })
            // The waiting job's id (the worker is busy, so taking it out and back is safe).
            let queued = try #require(service.memory.queue.removeAll().first)
            #expect(service.memory.queue.enqueue(queued) == .queued)
            #expect(try await router.send(.delete, "/jobs/\(queued)").status == .ok)
            let cancelled = try await sync.value
            #expect(cancelled.status == .conflict)
            #expect(cancelled.problem?.detail?.contains("cancelled") == true)

            let drained = Task { try await router.vocode(testMel(frames: 1)) }
            #expect(try await eventually { service.memory.queue.count == 1 })
            service.drain()
            let refused = try await drained.value
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers["Retry-After"] == "3")
            #expect(refused.problem?.detail?.contains("shutting down") == true)
        }
    }

    @Test func vocodeOnAnUnconditionalModelIs422() async throws {
        try await withService(engine: TinyModel.unconditional) { _, router in
            expectProblem(try await router.vocode(testMel(frames: 1)), 422, "/generate")
        }
    }

    // MARK: - /generate

    @Test func generateMakesTheAskedLength() async throws {
        try await withService(engine: TinyModel.unconditional) { _, router in
            let json: HTTPHeaders = ["Content-Type": "application/json"]
            let bySamples = try await router.send(.post, "/generate?seed=1", headers: json, body: Data(#"{"samples": 700}"#.utf8))
            #expect(bySamples.status == .ok, "\(bySamples.text)")
            #expect(try AudioDecoder.decode(bySamples.body).samples.count == 700)

            let bySeconds = try await router.send(.post, "/generate?seed=1", headers: json, body: Data(#"{"seconds": 0.01}"#.utf8))
            #expect(bySeconds.status == .ok)
            #expect(try AudioDecoder.decode(bySeconds.body).samples.count == 221)  // 0.01 × 22050, rounded
            #expect(bySeconds.headers["X-Audio-Seconds"] == String(format: "%.6f", 221.0 / 22050))

            // No body: the model's audio_len.
            let noBody = try await router.send(.post, "/generate?seed=1")
            #expect(noBody.status == .ok)
            #expect(try AudioDecoder.decode(noBody.body).samples.count == 1024)

            let again = try await router.send(.post, "/generate?seed=1", headers: json, body: Data(#"{"samples": 700}"#.utf8))
            #expect(again.body == bySamples.body, "same seed, same bytes")
        }
    }

    @Test func generateAsync() async throws {
        try await withService(engine: TinyModel.unconditional) { _, router in
            let accepted = try await router.send(.post, "/generate?async=true&format=flac", headers: ["Content-Type": "application/json"],
                                                 body: Data(#"{"samples": 300}"#.utf8))
            #expect(accepted.status == .accepted)
            let id = try #require(accepted.headers["X-Job-Id"])
            let done = try await router.poll(id) { $0.status.isFinished }
            #expect(done.status == .succeeded)
            let audio = try await router.send(.get, "/jobs/\(id)/audio")
            #expect(audio.headers["Content-Type"] == "audio/flac")
            #expect(try AudioDecoder.decode(audio.body).samples.count == 300)
        }
    }

    @Test func generateRefusals() async throws {
        try await withService(engine: TinyModel.unconditional, { $0.maxSamples = 1000 }) { _, router in
            let json: HTTPHeaders = ["Content-Type": "application/json"]
            func post(_ body: String, _ headers: HTTPHeaders = json) async throws -> HTTPResponse {
                try await router.send(.post, "/generate", headers: headers, body: Data(body.utf8))
            }
            expectProblem(try await post(#"{"samples": 1001}"#), 422, "at most 1000")
            expectProblem(try await post(#"{"seconds": 1}"#), 422, "at most 1000")
            expectProblem(try await post(#"{"samples": 0}"#), 422, "at least 1")
            expectProblem(try await post(#"{"samples": -5}"#), 422, "at least 1")
            expectProblem(try await post(#"{"seconds": -1}"#), 422, "positive")
            expectProblem(try await post(#"{"seconds": 0}"#), 422, "positive")
            expectProblem(try await post(#"{"samples": 10, "seconds": 1}"#), 422, "not both")
            expectProblem(try await post(#"{"samples": "many"}"#), 400)
            expectProblem(try await post("not json"), 400)
            expectProblem(try await post(#"{"samples": 10}"#, ["Content-Type": "text/plain"]), 415)
            expectProblem(try await router.send(.post, "/generate?schedule=slow"), 422, "schedule")
        }
    }

    @Test func generateOnAConditionalModelIs422() async throws {
        try await withService { _, router in
            let response = try await router.send(.post, "/generate", headers: ["Content-Type": "application/json"],
                                                 body: Data(#"{"samples": 100}"#.utf8))
            expectProblem(response, 422, "/vocode")
        }
    }

    // MARK: - Labels

    /// `/generate` on a class-conditional model: by number or name, in the body or the query,
    /// the same class gives the same bytes for a seed; another class other audio. The job shows its label.
    @Test func generateTakesALabelByNumberOrName() async throws {
        try await withService(engine: TinyModel.labelled) { _, router in
            let json: HTTPHeaders = ["Content-Type": "application/json"]
            func post(_ query: String, _ body: String) async throws -> HTTPResponse {
                try await router.send(.post, "/generate?seed=4" + query, headers: json, body: Data(body.utf8))
            }
            let byNumber = try await post("", #"{"samples": 400, "label": 1}"#)
            #expect(byNumber.status == .ok, "\(byNumber.text)")
            for (query, body) in [("", #"{"samples": 400, "label": "one"}"#), ("&label=one", #"{"samples": 400}"#),
                                  ("&label=1", #"{"samples": 400, "label": "one"}"#)] {
                let same = try await post(query, body)
                #expect(same.status == .ok, "\(same.text)")
                #expect(same.body == byNumber.body, "\(query) \(body)")
            }
            let other = try await post("&label=two", #"{"samples": 400}"#)
            #expect(other.status == .ok)
            #expect(other.body != byNumber.body)
            let id = try #require(byNumber.headers["X-Job-Id"])
            #expect(try await router.jobStatus(id).label == 1)
        }
    }

    /// Each label refusal is a 422 problem whose detail lists the valid labels.
    @Test func labelRefusalsAre422() async throws {
        try await withService(engine: TinyModel.labelled) { _, router in
            let json: HTTPHeaders = ["Content-Type": "application/json"]
            func post(_ query: String, _ body: String = #"{"samples": 100}"#) async throws -> HTTPResponse {
                try await router.send(.post, "/generate" + query, headers: json, body: Data(body.utf8))
            }
            let valid = "the labels are 0...2 or zero, one, two"
            expectProblem(try await post(""), 422, "this model is class-conditional: give a label (\(valid))")
            expectProblem(try await post("?label=3"), 422, "label 3 is out of range: \(valid)")
            expectProblem(try await post("?label=three"), 422, "unknown label 'three': \(valid)")
            expectProblem(try await post("", #"{"samples": 100, "label": -1}"#), 422, "label -1 is out of range")
            expectProblem(try await post("?label=2", #"{"samples": 100, "label": "one"}"#), 422, "the query's label 2 and the body's label 'one' disagree")
            expectProblem(try await post("", #"{"samples": 100, "label": 1.5}"#), 400)
            // Schemathesis ST201: a null label is malformed, not "no label" (even with one in the query).
            expectProblem(try await post("?label=1", #"{"label": null}"#), 400)
        }
        try await withService(engine: TinyModel.unconditional) { _, router in
            let response = try await router.send(.post, "/generate?label=0")
            expectProblem(response, 422, "this model has no classes: it takes no label (got 0)")
        }
        try await withService(engine: TinyModel.speaker) { _, router in
            expectProblem(try await router.vocode(testMel(frames: 1), query: "label=bob"), 422,
                          "label 'bob' is a name, but this model's classes have no names: the labels are 0...3")
            expectProblem(try await router.vocode(testMel(frames: 1), query: ""), 422, "give a label (the labels are 0...3)")
        }
        try await withService { _, router in
            expectProblem(try await router.vocode(testMel(frames: 1), query: "label=1"), 422, "this model has no classes")
        }
    }

    /// A mel + label model: the label in the query, or beside the mel in a JSON body.
    @Test func vocodeTakesALabelBesideTheMel() async throws {
        try await withService(engine: TinyModel.speaker) { _, router in
            let mel = testMel(frames: 2)
            let byQuery = try await router.vocode(mel, query: "seed=3&label=2")
            #expect(byQuery.status == .ok, "\(byQuery.text)")
            var body = jsonBody(mel)
            body.removeLast()  // the closing brace
            body.append(Data(#", "label": 2}"#.utf8))
            let byBody = try await router.send(.post, "/vocode?seed=3", headers: ["Content-Type": "application/json"], body: body)
            #expect(byBody.status == .ok, "\(byBody.text)")
            #expect(byBody.body == byQuery.body)
            let other = try await router.vocode(mel, query: "seed=3&label=0")
            #expect(other.body != byQuery.body)
            #expect(try await router.jobStatus(try #require(byQuery.headers["X-Job-Id"])).label == 2)
        }
    }


    // MARK: - Request ids and model identity (issue 21)

    @Test func theRequestsIdAndTheModelsDigestFollowTheJob() async throws {
        let capture = LogCapture()
        try await withService(logger: capture.logger) { service, router in
            let digest = service.engine.identity.digest
            let sync = try await router.vocode(testMel(frames: 2), headers: ["Content-Type": "application/x-npy", "X-Request-Id": "tts-41"])
            #expect(sync.status == .ok)
            #expect(sync.headers["X-Model-Digest"] == digest)
            #expect(try AudioDecoder.comment(of: sync.body) == service.engine.audioComment, "the file says it too")
            let id = try #require(sync.headers["X-Job-Id"])
            let status = try await router.jobStatus(id)
            #expect(status.requestID == "tts-41" && status.modelDigest == digest)
            let fetched = try await router.send(.get, "/jobs/\(id)/audio")
            #expect(fetched.headers["X-Model-Digest"] == digest)

            let async = try await router.vocode(testMel(frames: 2), query: "async=true",
                                                headers: ["Content-Type": "application/x-npy", "X-Request-Id": "tts-42"])
            let asyncID = try #require(async.headers["X-Job-Id"])
            #expect(async.jobSnapshot?.requestID == "tts-42")
            _ = try await router.poll(asyncID) { $0.status == .succeeded }
            // Without a usable id one is made, and the job records that one.
            let bare = try await router.vocode(testMel(frames: 2), query: "async=true")
            let made = try #require(bare.jobSnapshot?.requestID)
            #expect(made.wholeMatch(of: /[0-9a-f]{32}/) != nil)
            _ = try await router.poll(try #require(bare.headers["X-Job-Id"])) { $0.status == .succeeded }

            // Every line about a job names it and the request that made it.
            for (job, request) in [(id, "tts-41"), (asyncID, "tts-42")] {
                let lines = capture.entries.filter { $0.metadata["job_id"] == job }
                #expect(lines.map(\.message).contains("job queued") && lines.map(\.message).contains("job finished"))
                #expect(lines.allSatisfy { $0.metadata["request_id"] == request }, "\(lines.map(\.metadata))")
            }
        }
    }

    @Test func anAbandonedJobsLineNamesItsRequest() async throws {
        let capture = LogCapture()
        try await withService(logger: capture.logger, { $0.syncTimeout = .milliseconds(50) }) { _, router in
            let late = try await router.vocode(testMel(frames: 200), query: "schedule=full",
                                               headers: ["Content-Type": "application/x-npy", "X-Request-Id": "late-1"])
            #expect(late.status.code == 503)
            let line = try #require(capture.entries.first { $0.message == "job abandoned" })
            #expect(line.metadata["request_id"] == "late-1")
            #expect(line.metadata["job_id"] == late.headers["X-Job-Id"])
            #expect(line.metadata["reason"] == "sync_timeout")
        }
    }
}
