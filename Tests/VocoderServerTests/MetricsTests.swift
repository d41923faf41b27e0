import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

@Suite struct MetricsTests {
    private func text(_ metrics: ServiceMetrics, queueDepth: Int = 0, jobs: [JobRecord.Status: Int] = [:], retained: Int = 0) -> String {
        String(decoding: metrics.exposition(queueDepth: queueDepth, jobs: jobs, retainedBytes: retained), as: UTF8.self)
    }

    @Test func countsRequestsByRoutePatternMethodAndStatus() {
        let metrics = ServiceMetrics()
        metrics.recordRequest(route: "/jobs/{id}", method: "GET", status: 200)
        metrics.recordRequest(route: "/jobs/{id}", method: "GET", status: 200)
        metrics.recordRequest(route: "/jobs/{id}", method: "GET", status: 404)
        let t = text(metrics)
        #expect(t.contains("# TYPE diffwave_http_requests_total counter"))
        #expect(t.contains(#"diffwave_http_requests_total{route="/jobs/{id}",method="GET",status="200"} 2"#), "\(t)")
        #expect(t.contains(#"diffwave_http_requests_total{route="/jobs/{id}",method="GET",status="404"} 1"#))
    }

    @Test func gaugesAreReadAtScrapeTime() {
        let metrics = ServiceMetrics()
        let first = text(metrics, queueDepth: 3, jobs: [.queued: 3, .running: 1], retained: 4096)
        #expect(first.contains("diffwave_queue_depth 3"))
        #expect(first.contains(#"diffwave_jobs{state="queued"} 3"#))
        #expect(first.contains(#"diffwave_jobs{state="running"} 1"#))
        #expect(first.contains(#"diffwave_jobs{state="failed"} 0"#), "every state is listed, zero or not")
        #expect(first.contains("diffwave_retained_result_bytes 4096"))
        let second = text(metrics, queueDepth: 0, jobs: [:], retained: 0)
        #expect(second.contains("diffwave_queue_depth 0"))
        #expect(second.contains(#"diffwave_jobs{state="queued"} 0"#))
    }

    @Test func aFinishedJobRecordsItsLatenciesAndOutput() {
        let metrics = ServiceMetrics()
        var job = makeRecord()
        job.status = .succeeded
        job.startedAt = job.createdAt
        job.finishedAt = job.createdAt
        job.audioSeconds = 2.5
        job.computeSeconds = 0.5
        metrics.recordJob(job)
        let t = text(metrics)
        #expect(t.contains(#"diffwave_jobs_finished_total{status="succeeded"} 1"#), "\(t)")
        #expect(t.contains("diffwave_job_duration_seconds_count 1"))
        #expect(t.contains(#"diffwave_job_duration_seconds_bucket{le="0.05"} 1"#), "a job of no time lands in the first bucket")
        #expect(t.contains(#"diffwave_job_duration_seconds_bucket{le="120.0"} 1"#), "bounds print as Doubles")
        #expect(t.contains("diffwave_queue_wait_seconds_count 1"))
        #expect(t.contains("diffwave_audio_seconds_total 2.5"))
        #expect(t.contains("diffwave_compute_seconds_total 0.5"))
    }

    @Test func aJobThatNeverStartedHasNoLatencies() {
        let metrics = ServiceMetrics()
        var job = makeRecord()
        job.status = .cancelled
        job.finishedAt = Date()
        metrics.recordJob(job)
        let t = text(metrics)
        #expect(t.contains(#"diffwave_jobs_finished_total{status="cancelled"} 1"#))
        #expect(!t.contains("diffwave_job_duration_seconds_count 1"))
        #expect(!t.contains("diffwave_queue_wait_seconds_count 1"))
    }

    @Test func servicesKeepSeparateRegistries() {
        let a = ServiceMetrics(), b = ServiceMetrics()
        a.recordRequest(route: "/healthz", method: "GET", status: 200)
        #expect(text(a).contains(#"route="/healthz""#))
        #expect(!text(b).contains(#"route="/healthz""#))
    }
}
