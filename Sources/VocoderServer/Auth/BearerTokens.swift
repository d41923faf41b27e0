import Foundation
import Synchronization

/// The tokens of `--auth-token-file` (one per line; blank lines and surrounding whitespace
/// ignored), checked against `Authorization: Bearer <token>` (RFC 6750 §2.1). The file is read
/// again when it changes — checked on each request by its identity and timestamp, so a
/// Kubernetes Secret mounted as a volume, which the kubelet swaps in place without a signal,
/// takes effect — and on `reload()` (SIGHUP). Tokens are never logged, and never in an error.
public final class BearerTokens: Sendable {
    public let path: String
    private let state: Mutex<State>

    private struct State {
        var tokens: [[UInt8]]
        var stamp: FileStamp?
    }

    /// What tells a changed file apart: device, inode, size and modification time (followed
    /// through symbolic links, as the Secret's files are).
    struct FileStamp: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            seconds = Int(info.st_mtim.tv_sec)
            nanoseconds = Int(info.st_mtim.tv_nsec)
        }
    }

    /// Reads the file; refuses one that cannot be read or holds no token.
    public init(path: String) throws(ConfigurationError) {
        self.path = path
        let stamp = FileStamp(path: path)
        let tokens = try Self.read(path)
        guard !tokens.isEmpty else { throw ConfigurationError("auth-token-file \(path) holds no token") }
        state = Mutex(State(tokens: tokens, stamp: stamp))
    }

    /// How many tokens are in force.
    public var count: Int { state.withLock { $0.tokens.count } }

    /// Reads the file again now (SIGHUP). On a failure the tokens in force stay, and the
    /// error says why. An emptied file leaves no token: every request is refused.
    @discardableResult
    public func reload() throws(ConfigurationError) -> Int {
        let stamp = FileStamp(path: path)
        let tokens = try Self.read(path)
        state.withLock { $0 = State(tokens: tokens, stamp: stamp) }
        return tokens.count
    }

    /// Whether the `Authorization` field value carries one of the tokens. Reads the file again
    /// first when it changed since it was last read.
    public func accepts(authorization: String?) -> Bool {
        refreshIfChanged()
        guard let presented = Self.bearerToken(authorization) else { return false }
        let tokens = state.withLock { $0.tokens }
        // Every token is compared, each in time that depends only on the lengths: neither
        // which token matched nor how much of one did shows in the response time.
        var matched = false
        for token in tokens {
            matched = Self.constantTimeEqual(Array(presented.utf8), token) || matched
        }
        return matched
    }

    private func refreshIfChanged() {
        let now = FileStamp(path: path)
        guard now != state.withLock({ $0.stamp }), now != nil else { return }
        _ = try? reload()
    }

    /// RFC 6750 §2.1 — `Bearer 1*SP b64token`; the scheme is case-insensitive (RFC 9110 §11.1).
    static func bearerToken(_ value: String?) -> String? {
        guard let value else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Equal bytes, compared in time that depends on the lengths only, never on where they differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt64(a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= UInt64(x ^ y)
        }
        return difference == 0
    }

    private static func read(_ path: String) throws(ConfigurationError) -> [[UInt8]] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read auth-token-file \(path): \(error.localizedDescription)")
        }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .map { Array($0.utf8) }
    }
}
