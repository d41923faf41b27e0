import DiffWave
import Foundation
import Testing

@Suite struct InfoCommandTests {
    @Test func printsOneJSONObject() throws {
        let r = try CLI.run(["info", CLI.fixture("tiny_uncond.pt")])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["residual_layers"] as? Int == 4)
        #expect(object["residual_channels"] as? Int == 8)
        #expect(object["dilation_cycle_length"] as? Int == 2)
        #expect(object["n_mels"] as? Int == 80)
        #expect(object["hop_samples"] as? Int == 256)
        #expect(object["sample_rate"] as? Int == 22050)
        #expect(object["unconditional"] as? Bool == true)
        #expect(object["conditioning"] as? String == "none")
        #expect(object["num_classes"] is NSNull && object["label_embedding_dim"] is NSNull && object["class_names"] is NSNull)
        #expect(object["training_steps"] as? Int == 50)
        #expect(object["fast_steps"] as? Int == 6)
        #expect((object["parameters"] as? Int ?? 0) > 0)
        #expect(r.stdout.split(separator: "\n").count == 1)
    }

    @Test func printsTheClasses() throws {
        let r = try CLI.run(["info", CLI.fixture("tiny_class.pt")])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["conditioning"] as? String == "label")
        #expect(object["num_classes"] as? Int == 10)
        #expect(object["label_embedding_dim"] as? Int == 128)
        #expect(object["class_names"] as? [String] == ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
        #expect(object["sample_rate"] as? Int == 16000)
        #expect(object["training_steps"] as? Int == 200)
        let speaker = try JSONSerialization.jsonObject(with: Data(try CLI.run(["info", CLI.fixture("tiny_speaker.pt")]).stdout.utf8)) as! [String: Any]
        #expect(speaker["conditioning"] as? String == "mel+label")
        #expect(speaker["num_classes"] as? Int == 4)
        #expect(speaker["class_names"] as? [String] == [])
    }

    @Test func aCorruptCheckpointIsOneLine() throws {
        let path = CLI.temporaryFile(".pt")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: CLI.fixture("tiny.pt")))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        let r = try CLI.run(["info", path])
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("diffwave: "))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func printsTheCheckpointsDigestAndFileName() throws {
        let path = CLI.fixture("tiny.pt")
        let r = try CLI.run(["info", path])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["digest"] as? String == "sha256:" + SHA256.hash(try Data(contentsOf: URL(fileURLWithPath: path))).hex)
        #expect(object["file_name"] as? String == "tiny.pt")
    }
}
