import HTTP
import Testing
@testable import VocoderServer

@Suite struct HTTPErrorServiceTests {
    @Test(arguments: [
        (ServiceError.queueFull(capacity: 4), 503, "/problems/queue-full"), (.shuttingDown, 503, "/problems/shutting-down"),
        (.cancelledByShutdown(id: "j"), 503, "/problems/cancelled-by-shutdown"),
        (.jobNotFound(id: "j", ttlSeconds: 60), 404, "/problems/job-not-found"),
        (.notFinished(id: "j", status: .running), 409, "/problems/job-not-finished"),
        (.noAudio(id: "j", status: .cancelled, reason: nil), 409, "/problems/job-has-no-audio"),
        (.audioGone(id: "j"), 410, "/problems/audio-expired"), (.jobFailed(id: "j", reason: "boom"), 500, "/problems/job-failed"),
        (.syncTimedOut(id: "j", seconds: 1), 503, "/problems/sync-timeout"), (.clientGone(id: "j"), 499, "/problems/client-closed-request"),
    ])
    func serviceErrorsGetTheirTypeAndStatus(_ error: ServiceError, _ status: Int, _ type: String) {
        let http = HTTPError(error, retryAfter: "7")
        #expect(http.status.code == status)
        #expect(http.type.uri == type)
        #expect(http.message == error.description)
        #expect(http.headers["Retry-After"] == (status == 503 ? "7" : nil), "503s, and only they, say when to come back")
    }
}
