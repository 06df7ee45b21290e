/*===- tessera_runtime.h - C ABI of tessera model packages ------*- C -*-===*\
 *
 * Every package that `tessera-compile model.onnx -o model.so` writes exports
 * exactly this API. Link against the package (or dlopen it) and include this
 * header; nothing else from tessera is needed at run time.
 *
 *   tessera_model_t *model;
 *   if (tessera_model_load(TESSERA_ABI_VERSION, NULL, &model) != TESSERA_OK)
 *     fprintf(stderr, "%s\n", tessera_last_error());
 *   tessera_context_t *ctx;
 *   tessera_context_create(model, &ctx);
 *   tessera_context_set_input(ctx, 0, data, dims, rank, TESSERA_DTYPE_FLOAT32);
 *   tessera_context_run(ctx);
 *   tessera_tensor_t out;
 *   tessera_context_get_output(ctx, 0, &out);
 *
 * Threading: a model is immutable after loading and may be shared by any
 * number of threads; a context must be used by one thread at a time. Run
 * separate contexts to serve requests concurrently.
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_RUNTIME_H
#define TESSERA_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a declaration below changes incompatibly or a function
 * is added. Pass it to tessera_model_load so that a package built for
 * another ABI is refused with TESSERA_ERROR_ABI_MISMATCH instead of
 * misbehaving or lacking a function. (2: the kernel profile.) */
#define TESSERA_ABI_VERSION 2

#define TESSERA_MAX_RANK 16

typedef enum tessera_status {
  TESSERA_OK = 0,
  TESSERA_ERROR_INVALID_ARGUMENT = 1, /* null pointer, index out of range */
  TESSERA_ERROR_SHAPE_MISMATCH = 2,   /* wrong rank or dimension */
  TESSERA_ERROR_DTYPE_MISMATCH = 3,   /* wrong element type */
  TESSERA_ERROR_MISSING_INPUT = 4,    /* run before every input was set */
  TESSERA_ERROR_IO = 5,               /* external weights unreadable */
  TESSERA_ERROR_OUT_OF_MEMORY = 6,
  TESSERA_ERROR_ABI_MISMATCH = 7,
  TESSERA_ERROR_INTERNAL = 8,
} tessera_status_t;

/* Element types use ONNX's TensorProto.DataType numbering. */
typedef enum tessera_dtype {
  TESSERA_DTYPE_FLOAT32 = 1,
  TESSERA_DTYPE_UINT8 = 2,
  TESSERA_DTYPE_INT8 = 3,
  TESSERA_DTYPE_UINT16 = 4,
  TESSERA_DTYPE_INT16 = 5,
  TESSERA_DTYPE_INT32 = 6,
  TESSERA_DTYPE_INT64 = 7,
  TESSERA_DTYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  TESSERA_DTYPE_FLOAT16 = 10,
  TESSERA_DTYPE_FLOAT64 = 11,
  TESSERA_DTYPE_UINT32 = 12,
  TESSERA_DTYPE_UINT64 = 13,
  TESSERA_DTYPE_BFLOAT16 = 16,
} tessera_dtype_t;

/* The declared signature of one input or output. A dimension of -1 is
 * symbolic: it is fixed only when the model runs. dim_names[i] is the
 * symbol's name ("batch") or NULL for a static or anonymous dimension. Two
 * inputs that share a symbol must agree on its value. */
typedef struct tessera_tensor_info {
  const char *name;
  tessera_dtype_t dtype;
  int32_t rank;
  const int64_t *dims;
  const char *const *dim_names;
} tessera_tensor_info_t;

/* A tensor passed to or returned from a run: dense, row-major. */
typedef struct tessera_tensor {
  void *data;
  tessera_dtype_t dtype;
  int32_t rank;
  int64_t dims[TESSERA_MAX_RANK];
} tessera_tensor_t;

/* One kernel of the model: a call that its runs make, in run order (a
 * matrix product with its fused bias and activation, a convolution, a loop
 * nest of fused elementwise ops, ...). `kind` is the runtime kernel it
 * calls ("sgemm_fused", "conv3x3_winograd", "depthwise_conv2d", ...) or
 * "loops" for generated code; `node` names the ONNX node(s) it computes,
 * joined with '+' ("" when unknown). The strings belong to the model. */
typedef struct tessera_kernel_info {
  const char *kind;
  const char *node;
} tessera_kernel_info_t;

