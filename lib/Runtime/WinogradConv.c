/*===- WinogradConv.c - 3x3 stride-1 convolutions by Winograd ---------------===*\
 *
 * A 3x3 convolution computes each m x m block of output (a tile) from an
 * (m + 2) x (m + 2) block of input with (m + 2)^2 products per channel
 * pair instead of 9 m^2 (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016): the input tile d becomes V = B^T
 * d B, the 3x3 filter g becomes U = G g G^T, and the output tile is A^T
 * (sum over channels of U . V) A. Point ξ of the (m + 2)^2 is one matrix
 * product over the channels, M[ξ] (filters x tiles) = U[ξ] (filters x
 * channels) * V[ξ] (channels x tiles), run by the GEMM micro-kernels.
 *
 * F(2x2, 3x3) (m = 2, 16 points): B and A hold only 0 and ±1, so its
 * transforms are additions, and G's halves make U differ from exact
 * filter arithmetic by rounding only; its results differ from a direct
 * convolution's by a few ulps of the sums' magnitudes. F(4x4, 3x3) (m = 4,
 * 36 points): 2.25 products per output instead of 4, through transforms
 * with factors up to 5 (B) and 8 (A) and a G of sixths and
 * twenty-fourths (U summed in double, rounded once), which round more: a
 * 64 -> 64 x 56 x 56 convolution of standard normal inputs came within
 * 2.0e-5 of ONNX Runtime's outputs (1.2e-6 by F(2x2, 3x3); 1e-5 at 16
 * channels), past the end-to-end tests' atol of 1e-5. So the ABI's
 * tessera_conv3x3_winograd_<isa> is F(2x2, 3x3), and only the _4x4
 * variants (--winograd-tile=4x4) take F(4x4, 3x3), on maps tile_for
 * picks.
 *
 * U is made once per weight tensor and tile, already packed for the
 * micro-kernel, and kept while the weights stay registered (a loaded
 * model's weights; unregistered weights are transformed on every call).
 *
 * The transforms are vector code once per instruction set
 * (WinogradConvKernel.inc: AVX-512, 16 tiles of a row at a time, and
 * AVX2, 8); this file holds what they share.
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "RuntimeInternal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__x86_64__)
#include <immintrin.h>

/* Points of F(2x2, 3x3) and F(4x4, 3x3): (tile + 2)^2. */
#define MAX_POINTS 36
static inline int points_of(int tile) { return (tile + 2) * (tile + 2); }

/* V's and M's floats per block of tile rows: a block's transformed
 * input matrices and products (16 or 36 of each) stay in L2 from the
 * input transform to the output transform. Counting V alone let M,
 * filters / channels times V's size, outgrow L2 where filters outnumber
 * channels: SqueezeNet's
 * 16 -> 64 x 55 x 55 expansion ran 18 tile rows per block (V 0.5 MiB, M
 * 2 MiB) in 302-305 us, 7 rows in 282 (the model at 1 thread: 4.54 ->
 * 4.49 ms, alternating runs). With as many filters as channels the
 * blocks are what V alone gave (ResNet-18's 64 x 56 x 56: 4 rows; 6
 * rows, a 1.5 MiB budget, took 720-750 us instead of 704). */
#define BLOCK_FLOATS (256 * 1024)

/*===--- Instruction sets -------------------------------------------------===*/

typedef struct conv_geometry conv_geometry_t;

/* One instruction set's transforms and the micro-kernel they feed. */
typedef struct winograd_isa {
  /* Index 0: F(2x2, 3x3); 1: F(4x4, 3x3). */
  void (*transform_input[2])(const conv_geometry_t *g, int64_t ty0,
                             int64_t rows, int64_t tiles_x, int64_t pitch,
                             float *v);
  void (*transform_output[2])(const conv_geometry_t *g, int64_t ty0,
                              int64_t rows, int64_t tiles_x, int64_t pitch,
                              const float *m);
  void (*product)(int64_t m, int64_t n, int64_t k, const float *packed_a,
                  int64_t packed_rows, int64_t first_row, const float *b,
                  int64_t ldb, float *c, int64_t ldc);
  /* tessera_rt_sgemm_prepacked_reads_in_place_<isa> */
  int (*reads_in_place)(int64_t m, int64_t n, int64_t k);
  /* tessera_rt_sgemm_prepacked_narrow_edge_<isa> */
  int (*narrow_edge)(int64_t n);
  int64_t mr; /* the micro-kernel's panel rows */
} winograd_isa_t;

