import ArgumentParser
import Foundation
import HTTP

/// For container HEALTHCHECKs in images without curl: GET a URL on this host, exit 0 on 2xx.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 when the service answers 2xx at --url (for container health checks).")

    @Option(help: "The URL to probe (plain http to this machine).")
    var url = "http://127.0.0.1:8080/healthz"

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 3

    func run() throws {
        guard let target = URL(string: url), target.scheme == "http", let host = target.host else {
            throw ValidationError("--url must be an http:// URL")
        }
        let status = try HTTPProbe.get(host: host, port: target.port ?? 80, path: target.path.isEmpty ? "/" : target.path, timeout: timeout)
        guard (200..<300).contains(status) else {
            FileHandle.standardError.write(Data("diffwave: \(url) answered \(status)\n".utf8))
            throw ExitCode.failure
        }
    }
}
