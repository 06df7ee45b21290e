/*===- Gemm.c - fp32 matrix-product micro-kernels -----------------------------===*\
 *
 * C += A * B (or C = A * B) for row-major fp32 matrices, called by the generated code for
 * every matrix product it recognizes (tessera-matmul-to-microkernel). This
 * is hand-written, as IREE's and ONNX Runtime's micro-kernels are, because
 * LLVM's loop vectorizer on the loop nest reaches about 35-40% of the FMA
 * peak and this reaches 75-85% of it on Zen 4 and 80-92% on a Xeon with two
 * 512-bit FMA units (`make bench`; also
 * `tessera-gemm-test --bench M N K`):
 * register blocking (an MR x NR block of C stays in registers over the
 * whole K block), packed A panels for contiguous broadcasts, packed B
 * panels when enough rows of A reuse them, and cache blocking over K and M.
 * Operands inside a loaded model's weights are read from the packed copies
 * the compiler put into them (`packed` records), or packed once, on first
 * use, and the copy reused by every later run.
 *
 * Each ISA variant is compiled with a target attribute, so the runtime
 * builds with the default flags; the compiler calls the variant the target
 * CPU supports.
\*===----------------------------------------------------------------------===*/

#include "tessera/Runtime/tessera_package_abi.h"

#include "RuntimeInternal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* K is blocked so that an A panel (MR x KC) and a B panel (KC x NR) stay in
 * L1/L2 while a block of C is computed; M so that the block of packed A
 * the micro-kernels sweep (MC x KC, 96 KiB) stays in L2. */
#define KC TESSERA_SGEMM_KC
#ifndef MC
#define MC 96
#endif
/* Packed B blocks are KC x NC (512 KiB), half of a Zen 4 L2. */
#ifndef NC
#define NC 512
#endif
#define MAX_NR 32
/* The AVX-512 kernels prefetch A (packed weights, read once per product in
 * most models' later layers, where the spatial size is small) this far
 * ahead: 2 KiB, 32 values of k. With a model's weights out of cache the
 * hardware prefetcher alone left the kernels waiting on memory: a
 * Winograd 512x7x7 convolution with cold weights took 2.38 ms, and 1.28
 * ms with this (0.86 ms with its weights in cache); 256, 1024 and 2048
 * floats gave 1.45, 1.59 and 1.80 ms (Xeon, AVX-512, 2 FMA units). Each
 * kernel spells the prefetch in its own k loop: the same two lines as an
 * inline helper made ResNet-18 5-13% slower at 1 thread (GCC laid out the
 * loops differently; not investigated further). */
#define PREFETCH_A_FLOATS 512
/* The half-width kernel (8 x 16: ResNet-18's 512 x 7 x 7 Winograd
 * products, 16 tiles) reads A twice as fast per FMA as the full one, and
 * the L1 prefetch alone left its loop waiting on A from memory: it also
 * prefetches into L2 this far ahead (16 KiB). ResNet-18 (alternating
 * runs, Xeon, 2.3 GHz): 1 thread 18.4-18.8 -> 17.8-18.4 ms, 2 threads
 * median 10.04 -> 9.87 ms over 6 rounds; 8 and 32 KiB ahead, or into L3
 * (T2), alike. Added to the full and 17-column kernels it gained nothing
 * more and cost BERT and SqueezeNet 0.3-1%. */
#define PREFETCH_A_L2_FLOATS 4096

/* `width` rows of A (columns of B) padded to whole panels of `panel`. */
static inline int64_t padded_to_panels(int64_t width, int panel) {
  return round_up(width, panel);
}

/*===--- Packing buffers --------------------------------------------------===*/

/* At least `floats` floats, 64-byte aligned, kept per thread; NULL when
 * out of memory. */
static float *pack_storage(size_t floats) {
  return tessera_rt_thread_scratch(TESSERA_RT_SCRATCH_GEMM_PACKING, floats);
}

#if defined(__x86_64__)
/* Eight full rows of A, k in steps of 8: an 8 x 8 transpose in registers
 * per step instead of 64 strided scalar loads. */
