import Foundation

extension HTTPResponse {
    /// The error response for `error`: its status, its extra fields (e.g. `Allow`,
    /// `Retry-After`) and an RFC 9457 `application/problem+json` body.
    public init(problem error: HTTPError) {
        self.init(status: error.status, contentType: ProblemDetails.mediaType,
                  body: ProblemDetails(error).jsonData(), headers: error.headers)
    }
}
