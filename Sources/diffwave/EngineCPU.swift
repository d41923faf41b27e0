import Foundation

/// The engine module is compiled for a CPU level (Package.swift: `haswell`, i.e. x86-64-v3,
/// unless DIFFWAVE_TARGET_CPU says otherwise), so on an older CPU its first vector instruction
/// would kill the process with SIGILL and no word why. This target is compiled for the
/// baseline and checks first.
enum EngineCPU {
    /// The x86-64-v3 features (as /proc/cpuinfo names them) the default engine build may use.
    static let required = ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe"]

    /// The required features missing from a /proc/cpuinfo text (its first `flags` line).
    static func missing(cpuinfo: String) -> [String] {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }   // unknown format: do not block
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return required.filter { !flags.contains($0) }
    }

    /// Exits with a one-line reason where the engine was built for x86-64-v3 and the CPU
    /// lacks part of it. `DIFFWAVE_CPUINFO` names another file to read (tests).
    static func check() {
        #if ENGINE_X86_64_V3 && os(Linux)
        let path = ProcessInfo.processInfo.environment["DIFFWAVE_CPUINFO"] ?? "/proc/cpuinfo"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let missing = missing(cpuinfo: text)
        guard !missing.isEmpty else { return }
        FileHandle.standardError.write(Data(("diffwave: this build's engine needs an x86-64-v3 CPU (AVX2, FMA); this one lacks "
            + missing.joined(separator: ", ") + ". Rebuild with DIFFWAVE_TARGET_CPU=x86-64\n").utf8))
        exit(1)
        #endif
    }
}
