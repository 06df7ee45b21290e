/*===- gemm_test.c - the fp32 micro-kernels against a reference -------------===*\
 *
 * Runs tessera_sgemm_avx512 / _avx2 (whichever this CPU supports) on edge
 * shapes, strided and batched operands, and compares C += A * B with a
 * double-precision reference; each case also with TESSERA_SGEMM_OVERWRITE
 * (C = A * B), C starting as NaNs that must not reach the result. Elements around each C are guarded: a kernel
 * that writes outside its block fails. Some cases also register A and B
 * as constants (as a loaded model's weights are), so that the kernels pack
 * them on a first call and the checked call reuses the packed copies.
 * Others register copies packed ahead of time (as `packed` metadata
 * records do), of 2 * A and -B, and run parts of the product: the result
 * tells whether each operand was read from its prepacked copy, which must
 * happen exactly when the part starts on a panel boundary. Others hold
 * only the packed copies, in the originals' place (as the compiler leaves
 * weights whose every use is a product): every part reads them; products
 * of fewer rows than a register block (a GEMV) read such a B through
 * their own kernel, which must give the register blocks' bits.
 * Cases through tessera_sgemm_fused_* add per-row, per-column and matrix
 * addends (batched, one each per matrix or shared) and clamp. The first
 * cases run with every aligned_alloc failing (this file's definition
 * takes the runtime's calls): no packing buffer, no packed copy of a
 * constant, so the product runs as plain loops over the operands.
 * With --bench M N K it times one shape instead (GFLOP/s on stdout; no
 * assertion).
\*===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200112L
#include "tessera/Runtime/tessera_package_abi.h"

#include "failing_aligned_alloc.h"
#include "test_values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The runtime's constant registry (RuntimeInternal.h; hidden in packages,
 * linked here from the archive). */
int tessera_rt_gemm_add_constants(const void *begin, size_t bytes);
void tessera_rt_gemm_remove_constants(const void *begin, size_t bytes);
int tessera_rt_gemm_add_packed(const float *source, int64_t ld, int64_t rows,
                               int64_t cols, int panel, int is_b,
                               const float *packed);

typedef void (*sgemm_t)(int64_t, int64_t, int64_t, int64_t, const float *,
                        int64_t, int64_t, const float *, int64_t, int64_t,
                        float *, int64_t, int64_t, int64_t);
typedef void (*sgemm_fused_t)(int64_t, int64_t, int64_t, int64_t,
                              const float *, int64_t, int64_t, const float *,
                              int64_t, int64_t, float *, int64_t, int64_t,
                              int64_t, const float *, int64_t, int64_t,
                              int64_t, const float *, int64_t, int64_t,
                              int64_t, float, float);



static int failures, cases;

/* Epilogues of the fused cases: addend kinds (0 none, 1 per row, 2 per
 * column, 3 matrix) and clamp bounds. */
typedef struct {
  int kind[2];
  float lower, upper;
} epilogue_case_t;

static const epilogue_case_t no_epilogue = {{0, 0}, -__builtin_inff(),
                                            __builtin_inff()};