__attribute__((target("avx2"))) static int64_t
pack_a_panel_of_8(int64_t kc, const float *a, int64_t lda, float *packed) {
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    __m256 r0 = _mm256_loadu_ps(a + 0 * lda + k);
    __m256 r1 = _mm256_loadu_ps(a + 1 * lda + k);
    __m256 r2 = _mm256_loadu_ps(a + 2 * lda + k);
    __m256 r3 = _mm256_loadu_ps(a + 3 * lda + k);
    __m256 r4 = _mm256_loadu_ps(a + 4 * lda + k);
    __m256 r5 = _mm256_loadu_ps(a + 5 * lda + k);
    __m256 r6 = _mm256_loadu_ps(a + 6 * lda + k);
    __m256 r7 = _mm256_loadu_ps(a + 7 * lda + k);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    float *out = packed + k * 8;
    _mm256_storeu_ps(out + 0, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(out + 16, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(out + 24, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(out + 32, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(out + 40, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(out + 48, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(out + 56, _mm256_permute2f128_ps(u3, u7, 0x31));
  }
  return k;
}
#endif

/* Rows [0, mc) x cols [0, kc) of A as panels of `mr` rows: panel p holds,
 * for each k, the `mr` values A[p*mr + i][k] (zero past mc). */
static void pack_a(int64_t mc, int64_t kc, int mr, const float *a, int64_t lda,
                   float *packed) {
  for (int64_t p = 0; p < mc; p += mr) {
    int rows = mc - p < mr ? (int)(mc - p) : mr;
#if defined(__x86_64__)
    /* Only the AVX-512 kernel has 8-row panels, so AVX2 is there. */
    if (rows == 8 && mr == 8) {
      int64_t k = pack_a_panel_of_8(kc, a + p * lda, lda, packed);
      for (; k < kc; ++k)
        for (int i = 0; i < 8; ++i)
          packed[k * 8 + i] = a[(p + i) * lda + k];
      packed += kc * mr;
      continue;
    }
#endif
    for (int64_t k = 0; k < kc; ++k) {
      for (int i = 0; i < rows; ++i)
        packed[k * mr + i] = a[(p + i) * lda + k];
      for (int i = rows; i < mr; ++i)
        packed[k * mr + i] = 0.0f;
    }
    packed += kc * mr;
  }
}

/* Full panels are packed PACK_B_GROUP_COLUMNS columns at a time, row by
 * row: each row of B gives 512 bytes in order. Panel by panel, B was read
 * a 128-byte strip per row, which the hardware prefetchers do not follow
 * across rows 4 KiB apart: with both operands packed per call, 1024^3
 * spent 6.3% of its time in pack_b and ran at 155-169 GFLOP/s; it now
 * runs at 167-174 (alternating; products whose B is in L2 unchanged).
 * Whole rows (a write stream per panel) were no faster there and slower
 * with B in L2. */
#define PACK_B_GROUP_COLUMNS 128

#if defined(__x86_64__)
/* pack_b's edge panel of `cols` (< 32) columns for the AVX-512 kernels,
 * the only ones whose panels are 32 wide: two masked moves per row. The
 * generic loop copied it with SSE moves and a memset call per row, 9% of
 * a 160 x 49 x 960 product (MobileNetV2's 7 x 7 maps: 32 + 17 columns),
 * which now takes 100.5-101 instead of 105-105.5 us (alternating). */
__attribute__((target("avx512f"))) static void
pack_b_edge_avx512(int64_t kc, int cols, const float *b, int64_t ldb,
                   float *panel) {
  const __mmask16 low = first_lanes_16(cols), high = first_lanes_16(cols - 16);
  for (int64_t k = 0; k < kc; ++k) {
    _mm512_storeu_ps(panel + k * 32, _mm512_maskz_loadu_ps(low, b + k * ldb));
    _mm512_storeu_ps(panel + k * 32 + 16,
                     _mm512_maskz_loadu_ps(high, b + k * ldb + 16));
  }
}
#endif

/* Rows [0, kc) x cols [0, nc) of B as panels of `nr` columns (zero past
 * nc): the panel from column p holds, at packed + p * kc, for each k,
 * B[k][p .. p + nr) (row k at + k * nr). */
static void pack_b(int64_t kc, int64_t nc, int nr, const float *b, int64_t ldb,
                   float *packed) {
  /* Constant-size copies, which the compiler turns into a few vector
   * moves (a memcpy call per 64- or 128-byte row cost BERT's products 10%
   * of their time). */
  const int64_t full = nr == 32 || nr == 16 ? nc / nr * nr : 0;
  for (int64_t group = 0; group < full; group += PACK_B_GROUP_COLUMNS) {
    const int64_t end = group + PACK_B_GROUP_COLUMNS < full
                            ? group + PACK_B_GROUP_COLUMNS
                            : full;
    for (int64_t k = 0; k < kc; ++k)
      for (int64_t p = group; p < end; p += nr) {
        if (nr == 32)
          __builtin_memcpy(packed + p * kc + k * 32, b + k * ldb + p,
                           32 * sizeof(float));
        else
          __builtin_memcpy(packed + p * kc + k * 16, b + k * ldb + p,
                           16 * sizeof(float));
      }
  }
  for (int64_t p = full; p < nc; p += nr) {
    const int cols = nc - p < nr ? (int)(nc - p) : nr;
    const float *source = b + p;
    float *panel = packed + p * kc;
#if defined(__x86_64__)
    if (nr == 32) {
      pack_b_edge_avx512(kc, cols, source, ldb, panel);
      continue;
    }
#endif
    for (int64_t k = 0; k < kc; ++k) {
      for (int j = 0; j < cols; ++j)
        panel[k * nr + j] = source[k * ldb + j];
      for (int j = cols; j < nr; ++j)
        panel[k * nr + j] = 0.0f;
    }
  }
}

/* C[0:mr, 0:nr] = (overwrite ? 0 : C) + tile[0:mr, 0:nr] (tile rows are
 * MAX_NR apart). */
static void add_tile(float *c, int64_t ldc, const float *tile, int mr, int nr,
                     int overwrite) {
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nr; ++j)
      c[i * ldc + j] =
          overwrite ? tile[i * MAX_NR + j] : c[i * ldc + j] + tile[i * MAX_NR + j];
}

/*===--- Epilogue ---------------------------------------------------------===*/

/* What tessera_sgemm_fused_* applies to each element of C once its sum is
 * complete: up to two addends (a per-row or per-column vector or a matrix,
 * added in order), then min(upper, max(lower, v)). Rows and columns are
 * those of the product being computed; `addend` points at its element
 * (0, 0). */
typedef struct epilogue {
  const float *addend[2];
  int64_t row_stride[2], column_stride[2]; /* column stride 0 or 1 */
  float lower, upper;
} epilogue_t;

typedef void (*epilogue_kernel_t)(float *c, int64_t ldc, int64_t rows,
                                  int64_t cols, const epilogue_t *epilogue,
                                  int64_t row0, int64_t col0);

/* The epilogue over the rows x cols block of C at `c`, which is the
 * product's block at (row0, col0). max(lower, x) and min(upper, x) return
 * x when it is a NaN, as arith.maximumf and minimumf do. */
#define DEFINE_EPILOGUE(name, target_attribute, VEC, WIDTH, SET1, LOAD, STORE, \
                        ADD, MAX, MIN)                                         \
  target_attribute static void name(float *c, int64_t ldc, int64_t rows,       \
                                    int64_t cols, const epilogue_t *e,         \
                                    int64_t row0, int64_t col0) {              \
    const VEC lower = SET1(e->lower), upper = SET1(e->upper);                  \
    for (int64_t i = 0; i < rows; ++i) {                                       \
      float *row = c + i * ldc;                                                \
      const float *addend[2];                                                  \
      for (int t = 0; t < 2; ++t)                                              \
        addend[t] = e->addend[t] ? e->addend[t] +                              \
                                       (row0 + i) * e->row_stride[t] +         \
                                       col0 * e->column_stride[t]              \
                                 : NULL;                                       \
      for (int64_t j = 0; j < cols; j += WIDTH) {                              \
        const int64_t count = cols - j < WIDTH ? cols - j : WIDTH;             \
        VEC v = LOAD(row + j, count);                                          \
        for (int t = 0; t < 2; ++t)                                            \
          if (addend[t])                                                       \
            v = ADD(v, e->column_stride[t] ? LOAD(addend[t] + j, count)        \
                                           : SET1(*addend[t]));                \
        STORE(row + j, MIN(upper, MAX(lower, v)), count);                      \
      }                                                                        \
    }                                                                          \
  }

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static inline __m512
load_avx512(const float *p, int64_t count) {
  return _mm512_maskz_loadu_ps(first_lanes_16(count), p);
}
__attribute__((target("avx512f"))) static inline void
store_avx512(float *p, __m512 v, int64_t count) {
  _mm512_mask_storeu_ps(p, first_lanes_16(count), v);
}
DEFINE_EPILOGUE(epilogue_avx512, __attribute__((target("avx512f"))), __m512,
                16, _mm512_set1_ps, load_avx512, store_avx512, _mm512_add_ps,
                _mm512_max_ps, _mm512_min_ps)

__attribute__((target("avx2"))) static inline __m256i
lanes_avx2(int64_t count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
__attribute__((target("avx2"))) static inline __m256
load_avx2(const float *p, int64_t count) {
  return count == 8 ? _mm256_loadu_ps(p)
                    : _mm256_maskload_ps(p, lanes_avx2(count));
}
__attribute__((target("avx2"))) static inline void
store_avx2(float *p, __m256 v, int64_t count) {
  if (count == 8)
    _mm256_storeu_ps(p, v);
  else
    _mm256_maskstore_ps(p, lanes_avx2(count), v);
}
DEFINE_EPILOGUE(epilogue_avx2, __attribute__((target("avx2"))), __m256, 8,
                _mm256_set1_ps, load_avx2, store_avx2, _mm256_add_ps,
                _mm256_max_ps, _mm256_min_ps)
#endif

/*===--- Micro-kernels ----------------------------------------------------===*/

/* Each computes an MR x NR block: acc = sum over k < kc of packed_a[k][i] *
 * b[k * ldb + j], then C += acc, or C = acc when `overwrite` (C is not
 * read); only the mr x nr valid part on edges. */
typedef void (*micro_kernel_t)(int64_t kc, const float *packed_a,
                               const float *b, int64_t ldb, float *c,
                               int64_t ldc, int mr, int nr, int overwrite);
/* The same, then the epilogue on the block, C's at (row0, col0). */
typedef void (*fused_micro_kernel_t)(int64_t kc, const float *packed_a,
                                     const float *b, int64_t ldb, float *c,
                                     int64_t ldc, int mr, int nr,
                                     int overwrite, const epilogue_t *epilogue,
                                     int64_t row0, int64_t col0);
/* Rows of B's next column panel for a register block to prefetch: `count`
 * rows from `rows` on (rows NULL: none), a row every ld floats of the
 * panel the block reads (both panels' ld is the same: see
 * prefetch_share). */
typedef struct panel_prefetch {
  const float *rows;
  int64_t count;
} panel_prefetch_t;

/* The same (epilogue NULL: none), prefetching `next` rows of the next
 * column panel of B, where B is read in place or from a packed copy in the
 * weights (see run_register_block). */
typedef void (*prefetching_micro_kernel_t)(
    int64_t kc, const float *packed_a, const float *b, int64_t ldb, float *c,
    int64_t ldc, int mr, int nr, int overwrite, const epilogue_t *epilogue,
    int64_t row0, int64_t col0, panel_prefetch_t next);

#if defined(__x86_64__)

#define AVX512_MR TESSERA_SGEMM_AVX512_MR
#define AVX512_NR TESSERA_SGEMM_AVX512_NR

/* The full register block's sums plus the epilogue's addends, clamped, in
 * registers (a separate pass over the stored block costs as much as a
 * product with k = 32 computes). */
#define APPLY_EPILOGUE_TO_BLOCK(MR, VEC, WIDTH, SET1, LOAD, ADD, MAX, MIN,    \
                                e, row0, col0, acc)                            \
  do {                                                                         \
    for (int t = 0; t < 2 && e->addend[t]; ++t) {                              \
      const int64_t rs = e->row_stride[t];                                     \
      const float *p = e->addend[t] + (row0) * rs + (col0) * e->column_stride[t]; \
      if (e->column_stride[t]) {                                               \
        _Pragma("GCC unroll 16") for (int i = 0; i < MR; ++i) {                \
          acc[i][0] = ADD(acc[i][0], LOAD(p + i * rs));                        \
          acc[i][1] = ADD(acc[i][1], LOAD(p + i * rs + WIDTH));                \
        }                                                                      \
      } else {                                                                 \
        _Pragma("GCC unroll 16") for (int i = 0; i < MR; ++i) {                \
          const VEC x = SET1(p[i * rs]);                                       \
          acc[i][0] = ADD(acc[i][0], x);                                       \
          acc[i][1] = ADD(acc[i][1], x);                                       \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    /* An infinite bound changes nothing (ReLU has no upper one). */         \
    if (e->lower != -__builtin_inff()) {                                       \
      const VEC lower = SET1(e->lower);                                        \
      _Pragma("GCC unroll 16") for (int i = 0; i < MR; ++i) {                  \
        acc[i][0] = MAX(lower, acc[i][0]);                                     \
        acc[i][1] = MAX(lower, acc[i][1]);                                     \
      }                                                                        \
    }                                                                          \
    if (e->upper != __builtin_inff()) {                                        \
      const VEC upper = SET1(e->upper);                                        \
      _Pragma("GCC unroll 16") for (int i = 0; i < MR; ++i) {                  \
        acc[i][0] = MIN(upper, acc[i][0]);                                     \
        acc[i][1] = MIN(upper, acc[i][1]);                                     \
      }                                                                        \
    }                                                                          \
  } while (0)

/* `epilogue` (NULL: none) is applied to the block, which is C's at (row0,
 * col0); `next` (rows NULL: none) are rows of the next column panel's B,
 * which the k loop prefetches spread over its iterations: the lines of
 * each row, three per row (a row of NR floats that does not start a line
 * spans three; a packed row spans two, and the third prefetch repeats the
 * second line). */
__attribute__((target("avx512f"), always_inline)) static inline void
micro_kernel_avx512_prefetching_body(int64_t kc, const float *packed_a,
                                     const float *b, int64_t ldb, float *c,
                                     int64_t ldc, int mr, int nr,
                                     int overwrite, const epilogue_t *epilogue,
                                     int64_t row0, int64_t col0,
                                     panel_prefetch_t next) {
  __m512 acc[AVX512_MR][2];
  /* C's block is read (or written) only after the k loop, by which time
   * these lines are in L1: a 4096 x 4096 x 1024 product, whose C (64 MiB)
   * comes from memory once per K block, went from 260 to 214 ms, and
   * 1024^3 from 12.0 to 11.6 ms (1 thread, alternating runs). They are
   * fetched for writing (owned, not shared): on 2 threads a block of C
   * is likely memory the other core wrote last (the arena's previous
   * tenant, split differently), and a read prefetch would leave the store
   * a second trip to take the line from it. MobileNetV2's 28 x 28
   * expansions (192 x 784 x 32) took 41.7-50.8 us at 2 threads, 31.8-35.7
   * with this (traced jobs); the whole model 2.75-2.82 -> 2.71-2.73 ms.
   * Only the block's own rows and lines: another thread may be writing
   * the next ones. */
#pragma GCC unroll 16
  for (int i = 0; i < AVX512_MR; ++i) {
    acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    if (i < mr) {
      prefetch_for_writing(c + i * ldc);
      if (nr > 16)
        prefetch_for_writing(c + i * ldc + 16);
    }
  }
#define STEP(k)                                                                \
  do {                                                                         \
    __m512 b0 = _mm512_loadu_ps(b + (k) * ldb);                                \
    __m512 b1 = _mm512_loadu_ps(b + (k) * ldb + 16);                           \
    const float *a = packed_a + (k) * AVX512_MR;                               \
    _Pragma("GCC unroll 16") for (int i = 0; i < AVX512_MR; ++i) {            \
      __m512 ai = _mm512_set1_ps(a[i]);                                        \
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);                          \
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);                          \
    }                                                                          \
  } while (0)
#define PREFETCH_NEXT_ROW()                                                    \
  do {                                                                         \
    const char *row = (const char *)(next.rows + prefetched * ldb);            \
    _mm_prefetch(row, _MM_HINT_T0);                                            \
    _mm_prefetch(row + 64, _MM_HINT_T0);                                       \
    _mm_prefetch(row + (AVX512_NR - 1) * sizeof(float), _MM_HINT_T0);         \
    ++prefetched;                                                              \
  } while (0)
  /* The rows spread evenly over the iterations, from the first on, or
   * two per iteration when there are more rows than iterations. Where the
   * column panel's row panels run one after another, the first row
   * block's register blocks split the next panel's rows between them
   * (prefetch_share): one block prefetching a whole panel from memory, a
   * line every few cycles, kept the fill buffers full for memory's
   * latency and stalled its loop. BERT's FFN product (128 x 1024 x 256,
   * 1 thread, % of the peak, alternating): with its weights flushed from
   * the caches before each call 66.6-68.5 -> 75.0-78.5, with them in L3
   * 73.4-76.6 -> 75.0-77.2, in L2 80.3 -> 78.7-79.7 (the blocks that did
   * not prefetch before now run this loop). */
  const int64_t rows = next.rows ? next.count : 0;
  int64_t prefetched = 0;
  const int64_t iterations = kc / 2;
  /* Two values of k per iteration: one prefetch of A per 64 bytes without
   * a branch, and half the loop's counter updates (1024^3: 0.5-1%). */
  int64_t k = 0;
  if (rows > 0 && rows <= iterations) {
    /* Its own loop: a countdown in the common one cost that product with
     * B in L2 another point. */
    const int64_t step = 2 * (iterations / rows);
    int64_t next_k = 0;
    for (; k + 2 <= kc; k += 2) {
      _mm_prefetch(
          (const char *)(packed_a + k * AVX512_MR + PREFETCH_A_FLOATS),
          _MM_HINT_T0);
      if (k == next_k && prefetched < rows) {
        PREFETCH_NEXT_ROW();
        next_k += step;
      }
      STEP(k);
      STEP(k + 1);
    }
  } else {
    for (; k + 2 <= kc; k += 2) {
      _mm_prefetch(
          (const char *)(packed_a + k * AVX512_MR + PREFETCH_A_FLOATS),
          _MM_HINT_T0);
      if (prefetched < rows) {
        PREFETCH_NEXT_ROW();
        if (prefetched < rows)
          PREFETCH_NEXT_ROW();
      }
      STEP(k);
      STEP(k + 1);
    }
  }
  if (k < kc)
    STEP(k);
  while (prefetched < rows)
    PREFETCH_NEXT_ROW();
#undef PREFETCH_NEXT_ROW
#undef STEP
  if (mr == AVX512_MR && nr == AVX512_NR) {
    if (!overwrite) {
#pragma GCC unroll 16
      for (int i = 0; i < AVX512_MR; ++i) {
        acc[i][0] = _mm512_add_ps(_mm512_loadu_ps(c + i * ldc), acc[i][0]);
        acc[i][1] =
            _mm512_add_ps(_mm512_loadu_ps(c + i * ldc + 16), acc[i][1]);
      }
    }
    if (epilogue)
      APPLY_EPILOGUE_TO_BLOCK(AVX512_MR, __m512, 16, _mm512_set1_ps,
                              _mm512_loadu_ps, _mm512_add_ps, _mm512_max_ps,
                              _mm512_min_ps, epilogue, row0, col0, acc);
#pragma GCC unroll 16
    for (int i = 0; i < AVX512_MR; ++i) {
      _mm512_storeu_ps(c + i * ldc, acc[i][0]);
      _mm512_storeu_ps(c + i * ldc + 16, acc[i][1]);
    }
    return;
  }
  /* Every loop over the accumulators is unrolled: one indexed at run time
   * would keep them in memory (stored at the start and after the k loop of
   * every call, 32 zmm stores: 10-25% of a product with k <= 32). */
  float tile[AVX512_MR * MAX_NR];
#pragma GCC unroll 16
  for (int i = 0; i < AVX512_MR; ++i) {
    _mm512_storeu_ps(tile + i * MAX_NR, acc[i][0]);
    _mm512_storeu_ps(tile + i * MAX_NR + 16, acc[i][1]);
  }
  add_tile(c, ldc, tile, mr, nr, overwrite);
  if (epilogue)
    epilogue_avx512(c, ldc, mr, nr, epilogue, row0, col0);
}

/* `name` (a micro_kernel_t) and `name`_fused (a fused_micro_kernel_t) from
 * `name`_body. */
#define DEFINE_MICRO_KERNELS(name, target_attribute)                           \
  target_attribute static void name(int64_t kc, const float *packed_a,         \
                                    const float *b, int64_t ldb, float *c,     \
                                    int64_t ldc, int mr, int nr,               \
                                    int overwrite) {                           \
    name##_body(kc, packed_a, b, ldb, c, ldc, mr, nr, overwrite, NULL, 0, 0);  \
  }                                                                            \
  target_attribute static void name##_fused(                                   \
      int64_t kc, const float *packed_a, const float *b, int64_t ldb,          \
      float *c, int64_t ldc, int mr, int nr, int overwrite,                    \
      const epilogue_t *epilogue, int64_t row0, int64_t col0) {                \
    name##_body(kc, packed_a, b, ldb, c, ldc, mr, nr, overwrite, epilogue,     \
                row0, col0);                                                   \
  }

__attribute__((target("avx512f"), always_inline)) static inline void
micro_kernel_avx512_body(int64_t kc, const float *packed_a, const float *b,
                         int64_t ldb, float *c, int64_t ldc, int mr, int nr,
                         int overwrite, const epilogue_t *epilogue,
                         int64_t row0, int64_t col0) {
  micro_kernel_avx512_prefetching_body(kc, packed_a, b, ldb, c, ldc, mr, nr,
                                       overwrite, epilogue, row0, col0,
                                       (panel_prefetch_t){NULL, 0});
}

DEFINE_MICRO_KERNELS(micro_kernel_avx512, __attribute__((target("avx512f"))))

__attribute__((target("avx512f"))) static void micro_kernel_avx512_prefetching(
    int64_t kc, const float *packed_a, const float *b, int64_t ldb, float *c,
    int64_t ldc, int mr, int nr, int overwrite, const epilogue_t *epilogue,
    int64_t row0, int64_t col0, panel_prefetch_t next) {
  micro_kernel_avx512_prefetching_body(kc, packed_a, b, ldb, c, ldc, mr, nr,
                                       overwrite, epilogue, row0, col0, next);
}

/* A block of at most 16 columns (an edge panel: 196 = 6 x 32 + 4, or a
 * thread's half of 224 = 3 x 32 + 16) takes half the FMAs of a full one. */
__attribute__((target("avx512f"))) static void
micro_kernel_avx512_half(int64_t kc, const float *packed_a, const float *b,
                         int64_t ldb, float *c, int64_t ldc, int mr, int nr,
                         int overwrite) {
  __m512 acc[AVX512_MR];
#pragma GCC unroll 16
  for (int i = 0; i < AVX512_MR; ++i)
    acc[i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    __m512 b0 = _mm512_loadu_ps(b + k * ldb);
    const float *a = packed_a + k * AVX512_MR;
    if (!(k & 1)) {
      _mm_prefetch((const char *)(a + PREFETCH_A_FLOATS), _MM_HINT_T0);
      _mm_prefetch((const char *)(a + PREFETCH_A_L2_FLOATS), _MM_HINT_T1);
    }
#pragma GCC unroll 16
    for (int i = 0; i < AVX512_MR; ++i)
      acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i]), b0, acc[i]);
  }
  __mmask16 columns = (__mmask16)((1u << nr) - 1);
