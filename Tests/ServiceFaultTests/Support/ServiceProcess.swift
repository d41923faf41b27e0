import Foundation
import TestSupport

/// A `diffwave serve` process launched from the products directory `swift test` built, on an
/// ephemeral port of 127.0.0.1 (parsed from its "listening" log line, text or JSON),
/// serving the tiny conditional test checkpoint unless told otherwise.
final class ServiceProcess: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let process: Process
    private let output = OutputBuffer()
    let port: UInt16

    var pid: Int32 { process.processIdentifier }

    /// Starts the server with `arguments` added to `--model tiny.pt --host 127.0.0.1 --port 0`.
    init(_ arguments: [String] = [], model: String = "tiny.pt") throws {
        let process = Process()
        process.executableURL = TestPaths.diffwave
        process.arguments = ["serve", "--model", TestPaths.fixture(model),
                             "--host", "127.0.0.1", "--port", "0"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        self.process = process
        let output = self.output
        let reader = pipe.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                output.append(data)
            }
            output.close()
        }
        // Wait for the listening line.
        let deadline = Date().addingTimeInterval(30)
        var found: UInt16?
        while found == nil, Date() < deadline, process.isRunning {
            let text = output.text
            // The text line's `address=HOST:PORT`, or the JSON line's `"address":"HOST:PORT"`.
            if let range = text.range(of: #"address(=|":")127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                found = UInt16(text[range].split(separator: ":").last!)
            } else {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            throw Failure(description: "server did not start: \(output.text)")
        }
        port = found
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var log: String { output.text }
    var isRunning: Bool { process.isRunning }

    /// Sends SIGTERM and waits up to `timeout` for the exit; returns the exit status.
    func terminate(timeout: TimeInterval = 30) throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return try waitForExit(timeout: timeout)
    }

    func waitForExit(timeout: TimeInterval) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw Failure(description: "server did not exit within \(timeout) s")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        // The reader thread may still hold the last lines; the log is whole once it reaches EOF.
        let whole = Date().addingTimeInterval(5)
        while !output.isClosed, Date() < whole { Thread.sleep(forTimeInterval: 0.01) }
        return process.terminationStatus
    }

    /// Whether a line matching `pattern` (a regular expression) reaches the log within `timeout`:
    /// another process's line about an event this test saw through Redis may still be on its way.
    func logs(_ pattern: String, within timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if log.range(of: pattern, options: .regularExpression) != nil { return true }
            guard Date() < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// A field of /proc/<pid>/status in KiB: VmRSS (now) or VmHWM (peak).
    func memoryKiB(_ field: String = "VmRSS") -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1])
        }
        return nil
    }

    func client() throws -> TestClient { try TestClient(port: port) }
}

/// The server's stdout and stderr as they arrive.
final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    private var closed = false

    func append(_ data: Data) { lock.withLock { bytes.append(data) } }
    func close() { lock.withLock { closed = true } }
    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    var isClosed: Bool { lock.withLock { closed } }
}