static void check_case(sgemm_t sgemm, sgemm_fused_t fused, const char *isa,
                       int64_t batch, int64_t m, int64_t n, int64_t k,
                       int64_t pad, int shared_b, int constants, int overwrite,
                       epilogue_case_t epilogue) {
  const float guard = 12345.0f;
  int64_t lda = k + pad, ldb = n + pad, ldc = n + pad;
  int64_t sa = m * lda, sb = shared_b ? 0 : k * ldb, sc = m * ldc;
  size_t na = (size_t)(batch * sa + 1), nb = (size_t)((shared_b ? 1 : batch) * k * ldb + 1),
         nc = (size_t)(batch * sc + 16);
  float *a = malloc(na * sizeof(float)), *b = malloc(nb * sizeof(float));
  float *c = malloc(nc * sizeof(float)), *c0 = malloc(nc * sizeof(float));
  for (size_t i = 0; i < na; ++i) a[i] = next_value();
  for (size_t i = 0; i < nb; ++i) b[i] = next_value();
  for (size_t i = 0; i < nc; ++i) c[i] = c0[i] = guard;
  for (int64_t t = 0; t < batch; ++t)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        c[t * sc + i * ldc + j] = c0[t * sc + i * ldc + j] =
            overwrite ? __builtin_nanf("") : next_value();
  int64_t flags = overwrite ? TESSERA_SGEMM_OVERWRITE : 0;
  /* Addend t: rows of ld_t = n + 1 + t; vectors per matrix unless t is 1
   * (shared across the batch); matrices per matrix of the batch. */
  float *addend[2] = {NULL, NULL};
  int64_t addend_batch[2] = {0, 0}, addend_row[2] = {0, 0},
          addend_column[2] = {0, 0};
  for (int t = 0; t < 2; ++t) {
    const int kind = epilogue.kind[t];
    if (!kind)
      continue;
    const int64_t ld = n + 1 + t;
    const int64_t per_matrix = kind == 1 ? m : kind == 2 ? n : m * ld;
    addend_batch[t] = kind != 3 && t == 1 ? 0 : per_matrix;
    addend_row[t] = kind == 1 ? 1 : kind == 2 ? 0 : ld;
    addend_column[t] = kind == 1 ? 0 : 1;
    const size_t count = (size_t)(batch * per_matrix);
    addend[t] = malloc(count * sizeof(float));
    for (size_t i = 0; i < count; ++i)
      addend[t][i] = 4.0f * next_value();
  }
  const int fused_call = epilogue.kind[0] || epilogue.kind[1] ||
                         epilogue.lower != no_epilogue.lower ||
                         epilogue.upper != no_epilogue.upper;
#define RUN_SGEMM(out)                                                         \
  (fused_call ? fused(batch, m, n, k, a, sa, lda, b, sb, ldb, out, sc, ldc,    \
                      flags, addend[0], addend_batch[0], addend_row[0],        \
                      addend_column[0], addend[1], addend_batch[1],            \
                      addend_row[1], addend_column[1], epilogue.lower,         \
                      epilogue.upper)                                          \
              : sgemm(batch, m, n, k, a, sa, lda, b, sb, ldb, out, sc, ldc,    \
                      flags))
  if (constants) {
    tessera_rt_gemm_add_constants(a, na * sizeof(float));
    tessera_rt_gemm_add_constants(b, nb * sizeof(float));
    float *first = malloc(nc * sizeof(float));
    memcpy(first, c0, nc * sizeof(float));
    RUN_SGEMM(first);
    free(first);
  }
  RUN_SGEMM(c);
#undef RUN_SGEMM
  if (constants) {
    tessera_rt_gemm_remove_constants(a, na * sizeof(float));
    tessera_rt_gemm_remove_constants(b, nb * sizeof(float));
  }
  double worst = 0;
  int outside = 0;
  for (int64_t t = 0; t < batch; ++t)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < ldc; ++j) {
        size_t at = (size_t)(t * sc + i * ldc + j);
        if (j >= n) {
          outside |= c[at] != guard;
          continue;
        }
        double expected = overwrite ? 0.0 : c0[at];
        for (int64_t p = 0; p < k; ++p)
          expected += (double)a[t * sa + i * lda + p] *
                      (double)b[t * sb + p * ldb + j];
        for (int e = 0; e < 2; ++e)
          if (addend[e])
            expected += addend[e][t * addend_batch[e] + i * addend_row[e] +
                                  j * addend_column[e]];
        if (expected < epilogue.lower) expected = epilogue.lower;
        if (expected > epilogue.upper) expected = epilogue.upper;
        double error = fabs(c[at] - expected);
        if (!(error <= worst)) worst = error; /* NaN sticks */
      }
  for (size_t i = (size_t)(batch * sc); i < nc; ++i)
    outside |= c[i] != guard;
  /* fp32 rounding of k products of values in [-1, 1]: well under k * 1e-6. */
  double tolerance = 1e-6 * (double)(k + 1) + 1e-6;
  /* Each addend (|x| <= 4) is one more rounding of a sum of that size. */
  for (int e = 0; e < 2; ++e)
    if (addend[e])
      tolerance += 1e-6 * (double)(k + 4);
  ++cases;
  if (!(worst <= tolerance) || outside) {
    ++failures;
    printf("FAILED %s batch %lld m %lld n %lld k %lld pad %lld shared_b %d "
           "constants %d overwrite %d addends %d %d clamp [%g, %g]: max error "
           "%g (tolerance %g)%s\n",
           isa, (long long)batch, (long long)m, (long long)n, (long long)k,
           (long long)pad, shared_b, constants, overwrite, epilogue.kind[0],
           epilogue.kind[1], epilogue.lower, epilogue.upper, worst, tolerance,
           outside ? ", wrote outside C" : "");
  }
  free(a); free(b); free(c); free(c0); free(addend[0]); free(addend[1]);
}

