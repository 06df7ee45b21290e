/*===- DirectConv.c - convolutions of few input channels, directly --------===*\
 *
 * A network's first convolution reads 3 channels: its window holds 27
 * values (3x3) to 147 (7x7), so im2col + GEMM runs the micro-kernel with
 * k = 27 on columns it first copied out through L2. SqueezeNet's stem
 * (64 x 111 x 111 from 3 x 224 x 224, 3x3 stride 2) took 384 us that way
 * (the copy 58 of them) and MobileNetV2's 210, padding included.
 *
 * Here each output row is computed from its input rows directly. The
 * input rows it reads are laid out once per phase of the column stride
 * (row p holds columns p, p + stride, ...; stride 2: even and odd
 * columns), zero-padded, in L1; every window tap (c, i, j) is then a
 * plain row of that layout, shifted by j / stride. A register block of
 * MR filters by NV vectors of output columns sums over the window's taps
 * (broadcast weights times a vector of inputs), applies the epilogue and
 * stores the finished outputs: no im2col, no second pass over the output.
 *
 * A max pool that is the only reader of such a convolution's output (a
 * stem's 3 x 3, stride 2 pool) is computed with it: each thread keeps the
 * convolution's rows that its pool rows' windows need in a ring of
 * kernel_height rows per filter, in L2, and writes only the pooled rows.
 * The convolution's output (3 MiB for SqueezeNet's and ResNet-18's stems)
 * never goes through memory, where each of its lines cost a read for
 * ownership before the write and a read by the pool after it.
 *
 * The row code is vector code once per instruction set
 * (DirectConvKernel.inc: AVX-512, 8 filters x 48 columns; AVX2, 4 x 24);
 * this file holds what they share.
\*===----------------------------------------------------------------------===*/

#include "RuntimeInternal.h"

#include <stddef.h>

#if defined(__x86_64__)
#include <immintrin.h>

/*===--- Geometry ---------------------------------------------------------===*/

typedef struct direct_addend {
  const float *data;
  int64_t channel_stride, row_stride, column_stride;
} direct_addend_t;

typedef struct direct_conv {
  int64_t channels, filters;
  const float *input;
  int64_t input_channel_stride, input_row_stride, input_height, input_width;
  int64_t pad_top, pad_left;
  int64_t kernel_height, kernel_width, stride_height, stride_width;
  const float *weights; /* [filters][channels][kh][kw] */
  float *output;
  int64_t output_channel_stride, output_row_stride, output_height,
      output_width;
  direct_addend_t addend[2];
  float lower, upper;
  /* channels * kernel_height * kernel_width: the taps of a window. */
  int64_t window;
  /* Floats per laid-out input row (a whole number of vectors). */
  int64_t row_floats;
  /* The weights as panels of the isa's MR filters: panel p holds, for
   * each tap in (c, i, j) order, filters [p * MR, p * MR + MR) (zero
   * past the last). */
  const float *packed;
} direct_conv_t;

/* A max pool of the convolution's output (its rows and columns), written
 * to `output` after the clamp [lower, upper]; positions outside the
 * convolution's output read pad_value. */
typedef struct direct_pool {
  int64_t kernel_height, kernel_width, stride_height, stride_width;
  int64_t pad_top, pad_left;
  float pad_value, lower, upper;
  float *output;
  int64_t output_channel_stride, output_row_stride, output_height,
      output_width;
  /* Floats per convolution row in the ring (a whole number of vectors),
   * and per filter (kernel_height rows: row y in slot y % kernel_height). */
  int64_t ring_row_floats, ring_filter_floats;
  /* Floats of the row of vertical maxima: pad_left pad values, the
   * convolution's columns, pad values up to the last window, and the
   * vectors the last pooled vector's loads reach past it. */
  int64_t window_row_floats;
} direct_pool_t;

/* The laid-out rows after the taps' pointers, 64-byte aligned. */
static int64_t tap_floats(const direct_conv_t *g) {
  return round_up(g->window * (int64_t)sizeof(const float *), 64) /
         (int64_t)sizeof(float);
}

/* Output (f, y, x) from the original operands, after the epilogue: for
 * the rows whose scratch memory ran out. Both variants run on FMA
 * hardware, so its fused multiply-adds are instructions (libm's fmaf
 * otherwise). */
