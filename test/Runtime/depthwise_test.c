/*===- depthwise_test.c - the depthwise kernels against a reference ---------===*\
 *
 * Runs tessera_depthwise_conv2d_avx512 / _avx2 (whichever this CPU
 * supports) over kernel sizes, strides, paddings (including pads wider than
 * the kernel reaches and an output that skips the last input columns),
 * widths around the vector width, strided input and output, a non-zero pad
 * value, with and without bias and clamp, and compares each output with a
 * double-precision reference. The elements around every output row are
 * guarded: a kernel that writes outside the output fails. Some cases run on
 * a pool of 2 threads and must give the same bits as on one. Some cases
 * have the input transformed first (a per-channel bias and a clamp, as a
 * fused producer's bias and activation), which the padding is not. Wide
 * cases also run with malloc failing inside the kernel (this file's
 * definition takes the runtime's calls), which then convolves element by
 * element.
 * tessera_max_pool2d_avx512 / _avx2 run the same cases (without the bias
 * and the input transform, which they do not take) against the exact max.
 * With --bench C H W K S it times one shape instead (no assertion).
\*===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 199309L
#include "tessera/Runtime/tessera_package_abi.h"

#include "test_values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The runtime's thread pool (ThreadPool.h; hidden in packages, linked here
 * from the archive). */
typedef struct tessera_thread_pool tessera_thread_pool_t;
tessera_thread_pool_t *tessera_thread_pool_create(int32_t num_threads);
void tessera_thread_pool_destroy(tessera_thread_pool_t *pool);
tessera_thread_pool_t *tessera_thread_pool_enter(tessera_thread_pool_t *pool);

typedef void (*depthwise_t)(TESSERA_DEPTHWISE_CONV2D_PARAMETERS);

/* While `fail_malloc` is set (around single-threaded kernel calls of the
 * cases that ask for it), malloc fails: the kernel's scratch rows for wide
 * inputs come from it. */
void *__libc_malloc(size_t size);
static int fail_malloc, fail_kernel_malloc;
void *malloc(size_t size) { return fail_malloc ? NULL : __libc_malloc(size); }


static int failures, cases;

/* Whether the kernels under test are the max pools (through
 * max_pool_<isa>), whose reference is the window's max. */
static int pooling;

#define DEFINE_MAX_POOL(isa)                                                   \
  static void max_pool_##isa(TESSERA_DEPTHWISE_CONV2D_PARAMETERS) {            \
    (void)weights, (void)bias, (void)bias_stride, (void)input_bias,            \
        (void)input_bias_stride, (void)input_lower, (void)input_upper;         \
    tessera_max_pool2d_##isa(batch, channels, input, input_batch_stride,       \
                             input_channel_stride, input_row_stride,           \
                             input_height, input_width, kernel_height,         \
                             kernel_width, output, output_batch_stride,        \
                             output_channel_stride, output_row_stride,         \
                             output_height, output_width, stride_height,       \
                             stride_width, pad_top, pad_left, pad_value,       \
                             lower, upper);                                    \
  }
#if defined(__x86_64__)
DEFINE_MAX_POOL(avx512)
DEFINE_MAX_POOL(avx2)
#endif

typedef struct shape {
  int64_t batch, channels, height, width, kh, kw, sh, sw;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int bias, clamp;
  float pad_value;
  int input_transform; /* a bias and clamp applied to the input first */
} shape_t;

/* What every output element holds before a call: a kernel that leaves one
 * unwritten, or writes around the output, shows. */
static const float guard = 12345.0f;

/* The call of check_case on a pool of 2 threads gives the bits `o` holds
 * (one thread's), writing every output: once into an output laid out as
 * `o` is, whose start is not a cache line's (the threads split rows where
 * there are at least 32 of them, sharing a line per plane, else planes),
 * and once into a 64-byte-aligned output with rows of a multiple of 4
 * floats (the threads' shares start cache lines: rows where there are
 * enough of them, else planes). */
