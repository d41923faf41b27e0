import Foundation
import HTTP

/// `GET /healthz`, `/readyz`, `/model`, `/metrics`, `/openapi.yaml`.
struct HealthRoutes: Sendable {
    let service: VocoderService

    func healthz() -> HTTPResponse {
        HTTPResponse(contentType: "application/json", body: Data(#"{"status":"ok"}"#.utf8))
    }

    /// Ready while the model is loaded (it is, once the service exists), not draining, and the
    /// job store can be reached.
    func readyz() throws(HTTPError) -> HTTPResponse {
        if service.isDraining {
            throw HTTPError(.shuttingDown, "draining: finishing accepted jobs before shutdown",
                            headers: ["Retry-After": service.retryAfterValue])
        }
        if !service.isReady {
            throw HTTPError(.unavailable, "the job store cannot be reached", headers: ["Retry-After": service.retryAfterValue])
        }
        return HTTPResponse(contentType: "application/json", body: Data(#"{"status":"ready"}"#.utf8))
    }

    func model() -> HTTPResponse {
        HTTPResponse(contentType: "application/json", body: service.modelDescription().json())
    }

    func metrics() -> HTTPResponse {
        HTTPResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: service.metricsExposition())
    }

    static let openAPIDocument: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let data = try? Data(contentsOf: url) else { return Data() }
        return data
    }()

    func openAPI() -> HTTPResponse {
        HTTPResponse(contentType: "application/yaml", body: Self.openAPIDocument)
    }
}