__attribute__((target("fma"))) static float
output_value_scalar(const direct_conv_t *g, int64_t f, int64_t y,
                    int64_t x) {
  const int64_t kh = g->kernel_height, kw = g->kernel_width;
  float sum = 0.0f;
  for (int64_t c = 0; c < g->channels; ++c)
    for (int64_t i = 0; i < kh; ++i) {
      const int64_t row = y * g->stride_height + i - g->pad_top;
      if (row < 0 || row >= g->input_height)
        continue;
      for (int64_t j = 0; j < kw; ++j) {
        const int64_t column = x * g->stride_width + j - g->pad_left;
        if (column >= 0 && column < g->input_width)
          sum = __builtin_fmaf(
              g->input[c * g->input_channel_stride +
                       row * g->input_row_stride + column],
              g->weights[((f * g->channels + c) * kh + i) * kw + j], sum);
      }
    }
  for (int a = 0; a < 2; ++a)
    if (g->addend[a].data)
      sum += g->addend[a].data[f * g->addend[a].channel_stride +
                               y * g->addend[a].row_stride +
                               x * g->addend[a].column_stride];
  /* As the vector code: a NaN sum passes both bounds. */
  sum = g->lower > sum ? g->lower : sum;
  sum = g->upper < sum ? g->upper : sum;
  return sum;
}

/* Output row y, one value at a time (see output_value_scalar). */
static void convolve_row_scalar(const direct_conv_t *g, int64_t y) {
  for (int64_t f = 0; f < g->filters; ++f)
    for (int64_t x = 0; x < g->output_width; ++x)
      g->output[f * g->output_channel_stride + y * g->output_row_stride + x] =
          output_value_scalar(g, f, y, x);
}

/* Pooled row p, one value at a time, each window's convolution outputs
 * computed anew: for the threads whose scratch memory ran out. */
static void pool_row_scalar(const direct_conv_t *g, const direct_pool_t *pool,
                            int64_t p) {
  for (int64_t f = 0; f < g->filters; ++f)
    for (int64_t q = 0; q < pool->output_width; ++q) {
      float max = -__builtin_inff();
      int padded = 0;
      for (int64_t i = 0; i < pool->kernel_height; ++i)
        for (int64_t j = 0; j < pool->kernel_width; ++j) {
          const int64_t y = p * pool->stride_height + i - pool->pad_top;
          const int64_t x = q * pool->stride_width + j - pool->pad_left;
          if (y < 0 || y >= g->output_height || x < 0 ||
              x >= g->output_width) {
            padded = 1;
            continue;
          }
          const float value = output_value_scalar(g, f, y, x);
          max = value > max ? value : max;
        }
      if (padded)
        max = pool->pad_value > max ? pool->pad_value : max;
      max = pool->lower > max ? pool->lower : max;
      max = pool->upper < max ? pool->upper : max;
      pool->output[f * pool->output_channel_stride +
                   p * pool->output_row_stride + q] = max;
    }
}

/*===--- Instruction sets -------------------------------------------------===*/

typedef struct direct_isa {
  void (*convolve_rows)(const direct_conv_t *g, int64_t y0, int64_t y1,
                        float *scratch);
  void (*pool_row)(const direct_conv_t *g, const direct_pool_t *pool,
                   const float *ring, int64_t p, int64_t y0, int64_t y1,
                   float *window_row);
  int64_t mr, vector_width;
} direct_isa_t;

#define ISA avx512
#define TARGET __attribute__((target("avx512f")))
#define VEC __m512
#define VECTOR_WIDTH 16
#define MR 8
#define NV 3
/* Lanes [first, n) of p (the others 0, never touched: no fault past a
 * row). */
#define VLOADRANGE(p, first, n)                                                \
  _mm512_maskz_loadu_ps(lanes_between_16(first, n), p)
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps(p, first_lanes_16(n), v)
#define VSET1(x) _mm512_set1_ps(x)
#define VZERO _mm512_setzero_ps()
#define VADD(a, b) _mm512_add_ps(a, b)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VMAX(a, b) _mm512_max_ps(a, b)
#define VMIN(a, b) _mm512_min_ps(a, b)
#define VDEINTERLEAVE(lo, hi, even, odd) deinterleave_16(lo, hi, even, odd)
#include "DirectConvKernel.inc"

#define ISA avx2
#define TARGET __attribute__((target("avx2,fma")))
#define VEC __m256
#define VECTOR_WIDTH 8
#define MR 4
#define NV 3
#define VLOADRANGE(p, first, n)                                                \
  _mm256_maskload_ps(p, lanes_between_8(first, n))
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VSTOREN(p, v, n) _mm256_maskstore_ps(p, first_lanes_8(n), v)
#define VSET1(x) _mm256_set1_ps(x)
#define VZERO _mm256_setzero_ps()
#define VADD(a, b) _mm256_add_ps(a, b)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VMAX(a, b) _mm256_max_ps(a, b)
#define VMIN(a, b) _mm256_min_ps(a, b)
#define VDEINTERLEAVE(lo, hi, even, odd) deinterleave_8(lo, hi, even, odd)
#include "DirectConvKernel.inc"