/*===--- Transformed weights ----------------------------------------------===*/

typedef struct transformed_weights {
  struct transformed_weights *next;
  const float *weights;
  int64_t filters, channels;
  int tile;
  const winograd_isa_t *isa;
  float *packed; /* points_of(tile) blocks of the isa's packed-A layout */
} transformed_weights_t;

static transformed_weights_t *transformed;
static pthread_mutex_t transformed_mutex = PTHREAD_MUTEX_INITIALIZER;

/* The filters rounded up to whole micro-kernel panels. */
static int64_t padded_filters(const winograd_isa_t *isa, int64_t filters) {
  return (filters + isa->mr - 1) / isa->mr * isa->mr;
}

/* Floats of one point's packed U. */
static int64_t packed_point_floats(const winograd_isa_t *isa, int64_t filters,
                                   int64_t channels) {
  return padded_filters(isa, filters) * channels;
}

/* The most filters per micro-kernel panel (TESSERA_SGEMM_AVX512_MR). */
#define MAX_MR 8

/* U = G g G^T of F(2x2, 3x3) for the 3x3 taps g[tap][i] of MAX_MR
 * (filter, channel) pairs, point by point: u[p][i] (p row-major in the
 * 4x4 tile). Each step is the same arithmetic on MAX_MR lanes, which the
 * compiler vectorizes. */
static void transform_filters_2x2(const float g[9][MAX_MR],
                                  float u[MAX_POINTS][MAX_MR]) {
  float gg[4][3][MAX_MR]; /* G g */
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < MAX_MR; ++i) {
      gg[0][j][i] = g[j][i];
      gg[1][j][i] = 0.5f * (g[j][i] + g[3 + j][i] + g[6 + j][i]);
      gg[2][j][i] = 0.5f * (g[j][i] - g[3 + j][i] + g[6 + j][i]);
      gg[3][j][i] = g[6 + j][i];
    }
  for (int r = 0; r < 4; ++r)
    for (int i = 0; i < MAX_MR; ++i) {
      u[r * 4 + 0][i] = gg[r][0][i];
      u[r * 4 + 1][i] = 0.5f * (gg[r][0][i] + gg[r][1][i] + gg[r][2][i]);
      u[r * 4 + 2][i] = 0.5f * (gg[r][0][i] - gg[r][1][i] + gg[r][2][i]);
      u[r * 4 + 3][i] = gg[r][2][i];
    }
}

/* The same for F(4x4, 3x3): u[p][i] with p row-major in the 6x6 tile, G =
 * [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6;
 * 0 0 1]. Summed in double and rounded once: G's sixths and
 * twenty-fourths are not floats. */