static int same_on_two_threads(depthwise_t kernel, const char *isa, shape_t s,
                               tessera_thread_pool_t *pool, const float *in,
                               int64_t ibs, int64_t ics, int64_t irs,
                               const float *w, const float *b, const float *o,
                               int64_t obs, int64_t ocs, int64_t ors,
                               int64_t oh, int64_t ow, float lower,
                               float upper, const float *input_bias,
                               float input_lower, float input_upper) {
  for (int aligned = 0; aligned < 2; ++aligned) {
    int64_t rs = aligned ? (ow + 3) / 4 * 4 : ors;
    int64_t cs = aligned ? oh * rs : ocs;
    int64_t bs = aligned ? s.channels * cs : obs;
    size_t floats = (size_t)(s.batch * bs + 16);
    float *buffer = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
    for (size_t i = 0; i < floats; ++i)
      buffer[i] = guard;
    float *again = aligned ? buffer : buffer + 1;
    tessera_thread_pool_t *previous = tessera_thread_pool_enter(pool);
    kernel(s.batch, s.channels, in, ibs, ics, irs, s.height, s.width, w, s.kh,
           s.kw, s.bias ? b : NULL, 2, again, bs, cs, rs, oh, ow, s.sh, s.sw,
           s.pad_top, s.pad_left, s.pad_value, lower, upper, input_bias, 3,
           input_lower, input_upper);
    tessera_thread_pool_enter(previous);
    ++cases;
    int same = 1;
    for (int64_t n = 0; n < s.batch; ++n)
      for (int64_t c = 0; c < s.channels; ++c)
        for (int64_t y = 0; y < oh; ++y)
          same &= memcmp(again + n * bs + c * cs + y * rs,
                         o + n * obs + c * ocs + y * ors,
                         (size_t)ow * sizeof(float)) == 0;
    free(buffer);
    if (!same) {
      fprintf(stderr, "%s: 2 threads differ from 1 (%s output)\n", isa,
              aligned ? "aligned" : "unaligned");
      return 0;
    }
  }
  return 1;
}

