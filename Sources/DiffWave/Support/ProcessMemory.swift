import Foundation

/// The process's memory figures from Linux's /proc (0 where it is not available).
public enum ProcessMemory {
    /// Peak resident set size (VmHWM), in MB.
    public static func peakResidentMegabytes() -> Double { statusField("VmHWM") / 1024 }

    /// A `kB` field of /proc/self/status.
    private static func statusField(_ name: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
