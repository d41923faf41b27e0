import ArgumentParser
import DiffWave
import Foundation

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a checkpoint's hyper-parameters as one JSON object.")

    @Argument(help: "The checkpoint (.pt).")
    var checkpoint: String

    func run() throws {
        try reportingErrors {
            let model = try DiffWave.load(contentsOf: URL(fileURLWithPath: checkpoint))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try! encoder.encode(ModelInfo(model)), as: UTF8.self))
        }
    }
}
