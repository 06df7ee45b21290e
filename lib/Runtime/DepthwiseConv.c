/*===- DepthwiseConv.c - depthwise 2-D convolution and max pool kernels ---===*\
 *
 * A depthwise convolution does KH * KW multiply-adds per output, too few
 * for a matrix product, and the generic loop nest the compiler emits for
 * it reads a padded copy of the input (the pad fills a whole buffer and
 * copies the input into it: two passes over memory) with strided gathers
 * when the stride is 2. Here each channel is convolved from the unpadded
 * input: every input row it needs is laid out once, in L1, as a padded row
 * split into one phase per column stride (phase p holds the padded columns
 * p, p + sw, p + 2 sw, ...), so that every tap of a vector of outputs is
 * one contiguous load. Planes whose output rows fit in one vector (and
 * on AVX-512 3 x 3 planes at stride 1 or 2 whose rows fit in two) skip the
 * laid-out rows (they cost more than the convolution there) and read the
 * input rows straight into registers. The bias and a clamp (ReLU,
 * ReLU6, Clip) are applied before the one store of each output.
 *
 * A 2-D max pool walks its windows the same way, with a max where the
 * convolution multiplies and adds (tessera_max_pool2d_*), or on AVX-512
 * separably (max_pool_separably_avx512): the generated code for it made a
 * column pass into a buffer and a row pass over that buffer, two trips
 * through memory for the one here.
\*===----------------------------------------------------------------------===*/

#include "RuntimeInternal.h"

#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>

/* The kernel sizes the runtime takes (tessera-depthwise-to-microkernel and
 * tessera-max-pool-to-microkernel match no larger ones). */
#define MAX_KERNEL_EXTENT TESSERA_DEPTHWISE_MAX_KERNEL

/* Floats of scratch a task keeps on its stack; larger rows are malloc()ed. */
#define STACK_SCRATCH_FLOATS 4096

typedef struct depthwise_args {
  int64_t channels;
  const float *input;
  int64_t input_batch_stride, input_channel_stride, input_row_stride;
  int64_t input_height, input_width;
  const float *weights;
  int64_t kernel_height, kernel_width;
  const float *bias;
  int64_t bias_stride;
  float *output;
  int64_t output_batch_stride, output_channel_stride, output_row_stride;
  int64_t output_height, output_width;
  int64_t stride_height, stride_width, pad_top, pad_left;
  float pad_value, lower, upper;
  const float *input_bias;
  int64_t input_bias_stride;
  float input_lower, input_upper;
  int64_t planes;  /* batch * channels */
  /* One past the input's last value: a vector load that ends by here and
   * starts at or after `input` reads the tensor's own memory. */
  const float *input_end;
  int64_t granule; /* rows or planes per unit of the threads' ranges */
} depthwise_args_t;

/* A 1 x 1 convolution whose output a depthwise convolution reads
 * (PointwiseDepthwiseKernel.inc). */
typedef struct {
  /* The depthwise convolution; its input is each band's. */
  depthwise_args_t depthwise;
  /* source[n][k][h * input_width + w] */
  const float *source;
  int64_t source_batch_stride, source_channel_stride, source_channels;
  /* pointwise_weights[c * pointwise_weights_stride + k] */
  const float *pointwise_weights;
  int64_t pointwise_weights_stride;
  /* A task's unit: output rows (units of depthwise.granule, per batch
   * element) when rows is set, else channels (units of depthwise.granule
   * channels, per batch element, every output row). */
  int rows;
  int64_t units_per_image;
  int64_t band_rows; /* output rows per band at most (rows split) */
} pointwise_depthwise_args_t;