#pragma GCC unroll 16
  for (int i = 0; i < AVX512_MR && i < mr; ++i) {
    float *row = c + i * ldc;
    __m512 sum = overwrite ? acc[i]
                           : _mm512_add_ps(_mm512_maskz_loadu_ps(columns, row),
                                           acc[i]);
    _mm512_mask_storeu_ps(row, columns, sum);
  }
}

/* A block of 17 columns: the last 7 x 7 feature maps give N = 49 = 32 +
 * 17. Column 16 goes along A's panel instead (8 rows in one ymm times a
 * broadcast of B), whose FMA chain hides under the 16-column block's: 8.5
 * FMA cycles per k instead of the full kernel's 16. Every element's sum
 * runs over k in the same order as in the other kernels. */
__attribute__((target("avx512f,fma"))) static void
micro_kernel_avx512_17(int64_t kc, const float *packed_a, const float *b,
                       int64_t ldb, float *c, int64_t ldc, int mr, int nr,
                       int overwrite) {
  __m512 acc[AVX512_MR];
  __m256 last = _mm256_setzero_ps();
#pragma GCC unroll 16
  for (int i = 0; i < AVX512_MR; ++i)
    acc[i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    __m512 b0 = _mm512_loadu_ps(b + k * ldb);
    const float *a = packed_a + k * AVX512_MR;
    if (!(k & 1))
      _mm_prefetch((const char *)(a + PREFETCH_A_FLOATS), _MM_HINT_T0);
    last = _mm256_fmadd_ps(_mm256_loadu_ps(a), _mm256_set1_ps(b[k * ldb + 16]),
                           last);
#pragma GCC unroll 16
    for (int i = 0; i < AVX512_MR; ++i)
      acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i]), b0, acc[i]);
  }
  float column[AVX512_MR];
  _mm256_storeu_ps(column, last);
#pragma GCC unroll 16
  for (int i = 0; i < AVX512_MR && i < mr; ++i) {
    float *row = c + i * ldc;
    if (overwrite) {
      _mm512_storeu_ps(row, acc[i]);
      row[16] = column[i];
    } else {
      _mm512_storeu_ps(row, _mm512_add_ps(_mm512_loadu_ps(row), acc[i]));
      row[16] += column[i];
    }
  }
  (void)nr;
}

/* A column block's last 49 columns, a full panel and the 17-column edge
 * after it (N = 49: the 7 x 7 maps' products), in one register block: 24
 * vectors and column 48 along A's panel, as in the 17-column kernel. Each
 * of A's values loaded serves three FMAs instead of two in one block and
 * one in the other, and A's panel is read once instead of twice. `b` is
 * the full panel's rows, `edge` the 17 columns' (each with its own ld: the
 * edge may be a padded copy). Alone (kc = 256, GFLOP/s, best of 60 rounds) it ran
 * at 180-184, the full and 17-column kernels at 176-188 and 155-164. */
__attribute__((target("avx512f,fma"))) static void
micro_kernel_avx512_49(int64_t kc, const float *packed_a, const float *b,
                       int64_t ldb, const float *edge, int64_t ld_edge,
                       float *c, int64_t ldc, int mr, int overwrite) {
  __m512 acc[AVX512_MR][3];
  __m256 last = _mm256_setzero_ps();
#pragma GCC unroll 16
  for (int i = 0; i < AVX512_MR; ++i)
    acc[i][0] = acc[i][1] = acc[i][2] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_loadu_ps(b + k * ldb),
                 b1 = _mm512_loadu_ps(b + k * ldb + 16),
                 b2 = _mm512_loadu_ps(edge + k * ld_edge);
    const float *a = packed_a + k * AVX512_MR;
    if (!(k & 1))
      _mm_prefetch((const char *)(a + PREFETCH_A_FLOATS), _MM_HINT_T0);
    last = _mm256_fmadd_ps(_mm256_loadu_ps(a),
                           _mm256_set1_ps(edge[k * ld_edge + 16]), last);
#pragma GCC unroll 16
    for (int i = 0; i < AVX512_MR; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
      acc[i][2] = _mm512_fmadd_ps(ai, b2, acc[i][2]);
    }
  }
  float column[AVX512_MR];
  _mm256_storeu_ps(column, last);
#pragma GCC unroll 16
  for (int i = 0; i < AVX512_MR && i < mr; ++i) {
    float *row = c + i * ldc;
#pragma GCC unroll 3
    for (int v = 0; v < 3; ++v)
      _mm512_storeu_ps(row + 16 * v,
                       overwrite ? acc[i][v]
                                 : _mm512_add_ps(_mm512_loadu_ps(row + 16 * v),
                                                 acc[i][v]));
    row[48] = overwrite ? column[i] : row[48] + column[i];
  }
}

/* A block of at most 8 columns (the 4 that N = 196, 14 x 14 maps, leaves
 * after 6 panels, or a thread's 8 of 392) runs column by column along A's
 * panel, like the 17-column kernel's last column: each k is one load of
 * the panel's 8 rows and, per column, a broadcast of B and a ymm FMA.
 * COLUMNS FMAs per k instead of the half kernel's 8 zmm ones, so 4
 * columns take a quarter of its time. It reads COLUMNS values of each row
 * of B: an edge of fewer columns is packed 32 wide (zero past N) first. Each
 * element's sum runs over k in the same order as in the other kernels. */
#define DEFINE_NARROW_KERNEL(name, COLUMNS)                                    \
  __attribute__((target("avx512f,fma"))) static void name(                    \
      int64_t kc, const float *packed_a, const float *b, int64_t ldb,         \
      float *c, int64_t ldc, int mr, int nr, int overwrite) {                 \
    __m256 acc[COLUMNS];                                                       \
    _Pragma("GCC unroll 8") for (int j = 0; j < COLUMNS; ++j) acc[j] =         \
        _mm256_setzero_ps();                                                   \
    for (int64_t k = 0; k < kc; ++k) {                                         \
      __m256 a = _mm256_loadu_ps(packed_a + k * AVX512_MR);                    \
      _Pragma("GCC unroll 8") for (int j = 0; j < COLUMNS; ++j) acc[j] =       \
          _mm256_fmadd_ps(a, _mm256_set1_ps(b[k * ldb + j]), acc[j]);          \
    }                                                                          \
    float tile[COLUMNS][AVX512_MR];                                            \
    _Pragma("GCC unroll 8") for (int j = 0; j < COLUMNS; ++j)                  \
        _mm256_storeu_ps(tile[j], acc[j]);                                     \
    for (int i = 0; i < mr; ++i)                                               \
      for (int j = 0; j < nr; ++j)                                             \
        c[i * ldc + j] =                                                       \
            overwrite ? tile[j][i] : c[i * ldc + j] + tile[j][i];              \
  }

DEFINE_NARROW_KERNEL(micro_kernel_avx512_4, 4)
DEFINE_NARROW_KERNEL(micro_kernel_avx512_8, 8)

/* The narrow and half kernels above leave the two FMA units idle part of
 * the time: the 4-column one waits on its 4 chains' latency (4 cycles
 * each), the 8-column one issues half-width FMAs with a broadcast load
 * each, the half one 9 loads per 8 FMAs. So where a column panel's rows
 * span several full row panels, these run them together: the same columns
 * for several row panels, one chain per element as before, with twice or
 * four times the chains, full-width FMAs (two panels' rows per vector) and
 * each load of B serving more of them. The kernels take STACKED_*_PANELS
 * consecutive packed A panels (kc x MR floats apart) and all of their rows
 * (mr = panels x MR). Alone
 * (kc = 256, A and B in L1/L2, GFLOP/s best of 60 rounds; the full 32-column
 * kernel 176-188): 4 columns 47-50 -> 106-111 over four panels, 8 columns
 * 71-75 -> 142-148 over four, 16 columns 155-163 -> 167-179 over two. The
 * 17-column kernel over two panels was slower than alone (137-144 against
 * 155-164): it is not stacked. */

