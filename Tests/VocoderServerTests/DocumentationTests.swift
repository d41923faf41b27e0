import DiffWave
import Foundation
import Logging
import Testing
import HTTP
@testable import VocoderServer

/// The documents that restate the code: openapi.yaml (routes) and the README (settings).
@Suite struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func router() throws -> Router {
        var config = DiffWaveConfig.base
        config.residualLayers = 1; config.residualChannels = 2; config.dilationCycleLength = 1
        let engine = try VocodingEngine(model: DiffWave.untrained(config: config), trained: false)
        return VocoderService(configuration: ServerConfiguration(), engine: engine, logger: Logger(label: "test")).makeRouter()
    }

    /// `METHOD /path` for every operation under `paths:` (OpenAPI's path template syntax is the router's).
    static func documentedOperations(_ yaml: String) -> Set<String> {
        var operations: Set<String> = [], path: String?, inPaths = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line.hasPrefix("paths:"); path = nil; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast()).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "delete", "patch", "head", "options"].contains(String(key)) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test func openAPIListsExactlyTheRoutesServed() throws {
        let yaml = try String(contentsOf: Self.root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let served = Set(try Self.router().registeredRoutes.map { "\($0.method.rawValue) \($0.pattern)" })
        let documented = Self.documentedOperations(yaml)
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        #expect(yaml.hasPrefix("openapi: 3.1."), "the document opens with its OpenAPI version")
    }

    @Test func theServedDocumentIsTheTopLevelFile() throws {
        let top = try Data(contentsOf: Self.root.appendingPathComponent("openapi.yaml"))
        #expect(!top.isEmpty)
        #expect(HealthRoutes.openAPIDocument == top)
    }

    /// The structural validation of a tool we did not write (openapi-spec-validator, PyPI),
    /// where `make test` installed it.
    @Test(.enabled(if: Self.hasValidator, "needs python3 -m openapi_spec_validator"))
    func openAPIIsValid() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "openapi_spec_validator", Self.root.appendingPathComponent("openapi.yaml").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
    }

    static var hasValidator: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import openapi_spec_validator"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test func theReadmeListsEverySetting() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        for field in ServerConfiguration.fields {
            #expect(readme.contains("`\(field.flag)` | `\(field.environmentVariable)`"), "README lacks \(field.flag)")
        }
    }

    /// Issue 21: openapi.yaml lists every problem type the service can answer, in the Problem
    /// schema's `type` enum and in the table of its description (with status and title), and
    /// no other.
    @Test func openAPIListsExactlyTheProblemTypes() throws {
        let yaml = try String(contentsOf: Self.root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let enumerated = Set(yaml.split(separator: "\n").compactMap { line -> String? in
            let text = line.trimmingCharacters(in: .whitespaces)
            return text.hasPrefix("- /problems/") ? String(text.dropFirst(2)) : nil
        })
        let catalogue = Set(ProblemType.catalogue.map(\.uri))
        #expect(enumerated == catalogue, "missing: \(catalogue.subtracting(enumerated).sorted()), extra: \(enumerated.subtracting(catalogue).sorted())")
        for type in ProblemType.catalogue {
            let status = HTTPError(type, "").status.code
            #expect(yaml.contains("| `\(type.uri)` | \(status) | \(type.title) |"), "the table lacks \(type.uri)")
        }
    }
}
