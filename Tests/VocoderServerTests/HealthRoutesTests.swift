@testable import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

@Suite struct HealthRoutesTests {
    @Test func healthzIsAlwaysOK() async throws {
        try await withService { service, router in
            let response = try await router.send(.get, "/healthz")
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "application/json")
            #expect(response.text == #"{"status":"ok"}"#)
            service.drain()
            #expect(try await router.send(.get, "/healthz").status == .ok, "alive while draining")
        }
    }

    @Test func readyzIsOKThen503WhileDraining() async throws {
        try await withService({ $0.retryAfter = .milliseconds(2500) }) { service, router in
            let ready = try await router.send(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready.text == #"{"status":"ready"}"#)
            service.drain()
            let draining = try await router.send(.get, "/readyz")
            #expect(draining.status == .serviceUnavailable)
            #expect(draining.problem?.detail?.contains("draining") == true)
            #expect(draining.headers["Retry-After"] == "3", "2.5 s rounded up, as the queue-full 503 says")
        }
    }

    @Test func modelDescribesTheEngineAndLimits() async throws {
        try await withService({ $0.maxFrames = 123; $0.maxSamples = 4567; $0.queueCapacity = 3; $0.workers = 2 }) { service, router in
            let response = try await router.send(.get, "/model")
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "application/json")
            let json = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
            #expect(json["residual_layers"] as? Int == 2)
            #expect(json["residual_channels"] as? Int == 4)
            #expect(json["dilation_cycle_length"] as? Int == 2)
            #expect(json["n_mels"] as? Int == 80)
            #expect(json["hop_samples"] as? Int == 256)
            #expect(json["sample_rate"] as? Int == 22050)
            #expect(json["unconditional"] as? Bool == false)
            #expect(json["parameters"] as? Int == service.engine.model.parameterCount)
            #expect(json["training_steps"] as? Int == 50)
            #expect(json["fast_steps"] as? Int == 6)
            #expect(json["trained"] as? Bool == false)

            let schedules = try #require(json["schedules"] as? [String: [String: [Double]]])
            #expect(Set(schedules.keys) == ["fast", "full"])
            #expect(schedules["fast"]?["betas"] == [0.0001, 0.001, 0.01, 0.05, 0.2, 0.5])
            #expect(schedules["fast"]?["steps"]?.count == 6)
            #expect(schedules["full"]?["betas"]?.count == 50)
            #expect(schedules["full"]?["steps"]?.first == 0, "the full schedule's T[s] are the training steps")

            let precisions = try #require(json["precisions"] as? [String: Any])
            #expect(Set(precisions.keys) == ["available", "default"])
            #expect(precisions["default"] as? String == "f32")

            let limits = try #require(json["limits"] as? [String: Int])
            #expect(limits == ["max_frames": 123, "max_samples": 4567, "max_body_bytes": service.configuration.http.maxBodyBytes,
                               "queue_capacity": 3, "workers": 2])
        }
    }

    /// The precisions this CPU runs: bf16 forced runnable and not (`bfloat16AvailableOverride`),
    /// so both answers are tested on every CPU. Answered on this task, where the override is bound.
    @Test(arguments: [(true, ["f32", "bf16"]), (false, ["f32"])])
    func modelListsThePrecisionsThisCPURuns(bfloat16Runs: Bool, available: [String]) async throws {
        try await withService { _, router in
            let request = try HTTPRequest(method: .get, target: "/model")
            let response = Precision.$bfloat16AvailableOverride.withValue(bfloat16Runs) { router.respond(to: request) }
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
            #expect((json["precisions"] as? [String: Any])?["available"] as? [String] == available)
        }
    }

    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"))
    func modelReportsTheServersDefaultPrecision() async throws {
        try await withService({ $0.precision = .bfloat16 }) { _, router in
            let json = try #require(try JSONSerialization.jsonObject(with: try await router.send(.get, "/model").body) as? [String: Any])
            #expect((json["precisions"] as? [String: Any])?["default"] as? String == "bf16")
        }
    }

    @Test func modelReportsAnUnconditionalModel() async throws {
        try await withService(engine: TinyModel.unconditional) { _, router in
            let json = try #require(try JSONSerialization.jsonObject(with: try await router.send(.get, "/model").body) as? [String: Any])
            #expect(json["unconditional"] as? Bool == true)
            #expect(json["conditioning"] as? String == "none")
            #expect(json["num_classes"] is NSNull && json["class_names"] is NSNull)
        }
    }

    @Test func modelReportsItsClasses() async throws {
        try await withService(engine: TinyModel.labelled) { _, router in
            let json = try #require(try JSONSerialization.jsonObject(with: try await router.send(.get, "/model").body) as? [String: Any])
            #expect(json["conditioning"] as? String == "label")
            #expect(json["num_classes"] as? Int == 3)
            #expect(json["label_embedding_dim"] as? Int == 8)
            #expect(json["class_names"] as? [String] == ["zero", "one", "two"])
        }
    }

    @Test func metricsExposeRequestsQueueJobsAndDurations() async throws {
        try await withService { service, router in
            #expect(try await router.vocode(testMel(frames: 1)).status == .ok)
            _ = try await router.send(.get, "/jobs/unknown")
            // The worker records a job's metrics just after the job turns succeeded (and the sync
            // answer may already be out): wait for both the retained audio and the record.
            #expect(try await eventually {
                service.memory.retainedBytes > 0
                    && service.metrics.registry.emitToString().contains("diffwave_job_duration_seconds_count 1")
            })
            let response = try await router.send(.get, "/metrics")
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
            let text = response.text
            for expected in [
                #"diffwave_http_requests_total{route="/vocode",method="POST",status="200"} 1"#,
                #"diffwave_http_requests_total{route="/jobs/{id}",method="GET",status="404"} 1"#,
                "diffwave_queue_depth 0",
                #"diffwave_jobs{state="succeeded"} 1"#,
                #"diffwave_jobs{state="queued"} 0"#,
                #"diffwave_jobs_finished_total{status="succeeded"} 1"#,
                "diffwave_job_duration_seconds_count 1",
                "diffwave_job_duration_seconds_bucket{le=\"",
                "diffwave_queue_wait_seconds_count 1",
                "diffwave_retained_result_bytes \(service.memory.retainedBytes)",
                "diffwave_audio_seconds_total",
                "diffwave_compute_seconds_total",
            ] {
                #expect(text.contains(expected), "missing \(expected) in\n\(text)")
            }
        }
    }

    @Test func openAPIIsServedAsYAML() async throws {
        try await withService { _, router in
            let response = try await router.send(.get, "/openapi.yaml")
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "application/yaml")
            #expect(response.body == HealthRoutes.openAPIDocument)
        }
    }

    @Test func modelNamesItsWeightsByDigest() async throws {
        try await withService { service, router in
            let json = try #require(try JSONSerialization.jsonObject(with: try await router.send(.get, "/model").body) as? [String: Any])
            #expect(json["digest"] as? String == service.engine.identity.digest)
            #expect((json["digest"] as? String)?.wholeMatch(of: /sha256:[0-9a-f]{64}/) != nil)
            #expect(json.keys.contains("file_name") && json["file_name"] is NSNull, "the built-in model has no file")
            #expect((json["precisions"] as? [String: Any])?["default"] as? String == "f32")
        }
    }
}
