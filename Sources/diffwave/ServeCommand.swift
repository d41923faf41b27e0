import ArgumentParser
import DiffWave
import Foundation
import HTTP
import Logging
import VocoderServer

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the vocoder over HTTP.",
        discussion: """
            Every setting is a flag and a DIFFWAVE_* environment variable (the flag wins):

            \(ServerConfiguration.helpText)
            """)

    @Argument(parsing: .allUnrecognized, help: "Settings as --name value (see below).")
    var settings: [String] = []

    func run() throws {
        let config: ServerConfiguration
        do {
            config = try ServerConfiguration.resolve(arguments: settings, environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("diffwave: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
        LoggingSystem.bootstrap { [format = config.logFormat] label in
            var handler = format.makeHandler(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "diffwave")
        ComputeLibrary.useSingleThreadedBLAS()

        let engine: VocodingEngine
        do {
            if let path = config.model {
                let url = URL(fileURLWithPath: path)
                let (model, identity) = try DiffWave.loadIdentified(contentsOf: url)
                engine = try VocodingEngine(model: model, trained: true, identity: identity,
                                            memoryBudgetBytes: config.memoryBudgetMB << 20, bf16MemoryBudgetBytes: config.bf16MemoryBudgetMB << 20)
                logger.info("model loaded", metadata: ["path": "\(path)", "digest": "\(engine.identity.digest)"])
            } else {
                engine = try VocodingEngine(model: DiffWave.untrained(), trained: false, memoryBudgetBytes: config.memoryBudgetMB << 20,
                                            bf16MemoryBudgetBytes: config.bf16MemoryBudgetMB << 20)
                logger.warning("""
                    serving the built-in UNTRAINED BASE model: the audio is noise. Pass a trained checkpoint, \
                    e.g. the published LJSpeech one: --model diffwave-ljspeech-22kHz-1000578.pt (or DIFFWAVE_MODEL)
                    """)
            }
        } catch {
            FileHandle.standardError.write(Data("diffwave: \(error.message)\n".utf8))
            throw ExitCode.failure
        }

        var store: (any JobStore)?
        if let endpoint = config.jobStore {
            let digest = engine.identity.digest
            var settings = RedisJobStore.Settings(endpoint: endpoint, modelDigest: digest)
            settings.prefix = config.jobStorePrefix
            settings.ttl = config.jobTTL
            settings.maxResultBytes = config.maxResultBytes
            settings.queueCapacity = config.queueCapacity
            settings.lease = config.jobLease
            settings.maxAttempts = config.jobMaxAttempts
            settings.timeout = config.jobStoreTimeout
            settings.retryInterval = config.jobStoreRetry
            // A synchronous request reads its audio right after its wait: the wait, then one call.
            settings.holdTimeout = config.syncTimeout + config.jobStoreTimeout
            let redis = RedisJobStore(settings, logger: logger)
            // Unreachable at start is not fatal: /readyz answers 503 until Redis comes, and
            // everything starts working then, as after a loss while serving.
            if !redis.isAvailable {
                logger.warning("job store unreachable: /readyz answers 503 until it comes", metadata: ["job_store": "\(endpoint)"])
            }
            logger.info("job store", metadata: ["job_store": "\(endpoint)", "prefix": "\(config.jobStorePrefix)", "model_digest": "\(digest)",
                                                "queue_stream": "\(redis.streams.joined(separator: ","))"])
            store = redis
        }

        var tokens: BearerTokens?
        if let path = config.authTokenFile {
            do {
                tokens = try BearerTokens(path: path)
            } catch {
                FileHandle.standardError.write(Data("diffwave: \(error.message)\n".utf8))
                throw ExitCode.failure
            }
            // The count only: tokens never reach the log.
            logger.info("bearer authentication on", metadata: ["tokens": "\(tokens!.count)", "open_metrics": "\(config.openMetrics)"])
        }
        let reloadSignal = tokens.map { tokens in
            ReloadSignal.install { [logger] in
                do throws(ConfigurationError) {
                    let count = try tokens.reload()
                    logger.info("SIGHUP: auth-token-file read again", metadata: ["tokens": "\(count)"])
                } catch {
                    logger.error("SIGHUP: the tokens in force stay", metadata: ["error": "\(error.message)"])
                }
            }
        }
        defer { reloadSignal?.cancel() }

        let service = VocoderService(configuration: config, engine: engine, logger: logger, store: store)
        let server = HTTPServer(host: config.host, port: UInt16(config.port), router: service.makeRouter(tokens: tokens),
                                limits: config.http, logger: logger)
        service.start()
        do {
            try server.start()
        } catch {
            FileHandle.standardError.write(Data("diffwave: cannot listen on \(config.host):\(config.port): \(error)\n".utf8))
            throw ExitCode.failure
        }
        logger.info("listening", metadata: ["address": "\(config.host):\(server.port)", "workers": "\(config.workers)",
                                            "threads_per_job": "\(config.threadsPerJob)", "queue": "\(config.queueCapacity)",
                                            "precision": "\(config.precision.rawValue)"])

        // The main thread sleeps until SIGTERM or SIGINT, then drains: connections and workers
        // run on threads of their own.
        let signal = ShutdownSignal.wait()
        logger.info("draining", metadata: ["signal": "\(signal)", "deadline_s": "\(config.drainTimeout)"])
        server.stopAccepting()
        service.drain()
        server.shutdown(gracePeriod: .seconds(5))
        logger.info("stopped")
    }
}

/// SIGTERM and SIGINT, waited for instead of killing the process.
enum ShutdownSignal {
    /// Blocks until the first of the two arrives; returns its name.
    static func wait() -> String {
        let arrived = DispatchSemaphore(value: 0)
        let name = NSLock()
        nonisolated(unsafe) var first: String?
        var sources: [any DispatchSourceSignal] = []
        for (number, signalName) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                name.withLock { if first == nil { first = signalName } }
                arrived.signal()
            }
            source.resume()
            sources.append(source)
        }
        arrived.wait()
        sources.forEach { $0.cancel() }
        return name.withLock { first ?? "signal" }
    }
}
