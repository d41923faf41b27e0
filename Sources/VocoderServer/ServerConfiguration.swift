import DiffWave
import Foundation
import HTTP

/// Every setting and limit of the service, in one place. Each field is settable by a
/// `diffwave serve` flag and a `DIFFWAVE_*` environment variable (see `fields`, which also
/// renders `--help` and the README's table).
public struct ServerConfiguration: Sendable, Equatable {
    /// Address to listen on (numeric IP or `localhost`).
    public var host = "0.0.0.0"
    public var port = 8080
    /// Checkpoint path; nil serves the built-in untrained BASE model.
    public var model: String?
    /// Concurrent jobs (worker threads). Default: cores / threadsPerJob.
    public var workers = defaultWorkers(threadsPerJob: defaultThreadsPerJob)
    /// Compute threads per job; workers × threadsPerJob should not exceed the cores.
    /// Default 2 (1 on one core): two jobs of one thread and one job of two threads deliver
    /// about the same audio per second, and the two-thread job finishes each request in half
    /// the time (bench/README.md, threading policy).
    public var threadsPerJob = defaultThreadsPerJob

    public static let defaultThreadsPerJob = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))
    /// Jobs waiting beyond the running ones; one more is answered 503 + Retry-After.
    public var queueCapacity = 16
    /// Longest mel accepted, in frames (×256 samples); longer is 422. Bounds a job's memory.
    public var maxFrames = 2000
    /// Longest `/generate` request, in samples.
    public var maxSamples = 2000 * 256
    /// How long a finished job's record and result are kept.
    public var jobTTL: Duration = .seconds(600)
    /// Total bytes of finished results retained; the oldest are dropped past it (410 on fetch).
    public var maxResultBytes = 256 * 1024 * 1024
    /// How long a synchronous request waits for its audio before answering 202 + Location.
    public var syncTimeout: Duration = .seconds(300)
    /// On SIGTERM/SIGINT: how long running and queued jobs may take to finish before the
    /// rest are cancelled and the process exits.
    public var drainTimeout: Duration = .seconds(30)
    /// The `Retry-After` value sent with 503 answers.
    public var retryAfter: Duration = .seconds(5)
    /// Largest body after gzip decoding.
    public var maxDecodedBodyBytes = 64 * 1024 * 1024
    /// The GEMMs' number format for requests that name none (`precision=`): `.float32`, the
    /// exact path, or `.bfloat16` (faster where the CPU has AVX512-BF16; refused elsewhere).
    public var precision: Precision = .float32
    /// MiB a float32 job's workspace may hold: the activations always (3·C·4 bytes per sample),
    /// then the upsampled mel and as many layers of conditioner projection as fit (`Sampler.memoryBudgetBytes`).
    public var memoryBudgetMB = Sampler.defaultMemoryBudgetBytes(.float32) >> 20
    /// The same for a bfloat16 job (`Sampler.defaultMemoryBudgetBytes`: the fast path caches more).
    public var bf16MemoryBudgetMB = Sampler.defaultMemoryBudgetBytes(.bfloat16) >> 20
    /// Where jobs live: nil keeps them in this process's memory; a Redis endpoint shares the
    /// queue, records and results with every instance using it (`RedisJobStore`).
    public var jobStore: RedisEndpoint?
    /// The prefix of every Redis key the store uses, so several deployments can share a Redis.
    public var jobStorePrefix = "diffwave"
    /// A file holding the Redis password (a mounted Secret); it replaces one in the URL.
    public var jobStorePasswordFile: String?
    /// How long a running job's claim lasts without renewal (renewed every third of it): after
    /// an instance dies, another one takes its jobs over once this has passed.
    public var jobLease: Duration = .seconds(30)
    /// Runs a job may start in the shared store before it is failed (each run's instance died).
    public var jobMaxAttempts = 3
    /// Connect and command timeout of each call to the shared store.
    public var jobStoreTimeout: Duration = .seconds(2)
    /// How often workers and waiting requests retry a shared store they cannot reach, and the
    /// longest a worker's blocking read of the queue lasts before it looks for lapsed leases.
    public var jobStoreRetry: Duration = .seconds(1)
    /// The HTTP layer's limits (request size, header size and count, timeouts, connections).
    public var http = ServerLimits()
    /// How log lines are written: swift-log's text lines, or one JSON object per line.
    public var logFormat: LogFormat = .text
    /// A file of bearer tokens, one per line; set, every route but the probes, /openapi.yaml,
    /// /problems/* (and /metrics with `openMetrics`) needs one. Nil: no authentication.
    public var authTokenFile: String?
    /// With `authTokenFile`, whether /metrics stays open (a Prometheus scraper without a token).
    public var openMetrics = false

    public init() {}

    /// One worker per `threadsPerJob` cores, at least one.
    public static func defaultWorkers(threadsPerJob: Int) -> Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, threadsPerJob))
    }

    /// Refuses combinations that cannot work.
    public func validate() throws(ConfigurationError) {
        func require(_ ok: Bool, _ message: String) throws(ConfigurationError) {
            if !ok { throw ConfigurationError(message) }
        }
        try require((0...65535).contains(port), "port must be in 0...65535, got \(port)")
        try require(workers >= 1, "workers must be at least 1")
        try require(precision.isAvailable, "precision \(precision.rawValue) is not available on this CPU (no AVX512-BF16); use f32")
        try require(threadsPerJob >= 1, "threads-per-job must be at least 1")
        try require(queueCapacity >= 0, "queue must be at least 0")
        try require(maxFrames >= 1 && maxSamples >= 1, "max-frames and max-samples must be at least 1")
        try require(memoryBudgetMB <= Sampler.maxMemoryBudgetMB, "memory-budget-mb must be at most \(Sampler.maxMemoryBudgetMB)")
        try require(bf16MemoryBudgetMB <= Sampler.maxMemoryBudgetMB, "bf16-memory-budget-mb must be at most \(Sampler.maxMemoryBudgetMB)")
        try require(maxResultBytes >= 0 && maxDecodedBodyBytes >= 1, "byte limits must be positive")
        try require(http.maxBodyBytes >= 1 && http.maxConnections >= 1, "max-body-bytes and max-connections must be at least 1")
        if jobStore != nil {
            try require(queueCapacity >= 1, "queue must be at least 1 with a shared job store (its bound counts every waiting job)")
            try require(jobLease >= .milliseconds(300), "job-lease must be at least 0.3s")
            try require(jobMaxAttempts >= 1, "job-max-attempts must be at least 1")
            try require(jobStoreTimeout > .zero && jobStoreRetry > .zero, "job-store-timeout and job-store-retry must be positive")
            try require(!jobStorePrefix.isEmpty && !jobStorePrefix.contains(" "), "job-store-prefix must be non-empty, without spaces")
        }
    }
}

/// A setting that cannot be used, with the one-line reason.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
