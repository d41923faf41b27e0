import CDNNL

/// One oneDNN matmul primitive for a fixed shape: `C (m, n) = A (m, k) @ B (k, n)` with
/// bfloat16 `A` and `B` (raw bit patterns), float32 accumulation and a float32 `C`, all
/// row-major with leading dimensions `lda`, `ldb`, `ldc`; with `batch` > 1, that many such
/// products, each operand's matrices packed one after another. The operands' addresses are
/// bound per call. The bf16 counterpart of `gemm` (oneDNN 2.6 has no bf16 gemm call,
/// only this primitive); one instance per compute thread, as a oneDNN stream is not
/// shared between threads.
final class BF16Matmul {
    let m: Int, n: Int, k: Int
    private let primitive: dnnl_primitive_t
    private let stream: dnnl_stream_t
    private let a: dnnl_memory_t, b: dnnl_memory_t, c: dnnl_memory_t
    /// The execute arguments, built once: `run` only rebinds the operands' addresses, so the
    /// step loop allocates nothing.
    private let args: UnsafeMutablePointer<dnnl_exec_arg_t>

    init(m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int, batch: Int = 1) throws(DiffWaveError) {
        (self.m, self.n, self.k) = (m, n, k)
        let engine = try BF16Matmul.engine()
        var aDesc = dnnl_memory_desc_t(), bDesc = dnnl_memory_desc_t(), cDesc = dnnl_memory_desc_t()
        // (batch, rows, columns), the batch dimension only where there is more than one.
        let rank = batch > 1 ? 3 : 2
        func describe(_ desc: inout dnnl_memory_desc_t, _ rows: Int, _ columns: Int, _ type: dnnl_data_type_t, _ ld: Int) throws(DiffWaveError) {
            let dims = [Int64(batch), Int64(rows), Int64(columns)].suffix(rank), strides = [Int64(rows * ld), Int64(ld), 1].suffix(rank)
            try check(dnnl_memory_desc_init_by_strides(&desc, Int32(rank), Array(dims), type, Array(strides)), "dnnl_memory_desc_init_by_strides")
        }
        try describe(&aDesc, m, k, dnnl_bf16, lda)
        try describe(&bDesc, k, n, dnnl_bf16, ldb)
        try describe(&cDesc, m, n, dnnl_f32, ldc)
        var desc = dnnl_matmul_desc_t()
        try check(dnnl_matmul_desc_init(&desc, &aDesc, &bDesc, nil, &cDesc), "dnnl_matmul_desc_init")
        var pd: dnnl_primitive_desc_t?
        try check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, nil), "dnnl_primitive_desc_create")
        defer { dnnl_primitive_desc_destroy(pd) }
        var p: dnnl_primitive_t?, s: dnnl_stream_t?
        try check(dnnl_primitive_create(&p, pd), "dnnl_primitive_create")
        try check(dnnl_stream_create(&s, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
        var ma: dnnl_memory_t?, mb: dnnl_memory_t?, mc: dnnl_memory_t?
        // DNNL_MEMORY_NONE: no buffer yet; `run` binds the operands.
        try check(dnnl_memory_create(&ma, &aDesc, engine, nil), "dnnl_memory_create")
        try check(dnnl_memory_create(&mb, &bDesc, engine, nil), "dnnl_memory_create")
        try check(dnnl_memory_create(&mc, &cDesc, engine, nil), "dnnl_memory_create")
        (primitive, stream, a, b, c) = (p!, s!, ma!, mb!, mc!)
        args = .allocate(capacity: 3)
        args.initialize(from: [dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: ma), dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: mb),
                               dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: mc)], count: 3)
    }

    /// `c = a @ b` for operands laid out as given at init.
    func run(_ a: UnsafePointer<UInt16>, _ b: UnsafePointer<UInt16>, _ c: UnsafeMutablePointer<Float>) {
        ComputeLibrary.useOneOpenMPThreadHere()
        dnnl_memory_set_data_handle(self.a, UnsafeMutableRawPointer(mutating: a))
        dnnl_memory_set_data_handle(self.b, UnsafeMutableRawPointer(mutating: b))
        dnnl_memory_set_data_handle(self.c, UnsafeMutableRawPointer(c))
        // Shapes and addresses were validated when the primitive was built; a failure here is a bug.
        let status = dnnl_primitive_execute(primitive, stream, 3, args)
        precondition(status == dnnl_success, "dnnl_primitive_execute failed: \(status)")
        dnnl_stream_wait(stream)
    }

    deinit {
        args.deallocate()
        dnnl_memory_destroy(a); dnnl_memory_destroy(b); dnnl_memory_destroy(c)
        dnnl_stream_destroy(stream)
        dnnl_primitive_destroy(primitive)
    }

    /// Whether oneDNN runs a bf16 matmul here at all (it refuses on CPUs without AVX-512).
    static let isSupported: Bool = (try? BF16Matmul(m: 16, n: 16, k: 16, lda: 16, ldb: 16, ldc: 16)) != nil

    /// The process's one CPU engine, created on first use and never released.
    private static func engine() throws(DiffWaveError) -> dnnl_engine_t {
        if let e = sharedEngine.value { return e }
        throw DiffWaveError(.config, "dnnl_engine_create failed: no oneDNN CPU engine")
    }

    private final class Engine: @unchecked Sendable {
        let value: dnnl_engine_t?
        init() {
            var e: dnnl_engine_t?
            value = dnnl_engine_create(&e, dnnl_cpu, 0) == dnnl_success ? e : nil
        }
    }
    private static let sharedEngine = Engine()
}

/// Turns a oneDNN status into a typed error naming the function.
private func check(_ status: dnnl_status_t, _ function: String) throws(DiffWaveError) {
    guard status == dnnl_success else { throw DiffWaveError(.config, "\(function) failed: oneDNN status \(status.rawValue)") }
}

