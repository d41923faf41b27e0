import Synchronization

/// A one-shot signal that threads blocked in `poll` can wait on alongside their socket: a
/// local socket pair whose reading end becomes (and stays) readable once `fire()` is called.
/// Used to stop the accept loop and to tell idle connections that the server is draining.
final class WakeupSignal: Sendable {
    /// Poll this for `.readable`; never read from it.
    let socket: Socket
    private let writer: Socket
    private let fired = Atomic<Bool>(false)

    init() throws(SocketError) {
        (socket, writer) = try Socket.makePair()
    }

    var isFired: Bool { fired.load(ordering: .acquiring) }

    func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // One byte is enough: nobody reads it, so the reading end stays readable. If the send
        // fails the pair is broken, and a broken pair reports POLLHUP, which wakes pollers too.
        let byte: [UInt8] = [1]
        _ = byte.withUnsafeBytes { try? writer.send($0) }
    }
}
