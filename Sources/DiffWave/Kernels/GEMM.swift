import CBLAS
import CDNNL
#if canImport(Glibc)
import Glibc
#endif

/// The engine's one call site of the compute library, so the library stays swappable.
///
/// `C (m, n) = alpha * A (m, k) @ B (k, n) + beta * C`, all row-major with leading
/// dimensions `lda`, `ldb`, `ldc` (a leading dimension larger than the row lets a
/// kernel multiply a window of a wider buffer, e.g. a time tile of a padded signal).
@inline(__always)
func gemm(
    m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, lda: Int,
    _ b: UnsafePointer<Float>, ldb: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int,
    alpha: Float = 1, beta: Float
) {
    // Checked here so that a failure below can only be a library fault.
    precondition(m >= 0 && n >= 0 && k >= 0 && lda >= max(k, 1) && ldb >= max(n, 1) && ldc >= max(n, 1),
                 "gemm: bad shape m=\(m) n=\(n) k=\(k) lda=\(lda) ldb=\(ldb) ldc=\(ldc)")
    if m == 0 || n == 0 { return }
    // oneDNN's sgemm rather than OpenBLAS's: it was the faster of the two on the engine's
    // shapes (bench/README.md); cblas_sgemm(CblasRowMajor, ...) takes the same arguments.
    ComputeLibrary.useOneOpenMPThreadHere()
    let status = dnnl_sgemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), Int64(m), Int64(n), Int64(k),
                            alpha, a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
    precondition(status == dnnl_success, "dnnl_sgemm failed: oneDNN status \(status.rawValue)")
}

/// `y (m) = A (m, k) @ x (k) + y`: the small matrix-vector products (step embedding MLP).
@inline(__always)
func gemv(m: Int, k: Int, _ a: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
    precondition(m >= 0 && k >= 0, "gemv: bad shape m=\(m) k=\(k)")
    if m == 0 { return }
    cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(m), blasint(k), 1, a, blasint(max(k, 1)), x, 1, 1, y, 1)
}

/// The engine parallelises over time tiles itself; BLAS threads on top would oversubscribe the cores.
public enum ComputeLibrary {
    public static func useSingleThreadedBLAS() {
        openblas_set_num_threads(1)
    }

    /// oneDNN (Debian's build) takes its threads from OpenMP, whose thread count is a
    /// per-thread setting: each of the engine's compute threads asks for a team of one.
    @inline(__always)
    static func useOneOpenMPThreadHere() { ompSetNumThreads?(1) }
}

/// libgomp's `omp_set_num_threads`, looked up in the process (libdnnl loads libgomp; Debian
/// ships no unversioned libgomp to link against).
private let ompSetNumThreads: (@convention(c) (Int32) -> Void)? = {
    _ = dnnl_get_primitive_cache_capacity   // libdnnl, and with it libgomp, is loaded
    guard let symbol = dlsym(nil, "omp_set_num_threads") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
}()