/* `scale` * the rows x cols matrix at `source` in the `packed` record
 * layout of tessera_package_abi.h: per block of TESSERA_SGEMM_KC values of
 * k, panels of the block's k values. */
static float *pack_ahead(int is_b, const float *source, int64_t ld,
                         int64_t rows, int64_t cols, int panel, float scale) {
  int64_t k = is_b ? rows : cols, wide = is_b ? cols : rows;
  int64_t padded = (wide + panel - 1) / panel * panel;
  float *packed = calloc((size_t)(padded * k), sizeof(float));
  for (int64_t block = 0; block < k; block += TESSERA_SGEMM_KC) {
    int64_t kc = k - block < TESSERA_SGEMM_KC ? k - block : TESSERA_SGEMM_KC;
    for (int64_t w = 0; w < wide; ++w)
      for (int64_t kk = 0; kk < kc; ++kk)
        packed[block * padded + (w / panel) * panel * kc + kk * panel +
               w % panel] =
            scale * (is_b ? source[(block + kk) * ld + w]
                          : source[w * ld + block + kk]);
  }
  return packed;
}

/* The part of an m x n x k product from row `r0` and column `c0` on, with
 * A and B prepacked (as 2 * A and -B); `in_place`: the copies are in the
 * originals' place, which the product is given; 2: only B is constant
 * (A is a plain operand). */
static void check_prepacked(sgemm_t sgemm, const char *isa, int mr, int nr,
                            int64_t m, int64_t n, int64_t k, int64_t pad,
                            int64_t r0, int64_t c0, int overwrite,
                            int in_place) {
  int64_t lda = k + pad, ldb = n + pad, ldc = n + pad;
  size_t na = (size_t)(m * lda), nb = (size_t)(k * ldb), nc = (size_t)(m * ldc);
  float *a = malloc(na * sizeof(float)), *b = malloc(nb * sizeof(float));
  float *c = malloc(nc * sizeof(float)), *c0v = malloc(nc * sizeof(float));
  for (size_t i = 0; i < na; ++i) a[i] = next_value();
  for (size_t i = 0; i < nb; ++i) b[i] = next_value();
  for (size_t i = 0; i < nc; ++i)
    c[i] = c0v[i] = overwrite ? __builtin_nanf("") : next_value();
  float *packed_a = pack_ahead(0, a, lda, m, k, mr, 2.0f);
  float *packed_b = pack_ahead(1, b, ldb, k, n, nr, -1.0f);
  /* In place, the operands' memory holds the copies (as big as the
   * originals when there is no padding to whole panels). */
  const int a_constant = in_place != 2;
  const float *a_arg = in_place == 1 ? packed_a : a;
  const float *b_arg = in_place ? packed_b : b;
  if (a_constant) {
    tessera_rt_gemm_add_constants(a_arg, na * sizeof(float));
    tessera_rt_gemm_add_packed(a_arg, lda, m, k, mr, 0, packed_a);
  }
  tessera_rt_gemm_add_constants(b_arg, nb * sizeof(float));
  tessera_rt_gemm_add_packed(b_arg, ldb, k, n, nr, 1, packed_b);
  int64_t ms = m - r0, ns = n - c0;
  sgemm(1, ms, ns, k, a_arg + r0 * lda, 0, lda, b_arg + c0, 0, ldb,
        c + r0 * ldc + c0, 0, ldc, overwrite ? TESSERA_SGEMM_OVERWRITE : 0);
  if (a_constant)
    tessera_rt_gemm_remove_constants(a_arg, na * sizeof(float));
  tessera_rt_gemm_remove_constants(b_arg, nb * sizeof(float));
  /* A prepacked copy is read whatever the product's size, when the part
   * starts on one of its panels; a copy in place always. */
  int a_prepacked = a_constant && (in_place || r0 % mr == 0);
  int b_prepacked = in_place || c0 % nr == 0;
  double scale = (a_prepacked ? 2.0 : 1.0) * (b_prepacked ? -1.0 : 1.0);
  double worst = 0;
  int outside = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      size_t at = (size_t)(i * ldc + j);
      if (i < r0 || j < c0 || j >= n) {
        outside |= memcmp(&c[at], &c0v[at], sizeof(float)) != 0;
        continue;
      }
      double expected = 0;
      for (int64_t p = 0; p < k; ++p)
        expected += (double)a[i * lda + p] * (double)b[p * ldb + j];
      expected = scale * expected + (overwrite ? 0.0 : c0v[at]);
      double error = fabs(c[at] - expected);
      if (!(error <= worst)) worst = error;
    }
  double tolerance = 2e-6 * (double)(k + 1) + 1e-6;
  ++cases;
  if (!(worst <= tolerance) || outside) {
    ++failures;
    printf("FAILED %s prepacked m %lld n %lld k %lld pad %lld from row %lld "
           "column %lld overwrite %d in place %d (A prepacked %d, B prepacked "
           "%d): max error %g (tolerance %g)%s\n",
           isa, (long long)m, (long long)n, (long long)k, (long long)pad,
           (long long)r0, (long long)c0, overwrite, in_place, a_prepacked,
           b_prepacked,
           worst, tolerance, outside ? ", wrote outside its part" : "");
  }
  free(a); free(b); free(c); free(c0v); free(packed_a); free(packed_b);
}

