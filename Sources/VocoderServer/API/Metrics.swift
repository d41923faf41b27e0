import CoreMetrics
import Foundation
import Metrics
import Prometheus

/// The service's metrics through swift-metrics, kept in this service's own Prometheus
/// registry (no global bootstrap, so several services can live in one test process).
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        let latencyBuckets: [Duration] = [.milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                          .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120)]
        factory.durationHistogramBuckets = ["diffwave_job_duration_seconds": latencyBuckets,
                                            "diffwave_queue_wait_seconds": latencyBuckets]
        self.factory = factory
    }

    /// One answered request, by route pattern (not raw path, to bound the label set) and status.
    func recordRequest(route: String, method: String, status: Int) {
        Counter(label: "diffwave_http_requests_total",
                dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory).increment()
    }

    /// A job reaching a terminal state, with its latencies and output.
    func recordJob(_ s: JobRecord) {
        Counter(label: "diffwave_jobs_finished_total", dimensions: [("status", s.status.rawValue)], factory: factory).increment()
        if let started = s.startedAt {
            Timer(label: "diffwave_queue_wait_seconds", factory: factory)
                .recordNanoseconds(Int64(started.timeIntervalSince(s.createdAt) * 1e9))
            if let finished = s.finishedAt {
                Timer(label: "diffwave_job_duration_seconds", factory: factory)
                    .recordNanoseconds(Int64(finished.timeIntervalSince(started) * 1e9))
            }
        }
        if let audio = s.audioSeconds {
            FloatingPointCounter(label: "diffwave_audio_seconds_total", factory: factory).increment(by: audio)
        }
        if let compute = s.computeSeconds {
            FloatingPointCounter(label: "diffwave_compute_seconds_total", factory: factory).increment(by: compute)
        }
    }

    /// A synchronous request's job cancelled because no one would fetch it: `client_gone` (its
    /// client closed the connection) or `sync_timeout` (no audio within sync-timeout).
    func recordAbandonedJob(reason: String) {
        Counter(label: "diffwave_abandoned_jobs_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// The Prometheus text exposition, with the gauges read at scrape time.
    func exposition(queueDepth: Int, jobs: [JobRecord.Status: Int], retainedBytes: Int) -> Data {
        Gauge(label: "diffwave_queue_depth", factory: factory).record(queueDepth)
        for status in JobRecord.Status.allCases {
            Gauge(label: "diffwave_jobs", dimensions: [("state", status.rawValue)], factory: factory).record(jobs[status, default: 0])
        }
        Gauge(label: "diffwave_retained_result_bytes", factory: factory).record(retainedBytes)
        return Data(registry.emitToBuffer())
    }
}
