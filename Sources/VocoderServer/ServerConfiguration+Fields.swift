import DiffWave
import Foundation
import HTTP

extension ServerConfiguration {
    /// One configurable field: its flag (`--name`), environment variable, help and how to set it.
    public struct Field: Sendable {
        public let name: String
        public let help: String
        public let defaultValue: @Sendable (ServerConfiguration) -> String
        /// Sets the field from text; the error's message is what the value should have been
        /// ("takes ..."), for `resolve` to put after the flag or variable it came from.
        let apply: @Sendable (inout ServerConfiguration, String) throws(ConfigurationError) -> Void

        public var flag: String { "--" + name }
        public var environmentVariable: String { "DIFFWAVE_" + name.uppercased().replacingOccurrences(of: "-", with: "_") }
    }

    private static func int(_ name: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Int> & Sendable) -> Field {
        Field(name: name, help: help, defaultValue: { "\($0[keyPath: path])" }) { (config, text) throws(ConfigurationError) in
            guard let value = Int(text), value >= 0 else { throw ConfigurationError("takes a non-negative integer, got '\(text)'") }
            config[keyPath: path] = value
        }
    }

    private static func bool(_ name: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Bool> & Sendable) -> Field {
        Field(name: name, help: help, defaultValue: { "\($0[keyPath: path])" }) { (config, text) throws(ConfigurationError) in
            guard let value = Bool(text) else { throw ConfigurationError("takes true or false, got '\(text)'") }
            config[keyPath: path] = value
        }
    }

    private static func seconds(_ name: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Duration> & Sendable) -> Field {
        Field(name: name, help: help, defaultValue: { describe($0[keyPath: path]) }) { (config, text) throws(ConfigurationError) in
            let number = text.hasSuffix("s") ? String(text.dropLast()) : text
            // The bound keeps the milliseconds (and dispatch deadlines in nanoseconds) in Int64.
            guard let value = Double(number), value >= 0, value <= maxSeconds else {
                throw ConfigurationError("takes seconds (e.g. 30 or 2.5s, at most 1e9), got '\(text)'")
            }
            config[keyPath: path] = .milliseconds(Int64((value * 1000).rounded()))
        }
    }

    /// The longest duration a field takes, about 31 years.
    static let maxSeconds: Double = 1e9

    static func describe(_ d: Duration) -> String {
        let (s, atto) = d.components
        return atto == 0 ? "\(s)s" : String(format: "%gs", Double(s) + Double(atto) / 1e18)
    }

