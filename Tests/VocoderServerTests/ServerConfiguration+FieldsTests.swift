@testable import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

@Suite struct ServerConfigurationFieldsTests {
    private func resolve(_ arguments: [String] = [], _ environment: [String: String] = [:]) throws(ConfigurationError) -> ServerConfiguration {
        try ServerConfiguration.resolve(arguments: arguments, environment: environment)
    }

    private func error(_ arguments: [String], _ environment: [String: String] = [:]) -> String? {
        do {
            _ = try resolve(arguments, environment)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func fieldsHaveUniqueFlagsAndVariables() {
        let fields = ServerConfiguration.fields
        #expect(Set(fields.map(\.name)).count == fields.count)
        #expect(fields.allSatisfy { $0.flag == "--" + $0.name })
        #expect(fields.allSatisfy { $0.environmentVariable.wholeMatch(of: /DIFFWAVE_[A-Z0-9_]+/) != nil })
        let threads = fields.first { $0.name == "threads-per-job" }
        #expect(threads?.environmentVariable == "DIFFWAVE_THREADS_PER_JOB")
        // Every limit named in DESIGN.md is settable.
        for name in ["max-body-bytes", "max-frames", "queue", "workers", "max-header-bytes", "header-timeout",
                     "idle-timeout", "job-ttl", "max-result-bytes"] {
            #expect(fields.contains { $0.name == name }, "\(name)")
        }
    }

    @Test func nothingSetGivesTheDefaults() throws {
        #expect(try resolve() == ServerConfiguration())
        #expect(try resolve([], ["UNRELATED": "1", "DIFFWAVE": "x"]) == ServerConfiguration())
    }

    /// Each field sets its own setting: applying a value changes the configuration, and no
    /// two fields change the same thing. `--precision bf16` is validated against the CPU: taken
    /// as runnable here, so that every field is tested on every CPU.
    @Test func everyFieldSetsADistinctSetting() throws {
        var seen: [String: String] = [:]
        try Precision.$bfloat16AvailableOverride.withValue(true) {
            for field in ServerConfiguration.fields {
                let special = ["host": "127.0.0.1", "model": "m.pt", "precision": "bf16", "log-format": "json",
                               "auth-token-file": "tokens.txt", "open-metrics": "true", "job-store": "redis://h:7"]
                let value = special[field.name] ?? "7"
                let config = try resolve([field.flag, value])
                #expect(config != ServerConfiguration(), "\(field.flag) changed nothing")
                let key = String(describing: config)
                #expect(seen[key] == nil, "\(field.flag) sets what \(seen[key] ?? "") sets")
                seen[key] = field.name
            }
        }
        #expect(seen.count == ServerConfiguration.fields.count)
        #expect(seen.values.contains("precision"))
    }

    @Test func defaultValuesReadBackAsTheDefaults() throws {
        let defaults = ServerConfiguration()
        // An unset path reads "(built-in ...)" / "(none ...)", which is not a value to give back.
        for field in ServerConfiguration.fields where !["model", "auth-token-file", "job-store-password-file"].contains(field.name) {
            #expect(try resolve([field.flag, field.defaultValue(defaults)]) == defaults, "\(field.flag) \(field.defaultValue(defaults))")
        }
    }

    @Test func logFormatAuthAndOpenMetricsAreSettings() throws {
        let c = try resolve([], ["DIFFWAVE_LOG_FORMAT": "json", "DIFFWAVE_AUTH_TOKEN_FILE": "/run/secrets/tokens", "DIFFWAVE_OPEN_METRICS": "true"])
        #expect(c.logFormat == .json && c.authTokenFile == "/run/secrets/tokens" && c.openMetrics)
        let defaults = try resolve()
        #expect(defaults.logFormat == .text && defaults.authTokenFile == nil && !defaults.openMetrics, "nothing changes without them")
        #expect(try resolve(["--auth-token-file", ""]).authTokenFile == nil)
        #expect(error(["--log-format", "yaml"]) == "--log-format takes text or json, got 'yaml'")
        #expect(error([], ["DIFFWAVE_OPEN_METRICS": "yes"]) == "DIFFWAVE_OPEN_METRICS takes true or false, got 'yes'")
    }

    @Test func environmentVariablesApply() throws {
        let c = try resolve([], [
            "DIFFWAVE_PORT": "9000", "DIFFWAVE_MODEL": "/models/lj.pt", "DIFFWAVE_HOST": "127.0.0.1",
            "DIFFWAVE_THREADS_PER_JOB": "2", "DIFFWAVE_QUEUE": "0", "DIFFWAVE_JOB_TTL": "2.5s",
            "DIFFWAVE_SYNC_TIMEOUT": "12", "DIFFWAVE_MAX_HEADER_BYTES": "4096", "DIFFWAVE_IDLE_TIMEOUT": "0.25",
        ])
        #expect(c.port == 9000 && c.model == "/models/lj.pt" && c.host == "127.0.0.1")
        #expect(c.threadsPerJob == 2 && c.queueCapacity == 0)
        #expect(c.jobTTL == .milliseconds(2500) && c.syncTimeout == .seconds(12))
        #expect(c.http.maxHeaderBytes == 4096 && c.http.idleKeepAliveTimeout == .milliseconds(250))
    }

    @Test func aSharedJobStoreFromTheURLOrAPasswordFile() throws {
        #expect(try resolve().jobStore == nil, "in memory by default")
        let c = try resolve(["--job-store", "redis://app:in-url@cache:6380/3", "--job-lease", "0.5"])
        #expect(c.jobStore == RedisEndpoint(host: "cache", port: 6380, database: 3, user: "app", password: "in-url"))
        #expect(c.jobLease == .milliseconds(500))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("redis-password-\(UUID().uuidString)")
        try Data("from-file\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try resolve(["--job-store-password-file", file.path], ["DIFFWAVE_JOB_STORE": "redis://cache:6379"])
        #expect(fromFile.jobStore?.password == "from-file")
        #expect(error(["--job-store-password-file", "/nonexistent/pw", "--job-store", "redis://h:1"])?.contains("cannot read") == true)
        // The password shows nowhere a configuration is printed.
        #expect(!String(describing: c).contains("in-url") && !String(describing: fromFile).contains("from-file"))
        #expect(error(["--job-store", "redis://:leaked@h:notaport"])?.contains("leaked") == false)
        #expect(error(["--job-store", "redis://h:1", "--queue", "0"])?.contains("queue must be at least 1") == true)
    }

    @Test func flagsOverrideTheEnvironment() throws {
        let environment = ["DIFFWAVE_PORT": "9000", "DIFFWAVE_WORKERS": "3"]
        let c = try resolve(["--port", "9100"], environment)
        #expect(c.port == 9100)
        #expect(c.workers == 3, "a variable without a flag still applies")
        // A bad variable that a flag overrides is still an error: the environment is read first.
        #expect(error(["--port", "1"], ["DIFFWAVE_PORT": "x"]) != nil)
    }

    @Test func flagEqualsValueForm() throws {
        let c = try resolve(["--port=9200", "--job-ttl=30s", "--model=/a=b.pt", "--max-frames", "10"])
        #expect(c.port == 9200 && c.jobTTL == .seconds(30) && c.model == "/a=b.pt" && c.maxFrames == 10)
        #expect(try resolve(["--model="]).model == nil, "an empty model means the built-in one")
        #expect(try resolve(["--port", "1", "--port", "2"]).port == 2, "the last one wins")
    }

    @Test func unknownOptionsAndMissingValues() {
        #expect(error(["--nope"]) == "unknown option '--nope' (see diffwave serve --help)")
        #expect(error(["--nope=1"]) == "unknown option '--nope=1' (see diffwave serve --help)")
        #expect(error(["serve"]) == "unknown option 'serve' (see diffwave serve --help)")
        #expect(error(["-p", "80"]) == "unknown option '-p' (see diffwave serve --help)")
        #expect(error(["--port"]) == "--port needs a value")
    }

    @Test func badValuesNameTheFlagAndTheValue() {
        #expect(error(["--port", "abc"]) == "--port takes a non-negative integer, got 'abc'")
        #expect(error(["--workers", "-2"]) == "--workers takes a non-negative integer, got '-2'")
        #expect(error(["--queue", "1.5"]) == "--queue takes a non-negative integer, got '1.5'")
        #expect(error(["--precision", "fp16"]) == "--precision takes f32 or bf16, got 'fp16'")
        #expect(error([], ["DIFFWAVE_PRECISION": "F32"]) == "DIFFWAVE_PRECISION takes f32 or bf16, got 'F32'")
        #expect(error(["--port="]) == "--port takes a non-negative integer, got ''")
        for bad in ["soon", "-1", "inf", "nan", "s", "1ms"] {
            #expect(error(["--job-ttl", bad]) == "--job-ttl takes seconds (e.g. 30 or 2.5s, at most 1e9), got '\(bad)'")
        }
        // Parsed but unusable: validate's message.
        #expect(error(["--port", "70000"]) == "port must be in 0...65535, got 70000")
        #expect(error(["--workers", "0"]) == "workers must be at least 1")
        #expect(error(["--max-body-bytes", "0"]) == "max-body-bytes and max-connections must be at least 1")
    }

    @Test func hugeDurationsAreRefusedNotATrap() {
        // 1e300 s used to overflow Int64 milliseconds and trap the process at startup.
        for huge in ["1e300", "1e16", "9223372036854775807"] {
            #expect(error(["--job-ttl", huge])?.hasPrefix("--job-ttl takes seconds") == true, "\(huge)")
            #expect(error([], ["DIFFWAVE_DRAIN_TIMEOUT": huge]) != nil)
        }
        #expect(try! resolve(["--job-ttl", "1e9"]).jobTTL == .seconds(1_000_000_000))
    }

    @Test func aBadVariableIsNamedAsTheVariable() {
        // It used to be reported as the flag ("--port takes ..."), which the user never typed.
        #expect(error([], ["DIFFWAVE_PORT": "abc"]) == "DIFFWAVE_PORT takes a non-negative integer, got 'abc'")
        #expect(error([], ["DIFFWAVE_JOB_TTL": "soon"]) == "DIFFWAVE_JOB_TTL takes seconds (e.g. 30 or 2.5s, at most 1e9), got 'soon'")
        #expect(error(["--port", "1"], ["DIFFWAVE_PORT": "x"]) == "DIFFWAVE_PORT takes a non-negative integer, got 'x'")
    }

    @Test func defaultWorkersShareTheCoresBetweenJobThreads() throws {
        // --threads-per-job 4 used to keep one worker per core: 4× the cores in threads.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(try resolve().workers == max(1, cores / ServerConfiguration.defaultThreadsPerJob))
        #expect(try resolve(["--threads-per-job", "2"]).workers == max(1, cores / 2))
        #expect(try resolve([], ["DIFFWAVE_THREADS_PER_JOB": "4"]).workers == max(1, cores / 4))
        #expect(try resolve(["--threads-per-job", "1000"]).workers == 1)
        // Set by the user, it stays as set.
        #expect(try resolve(["--threads-per-job", "2", "--workers", "5"]).workers == 5)
        #expect(try resolve(["--threads-per-job", "2"], ["DIFFWAVE_WORKERS": "6"]).workers == 6)
        #expect(ServerConfiguration.defaultWorkers(threadsPerJob: 0) == max(1, cores), "validate refuses 0 later")
    }

    @Test func helpTextListsEveryFieldWithItsVariableAndDefault() {
        let help = ServerConfiguration.helpText
        let defaults = ServerConfiguration()
        for field in ServerConfiguration.fields {
            #expect(help.contains("\(field.flag) (\(field.environmentVariable), default \(field.defaultValue(defaults)))"), "\(field.flag)")
            #expect(help.contains(field.help))
        }
        #expect(help.contains("--job-ttl (DIFFWAVE_JOB_TTL, default 600s)"))
        #expect(help.contains("--model (DIFFWAVE_MODEL, default (built-in, untrained))"))
        #expect(help.contains("--queue (DIFFWAVE_QUEUE, default 16)"))
    }

    @Test func durationsPrintAsSeconds() {
        #expect(ServerConfiguration.describe(.seconds(30)) == "30s")
        #expect(ServerConfiguration.describe(.milliseconds(2500)) == "2.5s")
        #expect(ServerConfiguration.describe(.zero) == "0s")
    }
}
