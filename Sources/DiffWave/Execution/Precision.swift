/// The number format of the network's GEMM inputs.
public enum Precision: String, CaseIterable, Sendable {
    /// float32 weights and activations: the exact path, and the default.
    case float32 = "f32"
    /// bfloat16 GEMM inputs (weights and activations) with float32 accumulation, and float32
    /// everywhere else (biases, gates, residual and skip sums), through oneDNN's matmul
    /// primitive; fast where the CPU has AVX512-BF16. Fidelity: bench/README.md.
    case bfloat16 = "bf16"

    /// Whether this machine can run the format (`Sampler` rejects it otherwise).
    public var isAvailable: Bool { self == .float32 || (Self.bfloat16AvailableOverride ?? BF16Matmul.isSupported) }

    /// Test hook: set (with `$bfloat16AvailableOverride.withValue`), bfloat16's availability as
    /// the calling task and the code it runs synchronously see it, whatever the CPU, so tests
    /// reach both answers on every machine. Nil (always, outside tests): ask oneDNN.
    @TaskLocal static var bfloat16AvailableOverride: Bool?
}