/* What a profiling context measured (tessera_context_set_profiling), summed
 * over its runs since profiling was enabled. A kernel's time runs from the
 * end of the kernel before it (or the start of the run) to its own end;
 * run_ns - sum(kernel_ns) is what the run spent outside them (writing the
 * outputs' descriptors, for one). kernel_ns[i] is kernel i's total; the
 * array belongs to the context, which keeps adding to it (it is not a
 * copy), and stays valid until the context is freed. */
typedef struct tessera_profile {
  int64_t runs;
  int64_t run_ns;
  int32_t num_kernels;
  const int64_t *kernel_ns;
} tessera_profile_t;

typedef struct tessera_model tessera_model_t;
typedef struct tessera_context tessera_context_t;

/* The ABI version this package was built for. */
int32_t tessera_abi_version(void);

/* A description of the error most recently reported on the calling thread
 * ("" if none). Successful calls leave it alone; the string stays valid until
 * the next failing call on the thread. */
const char *tessera_last_error(void);

/* Loads the package's model. `abi_version` must be TESSERA_ABI_VERSION.
 * `weights_path` overrides where a package compiled with
 * --weights=external finds its weights file (default: the file named in the
 * package, next to the .so); it is ignored for embedded weights. */
tessera_status_t tessera_model_load(int32_t abi_version,
                                    const char *weights_path,
                                    tessera_model_t **model);
/* Free the model's contexts first. Null is ignored. */
void tessera_model_free(tessera_model_t *model);

/* The model's name (the ONNX graph name). The queries below that return no
 * status return NULL or -1 when the model is null, and set the last error. */
const char *tessera_model_name(const tessera_model_t *model);
int32_t tessera_model_num_inputs(const tessera_model_t *model);
int32_t tessera_model_num_outputs(const tessera_model_t *model);
tessera_status_t tessera_model_input_info(const tessera_model_t *model,
                                          int32_t index,
                                          tessera_tensor_info_t *info);
tessera_status_t tessera_model_output_info(const tessera_model_t *model,
                                           int32_t index,
                                           tessera_tensor_info_t *info);
/* The index of the input or output called `name`, or -1. */
int32_t tessera_model_input_index(const tessera_model_t *model,
                                  const char *name);
int32_t tessera_model_output_index(const tessera_model_t *model,
                                   const char *name);

/* Bytes of intermediate-tensor arena each context allocates (planned at
 * compile time). */
int64_t tessera_model_arena_bytes(const tessera_model_t *model);

/* The kernels of the model's runs, in run order (-1 when the model is
 * null). */
int32_t tessera_model_num_kernels(const tessera_model_t *model);
tessera_status_t tessera_model_kernel_info(const tessera_model_t *model,
                                           int32_t index,
                                           tessera_kernel_info_t *info);

tessera_status_t tessera_context_create(const tessera_model_t *model,
                                        tessera_context_t **context);
void tessera_context_free(tessera_context_t *context);

/* Threads a run may use (0 = TESSERA_NUM_THREADS or 1). */
tessera_status_t tessera_context_set_num_threads(tessera_context_t *context,
                                                 int32_t num_threads);

/* Binds input `index` to caller-owned data, which must stay valid and
 * unchanged until the run that uses it returns. The dtype, rank and dims
 * are checked against the signature here, not during the run; a call that
 * fails leaves the input unset. `data` may be null if the tensor has no
 * elements, `dims` if `rank` is 0. */
tessera_status_t tessera_context_set_input(tessera_context_t *context,
                                           int32_t index, const void *data,
                                           const int64_t *dims, int32_t rank,
                                           tessera_dtype_t dtype);

/* Runs the model on the bound inputs. Symbolic dimensions shared between
 * inputs are checked for agreement first. */
tessera_status_t tessera_context_run(tessera_context_t *context);

/* With `enabled` nonzero, later runs time each kernel (a clock read per
 * kernel: under a microsecond per run for most models); the counters start
 * from zero on every call, enabling or not. Off by default. */
tessera_status_t tessera_context_set_profiling(tessera_context_t *context,
                                               int32_t enabled);
/* The counters since profiling was last set (all zero when it is off). */
tessera_status_t tessera_context_get_profile(const tessera_context_t *context,
                                             tessera_profile_t *profile);

/* Output `index` of the last successful run. The data belongs to the
 * context and stays valid until the next run or tessera_context_free. The
 * next run reuses its memory, unless an input is bound to it: then the
 * context keeps it for as long as that binding lasts. */
tessera_status_t tessera_context_get_output(const tessera_context_t *context,
                                            int32_t index,
                                            tessera_tensor_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_RUNTIME_H */
