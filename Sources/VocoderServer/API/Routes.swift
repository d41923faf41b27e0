extension VocoderService {
    /// Every route the service answers; openapi.yaml lists exactly these (a test checks).
    public func makeRouter() -> Router {
        var router = Router()
        let vocode = VocodeRoute(service: self), mel = MelRoute(service: self), jobs = JobRoutes(service: self), health = HealthRoutes(service: self)
        let metrics = self.metrics
        // Each handler is wrapped to count its answers by route pattern and status.
        func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Router.Handler) {
            router.add(method, pattern) { (request, parameters) async throws(HTTPError) -> HTTPResponse in
                do throws(HTTPError) {
                    let response = try await handler(request, parameters)
                    metrics.recordRequest(route: pattern, method: method.rawValue, status: response.status.code)
                    return response
                } catch {
                    metrics.recordRequest(route: pattern, method: method.rawValue, status: error.status.code)
                    throw error
                }
            }
        }
        add(.post, "/vocode") { request, _ throws(HTTPError) in try await vocode.vocode(request) }
        add(.post, "/mel") { request, _ throws(HTTPError) in try mel.mel(request) }
        add(.post, "/generate") { request, _ throws(HTTPError) in try await vocode.generate(request) }
        add(.get, "/jobs/{id}") { _, p throws(HTTPError) in try jobs.status(p) }
        add(.delete, "/jobs/{id}") { _, p throws(HTTPError) in try jobs.cancel(p) }
        add(.get, "/jobs/{id}/audio") { _, p throws(HTTPError) in try jobs.audio(p) }
        add(.get, "/healthz") { _, _ in health.healthz() }
        add(.get, "/readyz") { _, _ throws(HTTPError) in try health.readyz() }
        add(.get, "/model") { _, _ in health.model() }
        add(.get, "/metrics") { _, _ in health.metrics() }
        add(.get, "/openapi.yaml") { _, _ in health.openAPI() }
        return router
    }
}
