import ArgumentParser
import DiffWave
import Foundation

@main
struct DiffWaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffwave",
        abstract: "DiffWave neural vocoder: mel spectrogram in, speech out.",
        subcommands: [ServeCommand.self, VocodeCommand.self, GenerateCommand.self, InfoCommand.self, BenchCommand.self, MelCommand.self, HealthcheckCommand.self])

    /// ArgumentParser's own entry point, after checking the CPU before any engine code runs.
    /// Every command is synchronous: the server waits on threads of its own (docs/architecture.md).
    static func main() {
        EngineCPU.check()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// Runs a command body, turning engine errors into one line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as DiffWaveError {
        FileHandle.standardError.write(Data("diffwave: \(error.message)\n".utf8))
        throw ExitCode.failure
    }
}
