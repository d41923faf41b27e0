import HTTP
import Testing
@testable import VocoderServer

@Suite struct HTTPErrorServiceTests {
    @Test(arguments: [
        (ServiceError.queueFull(capacity: 4), 503), (.shuttingDown, 503), (.cancelledByShutdown(id: "j"), 503),
        (.jobNotFound(id: "j", ttlSeconds: 60), 404), (.notFinished(id: "j", status: .running), 409),
        (.noAudio(id: "j", status: .cancelled, reason: nil), 409), (.audioGone(id: "j"), 410),
        (.jobFailed(id: "j", reason: "boom"), 500),
    ])
    func serviceErrorsGetTheirStatus(_ error: ServiceError, _ status: Int) {
        let http = HTTPError(error, retryAfter: "7")
        #expect(http.status.code == status)
        #expect(http.message == error.description)
        #expect(http.headers["Retry-After"] == (status == 503 ? "7" : nil), "503s, and only they, say when to come back")
    }
}
