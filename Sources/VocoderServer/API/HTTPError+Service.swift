import HTTP

extension HTTPError {
    /// The one place service errors get their HTTP status, by their case. 503s carry
    /// `Retry-After` (`retryAfter`, whole seconds).
    init(_ error: ServiceError, retryAfter: String) {
        let message = error.description
        switch error {
        // A sync wait that ran out is 503, not 504 (this server is no gateway): the job could
        // not be done in the time the server gives a synchronous request, which the queue's
        // load usually explains; Retry-After says when to try again.
        case .queueFull, .shuttingDown, .cancelledByShutdown, .syncTimedOut, .storeUnavailable:
            self.init(.unavailable, message, headers: ["Retry-After": retryAfter])
        // Never sent (no one reads it); the request's log line says why it ended, as nginx's 499 does.
        case .clientGone: self.init(.clientClosedRequest, message)
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
