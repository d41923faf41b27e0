import Foundation
import Testing

/// The default x86-64 build compiles the engine for x86-64-v3; on a CPU without it `diffwave`
/// must say so in one line instead of dying of SIGILL. Simulated with a /proc/cpuinfo stand-in.
@Suite struct EngineCPUTests {
    static var defaultX86Build: Bool {
        #if arch(x86_64) && os(Linux)
        return ProcessInfo.processInfo.environment["DIFFWAVE_TARGET_CPU"] == nil
        #else
        return false
        #endif
    }

    static func cpuinfo(_ flags: String) throws -> String {
        let path = CLI.temporaryFile(".cpuinfo")
        try "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: \(flags)\n\nprocessor\t: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(.enabled(if: defaultX86Build, "the default x86-64 build"))
    func anOlderCPUGetsOneLineAndExitOne() throws {
        let path = try Self.cpuinfo("fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt avx")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["info", CLI.fixture("tiny.pt")], environment: ["DIFFWAVE_CPUINFO": path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "diffwave: this build's engine needs an x86-64-v3 CPU (AVX2, FMA); this one lacks avx2, bmi1, bmi2, f16c, fma, abm, movbe. Rebuild with DIFFWAVE_TARGET_CPU=x86-64\n")
    }

    @Test(.enabled(if: defaultX86Build, "the default x86-64 build"))
    func aCPUWithTheFeaturesRuns() throws {
        let path = try Self.cpuinfo("fpu sse sse2 avx avx2 bmi1 bmi2 f16c fma abm movbe avx512f")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["info", CLI.fixture("tiny.pt")], environment: ["DIFFWAVE_CPUINFO": path])
        #expect(r.status == 0, "\(r.stderr)")
    }
}
