/*===- tessera_package_abi.h - generated code <-> package runtime -*- C -*-===*\
 *
 * The private contract between the code tessera-compile generates and the
 * runtime (lib/Runtime) linked into every package. Users never see it; they
 * use tessera_runtime.h. Both sides must change together (and bump
 * TESSERA_ABI_VERSION when the public side changes).
 *
 * The generated object defines three symbols (hidden visibility):
 *
 *   const char tessera_package_metadata[];   NUL-terminated text, below
 *   const uint8_t tessera_package_weights[]; the weights blob, 64-byte
 *                                            aligned; one dummy byte when the
 *                                            weights are external or absent
 *   void tessera_package_entry(void **args); runs the model
 *
 * Entry arguments (every descriptor is an MLIR strided memref descriptor,
 * an array of 8-byte words: allocated ptr, aligned ptr, offset, sizes[rank],
 * strides[rank]):
 *
 *   args[0]      results: the output descriptors, one after another, each
 *                (3 + 2 * rank) words, written by the entry. Every output's
 *                `allocated` pointer is a block of its own from
 *                _mlir_memref_to_llvm_alloc (below), which the runtime
 *                owns and must free(); the data starts at aligned + offset
 *                elements and is dense row-major.
 *   args[1]      weights: rank-1 i8 descriptor of the weights blob
 *   args[2]      arena:   rank-1 i8 descriptor of the context's arena, at
 *                least `arena` bytes, 64-byte aligned, never null
 *   args[3 + i]  input i: dense row-major descriptor (offset 0, allocated ==
 *                aligned == data); the entry never writes to inputs
 *
 * Metadata text: one record per line, tokens separated by single spaces.
 * Names are escaped: every byte outside [A-Za-z0-9_.:/+-] is written %XX
 * (uppercase hex).
 *
 *   tessera-package 1                 format version
 *   name NAME                         the ONNX graph name
 *   arena BYTES
 *   weights embedded BYTES            or: weights external FILE BYTES
 *                                     (FILE relative to the .so's directory)
 *   input NAME DTYPE RANK DIM...      in argument order
 *   output NAME DTYPE RANK DIM...     in result order
 *   packed a|b PANEL SOURCE LD ROWS COLS PACKED
 *                                     a weight prepacked for the matrix
 *                                     products (any number, after
 *                                     `weights`), described below
 *   kernel KIND [NODE]                the kernel of index i (the i-th such
 *                                     record): the runtime function it
 *                                     calls (`sgemm_fused`, ...) or `loops`,
 *                                     and the ONNX node(s) it computes,
 *                                     joined with `+` (no token: unknown)
 *
 * A `packed` record says that the weights hold, at byte offset PACKED, the
 * fp32 matrix at byte offset SOURCE (ROWS x COLS, LD elements between rows)
 * as the micro-kernels read it when it is operand A (`a`) or B (`b`) of a
 * tessera_sgemm_* call. k runs in blocks of TESSERA_SGEMM_KC (the last
 * one shorter); block after block, each holds the matrix's rows of A
 * (columns of B), zero-padded to a multiple of PANEL, as panels of PANEL
 * rows (columns): for each k of the block in order, the panel's PANEL
 * values. PANEL is the kernel's TESSERA_SGEMM_*_MR for A and
 * TESSERA_SGEMM_*_NR for B. The products that get the matrix (or a part
 * of it, over all of k) as that operand read the packed copy instead.
 * PACKED may equal SOURCE: the copy has replaced the original, which no
 * longer exists (the compiler does so when the copy is as big and nothing
 * else reads the matrix).
 *
 * The runtime defines, for the generated code (hidden visibility):
 *
 *   void tessera_profile_kernel_done(int32_t kernel);
 *
 * The entry calls it right after each of its kernels, with the kernel's
 * index (the order of the `kernel` records). When the running context
 * profiles (tessera_context_set_profiling), it adds the time since the
 * previous kernel ended, or since the run started, to that kernel's
 * counter; otherwise it returns at once.
 *
 *   void tessera_parallel_for(tessera_parallel_task_t task, void *args,
 *                             int64_t extent);
 *
 * It runs task(args, begin, end) over disjoint ranges that cover
 * [0, extent), on the threads of the running context (one call with the
 * whole range when the context has one thread), and returns when all are
 * done. `args` points to the task's packed arguments, which the task reads
 * and never writes.
 *
 *   void *_mlir_memref_to_llvm_alloc(size_t bytes);
 *   void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes);
 *   void _mlir_memref_to_llvm_free(void *block);
 *
 * The heap allocations of the generated code (memref.alloc lowered with
 * use-generic-functions): malloc() blocks, or, during a run, a block of
 * one of the context's last outputs that fits (those outputs are no longer
 * valid once the next run starts). free() releases either.
 *
 * and the fp32 matrix-product micro-kernels (x86-64 only; the compiler
 * calls the one the target CPU supports):
 *
 *   void tessera_sgemm_avx512(batch, m, n, k, a, a_batch_stride, lda,
 *                             b, b_batch_stride, ldb,
 *                             c, c_batch_stride, ldc, flags);   (and _avx2)
 *
 * For each of `batch` products: C[m x n] += A[m x k] * B[k x n], row-major
 * with the given row strides (in elements; unit column stride); matrix i
 * starts `i * *_batch_stride` elements after the first (0: shared). With
 * TESSERA_SGEMM_OVERWRITE in `flags`, C = A * B instead: C is not read
 * (the product of a zero-filled output). Sums are blocked over k and use
 * fused multiply-adds, so they round differently from a sequential loop.
 *
 *   void tessera_sgemm_fused_avx512(<the 14 above>,
 *       addend0, addend0_batch_stride, addend0_row_stride,
 *       addend0_column_stride, addend1, addend1_batch_stride,
 *       addend1_row_stride, addend1_column_stride, lower, upper);
 *                                                           (and _avx2)
 *
 * computes the same product, then, for each element of C once its sum is
 * complete (while its block is in cache): v = (C + addend0) + addend1, then
 * C = min(upper, max(lower, v)) (a NaN passes the clamp, as with
 * arith.maximumf / minimumf). Addend t's element for C[i][j] of matrix b is
 * addend_t[b * batch_stride + i * row_stride + j * column_stride]; its
 * column stride is 0 (a per-row vector) or 1 (a per-column vector, row
 * stride 0, or a matrix). A NULL addend and bounds of -inf / +inf do
 * nothing. This is a product's fused bias, residual and ReLU/ReLU6/Clip
 * (tessera-matmul-to-microkernel).
 *
 * and the depthwise 2-D convolution kernels (x86-64 only, likewise):
 *
 *   void tessera_depthwise_conv2d_avx512(batch, channels, input,
 *       input_batch_stride, input_channel_stride, input_row_stride,
 *       input_height, input_width, weights, kernel_height, kernel_width,
 *       bias, bias_stride, output, output_batch_stride,
 *       output_channel_stride, output_row_stride, output_height,
 *       output_width, stride_height, stride_width, pad_top, pad_left,
 *       pad_value, lower, upper, input_bias, input_bias_stride,
 *       input_lower, input_upper);                        (and _avx2)
 *
 * For each batch element n, channel c and output position (oh, ow):
 * output = min(upper, max(lower, sum + bias[c * bias_stride])), where sum
 * adds weights[c][kh][kw] * input[n][c][oh * stride_height + kh - pad_top]
 * [ow * stride_width + kw - pad_left] over the kernel (weights dense
 * [channels][kernel_height][kernel_width]; an input position outside
 * input_height x input_width reads pad_value). Strides are in elements;
 * rows have unit column stride. `bias` may be NULL (no bias); lower and
 * upper may be -inf and +inf (no clamp). Each input value inside the
 * input is first transformed to min(input_upper, max(input_lower, value +
 * input_bias[c * input_bias_stride])) (the bias add and activation that
 * produced it; input_bias may be NULL, the bounds infinite; padding is not
 * transformed). Kernel sides are at most
 * TESSERA_DEPTHWISE_MAX_KERNEL. The channels run on the context's threads
 * (tessera_parallel_for); sums use fused multiply-adds in (kh, kw) order.
 *
 * and the same convolution of a 1 x 1 convolution's output, which is not
 * stored (x86-64 only, likewise):
 *
 *   void tessera_pointwise_depthwise_conv2d_avx512(batch, channels,
 *       source, source_batch_stride, source_channel_stride,
 *       source_channels, pointwise_weights, pointwise_weights_stride,
 *       input_height, input_width, weights, kernel_height, kernel_width,
 *       bias, bias_stride, output, output_batch_stride,
 *       output_channel_stride, output_row_stride, output_height,
 *       output_width, stride_height, stride_width, pad_top, pad_left,
 *       pad_value, lower, upper, input_bias, input_bias_stride,
 *       input_lower, input_upper);                        (and _avx2)
 *
 * is tessera_depthwise_conv2d_* on input[n][c][h][w] = the sum over k <
 * source_channels of pointwise_weights[c * pointwise_weights_stride + k]
 * * source[n * source_batch_stride + k * source_channel_stride + h *
 * input_width + w] (fused multiply-adds in k order, from zero), before
 * the input transform. Each thread computes that sum for bands of rows
 * into its own scratch.
 *
 * and the 2-D max pool on the same window walk (x86-64 only, likewise):
 *
 *   void tessera_max_pool2d_avx512(batch, channels, input,
 *       input_batch_stride, input_channel_stride, input_row_stride,
 *       input_height, input_width, kernel_height, kernel_width, output,
 *       output_batch_stride, output_channel_stride, output_row_stride,
 *       output_height, output_width, stride_height, stride_width, pad_top,
 *       pad_left, pad_value, lower, upper);               (and _avx2)
 *
 * output = min(upper, max(lower, m)), m the largest input[n][c][oh *
 * stride_height + kh - pad_top][ow * stride_width + kw - pad_left] over
 * the kernel (positions outside the input read pad_value), with the
 * depthwise kernel's strides, limits and threads. A NaN input is not
 * guaranteed to reach the output, nor is +0 chosen over -0 (the vector
 * max keeps one operand when the two do not compare).
 *
 * DTYPE is one of float32 float64 float16 bfloat16 int8 int16 int32 int64
 * uint8 uint16 uint32 uint64 bool. A DIM is a decimal size, `?` for an
 * anonymous dynamic dimension, or `?SYMBOL` for a named one (escaped).
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_PACKAGE_ABI_H
#define TESSERA_PACKAGE_ABI_H

#include <stddef.h>
#include <stdint.h>

#define TESSERA_PACKAGE_FORMAT_VERSION 1
#define TESSERA_PACKAGE_WEIGHTS_ALIGNMENT 64
#define TESSERA_PACKAGE_ARENA_ALIGNMENT 64

#ifdef __cplusplus
extern "C" {
#endif

extern const char tessera_package_metadata[];
extern const uint8_t tessera_package_weights[];
void tessera_package_entry(void **args);

typedef void (*tessera_parallel_task_t)(void *args, int64_t begin,
                                        int64_t end);
void tessera_profile_kernel_done(int32_t kernel);
void tessera_parallel_for(tessera_parallel_task_t task, void *args,
                          int64_t extent);
void *_mlir_memref_to_llvm_alloc(size_t bytes);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes);
void _mlir_memref_to_llvm_free(void *block);

/* tessera_sgemm_* flags. */
#define TESSERA_SGEMM_OVERWRITE 1