static const direct_isa_t avx512 = {convolve_rows_avx512, pool_row_avx512, 8,
                                    16};
static const direct_isa_t avx2 = {convolve_rows_avx2, pool_row_avx2, 4, 8};

/*===--- Driver -----------------------------------------------------------===*/

typedef struct direct_job {
  const direct_isa_t *isa;
  const direct_conv_t *g;
  const direct_pool_t *pool; /* NULL: the convolution alone */
} direct_job_t;

/* The calling thread's scratch for laying out input rows; NULL when out
 * of memory. */
static float *row_scratch(const direct_conv_t *g) {
  const int64_t rows =
      g->channels * g->kernel_height * g->stride_width * g->row_floats;
  return tessera_rt_thread_scratch(TESSERA_RT_SCRATCH_DIRECT_CONV_ROWS,
                                   (size_t)(tap_floats(g) + rows));
}

/* Output rows [begin, end). */
static void direct_task(void *args, int64_t begin, int64_t end) {
  const direct_job_t *job = args;
  const direct_conv_t *g = job->g;
  float *scratch = row_scratch(g);
  if (!scratch) {
    for (int64_t y = begin; y < end; ++y)
      convolve_row_scalar(g, y);
    return;
  }
  job->isa->convolve_rows(g, begin, end, scratch);
}

/* Pooled rows [begin, end): each convolution row the windows need is
 * computed once into the ring, in order, where it replaces the row
 * kernel_height before it, which no later window reads. A thread's first
 * window recomputes the rows it shares with the previous thread's last. */
static void direct_pool_task(void *args, int64_t begin, int64_t end) {
  const direct_job_t *job = args;
  const direct_conv_t *g = job->g;
  const direct_pool_t *pool = job->pool;
  float *scratch = row_scratch(g);
  float *ring = tessera_rt_thread_scratch(
      TESSERA_RT_SCRATCH_DIRECT_CONV_POOL,
      (size_t)(g->filters * pool->ring_filter_floats +
               pool->window_row_floats));
  if (!scratch || !ring) {
    for (int64_t p = begin; p < end; ++p)
      pool_row_scalar(g, pool, p);
    return;
  }
  float *window_row = ring + g->filters * pool->ring_filter_floats;
  for (int64_t i = 0; i < pool->pad_left; ++i)
    window_row[i] = pool->pad_value;
  for (int64_t i = pool->pad_left + g->output_width;
       i < pool->window_row_floats; ++i)
    window_row[i] = pool->pad_value;
  /* Each row goes to its ring slot: filter f's at f * ring_filter_floats. */
  direct_conv_t ring_row = *g;
  ring_row.output_channel_stride = pool->ring_filter_floats;
  ring_row.output_row_stride = 0;
  int64_t next = 0; /* the first row not in the ring */
  for (int64_t p = begin; p < end; ++p) {
    const int64_t top = p * pool->stride_height - pool->pad_top;
    const int64_t y0 = top > 0 ? top : 0;
    const int64_t y1 = top + pool->kernel_height < g->output_height
                           ? top + pool->kernel_height
                           : g->output_height;
    if (next < y0)
      next = y0;
    for (; next < y1; ++next) {
      ring_row.output =
          ring + next % pool->kernel_height * pool->ring_row_floats;
      job->isa->convolve_rows(&ring_row, next, next + 1, scratch);
    }
    job->isa->pool_row(g, pool, ring, p, y0, y1, window_row);
  }
}

/* Runs `g` (its output NULL when `pool` takes it) on the context's
 * threads: by output rows, or by pooled rows. */
