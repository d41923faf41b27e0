import HTTP

extension VocoderService {
    /// The router over `APIRoute.allCases`; each answer is counted by route pattern and status.
    /// With `tokens`, every route that is not open (`APIRoute.isOpen`) first needs a bearer token.
    public func makeRouter(tokens: BearerTokens? = nil) -> Router {
        var router = Router()
        let vocode = VocodeRoute(service: self), mel = MelRoute(service: self), jobs = JobRoutes(service: self)
        let health = HealthRoutes(service: self), problems = ProblemRoutes()
        for route in APIRoute.allCases {
            let handle: Router.Handler = switch route {
            case .vocode: { request, _ throws(HTTPError) in try vocode.vocode(request) }
            case .mel: { request, _ throws(HTTPError) in try mel.mel(request) }
            case .generate: { request, _ throws(HTTPError) in try vocode.generate(request) }
            case .jobStatus: { _, p throws(HTTPError) in try jobs.status(p) }
            case .jobAudio: { _, p throws(HTTPError) in try jobs.audio(p) }
            case .jobCancel: { request, p throws(HTTPError) in try jobs.cancel(p, requestID: request.requestID) }
            case .healthz: { _, _ in health.healthz() }
            case .readyz: { _, _ throws(HTTPError) in try health.readyz() }
            case .model: { _, _ in health.model() }
            case .metrics: { _, _ in health.metrics() }
            case .openAPI: { _, _ in health.openAPI() }
            case .problem: { _, p throws(HTTPError) in try problems.page(p) }
            }
            router.add(route.method, route.pattern) { [self] (request, parameters) throws(HTTPError) -> HTTPResponse in
                do throws(HTTPError) {
                    if let tokens, !route.isOpen(openMetrics: configuration.openMetrics) {
                        try Self.authenticate(request, tokens)
                    }
                    let response = try handle(request, parameters)
                    recordRequest(route: route.pattern, method: route.method.rawValue, status: response.status.code)
                    return response
                } catch {
                    recordRequest(route: route.pattern, method: route.method.rawValue, status: error.status.code)
                    throw error
                }
            }
        }
        return router
    }

    /// RFC 6750 §3 — a request without a usable token is 401 with `WWW-Authenticate: Bearer`;
    /// one that presented a token the server does not hold gets `error="invalid_token"`.
    static func authenticate(_ request: HTTPRequest, _ tokens: BearerTokens) throws(HTTPError) {
        let authorization = request.headers["Authorization"]
        guard !tokens.accepts(authorization: authorization) else { return }
        if authorization == nil {
            throw HTTPError(.unauthorized, "this server requires Authorization: Bearer <token>",
                            headers: ["WWW-Authenticate": #"Bearer realm="diffwave""#])
        }
        throw HTTPError(.unauthorized, "the Authorization field carries no token this server accepts",
                        headers: ["WWW-Authenticate": #"Bearer realm="diffwave", error="invalid_token""#])
    }
}
