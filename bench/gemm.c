// The engine's two GEMM shapes per tile, timed in OpenBLAS (cblas_sgemm) and oneDNN
// (dnnl_sgemm), single-threaded: run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1.
//   conv+conditioner: (2C, 3C + M) @ (3C + M, tile) = (128, 272) @ (272, tile)
//   output:           (2C, C) @ (C, tile)           = (128, 64) @ (64, tile)
// Build: cc -O2 bench/gemm.c -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -ldnnl -o /tmp/gemm
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double run(int lib, int m, int n, int k, const float *a, const float *b, float *c) {
    int reps = (int)(2e10 / (2.0 * m * n * k)) + 1;
    double best = 1e30;
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        for (int r = 0; r < reps; r++) {
            if (lib == 0) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
            else if (dnnl_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c, n) != dnnl_success) { fprintf(stderr, "dnnl_sgemm failed\n"); exit(1); }
        }
        double t = (now() - t0) / reps;
        if (t < best) best = t;
    }
    return 2.0 * m * n * k / best / 1e9;
}

int main(void) {
    int shapes[][2] = {{128, 272}, {128, 64}};
    int tiles[] = {256, 512, 1024, 2048};
    float *a = malloc(sizeof(float) * 128 * 272), *b = malloc(sizeof(float) * 272 * 2048), *c = malloc(sizeof(float) * 128 * 2048);
    for (int i = 0; i < 128 * 272; i++) a[i] = (float)(i % 7) * 0.1f;
    for (int i = 0; i < 272 * 2048; i++) b[i] = (float)(i % 5) * 0.1f;
    printf("m\tk\ttile\topenblas_gflops\tdnnl_gflops\n");
    for (int s = 0; s < 2; s++)
        for (int t = 0; t < 4; t++)
            printf("%d\t%d\t%d\t%.1f\t%.1f\n", shapes[s][0], shapes[s][1], tiles[t],
                   run(0, shapes[s][0], tiles[t], shapes[s][1], a, b, c),
                   run(1, shapes[s][0], tiles[t], shapes[s][1], a, b, c));
    return 0;
}
