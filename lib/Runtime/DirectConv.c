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

/* The laid-out rows after the taps' pointers, 64-byte aligned. */
static int64_t tap_floats(const direct_conv_t *g) {
  return round_up(g->window * (int64_t)sizeof(const float *), 64) /
         (int64_t)sizeof(float);
}

/* Output row y from the original operands, one value at a time: for the
 * rows whose scratch memory ran out. Both variants run on FMA hardware,
 * so its fused multiply-adds are instructions (libm's fmaf otherwise). */
__attribute__((target("fma"))) static void
convolve_row_scalar(const direct_conv_t *g, int64_t y) {
  const int64_t kh = g->kernel_height, kw = g->kernel_width;
  for (int64_t f = 0; f < g->filters; ++f)
    for (int64_t x = 0; x < g->output_width; ++x) {
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
      g->output[f * g->output_channel_stride + y * g->output_row_stride + x] =
          sum;
    }
}

/*===--- Instruction sets -------------------------------------------------===*/

typedef struct direct_isa {
  void (*convolve_rows)(const direct_conv_t *g, int64_t y0, int64_t y1,
                        float *scratch);
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

static const direct_isa_t avx512 = {convolve_rows_avx512, 8, 16};
static const direct_isa_t avx2 = {convolve_rows_avx2, 4, 8};

/*===--- Driver -----------------------------------------------------------===*/

typedef struct direct_job {
  const direct_isa_t *isa;
  const direct_conv_t *g;
} direct_job_t;

static void direct_task(void *args, int64_t begin, int64_t end) {
  const direct_job_t *job = args;
  const direct_conv_t *g = job->g;
  const int64_t rows =
      g->channels * g->kernel_height * g->stride_width * g->row_floats;
  float *scratch = tessera_rt_thread_scratch(
      TESSERA_RT_SCRATCH_DIRECT_CONV_ROWS, (size_t)(tap_floats(g) + rows));
  if (!scratch) {
    for (int64_t y = begin; y < end; ++y)
      convolve_row_scalar(g, y);
    return;
  }
  job->isa->convolve_rows(g, begin, end, scratch);
}

static void convolve(const direct_isa_t *isa,
                     TESSERA_DIRECT_CONV2D_PARAMETERS) {
  if (output_height <= 0 || output_width <= 0 || filters <= 0)
    return;
  direct_conv_t g = {
      channels, filters, input, input_channel_stride, input_row_stride,
      input_height, input_width, pad_top, pad_left, kernel_height,
      kernel_width, stride_height, stride_width, weights, output,
      output_channel_stride, output_row_stride, output_height, output_width,
      {{addend0, addend0_channel_stride, addend0_row_stride,
        addend0_column_stride},
       {addend1, addend1_channel_stride, addend1_row_stride,
        addend1_column_stride}},
      lower, upper, channels * kernel_height * kernel_width, 0, NULL};
  const int64_t width = isa->vector_width;
  /* A block reads a tap's row up to its last output column rounded up to
   * vectors, from (kernel_width - 1) / stride_width on. */
  g.row_floats = round_up(output_width, width) +
                 round_up((kernel_width - 1) / stride_width, width);
  const int64_t panels = (filters + isa->mr - 1) / isa->mr;
  float *packed = tessera_rt_thread_scratch(
      TESSERA_RT_SCRATCH_DIRECT_CONV_WEIGHTS,
      (size_t)(panels * isa->mr * g.window));
  if (!packed) {
    for (int64_t y = 0; y < output_height; ++y)
      convolve_row_scalar(&g, y);
    return;
  }
  for (int64_t f = 0; f < panels * isa->mr; ++f)
    for (int64_t t = 0; t < g.window; ++t)
      packed[(f / isa->mr * g.window + t) * isa->mr + f % isa->mr] =
          f < filters ? weights[f * g.window + t] : 0.0f;
  g.packed = packed;
  direct_job_t job = {isa, &g};
  tessera_parallel_for(direct_task, &job, output_height);
}

#define DEFINE_DIRECT_ENTRY(isa)                                               \
  void tessera_conv2d_direct_##isa(TESSERA_DIRECT_CONV2D_PARAMETERS) {         \
    convolve(&isa, channels, filters, input, input_channel_stride,             \
             input_row_stride, input_height, input_width, pad_top, pad_left,   \
             kernel_height, kernel_width, stride_height, stride_width,         \
             weights, output, output_channel_stride, output_row_stride,        \
             output_height, output_width, addend0, addend0_channel_stride,     \
             addend0_row_stride, addend0_column_stride, addend1,               \
             addend1_channel_stride, addend1_row_stride,                       \
             addend1_column_stride, lower, upper);                             \
  }
DEFINE_DIRECT_ENTRY(avx512)
DEFINE_DIRECT_ENTRY(avx2)

#endif
