import HTTP

extension HTTPError {
    /// The one place service errors get their HTTP status, by their case. 503s carry
    /// `Retry-After` (`retryAfter`, whole seconds).
    init(_ error: ServiceError, retryAfter: String) {
        let message = error.description
        switch error {
        case .queueFull, .shuttingDown, .cancelledByShutdown, .storeUnavailable:
            self.init(.unavailable, message, headers: ["Retry-After": retryAfter])
        case .jobNotFound: self.init(.notFound, message)
        case .notFinished, .noAudio: self.init(.conflict, message)
        case .audioGone: self.init(.gone, message)
        case .jobFailed: self.init(.internal, message)
        }
    }
}

extension VocoderService {
    /// Runs a service operation for a route, giving its errors their HTTP meaning.
    func answering<T>(_ operation: () throws(ServiceError) -> T) throws(HTTPError) -> T {
        do {
            return try operation()
        } catch {
            throw HTTPError(error, retryAfter: retryAfterValue)
        }
    }
}
