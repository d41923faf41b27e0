import DiffWave
import HTTP

extension HTTPError {
    /// The one place engine errors get their HTTP meaning, by their case: unreadable input is
    /// 400, input over a limit 413, a well-formed but unusable one 422 (RFC 9110 §15.5.21),
    /// anything else a server fault. Each code has its problem type, which carries the status.
    init(_ error: DiffWaveError) {
        let type: ProblemType = switch error.code {
        case .array: .malformedArray
        case .pickle, .checkpoint: HTTPError.Code.malformed.problemType
        case .compression: .malformedCompression
        case .tooLarge: .inputTooLarge
        case .input: .unusableInput
        case .range: .melOutOfRange
        case .label: .label
        case .schedule: .schedule
        case .config, .weights: .modelConfiguration
        case .cancelled: .jobCancelled
        case .audio, .io: .engineFailure
        }
        self.init(type, error.message)
    }
}
