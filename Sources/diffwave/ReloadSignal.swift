import Dispatch
import Foundation

/// SIGHUP, the conventional "read your configuration again", handled instead of ending the
/// process (its default): `diffwave serve` reads its auth-token-file again.
enum ReloadSignal {
    /// Runs `reload` on a background queue at each SIGHUP until the returned source is cancelled.
    static func install(_ reload: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global(qos: .utility))
        source.setEventHandler(handler: reload)
        source.resume()
        return source
    }
}