/* The micro-kernels' register blocks (rows of A x columns of B), the panel
 * sizes of `packed` weights, and the k values per block of them; B is
 * packed only for products of at least TESSERA_SGEMM_PACK_B_MIN_ROWS rows
 * (fewer read it in place). */
#define TESSERA_SGEMM_KC 256
#define TESSERA_SGEMM_AVX512_MR 8
#define TESSERA_SGEMM_AVX512_NR 32
#define TESSERA_SGEMM_AVX2_MR 6
#define TESSERA_SGEMM_AVX2_NR 16
#define TESSERA_SGEMM_PACK_B_MIN_ROWS 128

#define TESSERA_SGEMM_PARAMETERS                                               \
  int64_t batch, int64_t m, int64_t n, int64_t k, const float *a,              \
      int64_t a_batch_stride, int64_t lda, const float *b,                     \
      int64_t b_batch_stride, int64_t ldb, float *c, int64_t c_batch_stride,   \
      int64_t ldc, int64_t flags
#define TESSERA_SGEMM_EPILOGUE_PARAMETERS                                      \
  const float *addend0, int64_t addend0_batch_stride,                          \
      int64_t addend0_row_stride, int64_t addend0_column_stride,               \
      const float *addend1, int64_t addend1_batch_stride,                      \
      int64_t addend1_row_stride, int64_t addend1_column_stride, float lower,  \
      float upper