static int64_t gcd(int64_t a, int64_t b) {
  a = a < 0 ? -a : a;
  b = b < 0 ? -b : b;
  while (b) {
    int64_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

/* tessera_line_granule for an output at `output`. */
static int64_t line_granule(const float *output, int64_t stride,
                            int64_t extent) {
  return tessera_line_granule(stride, extent, (uintptr_t)output % 64 == 0);
}

/* The end of a thread's range of units of `granule`: the extent's end
 * for the last, partial one. */
static inline int64_t granule_end(int64_t end, int64_t granule,
                                  int64_t extent) {
  return end * granule < extent ? end * granule : extent;
}

/* The bias each input value of channel c gets (-0 adds nothing, and
 * keeps -0; +0 would not). */
static inline float input_bias_of(const depthwise_args_t *a, int64_t c) {
  return a->input_bias ? a->input_bias[c * a->input_bias_stride] : -0.0f;
}

/* Input value x of channel c transformed (see input_bias_of). The
 * comparisons keep a NaN, as max(lower, x) and min(upper, x) do. */
static inline float transformed_input(const depthwise_args_t *a, int64_t c,
                                      float x) {
  x += input_bias_of(a, c);
  x = x < a->input_lower ? a->input_lower : x;
  return x > a->input_upper ? a->input_upper : x;
}

/* The input value at (row, column) of channel c, transformed, or the pad. */
static inline float padded_input(const depthwise_args_t *a, const float *in,
                                 int64_t c, int64_t row, int64_t column) {
  if (row < 0 || row >= a->input_height || column < 0 ||
      column >= a->input_width)
    return a->pad_value;
  return transformed_input(a, c, in[row * a->input_row_stride + column]);
}

/* Output value of channel c from its window's sum: the bias, then the
 * clamp. */
static inline float finished_output(const depthwise_args_t *a, int64_t c,
                                    float sum) {
  if (a->bias)
    sum += a->bias[c * a->bias_stride];
  sum = sum < a->lower ? a->lower : sum;
  return sum > a->upper ? a->upper : sum;
}

/* The max pool's scalar step: x evaluated once. */
static inline float larger_of(float x, float max) { return x > max ? x : max; }

/* The vector kernels, once per instruction set. */

#define VECTOR_WIDTH 16
#define TARGET __attribute__((target("avx512f,fma")))
#define VEC __m512
#define VLOAD(p) _mm512_loadu_ps(p)
#define VLOADN(p, n) _mm512_maskz_loadu_ps(first_lanes_16(n), p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps(p, first_lanes_16(n), v)
#define VSET1(x) _mm512_set1_ps(x)
#define VZERO() _mm512_setzero_ps()
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VADD(a, b) _mm512_add_ps(a, b)
#define VMUL(a, b) _mm512_mul_ps(a, b)
#define VMAX(a, b) _mm512_max_ps(a, b)
#define VMIN(a, b) _mm512_min_ps(a, b)
/* Lanes [begin, end) of a vector, as a load/select mask. */
#define VMASK __mmask16
#define VLANES(begin, end) lanes_between_16(begin, end)
/* Masked lanes are 0 and never read (no fault past a row's ends). */
#define VLOADMASKED(p, mask) _mm512_maskz_loadu_ps(mask, p)
#define VSELECT(mask, a, b) _mm512_mask_mov_ps(b, mask, a)
/* v rotated down by n lanes: lane i holds lane (i + n) % width. */
#define VROTATELANES(v, n)                                                     \
  _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(v),             \
                                          _mm512_castps_si512(v), n))
/* lo's lanes n .. 15, then hi's lanes 0 .. n - 1. Only AVX-512 has the
 * registers for convolve_two_vector_plane_stride_*'s three rows of six
 * vectors. */
#define VALIGNBY(lo, hi, n)                                                    \
  _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(hi),            \
                                          _mm512_castps_si512(lo), n))
#define VALIGNNEXT(lo, hi) VALIGNBY(lo, hi, 1)
#define VDEINTERLEAVE(lo, hi, even, odd) deinterleave_16(lo, hi, even, odd)

/* Max pooling is separable: the max over a kh x kw window is the max over
 * kw columns of each column's max over kh rows. So each output row of an
 * AVX-512 pool takes its input rows' max in place (whole vectors, no laid
 * out rows), and its kw taps from those column maxima in registers: lane
 * shifts across a vector and the next (at stride 2, of the even and the
 * odd columns). The laid-out rows stored a row and loaded it again at
 * other offsets, and those loads waited on the stores (SqueezeNet's three
 * pools, isolated, 1 thread: 152, 100 and 42 us that way; 129, 51 and 33
 * like this). */

/* Vectors of padded columns the separable path keeps masks and pads for:
 * a padded row's, plus the three past it that the last taps read. */
#define SEPARABLE_POOL_MAX_VECTORS 64

/* The column maxima of padded columns [16 v, 16 v + 16) over the rows
 * `rows` (padded column p at rows[i][p]; a pad row for rows outside the
 * input), lanes outside the input being the pad. */
