import CBLAS

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
    // cblas_sgemm reports bad arguments through xerbla (a print, no return code),
    // so the shapes are checked here instead.
    precondition(m >= 0 && n >= 0 && k >= 0 && lda >= max(k, 1) && ldb >= max(n, 1) && ldc >= max(n, 1),
                 "gemm: bad shape m=\(m) n=\(n) k=\(k) lda=\(lda) ldb=\(ldb) ldc=\(ldc)")
    if m == 0 || n == 0 { return }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                blasint(m), blasint(n), blasint(k),
                alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
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
}