void tessera_sgemm_avx512(TESSERA_SGEMM_PARAMETERS);
void tessera_sgemm_avx2(TESSERA_SGEMM_PARAMETERS);
void tessera_sgemm_fused_avx512(TESSERA_SGEMM_PARAMETERS,
                                TESSERA_SGEMM_EPILOGUE_PARAMETERS);
void tessera_sgemm_fused_avx2(TESSERA_SGEMM_PARAMETERS,
                              TESSERA_SGEMM_EPILOGUE_PARAMETERS);

#define TESSERA_DEPTHWISE_MAX_KERNEL 16

#define TESSERA_DEPTHWISE_CONV2D_PARAMETERS                                    \
  int64_t batch, int64_t channels, const float *input,                         \
      int64_t input_batch_stride, int64_t input_channel_stride,                \
      int64_t input_row_stride, int64_t input_height, int64_t input_width,     \
      const float *weights, int64_t kernel_height, int64_t kernel_width,       \
      const float *bias, int64_t bias_stride, float *output,                   \
      int64_t output_batch_stride, int64_t output_channel_stride,              \
      int64_t output_row_stride, int64_t output_height, int64_t output_width,  \
      int64_t stride_height, int64_t stride_width, int64_t pad_top,            \
      int64_t pad_left, float pad_value, float lower, float upper,             \
      const float *input_bias, int64_t input_bias_stride, float input_lower,   \
      float input_upper