/* Rows 0-7 of panel p and p + 1 at k, in one vector (AVX-512F alone: no
 * 256-bit insert without AVX512DQ). */
__attribute__((target("avx512f"))) static inline __m512
two_panel_rows(const float *first, const float *second) {
  return _mm512_castpd_ps(_mm512_insertf64x4(
      _mm512_castps_pd(_mm512_castps256_ps512(_mm256_loadu_ps(first))),
      _mm256_castps_pd(_mm256_loadu_ps(second)), 1));
}

#define STACKED_NARROW_PANELS 4
#define STACKED_HALF_PANELS 2

/* At most COLUMNS (4 or 8) columns of STACKED_NARROW_PANELS (four) row
 * panels: each vector holds one column of two panels' rows, 2 x COLUMNS
 * chains. */
#define DEFINE_STACKED_NARROW_KERNEL(name, COLUMNS)                            \
  __attribute__((target("avx512f,fma"))) static void name(                    \
      int64_t kc, const float *packed_a, const float *b, int64_t ldb,         \
      float *c, int64_t ldc, int mr, int nr, int overwrite) {                 \
    _Static_assert(STACKED_NARROW_PANELS == 4, "two vectors of two panels");  \
    enum { ROWS = STACKED_NARROW_PANELS * AVX512_MR };                         \
    __m512 acc[2][COLUMNS];                                                    \
    _Pragma("GCC unroll 8") for (int j = 0; j < COLUMNS; ++j) acc[0][j] =      \
        acc[1][j] = _mm512_setzero_ps();                                       \
    const float *panel[STACKED_NARROW_PANELS];                                 \
    for (int p = 0; p < STACKED_NARROW_PANELS; ++p)                            \
      panel[p] = packed_a + p * AVX512_MR * kc;                                \
    for (int64_t k = 0; k < kc; ++k) {                                         \
      const __m512 upper = two_panel_rows(panel[0] + k * AVX512_MR,            \
                                          panel[1] + k * AVX512_MR),           \
                   lower = two_panel_rows(panel[2] + k * AVX512_MR,            \
                                          panel[3] + k * AVX512_MR);           \
      _Pragma("GCC unroll 8") for (int j = 0; j < COLUMNS; ++j) {              \
        const __m512 column = _mm512_set1_ps(b[k * ldb + j]);                  \
        acc[0][j] = _mm512_fmadd_ps(upper, column, acc[0][j]);                 \
        acc[1][j] = _mm512_fmadd_ps(lower, column, acc[1][j]);                 \
      }                                                                        \
    }                                                                          \
    float tile[COLUMNS][ROWS];                                                 \
    _Pragma("GCC unroll 8") for (int j = 0; j < COLUMNS; ++j) {                \
      _mm512_storeu_ps(tile[j], acc[0][j]);                                    \
      _mm512_storeu_ps(tile[j] + 2 * AVX512_MR, acc[1][j]);                    \
    }                                                                          \
    for (int i = 0; i < ROWS; ++i)                                             \
      for (int j = 0; j < nr; ++j)                                             \
        c[i * ldc + j] =                                                       \
            overwrite ? tile[j][i] : c[i * ldc + j] + tile[j][i];              \
    (void)mr;                                                                  \
  }

DEFINE_STACKED_NARROW_KERNEL(micro_kernel_avx512_4_x4, 4)
DEFINE_STACKED_NARROW_KERNEL(micro_kernel_avx512_8_x4, 8)

/* At most 16 columns of STACKED_HALF_PANELS (two) row panels (the half
 * kernel's, twice). */
__attribute__((target("avx512f"))) static void
micro_kernel_avx512_half_x2(int64_t kc, const float *packed_a, const float *b,
                            int64_t ldb, float *c, int64_t ldc, int mr, int nr,
                            int overwrite) {
  _Static_assert(STACKED_HALF_PANELS == 2, "one vector of rows per panel");
  __m512 acc[2][AVX512_MR];
#pragma GCC unroll 16
  for (int i = 0; i < AVX512_MR; ++i)
    acc[0][i] = acc[1][i] = _mm512_setzero_ps();
  const float *second = packed_a + AVX512_MR * kc;
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_loadu_ps(b + k * ldb);
    const float *a0 = packed_a + k * AVX512_MR, *a1 = second + k * AVX512_MR;
    if (!(k & 1)) {
      _mm_prefetch((const char *)(a0 + PREFETCH_A_FLOATS), _MM_HINT_T0);
      _mm_prefetch((const char *)(a1 + PREFETCH_A_FLOATS), _MM_HINT_T0);
      _mm_prefetch((const char *)(a0 + PREFETCH_A_L2_FLOATS), _MM_HINT_T1);
      _mm_prefetch((const char *)(a1 + PREFETCH_A_L2_FLOATS), _MM_HINT_T1);
    }
#pragma GCC unroll 16
    for (int i = 0; i < AVX512_MR; ++i) {
      acc[0][i] = _mm512_fmadd_ps(_mm512_set1_ps(a0[i]), b0, acc[0][i]);
      acc[1][i] = _mm512_fmadd_ps(_mm512_set1_ps(a1[i]), b0, acc[1][i]);
    }
  }
  const __mmask16 columns = (__mmask16)((1u << nr) - 1);
#pragma GCC unroll 16
  for (int i = 0; i < 2 * AVX512_MR; ++i) {
    float *row = c + i * ldc;
    const __m512 block = acc[i / AVX512_MR][i % AVX512_MR];
    _mm512_mask_storeu_ps(
        row, columns,
        overwrite ? block
                  : _mm512_add_ps(_mm512_maskz_loadu_ps(columns, row), block));
  }
  (void)mr;
}

#define AVX2_MR TESSERA_SGEMM_AVX2_MR
#define AVX2_NR TESSERA_SGEMM_AVX2_NR