/* Two ways of computing one product compared bit for bit: random A (m
 * rows, lda apart), B (k rows, ldb apart) and a per-column bias, and two
 * copies of C (m rows, ldc apart; NaN when overwriting, which they must
 * not keep), with the flags and clamp bounds of the case. */
typedef struct twin_product {
  float *a, *b, *bias, *first, *second;
  size_t c_floats;
  int64_t flags;
  float lower, upper;
} twin_product_t;

static twin_product_t make_twin_product(int64_t m, int64_t n, int64_t k,
                                        int64_t lda, int64_t ldb, int64_t ldc,
                                        int overwrite, int with_epilogue) {
  twin_product_t p;
  size_t na = (size_t)(m * lda), nb = (size_t)(k * ldb);
  p.c_floats = (size_t)(m * ldc);
  p.a = malloc(na * sizeof(float));
  p.b = malloc(nb * sizeof(float));
  p.bias = malloc((size_t)n * sizeof(float));
  p.first = malloc(p.c_floats * sizeof(float));
  p.second = malloc(p.c_floats * sizeof(float));
  for (size_t i = 0; i < na; ++i) p.a[i] = next_value();
  for (size_t i = 0; i < nb; ++i) p.b[i] = next_value();
  for (int64_t j = 0; j < n; ++j) p.bias[j] = next_value();
  for (size_t i = 0; i < p.c_floats; ++i)
    p.first[i] = p.second[i] = overwrite ? __builtin_nanf("") : next_value();
  p.flags = overwrite ? TESSERA_SGEMM_OVERWRITE : 0;
  p.lower = with_epilogue ? -0.5f : -__builtin_inff();
  p.upper = with_epilogue ? 0.5f : __builtin_inff();
  return p;
}

/* Whether the two copies of C are the same bits (counted as a case). */
static int twins_match(const twin_product_t *p) {
  ++cases;
  return memcmp(p->first, p->second, p->c_floats * sizeof(float)) == 0;
}

static void free_twin_product(twin_product_t *p) {
  free(p->a); free(p->b); free(p->bias); free(p->first); free(p->second);
}

