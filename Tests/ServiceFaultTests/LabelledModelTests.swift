import Foundation
import TestSupport
import Testing

/// A class-conditional checkpoint (`tiny_class`: ten named digits, no mel) served by a real
/// `diffwave serve` process, over a socket.
@Suite(.serialized) struct LabelledModelTests {
    @Test func generateByNameAndByNumberGiveTheSameBytesAndLabelsDiffer() async throws {
        let server = try ServiceProcess(model: "tiny_class.pt")
        try await onThread {
            let client = try server.client()
            let json = [("Content-Type", "application/json")]
            func generate(_ query: String, _ body: String) throws -> TestClient.Response {
                try client.request("POST", "/generate?seed=7" + query, headers: json, body: Data(body.utf8))
            }
            let byName = try generate("", #"{"samples": 800, "label": "three"}"#)
            let byNumber = try generate("", #"{"samples": 800, "label": 3}"#)
            let byQuery = try generate("&label=3", #"{"samples": 800}"#)
            let other = try generate("&label=four", #"{"samples": 800}"#)
            for response in [byName, byNumber, byQuery, other] {
                #expect(response.status == 200, "\(response.text)")
                #expect(response.header("Content-Type") == "audio/wav")
            }
            #expect(byName.body == byNumber.body)
            #expect(byQuery.body == byNumber.body)
            #expect(other.body != byNumber.body)

            let model = try client.request("GET", "/model")
            let info = try #require(try JSONSerialization.jsonObject(with: model.body) as? [String: Any])
            #expect(info["num_classes"] as? Int == 10)
            #expect((info["class_names"] as? [String])?.first == "zero")

            let refused = try generate("", #"{"samples": 800, "label": "eleven"}"#)
            #expect(refused.status == 422)
            #expect(refused.header("Content-Type") == "application/problem+json")
            #expect(refused.text.contains("unknown label 'eleven'"))
        }
        #expect(try server.terminate() == 0)
    }
}