__attribute__((target("avx512f"), always_inline)) static inline __m512
column_maxima_avx512(const float *const *rows, int64_t kh, int64_t v,
                     const __mmask16 *lanes, __m512 pad) {
  const __mmask16 mask = lanes[v];
  const int64_t column = 16 * v;
  if (mask == 0xFFFF) {
    __m512 x = _mm512_loadu_ps(rows[0] + column);
    for (int64_t i = 1; i < kh; ++i)
      x = _mm512_max_ps(x, _mm512_loadu_ps(rows[i] + column));
    return x;
  }
  if (!mask)
    return pad;
  __m512 x = _mm512_maskz_loadu_ps(mask, rows[0] + column);
  for (int64_t i = 1; i < kh; ++i)
    x = _mm512_max_ps(x, _mm512_maskz_loadu_ps(mask, rows[i] + column));
  return _mm512_mask_mov_ps(pad, mask, x);
}

/* Lanes j .. j + 15 of the 32 lanes of (low, high). */
__attribute__((target("avx512f"), always_inline)) static inline __m512
lanes_from_avx512(__m512 low, __m512 high, const __m512i *shift, int64_t j) {
  return j ? _mm512_permutex2var_ps(low, shift[j], high) : low;
}

/* Output rows [oh_begin, oh_end) of planes [plane_begin, plane_end) of a
 * max pool with column stride 1 or 2, kw <= 16 and a padded row of at most
 * SEPARABLE_POOL_MAX_VECTORS vectors; 0 (nothing done) for other pools. */
__attribute__((target("avx512f"))) static int
max_pool_separably_avx512(const depthwise_args_t *a, int64_t plane_begin,
                          int64_t plane_end, int64_t oh_begin,
                          int64_t oh_end) {
  const int64_t kh = a->kernel_height, kw = a->kernel_width,
                sw = a->stride_width, width = a->input_width,
                out_width = a->output_width;
  const int64_t padded_width = (out_width - 1) * sw + kw;
  const int64_t vectors = (padded_width + 15) / 16;
  if ((sw != 1 && sw != 2) || kh < 1 || kw < 1 || kw > 16 ||
      kh > MAX_KERNEL_EXTENT ||
      vectors + 3 > SEPARABLE_POOL_MAX_VECTORS || a->input_bias ||
      a->input_lower != -__builtin_inff() || a->input_upper != __builtin_inff())
    return 0;
  /* Lanes of each vector of padded columns inside the input; the vectors
   * past the padded row (read for the taps of the last outputs) are the
   * pad. */
  __mmask16 lanes[SEPARABLE_POOL_MAX_VECTORS];
  for (int64_t v = 0; v < vectors + 3; ++v) {
    const int64_t first = 16 * v - a->pad_left;
    const int64_t begin = first < 0 ? -first : 0;
    const int64_t end = width - first < 16 ? width - first : 16;
    lanes[v] = v < vectors && end > begin ? VLANES(begin, end) : 0;
  }
  const __m512 pad = _mm512_set1_ps(a->pad_value);
  const __m512 lower = _mm512_set1_ps(a->lower),
               upper = _mm512_set1_ps(a->upper);
  /* Rows above or below the input read a row of pads. */
  float pad_row[16 * SEPARABLE_POOL_MAX_VECTORS] __attribute__((aligned(64)));
  for (int64_t v = 0; v < vectors + 3; ++v)
    _mm512_store_ps(pad_row + 16 * v, pad);
  __m512i shift[16];
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                         11, 12, 13, 14, 15);
  for (int j = 0; j < 16; ++j)
    shift[j] = _mm512_add_epi32(lane, _mm512_set1_epi32(j));
  const float *rows[MAX_KERNEL_EXTENT];
  for (int64_t plane = plane_begin; plane < plane_end; ++plane) {
    const int64_t n = plane / a->channels, c = plane % a->channels;
    const float *in =
        a->input + n * a->input_batch_stride + c * a->input_channel_stride;
    float *out =
        a->output + n * a->output_batch_stride + c * a->output_channel_stride;
    for (int64_t oh = oh_begin; oh < oh_end; ++oh) {
      const int64_t first_row = oh * a->stride_height - a->pad_top;
      /* Padded column p of row i at rows[i][p]. */
      for (int64_t i = 0; i < kh; ++i) {
        const int64_t row = first_row + i;
        rows[i] = (row >= 0 && row < a->input_height
                       ? in + row * a->input_row_stride
                       : pad_row + a->pad_left) -
                  a->pad_left;
      }
      float *out_row = out + oh * a->output_row_stride;
      if (sw == 1) {
        __m512 current = column_maxima_avx512(rows, kh, 0, lanes, pad);
        for (int64_t q = 0; 16 * q < out_width; ++q) {
          const __m512 next = column_maxima_avx512(rows, kh, q + 1, lanes, pad);
          __m512 y = current;
          for (int64_t j = 1; j < kw; ++j)
            y = _mm512_max_ps(y, lanes_from_avx512(current, next, shift, j));
          y = _mm512_min_ps(upper, _mm512_max_ps(lower, y));
          _mm512_mask_storeu_ps(out_row + 16 * q,
                                first_lanes_16(out_width - 16 * q), y);
          current = next;
        }
        continue;
      }
      /* Stride 2: tap j of output o is padded column 2 o + j, lane o +
       * j / 2 of the even (j even) or odd columns. */
      __m512 low = column_maxima_avx512(rows, kh, 0, lanes, pad);
      __m512 high = column_maxima_avx512(rows, kh, 1, lanes, pad);
      __m512 even, odd;
      VDEINTERLEAVE(low, high, &even, &odd);
      for (int64_t q = 0; 16 * q < out_width; ++q) {
        low = column_maxima_avx512(rows, kh, 2 * q + 2, lanes, pad);
        high = column_maxima_avx512(rows, kh, 2 * q + 3, lanes, pad);
        __m512 next_even, next_odd;
        VDEINTERLEAVE(low, high, &next_even, &next_odd);
        __m512 y = even;
        for (int64_t j = 1; j < kw; ++j)
          y = _mm512_max_ps(y, j & 1 ? lanes_from_avx512(odd, next_odd,
                                                         shift, j / 2)
                                     : lanes_from_avx512(even, next_even,
                                                         shift, j / 2));
        y = _mm512_min_ps(upper, _mm512_max_ps(lower, y));
        _mm512_mask_storeu_ps(out_row + 16 * q,
                              first_lanes_16(out_width - 16 * q), y);
        even = next_even;
        odd = next_odd;
      }
    }
  }
  return 1;
}
#define MAX_POOL_SEPARABLY max_pool_separably_avx512