__attribute__((target("avx2,fma"), always_inline)) static inline void
micro_kernel_avx2_body(int64_t kc, const float *packed_a, const float *b,
                       int64_t ldb, float *c, int64_t ldc, int mr, int nr,
                       int overwrite, const epilogue_t *epilogue,
                       int64_t row0, int64_t col0) {
  __m256 acc[AVX2_MR][2];
#pragma GCC unroll 6
  for (int i = 0; i < AVX2_MR; ++i)
    acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    __m256 b0 = _mm256_loadu_ps(b + k * ldb);
    __m256 b1 = _mm256_loadu_ps(b + k * ldb + 8);
    const float *a = packed_a + k * AVX2_MR;
#pragma GCC unroll 6
    for (int i = 0; i < AVX2_MR; ++i) {
      __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
  if (mr == AVX2_MR && nr == AVX2_NR) {
    if (!overwrite) {
#pragma GCC unroll 6
      for (int i = 0; i < AVX2_MR; ++i) {
        acc[i][0] = _mm256_add_ps(_mm256_loadu_ps(c + i * ldc), acc[i][0]);
        acc[i][1] = _mm256_add_ps(_mm256_loadu_ps(c + i * ldc + 8), acc[i][1]);
      }
    }
    if (epilogue)
      APPLY_EPILOGUE_TO_BLOCK(AVX2_MR, __m256, 8, _mm256_set1_ps,
                              _mm256_loadu_ps, _mm256_add_ps, _mm256_max_ps,
                              _mm256_min_ps, epilogue, row0, col0, acc);
#pragma GCC unroll 6
    for (int i = 0; i < AVX2_MR; ++i) {
      _mm256_storeu_ps(c + i * ldc, acc[i][0]);
      _mm256_storeu_ps(c + i * ldc + 8, acc[i][1]);
    }
    return;
  }
  float tile[AVX2_MR * MAX_NR];
#pragma GCC unroll 6
  for (int i = 0; i < AVX2_MR; ++i) {
    _mm256_storeu_ps(tile + i * MAX_NR, acc[i][0]);
    _mm256_storeu_ps(tile + i * MAX_NR + 8, acc[i][1]);
  }
  add_tile(c, ldc, tile, mr, nr, overwrite);
  if (epilogue)
    epilogue_avx2(c, ldc, mr, nr, epilogue, row0, col0);
}

DEFINE_MICRO_KERNELS(micro_kernel_avx2, __attribute__((target("avx2,fma"))))

#endif

/*===--- Blocking ---------------------------------------------------------===*/

/* Products with fewer rows than this reuse each B panel too little to pay
 * for packing it: the micro-kernel reads B in place (an edge panel narrower
 * than NR is still packed, so that no load runs past a row). */
#define PACK_B_MIN_ROWS TESSERA_SGEMM_PACK_B_MIN_ROWS
/* Nor does packing pay for B rows less than 4 KiB apart: the micro-kernel
 * streams them from L1/L2 as fast as packed panels (1-4% faster on the
 * convolutions' im2col blocks and activations, 128 x 784 x 1152 and
 * 512 x 49 x 4608 included). Rows 4 KiB or more apart (1024, 4096) map a
 * panel's k rows onto a few cache sets, which costs 20-25% unpacked. */
#define PACK_B_MIN_STRIDE 1024

/* Whether an in-place B panel of k rows fits L1 as well as a packed one.
 * When B's rows do not start cache lines, a panel row of NR floats spans
 * one line more (3 instead of 2 for AVX-512), so a full K block's panel
 * takes 48 KiB instead of 32, all of a Xeon's L1d: packing it made
 * SqueezeNet's classifier (1000 x 169 x 512) go from 1074 to 857-950 us
 * and MobileNetV2 at 2 threads 1-3% faster, ResNet-18 unchanged
 * (alternating runs). Short panels fit either way, and packing them made
 * Winograd products (k = channels, 32 x 27 x 27 -> 128) 1-3% slower. */
static int in_place_panel_fits(int starts_line, int64_t ldb, int64_t k) {
  return k < KC / 2 || (ldb % 16 == 0 && starts_line);
}

/* Whether gemm() packs all of B's panels (see in_place_panel_fits). */
static int packs_b(int64_t m, int starts_line, int64_t ldb, int64_t k) {
  return m >= PACK_B_MIN_ROWS && (ldb >= PACK_B_MIN_STRIDE ||
                                  !in_place_panel_fits(starts_line, ldb, k));
}

/* Whether one row panel of C goes through all its column panels before
 * the next (instead of each B panel through all row panels): for products
 * of few rows whose short B panels (k <= SWEEP_ROWS_MAX_K) are cheap to
 * read again from L2, and wide C (at least SWEEP_ROWS_MIN_COLUMNS), which
 * is written once. Then a row panel's 8 rows of C are 8 sequential
 * streams the hardware prefetchers follow, where the usual order writes
 * all m rows a few lines at a time. The convolution stems (SqueezeNet:
 * 64 x 4107 x 27 per band, 396 -> 361 us for its three; at 2 threads 264
 * -> 213 us) and MobileNetV2's 112 x 112 expansion (96 x 12544 x 16, 351
 * -> 303 us) gain; in ResNet-18's Winograd products (k >= 64, a few
 * hundred columns) the usual order is 6% faster. */
#define SWEEP_ROWS_MAX_K 32
#define SWEEP_ROWS_MIN_COLUMNS 1024
static int sweep_rows_outside(int64_t m, int64_t nc, int64_t k) {
  return m <= MC && k <= SWEEP_ROWS_MAX_K && nc >= SWEEP_ROWS_MIN_COLUMNS;
}

/* Where a packed copy holds an operand: K block pc (of kc values) of the
 * operand's panel starting at row (A) or column (B) i is at
 * base + pc * block_stride + (first + i) * kc. */
typedef struct packed_view {
  const float *base; /* NULL: not packed */
  int64_t block_stride, first;
} packed_view_t;

/* Row (A) or column (B) w of `view` in the K block from k = pc (kc values
 * of k): its values k after k, `panel` apart. */
static inline const float *view_line(packed_view_t view, int panel,
                                     int64_t pc, int64_t kc, int64_t w) {
  const int64_t at = view.first + w;
  return view.base + pc * view.block_stride + at / panel * panel * kc +
         at % panel;
}

/* Products of fewer rows than a register block, as plain loops: C += A * B
 * with B read in place. */
typedef void (*small_m_t)(int64_t m, int64_t n, int64_t k, const float *a,
                          int64_t lda, const float *b, int64_t ldb, float *c,
                          int64_t ldc);
/* The same with B read from a packed copy, summed as the micro-kernels
 * sum (see small_m_packed_avx512); C = A * B when `overwrite`. */
typedef void (*small_m_packed_t)(int64_t m, int64_t n, int64_t k,
                                 const float *a, int64_t lda, packed_view_t b,
                                 float *c, int64_t ldc, int overwrite);

/* A register block over two column panels: rows of the first at b (ldb),
 * of the second at edge (ld_edge). */
typedef void (*full_plus_edge_micro_kernel_t)(int64_t kc, const float *packed_a,
                                         const float *b, int64_t ldb,
                                         const float *edge, int64_t ld_edge,
                                         float *c, int64_t ldc, int mr,
                                         int overwrite);

/* A narrow kernel over `panels` full row panels at once (see
 * micro_kernel_avx512_4_x4); micro NULL: none. */
typedef struct stacked_kernel {
  micro_kernel_t micro;
  int panels;
} stacked_kernel_t;

typedef struct gemm_kernel {
  micro_kernel_t micro;
  /* For blocks of at most 4, 8 and nr / 2 columns and of nr / 2 + 1
   * columns; NULL: `micro` does them. */
  micro_kernel_t micro_4, micro_8, micro_half, micro_half_plus_one;
  /* micro_4, micro_8 and micro_half over several full row panels. */
  stacked_kernel_t stacked_4, stacked_8, stacked_half;
  /* A full panel and a micro_half_plus_one edge in one register block
   * (see micro_kernel_avx512_49); NULL: none. */
  full_plus_edge_micro_kernel_t micro_full_plus_edge;
  /* `micro` with an epilogue. */
  fused_micro_kernel_t micro_fused;
  /* `micro` (with or without an epilogue) prefetching the next panel of
   * B; NULL: none. */
  prefetching_micro_kernel_t micro_prefetching;
  epilogue_kernel_t epilogue;
  small_m_t small_m;
  small_m_packed_t small_m_packed;
  int mr, nr;
} gemm_kernel_t;

/* The micro-kernel for a block of `cols` columns. */
static micro_kernel_t micro_kernel_for(const gemm_kernel_t *kernel, int cols) {
  if (kernel->micro_4 && cols <= 4)
    return kernel->micro_4;
  if (kernel->micro_8 && cols <= 8)
    return kernel->micro_8;
  if (kernel->micro_half && 2 * cols <= kernel->nr)
    return kernel->micro_half;
  if (kernel->micro_half_plus_one && 2 * cols == kernel->nr + 2)
    return kernel->micro_half_plus_one;
  return kernel->micro;
}

/* The kernel that runs `micro`'s columns over several full row panels at
 * once; its micro is NULL when there is none. */
static stacked_kernel_t stacked_kernel_for(const gemm_kernel_t *kernel,
                                           micro_kernel_t micro) {
  return micro == kernel->micro_4      ? kernel->stacked_4
         : micro == kernel->micro_8    ? kernel->stacked_8
         : micro == kernel->micro_half ? kernel->stacked_half
                                       : (stacked_kernel_t){NULL, 0};
}

/* Whether `micro` is one of the kernels for blocks of at most 8 columns,
 * which run at 60-85% of the full kernel's rate even stacked. */
static int is_narrow_kernel(const gemm_kernel_t *kernel, micro_kernel_t micro) {
  return micro && (micro == kernel->micro_4 || micro == kernel->micro_8);
}

/* Whether the micro-kernel for an edge block of `cols` (< nr) columns
 * reads exactly `cols` values of each row of B, so that it can read them
 * in place instead of from a copy padded to nr. A Winograd product's 16
 * tiles are such a block: copying them took a third of a 512 x 7 x 7
 * convolution's fixed costs. */
static int reads_edge_in_place(const gemm_kernel_t *kernel, int cols) {
  micro_kernel_t micro = micro_kernel_for(kernel, cols);
  return (micro == kernel->micro_4 && cols == 4) ||
         (micro == kernel->micro_8 && cols == 8) ||
         (micro == kernel->micro_half && 2 * cols == kernel->nr) ||
         (micro == kernel->micro_half_plus_one && 2 * cols == kernel->nr + 2);
}

/* Columns [jr, jr + nr) of a column block of nc: where the micro-kernel
 * reads them (a packed panel, the zero-padded copy of an edge, or B in
 * place) and which micro-kernel. */
typedef struct column_panel {
  const float *data;
  int64_t ld;
  int cols;
  micro_kernel_t micro;
} column_panel_t;

static column_panel_t column_panel_at(const gemm_kernel_t *kernel,
                                      int pack_b_panels, int copy_edge,
                                      const float *block_b,
                                      const float *b_block, int64_t ldb,
                                      int64_t kc, int64_t nc, int64_t jr) {
  const int nr = kernel->nr;
  const int cols = nc - jr < nr ? (int)(nc - jr) : nr;
  column_panel_t panel = {b_block + jr, ldb, cols,
                          micro_kernel_for(kernel, cols)};
  if (pack_b_panels) {
    panel.data = block_b + jr * kc;
    panel.ld = nr;
  } else if (cols < nr && copy_edge) {
    panel.data = block_b;
    panel.ld = nr;
  }
  return panel;
}

/* The register block of C at (row0, col0): `rows` x the panel's columns,
 * over the K block of kc values whose packed A panels start at block_a
 * (row i's at i * kc), with the epilogue when it is the last K block.
 * `next` (rows NULL: none) are rows of B's next column panel, read in
 * place or from a packed copy in the weights, for the block to prefetch
 * (through the same `ld`). B read in place is one stream per row of B, each
 * advancing NR floats per panel: more streams than the hardware
 * prefetchers follow, so that a panel's first block waited on every line
 * from L2 or L3. SqueezeNet's squeezes (16 x 3025 x 128) and
 * MobileNetV2's 56 x 56 projects (24 x 3136 x 96, B from L3) take 0.86-0.89
 * of the time (1 thread, alternating pairs); L2-resident products of
 * several row blocks (64 x 196 x 384) 1.015-1.026. A packed copy in the
 * weights is a model's weight matrix (a Linear layer's, B = W), which a
 * run reads from L3 or memory once: its panels are contiguous, but each
 * is 32 KiB, 8 pages, and the hardware prefetchers stop at every page.
 * Prefetched, BERT's (128 x 768 x 256, 128 x 1024 x 256, 128 x 256 x 1024,
 * 128 x 256 x 256) took 0.89-0.92 of the time at 1 thread and 0.95-0.98
 * at 2 (traced in the model); with the weights in L2 (one layer alone) it
 * changes nothing measurable. */
static inline void run_register_block(const gemm_kernel_t *kernel,
                                      const column_panel_t *panel, int64_t kc,
                                      const float *block_a, float *c,
                                      int64_t ldc, int64_t row0, int64_t col0,
                                      int rows, int overwrite,
                                      const epilogue_t *epilogue,
                                      panel_prefetch_t next) {
  const float *a_panel = block_a + row0 * kc;
  float *c_block = c + row0 * ldc + col0;
  if (next.rows && kernel->micro_prefetching &&
      panel->micro == kernel->micro) {
    kernel->micro_prefetching(kc, a_panel, panel->data, panel->ld, c_block,
                              ldc, rows, panel->cols, overwrite, epilogue,
                              row0, col0, next);
    return;
  }
  if (epilogue && panel->micro == kernel->micro) {
    kernel->micro_fused(kc, a_panel, panel->data, panel->ld, c_block, ldc,
                        rows, panel->cols, overwrite, epilogue, row0, col0);
    return;
  }
  panel->micro(kc, a_panel, panel->data, panel->ld, c_block, ldc, rows,
               panel->cols, overwrite);
  if (epilogue)
    kernel->epilogue(c_block, ldc, rows, panel->cols, epilogue, row0, col0);
}

/* B's next column panel after the one at jr, for the first row block to
 * prefetch (see run_register_block), when there is a next panel and B
 * comes from outside the caches: read in place (b_block), or a packed
 * copy in the weights (block_b, panels kc x nr apart); NULL otherwise (a
 * copy packed by this call is in L2). */
static inline const float *next_panel(int pack_b_panels, int constant_b,
                                      const float *b_block,
                                      const float *block_b, int64_t kc,
                                      int64_t jr, int nr, int64_t nc) {
  if (jr + nr >= nc)
    return NULL;
  if (!pack_b_panels)
    return b_block + jr + nr;
  return constant_b ? block_b + (jr + nr) * kc : NULL;
}

/* The share of `panel`'s kc rows (NULL: none), a row every `ld` floats,
 * that the register block `index` of `blocks` prefetches: the blocks that
 * read a column panel before the next take ceil(kc / blocks) rows each,
 * in order (the last ones fewer, or none). `ld` is the ld of the panel
 * the blocks read, which the kernel steps the rows by: the next panel's
 * too, as B's panels (read in place, ldb, or packed in the weights, NR)
 * share it; the edge panel a call copies (NR) has no next. */
static inline panel_prefetch_t prefetch_share(const float *panel, int64_t ld,
                                              int64_t kc, int64_t index,
                                              int64_t blocks) {
  const int64_t per_block = (kc + blocks - 1) / blocks;
  const int64_t first = index * per_block;
  if (!panel || first >= kc)
    return (panel_prefetch_t){NULL, 0};
  return (panel_prefetch_t){panel + first * ld,
                            kc - first < per_block ? kc - first : per_block};
}

/* Rows of C that are fewer than one register block run as plain loops,
 * which the compiler vectorizes along n for the same target. */
#define DEFINE_SMALL_M(name, target_attribute)                                 \
  target_attribute static void name(int64_t m, int64_t n, int64_t k,           \
                                    const float *a, int64_t lda,               \
                                    const float *b, int64_t ldb, float *c,     \
                                    int64_t ldc) {                             \
    for (int64_t i = 0; i < m; ++i)                                            \
      for (int64_t p = 0; p < k; ++p) {                                        \
        float aip = a[i * lda + p];                                            \
        const float *restrict brow = b + p * ldb;                              \
        float *restrict crow = c + i * ldc;                                    \
        for (int64_t j = 0; j < n; ++j)                                        \
          crow[j] += aip * brow[j];                                            \
      }                                                                        \
  }

#if defined(__x86_64__)
DEFINE_SMALL_M(small_m_avx2, __attribute__((target("avx2,fma"))))

/* Rows of B ahead of the one being read that the AVX-512 small-M product
 * prefetches: the MLP at 2 threads (medians of 4 rounds) took 160-183 us
 * with 4, 164-190 with 8, 172-184 with 16 and 176-191 with none. */
#define SMALL_M_PREFETCH_ROWS 4

/* The AVX-512 small-M product (a GEMV for m = 1: a classifier, an MLP at
 * batch 1) reads each row of B once, streaming a model's weights from
 * memory. A thread's part of a product split by columns is a part of each
 * row, less than a 4 KiB page, where the hardware prefetchers start over:
 * two threads each read at 19 GB/s, against 30 for one thread reading
 * whole rows. So it prefetches its part of the rows ahead itself, and adds
 * four rows of B into C per pass over C instead of one (the MLP at 2
 * threads: 191-209 -> 160-183 us). Each element's sum
 * still runs over k in order, one FMA per term, as in the plain loop. */
__attribute__((target("avx512f"))) static void
small_m_avx512(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
               const float *b, int64_t ldb, float *c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    const float *arow = a + i * lda;
    float *crow = c + i * ldc;
    int64_t p = 0;
    for (; p + 4 <= k; p += 4) {
      const float *b0 = b + p * ldb;
      const __m512 a0 = _mm512_set1_ps(arow[p]),
                   a1 = _mm512_set1_ps(arow[p + 1]),
                   a2 = _mm512_set1_ps(arow[p + 2]),
                   a3 = _mm512_set1_ps(arow[p + 3]);
      const int prefetch = i == 0 && p + 4 + SMALL_M_PREFETCH_ROWS <= k;
      for (int64_t j = 0; j < n; j += 16) {
        const __mmask16 lanes = first_lanes_16(n - j);
        if (prefetch)
          for (int r = 0; r < 4; ++r)
            _mm_prefetch((const char *)(b0 + (SMALL_M_PREFETCH_ROWS + r) * ldb +
                                        j),
                         _MM_HINT_T0);
        __m512 sum = _mm512_maskz_loadu_ps(lanes, crow + j);
        sum = _mm512_fmadd_ps(a0, _mm512_maskz_loadu_ps(lanes, b0 + j), sum);
        sum = _mm512_fmadd_ps(a1, _mm512_maskz_loadu_ps(lanes, b0 + ldb + j),
                              sum);
        sum = _mm512_fmadd_ps(
            a2, _mm512_maskz_loadu_ps(lanes, b0 + 2 * ldb + j), sum);
        sum = _mm512_fmadd_ps(
            a3, _mm512_maskz_loadu_ps(lanes, b0 + 3 * ldb + j), sum);
        _mm512_mask_storeu_ps(crow + j, lanes, sum);
      }
    }
    for (; p < k; ++p) {
      const __m512 ap = _mm512_set1_ps(arow[p]);
      const float *brow = b + p * ldb;
      for (int64_t j = 0; j < n; j += 16) {
        const __mmask16 lanes = first_lanes_16(n - j);
        _mm512_mask_storeu_ps(
            crow + j, lanes,
            _mm512_fmadd_ps(ap, _mm512_maskz_loadu_ps(lanes, brow + j),
                            _mm512_maskz_loadu_ps(lanes, crow + j)));
      }
    }
  }
}

