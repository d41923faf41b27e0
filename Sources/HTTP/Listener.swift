import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket and the thread that accepts from it. Each accepted connection is
/// handed to `onAccept` on the accept thread, which must return quickly (start a thread).
final class Listener: Sendable {
    /// The bound port: the requested one, or the kernel's choice when 0 was requested.
    let port: UInt16
    private let socket: Socket
    private let stopSignal: WakeupSignal
    private let stopped = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    /// `socket`, `setsockopt(SO_REUSEADDR)`, `bind` and `listen`.
    init(host: String, port: UInt16, backlog: Int32 = 511) throws(SocketError) {
        let address = try SocketAddress(host: host, port: port)
        socket = try Socket.makeTCP(family: address.family)
        try socket.setReuseAddress()
        try socket.bind(to: address)
        try socket.listen(backlog: backlog)
        self.port = try socket.localAddress().port
        stopSignal = try WakeupSignal()
    }

    /// Starts the accept thread. `onError` hears about accept failures that are not the
    /// client's doing (e.g. out of descriptors); the loop backs off briefly and continues.
    func start(onAccept: @escaping @Sendable (Socket) -> Void, onError: @escaping @Sendable (SocketError) -> Void) {
        precondition(!started.exchange(true, ordering: .relaxed), "listener started twice")
        let thread = Thread { [self] in
            acceptLoop(onAccept: onAccept, onError: onError)
            stopped.signal()
        }
        thread.name = "http-accept-\(port)"
        thread.start()
    }

    /// Stops accepting and waits for the accept thread to finish; idempotent. The socket is
    /// also shut down so that new connection attempts are refused right away rather than
    /// when the last reference to the listener goes.
    func stop() {
        stopSignal.fire()
        if started.load(ordering: .relaxed) {
            stopped.wait()
            stopped.signal()  // let a second stop() through
        }
        try? socket.shutdown(.read)  // Linux: takes the socket out of LISTEN
    }

    private func acceptLoop(onAccept: @Sendable (Socket) -> Void, onError: @Sendable (SocketError) -> Void) {
        while !stopSignal.isFired {
            do throws(SocketError) {
                let ready = try Socket.poll([(socket, .readable), (stopSignal.socket, .readable)], timeout: nil)
                if !ready[1].isEmpty { return }
                while let client = try socket.accept() {
                    onAccept(client)
                }
            } catch {
                switch error.errno {
                // The client gave up between SYN and accept, or a protocol error on its side.
                case ECONNABORTED, EPROTO, EPERM:
                    continue
                default:
                    // EMFILE, ENFILE, ENOBUFS, ENOMEM: back off instead of spinning; pending
                    // clients wait in the backlog.
                    onError(error)
                    _ = try? Socket.poll([(stopSignal.socket, .readable)], timeout: .milliseconds(100))
                }
            }
        }
    }
}