#define ISA avx512
#include "DepthwiseConvVariants.inc"
#undef ISA
#undef MAX_POOL_SEPARABLY
#undef VECTOR_WIDTH
#undef TARGET
#undef VEC
#undef VLOAD
#undef VLOADN
#undef VSTORE
#undef VSTOREN
#undef VSET1
#undef VZERO
#undef VFMA
#undef VADD
#undef VMUL
#undef VMAX
#undef VMIN
#undef VMASK
#undef VLANES
#undef VLOADMASKED
#undef VSELECT
#undef VROTATELANES
#undef VALIGNNEXT
#undef VALIGNBY
#undef VDEINTERLEAVE

#define VECTOR_WIDTH 8
#define ISA avx2
#define TARGET __attribute__((target("avx2,fma")))
#define VEC __m256
#define VLOAD(p) _mm256_loadu_ps(p)
#define VLOADN(p, n) _mm256_maskload_ps(p, first_lanes_8(n))
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VSTOREN(p, v, n) _mm256_maskstore_ps(p, first_lanes_8(n), v)
#define VSET1(x) _mm256_set1_ps(x)
#define VZERO() _mm256_setzero_ps()
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VADD(a, b) _mm256_add_ps(a, b)
#define VMUL(a, b) _mm256_mul_ps(a, b)
#define VMAX(a, b) _mm256_max_ps(a, b)
#define VMIN(a, b) _mm256_min_ps(a, b)
#define VMASK __m256i
#define VLANES(begin, end) lanes_between_8(begin, end)
#define VLOADMASKED(p, mask) _mm256_maskload_ps(p, mask)
#define VSELECT(mask, a, b) _mm256_blendv_ps(b, a, _mm256_castsi256_ps(mask))
#define VROTATELANES(v, n)                                                     \
  _mm256_permutevar8x32_ps(                                                    \
      v, _mm256_setr_epi32((n) % 8, ((n) + 1) % 8, ((n) + 2) % 8,              \
                           ((n) + 3) % 8, ((n) + 4) % 8, ((n) + 5) % 8,        \
                           ((n) + 6) % 8, ((n) + 7) % 8))
#define VDEINTERLEAVE(lo, hi, even, odd) deinterleave_8(lo, hi, even, odd)
#include "DepthwiseConvVariants.inc"
#undef ISA

#endif
