import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `redis-server` for tests: on a free port of 127.0.0.1, its files (the append-only
/// file among them) in a fresh temporary directory, stopped and removed when released.
/// `restart()` starts it again on the same port and directory, so it replays its AOF.
public final class RedisServerProcess: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Whether the machine has `redis-server` (`make test` installs it); tests that need one
    /// are `.enabled(if: RedisServerProcess.isInstalled)`.
    public static var isInstalled: Bool { executable("redis-server") != nil && executable("redis-cli") != nil }

    public let port: UInt16
    public let directory: URL
    private let extraArguments: [String]
    private let lock = NSLock()
    private var process: Process?

    /// `redis://127.0.0.1:<port>`.
    public var url: String { "redis://127.0.0.1:\(port)" }

    /// - Parameter start: false to only pick the port (a test that starts Redis later).
    public init(arguments: [String] = [], start: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        extraArguments = arguments
        port = try Self.freePort()
        if start { try self.start() }
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Starts the server (AOF on, fsync every write so a restart replays everything) and waits
    /// until it answers PING.
    public func start() throws {
        guard let server = Self.executable("redis-server") else { throw Failure(description: "redis-server is not installed") }
        let process = Process()
        process.executableURL = server
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path, "--save", "",
                             "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no",
                             "--logfile", directory.appendingPathComponent("redis.log").path] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(10)
        while (try? cli(["PING"])) != "PONG" {
            guard Date() < deadline, process.isRunning else {
                throw Failure(description: "redis-server on port \(port) did not start: \(log)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// SHUTDOWN, then waits for the exit (Redis flushes its AOF on the way out). Not SIGTERM:
    /// a child of the test runner inherits its blocked signals, and SIGTERM would never arrive.
    public func stop() {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        _ = try? cli(["SHUTDOWN"])
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning { kill() }
        process.waitUntilExit()
    }

    /// SIGKILL: what a crash leaves.
    public func kill() {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func restart() throws {
        stop()
        try start()
    }

    /// Runs `redis-cli` against this server; returns its output without the final newline.
    @discardableResult
    public func cli(_ arguments: [String]) throws -> String {
        guard let cli = Self.executable("redis-cli") else { throw Failure(description: "redis-cli is not installed") }
        let process = Process()
        process.executableURL = cli
        var authentication: [String] = []
        if let i = extraArguments.firstIndex(of: "--requirepass"), i + 1 < extraArguments.count {
            authentication = ["--no-auth-warning", "-a", extraArguments[i + 1]]
        }
        process.arguments = ["-h", "127.0.0.1", "-p", String(port)] + authentication + arguments
        // A file, not a pipe: a process started meanwhile on another thread (a redis-server,
        // a diffwave) can inherit a pipe's write end and keep its reader from seeing the end.
        let output = directory.appendingPathComponent("cli-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        var text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
    }

    /// A port nothing listens on now: bound to port 0, read back, closed.
    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw Failure(description: "bind: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    static func executable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"] {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }
}