void tessera_depthwise_conv2d_avx512(TESSERA_DEPTHWISE_CONV2D_PARAMETERS);
void tessera_depthwise_conv2d_avx2(TESSERA_DEPTHWISE_CONV2D_PARAMETERS);

/* How many units (rows or planes, `stride` floats apart) each thread's
 * share of an output is a multiple of, so that every share starts a cache
 * line and no line is written by two threads (a line both cores write
 * moves between them on every write); 0 when that is impossible (the
 * output does not start a line, `output_starts_line` 0, or `extent` has
 * fewer than 8 such groups, so that rounding would unbalance the threads
 * by more than an eighth). */
static inline int64_t tessera_line_granule(int64_t stride, int64_t extent,
                                           int output_starts_line) {
  if (!output_starts_line || stride == 0)
    return 0;
  /* The fewest units whose floats fill whole 16-float lines. */
  int64_t granule = 1;
  while (granule < 16 && (granule * stride) % 16 != 0)
    granule *= 2;
  return extent >= 8 * granule ? granule : 0;
}

/* The stride (1 or 2) of a depthwise plane that the one-vector kernels
 * convolve (3 x 3 windows, an output row of at most `vector_width`
 * floats); 0 for other planes. */
static inline int64_t tessera_depthwise_narrow_stride(
    int64_t kernel_height, int64_t kernel_width, int64_t stride_height,
    int64_t stride_width, int64_t output_width, int64_t vector_width) {
  if (kernel_height != 3 || kernel_width != 3 ||
      stride_height != stride_width)
    return 0;
  return (stride_width == 1 || stride_width == 2) &&
                 output_width <= vector_width
             ? stride_width
             : 0;
}

/* How the depthwise kernels (and pools) split their planes over the
 * threads: by output rows, in groups of the returned number of rows, or,
 * when it returns 0, by planes in contiguous chunks
 * (tessera_parallel_for's). `vector_width` is the kernel's floats per
 * vector (16 for _avx512, 8 for _avx2); `output_starts_line`: the output
 * starts a 64-byte line. tessera-outline-kernels splits a product whose
 * output such a convolution reads by the same channels when it returns 0.
 *
 * Narrow planes (tessera_depthwise_narrow_stride) split channels. Other
 * planes split their rows in groups that start a line of the output
 * (tessera_line_granule); otherwise rows still split one by one when
 * there are 32 or more (the one line per plane both threads then write
 * costs less than reading half the input from the other core), and
 * planes split when there are fewer. */
