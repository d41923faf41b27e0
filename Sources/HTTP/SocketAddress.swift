#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 socket address built from a numeric host (`127.0.0.1`, `0.0.0.0`, `::1`,
/// `::`) or `localhost`, and a port. Host names are not resolved: a server binds addresses.
struct SocketAddress: Sendable {
    private var storage = sockaddr_storage()

    var family: Int32 { Int32(storage.ss_family) }

    var length: socklen_t {
        socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
    }

    /// - Throws: `SocketError("inet_pton", EINVAL)` when `host` is not a numeric address.
    init(host: String, port: UInt16) throws(SocketError) {
        let numeric = host == "localhost" ? "127.0.0.1" : host
        if numeric.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            try Self.parse(numeric, family: AF_INET6, into: &address.sin6_addr)
            store(address)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            try Self.parse(numeric, family: AF_INET, into: &address.sin_addr)
            store(address)
        }
    }

    /// `inet_pton` of `text` into an `in_addr` or `in6_addr`.
    private static func parse<Address>(_ text: String, family: Int32, into address: inout Address) throws(SocketError) {
        guard inet_pton(family, text, &address) == 1 else { throw SocketError("inet_pton", errno: EINVAL) }
    }

    /// Copies a `sockaddr_in` or `sockaddr_in6` into the storage.
    private mutating func store<Address>(_ address: Address) {
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
        }
    }

    /// Wraps an address the kernel filled in (getsockname).
    init(storage: sockaddr_storage) {
        self.storage = storage
    }

    var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET6 {
                UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            } else {
                UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            }
        }
    }

    /// Calls `body` with the address as the `sockaddr` pointer and length the C API takes.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}
