#if canImport(Glibc)
import Glibc
#endif

/// The one wrapper of the BSD socket system calls. Each call below turns its return code into
/// a `SocketError` naming the function; `EINTR` is retried. Sockets are created non-blocking
/// and close-on-exec; the descriptor is closed in `deinit`, so a socket lives exactly as long
/// as its last reference. The type is immutable and safe to share: one thread may `shutdown`
/// a socket another thread is polling, which is how blocked connections are woken.
final class Socket: Sendable {
    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        // man 2 close: the descriptor is released even when close reports an error, and
        // retrying could close a descriptor reused by another thread; so there is nothing to do.
        _ = Glibc.close(descriptor)
    }

    struct PollEvents: OptionSet, Sendable {
        let rawValue: Int16
        static let readable = PollEvents(rawValue: Int16(POLLIN))
        static let writable = PollEvents(rawValue: Int16(POLLOUT))
        /// The peer closed its sending side (Linux POLLRDHUP): it will send nothing more.
        /// (Glibc exports POLLRDHUP only under _GNU_SOURCE; its value is fixed by the kernel ABI.)
        static let peerClosed = PollEvents(rawValue: 0x2000)
        /// Reported, never requested: error, hang-up or invalid descriptor.
        static let failed = PollEvents(rawValue: Int16(POLLERR | POLLHUP | POLLNVAL))
    }

    enum Direction: Sendable {
        case read, write, both

        fileprivate var how: Int32 {
            switch self {
            case .read: Int32(SHUT_RD)
            case .write: Int32(SHUT_WR)
            case .both: Int32(SHUT_RDWR)
            }
        }
    }

    enum ReceiveResult: Equatable, Sendable {
        case bytes(Int)
        case endOfStream
        case wouldBlock
    }

    private static let socketFlags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// `socket(2)`: a non-blocking TCP socket for `family` (AF_INET or AF_INET6).
    static func makeTCP(family: Int32) throws(SocketError) -> Socket {
        let descriptor = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | socketFlags, 0)
        guard descriptor >= 0 else { throw SocketError("socket", errno: errno) }
        return Socket(descriptor: descriptor)
    }

    /// `socketpair(2)`: two connected, non-blocking local stream sockets.
    static func makePair() throws(SocketError) -> (Socket, Socket) {
        var descriptors: [Int32] = [-1, -1]
        guard Glibc.socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | socketFlags, 0, &descriptors) == 0 else {
            throw SocketError("socketpair", errno: errno)
        }
        return (Socket(descriptor: descriptors[0]), Socket(descriptor: descriptors[1]))
    }

    /// `setsockopt(2)` with an integer value.
    func setOption(level: Int32, name: Int32, value: Int32) throws(SocketError) {
        var value = value
        guard Glibc.setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError("setsockopt", errno: errno)
        }
    }

    /// `getsockopt(2)` for an integer value.
    func option(level: Int32, name: Int32) throws(SocketError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard Glibc.getsockopt(descriptor, level, name, &value, &length) == 0 else {
            throw SocketError("getsockopt", errno: errno)
        }
        return value
    }

    /// SO_REUSEADDR: rebind a port whose previous connections are still in TIME_WAIT.
    func setReuseAddress() throws(SocketError) {
        try setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
    }

    /// TCP_NODELAY: send small responses at once instead of waiting to coalesce them (Nagle).
    func setNoDelay() throws(SocketError) {
        try setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
    }

    /// `bind(2)`.
    func bind(to address: SocketAddress) throws(SocketError) {
        let result = address.withSockaddr { Glibc.bind(descriptor, $0, $1) }
        guard result == 0 else { throw SocketError("bind", errno: errno) }
    }

    /// `listen(2)`.
    func listen(backlog: Int32) throws(SocketError) {
        guard Glibc.listen(descriptor, backlog) == 0 else { throw SocketError("listen", errno: errno) }
    }

    /// `getsockname(2)`: the bound address (with the kernel-chosen port after binding port 0).
    func localAddress() throws(SocketError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { throw SocketError("getsockname", errno: errno) }
        return SocketAddress(storage: storage)
    }

    /// `accept(2)`: the next pending connection, made non-blocking and close-on-exec like
    /// every socket here (Glibc does not export accept4), or nil when none is pending.
    func accept() throws(SocketError) -> Socket? {
        while true {
            let client = Glibc.accept(descriptor, nil, nil)
            if client >= 0 {
                let socket = Socket(descriptor: client)
                try socket.setNonBlockingAndCloseOnExec()
                return socket
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            case let code: throw SocketError("accept", errno: code)
            }
        }
    }

    /// `fcntl(2)`: O_NONBLOCK on the file status flags, FD_CLOEXEC on the descriptor flags.
    private func setNonBlockingAndCloseOnExec() throws(SocketError) {
        let statusFlags = Glibc.fcntl(descriptor, F_GETFL)
        guard statusFlags >= 0, Glibc.fcntl(descriptor, F_SETFL, statusFlags | O_NONBLOCK) == 0 else {
            throw SocketError("fcntl", errno: errno)
        }
        let descriptorFlags = Glibc.fcntl(descriptor, F_GETFD)
        guard descriptorFlags >= 0, Glibc.fcntl(descriptor, F_SETFD, descriptorFlags | FD_CLOEXEC) == 0 else {
            throw SocketError("fcntl", errno: errno)
        }
    }

    /// `connect(2)`; on a non-blocking socket the connection may complete later (EINPROGRESS):
    /// returns false then, and the caller waits for writability and checks `SO_ERROR`.
    func connect(to address: SocketAddress) throws(SocketError) -> Bool {
        while true {
            let result = address.withSockaddr { Glibc.connect(descriptor, $0, $1) }
            if result == 0 { return true }
            switch errno {
            case EINTR: continue
            case EINPROGRESS: return false
            case let code: throw SocketError("connect", errno: code)
            }
        }
    }

    /// `recv(2)` into `buffer`.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> ReceiveResult {
        while true {
            let count = Glibc.recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .endOfStream }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: throw SocketError("recv", errno: code)
            }
        }
    }

    /// `send(2)` with MSG_NOSIGNAL (a closed peer is an EPIPE error, not a SIGPIPE that kills
    /// the process). Returns how many bytes were taken, 0 when the send buffer is full.
    func send(_ bytes: UnsafeRawBufferPointer) throws(SocketError) -> Int {
        while true {
            let count = Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            case let code: throw SocketError("send", errno: code)
            }
        }
    }

    /// `shutdown(2)`. A socket that is no longer connected (ENOTCONN) is already shut down.
    func shutdown(_ direction: Direction) throws(SocketError) {
        guard Glibc.shutdown(descriptor, direction.how) == 0 || errno == ENOTCONN else {
            throw SocketError("shutdown", errno: errno)
        }
    }

    /// `poll(2)`: waits until one of the sockets is ready for its requested events, or the
    /// timeout passes (`nil` waits indefinitely). Returns the events reported per socket, all
    /// empty on timeout.
    static func poll(_ requests: [(Socket, PollEvents)], timeout: Duration?) throws(SocketError) -> [PollEvents] {
        var descriptors = requests.map { pollfd(fd: $0.0.descriptor, events: $0.1.rawValue, revents: 0) }
        let milliseconds: Int32
        if let timeout {
            // Round up so that a deadline is never reported before it has passed.
            let (seconds, attoseconds) = timeout.components
            let total = max(0, seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
            milliseconds = Int32(clamping: total)
        } else {
            milliseconds = -1
        }
        while true {
            let result = Glibc.poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            if result >= 0 { return descriptors.map { PollEvents(rawValue: $0.revents) } }
            guard errno == EINTR else { throw SocketError("poll", errno: errno) }
        }
    }
}
