import HTTP

/// Every route the service answers, declared once: `VocoderService.makeRouter()` registers
/// them, the request metrics are labelled by their patterns, and a test checks openapi.yaml
/// against this list.
public enum APIRoute: String, CaseIterable, Sendable {
    case vocode, mel, generate
    case jobStatus, jobAudio, jobCancel
    case healthz, readyz, model, metrics, openAPI, problem

    public var method: HTTPMethod {
        switch self {
        case .vocode, .mel, .generate: .post
        case .jobCancel: .delete
        case .jobStatus, .jobAudio, .healthz, .readyz, .model, .metrics, .openAPI, .problem: .get
        }
    }

    /// Whether the route answers without a token when `auth-token-file` is set: the probes
    /// (kubelets carry no token), the contract and the problem pages (documentation), and
    /// /metrics when `open-metrics` says so.
    public func isOpen(openMetrics: Bool) -> Bool {
        switch self {
        case .healthz, .readyz, .openAPI, .problem: true
        case .metrics: openMetrics
        case .vocode, .mel, .generate, .jobStatus, .jobAudio, .jobCancel, .model: false
        }
    }

    public var pattern: String {
        switch self {
        case .vocode: "/vocode"
        case .mel: "/mel"
        case .generate: "/generate"
        case .jobStatus, .jobCancel: "/jobs/{id}"
        case .jobAudio: "/jobs/{id}/audio"
        case .healthz: "/healthz"
        case .readyz: "/readyz"
        case .model: "/model"
        case .metrics: "/metrics"
        case .openAPI: "/openapi.yaml"
        case .problem: "/problems/{name}"
        }
    }
}