static void convolve(const direct_isa_t *isa, direct_conv_t g,
                     direct_pool_t *pool) {
  if (g.output_height <= 0 || g.output_width <= 0 || g.filters <= 0 ||
      (pool && (pool->output_height <= 0 || pool->output_width <= 0)))
    return;
  const int64_t width = isa->vector_width;
  /* A block reads a tap's row up to its last output column rounded up to
   * vectors, from (kernel_width - 1) / stride_width on. */
  g.row_floats = round_up(g.output_width, width) +
                 round_up((g.kernel_width - 1) / g.stride_width, width);
  const int64_t panels = (g.filters + isa->mr - 1) / isa->mr;
  float *packed = tessera_rt_thread_scratch(
      TESSERA_RT_SCRATCH_DIRECT_CONV_WEIGHTS,
      (size_t)(panels * isa->mr * g.window));
  if (!packed) {
    if (pool)
      for (int64_t p = 0; p < pool->output_height; ++p)
        pool_row_scalar(&g, pool, p);
    else
      for (int64_t y = 0; y < g.output_height; ++y)
        convolve_row_scalar(&g, y);
    return;
  }
  for (int64_t f = 0; f < panels * isa->mr; ++f)
    for (int64_t t = 0; t < g.window; ++t)
      packed[(f / isa->mr * g.window + t) * isa->mr + f % isa->mr] =
          f < g.filters ? g.weights[f * g.window + t] : 0.0f;
  g.packed = packed;
  direct_job_t job = {isa, &g, pool};
  if (!pool) {
    tessera_parallel_for(direct_task, &job, g.output_height);
    return;
  }
  /* pool_row keeps the window's rows' places on its stack. */
  if (pool->kernel_height > TESSERA_DEPTHWISE_MAX_KERNEL) {
    for (int64_t p = 0; p < pool->output_height; ++p)
      pool_row_scalar(&g, pool, p);
    return;
  }
  pool->ring_row_floats = round_up(g.output_width, width);
  pool->ring_filter_floats = pool->kernel_height * pool->ring_row_floats;
  /* A 3-wide stride-2 pooled vector from column 2q reads up to 2q + 2w + 1
   * (pool_row); others read each window's kernel_width values. */
  int64_t window_row = pool->pad_left + pool->ring_row_floats;
  const int64_t windows = (pool->output_width - 1) * pool->stride_width +
                          pool->kernel_width;
  const int64_t vectors = 2 * round_up(pool->output_width, width) + 2;
  window_row = windows > window_row ? windows : window_row;
  window_row = vectors > window_row ? vectors : window_row;
  pool->window_row_floats = round_up(window_row, width);
  tessera_parallel_for(direct_pool_task, &job, pool->output_height);
}

static direct_conv_t geometry(TESSERA_DIRECT_CONV2D_PARAMETERS) {
  return (direct_conv_t){
      channels, filters, input, input_channel_stride, input_row_stride,
      input_height, input_width, pad_top, pad_left, kernel_height,
      kernel_width, stride_height, stride_width, weights, output,
      output_channel_stride, output_row_stride, output_height, output_width,
      {{addend0, addend0_channel_stride, addend0_row_stride,
        addend0_column_stride},
       {addend1, addend1_channel_stride, addend1_row_stride,
        addend1_column_stride}},
      lower, upper, channels * kernel_height * kernel_width, 0, NULL};
}

/* The arguments of TESSERA_DIRECT_CONV2D_INPUT_PARAMETERS and
 * TESSERA_CONV2D_EPILOGUE_PARAMETERS, which both entries pass on. */
#define DIRECT_INPUT_ARGUMENTS                                                 \
  channels, filters, input, input_channel_stride, input_row_stride,            \
      input_height, input_width, pad_top, pad_left, kernel_height,             \
      kernel_width, stride_height, stride_width, weights
#define EPILOGUE_ARGUMENTS                                                     \
  addend0, addend0_channel_stride, addend0_row_stride, addend0_column_stride,  \
      addend1, addend1_channel_stride, addend1_row_stride,                     \
      addend1_column_stride, lower, upper

#define DEFINE_DIRECT_ENTRY(isa)                                               \
  void tessera_conv2d_direct_##isa(TESSERA_DIRECT_CONV2D_PARAMETERS) {         \
    convolve(&isa,                                                             \
             geometry(DIRECT_INPUT_ARGUMENTS, output, output_channel_stride,   \
                      output_row_stride, output_height, output_width,          \
                      EPILOGUE_ARGUMENTS),                                     \
             NULL);                                                            \
  }                                                                            \
  void tessera_conv2d_direct_max_pool2d_##isa(                                 \
      TESSERA_DIRECT_CONV2D_MAX_POOL2D_PARAMETERS) {                           \
    direct_pool_t pool = {pool_kernel_height,                                  \
                          pool_kernel_width,                                   \
                          pool_stride_height,                                  \
                          pool_stride_width,                                   \
                          pool_pad_top,                                        \
                          pool_pad_left,                                       \
                          pool_pad_value,                                      \
                          pool_lower,                                          \
                          pool_upper,                                          \
                          pooled,                                              \
                          pooled_channel_stride,                               \
                          pooled_row_stride,                                   \
                          pooled_height,                                       \
                          pooled_width,                                        \
                          0,                                                   \
                          0,                                                   \
                          0};                                                  \
    convolve(&isa,                                                             \
             geometry(DIRECT_INPUT_ARGUMENTS, NULL, 0, 0, output_height,       \
                      output_width, EPILOGUE_ARGUMENTS),                       \
             &pool);                                                           \
  }
DEFINE_DIRECT_ENTRY(avx512)
DEFINE_DIRECT_ENTRY(avx2)

#endif
