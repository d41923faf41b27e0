import Foundation
import Testing

@Suite struct BenchCommandTests {
    @Test func printsTheFigures() throws {
        let r = try CLI.run(["bench", "--model", CLI.fixture("tiny.pt"), "--seconds", "0.1", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        for key in ["audio_seconds", "compute_seconds", "rtf", "peak_rss_mb", "threads", "schedule", "layers", "channels"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["threads"] as? Int == 2)
        #expect(object["layers"] as? Int == 6)
    }
}