    /// Every field, in the order `--help` and the README list them.
    public static let fields: [Field] = [
        Field(name: "model", help: "Checkpoint (.pt) to serve; unset serves the built-in untrained BASE model",
              defaultValue: { $0.model ?? "(built-in, untrained)" }) { config, text in config.model = text.isEmpty ? nil : text },
        Field(name: "host", help: "Address to listen on (numeric IP or localhost)",
              defaultValue: { $0.host }) { config, text in config.host = text },
        int("port", "TCP port", \.port),
        int("workers", "Concurrent jobs (worker threads); unset, the cores divided by threads-per-job", \.workers),
        int("threads-per-job", "Compute threads each job uses; workers × threads-per-job should not exceed the cores", \.threadsPerJob),
        Field(name: "precision", help: "Number format of requests without precision=: f32 (exact) or bf16 (faster; needs AVX512-BF16)",
              defaultValue: { $0.precision.rawValue }) { (config, text) throws(ConfigurationError) in
            guard let value = Precision(rawValue: text) else { throw ConfigurationError("takes f32 or bf16, got '\(text)'") }
            config.precision = value
        },
        int("queue", "Jobs that may wait for a worker; beyond it requests get 503 + Retry-After", \.queueCapacity),
        int("max-frames", "Longest mel accepted, in frames (256 samples each); longer is 422", \.maxFrames),
        int("max-samples", "Longest /generate request, in samples", \.maxSamples),
        int("memory-budget-mb", "MiB an f32 job's workspace may hold: its activations, then the cached upsampled mel and conditioner projections (faster requests); 0 caches none", \.memoryBudgetMB),
        int("bf16-memory-budget-mb", "The same for a bf16 job (bf16 caches all layers up to 11 s of audio in the default)", \.bf16MemoryBudgetMB),
        seconds("job-ttl", "How long a finished job's status and audio are kept", \.jobTTL),
        int("max-result-bytes", "Total bytes of finished audio retained; the oldest results are dropped beyond it (410)", \.maxResultBytes),
        seconds("sync-timeout", "How long a synchronous request waits for its audio; past it the job is cancelled and the answer is 503", \.syncTimeout),
        seconds("drain-timeout", "On SIGTERM/SIGINT, how long running and queued jobs may take before the rest are cancelled", \.drainTimeout),
        seconds("retry-after", "Retry-After sent with 503 (queue full, draining)", \.retryAfter),
        Field(name: "job-store", help: "Where jobs live: memory (this process) or redis://[user:password@]host:port[/db], shared by every instance using it",
              defaultValue: { $0.jobStore?.description ?? "memory" }) { (config, text) throws(ConfigurationError) in
            config.jobStore = text.isEmpty || text == "memory" ? nil : try RedisEndpoint(url: text)
        },
        Field(name: "job-store-prefix", help: "Prefix of the shared job store's Redis keys",
              defaultValue: { $0.jobStorePrefix }) { config, text in config.jobStorePrefix = text },
        Field(name: "job-store-password-file", help: "File holding the Redis password (e.g. a mounted Secret); replaces one in the URL",
              defaultValue: { $0.jobStorePasswordFile ?? "(none)" }) { config, text in config.jobStorePasswordFile = text.isEmpty ? nil : text },
        seconds("job-lease", "Shared store: how long a running job's claim lasts unrenewed; another instance takes over a job whose instance died after it", \.jobLease),
        int("job-max-attempts", "Shared store: runs a job may start before it is failed (each run's instance died)", \.jobMaxAttempts),
        seconds("job-store-timeout", "Shared store: connect and command timeout of each Redis call", \.jobStoreTimeout),
        seconds("job-store-retry", "Shared store: how often an unreachable Redis is retried, and the longest blocking read of the queue", \.jobStoreRetry),
        int("max-body-bytes", "Largest request body; a larger Content-Length is refused (413) before it is read", \.http.maxBodyBytes),
        int("max-decoded-body-bytes", "Largest body after gzip decoding (413)", \.maxDecodedBodyBytes),
        int("max-request-line-bytes", "Longest request line (414)", \.http.maxRequestLineBytes),
        int("max-header-bytes", "Largest header section (431)", \.http.maxHeaderBytes),
        int("max-header-count", "Most header fields (431)", \.http.maxHeaderCount),
        int("max-connections", "Most open connections; one more gets 503 and is closed", \.http.maxConnections),
        seconds("header-timeout", "Time to receive a request's head (408)", \.http.headerTimeout),
        seconds("body-read-timeout", "Longest wait for each read of a body (408)", \.http.bodyReadTimeout),
        int("min-body-rate", "Slowest average rate (bytes/s) a body may arrive at after its first body-read-timeout (408); 0 disables", \.http.minBodyRate),
        seconds("idle-timeout", "How long an idle keep-alive connection stays open", \.http.idleKeepAliveTimeout),
        seconds("write-timeout", "Longest wait for a client to accept response bytes", \.http.writeTimeout),
        Field(name: "log-format", help: "Log lines on stdout: text, or json (one object per line: timestamp, level, message, request_id, job_id, method, path, status, bytes, duration_ms)",
              defaultValue: { $0.logFormat.rawValue }) { (config, text) throws(ConfigurationError) in
            guard let value = LogFormat(rawValue: text) else { throw ConfigurationError("takes text or json, got '\(text)'") }
            config.logFormat = value
        },
        Field(name: "auth-token-file", help: "File of bearer tokens, one per line (re-read when it changes and on SIGHUP); set, requests need Authorization: Bearer <token> except /healthz, /readyz, /openapi.yaml, /problems/*",
              defaultValue: { $0.authTokenFile ?? "(none: no authentication)" }) { config, text in config.authTokenFile = text.isEmpty ? nil : text },
        bool("open-metrics", "With auth-token-file, serve /metrics without a token (for a scraper on a trusted network)", \.openMetrics),
    ]

    /// Applies `DIFFWAVE_*` variables, then `--flag value` / `--flag=value` arguments (flags win).
    public static func resolve(arguments: [String], environment: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
        var config = ServerConfiguration()
        // Each error names where the value came from: the variable, or the flag.
        func apply(_ field: Field, _ value: String, from source: String) throws(ConfigurationError) {
            do throws(ConfigurationError) {
                try field.apply(&config, value)
            } catch {
                throw ConfigurationError("\(source) \(error.message)")
            }
        }
        var setByUser: Set<String> = []
        for field in fields {
            if let value = environment[field.environmentVariable] {
                try apply(field, value, from: field.environmentVariable)
                setByUser.insert(field.name)
            }
        }
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            var name = argument, value: String?
            if let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                value = String(argument[argument.index(after: eq)...])
            }
            guard let field = fields.first(where: { $0.flag == name }) else {
                throw ConfigurationError("unknown option '\(argument)' (see diffwave serve --help)")
            }
            if value == nil {
                i += 1
                guard i < arguments.count else { throw ConfigurationError("\(name) needs a value") }
                value = arguments[i]
            }
            try apply(field, value!, from: field.flag)
            setByUser.insert(field.name)
            i += 1
        }
        if let path = config.jobStorePasswordFile, config.jobStore != nil {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError("job-store-password-file: cannot read \(path)")
            }
            config.jobStore?.password = text.trimmingCharacters(in: .newlines)
        }
        // Unset, the workers share the cores: workers × threads-per-job stays within them.
        if !setByUser.contains("workers") {
            config.workers = ServerConfiguration.defaultWorkers(threadsPerJob: config.threadsPerJob)
        }
        try config.validate()
        return config
    }

    /// The table `--help` prints: flag, variable, default, meaning.
    public static var helpText: String {
        let defaults = ServerConfiguration()
        return fields.map { f in
            "  \(f.flag) (\(f.environmentVariable), default \(f.defaultValue(defaults)))\n      \(f.help)"
        }.joined(separator: "\n")
    }
}
