/// How a synchronous request's wait for its job ended.
public enum JobWaitOutcome: Sendable, Equatable {
    case finished, timedOut, clientGone
}
