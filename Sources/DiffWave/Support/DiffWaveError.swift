/// Every failure the engine reports: a domain code plus a one-line message.
/// The HTTP layer maps codes to statuses in one place; the CLI prints `message`.
public struct DiffWaveError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        /// The checkpoint archive or its serialization is unreadable.
        case checkpoint
        /// The pickle stream is malformed or names a forbidden global.
        case pickle
        /// A tensor is missing, unexpected or mis-shaped for the config.
        case weights
        /// Hyper-parameters are unusable (e.g. hop_samples other than 256).
        case config
        /// A noise schedule has a step with no matching training step.
        case schedule
        /// A `.npy` / `.npz` input is malformed or has the wrong contents.
        case array
        /// A compressed input (gzip) is corrupt or truncated.
        case compression
        /// An input is larger than a configured limit (`limit` says which size).
        case tooLarge
        /// A mel or noise input does not fit the model (shape, values).
        case input
        /// A mel's values lie outside the range the model was trained on (`MelRange`): made
        /// with another normalisation.
        case range
        /// A class label is missing, unwanted, out of range or unknown for the model.
        case label
        /// libsndfile refused to encode or decode.
        case audio
        /// A file could not be read or written.
        case io
        /// The caller cancelled the work.
        case cancelled
    }

    public let code: Code
    public let message: String
    /// For `.tooLarge`: the limit the input went over, in the unit the message names.
    public let limit: Int?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.limit = nil
    }

    /// An input over `limit`.
    public static func tooLarge(_ message: String, limit: Int) -> DiffWaveError {
        DiffWaveError(code: .tooLarge, message: message, limit: limit)
    }

    private init(code: Code, message: String, limit: Int?) {
        self.code = code
        self.message = message
        self.limit = limit
    }

    public var description: String { message }
}
