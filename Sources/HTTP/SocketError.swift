#if canImport(Glibc)
import Glibc
#endif

/// A failed socket system call: the function's name and its `errno`.
public struct SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The C function that failed, e.g. `"bind"`.
    public let function: String
    public let errno: Int32

    public init(_ function: String, errno: Int32) {
        self.function = function
        self.errno = errno
    }

    public var description: String {
        "\(function) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
