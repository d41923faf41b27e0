import ArgumentParser
import DiffWave
import Foundation

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a checkpoint's hyper-parameters and identity (SHA-256, file name) as one JSON object.")

    @Argument(help: "The checkpoint (.pt).")
    var checkpoint: String

    func run() throws {
        try reportingErrors {
            let url = URL(fileURLWithPath: checkpoint)
            let (model, identity) = try DiffWave.loadIdentified(contentsOf: url)
            // The same keys GET /model gives the loaded model: its info, `digest` and `file_name`.
            var object = try! JSONSerialization.jsonObject(with: try! JSONEncoder().encode(ModelInfo(model))) as! [String: Any]
            object["digest"] = identity.digest
            object["file_name"] = identity.fileName
            let json = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: json, as: UTF8.self))
        }
    }
}
