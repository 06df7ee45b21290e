/* Measures the single-thread fp32 FMA throughput of this core.
 *
 *   cc -O2 -march=native -o fma_peak benchmarks/fma_peak.c
 *   ./fma_peak [SECONDS_PER_TRIAL [TRIALS]]      (defaults 0.3 and 5)
 *
 * Runs NACC independent accumulator chains acc = acc * m + a (one fused
 * multiply-add each; 16 chains with AVX-512, 12 otherwise) so that FMA
 * latency is hidden and only the number of FMA pipes limits the rate. Uses
 * AVX-512 (__m512, _mm512_fmadd_ps) when the compiler targets it (__AVX512F__),
 * else AVX2+FMA (__m256, _mm256_fmadd_ps), else scalar a * b + c (contracted
 * to an FMA where the target has one). Each trial runs for about
 * SECONDS_PER_TRIAL; the best trial is
 * reported, as one JSON line on stdout:
 *
 *   {"isa":"avx512","lanes":16,"accumulators":16,"gflops":...,"trials":[...]}
 *
 * One FMA counts as 2 floating-point operations per lane.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

#if defined(__AVX512F__)
#define ISA "avx512"
#define LANES 16
typedef __m512 vec;
#define VSET1(x) _mm512_set1_ps(x)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VADD(a, b) _mm512_add_ps(a, b)
static float vsum(vec v) { return _mm512_reduce_add_ps(v); }
#elif defined(__AVX2__) && defined(__FMA__)
#define ISA "avx2"
#define LANES 8
typedef __m256 vec;
#define VSET1(x) _mm256_set1_ps(x)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VADD(a, b) _mm256_add_ps(a, b)
static float vsum(vec v) {
  float t[8];
  _mm256_storeu_ps(t, v);
  return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#else
#define ISA "scalar"
#define LANES 1
typedef float vec;
#define VSET1(x) (x)
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VADD(a, b) ((a) + (b))
static float vsum(vec v) { return v; }
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The accumulators: 16 with AVX-512 (32 vector registers), 12 otherwise, so
 * that accumulators plus the two constants stay in the 16 AVX2 registers. */
#if LANES == 16
#define NACC 16
#define FOR_ACC(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) \
                   X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#else
#define NACC 12
#define FOR_ACC(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#endif
#define DECL(i) vec c##i = VSET1(seed + (float)(i));
#define STEP(i) c##i = VFMA(c##i, m, a);
#define SUM(i) s = VADD(s, c##i);

/* ITERS iterations of NACC independent FMAs; returns a value derived from all
 * accumulators so that nothing can be optimised away. */
static float kernel(long iters, float seed) {
  vec m = VSET1(0.999999f), a = VSET1(1e-6f);
  FOR_ACC(DECL)
  for (long i = 0; i < iters; ++i) {
    FOR_ACC(STEP)
  }
  vec s = VSET1(0.0f);
  FOR_ACC(SUM)
  return vsum(s);
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 0.3;
  int trials = argc > 2 ? atoi(argv[2]) : 5;
  if (seconds <= 0 || trials <= 0 || trials > 1000) {
    fprintf(stderr, "usage: fma_peak [SECONDS_PER_TRIAL [TRIALS]]\n");
    return 1;
  }
  volatile float sink = 0;
  /* Calibrate: grow the iteration count until one call takes >= 20 ms. */
  long iters = 1 << 16;
  for (;;) {
    double t0 = now();
    sink += kernel(iters, 1.0f);
    double dt = now() - t0;
    if (dt >= 0.02) {
      iters = (long)(iters * (seconds / dt)) + 1;
      break;
    }
    iters *= 2;
  }
  double flops_per_iter = 2.0 * NACC * LANES;
  double best = 0;
  printf("{\"isa\":\"%s\",\"lanes\":%d,\"accumulators\":%d,\"trials\":[", ISA,
         LANES, NACC);
  for (int t = 0; t < trials; ++t) {
    double t0 = now();
    sink += kernel(iters, (float)t);
    double dt = now() - t0;
    double gflops = flops_per_iter * (double)iters / dt * 1e-9;
    if (gflops > best) best = gflops;
    printf("%s%.2f", t ? "," : "", gflops);
  }
  printf("],\"gflops\":%.2f,\"checksum\":%g}\n", best, (double)sink);
  return 0;
}
