import Foundation
import TestSupport
import Testing

/// Job helpers over a live server. Timings are those of the debug build with tiny.pt: a
/// 40-frame mel on the full (50-step) schedule runs for about 3 s on one worker.
extension TestClient {
    /// Submits a mel asynchronously; returns the 202 response's job id, or the response when
    /// it was not a 202.
    func submit(frames: Int, schedule: String = "full") throws -> Result<String, ResponseError> {
        let response = try request("POST", "/vocode?async=true&schedule=\(schedule)", headers: [("Content-Type", "application/x-npy")],
                                   body: Bodies.mel(frames: frames))
        guard response.status == 202, let id = response.json?["id"] as? String else { return .failure(ResponseError(response: response)) }
        return .success(id)
    }

    func job(_ id: String) throws -> [String: Any] {
        let response = try request("GET", "/jobs/\(id)")
        guard response.status == 200, let json = response.json else {
            throw Failure(description: "GET /jobs/\(id): \(response.status) \(response.text)")
        }
        return json
    }

    func status(_ id: String) throws -> String { try job(id)["status"] as? String ?? "?" }

    /// Polls until the job's status is one of `statuses`; returns it.
    @discardableResult
    func wait(_ id: String, for statuses: Set<String>, timeout: TimeInterval = 60) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let status = try status(id)
            if statuses.contains(status) { return status }
            guard Date() < deadline else { throw Failure(description: "job \(id) still \(status) after \(timeout) s") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}

struct ResponseError: Error, CustomStringConvertible {
    let response: TestClient.Response
    var description: String { "\(response.status) \(response.text)" }
}

extension Result {
    var value: Success? { try? get() }
}