/* A product over B packed in place (A a plain operand), from column `c0`
 * on, made once in calls of `rows_per_call` rows, fewer than a register
 * block (as a GEMV or a thread's last rows make; they read the packed B
 * from any column), and then whole (register blocks, which repack a part
 * that starts mid-panel): the two must give the same bits, so that
 * results do not depend on how threads split the rows. With `fused`, a
 * per-column addend and a clamp. */
static void check_small_rows_match(sgemm_fused_t fused, const char *isa,
                                   int nr, int64_t m, int64_t n, int64_t k,
                                   int64_t c0, int64_t rows_per_call,
                                   int overwrite, int with_epilogue) {
  const int64_t lda = k + 1, ldb = n, ldc = n + 1;
  twin_product_t p =
      make_twin_product(m, n, k, lda, ldb, ldc, overwrite, with_epilogue);
  float *whole = p.first, *rows = p.second;
  const size_t nb = (size_t)(k * ldb);
  float *packed_b = pack_ahead(1, p.b, ldb, k, n, nr, 1.0f);
  tessera_rt_gemm_add_constants(packed_b, nb * sizeof(float));
  tessera_rt_gemm_add_packed(packed_b, ldb, k, n, nr, 1, packed_b);
  const float *addend = with_epilogue ? p.bias + c0 : NULL;
  for (int64_t i = 0; i < m; i += rows_per_call)
    fused(1, m - i < rows_per_call ? m - i : rows_per_call, n - c0, k,
          p.a + i * lda, 0, lda, packed_b + c0, 0, ldb, rows + i * ldc + c0,
          0, ldc, p.flags, addend, 0, 0, 1, NULL, 0, 0, 0, p.lower, p.upper);
  fused(1, m, n - c0, k, p.a, 0, lda, packed_b + c0, 0, ldb, whole + c0, 0,
        ldc, p.flags, addend, 0, 0, 1, NULL, 0, 0, 0, p.lower, p.upper);
  tessera_rt_gemm_remove_constants(packed_b, nb * sizeof(float));
  if (!twins_match(&p)) {
    ++failures;
    printf("FAILED %s small rows m %lld n %lld k %lld from column %lld, "
           "%lld rows per call, overwrite %d epilogue %d: the calls differ "
           "from the whole product\n",
           isa, (long long)m, (long long)n, (long long)k, (long long)c0,
           (long long)rows_per_call, overwrite, with_epilogue);
  }
  free_twin_product(&p);
  free(packed_b);
}

/* A product made once whole and once in two calls that split its rows
 * (or, `by_columns`, its columns) at `split`, as threads split a product:
 * the two must give the same bits. Where enough full row panels are
 * left, the narrow kernels run several together (stacked), so the split
 * calls group them differently from the whole product; a block's last 49
 * columns run as one register block whole, as 32 + 17 or 16 + (32 + 1)
 * columns split. With `with_epilogue`, a per-column addend and a clamp,
 * which the 49-column block applies after its store and the full blocks
 * in registers. */
