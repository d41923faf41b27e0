import HTTP

extension VocoderService {
    /// The router over `APIRoute.allCases`; each answer is counted by route pattern and status.
    public func makeRouter() -> Router {
        var router = Router()
        let vocode = VocodeRoute(service: self), mel = MelRoute(service: self), jobs = JobRoutes(service: self)
        let health = HealthRoutes(service: self)
        for route in APIRoute.allCases {
            let handle: Router.Handler = switch route {
            case .vocode: { request, _ throws(HTTPError) in try vocode.vocode(request) }
            case .mel: { request, _ throws(HTTPError) in try mel.mel(request) }
            case .generate: { request, _ throws(HTTPError) in try vocode.generate(request) }
            case .jobStatus: { _, p throws(HTTPError) in try jobs.status(p) }
            case .jobAudio: { _, p throws(HTTPError) in try jobs.audio(p) }
            case .jobCancel: { _, p throws(HTTPError) in try jobs.cancel(p) }
            case .healthz: { _, _ in health.healthz() }
            case .readyz: { _, _ throws(HTTPError) in try health.readyz() }
            case .model: { _, _ in health.model() }
            case .metrics: { _, _ in health.metrics() }
            case .openAPI: { _, _ in health.openAPI() }
            }
            router.add(route.method, route.pattern) { [self] (request, parameters) throws(HTTPError) -> HTTPResponse in
                do throws(HTTPError) {
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
}