static void transform_filters_4x4(const float g[9][MAX_MR],
                                  float u[MAX_POINTS][MAX_MR]) {
  static const double G[6][3] = {{1.0 / 4, 0, 0},
                                 {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                 {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                 {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                 {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                 {0, 0, 1}};
  for (int i = 0; i < MAX_MR; ++i) {
    double gg[6][3]; /* G g */
    for (int r = 0; r < 6; ++r)
      for (int j = 0; j < 3; ++j)
        gg[r][j] = G[r][0] * g[j][i] + G[r][1] * g[3 + j][i] +
                   G[r][2] * g[6 + j][i];
    for (int r = 0; r < 6; ++r)
      for (int q = 0; q < 6; ++q)
        u[r * 6 + q][i] = (float)(gg[r][0] * G[q][0] + gg[r][1] * G[q][1] +
                                  gg[r][2] * G[q][2]);
  }
}

typedef struct filter_transform_job {
  const winograd_isa_t *isa;
  const float *weights;
  int64_t filters, channels;
  int tile;
  float *packed;
} filter_transform_job_t;

/* Filter panels [begin, end) of U, written straight into the layout
 * tessera_rt_sgemm_prepacked_<isa> reads (Gemm.c's pack_a: per block of
 * TESSERA_SGEMM_KC channels, panels of mr filters, each k-major: value
 * (f, c) at (c - block) * mr + f % mr; rows past the last filter zero),
 * each point's matrix point_floats apart. */
static void transform_filter_panels(void *argument, int64_t begin,
                                    int64_t end) {
  const filter_transform_job_t *job = argument;
  const int64_t mr = job->isa->mr, channels = job->channels;
  const int64_t point_floats =
      packed_point_floats(job->isa, job->filters, channels);
  const int64_t padded = padded_filters(job->isa, job->filters);
  for (int64_t panel = begin; panel < end; ++panel)
    for (int64_t block = 0; block < channels; block += TESSERA_SGEMM_KC) {
      const int64_t kc = channels - block < TESSERA_SGEMM_KC
                             ? channels - block
                             : TESSERA_SGEMM_KC;
      float *at = job->packed + block * padded + panel * mr * kc;
      for (int64_t c = block; c < block + kc; ++c) {
        float g[9][MAX_MR] = {{0}}, u[MAX_POINTS][MAX_MR];
        for (int64_t i = 0; i < mr && panel * mr + i < job->filters; ++i)
          for (int tap = 0; tap < 9; ++tap)
            g[tap][i] =
                job->weights[((panel * mr + i) * channels + c) * 9 + tap];
        if (job->tile == 4)
          transform_filters_4x4(g, u);
        else
          transform_filters_2x2(g, u);
        /* A panel's mr values of one channel are contiguous. */
        for (int p = 0; p < points_of(job->tile); ++p)
          memcpy(at + p * point_floats + (c - block) * mr, u[p],
                 (size_t)mr * sizeof(float));
      }
    }
}

/* U for every (filter, channel), packed; NULL when memory is short. Made
 * over the calling thread's pool, straight into huge pages where the
 * kernel gives them: a model's first run makes every layer's. */
static float *transform_weights(const winograd_isa_t *isa,
                                const float *weights, int64_t filters,
                                int64_t channels, int tile) {
  const size_t huge_page = 2u << 20;
  size_t bytes = (size_t)(points_of(tile) *
                          packed_point_floats(isa, filters, channels)) *
                 sizeof(float);
  const size_t alignment = bytes >= huge_page ? huge_page : 64;
  bytes = (bytes + alignment - 1) / alignment * alignment;
  float *packed = aligned_alloc(alignment, bytes);
  if (!packed)
    return NULL;
  if (alignment == huge_page)
    (void)madvise(packed, bytes, MADV_HUGEPAGE);
  filter_transform_job_t job = {isa, weights, filters, channels, tile, packed};
  tessera_parallel_for(transform_filter_panels, &job,
                       padded_filters(isa, filters) / isa->mr);
  return packed;
}

/* The kept U of registered weights (made on first use), or NULL. */
static const float *kept_transform(const winograd_isa_t *isa,
                                   const float *weights, int64_t filters,
                                   int64_t channels, int tile) {
  if (!tessera_rt_gemm_is_constant(weights,
                                   (size_t)(filters * channels * 9) *
                                       sizeof(float)))
    return NULL;
  pthread_mutex_lock(&transformed_mutex);
  transformed_weights_t *entry = transformed;
  while (entry && !(entry->weights == weights && entry->filters == filters &&
                    entry->channels == channels && entry->tile == tile &&
                    entry->isa == isa))
    entry = entry->next;
  if (!entry) {
    entry = malloc(sizeof(*entry));
    float *packed =
        entry ? transform_weights(isa, weights, filters, channels, tile)
              : NULL;
    if (packed) {
      *entry = (transformed_weights_t){transformed, weights, filters,
                                       channels,    tile,    isa,
                                       packed};
      transformed = entry;
    } else {
      free(entry);
      entry = NULL;
    }
  }
  pthread_mutex_unlock(&transformed_mutex);
  return entry ? entry->packed : NULL;
}

void tessera_rt_winograd_forget(const void *begin, size_t bytes) {
  const char *first = begin, *last = first + bytes;
  pthread_mutex_lock(&transformed_mutex);
  for (transformed_weights_t **link = &transformed; *link;) {
    transformed_weights_t *entry = *link;
    const char *weights = (const char *)entry->weights;
    if (weights < first || weights >= last) {
      link = &entry->next;
      continue;
    }
    *link = entry->next;
    free(entry->packed);
    free(entry);
  }
  pthread_mutex_unlock(&transformed_mutex);
}

/*===--- Geometry ---------------------------------------------------------===*/

typedef struct conv_addend {
  const float *data; /* NULL: none */
  int64_t channel_stride, row_stride, column_stride;
} conv_addend_t;

struct conv_geometry {
  int64_t channels, filters;
  const float *input;
  int64_t input_channel_stride, input_row_stride, input_height, input_width;
  /* Where input row and column 0 are in the zero-padded image the 3x3
   * windows slide over. */
  int64_t pad_top, pad_left;
  float *output;
  int64_t output_channel_stride, output_row_stride, output_height,
      output_width;
  conv_addend_t addend[2];
  float lower, upper;
};

/*===--- Transforms, per instruction set ----------------------------------===*/

/* Floats from one point's matrix of V (or M) to the next: `floats`, plus
 * one cache line. The transforms write (read) a stream per point;
 * at a multiple of 4 KiB apart (512 channels x 16 tiles: 32 KiB) they all
 * map to the same L1 set. The extra line cut the input transform of a
 * 512 x 7 x 7 map from about 150 to 80 us and a 64 x 56 x 56
 * convolution from 820 to 650 us. */
static inline int64_t point_stride(int64_t floats) { return floats + 16; }

#define ISA avx512
#define VECTOR_WIDTH 16
#define TARGET __attribute__((target("avx512f")))
#define VEC __m512
/* Masked lanes read as 0 and are never touched (no fault past a row). */
#define VLOADN(p, n) _mm512_maskz_loadu_ps(first_lanes_16(n), p)
/* Lanes [first, n) of p (the others 0): a row's first vector when the
 * left padding comes before its column 0. */
#define VLOADRANGE(p, first, n)                                                \
  _mm512_maskz_loadu_ps(lanes_between_16(first, n), p)
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps(p, first_lanes_16(n), v)
#define VSET1(x) _mm512_set1_ps(x)
#define VADD(a, b) _mm512_add_ps(a, b)
#define VSUB(a, b) _mm512_sub_ps(a, b)
#define VMAX(a, b) _mm512_max_ps(a, b)
#define VMIN(a, b) _mm512_min_ps(a, b)
#define VMUL(a, b) _mm512_mul_ps(a, b)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VFNMADD(a, b, c) _mm512_fnmadd_ps(a, b, c)
/* Columns [0, 32) of `row` (of which [first, valid) exist) as lo and hi,
 * and columns [2, 34) as lo2 and hi2: three loads, two shifts. */
#define VLOADCOLUMNS(row, first, valid, lo, hi, lo2, hi2)                      \
  do {                                                                         \
    *(lo) = VLOADRANGE(row, first, valid);                                     \
    *(hi) = VLOADRANGE((row) + 16, (first) - 16, (valid) - 16);                \
    const __m512 next_ = VLOADRANGE((row) + 32, (first) - 32, (valid) - 32);   \
    *(lo2) = _mm512_castsi512_ps(_mm512_alignr_epi32(                          \
        _mm512_castps_si512(*(hi)), _mm512_castps_si512(*(lo)), 2));           \
    *(hi2) = _mm512_castsi512_ps(_mm512_alignr_epi32(                          \
        _mm512_castps_si512(next_), _mm512_castps_si512(*(hi)), 2));           \
  } while (0)
#define VDEINTERLEAVE(lo, hi, even, odd) deinterleave_16(lo, hi, even, odd)
/* first, second = a[0], b[0], a[1], b[1], ... */
#define VINTERLEAVE(a, b, first, second)                                       \
  do {                                                                         \
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20,  \
                                          5, 21, 6, 22, 7, 23);                \
    *(first) = _mm512_permutex2var_ps(a, low, b);                              \
    *(second) = _mm512_permutex2var_ps(                                        \
        a, _mm512_add_epi32(low, _mm512_set1_epi32(8)), b);                    \
  } while (0)
#include "WinogradConvKernel.inc"

#define ISA avx2
#define VECTOR_WIDTH 8
#define TARGET __attribute__((target("avx2,fma")))
#define VEC __m256
#define VLOADN(p, n) _mm256_maskload_ps(p, first_lanes_8(n))
#define VLOADRANGE(p, first, n)                                                \
  _mm256_maskload_ps(p, lanes_between_8(first, n))
#define VSTOREN(p, v, n) _mm256_maskstore_ps(p, first_lanes_8(n), v)
#define VSET1(x) _mm256_set1_ps(x)
#define VADD(a, b) _mm256_add_ps(a, b)
#define VSUB(a, b) _mm256_sub_ps(a, b)
#define VMAX(a, b) _mm256_max_ps(a, b)
#define VMIN(a, b) _mm256_min_ps(a, b)
#define VMUL(a, b) _mm256_mul_ps(a, b)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VFNMADD(a, b, c) _mm256_fnmadd_ps(a, b, c)
/* Columns [0, 16) and [2, 18) of `row` (of which [first, valid) exist):
 * four masked loads (AVX2 has no shift across 128-bit lanes). */
#define VLOADCOLUMNS(row, first, valid, lo, hi, lo2, hi2)                      \
  do {                                                                         \
    *(lo) = VLOADRANGE(row, first, valid);                                     \
    *(hi) = VLOADRANGE((row) + 8, (first) - 8, (valid) - 8);                   \
    *(lo2) = VLOADRANGE((row) + 2, (first) - 2, (valid) - 2);                  \
    *(hi2) = VLOADRANGE((row) + 10, (first) - 10, (valid) - 10);               \
  } while (0)
#define VDEINTERLEAVE(lo, hi, even, odd) deinterleave_8(lo, hi, even, odd)
#define VINTERLEAVE(a, b, first, second)                                       \
  do {                                                                         \
    const __m256 low_ = _mm256_unpacklo_ps(a, b),                              \
                 high_ = _mm256_unpackhi_ps(a, b);                             \
    *(first) = _mm256_permute2f128_ps(low_, high_, 0x20);                      \
    *(second) = _mm256_permute2f128_ps(low_, high_, 0x31);                     \
  } while (0)
#include "WinogradConvKernel.inc"

/* Tile rows per block: V for all channels and M for all filters within
 * BLOCK_FLOATS. */
static int64_t block_rows_for(int64_t pitch, int64_t tiles_y,
                              int64_t channels, int64_t filters, int tile) {
  const int64_t matrices = channels + filters;
  int64_t rows = BLOCK_FLOATS / points_of(tile) /
                 (matrices > 0 ? matrices : 1) / pitch;
  if (rows < 1)
    rows = 1;
  return rows > tiles_y ? tiles_y : rows;
}

/* Whether a block of `tiles` tiles suits the products: they read B in
 * place (see convolve) and, for F(2x2, 3x3), do not end in an edge that
 * only the GEMM's narrow kernels run. Those run it at 60-85% of the full
 * kernel's rate, and such a tile count leaves rows of V and M that do not
 * start cache lines, which the products' stores and the output
 * transform's loads pay for most where channels are few (short products:
 * more stores of M per FMA). 1 thread: 16 x 55 x 55 -> 64 (SqueezeNet's
 * first expansions), 7 rows of 28 tiles (196 = 6 x 32 + 4) -> 4 rows
 * (112 = 3 x 32 + 16), 363-372 -> 346-350 us; 32 x 55 x 55 -> 64, 6 rows
 * (168 = 5 x 32 + 8) -> 4, 641-653 -> 536-546 us. F(4x4, 3x3)'s blocks
 * keep such edges: its 32 x 27 x 27 -> 128 ran in 197-204 us by blocks of
 * 40 tiles (5 rows of pitch 8, an edge of 8), 205-213 by blocks of 32. */
static int block_suits(const winograd_isa_t *isa, int tile, int64_t filters,
                       int64_t tiles, int64_t channels) {
  return isa->reads_in_place(filters, tiles, channels) &&
         !(tile == 2 && isa->narrow_edge(tiles));
}

/* The whole job, split over threads along tile rows or (for maps of few
 * tile rows) along filters in whole micro-kernel panels. */
typedef struct winograd_job {
  const winograd_isa_t *isa;
  const conv_geometry_t *geometry;
  const float *u;
  int tile; /* 2: F(2x2, 3x3); 4: F(4x4, 3x3) */
  int64_t tiles_y, tiles_x, tile_pitch, block_rows, filter_panels;
  int split_filters;
  atomic_int failed; /* a thread found no scratch memory */
} winograd_job_t;

/* Tile rows [ty_begin, ty_end) for filters [f_begin, f_end). */
static void run_winograd(winograd_job_t *job, int64_t ty_begin, int64_t ty_end,
                         int64_t f_begin, int64_t f_end) {
  const conv_geometry_t *g = job->geometry;
  const int64_t channels = g->channels, filters = f_end - f_begin;
  const int64_t block_tiles = job->block_rows * job->tile_pitch;
  const int points = points_of(job->tile), variant = job->tile == 4;
  const int64_t v_floats = points * point_stride(channels * block_tiles);
  float *v = tessera_rt_thread_scratch(
      TESSERA_RT_SCRATCH_WINOGRAD,
      (size_t)(v_floats + points * point_stride(filters * block_tiles)));
  if (!v) {
    atomic_store(&job->failed, 1);
    return;
  }
  float *m = v + v_floats;
  conv_geometry_t part = *g;
  part.filters = filters;
  part.output += f_begin * g->output_channel_stride;
  for (int a = 0; a < 2; ++a)
    if (part.addend[a].data)
      part.addend[a].data += f_begin * part.addend[a].channel_stride;
  const winograd_isa_t *isa = job->isa;
  const int64_t u_point = packed_point_floats(isa, g->filters, channels);
  for (int64_t ty = ty_begin; ty < ty_end; ty += job->block_rows) {
    const int64_t rows =
        ty_end - ty < job->block_rows ? ty_end - ty : job->block_rows;
    const int64_t tiles = rows * job->tile_pitch;
    isa->transform_input[variant](g, ty, rows, job->tiles_x, job->tile_pitch,
                                  v);
    for (int p = 0; p < points; ++p)
      isa->product(filters, tiles, channels, job->u + p * u_point, g->filters,
                   f_begin, v + p * point_stride(channels * tiles), tiles,
                   m + p * point_stride(filters * tiles), tiles);
    isa->transform_output[variant](&part, ty, rows, job->tiles_x,
                                   job->tile_pitch, m);
  }
}

static void winograd_task(void *argument, int64_t begin, int64_t end) {
  winograd_job_t *job = argument;
  if (job->split_filters) {
    const int64_t mr = job->isa->mr;
    const int64_t last = end * mr < job->geometry->filters
                             ? end * mr
                             : job->geometry->filters;
    run_winograd(job, 0, job->tiles_y, begin * mr, last);
  } else {
    run_winograd(job, begin, end, 0, job->geometry->filters);
  }
}

/* The direct sums, one output at a time: when memory is short. */
static void convolve_directly(const conv_geometry_t *g, const float *weights) {
  for (int64_t f = 0; f < g->filters; ++f)
    for (int64_t y = 0; y < g->output_height; ++y)
      for (int64_t x = 0; x < g->output_width; ++x) {
        float sum = 0.0f;
        for (int64_t c = 0; c < g->channels; ++c)
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
              const int64_t row = y + i - g->pad_top,
                            column = x + j - g->pad_left;
              if (row >= 0 && row < g->input_height && column >= 0 &&
                  column < g->input_width)
                sum += g->input[c * g->input_channel_stride +
                                row * g->input_row_stride + column] *
                       weights[((f * g->channels + c) * 3 + i) * 3 + j];
            }
        for (int a = 0; a < 2; ++a)
          if (g->addend[a].data)
            sum += g->addend[a].data[f * g->addend[a].channel_stride +
                                     y * g->addend[a].row_stride +
                                     x * g->addend[a].column_stride];
        if (g->lower != -__builtin_inff())
          sum = sum < g->lower ? g->lower : sum;
        if (g->upper != __builtin_inff())
          sum = sum > g->upper ? g->upper : sum;
        g->output[f * g->output_channel_stride + y * g->output_row_stride +
                  x] = sum;
      }
}

/* The _4x4 entry points' tile for a map: F(4x4, 3x3) from 6 rows and
 * columns of its tiles (24 x 24 outputs) on, F(2x2, 3x3) below. F(4x4,
 * 3x3) multiplies 2.25 times per output instead of 4, but its transforms
 * cost more per output and small maps leave its products few tiles. In
 * isolation (1 thread, blocks as below), by F(2x2, 3x3) and by F(4x4,
 * 3x3), AVX-512 / AVX2 (us): 16 x 55 x 55 -> 64, 248 and 154 / 375 and
 * 277; 64 x 56 x 56 -> 64, 640 and 438 / 1167 and 804-817; 32 x 27 x 27
 * -> 128, 176 and 166 / 325 and 243; 128 x 28 x 28 -> 128, 598 and 546 /
 * 1140 and 804; 48 x 13 x 13 -> 192, 103 and 104 / 190 and 147 (before);
 * 64 x 24 x 24 -> 64, 157 and 111 (before) and 256 x 14 x 14 -> 256, 751
 * and 950 (before) on AVX-512. */
static int tile_for(int64_t output_height, int64_t output_width) {
  return output_height >= 24 && output_width >= 24 ? 4 : 2;
}

/* `tile`: 2, F(2x2, 3x3); 4, F(4x4, 3x3); any other, tile_for's. */
static void convolve(const winograd_isa_t *isa, int tile,
                     TESSERA_WINOGRAD_CONV3X3_PARAMETERS) {
  if (output_height <= 0 || output_width <= 0 || filters <= 0)
    return;
  if (tile != 2 && tile != 4)
    tile = tile_for(output_height, output_width);
  const conv_geometry_t g = {
      channels, filters, input, input_channel_stride, input_row_stride,
      input_height, input_width, pad_top, pad_left, output,
      output_channel_stride, output_row_stride, output_height, output_width,
      {{addend0, addend0_channel_stride, addend0_row_stride,
        addend0_column_stride},
       {addend1, addend1_channel_stride, addend1_row_stride,
        addend1_column_stride}},
      lower, upper};
  const int64_t tiles_y = (output_height + tile - 1) / tile,
                tiles_x = (output_width + tile - 1) / tile;
  int64_t tile_pitch = tiles_x,
          block_rows =
              block_rows_for(tiles_x, tiles_y, channels, filters, tile);
  /* A block whose products copy B (V's matrices, as many columns as the
   * block has tiles) for every point spends a large share of its time
   * copying: all of B (over 128 filters and 128 channels, when B's rows
   * do not start cache lines) or an edge (fewer than NR columns) the
   * micro-kernel cannot read in place. Such a block takes instead the
   * narrowest pitch (tile rows padded by up to an eighth, with tiles whose
   * results are dropped) and the most rows within the budget whose
   * products read B in place, if any; one that no padding helps stays as
   * it is. (V's matrices start cache lines when their rows do: point
   * pitches are a multiple of 16 floats then.) AVX-512, 1 thread: F(2x2,
   * 3x3) 128 x 28 x 28 -> 128, 56 -> 64 tiles per block, 11-17% faster;
   * 32 x 27 x 27 -> 128, 98 -> 96 tiles, 194 -> 176-178 us; F(4x4, 3x3)
   * 16 x 55 x 55 -> 64, 84 -> 80, 232 -> 175-181 us; 64 x 56 x 56 -> 64,
   * 56 -> 48, 593 -> 472-480 us. See block_suits for F(2x2, 3x3)'s
   * narrow edges. */
  for (int64_t pitch = tiles_x;
       !block_suits(isa, tile, filters, block_rows * tile_pitch, channels) &&
       pitch <= tiles_x + tiles_x / 7;
       ++pitch) {
    int64_t rows = block_rows_for(pitch, tiles_y, channels, filters, tile);
    while (rows > 0 && !block_suits(isa, tile, filters, rows * pitch, channels))
      --rows;
    if (rows > 0) {
      tile_pitch = pitch;
      block_rows = rows;
    }
  }
  const float *u = kept_transform(isa, weights, filters, channels, tile);
  float *own_u = NULL;
  if (!u)
    u = own_u = transform_weights(isa, weights, filters, channels, tile);
  if (!u) {
    convolve_directly(&g, weights);
    return;
  }
  winograd_job_t job = {isa,
                        &g,
                        u,
                        tile,
                        tiles_y,
                        tiles_x,
                        tile_pitch,
                        block_rows,
                        padded_filters(isa, filters) / isa->mr,
                        0};
  atomic_init(&job.failed, 0);
  /* Few tile rows (7 x 7 maps have 4) would leave threads uneven work and
   * the micro-kernel narrow products: each thread takes whole panels of
   * filters instead (and transforms the input itself). F(4x4, 3x3)'s maps
   * (6 or more tile rows) split them all the same: SqueezeNet's 32 x 27 x
   * 27 -> 128 (7 tile rows) took 124-125 us at 2 threads splitting
   * filters, 112 splitting rows 4 and 3 (traced; 186 at 1 thread). */
  job.split_filters = tile == 2 && tiles_y < 8;
  tessera_parallel_for(winograd_task, &job,
                       job.split_filters ? job.filter_panels : tiles_y);
  if (atomic_load(&job.failed))
    convolve_directly(&g, weights);
  free(own_u);
}

static const winograd_isa_t avx512 = {
    {transform_input_2x2_avx512, transform_input_4x4_avx512},
    {transform_output_2x2_avx512, transform_output_4x4_avx512},
    tessera_rt_sgemm_prepacked_avx512,
    tessera_rt_sgemm_prepacked_reads_in_place_avx512,
    tessera_rt_sgemm_prepacked_narrow_edge_avx512,
    TESSERA_SGEMM_AVX512_MR};
static const winograd_isa_t avx2 = {
    {transform_input_2x2_avx2, transform_input_4x4_avx2},
    {transform_output_2x2_avx2, transform_output_4x4_avx2},
    tessera_rt_sgemm_prepacked_avx2,
    tessera_rt_sgemm_prepacked_reads_in_place_avx2,
    tessera_rt_sgemm_prepacked_narrow_edge_avx2,
    TESSERA_SGEMM_AVX2_MR};

/* The ABI's entry points (F(2x2, 3x3), or the tile by the map's size),
 * and the runtime's with the tile chosen: the parameters, forwarded with
 * the variant. */
#define FORWARD_WINOGRAD(isa, tile)                                            \
    convolve(&isa, tile, channels, filters, input, input_channel_stride,       \
             input_row_stride, input_height, input_width, pad_top, pad_left,   \
             weights, output, output_channel_stride,                           \
             output_row_stride, output_height, output_width, addend0,          \
             addend0_channel_stride, addend0_row_stride,                       \
             addend0_column_stride, addend1, addend1_channel_stride,           \
             addend1_row_stride, addend1_column_stride, lower, upper)
#define DEFINE_WINOGRAD_ENTRY(isa)                                             \
  void tessera_conv3x3_winograd_##isa(TESSERA_WINOGRAD_CONV3X3_PARAMETERS) {   \
    FORWARD_WINOGRAD(isa, 2);                                                  \
  }                                                                            \
  void tessera_conv3x3_winograd_4x4_##isa(                                     \
      TESSERA_WINOGRAD_CONV3X3_PARAMETERS) {                                   \
    FORWARD_WINOGRAD(isa, 0);                                                  \
  }                                                                            \
  void tessera_rt_conv3x3_winograd_tiled_##isa(                                \
      int tile, TESSERA_WINOGRAD_CONV3X3_PARAMETERS) {                         \
    FORWARD_WINOGRAD(isa, tile);                                               \
  }
DEFINE_WINOGRAD_ENTRY(avx512)
DEFINE_WINOGRAD_ENTRY(avx2)

#endif
