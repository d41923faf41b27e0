import DiffWave
import HTTP

extension HTTPError {
    /// The one place engine errors get their HTTP meaning, by their case: unreadable input is
    /// 400, input over a limit 413, a well-formed but unusable one 422 (RFC 9110 §15.5.21),
    /// anything else a server fault.
    init(_ error: DiffWaveError) {
        switch error.code {
        case .array, .pickle, .checkpoint, .compression: self.init(.malformed, error.message)
        case .tooLarge: self.init(.contentTooLarge, error.message)
        case .input, .label, .schedule, .config, .weights: self.init(.unprocessable, error.message)
        case .cancelled: self.init(.conflict, error.message)
        case .audio, .io: self.init(.internal, error.message)
        }
    }
}