static void check_case(depthwise_t kernel, const char *isa, shape_t s,
                       tessera_thread_pool_t *pool) {
  if (pooling)
    s.bias = s.input_transform = 0;
  int64_t oh = (s.height + s.pad_top + s.pad_bottom - s.kh) / s.sh + 1;
  int64_t ow = (s.width + s.pad_left + s.pad_right - s.kw) / s.sw + 1;
  if (oh <= 0 || ow <= 0)
    return;
  /* Rows and channels a little apart, as views of larger buffers are. */
  int64_t irs = s.width + 3, ics = s.height * irs + 5,
          ibs = s.channels * ics + 7;
  int64_t ors = ow + 2, ocs = oh * ors + 3, obs = s.channels * ocs + 1;
  size_t ni = (size_t)(s.batch * ibs), nw = (size_t)(s.channels * s.kh * s.kw),
         no = (size_t)(s.batch * obs + 2);
  float *in = malloc(ni * sizeof(float)), *w = malloc(nw * sizeof(float));
  float *b = malloc((size_t)s.channels * 2 * sizeof(float));
  float *ib = malloc((size_t)s.channels * 3 * sizeof(float));
  float *out = malloc(no * sizeof(float));
  for (size_t i = 0; i < ni; ++i)
    in[i] = next_value();
  for (size_t i = 0; i < nw; ++i)
    w[i] = next_value();
  for (int64_t i = 0; i < s.channels * 2; ++i)
    b[i] = next_value();
  for (int64_t i = 0; i < s.channels * 3; ++i)
    ib[i] = next_value();
  const float *input_bias = s.input_transform ? ib : NULL;
  float input_lower = s.input_transform ? -0.5f : -INFINITY,
        input_upper = s.input_transform ? 0.75f : INFINITY;
  for (size_t i = 0; i < no; ++i)
    out[i] = guard;
  float lower = s.clamp ? -0.25f : -INFINITY, upper = s.clamp ? 0.5f : INFINITY;
  /* One past the first element, so that the output starts unaligned. */
  float *o = out + 1;
  fail_malloc = fail_kernel_malloc;
  kernel(s.batch, s.channels, in, ibs, ics, irs, s.height, s.width, w, s.kh,
         s.kw, s.bias ? b : NULL, 2, o, obs, ocs, ors, oh, ow, s.sh, s.sw,
         s.pad_top, s.pad_left, s.pad_value, lower, upper, input_bias, 3,
         input_lower, input_upper);
  fail_malloc = 0;
  ++cases;
  int bad = 0;
  for (int64_t n = 0; n < s.batch && !bad; ++n)
    for (int64_t c = 0; c < s.channels && !bad; ++c)
      for (int64_t y = 0; y < oh && !bad; ++y)
        for (int64_t x = 0; x < ow && !bad; ++x) {
          float got = o[n * obs + c * ocs + y * ors + x];
          double sum = pooling ? -INFINITY : 0.0, magnitude = 0.0;
          for (int64_t i = 0; i < s.kh; ++i)
            for (int64_t j = 0; j < s.kw; ++j) {
              int64_t r = y * s.sh + i - s.pad_top, q = x * s.sw + j - s.pad_left;
              double v = s.pad_value;
              if (r >= 0 && r < s.height && q >= 0 && q < s.width) {
                /* The transform rounds to float as the kernel does. */
                float x = in[n * ibs + c * ics + r * irs + q];
                if (input_bias)
                  x += input_bias[c * 3];
                v = fmin(fmax(x, input_lower), input_upper);
              }
              if (pooling) {
                sum = fmax(sum, v);
                continue;
              }
              double term = (double)w[(c * s.kh + i) * s.kw + j] * v;
              sum += term;
              magnitude += fabs(term);
            }
          if (s.bias) {
            sum += b[c * 2];
            magnitude += fabs(b[c * 2]);
          }
          sum = fmin(fmax(sum, lower), upper);
          /* A max is exact. */
          if ((pooling ? got != (float)sum
                       : fabs(got - sum) > 1e-5 * (magnitude + 1.0)) ||
              isnan(got)) {
            bad = 1;
            fprintf(stderr,
                    "%s: %lldx%lld input, %lldx%lld kernel, stride %lldx%lld, "
                    "pads %lld %lld %lld %lld: output [%lld][%lld][%lld][%lld] "
                    "is %g, expected %g\n",
                    isa, (long long)s.height, (long long)s.width,
                    (long long)s.kh, (long long)s.kw, (long long)s.sh,
                    (long long)s.sw, (long long)s.pad_top,
                    (long long)s.pad_left, (long long)s.pad_bottom,
                    (long long)s.pad_right, (long long)n, (long long)c,
                    (long long)y, (long long)x, got, sum);
          }
        }
  for (int64_t i = -1; i < (int64_t)no - 1 && !bad; ++i) {
    int64_t n = i / obs, c = i % obs / ocs, y = i % obs % ocs / ors,
            x = i % obs % ocs % ors;
    int output = i >= 0 && c < s.channels && y < oh && x < ow;
    if (!output && o[i] != guard) {
      bad = 1;
      fprintf(stderr, "%s: wrote outside the output at element %lld\n", isa,
              (long long)i);
    }
    (void)n;
  }
  if (!bad && pool)
    bad = !same_on_two_threads(kernel, isa, s, pool, in, ibs, ics, irs, w, b,
                               o, obs, ocs, ors, oh, ow, lower, upper,
                               input_bias, input_lower, input_upper);
  failures += bad;
  free(in);
  free(w);
  free(b);
  free(ib);
  free(out);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* --bench C H W K S: times a C-channel HxW input, KxK kernel, stride S,
 * pad K / 2 (microseconds per call on stdout; no assertion). */
static int bench(depthwise_t kernel, char **argv) {
  int64_t c = atoll(argv[0]), h = atoll(argv[1]), w = atoll(argv[2]),
          k = atoll(argv[3]), s = atoll(argv[4]), p = k / 2;
  int64_t oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
  float *in = calloc((size_t)(c * h * w), sizeof(float));
  float *wt = calloc((size_t)(c * k * k), sizeof(float));
  float *b = calloc((size_t)c, sizeof(float));
  float *out = calloc((size_t)(c * oh * ow), sizeof(float));
  int runs = 0;
  double start = now(), elapsed = 0.0;
  while (elapsed < 0.5) {
    kernel(1, c, in, c * h * w, h * w, w, h, w, wt, k, k, b, 1, out,
           c * oh * ow, oh * ow, ow, oh, ow, s, s, p, p, 0.0f, 0.0f, 6.0f, b, 1,
           0.0f, 6.0f);
    ++runs;
    elapsed = now() - start;
  }
  printf("%.2f us per call, %.2f GMAC/s\n", 1e6 * elapsed / runs,
         (double)(c * oh * ow * k * k) * runs / elapsed / 1e9);
  free(in);
  free(wt);
  free(b);
  free(out);
  return 0;
}

int main(int argc, char **argv) {
#if defined(__x86_64__)
  if (argc == 7 && strcmp(argv[1], "--bench") == 0)
    return bench(__builtin_cpu_supports("avx512f")
                     ? tessera_depthwise_conv2d_avx512
                     : tessera_depthwise_conv2d_avx2,
                 argv + 2);
  struct {
    const char *name;
    depthwise_t kernel;
    int supported, pooling;
  } isas[] = {
      {"avx512", tessera_depthwise_conv2d_avx512,
       __builtin_cpu_supports("avx512f"), 0},
      {"avx2", tessera_depthwise_conv2d_avx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"), 0},
      {"avx512 max pool", max_pool_avx512, __builtin_cpu_supports("avx512f"),
       1},
      {"avx2 max pool", max_pool_avx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"), 1},
  };
  tessera_thread_pool_t *pool = tessera_thread_pool_create(2);
  int ran = 0;
  for (size_t i = 0; i < sizeof(isas) / sizeof(isas[0]); ++i) {
    if (!isas[i].supported)
      continue;
    ran = 1;
    pooling = isas[i].pooling;
    depthwise_t kernel = isas[i].kernel;
    const char *isa = isas[i].name;
    /* Kernel sizes, strides and pads around what the models use. */
    static const int64_t kernels[][2] = {{3, 3}, {1, 1}, {5, 5}, {3, 1},
                                         {2, 4}, {7, 7}};
    static const int64_t widths[] = {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 56};
    for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); ++k)
      for (int64_t stride = 1; stride <= 3; ++stride)
        for (int64_t pad = 0; pad <= 2; ++pad)
          for (size_t x = 0; x < sizeof(widths) / sizeof(widths[0]); ++x) {
            shape_t s = {1,          3,          5 + (int64_t)x % 3,
                         widths[x],  kernels[k][0], kernels[k][1],
                         stride,     stride == 3 ? 1 : stride,
                         pad,        pad,        pad,
                         pad,        (int)(x % 2), (int)(k % 2),
                         0.0f,       x % 3 == 0};
            check_case(kernel, isa, s, x == 10 ? pool : NULL);
          }
    /* Asymmetric pads (SAME_UPPER), pads past the kernel's reach, a pad
     * value, an output that leaves the last columns unread, batches. */
    shape_t special[] = {
        {2, 4, 9, 20, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 0.0f, 0},
        {1, 2, 6, 12, 3, 3, 1, 1, 4, 5, 4, 5, 1, 0, 0.0f, 1},
        {1, 3, 8, 40, 3, 3, 2, 2, 1, 1, 1, 1, 0, 1, 0.75f, 1},
        {1, 2, 10, 34, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 0.0f, 0},
        {3, 5, 112, 112, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0.0f, 1},
        {1, 7, 112, 112, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 0.0f, 1},
        {1, 2, 4, 700, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0.0f, 0},
        {1, 2, 4, 2100, 5, 5, 1, 1, 2, 2, 2, 2, 0, 1, 0.0f, 1},
        /* Stride-2 output rows of two AVX-512 vectors, which the threads
         * split by rows where the output starts a line: 24 wide (rows of
         * 2 lines), 30 wide (rows 32 apart: a split at odd row 15) and
         * with SAME_UPPER pads; 31 wide, the widest, whose last output
         * reads padded column 62; a batch of 2 with a pad value; pads
         * past the kernel's reach, the first vector all pad. */
        {1, 3, 48, 48, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0.0f, 1},
        {1, 3, 60, 60, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0.0f, 1},
        {1, 2, 62, 62, 3, 3, 2, 2, 0, 0, 1, 1, 0, 1, 0.0f, 0},
        {1, 3, 6, 62, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0.0f, 1},
        {2, 3, 7, 40, 3, 3, 2, 2, 1, 1, 1, 1, 0, 1, 0.5f, 1},
        {1, 2, 5, 20, 3, 3, 2, 2, 1, 17, 1, 17, 1, 1, 0.0f, 1},
        /* Stride-1 output rows of two AVX-512 vectors (taps by lane
         * shifts): 28 wide, 32 wide (the last tap of the last output
         * reads the right pad), both split by rows on 2 threads where the
         * output starts a line; 17 wide without pads; a batch of 2 with a
         * pad value and pads only below and to the right. */
        {1, 3, 40, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0.0f, 1},
        {1, 2, 36, 32, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0.0f, 1},
        {1, 2, 30, 19, 3, 3, 1, 1, 0, 0, 0, 0, 1, 0, 0.0f, 0},
        {2, 3, 20, 24, 3, 3, 1, 1, 0, 0, 2, 2, 1, 1, 0.5f, 1},
        /* A stride-2 row shorter than a vector, whose last output's tap
         * kw = 2 reads the right pad (a pad value). */
        {1, 3, 9, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0.75f, 1},
        /* SqueezeNet's first pool: 55 x 55 outputs, rows 55 floats apart
         * (never a line), split by rows on 2 threads all the same. */
        {1, 3, 111, 111, 3, 3, 2, 2, 0, 0, 0, 0, 0, 0, 0.0f, 0},
    };
    for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); ++k)
      check_case(kernel, isa, special[k], pool);
    /* Rows wider than the kernel's stack scratch, with no memory for them:
     * the element-by-element path (one thread, so that the failing malloc
     * is the kernel's). */
    shape_t wide[] = {
        {1, 2, 4, 2100, 5, 5, 1, 1, 2, 2, 2, 2, 0, 1, 0.0f, 1},
        {2, 3, 5, 1500, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 0.5f, 1},
        {1, 2, 6, 1500, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0.0f, 0},
    };
    fail_kernel_malloc = 1;
    for (size_t k = 0; k < sizeof(wide) / sizeof(wide[0]); ++k)
      check_case(kernel, isa, wide[k], NULL);
    fail_kernel_malloc = 0;
  }
  tessera_thread_pool_destroy(pool);
  if (!ran) {
    printf("depthwise tests skipped: no AVX-512 or AVX2\n");
    return 0;
  }
  printf("%d of %d depthwise cases failed\n", failures, cases);
  if (failures)
    return 1;
  printf("depthwise tests passed\n");
  return 0;
#else
  printf("depthwise tests skipped: not x86-64\n");
  return 0;
#endif
}
