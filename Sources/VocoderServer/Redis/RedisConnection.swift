import CHiredis
import Foundation

/// One synchronous connection to Redis: the only code that calls hiredis. Each call turns its
/// return code into a `RedisError` naming the function; the context is freed in `deinit`.
///
/// Not for concurrent use: one thread at a time holds it (`RedisConnectionPool` hands it out
/// exclusively; a blocking reader owns its own).
public final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>
    /// The socket timeout of ordinary commands.
    public let commandTimeout: Duration
    /// Set once an I/O error has left the connection unusable: hiredis cannot resynchronise it.
    public private(set) var isBroken = false

    /// Connects, authenticates (`AUTH`, with the ACL user when the endpoint names one) and
    /// selects the endpoint's database.
    public init(_ endpoint: RedisEndpoint, connectTimeout: Duration, commandTimeout: Duration) throws(RedisError) {
        guard let context = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), Self.timeval(connectTimeout)) else {
            throw RedisError(.unreachable, "redisConnectWithTimeout \(endpoint): out of memory")
        }
        if context.pointee.err != 0 {
            let reason = String(cString: chiredis_errstr(context))
            redisFree(context)
            throw RedisError(.unreachable, "redisConnectWithTimeout \(endpoint): \(reason)")
        }
        self.context = context
        self.commandTimeout = commandTimeout
        try setTimeout(commandTimeout)
        do throws(RedisError) {
            if let password = endpoint.password {
                _ = try command(endpoint.user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            }
            if endpoint.database != 0 { _ = try command(["SELECT", String(endpoint.database)]) }
        } catch {
            // A refused password is a reason not to connect, not a lost connection; the
            // message is Redis's own (it never echoes the password).
            throw RedisError(.unreachable, "\(endpoint): \(error.message)")
        }
    }

    deinit {
        redisFree(context)
    }

    /// Sets the socket timeout of the commands that follow (a blocking read waits longer).
    public func setTimeout(_ timeout: Duration) throws(RedisError) {
        if redisSetTimeout(context, Self.timeval(timeout)) != REDIS_OK {
            isBroken = true
            throw RedisError(.connectionLost, "redisSetTimeout: \(String(cString: chiredis_errstr(context)))")
        }
    }

    /// Sends one command (binary-safe arguments) and returns its reply. An error reply throws
    /// `.serverError` and leaves the connection usable; an I/O error or timeout throws
    /// `.connectionLost` and breaks it.
    public func command(_ arguments: [Data]) throws(RedisError) -> RedisReply {
        let name = arguments.first.map { String(decoding: $0.prefix(16), as: UTF8.self) } ?? ""
        guard !isBroken else { throw RedisError(.connectionLost, "redisCommandArgv \(name): the connection was lost earlier") }
        let raw: UnsafeMutableRawPointer? = Self.withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let raw else {
            isBroken = true
            throw RedisError(.connectionLost, "redisCommandArgv \(name): \(String(cString: chiredis_errstr(context)))")
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return try Self.decode(reply, command: name)
    }

    public func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        try command(arguments.map { Data($0.utf8) })
    }

    /// Copies a reply tree out of hiredis's memory; the first error reply found throws.
    private static func decode(_ reply: UnsafeMutablePointer<redisReply>, command: String) throws(RedisError) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .string(r.str.map { Data(bytes: $0, count: r.len) } ?? Data())
        case REDIS_REPLY_STATUS:
            return .status(r.str.map { String(decoding: Data(bytes: $0, count: r.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(Int(r.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(r.elements)
            for i in 0..<r.elements {
                guard let element = r.element[i] else { elements.append(.null); continue }
                elements.append(try decode(element, command: command))
            }
            return .array(elements)
        case REDIS_REPLY_ERROR:
            let text = r.str.map { String(decoding: Data(bytes: $0, count: r.len), as: UTF8.self) } ?? "error"
            throw RedisError(.serverError, "\(command): \(text)")
        default:
            throw RedisError(.unexpectedReply, "\(command): reply of unknown type \(r.type)")
        }
    }

    /// Lays the arguments out as hiredis's `argv` / `argvlen` for the duration of `body`.
    private static func withArgv<R>(_ arguments: [Data], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        // One contiguous copy of all arguments; argv points into it.
        var offsets: [Int] = []
        var joined = Data(capacity: arguments.reduce(0) { $0 + $1.count } + 1)
        for argument in arguments {
            offsets.append(joined.count)
            joined.append(argument)
        }
        joined.append(0)
        let lengths = arguments.map(\.count)
        return joined.withUnsafeBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = offsets.map { UnsafePointer(base + $0) }
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }

    static func timeval(_ d: Duration) -> timeval {
        let (seconds, atto) = d.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(atto / 1_000_000_000_000))
    }
}
