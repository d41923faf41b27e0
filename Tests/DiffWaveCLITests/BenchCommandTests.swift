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
        #expect(object["conditioning"] as? String == "mel")
    }

    /// A class-conditional model without a mel is timed on a label; `--preset sc09` is the
    /// paper's shape, which takes minutes, so only its option checks run here.
    @Test func timesAClassConditionalModel() throws {
        let r = try CLI.run(["bench", "--model", CLI.fixture("tiny_class.pt"), "--seconds", "0.1", "--no-warm-up"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["conditioning"] as? String == "label")
        #expect(object["audio_seconds"] as? Double == 0.1)
        #expect(object["steps"] as? Int == 6)
        let both = try CLI.run(["bench", "--model", CLI.fixture("tiny_class.pt"), "--preset", "sc09"])
        #expect(both.status != 0)
        #expect(both.stderr.contains("give --model or --preset, not both"))
    }
}