/* Vectors of C per pass over a K block in the small-M products over
 * packed B: two streams of AVX-512 panels (two rows of 64 bytes each per
 * k) or of AVX2 ones. A 512 x 1000 B in L2 (ResNet-18's classifier, for
 * the measurement packed beside its weight) took 27 us at 1 thread with 4
 * (an array of accumulators; 34-35 as four named ones), 36 with 8; in
 * place, 31. */
#define SMALL_M_PACKED_VECTORS 4

/* Products of fewer rows than a register block whose B the compiler
 * prepacked (a GEMV: an MLP or a classifier at batch 1). Each thread's
 * part of a product split by columns is then one contiguous run of panels
 * per K block, which the hardware prefetchers follow, where in B's own
 * layout it is a part of every row: the MLP (784-1024-1024-10) at 2
 * threads took 158-186 us reading B in place and 128-136 packed, at 1
 * thread 245-253 against 242-263 (streaming all of B either way).
 * Each element sums as the micro-kernels do, so that a product's results
 * do not depend on how its rows are split among calls: per K block, the
 * terms in k order from zero by FMA, then added to C (C = the first
 * block's sum when `overwrite`). Columns that do not start a vector (a
 * start off WIDTH, the last n % WIDTH) are summed one by one, the same
 * way. */
