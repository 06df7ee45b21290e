/*===- WinogradConv.c - 3x3 stride-1 convolutions as Winograd F(2x2, 3x3) ---===*\
 *
 * A 3x3 convolution computes each 2x2 block of output (a tile) from a 4x4
 * block of input with 16 products per channel pair instead of 36
 * (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2016): the input tile d becomes V = B^T d B, the 3x3 filter g becomes
 * U = G g G^T, and the output tile is A^T (sum over channels of U . V) A.
 * Point ξ of the 16 is one matrix product over the channels,
 * M[ξ] (filters x tiles) = U[ξ] (filters x channels) * V[ξ] (channels x
 * tiles), run by the GEMM micro-kernels. B and A hold only 0 and ±1, so the
 * transforms are additions; G's halves make U differ from exact filter
 * arithmetic by rounding only. Results differ from a direct convolution's
 * by a few ulps of the sums' magnitudes (the test bounds it).
 *
 * U is made once per weight tensor, already packed for the micro-kernel,
 * and kept while the weights stay registered (a loaded model's weights;
 * unregistered weights are transformed on every call).
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "RuntimeInternal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define POINTS 16
#define MR TESSERA_SGEMM_AVX512_MR
/* The micro-kernel's full block width (two vectors). */
#define NR 32
/* V's floats per block of tile rows: a block's 16 transformed input
 * matrices stay in L2 from their transform to their products. */
#define BLOCK_FLOATS (128 * 1024)

/*===--- Transformed weights ----------------------------------------------===*/

typedef struct transformed_weights {
  struct transformed_weights *next;
  const float *weights;
  int64_t filters, channels;
  float *packed; /* POINTS blocks of tessera_rt_pack_a_avx512 layout */
} transformed_weights_t;

static transformed_weights_t *transformed;
static pthread_mutex_t transformed_mutex = PTHREAD_MUTEX_INITIALIZER;

static int64_t packed_point_floats(int64_t filters, int64_t channels) {
  return (filters + MR - 1) / MR * MR * channels;
}

