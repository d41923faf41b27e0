import Foundation

/// Where the shared job store is: `redis://[user:password@]host:port[/db]`. Its description
/// never shows the password, so the endpoint can be logged and put in errors as it is.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    public var user: String?
    public var password: String?

    public init(host: String, port: Int = 6379, database: Int = 0, user: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
    }

    /// Parses a `redis://` URL. Errors never quote the URL: it may hold the password.
    public init(url text: String) throws(ConfigurationError) {
        // hiredis 0.14 has no TLS: rediss:// is refused here rather than sent in the clear.
        guard text.hasPrefix("redis://") else {
            throw ConfigurationError("takes memory or redis://[user:password@]host:port[/db] (no TLS: see deploy/README.md)")
        }
        var rest = Substring(text.dropFirst("redis://".count))
        var user: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let name = String(credentials[..<colon])
                user = name.isEmpty ? nil : name.removingPercentEncoding ?? name
                let secret = String(credentials[credentials.index(after: colon)...])
                password = secret.removingPercentEncoding ?? secret
            } else {
                // redis://password@host, as redis-cli -u reads a lone credential.
                password = credentials.removingPercentEncoding ?? String(credentials)
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty {
                guard let value = Int(db), value >= 0 else { throw ConfigurationError("has a database that is not a number (redis://host:port/<db>)") }
                database = value
            }
            rest = rest[..<slash]
        }
        var host = String(rest), port = 6379
        if let colon = rest.lastIndex(of: ":") {
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else {
                throw ConfigurationError("has a port that is not in 1...65535")
            }
            port = value
            host = String(rest[..<colon])
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigurationError("has no host (redis://host:port)") }
        self.init(host: host, port: port, database: database, user: user, password: password)
    }

    /// The URL with the password masked.
    public var description: String {
        let credentials = password == nil ? (user.map { "\($0)@" } ?? "") : "\(user ?? ""):***@"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "redis://\(credentials)\(shownHost):\(port)/\(database)"
    }
}