static void check_split_match(sgemm_fused_t fused, const char *isa, int64_t m,
                              int64_t n, int64_t k, int64_t split,
                              int by_columns, int overwrite,
                              int with_epilogue) {
  const int64_t lda = k, ldb = n, ldc = n;
  twin_product_t p =
      make_twin_product(m, n, k, lda, ldb, ldc, overwrite, with_epilogue);
  float *whole = p.first, *parts = p.second;
  /* Rows [r0, r0 + rows) x columns [c0, c0 + cols) of the product. */
#define PART(out, r0, rows, c0, cols)                                          \
  fused(1, rows, cols, k, p.a + (r0) * lda, 0, lda, p.b + (c0), 0, ldb,       \
        (out) + (r0) * ldc + (c0), 0, ldc, p.flags,                            \
        with_epilogue ? p.bias + (c0) : NULL, 0, 0, 1, NULL, 0, 0, 0,          \
        p.lower, p.upper)
  PART(whole, 0, m, 0, n);
  if (by_columns) {
    PART(parts, 0, m, 0, split);
    PART(parts, 0, m, split, n - split);
  } else {
    PART(parts, 0, split, 0, n);
    PART(parts, split, m - split, 0, n);
  }
#undef PART
  if (!twins_match(&p)) {
    ++failures;
    printf("FAILED %s split %s m %lld n %lld k %lld at %lld, overwrite %d "
           "epilogue %d: the calls differ from the whole product\n",
           isa, by_columns ? "columns" : "rows", (long long)m, (long long)n,
           (long long)k, (long long)split, overwrite, with_epilogue);
  }
  free_twin_product(&p);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
#if defined(__x86_64__)
  struct {
    const char *isa;
    sgemm_t fn;
    sgemm_fused_t fused;
    int supported, mr, nr;
  } variants[] = {
      {"avx512", tessera_sgemm_avx512, tessera_sgemm_fused_avx512,
       __builtin_cpu_supports("avx512f"), TESSERA_SGEMM_AVX512_MR,
       TESSERA_SGEMM_AVX512_NR},
      {"avx2", tessera_sgemm_avx2, tessera_sgemm_fused_avx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"),
       TESSERA_SGEMM_AVX2_MR, TESSERA_SGEMM_AVX2_NR},
  };
  if (argc == 5 && strcmp(argv[1], "--bench") == 0) {
    int64_t m = atoll(argv[2]), n = atoll(argv[3]), k = atoll(argv[4]);
    float *a = calloc((size_t)(m * k), 4), *b = calloc((size_t)(k * n), 4),
          *c = calloc((size_t)(m * n), 4);
    /* A as a model's weights: packed once, on first use. */
    tessera_rt_gemm_add_constants(a, (size_t)(m * k) * sizeof(float));
    for (int v = 0; v < 2; ++v) {
      if (!variants[v].supported) continue;
      double best = 1e30;
      for (int r = 0; r < 10; ++r) {
        double t0 = now();
        variants[v].fn(1, m, n, k, a, 0, k, b, 0, n, c, 0, n, 0);
        double t = now() - t0;
        if (t < best) best = t;
      }
      printf("%s %lldx%lldx%lld: %.1f GFLOP/s\n", variants[v].isa,
             (long long)m, (long long)n, (long long)k,
             2.0 * (double)m * (double)n * (double)k / best * 1e-9);
    }
    return 0;
  }
  /* Column edges of 1-16 (half-width kernel) and 17 (16 + 1) columns;
   * edges of exactly 4, 8, 16 and 17 are read from B in place. */
  const int64_t sizes[] = {1,  2,  5,  7,  8,  9,  16, 17,
                           31, 33, 36, 40, 49, 64, 97, 130};
  const int64_t ks[] = {1, 3, 17, 256, 257, 600};
  /* No memory for packing, before any packing buffer exists: plain loops
   * (with constants registered too, and with an epilogue). */
  const epilogue_case_t relu_bias = {{1, 3}, 0.0f, __builtin_inff()};
  fail_aligned_alloc = 1;
  for (int v = 0; v < 2; ++v) {
    if (!variants[v].supported) continue;
    for (int overwrite = 0; overwrite < 2; ++overwrite)
      for (int constants = 0; constants < 2; ++constants) {
        check_case(variants[v].fn, variants[v].fused, variants[v].isa, 1, 40,
                   70, 300, 1, 1, constants, overwrite, no_epilogue);
        check_case(variants[v].fn, variants[v].fused, variants[v].isa, 2, 9,
                   33, 20, 0, 0, constants, overwrite, relu_bias);
      }
  }
  fail_aligned_alloc = 0;
  int tested = 0;
  for (int v = 0; v < 2; ++v) {
    if (!variants[v].supported) continue;
    ++tested;
    for (int overwrite = 0; overwrite < 2; ++overwrite)
      for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); ++i)
        for (size_t j = 0; j < sizeof(sizes) / sizeof(*sizes); ++j)
          for (size_t p = 0; p < sizeof(ks) / sizeof(*ks); p += 2)
            check_case(variants[v].fn, variants[v].fused, variants[v].isa,
                       1, sizes[i], sizes[j], ks[p + (i + j) % 2],
                       (i * 7 + j) % 3 == 0 ? 0 : 3, 1, 0, overwrite,
                       no_epilogue);
    /* Row blocks past MC and the packed-B path (m >= 128), K blocks
     * (column blocks past NC too, the last one of 49 columns: 561 = 512 +
     * 49), row panels swept outside column panels
     * (few rows, short k, over 1024 columns), then batches: separate B, and shared B
     * merged into one product. Each also with A and B constant. */
    static const struct {
      int64_t batch, m, n, k, pad;
      int shared_b;
    } shapes[] = {
        {1, 200, 100, 600, 1, 1}, {1, 300, 64, 300, 0, 1},
        {1, 130, 600, 300, 2, 1}, {1, 8, 33, 257, 0, 1},
        {1, 5, 40, 9, 1, 1},      {3, 20, 40, 30, 2, 0},
        {4, 50, 33, 70, 0, 1},    {2, 9, 17, 5, 1, 1},
        {1, 136, 49, 300, 1, 1},  {1, 128, 112, 40, 0, 1},
        {1, 9, 17, 0, 1, 1},      {1, 44, 1100, 27, 1, 1},
        {1, 136, 561, 300, 1, 1},
    };
    for (int overwrite = 0; overwrite < 2; ++overwrite)
      for (int constants = 0; constants < 2; ++constants)
        for (size_t i = 0; i < sizeof(shapes) / sizeof(*shapes); ++i)
          check_case(variants[v].fn, variants[v].fused, variants[v].isa,
                     shapes[i].batch, shapes[i].m, shapes[i].n, shapes[i].k,
                     shapes[i].pad, shapes[i].shared_b, constants, overwrite,
                     no_epilogue);
    /* Fused epilogues on edge shapes, K blocks, the small-m path, an empty
     * k, and batches (merged into one product or not). */
    static const epilogue_case_t epilogues[] = {
        {{1, 0}, 0.0f, 6.0f},  {{2, 3}, 0.0f, __builtin_inff()},
        {{3, 0}, -__builtin_inff(), 0.5f}, {{3, 1}, -1.0f, 1.0f},
        {{0, 2}, -__builtin_inff(), __builtin_inff()},
        {{0, 0}, -0.25f, 0.25f}};
    for (size_t e = 0; e < sizeof(epilogues) / sizeof(*epilogues); ++e)
      for (int overwrite = 0; overwrite < 2; ++overwrite)
        for (size_t i = 0; i < sizeof(shapes) / sizeof(*shapes); ++i)
          check_case(variants[v].fn, variants[v].fused, variants[v].isa,
                     shapes[i].batch, shapes[i].m, shapes[i].n, shapes[i].k,
                     shapes[i].pad, shapes[i].shared_b, (int)(e + i) % 2,
                     overwrite, epilogues[e]);
    for (size_t e = 0; e < sizeof(epilogues) / sizeof(*epilogues); ++e)
      for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); ++i)
        check_case(variants[v].fn, variants[v].fused, variants[v].isa, 1,
                   sizes[i], sizes[(i * 5 + e) % 14], ks[(i + e) % 6], 1, 1,
                   0, 1, epilogues[e]);
    /* Prepacked operands: whole products, parts from a panel boundary (one
     * thread's slice) and parts from elsewhere; K blocks, column blocks
     * past NC, and products with too few rows to pack B. */
    static const struct { int64_t m, n, k, pad; } prepacked[] = {
        {200, 100, 600, 1}, {130, 600, 300, 0}, {20, 40, 30, 2},
        {140, 49, 257, 0},
    };
    const int mr = variants[v].mr, nr = variants[v].nr;
    const int64_t starts[][2] = {{0, 0}, {mr, nr}, {2 * mr, 0}, {3, 0},
                                 {0, 5}, {mr, 2 * nr + 1}};
    for (int overwrite = 0; overwrite < 2; ++overwrite)
      for (size_t i = 0; i < sizeof(prepacked) / sizeof(*prepacked); ++i)
        for (size_t s = 0; s < sizeof(starts) / sizeof(*starts); ++s)
          if (starts[s][0] < prepacked[i].m && starts[s][1] < prepacked[i].n)
            check_prepacked(variants[v].fn, variants[v].isa, mr, nr,
                            prepacked[i].m, prepacked[i].n, prepacked[i].k,
                            prepacked[i].pad, starts[s][0], starts[s][1],
                            overwrite, 0);
    /* Copies in place: whole panels of rows and columns, no padding; both
     * operands, or B alone. Parts from a panel boundary, from mid-panel
     * (repacked from the copy), and with fewer rows than a register block
     * or than B is packed for. */
    const int64_t in_place_shapes[][3] = {
        {48, 64, 300}, {144, 96, 257}, {24, 32, 7}};
    for (int overwrite = 0; overwrite < 2; ++overwrite)
      for (size_t i = 0; i < 3; ++i) {
        const int64_t m = in_place_shapes[i][0], n = in_place_shapes[i][1];
        const int64_t parts[][2] = {{0, 0}, {mr, nr}, {3, 5}, {m - 3, 0},
                                    {mr + 1, 2 * nr + 1}};
        for (size_t s = 0; s < sizeof(parts) / sizeof(*parts); ++s)
          for (int in_place = 1; in_place <= 2; ++in_place)
            check_prepacked(variants[v].fn, variants[v].isa, mr, nr, m, n,
                            in_place_shapes[i][2], 0, parts[s][0],
                            parts[s][1], overwrite, in_place);
      }
    /* Calls of 1 and of mr - 1 rows against the whole product: K blocks,
     * columns from a panel, from half a panel and from no vector
     * boundary. */
    const int64_t columns_from[] = {0, nr / 2, 5, nr + 3};
    for (int overwrite = 0; overwrite < 2; ++overwrite)
      for (int with_epilogue = 0; with_epilogue < 2; ++with_epilogue)
        for (size_t s = 0; s < 4; ++s)
          for (int64_t k = 7; k <= 600; k += 593)
            for (int64_t rows = 1; rows < mr; rows += mr - 2)
              check_small_rows_match(variants[v].fused, variants[v].isa, nr,
                                     2 * mr + 3, 4 * nr, k, columns_from[s],
                                     rows, overwrite, with_epilogue);
    /* Edge panels of 4, 8 and 16 columns (36, 40, 48) and 32 + 17
     * columns (49), over 9 row panels split after 1, 1.5, 2.5 and 5 of them
     * (a part of fewer rows than a register block runs as plain loops, in
     * another order). Then a block's last 49 columns split after one and
     * two 16-column vectors (a thread's share), after other panels (81
     * columns) or not, with a partial row panel and past a K block; B
     * read in place and packed (m >= 128). Each accumulating and
     * overwriting, with and without an epilogue. */
    const int64_t split_columns[] = {36, 40, 48, 49};
    const int64_t splits[] = {mr, 3 * mr / 2, 5 * mr / 2, 5 * mr};
    const int64_t split_rows[] = {9 * mr + 3,
                                  TESSERA_SGEMM_PACK_B_MIN_ROWS + 3};
    for (int overwrite = 0; overwrite < 2; ++overwrite)
      for (int with_epilogue = 0; with_epilogue < 2; ++with_epilogue) {
        for (size_t s = 0; s < 4; ++s)
          for (size_t t = 0; t < 4; ++t)
            check_split_match(variants[v].fused, variants[v].isa, 9 * mr,
                              split_columns[s], 300, splits[t], 0, overwrite,
                              with_epilogue);
        for (size_t r = 0; r < 2; ++r)
          for (int64_t n = 49; n <= 81; n += 32)
            for (int64_t split = n - 33; split <= n - 17; split += 16)
              check_split_match(variants[v].fused, variants[v].isa,
                                split_rows[r], n, 300, split, 1, overwrite,
                                with_epilogue);
      }
  }
  if (!tested) {
    printf("gemm tests skipped: no AVX2/FMA on this CPU\n");
    return 0;
  }
  if (failures) {
    printf("%d of %d gemm cases failed\n", failures, cases);
    return 1;
  }
  printf("gemm tests passed: %d cases\n", cases);
#else
  (void)argc; (void)argv;
  printf("gemm tests skipped: not x86-64\n");
#endif
  return 0;
}