/* U for every (filter, channel), packed; NULL when memory is short. */
static float *transform_weights(const float *weights, int64_t filters,
                                int64_t channels) {
  const size_t point = (size_t)(filters * channels);
  float *u = malloc(POINTS * point * sizeof(float));
  float *packed = aligned_alloc(
      64, ((size_t)(POINTS * packed_point_floats(filters, channels)) *
               sizeof(float) +
           63) / 64 * 64);
  if (!u || !packed) {
    free(u);
    free(packed);
    return NULL;
  }
  for (int64_t f = 0; f < filters; ++f)
    for (int64_t c = 0; c < channels; ++c) {
      const float *g = weights + (f * channels + c) * 9;
      float gg[4][3]; /* G g */
      for (int j = 0; j < 3; ++j) {
        gg[0][j] = g[j];
        gg[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
        gg[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
        gg[3][j] = g[6 + j];
      }
      for (int i = 0; i < 4; ++i) {
        float row[4] = {gg[i][0], 0.5f * (gg[i][0] + gg[i][1] + gg[i][2]),
                        0.5f * (gg[i][0] - gg[i][1] + gg[i][2]), gg[i][2]};
        for (int j = 0; j < 4; ++j)
          u[(size_t)(i * 4 + j) * point + (size_t)(f * channels + c)] = row[j];
      }
    }
  for (int p = 0; p < POINTS; ++p)
    tessera_rt_pack_a_avx512(filters, channels, u + (size_t)p * point,
                             channels,
                             packed + p * packed_point_floats(filters, channels));
  free(u);
  return packed;
}

/* The kept U of registered weights (made on first use), or NULL. */
static const float *kept_transform(const float *weights, int64_t filters,
                                   int64_t channels) {
  if (!tessera_rt_gemm_is_constant(weights,
                                   (size_t)(filters * channels * 9) *
                                       sizeof(float)))
    return NULL;
  pthread_mutex_lock(&transformed_mutex);
  transformed_weights_t *entry = transformed;
  while (entry && !(entry->weights == weights && entry->filters == filters &&
                    entry->channels == channels))
    entry = entry->next;
  if (!entry) {
    entry = malloc(sizeof(*entry));
    float *packed = entry ? transform_weights(weights, filters, channels) : NULL;
    if (packed) {
      *entry = (transformed_weights_t){transformed, weights, filters, channels,
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

/*===--- Transforms -------------------------------------------------------===*/

typedef struct conv_addend {
  const float *data; /* NULL: none */
  int64_t channel_stride, row_stride, column_stride;
} conv_addend_t;

typedef struct conv_geometry {
  int64_t channels, filters;
  const float *input;
  int64_t input_channel_stride, input_row_stride, input_height, input_width;
  float *output;
  int64_t output_channel_stride, output_row_stride, output_height,
      output_width;
  conv_addend_t addend[2];
  float lower, upper;
} conv_geometry_t;

static inline __mmask16 first_lanes(int64_t count) {
  return count >= 16 ? (__mmask16)0xffff
         : count <= 0 ? (__mmask16)0
                      : (__mmask16)((1u << count) - 1);
}

/* V for tile rows [ty0, ty0 + rows) of every channel: V[p][c][t] with t =
 * (ty - ty0) * tiles_x + tx; input past the buffer's rows or columns reads
 * as zero (only tiles that also cover dropped outputs reach it). Sixteen
 * tiles of a row at a time: input columns 2tx + j split into even and odd
 * lanes. */
__attribute__((target("avx512f"))) static void
transform_input(const conv_geometry_t *g, int64_t ty0, int64_t rows,
                int64_t tiles_x, int64_t pitch, float *v) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                         20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const int64_t tiles = rows * pitch, point = g->channels * tiles;
  for (int64_t c = 0; c < g->channels; ++c)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t tx = 0; tx < pitch; tx += 16) {
        __m512 d[4][4];
        for (int i = 0; i < 4; ++i) {
          const int64_t y = 2 * (ty0 + r) + i;
          const int64_t valid =
              y < g->input_height ? g->input_width - 2 * tx : 0;
          const float *row = g->input + c * g->input_channel_stride +
                             (y < g->input_height ? y : 0) *
                                 g->input_row_stride +
                             2 * tx;
          __m512 lo = _mm512_maskz_loadu_ps(first_lanes(valid), row);
          __m512 hi = _mm512_maskz_loadu_ps(first_lanes(valid - 16), row + 16);
          __m512 next = _mm512_maskz_loadu_ps(first_lanes(valid - 32), row + 32);
          __m512 lo2 = _mm512_castsi512_ps(_mm512_alignr_epi32(
              _mm512_castps_si512(hi), _mm512_castps_si512(lo), 2));
          __m512 hi2 = _mm512_castsi512_ps(_mm512_alignr_epi32(
              _mm512_castps_si512(next), _mm512_castps_si512(hi), 2));
          d[i][0] = _mm512_permutex2var_ps(lo, even, hi);
          d[i][1] = _mm512_permutex2var_ps(lo, odd, hi);
          d[i][2] = _mm512_permutex2var_ps(lo2, even, hi2);
          d[i][3] = _mm512_permutex2var_ps(lo2, odd, hi2);
        }
        __m512 t[4][4]; /* B^T d */
        for (int j = 0; j < 4; ++j) {
          t[0][j] = _mm512_sub_ps(d[0][j], d[2][j]);
          t[1][j] = _mm512_add_ps(d[1][j], d[2][j]);
          t[2][j] = _mm512_sub_ps(d[2][j], d[1][j]);
          t[3][j] = _mm512_sub_ps(d[1][j], d[3][j]);
        }
        const __mmask16 lanes = first_lanes(pitch - tx);
        float *out = v + c * tiles + r * pitch + tx;
        for (int i = 0; i < 4; ++i) {
          __m512 row[4] = {_mm512_sub_ps(t[i][0], t[i][2]),
                           _mm512_add_ps(t[i][1], t[i][2]),
                           _mm512_sub_ps(t[i][2], t[i][1]),
                           _mm512_sub_ps(t[i][1], t[i][3])};
          for (int j = 0; j < 4; ++j)
            _mm512_mask_storeu_ps(out + (i * 4 + j) * point, lanes, row[j]);
        }
      }
}

/* (y + addend0) + addend1, clamped, for `count` output columns of row `y`
 * of filter f starting at column x. */
__attribute__((target("avx512f"))) static inline __m512
apply_epilogue(const conv_geometry_t *g, __m512 value, int64_t f, int64_t y,
               int64_t x, __mmask16 lanes) {
  for (int a = 0; a < 2; ++a) {
    const conv_addend_t *addend = &g->addend[a];
    if (!addend->data)
      continue;
    const float *at = addend->data + f * addend->channel_stride +
                      y * addend->row_stride;
    value = _mm512_add_ps(
        value, addend->column_stride
                   ? _mm512_maskz_loadu_ps(lanes, at + x)
                   : _mm512_set1_ps(*at));
  }
  if (g->lower != -__builtin_inff())
    value = _mm512_max_ps(value, _mm512_set1_ps(g->lower));
  if (g->upper != __builtin_inff())
    value = _mm512_min_ps(value, _mm512_set1_ps(g->upper));
  return value;
}

/* Output rows of tile rows [ty0, ty0 + rows) from M[p][f][t]: A^T M A, each
 * 2x2 tile's columns interleaved back into output rows, then the
 * epilogue. */
__attribute__((target("avx512f"))) static void
transform_output(const conv_geometry_t *g, int64_t ty0, int64_t rows,
                 int64_t tiles_x, int64_t pitch, const float *m) {
  const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5,
                                        21, 6, 22, 7, 23);
  const __m512i high = _mm512_add_epi32(low, _mm512_set1_epi32(8));
  const int64_t tiles = rows * pitch, point = g->filters * tiles;
  for (int64_t f = 0; f < g->filters; ++f)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t tx = 0; tx < tiles_x; tx += 16) {
        const __mmask16 lanes = first_lanes(tiles_x - tx);
        const float *in = m + f * tiles + r * pitch + tx;
        __m512 s[2][4]; /* A^T M */
        for (int j = 0; j < 4; ++j) {
          __m512 m0 = _mm512_maskz_loadu_ps(lanes, in + (0 * 4 + j) * point);
          __m512 m1 = _mm512_maskz_loadu_ps(lanes, in + (1 * 4 + j) * point);
          __m512 m2 = _mm512_maskz_loadu_ps(lanes, in + (2 * 4 + j) * point);
          __m512 m3 = _mm512_maskz_loadu_ps(lanes, in + (3 * 4 + j) * point);
          s[0][j] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
          s[1][j] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
        }
        for (int i = 0; i < 2; ++i) {
          const int64_t y = 2 * (ty0 + r) + i;
          if (y >= g->output_height)
            break;
          __m512 y0 = _mm512_add_ps(_mm512_add_ps(s[i][0], s[i][1]), s[i][2]);
          __m512 y1 = _mm512_sub_ps(_mm512_sub_ps(s[i][1], s[i][2]), s[i][3]);
          const int64_t x = 2 * tx, valid = g->output_width - x;
          float *out = g->output + f * g->output_channel_stride +
                       y * g->output_row_stride + x;
          const __mmask16 first = first_lanes(valid),
                          second = first_lanes(valid - 16);
          _mm512_mask_storeu_ps(
              out, first,
              apply_epilogue(g, _mm512_permutex2var_ps(y0, low, y1), f, y, x,
                             first));
          if (second)
            _mm512_mask_storeu_ps(
                out + 16, second,
                apply_epilogue(g, _mm512_permutex2var_ps(y0, high, y1), f, y,
                               x + 16, second));
        }
      }
}

/* Tile rows per block: V for all channels within BLOCK_FLOATS. */
static int64_t block_rows_for(int64_t pitch, int64_t tiles_y,
                              int64_t channels) {
  int64_t rows = BLOCK_FLOATS / POINTS / (channels > 0 ? channels : 1) / pitch;
  if (rows < 1)
    rows = 1;
  return rows > tiles_y ? tiles_y : rows;
}

/* The whole job, split over threads along tile rows or (for maps of few
 * tile rows) along filters in whole micro-kernel panels. */
typedef struct winograd_job {
  const conv_geometry_t *geometry;
  const float *u;
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
  const int64_t v_floats = POINTS * channels * block_tiles;
  float *v = tessera_rt_thread_scratch(TESSERA_RT_SCRATCH_WINOGRAD, 
      (size_t)(v_floats + POINTS * filters * block_tiles));
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
  const int64_t u_point = packed_point_floats(g->filters, channels);
  for (int64_t ty = ty_begin; ty < ty_end; ty += job->block_rows) {
    const int64_t rows =
        ty_end - ty < job->block_rows ? ty_end - ty : job->block_rows;
    const int64_t tiles = rows * job->tile_pitch;
    transform_input(g, ty, rows, job->tiles_x, job->tile_pitch, v);
    for (int p = 0; p < POINTS; ++p)
      tessera_rt_sgemm_prepacked_avx512(
          filters, tiles, channels, job->u + p * u_point, g->filters,
          f_begin, v + p * channels * tiles, tiles, m + p * filters * tiles,
          tiles);
    transform_output(&part, ty, rows, job->tiles_x, job->tile_pitch, m);
  }
}

static void winograd_task(void *argument, int64_t begin, int64_t end) {
  winograd_job_t *job = argument;
  if (job->split_filters) {
    const int64_t last = end * MR < job->geometry->filters
                             ? end * MR
                             : job->geometry->filters;
    run_winograd(job, 0, job->tiles_y, begin * MR, last);
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
            for (int j = 0; j < 3; ++j)
              sum += g->input[c * g->input_channel_stride +
                              (y + i) * g->input_row_stride + x + j] *
                     weights[((f * g->channels + c) * 3 + i) * 3 + j];
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

void tessera_conv3x3_winograd_avx512(TESSERA_WINOGRAD_CONV3X3_PARAMETERS) {
  if (output_height <= 0 || output_width <= 0 || filters <= 0)
    return;
  const conv_geometry_t g = {
      channels, filters, input, input_channel_stride, input_row_stride,
      output_height + 2, output_width + 2, output,
      output_channel_stride, output_row_stride, output_height, output_width,
      {{addend0, addend0_channel_stride, addend0_row_stride,
        addend0_column_stride},
       {addend1, addend1_channel_stride, addend1_row_stride,
        addend1_column_stride}},
      lower, upper};
  const int64_t tiles_y = (output_height + 1) / 2,
                tiles_x = (output_width + 1) / 2;
  int64_t tile_pitch = tiles_x, block_rows = block_rows_for(tiles_x, tiles_y,
                                                              channels);
  /* A block of fewer than 4 micro-kernel panels (NR columns) whose tile
   * count leaves more than half a panel over runs a large share of its
   * products on the full kernel through a copy. Padding each tile row by
   * up to an eighth, with tiles whose results are dropped, to whole
   * panels costs less there (128 x 28 x 28: 56 -> 64 tiles per block,
   * 11-17% faster). With more panels (16 x 55 x 55: 504 tiles per block)
   * the padding costs more than the one slow panel; a remainder of at
   * most half a panel runs on the half-width kernel. */
  const int64_t remainder = block_rows * tiles_x % NR;
  const int pad = block_rows * tiles_x < 4 * NR && remainder > NR / 2;
  for (int64_t pitch = tiles_x; pad && pitch <= tiles_x + tiles_x / 7;
       ++pitch) {
    const int64_t rows = block_rows_for(pitch, tiles_y, channels);
    if (rows * pitch % NR == 0) {
      tile_pitch = pitch;
      block_rows = rows;
      break;
    }
  }
  const float *u = kept_transform(weights, filters, channels);
  float *own_u = NULL;
  if (!u)
    u = own_u = transform_weights(weights, filters, channels);
  if (!u) {
    convolve_directly(&g, weights);
    return;
  }
  winograd_job_t job = {&g,         u,          tiles_y,
                        tiles_x,    tile_pitch, block_rows,
                        (filters + MR - 1) / MR, 0};
  atomic_init(&job.failed, 0);
  /* Few tile rows (7 x 7 maps have 4) would leave threads uneven work and
   * the micro-kernel narrow products: each thread takes whole panels of
   * filters instead (and transforms the input itself). */
  job.split_filters = tiles_y < 8;
  tessera_parallel_for(winograd_task, &job,
                       job.split_filters ? job.filter_panels : tiles_y);
  if (atomic_load(&job.failed))
    convolve_directly(&g, weights);
  free(own_u);
}

#endif
