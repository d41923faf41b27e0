import ArgumentParser
import DiffWave
import Foundation
import Logging
import VocoderServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the vocoder over HTTP.",
        discussion: """
            Every setting is a flag and a DIFFWAVE_* environment variable (the flag wins):

            \(ServerConfiguration.helpText)
            """)

    @Argument(parsing: .allUnrecognized, help: "Settings as --name value (see below).")
    var settings: [String] = []

    func run() async throws {
        let config: ServerConfiguration
        do {
            config = try ServerConfiguration.resolve(arguments: settings, environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("diffwave: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "diffwave")
        ComputeLibrary.useSingleThreadedBLAS()

        let engine: VocodingEngine
        do {
            if let path = config.model {
                engine = try VocodingEngine(model: DiffWave.load(contentsOf: URL(fileURLWithPath: path)), trained: true,
                                            memoryBudgetBytes: config.memoryBudgetMB << 20, bf16MemoryBudgetBytes: config.bf16MemoryBudgetMB << 20)
                logger.info("model loaded", metadata: ["path": "\(path)"])
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

        let service = VocoderService(configuration: config, engine: engine, logger: logger)
        let server = HTTPServer(host: config.host, port: UInt16(config.port), router: service.makeRouter(),
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

        let signal = await ShutdownSignal.next()
        logger.info("draining", metadata: ["signal": "\(signal)", "deadline_s": "\(config.drainTimeout)"])
        server.stopAccepting()
        await service.drain()
        await server.shutdown(gracePeriod: .seconds(5))
        logger.info("stopped")
    }
}

/// SIGTERM and SIGINT, delivered once as an async event instead of killing the process.
enum ShutdownSignal {
    static func next() async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let once = OnceBox(continuation)
            for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
                Foundation.signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { once.resume(name) }
                source.resume()
                once.keep(source)
            }
        }
    }

    /// Resumes the continuation once and keeps the signal sources alive meanwhile.
    private final class OnceBox: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<String, Never>?
        private var sources: [any DispatchSourceSignal] = []

        init(_ continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }

        func keep(_ source: any DispatchSourceSignal) { lock.withLock { sources.append(source) } }

        func resume(_ name: String) {
            let c = lock.withLock { () -> CheckedContinuation<String, Never>? in defer { continuation = nil }; return continuation }
            c?.resume(returning: name)
        }
    }
}