#define DEFINE_SMALL_M_PACKED(name, target_attribute, VEC, WIDTH, NR, ZERO,    \
                              SET1, LOAD, ADD, FMADD, STORE)                   \
  target_attribute static void name(int64_t m, int64_t n, int64_t k,          \
                                    const float *a, int64_t lda,               \
                                    packed_view_t b, float *c, int64_t ldc,    \
                                    int overwrite) {                           \
    for (int64_t pc = 0; pc < k; pc += KC) {                                   \
      const int64_t kc = k - pc < KC ? k - pc : KC;                            \
      const int first_sum = overwrite && pc == 0;                              \
      for (int64_t i = 0; i < m; ++i) {                                        \
        const float *arow = a + i * lda + pc;                                  \
        float *crow = c + i * ldc;                                             \
        int64_t j = 0;                                                         \
        while (j < n) {                                                        \
          /* Column j's values in this K block, k after k NR apart. */        \
          const float *panel[SMALL_M_PACKED_VECTORS];                          \
          const int64_t first = j;                                             \
          int vectors = 0;                                                     \
          for (; vectors < SMALL_M_PACKED_VECTORS && j + WIDTH <= n &&         \
                 (b.first + j) % WIDTH == 0;                                   \
               ++vectors, j += WIDTH)                                          \
            panel[vectors] = view_line(b, NR, pc, kc, j);                      \
          if (vectors == SMALL_M_PACKED_VECTORS) {                             \
            VEC sum[SMALL_M_PACKED_VECTORS];                                   \
            _Pragma("GCC unroll 8") for (int v = 0;                            \
                                         v < SMALL_M_PACKED_VECTORS; ++v)      \
                sum[v] = ZERO;                                                 \
            for (int64_t kk = 0; kk < kc; ++kk) {                              \
              const VEC x = SET1(arow[kk]);                                    \
              _Pragma("GCC unroll 8") for (int v = 0;                          \
                                           v < SMALL_M_PACKED_VECTORS; ++v)    \
                  sum[v] = FMADD(x, LOAD(panel[v] + kk * NR), sum[v]);         \
            }                                                                  \
            _Pragma("GCC unroll 8") for (int v = 0;                            \
                                         v < SMALL_M_PACKED_VECTORS; ++v) {    \
              float *out = crow + first + v * WIDTH;                           \
              STORE(out, first_sum ? sum[v] : ADD(LOAD(out), sum[v]));         \
            }                                                                  \
          } else if (vectors > 0) {                                            \
            for (int v = 0; v < vectors; ++v) {                                \
              VEC sum = ZERO;                                                  \
              for (int64_t kk = 0; kk < kc; ++kk)                              \
                sum = FMADD(SET1(arow[kk]), LOAD(panel[v] + kk * NR), sum);    \
              float *out = crow + first + v * WIDTH;                           \
              STORE(out, first_sum ? sum : ADD(LOAD(out), sum));               \
            }                                                                  \
          } else {                                                             \
            const float *column = view_line(b, NR, pc, kc, j);                 \
            float sum = 0.0f;                                                  \
            for (int64_t kk = 0; kk < kc; ++kk)                                \
              sum = __builtin_fmaf(arow[kk], column[kk * NR], sum);            \
            crow[j] = first_sum ? sum : crow[j] + sum;                         \
            ++j;                                                               \
          }                                                                    \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  }

DEFINE_SMALL_M_PACKED(small_m_packed_avx512,
                      __attribute__((target("avx512f,fma"))), __m512, 16,
                      AVX512_NR, _mm512_setzero_ps(), _mm512_set1_ps,
                      _mm512_loadu_ps, _mm512_add_ps, _mm512_fmadd_ps,
                      _mm512_storeu_ps)
DEFINE_SMALL_M_PACKED(small_m_packed_avx2, __attribute__((target("avx2,fma"))),
                      __m256, 8, AVX2_NR, _mm256_setzero_ps(), _mm256_set1_ps,
                      _mm256_loadu_ps, _mm256_add_ps, _mm256_fmadd_ps,
                      _mm256_storeu_ps)
#endif

/*===--- Packed constant operands -----------------------------------------===*/

/* A model's weights never change while it is loaded, so an operand that
 * lies inside them is packed once and the packed copy reused by every run
 * (ONNX Runtime prepacks its weights when a session is created, to the
 * same end). tessera-compile packs most of them ahead of time into the
 * weights themselves (`packed` metadata records); the rest are packed here
 * on first use. Either way a copy holds one block per KC values of k, each
 * the operand's rows of A (columns of B) as panels (pack_a, pack_b), so the
 * micro-kernels sweep one contiguous block per K block. A part of the
 * operand that starts on a panel boundary, such as one thread's slice of a
 * product, is found inside the whole operand's copy. */
typedef struct packed_operand {
  struct packed_operand *next;
  const float *source;
  int64_t ld, rows, cols;
  int panel;           /* mr for A, nr for B */
  int is_b;
  int range;           /* index into constant_ranges */
  float *owned;        /* packed here on first use (freed with its range) */
  const float *packed; /* `owned`, or inside the weights */
} packed_operand_t;

/* Each loaded model registers its weights (external weights are mapped
 * once per load). */
#define MAX_CONSTANT_RANGES 64
static struct {
  const char *begin, *end;
  int users;
} constant_ranges[MAX_CONSTANT_RANGES];
/* Slots at or past this have never been used: every product's lookup of
 * its operands stops here instead of scanning all MAX_CONSTANT_RANGES. */
static int constant_range_slots;
static packed_operand_t *packed_operands;
static pthread_mutex_t packed_mutex = PTHREAD_MUTEX_INITIALIZER;

int tessera_rt_gemm_add_constants(const void *begin, size_t bytes) {
  if (!begin || !bytes)
    return -1;
  pthread_mutex_lock(&packed_mutex);
  int free_slot = -1;
  for (int i = 0; i < MAX_CONSTANT_RANGES; ++i) {
    if (constant_ranges[i].users && constant_ranges[i].begin == begin &&
        constant_ranges[i].end == (const char *)begin + bytes) {
      ++constant_ranges[i].users;
      pthread_mutex_unlock(&packed_mutex);
      return 0;
    }
    if (!constant_ranges[i].users && free_slot < 0)
      free_slot = i;
  }
  if (free_slot >= 0) {
    if (free_slot >= constant_range_slots)
      constant_range_slots = free_slot + 1;
    constant_ranges[free_slot].begin = begin;
    constant_ranges[free_slot].end = (const char *)begin + bytes;
    constant_ranges[free_slot].users = 1;
  }
  pthread_mutex_unlock(&packed_mutex);
  return free_slot >= 0 ? 0 : -1;
}

void tessera_rt_gemm_remove_constants(const void *begin, size_t bytes) {
  if (!begin || !bytes)
    return;
  pthread_mutex_lock(&packed_mutex);
  for (int i = 0; i < MAX_CONSTANT_RANGES; ++i) {
    if (!constant_ranges[i].users || constant_ranges[i].begin != begin ||
        constant_ranges[i].end != (const char *)begin + bytes ||
        --constant_ranges[i].users)
      continue;
#if defined(__x86_64__)
    tessera_rt_winograd_forget(begin, bytes);
#endif
    for (packed_operand_t **link = &packed_operands; *link;) {
      packed_operand_t *entry = *link;
      if (entry->range != i) {
        link = &entry->next;
        continue;
      }
      *link = entry->next;
      free(entry->owned);
      free(entry);
    }
  }
  pthread_mutex_unlock(&packed_mutex);
}

/* The registered range that holds [first, last), or -1. Called locked. */
static int constant_range_of(const char *first, const char *last) {
  for (int i = 0; i < constant_range_slots; ++i)
    if (constant_ranges[i].users && first >= constant_ranges[i].begin &&
        last <= constant_ranges[i].end)
      return i;
  return -1;
}

int tessera_rt_gemm_is_constant(const void *begin, size_t bytes) {
  pthread_mutex_lock(&packed_mutex);
  const int range = constant_range_of(begin, (const char *)begin + bytes);
  pthread_mutex_unlock(&packed_mutex);
  return range >= 0;
}

/* Bytes from the first to one past the last element of a rows x cols
 * matrix with row stride ld. */
static size_t matrix_extent(int64_t ld, int64_t rows, int64_t cols) {
  return (size_t)((rows - 1) * ld + cols) * sizeof(float);
}

int tessera_rt_gemm_add_packed(const float *source, int64_t ld, int64_t rows,
                               int64_t cols, int panel, int is_b,
                               const float *packed) {
  pthread_mutex_lock(&packed_mutex);
  const char *first = (const char *)source;
  int range = constant_range_of(first, first + matrix_extent(ld, rows, cols));
  int known = 0;
  for (packed_operand_t *entry = packed_operands; entry && !known;
       entry = entry->next)
    known = entry->packed == packed;
  packed_operand_t *entry = range >= 0 && !known ? malloc(sizeof(*entry)) : NULL;
  if (entry) {
    *entry = (packed_operand_t){packed_operands, source, ld, rows, cols,
                                panel, is_b, range, NULL, packed};
    packed_operands = entry;
  }
  pthread_mutex_unlock(&packed_mutex);
  return known || entry ? 0 : -1;
}

/* Rows of A (columns of B) of a copy, padded to whole panels: the floats
 * per k of one K block. */
static int64_t padded_width(const packed_operand_t *entry) {
  return padded_to_panels(entry->is_b ? entry->cols : entry->rows,
                          entry->panel);
}

/* Where `entry`'s copy holds the rows x cols operand at `source`, a part
 * of the entry's matrix over all of k (any first row or column; the
 * micro-kernels need one on a panel boundary). */
static packed_view_t find_in_packed(const packed_operand_t *entry, int is_b,
                                    const float *source, int64_t ld,
                                    int64_t rows, int64_t cols, int panel) {
  packed_view_t none = {NULL, 0, 0};
  if (entry->is_b != is_b || entry->panel != panel || entry->ld != ld)
    return none;
  const ptrdiff_t offset = source - entry->source;
  if (offset < 0)
    return none;
  int64_t first;
  if (is_b) {
    /* A column range of B over all of its rows. */
    if (rows != entry->rows || offset + cols > entry->cols)
      return none;
    first = offset;
  } else {
    /* A row range of A over all of its columns. */
    if (cols != entry->cols || offset % ld || offset / ld + rows > entry->rows)
      return none;
    first = offset / ld;
  }
  return (packed_view_t){entry->packed, padded_width(entry), first};
}

/* Element (w, kk) of a view of an operand with k values of k: A[w][kk], or
 * B[kk][w]. */
static float view_element(packed_view_t view, int panel, int64_t k, int64_t w,
                          int64_t kk) {
  const int64_t block = kk / KC * KC;
  const int64_t kc = k - block < KC ? k - block : KC;
  return view_line(view, panel, block, kc, w)[(kk - block) * panel];
}

/* Packs the rows x cols operand that `view` holds (from any first row or
 * column) into `packed`, as pack_a/pack_b would from the matrix. */
static void repack(packed_view_t view, int is_b, int64_t rows, int64_t cols,
                   int panel, float *packed) {
  const int64_t k = is_b ? rows : cols, wide = is_b ? cols : rows;
  const int64_t padded = padded_to_panels(wide, panel);
  for (int64_t pc = 0; pc < k; pc += KC) {
    const int64_t kc = k - pc < KC ? k - pc : KC;
    for (int64_t w = 0; w < padded; ++w)
      for (int64_t kk = 0; kk < kc; ++kk)
        packed[pc * padded + w / panel * panel * kc + kk * panel + w % panel] =
            w < wide ? view_element(view, panel, k, w, pc + kk) : 0.0f;
  }
}

/* The packed copy of constant A (rows = m x cols = k) or B (rows = k x
 * cols = n), made when there is none and `pack` is set. When the weights
 * hold only the packed copy (the compiler put it in the original's place),
 * there always is one: a part that starts mid-panel is repacked from it,
 * or, when memory is short, the view starts mid-panel (fit for
 * view_element only). With `any_first`, a view of any copy from mid-panel
 * is returned as it is (for small_m_packed). Otherwise none when the
 * operand is not inside registered constants or memory is short. */
static packed_view_t packed_constant(int is_b, const float *source,
                                     int64_t ld, int64_t rows, int64_t cols,
                                     int panel, int pack, int any_first) {
  const char *first = (const char *)source;
  pthread_mutex_lock(&packed_mutex);
  int range = constant_range_of(first, first + matrix_extent(ld, rows, cols));
  packed_view_t result = {NULL, 0, 0}, only_copy = {NULL, 0, 0};
  if (range >= 0)
    for (packed_operand_t *entry = packed_operands; entry && !result.base;
         entry = entry->next) {
      if (entry->range != range)
        continue;
      packed_view_t view =
          find_in_packed(entry, is_b, source, ld, rows, cols, panel);
      if (view.base && (view.first % panel == 0 || any_first))
        result = view;
      else if (view.base && entry->packed == entry->source)
        only_copy = view;
    }
  if (range >= 0 && !result.base && (pack || only_copy.base)) {
    int64_t k = is_b ? rows : cols;
    int64_t padded = padded_to_panels(is_b ? cols : rows, panel);
    packed_operand_t *entry = malloc(sizeof(*entry));
    float *packed = aligned_alloc(64, ((size_t)(padded * k) * sizeof(float) +
                                       63) / 64 * 64);
    if (entry && packed) {
      if (only_copy.base)
        repack(only_copy, is_b, rows, cols, panel, packed);
      else
        for (int64_t pc = 0; pc < k; pc += KC) {
          const int64_t kc = k - pc < KC ? k - pc : KC;
          if (is_b)
            pack_b(kc, cols, panel, source + pc * ld, ld, packed + pc * padded);
          else
            pack_a(rows, kc, panel, source + pc, ld, packed + pc * padded);
        }
      *entry = (packed_operand_t){packed_operands, source, ld, rows, cols,
                                  panel, is_b, range, packed, packed};
      packed_operands = entry;
      result = (packed_view_t){packed, padded, 0};
    } else {
      free(entry);
      free(packed);
      result = only_copy;
    }
  }
  pthread_mutex_unlock(&packed_mutex);
  return result;
}

/* The product as plain loops over operands read in place or through views
 * of packed copies: what is left when memory for packing is short. */
static void product_through_views(int64_t m, int64_t n, int64_t k,
                                  const float *a, int64_t lda,
                                  packed_view_t a_view, int mr, const float *b,
                                  int64_t ldb, packed_view_t b_view, int nr,
                                  float *c, int64_t ldc, int overwrite) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float sum = overwrite ? 0.0f : c[i * ldc + j];
      for (int64_t p = 0; p < k; ++p) {
        float x = a_view.base ? view_element(a_view, mr, k, i, p) : a[i * lda + p];
        float y = b_view.base ? view_element(b_view, nr, k, j, p) : b[p * ldb + j];
        sum += x * y;
      }
      c[i * ldc + j] = sum;
    }
}

/* The product as plain loops (nothing to sum when k is 0), C zeroed first
 * when it is to be overwritten. */
static void small_product(small_m_t small_m, int64_t m, int64_t n, int64_t k,
                          const float *a, int64_t lda, const float *b,
                          int64_t ldb, float *c, int64_t ldc, int overwrite) {
  if (overwrite)
    for (int64_t i = 0; i < m; ++i)
      memset(c + i * ldc, 0, (size_t)n * sizeof(float));
  if (k > 0)
    small_m(m, n, k, a, lda, b, ldb, c, ldc);
}

/* C = epilogue(C + A * B) (or epilogue(A * B)); `epilogue` may be NULL. */
static void gemm(const gemm_kernel_t *kernel, int64_t m, int64_t n,
                 int64_t k, const float *a, int64_t lda, const float *b,
                 int64_t ldb, float *c, int64_t ldc, int overwrite,
                 const epilogue_t *epilogue,
                 const packed_view_t *prepacked_a) {
  if (m <= 0 || n <= 0)
    return;
  const int mr = kernel->mr, nr = kernel->nr;
  if (k <= 0) {
    small_product(kernel->small_m, m, n, k, a, lda, b, ldb, c, ldc,
                  overwrite);
    if (epilogue)
      kernel->epilogue(c, ldc, m, n, epilogue, 0, 0);
    return;
  }
  /* A constant operand with a packed copy is read from it whatever the
   * product's size; one without is packed only when enough of the product
   * reuses it. Weights the compiler packed in place have nothing else. */
  const packed_view_t constant_a =
      prepacked_a ? *prepacked_a
                  : packed_constant(0, a, lda, m, k, mr, /*pack=*/m >= mr,
                                    /*any_first=*/0);
  /* Products of fewer rows than a register block read a packed B from any
   * column (small_m_packed), so a thread's part from mid-panel is not
   * copied. */
  const int small_rows = m < mr && !constant_a.base;
  const packed_view_t constant_b =
      packed_constant(1, b, ldb, k, n, nr, /*pack=*/m >= PACK_B_MIN_ROWS,
                      /*any_first=*/small_rows);
  if (constant_b.base && small_rows) {
    kernel->small_m_packed(m, n, k, a, lda, constant_b, c, ldc, overwrite);
    if (epilogue)
      kernel->epilogue(c, ldc, m, n, epilogue, 0, 0);
    return;
  }
  const int pack_b_panels =
      packs_b(m, (uintptr_t)b % 64 == 0, ldb, k) || constant_b.base;
  const int64_t nc_max = pack_b_panels && n > NC ? NC : n;
  /* All of A's rows for one K block are packed once and reused for every
   * column block (A is usually the smaller operand: weights). */
  const int64_t m_padded = padded_to_panels(m, mr);
  const int64_t a_floats = constant_a.base ? 0 : m_padded * KC;
  const int64_t b_floats =
      constant_b.base ? 0
      : pack_b_panels ? padded_to_panels(nc_max, nr) * KC
                      : (int64_t)KC * nr;
  float *storage =
      a_floats + b_floats ? pack_storage((size_t)(a_floats + b_floats)) : NULL;
  const int missing_storage = a_floats + b_floats && !storage;
  if (missing_storage || (constant_a.base && constant_a.first % mr) ||
      (constant_b.base && constant_b.first % nr)) {
    product_through_views(m, n, k, a, lda, constant_a, mr, b, ldb, constant_b,
                          nr, c, ldc, overwrite);
    if (epilogue)
      kernel->epilogue(c, ldc, m, n, epilogue, 0, 0);
    return;
  }
  if (!constant_a.base && !constant_b.base && m < mr) {
    small_product(kernel->small_m, m, n, k, a, lda, b, ldb, c, ldc,
                  overwrite);
    if (epilogue)
      kernel->epilogue(c, ldc, m, n, epilogue, 0, 0);
    return;
  }
  float *packed_a = storage, *packed_b = storage + a_floats;
  for (int64_t pc = 0; pc < k; pc += KC) {
    const int64_t kc = k - pc < KC ? k - pc : KC;
    /* Each block of C gets the epilogue right after its last sum, while
     * it is in L1. */
    const epilogue_t *last_epilogue = pc + kc == k ? epilogue : NULL;
    /* Row i's panel of this K block starts i * kc floats after block_a;
     * likewise column j's after block_b. */
    const float *block_a = packed_a;
    if (constant_a.base)
      block_a = constant_a.base + pc * constant_a.block_stride +
                constant_a.first * kc;
    else
      pack_a(m, kc, mr, a + pc, lda, packed_a);
    for (int64_t jc = 0; jc < n; jc += nc_max) {
      const int64_t nc = n - jc < nc_max ? n - jc : nc_max;
      const float *b_block = b + pc * ldb + jc;
      const float *block_b = packed_b;
      /* Unpacked B's edge block (its last nc % nr columns) is read from a
       * zero-padded copy unless its micro-kernel reads it in place. */
      const int copy_edge = !pack_b_panels && nc % nr &&
                            !reads_edge_in_place(kernel, (int)(nc % nr));
      if (constant_b.base)
        block_b = constant_b.base + pc * constant_b.block_stride +
                  (constant_b.first + jc) * kc;
      else if (pack_b_panels)
        pack_b(kc, nc, nr, b_block, ldb, packed_b);
      else if (copy_edge)
        pack_b(kc, nc % nr, nr, b_block + (nc - nc % nr), ldb, packed_b);
      /* Each B panel serves every row panel while it is in L1, unless the
       * rows go outside: see sweep_rows_outside. */
      const int rows_outside = !pack_b_panels && sweep_rows_outside(m, nc, k);
      const int overwrite_block = overwrite && pc == 0;
      for (int64_t ic = 0; ic < m; ic += MC) {
        const int64_t mc = m - ic < MC ? m - ic : MC;
        /* The first pass over B read in place or packed in the weights
         * prefetches each next panel (see run_register_block): the first
         * row panel alone when the rows go outside, else the first row
         * block's row panels share it. */
        if (rows_outside) {
          for (int64_t ir = 0; ir < mc; ir += mr)
            for (int64_t jr = 0; jr < nc; jr += nr) {
              const column_panel_t panel = column_panel_at(
                  kernel, pack_b_panels, copy_edge, block_b, b_block, ldb,
                  kc, nc, jr);
              run_register_block(
                  kernel, &panel, kc, block_a, c, ldc, ic + ir, jc + jr,
                  mc - ir < mr ? (int)(mc - ir) : mr, overwrite_block,
                  last_epilogue,
                  prefetch_share(ic + ir == 0
                                     ? next_panel(pack_b_panels,
                                                  constant_b.base != NULL,
                                                  b_block, block_b, kc, jr,
                                                  nr, nc)
                                     : NULL,
                                 panel.ld, kc, 0, 1));
            }
        } else {
          const int64_t row_panels = (mc + mr - 1) / mr;
          for (int64_t jr = 0; jr < nc; jr += nr) {
            const column_panel_t panel =
                column_panel_at(kernel, pack_b_panels, copy_edge, block_b,
                                b_block, ldb, kc, nc, jr);
            /* The last full panel and an edge of nr / 2 + 1 columns. */
            if (kernel->micro_full_plus_edge &&
                nc - jr == nr + nr / 2 + 1) {
              const column_panel_t edge =
                  column_panel_at(kernel, pack_b_panels, copy_edge, block_b,
                                  b_block, ldb, kc, nc, jr + nr);
              for (int64_t ir = 0; ir < mc; ir += mr) {
                const int rows = mc - ir < mr ? (int)(mc - ir) : mr;
                float *c_block = c + (ic + ir) * ldc + jc + jr;
                kernel->micro_full_plus_edge(
                    kc, block_a + (ic + ir) * kc, panel.data, panel.ld,
                    edge.data, edge.ld, c_block, ldc, rows, overwrite_block);
                if (last_epilogue)
                  kernel->epilogue(c_block, ldc, rows, nc - jr, last_epilogue,
                                   ic + ir, jc + jr);
              }
              break;
            }
            const float *next =
                ic == 0 ? next_panel(pack_b_panels, constant_b.base != NULL,
                                     b_block, block_b, kc, jr, nr, nc)
                        : NULL;
            const stacked_kernel_t stacked =
                stacked_kernel_for(kernel, panel.micro);
            for (int64_t ir = 0; ir < mc;) {
              if (stacked.micro && mc - ir >= (int64_t)stacked.panels * mr) {
                const int rows = stacked.panels * mr;
                float *c_block = c + (ic + ir) * ldc + jc + jr;
                stacked.micro(kc, block_a + (ic + ir) * kc, panel.data,
                              panel.ld, c_block, ldc, rows, panel.cols,
                              overwrite_block);
                if (last_epilogue)
                  kernel->epilogue(c_block, ldc, rows, panel.cols,
                                   last_epilogue, ic + ir, jc + jr);
                ir += rows;
                continue;
              }
              run_register_block(
                  kernel, &panel, kc, block_a, c, ldc, ic + ir, jc + jr,
                  mc - ir < mr ? (int)(mc - ir) : mr, overwrite_block,
                  last_epilogue,
                  prefetch_share(next, panel.ld, kc, ir / mr, row_panels));
              ir += mr;
            }
          }
        }
      }
    }
  }
}

/* Runs `batch` products; when B is shared and A's and C's matrices (and
 * matrix addends) are consecutive rows, and no addend is per row, they are
 * one product with batch * m rows. */
static void batched_gemm(const gemm_kernel_t *kernel, int64_t batch,
                         int64_t m, int64_t n, int64_t k,
                         const float *a, int64_t a_batch_stride, int64_t lda,
                         const float *b, int64_t b_batch_stride, int64_t ldb,
                         float *c, int64_t c_batch_stride, int64_t ldc,
                         int64_t flags, const epilogue_t *epilogue,
                         const int64_t *addend_batch_stride) {
  int merge = batch > 1 && b_batch_stride == 0 && a_batch_stride == m * lda &&
              c_batch_stride == m * ldc;
  for (int t = 0; epilogue && t < 2; ++t)
    if (epilogue->addend[t])
      merge &= epilogue->column_stride[t] == 1
                   ? addend_batch_stride[t] == m * epilogue->row_stride[t]
                   : epilogue->row_stride[t] == 0 &&
                         addend_batch_stride[t] == 0;
  if (merge) {
    m *= batch;
    batch = 1;
  }
  const int overwrite = (flags & TESSERA_SGEMM_OVERWRITE) != 0;
  for (int64_t i = 0; i < batch; ++i) {
    epilogue_t matrix_epilogue;
    if (epilogue) {
      matrix_epilogue = *epilogue;
      for (int t = 0; t < 2; ++t)
        if (matrix_epilogue.addend[t])
          matrix_epilogue.addend[t] += i * addend_batch_stride[t];
    }
    gemm(kernel, m, n, k, a + i * a_batch_stride, lda,
         b + i * b_batch_stride, ldb, c + i * c_batch_stride, ldc,
         overwrite && (i == 0 || c_batch_stride != 0),
         epilogue ? &matrix_epilogue : NULL, NULL);
  }
}

/* The epilogue the arguments of tessera_sgemm_fused_* describe, or NULL
 * when it changes nothing. */
static const epilogue_t *
describe_epilogue(epilogue_t *epilogue, int64_t *batch_strides,
                  const float *addend0, int64_t addend0_batch_stride,
                  int64_t addend0_row_stride, int64_t addend0_column_stride,
                  const float *addend1, int64_t addend1_batch_stride,
                  int64_t addend1_row_stride, int64_t addend1_column_stride,
                  float lower, float upper) {
  /* A second addend alone is the first. */
  if (!addend0) {
    addend0 = addend1;
    addend0_batch_stride = addend1_batch_stride;
    addend0_row_stride = addend1_row_stride;
    addend0_column_stride = addend1_column_stride;
    addend1 = NULL;
  }
  epilogue->addend[0] = addend0;
  epilogue->addend[1] = addend1;
  epilogue->row_stride[0] = addend0_row_stride;
  epilogue->row_stride[1] = addend1_row_stride;
  epilogue->column_stride[0] = addend0_column_stride != 0;
  epilogue->column_stride[1] = addend1_column_stride != 0;
  batch_strides[0] = addend0_batch_stride;
  batch_strides[1] = addend1_batch_stride;
  epilogue->lower = lower;
  epilogue->upper = upper;
  const int clamps = !(lower == -__builtin_inff() && upper == __builtin_inff());
  return addend0 || clamps ? epilogue : NULL;
}

#if defined(__x86_64__)

/* Each ISA's kernels, for tessera_sgemm_*_<isa> (DEFINE_SGEMM) and
 * tessera_rt_sgemm_prepacked_*_<isa> (DEFINE_PREPACKED). */
static const gemm_kernel_t avx512_kernel = {
    .micro = micro_kernel_avx512,
    .micro_4 = micro_kernel_avx512_4,
    .micro_8 = micro_kernel_avx512_8,
    .micro_half = micro_kernel_avx512_half,
    .micro_half_plus_one = micro_kernel_avx512_17,
    .stacked_4 = {micro_kernel_avx512_4_x4, STACKED_NARROW_PANELS},
    .stacked_8 = {micro_kernel_avx512_8_x4, STACKED_NARROW_PANELS},
    .stacked_half = {micro_kernel_avx512_half_x2, STACKED_HALF_PANELS},
    .micro_full_plus_edge = micro_kernel_avx512_49,
    .micro_fused = micro_kernel_avx512_fused,
    .micro_prefetching = micro_kernel_avx512_prefetching,
    .epilogue = epilogue_avx512,
    .small_m = small_m_avx512,
    .small_m_packed = small_m_packed_avx512,
    .mr = AVX512_MR,
    .nr = AVX512_NR,
};
static const gemm_kernel_t avx2_kernel = {
    .micro = micro_kernel_avx2,
    .micro_fused = micro_kernel_avx2_fused,
    .epilogue = epilogue_avx2,
    .small_m = small_m_avx2,
    .small_m_packed = small_m_packed_avx2,
    .mr = AVX2_MR,
    .nr = AVX2_NR,
};

#define DEFINE_SGEMM(isa)                                                      \
  void tessera_sgemm_fused_##isa(TESSERA_SGEMM_PARAMETERS,                     \
                                 TESSERA_SGEMM_EPILOGUE_PARAMETERS) {          \
    epilogue_t epilogue;                                                       \
    int64_t addend_batch_stride[2];                                            \
    const epilogue_t *described = describe_epilogue(                           \
        &epilogue, addend_batch_stride, addend0, addend0_batch_stride,         \
        addend0_row_stride, addend0_column_stride, addend1,                    \
        addend1_batch_stride, addend1_row_stride, addend1_column_stride,       \
        lower, upper);                                                         \
    batched_gemm(&isa##_kernel, batch, m, n, k, a, a_batch_stride, lda, b,     \
                 b_batch_stride, ldb, c, c_batch_stride, ldc, flags,           \
                 described, addend_batch_stride);                              \
  }                                                                            \
  void tessera_sgemm_##isa(TESSERA_SGEMM_PARAMETERS) {                         \
    tessera_sgemm_fused_##isa(batch, m, n, k, a, a_batch_stride, lda, b,       \
                              b_batch_stride, ldb, c, c_batch_stride, ldc,     \
                              flags, NULL, 0, 0, 0, NULL, 0, 0, 0,             \
                              -__builtin_inff(), __builtin_inff());            \
  }

