import HTTP

extension HTTPError {
    /// The one place service errors get their problem type, and so their HTTP status, by their
    /// case. 503s carry `Retry-After` (`retryAfter`, whole seconds).
    init(_ error: ServiceError, retryAfter: String) {
        let message = error.description
        switch error {
        case .queueFull: self.init(.queueFull, message, headers: ["Retry-After": retryAfter])
        case .shuttingDown: self.init(.shuttingDown, message, headers: ["Retry-After": retryAfter])
        case .cancelledByShutdown: self.init(.cancelledByShutdown, message, headers: ["Retry-After": retryAfter])
        case .jobNotFound: self.init(.jobNotFound, message)
        case .notFinished: self.init(.jobNotFinished, message)
        case .noAudio: self.init(.jobHasNoAudio, message)
        case .audioGone: self.init(.audioExpired, message)
        case .jobFailed: self.init(.jobFailed, message)
        // A sync wait that ran out is 503, not 504 (this server is no gateway): the job could
        // not be done in the time the server gives a synchronous request, which the queue's
        // load usually explains; Retry-After says when to try again.
        case .syncTimedOut: self.init(.syncTimedOut, message, headers: ["Retry-After": retryAfter])
        case .storeUnavailable: self.init(.storeUnavailable, message, headers: ["Retry-After": retryAfter])
        // Never sent (no one reads it); the request's log line says why it ended, as nginx's 499 does.
        case .clientGone: self.init(.clientClosedRequest, message)
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