static inline int64_t tessera_depthwise_row_granule(
    int64_t kernel_height, int64_t kernel_width, int64_t stride_height,
    int64_t stride_width, int64_t output_height, int64_t output_width,
    int64_t output_row_stride, int output_starts_line, int64_t vector_width) {
  if (tessera_depthwise_narrow_stride(kernel_height, kernel_width,
                                      stride_height, stride_width,
                                      output_width, vector_width))
    return 0;
  int64_t granule = tessera_line_granule(output_row_stride, output_height,
                                         output_starts_line);
  return granule == 0 && output_height >= 32 ? 1 : granule;
}

#define TESSERA_POINTWISE_DEPTHWISE_CONV2D_PARAMETERS                          \
  int64_t batch, int64_t channels, const float *source,                        \
      int64_t source_batch_stride, int64_t source_channel_stride,              \
      int64_t source_channels, const float *pointwise_weights,                 \
      int64_t pointwise_weights_stride, int64_t input_height,                  \
      int64_t input_width, const float *weights, int64_t kernel_height,        \
      int64_t kernel_width, const float *bias, int64_t bias_stride,            \
      float *output, int64_t output_batch_stride,                              \
      int64_t output_channel_stride, int64_t output_row_stride,                \
      int64_t output_height, int64_t output_width, int64_t stride_height,      \
      int64_t stride_width, int64_t pad_top, int64_t pad_left,                 \
      float pad_value, float lower, float upper, const float *input_bias,      \
      int64_t input_bias_stride, float input_lower, float input_upper
void tessera_pointwise_depthwise_conv2d_avx512(
    TESSERA_POINTWISE_DEPTHWISE_CONV2D_PARAMETERS);
void tessera_pointwise_depthwise_conv2d_avx2(
    TESSERA_POINTWISE_DEPTHWISE_CONV2D_PARAMETERS);

#define TESSERA_MAX_POOL2D_PARAMETERS                                          \
  int64_t batch, int64_t channels, const float *input,                         \
      int64_t input_batch_stride, int64_t input_channel_stride,                \
      int64_t input_row_stride, int64_t input_height, int64_t input_width,     \
      int64_t kernel_height, int64_t kernel_width, float *output,              \
      int64_t output_batch_stride, int64_t output_channel_stride,              \
      int64_t output_row_stride, int64_t output_height, int64_t output_width,  \
      int64_t stride_height, int64_t stride_width, int64_t pad_top,            \
      int64_t pad_left, float pad_value, float lower, float upper
void tessera_max_pool2d_avx512(TESSERA_MAX_POOL2D_PARAMETERS);
void tessera_max_pool2d_avx2(TESSERA_MAX_POOL2D_PARAMETERS);

/* A 3x3, stride-1, undilated convolution of one image by Winograd's
 * F(2x2, 3x3) (the _4x4 variants: F(4x4, 3x3) where the output is at
 * least 24 x 24, faster, with sums that round further from direct ones,
 * F(2x2, 3x3) below): output[f][y][x] = epilogue(sum over c, i, j of
 * input[c][y + i - pad_top][x + j - pad_left] * weights[f][c][i][j]) for
 * y < output_height, x < output_width, where input values outside its
 * input_height x input_width plane read as zero (the zero padding, on
 * every side). An input already padded has input_height = output_height +
 * 2, input_width = output_width + 2 and no pad_top or pad_left. The
 * weights are contiguous [filters][channels][3][3]. The epilogue is
 * min(upper, max(lower, (sum + addend0) + addend1)), each addend's value
 * at (f, y, x) being data[f * channel_stride + y * row_stride + x *
 * column_stride] (column_stride 0 or 1; data NULL: none). */
#define TESSERA_WINOGRAD_CONV3X3_PARAMETERS                                    \
  int64_t channels, int64_t filters, const float *input,                       \
      int64_t input_channel_stride, int64_t input_row_stride,                  \
      int64_t input_height, int64_t input_width, int64_t pad_top,              \
      int64_t pad_left, const float *weights, float *output,                   \
      int64_t output_channel_stride,                                           \
      int64_t output_row_stride, int64_t output_height, int64_t output_width,  \
      TESSERA_CONV2D_EPILOGUE_PARAMETERS