/* The kernels with A already packed (pack_a's layout, whole): products
 * whose constant A is made by the runtime, not found in a model's
 * weights (the Winograd kernel's transformed filters). */
#define DEFINE_PREPACKED(isa)                                                  \
  void tessera_rt_sgemm_prepacked_##isa(                                       \
      int64_t m, int64_t n, int64_t k, const float *packed_a,                  \
      int64_t packed_rows, int64_t first_row, const float *b, int64_t ldb,     \
      float *c, int64_t ldc) {                                                 \
    gemm(&isa##_kernel, m, n, k, NULL, 0, b, ldb, c, ldc,                      \
         /*overwrite=*/1, NULL,                                                \
         &(packed_view_t){packed_a,                                            \
                          padded_to_panels(packed_rows, isa##_kernel.mr),      \
                          first_row});                                         \
  }                                                                            \
  int tessera_rt_sgemm_prepacked_reads_in_place_##isa(int64_t m, int64_t n,   \
                                                      int64_t k) {             \
    if (packs_b(m, /*starts_line=*/1, n, k))                                   \
      return 0;                                                                \
    const int edge = (int)(n % isa##_kernel.nr);                               \
    return edge == 0 || reads_edge_in_place(&isa##_kernel, edge);              \
  }                                                                            \
  int tessera_rt_sgemm_prepacked_narrow_edge_##isa(int64_t n) {                \
    const int edge = (int)(n % isa##_kernel.nr);                               \
    return edge != 0 &&                                                        \
           is_narrow_kernel(&isa##_kernel,                                     \
                            micro_kernel_for(&isa##_kernel, edge));            \
  }

DEFINE_PREPACKED(avx512)
DEFINE_PREPACKED(avx2)

DEFINE_SGEMM(avx512)
DEFINE_SGEMM(avx2)

#endif
