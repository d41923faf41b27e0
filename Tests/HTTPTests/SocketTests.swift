import Foundation
import Testing
@testable import HTTP

@Suite struct SocketTests {
    @Test func errorsNameTheFunctionAndErrno() throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let error = #expect(throws: SocketError.self) { _ = try Listener(host: "127.0.0.1", port: listener.port) }
        #expect(error?.function == "bind")
        #expect(error?.errno == EADDRINUSE)
        #expect(error?.description.hasPrefix("bind failed: ") == true)
    }

    @Test func nonNumericHostIsRejected() {
        let error = #expect(throws: SocketError.self) { _ = try SocketAddress(host: "example.com", port: 80) }
        #expect(error?.function == "inet_pton")
    }

    @Test func addressesRoundTripTheirPort() throws {
        #expect(try SocketAddress(host: "127.0.0.1", port: 8080).port == 8080)
        #expect(try SocketAddress(host: "::1", port: 443).port == 443)
        #expect(try SocketAddress(host: "localhost", port: 1).family == AF_INET)
    }

    /// The parsed address lands in the family's own field: `inet_ntop` of it gives the host back.
    @Test(arguments: ["127.0.0.1", "10.1.2.3", "::1", "fe80::1:2"])
    func addressesRoundTripTheirHost(_ host: String) throws {
        let address = try SocketAddress(host: host, port: 80)
        let text = address.withSockaddr { pointer, _ -> String in
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let raw = UnsafeRawPointer(pointer)
            let bytes = address.family == AF_INET6
                ? raw.advanced(by: MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!)
                : raw.advanced(by: MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!)
            return inet_ntop(address.family, bytes, &buffer, socklen_t(buffer.count)).map { String(cString: $0) } ?? ""
        }
        #expect(text == host)
        #expect(address.family == (host.contains(":") ? AF_INET6 : AF_INET))
    }

    @Test func pairCarriesBytesAndReportsEndOfStream() throws {
        let (a, b) = try Socket.makePair()
        #expect(try a.sendAll(Data("ping".utf8), timeout: .seconds(1)))
        var buffer = [UInt8](repeating: 0, count: 16)
        let outcome = try buffer.withUnsafeMutableBytes { try b.receive(into: $0, deadline: .now + .seconds(1)) }
        #expect(outcome == .bytes(4))
        #expect(Array(buffer[0..<4]) == Array("ping".utf8))
        let timedOut = try buffer.withUnsafeMutableBytes { try b.receive(into: $0, deadline: .now + .milliseconds(20)) }
        #expect(timedOut == .timedOut)
        try a.shutdown(.write)
        let ended = try buffer.withUnsafeMutableBytes { try b.receive(into: $0, deadline: .now + .seconds(1)) }
        #expect(ended == .endOfStream)
    }

    @Test func wakeupSignalWakesAPoller() throws {
        let signal = try WakeupSignal()
        let (a, peer) = try Socket.makePair()
        defer { _ = peer }
        var buffer = [UInt8](repeating: 0, count: 4)
        signal.fire()
        signal.fire()  // idempotent
        #expect(signal.isFired)
        let outcome = try buffer.withUnsafeMutableBytes { try a.receive(into: $0, deadline: .now + .seconds(5), wakeup: signal.socket) }
        #expect(outcome == .wokenUp)
    }
}