/* The convolution kernels' epilogue: two addends and the bounds. */
#define TESSERA_CONV2D_EPILOGUE_PARAMETERS                                     \
  const float *addend0, int64_t addend0_channel_stride,                        \
      int64_t addend0_row_stride, int64_t addend0_column_stride,               \
      const float *addend1, int64_t addend1_channel_stride,                    \
      int64_t addend1_row_stride, int64_t addend1_column_stride, float lower,  \
      float upper
void tessera_conv3x3_winograd_avx512(TESSERA_WINOGRAD_CONV3X3_PARAMETERS);
void tessera_conv3x3_winograd_avx2(TESSERA_WINOGRAD_CONV3X3_PARAMETERS);
void tessera_conv3x3_winograd_4x4_avx512(TESSERA_WINOGRAD_CONV3X3_PARAMETERS);
void tessera_conv3x3_winograd_4x4_avx2(TESSERA_WINOGRAD_CONV3X3_PARAMETERS);

/* A direct, undilated convolution of one image, for few input channels
 * (a network's first layer): output[f][y][x] = epilogue(sum over c, i, j
 * of input[c][y * stride_height + i - pad_top][x * stride_width + j -
 * pad_left] * weights[f][c][i][j]), with the Winograd kernel's operands,
 * zero padding and epilogue, and the window's size and strides after the
 * pads. Sums use fused multiply-adds in (c, i, j) order. Output rows run
 * on the context's threads. */
#define TESSERA_DIRECT_CONV2D_PARAMETERS                                       \
  TESSERA_DIRECT_CONV2D_INPUT_PARAMETERS, float *output,                       \
      int64_t output_channel_stride, int64_t output_row_stride,                \
      int64_t output_height, int64_t output_width,                             \
      TESSERA_CONV2D_EPILOGUE_PARAMETERS
/* The direct kernels' input, window and weights. */
#define TESSERA_DIRECT_CONV2D_INPUT_PARAMETERS                                 \
  int64_t channels, int64_t filters, const float *input,                       \
      int64_t input_channel_stride, int64_t input_row_stride,                  \
      int64_t input_height, int64_t input_width, int64_t pad_top,              \
      int64_t pad_left, int64_t kernel_height, int64_t kernel_width,           \
      int64_t stride_height, int64_t stride_width, const float *weights
void tessera_conv2d_direct_avx512(TESSERA_DIRECT_CONV2D_PARAMETERS);
void tessera_conv2d_direct_avx2(TESSERA_DIRECT_CONV2D_PARAMETERS);

/* The same convolution (output_height x output_width, after the
 * epilogue) followed by a 2-D max pool of it, as tessera_max_pool2d_*
 * computes one with batch 1 and the convolution's filters as channels
 * (positions outside the convolution's output read pool_pad_value; then
 * the clamp [pool_lower, pool_upper]), writing only the pooled output:
 * pooled[f][p][q], pooled_height x pooled_width. The convolution's output
 * is never stored. Pooled rows run on the context's threads (one value at
 * a time for pools of more than TESSERA_DEPTHWISE_MAX_KERNEL rows, which
 * the compiler does not fuse). The values are the two kernels'; as with
 * tessera_max_pool2d_*, a NaN or the sign of a zero may not be. */
#define TESSERA_DIRECT_CONV2D_MAX_POOL2D_PARAMETERS                            \
  TESSERA_DIRECT_CONV2D_INPUT_PARAMETERS, int64_t output_height,               \
      int64_t output_width,                                                    \
      TESSERA_CONV2D_EPILOGUE_PARAMETERS, int64_t pool_kernel_height,          \
      int64_t pool_kernel_width, int64_t pool_stride_height,                   \
      int64_t pool_stride_width, int64_t pool_pad_top, int64_t pool_pad_left,  \
      float pool_pad_value, float *pooled, int64_t pooled_channel_stride,      \
      int64_t pooled_row_stride, int64_t pooled_height, int64_t pooled_width,  \
      float pool_lower, float pool_upper
void tessera_conv2d_direct_max_pool2d_avx512(
    TESSERA_DIRECT_CONV2D_MAX_POOL2D_PARAMETERS);
void tessera_conv2d_direct_max_pool2d_avx2(
    TESSERA_DIRECT_CONV2D_MAX_POOL2D_PARAMETERS);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_PACKAGE_ABI_H */
