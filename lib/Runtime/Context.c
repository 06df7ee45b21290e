/*===- Context.c - running a model ------------------------------------------===*\
 *
 * A context owns everything one run needs: the arena, the input bindings,
 * the argument array and memref descriptors handed to tessera_package_entry
 * (laid out once, when the context is created) and the outputs of the last
 * run, whose malloc()ed blocks the next run reuses for its own
 * allocations (see _mlir_memref_to_llvm_alloc), or keeps while an input is
 * bound to one, before it frees the rest.
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "RuntimeInternal.h"
#include "ThreadPool.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct input_binding {
  const void *data;
  int64_t dims[TESSERA_MAX_RANK];
  int bound;
} input_binding_t;

struct tessera_context {
  const tessera_model_t *model;
  int32_t num_threads;
  tessera_thread_pool_t *pool; /* started on the first run with threads > 1 */
  void *arena;
  size_t arena_size; /* allocated: the planned size rounded up, at least 64 */
  input_binding_t *inputs;
  /* The entry's arguments (3 + inputs) and the descriptors they point to:
   * weights (5 words), arena (5 words), then each input's, then the results
   * area (every output's descriptor, one after another). */
  void **args;
  int64_t *words;
  int64_t *results;
  /* The last run's outputs; valid while has_outputs. */
  int has_outputs;
  tessera_tensor_t *outputs;
  void **output_blocks; /* `allocated` of each output, owned; NULL if none */
  /* During a run, the last run's output blocks its allocations may take
   * (NULL once taken), freed when it returns if left. */
  void **reusable_blocks;
  /* Blocks of earlier outputs that inputs are bound to, kept until no
   * binding points into them (at most one per input). */
  void **held_blocks;
  /* Kernel timings (tessera_context_set_profiling); counted while
   * `profiling`, always allocated. */
  int profiling;
  tessera_rt_profile_t profile;
};

/* The context whose run is under way on this thread. */
static _Thread_local tessera_context_t *running_context;

/* Stands in for the data of an input with no elements, which the caller may
 * pass as NULL, so that no descriptor holds a null pointer. */
static _Alignas(64) const uint8_t empty_input[64];

static int64_t descriptor_words(int32_t rank) { return 3 + 2 * (int64_t)rank; }

static int64_t pointer_word(const void *pointer) {
  return (int64_t)(intptr_t)pointer;
}

static void *word_pointer(int64_t word) { return (void *)(intptr_t)word; }

/* The number of elements of `dims`, or -1 if it (or its size in bytes)
 * overflows. Every dim must be non-negative. */
static int64_t element_count(int32_t rank, const int64_t *dims,
                             size_t elem_size) {
  int64_t count = 1;
  for (int32_t i = 0; i < rank; ++i) {
    if (dims[i] == 0)
      return 0;
  }
  for (int32_t i = 0; i < rank; ++i) {
    if (count > INT64_MAX / dims[i])
      return -1;
    count *= dims[i];
  }
  if (elem_size && count > (int64_t)(PTRDIFF_MAX / (int64_t)elem_size))
    return -1;
  return count;
}

/* TESSERA_NUM_THREADS if it is a positive integer, else 1. */
static int32_t default_num_threads(void) {
  const char *value = getenv("TESSERA_NUM_THREADS");
  if (!value || *value == '\0')
    return 1;
  char *end;
  errno = 0;
  long threads = strtol(value, &end, 10);
  if (errno != 0 || *end != '\0' || threads < 1 || threads > INT32_MAX)
    return 1;
  return (int32_t)threads;
}

static int points_into(const void *pointer, const void *begin, size_t size) {
  uintptr_t p = (uintptr_t)pointer, b = (uintptr_t)begin;
  return p >= b && p - b < (size ? size : 1);
}

/* Whether a bound input's data lies in `block`. */
static int holds_input(const tessera_context_t *context, void *block) {
  const tessera_rt_metadata_t *meta = &context->model->metadata;
  for (int32_t i = 0; i < meta->num_inputs; ++i)
    if (context->inputs[i].data &&
        points_into(context->inputs[i].data, block, malloc_usable_size(block)))
      return 1;
  return 0;
}

static int32_t held_capacity(const tessera_context_t *context) {
  int32_t inputs = context->model->metadata.num_inputs;
  return inputs > 0 ? inputs : 1;
}

/* Hands the last run's output blocks to the next run: reusable, or held
 * while an input points into one (an output fed back as an input stays
 * valid for as long as it is bound). Held blocks no binding points into
 * any more are freed. */
static void recycle_outputs(tessera_context_t *context) {
  for (int32_t i = 0; i < held_capacity(context); ++i)
    if (context->held_blocks[i] &&
        !holds_input(context, context->held_blocks[i])) {
      free(context->held_blocks[i]);
      context->held_blocks[i] = NULL;
    }
  int32_t count = context->model->metadata.num_outputs;
  for (int32_t i = 0; i < count; ++i) {
    void *block = context->output_blocks[i];
    context->output_blocks[i] = NULL;
    context->reusable_blocks[i] = NULL;
    if (!block)
      continue;
    if (!holds_input(context, block)) {
      context->reusable_blocks[i] = block;
      continue;
    }
    /* Every held block holds a different input's data, so there is room. */
    for (int32_t j = 0; j < held_capacity(context); ++j)
      if (!context->held_blocks[j]) {
        context->held_blocks[j] = block;
        break;
      }
  }
  context->has_outputs = 0;
}

/* Frees the blocks the run did not reuse. */
static void free_reusable_blocks(tessera_context_t *context) {
  int32_t count = context->model->metadata.num_outputs;
  for (int32_t i = 0; i < count; ++i) {
    free(context->reusable_blocks[i]);
    context->reusable_blocks[i] = NULL;
  }
}

/* A reusable block of at least `size` bytes (and not much more: a block
 * is kept whole for as long as its output is) aligned to `alignment`,
 * taken; NULL if none. The first that fits: a run's allocations come in
 * the same order every run. */
static void *take_reusable_block(size_t size, size_t alignment) {
  tessera_context_t *context = running_context;
  if (!context)
    return NULL;
  int32_t count = context->model->metadata.num_outputs;
  for (int32_t i = 0; i < count; ++i) {
    void *block = context->reusable_blocks[i];
    size_t usable = block ? malloc_usable_size(block) : 0;
    if (block && usable >= size && usable - size <= size / 4 + 4096 &&
        (alignment <= 1 || (uintptr_t)block % alignment == 0)) {
      context->reusable_blocks[i] = NULL;
      return block;
    }
  }
  return NULL;
}

/* The generated code's heap allocations (memref.alloc, lowered with
 * finalize-memref-to-llvm's use-generic-functions): its outputs, whose
 * blocks the runtime frees, and dynamically shaped intermediates, which
 * it frees itself. A run takes them from its context's last outputs where
 * one fits, so that the same outputs every run reuse warm memory: a new
 * block over glibc's mmap threshold (32 MiB at most) is mapped fresh and
 * page-faulted on every run (a 4096 x 4096 x 1024 product, whose output
 * is 64 MiB: 219-221 ms a run, 191-195 reusing it). The compiler calls
 * only the unaligned one (MLIR pads the size and aligns the pointer). */
void *_mlir_memref_to_llvm_alloc(size_t size) {
  void *block = take_reusable_block(size, 1);
  return block ? block : malloc(size);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  void *block = take_reusable_block(size, alignment);
  return block ? block : aligned_alloc(alignment, size);
}

void _mlir_memref_to_llvm_free(void *block) { free(block); }

static void release_outputs(tessera_context_t *context) {
  int32_t count = context->model->metadata.num_outputs;
  for (int32_t i = 0; i < count; ++i) {
    free(context->output_blocks[i]);
    context->output_blocks[i] = NULL;
  }
  context->has_outputs = 0;
}

static void destroy_context(tessera_context_t *context) {
  if (context->output_blocks)
    release_outputs(context);
  tessera_thread_pool_destroy(context->pool);
  free(context->arena);
  free(context->inputs);
  free(context->args);
  free(context->words);
  free(context->outputs);
  free(context->output_blocks);
  for (int32_t i = 0; context->held_blocks && i < held_capacity(context); ++i)
    free(context->held_blocks[i]);
  free(context->reusable_blocks);
  free(context->held_blocks);
  tessera_rt_profile_free(&context->profile);
  free(context);
}

TESSERA_EXPORT tessera_status_t
tessera_context_create(const tessera_model_t *model,
                       tessera_context_t **context) {
  if (!context)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_create: context is null");
  *context = NULL;
  if (!model)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_create: model is null");
  const tessera_rt_metadata_t *meta = &model->metadata;

  tessera_context_t *result = calloc(1, sizeof(*result));
  if (!result)
    return tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY,
                           "out of memory creating a context");
  result->model = model;
  result->num_threads = default_num_threads();
  if (tessera_rt_profile_init(&result->profile, meta->num_kernels) != 0) {
    destroy_context(result);
    return tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY,
                           "out of memory creating a context");
  }

  const size_t alignment = TESSERA_PACKAGE_ARENA_ALIGNMENT;
  if ((uint64_t)meta->arena_bytes > (uint64_t)(SIZE_MAX - alignment)) {
    destroy_context(result);
    return tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY,
                           "cannot allocate the model's %lld-byte arena",
                           (long long)meta->arena_bytes);
  }
  result->arena_size = (size_t)meta->arena_bytes < alignment
                           ? alignment
                           : ((size_t)meta->arena_bytes + alignment - 1) /
                                 alignment * alignment;
  result->arena = aligned_alloc(alignment, result->arena_size);
  if (!result->arena) {
    destroy_context(result);
    return tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY,
                           "cannot allocate the model's %lld-byte arena",
                           (long long)meta->arena_bytes);
  }

  int64_t num_words = 2 * descriptor_words(1);
  for (int32_t i = 0; i < meta->num_inputs; ++i)
    num_words += descriptor_words(meta->inputs[i].rank);
  int64_t input_words = num_words;
  for (int32_t i = 0; i < meta->num_outputs; ++i)
    num_words += descriptor_words(meta->outputs[i].rank);

  size_t inputs = meta->num_inputs ? (size_t)meta->num_inputs : 1;
  size_t outputs = meta->num_outputs ? (size_t)meta->num_outputs : 1;
  result->inputs = calloc(inputs, sizeof(*result->inputs));
  result->args = calloc(3 + (size_t)meta->num_inputs, sizeof(void *));
  result->words = calloc((size_t)num_words, sizeof(int64_t));
  result->outputs = calloc(outputs, sizeof(*result->outputs));
  result->output_blocks = calloc(outputs, sizeof(void *));
  result->reusable_blocks = calloc(outputs, sizeof(void *));
  result->held_blocks = calloc((size_t)held_capacity(result), sizeof(void *));
  if (!result->inputs || !result->args || !result->words || !result->outputs ||
      !result->output_blocks || !result->reusable_blocks ||
      !result->held_blocks) {
    destroy_context(result);
    return tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY,
                           "out of memory creating a context");
  }

  result->results = result->words + input_words;
  result->args[0] = result->results;
  result->args[1] = result->words;
  result->args[2] = result->words + descriptor_words(1);
  int64_t *descriptor = result->words + 2 * descriptor_words(1);
  for (int32_t i = 0; i < meta->num_inputs; ++i) {
    result->args[3 + i] = descriptor;
    descriptor += descriptor_words(meta->inputs[i].rank);
  }
  *context = result;
  return TESSERA_OK;
}

TESSERA_EXPORT void tessera_context_free(tessera_context_t *context) {
  if (context)
    destroy_context(context);
}

TESSERA_EXPORT tessera_status_t
tessera_context_set_num_threads(tessera_context_t *context,
                                int32_t num_threads) {
  if (!context)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_set_num_threads: context is null");
  if (num_threads < 0)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_set_num_threads: %d threads; "
                           "expected 0 (the default) or more",
                           (int)num_threads);
  context->num_threads = num_threads ? num_threads : default_num_threads();
  return TESSERA_OK;
}

TESSERA_EXPORT tessera_status_t
tessera_context_set_profiling(tessera_context_t *context, int32_t enabled) {
  if (!context)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_set_profiling: context is null");
  tessera_rt_profile_reset(&context->profile);
  context->profiling = enabled != 0;
  return TESSERA_OK;
}

TESSERA_EXPORT tessera_status_t
tessera_context_get_profile(const tessera_context_t *context,
                            tessera_profile_t *profile) {
  if (!context || !profile)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_get_profile: %s is null",
                           context ? "profile" : "context");
  const tessera_rt_profile_t *counters = &context->profile;
  *profile = (tessera_profile_t){counters->runs, counters->run_ns,
                                 counters->num_kernels, counters->kernel_ns};
  return TESSERA_OK;
}

static const char *dtype_name(tessera_dtype_t dtype, char *buffer,
                              size_t size) {
  const char *name = tessera_rt_dtype_name(dtype);
  if (name)
    return name;
  snprintf(buffer, size, "unknown dtype %d", (int)dtype);
  return buffer;
}

static tessera_status_t check_input(const tessera_rt_tensor_t *tensor,
                                    const void *data, const int64_t *dims,
                                    int32_t rank, tessera_dtype_t dtype) {
  const char *name = tensor->name;
  if (!dims && rank > 0)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "input '%s': dims is null", name);
  if (dtype != tensor->dtype) {
    char buffer[32];
    return tessera_rt_fail(TESSERA_ERROR_DTYPE_MISMATCH,
                           "input '%s': expected %s, got %s", name,
                           tessera_rt_dtype_name(tensor->dtype),
                           dtype_name(dtype, buffer, sizeof(buffer)));
  }
  if (rank != tensor->rank)
    return tessera_rt_fail(TESSERA_ERROR_SHAPE_MISMATCH,
                           "input '%s': rank %d, expected %d", name, (int)rank,
                           (int)tensor->rank);
  for (int32_t i = 0; i < rank; ++i) {
    if (dims[i] < 0)
      return tessera_rt_fail(TESSERA_ERROR_SHAPE_MISMATCH,
                             "input '%s': dimension %d is %lld, which is "
                             "negative",
                             name, (int)i, (long long)dims[i]);
    if (tensor->dims[i] >= 0 && dims[i] != tensor->dims[i])
      return tessera_rt_fail(TESSERA_ERROR_SHAPE_MISMATCH,
                             "input '%s': dimension %d is %lld, expected %lld",
                             name, (int)i, (long long)dims[i],
                             (long long)tensor->dims[i]);
  }
  int64_t count = element_count(rank, dims, tensor->elem_size);
  if (count < 0)
    return tessera_rt_fail(TESSERA_ERROR_SHAPE_MISMATCH,
                           "input '%s': the shape has too many elements", name);
  if (!data && count > 0)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "input '%s': data is null", name);
  return TESSERA_OK;
}

TESSERA_EXPORT tessera_status_t
tessera_context_set_input(tessera_context_t *context, int32_t index,
                          const void *data, const int64_t *dims, int32_t rank,
                          tessera_dtype_t dtype) {
  if (!context)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_set_input: context is null");
  const tessera_rt_metadata_t *meta = &context->model->metadata;
  if (index < 0 || index >= meta->num_inputs)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_set_input: input index %d is out "
                           "of range (the model has %d inputs)",
                           (int)index, (int)meta->num_inputs);
  /* A failed call leaves the input unset rather than bound to stale data. */
  input_binding_t *binding = &context->inputs[index];
  binding->bound = 0;
  tessera_status_t status =
      check_input(&meta->inputs[index], data, dims, rank, dtype);
  if (status != TESSERA_OK)
    return status;
  binding->data = data;
  for (int32_t i = 0; i < rank; ++i)
    binding->dims[i] = dims[i];
  binding->bound = 1;
  return TESSERA_OK;
}

/* Checks that inputs sharing a named dimension agree on its value. */
static tessera_status_t check_symbols(const tessera_context_t *context) {
  const tessera_rt_metadata_t *meta = &context->model->metadata;
  for (int32_t i = 0; i < meta->num_inputs; ++i) {
    const tessera_rt_tensor_t *tensor = &meta->inputs[i];
    for (int32_t d = 0; d < tensor->rank; ++d) {
      const char *symbol = tensor->dim_names[d];
      if (!symbol)
        continue;
      int64_t value = context->inputs[i].dims[d];
      /* Compare with the symbol's first occurrence. */
      for (int32_t j = 0; j <= i; ++j) {
        const tessera_rt_tensor_t *first = &meta->inputs[j];
        int32_t end = j < i ? first->rank : d;
        int32_t e = 0;
        while (e < end &&
               !(first->dim_names[e] && strcmp(first->dim_names[e], symbol) == 0))
          ++e;
        if (e == end)
          continue;
        int64_t first_value = context->inputs[j].dims[e];
        if (first_value != value)
          return tessera_rt_fail(TESSERA_ERROR_SHAPE_MISMATCH,
                                 "symbolic dimension '%s' is %lld in input "
                                 "'%s' but %lld in input '%s'",
                                 symbol, (long long)first_value, first->name,
                                 (long long)value, tensor->name);
        break;
      }
    }
  }
  return TESSERA_OK;
}

static void write_descriptor(int64_t *descriptor, const void *data,
                             int32_t rank, const int64_t *sizes) {
  descriptor[0] = pointer_word(data);
  descriptor[1] = pointer_word(data);
  descriptor[2] = 0;
  int64_t stride = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    descriptor[3 + i] = sizes[i];
    descriptor[3 + rank + i] = stride;
    stride *= sizes[i] > 0 ? sizes[i] : 1;
  }
}

/* The output blocks the entry returned, checked for being their own: a block
 * that is (part of) an input, the weights or the arena must not be freed. */
static tessera_status_t take_output_blocks(tessera_context_t *context) {
  const tessera_model_t *model = context->model;
  const tessera_rt_metadata_t *meta = &model->metadata;
  tessera_status_t status = TESSERA_OK;
  const int64_t *descriptor = context->results;
  for (int32_t i = 0; i < meta->num_outputs; ++i) {
    const tessera_rt_tensor_t *tensor = &meta->outputs[i];
    void *block = word_pointer(descriptor[0]);
    descriptor += descriptor_words(tensor->rank);
    context->output_blocks[i] = block;
    if (!block)
      continue;
    const char *owner = NULL;
    if (points_into(block, context->arena, context->arena_size))
      owner = "the arena";
    else if (points_into(block, model->weights.data,
                         (size_t)meta->weights_bytes))
      owner = "the weights";
    for (int32_t j = 0; j < meta->num_inputs && !owner; ++j) {
      const input_binding_t *input = &context->inputs[j];
      int64_t count = element_count(meta->inputs[j].rank, input->dims, 0);
      if (input->data &&
          points_into(block, input->data,
                      (size_t)count * meta->inputs[j].elem_size))
        owner = meta->inputs[j].name;
    }
    for (int32_t j = 0; j < i && !owner; ++j)
      if (context->output_blocks[j] == block)
        owner = meta->outputs[j].name;
    if (owner) {
      context->output_blocks[i] = NULL;
      if (status == TESSERA_OK)
        status = tessera_rt_fail(TESSERA_ERROR_INTERNAL,
                                 "output '%s': the package returned memory "
                                 "of '%s' instead of an allocation of its own",
                                 tensor->name, owner);
    }
  }
  return status;
}

/* Checks each returned descriptor against the signature and records the
 * outputs. */
static tessera_status_t collect_outputs(tessera_context_t *context) {
  const tessera_rt_metadata_t *meta = &context->model->metadata;
  tessera_status_t status = take_output_blocks(context);
  const int64_t *descriptor = context->results;
  for (int32_t i = 0; i < meta->num_outputs && status == TESSERA_OK; ++i) {
    const tessera_rt_tensor_t *tensor = &meta->outputs[i];
    int32_t rank = tensor->rank;
    const char *name = tensor->name;
    char *aligned = word_pointer(descriptor[1]);
    int64_t offset = descriptor[2];
    const int64_t *sizes = descriptor + 3;
    const int64_t *strides = descriptor + 3 + rank;
    descriptor += descriptor_words(rank);

    for (int32_t d = 0; d < rank && status == TESSERA_OK; ++d) {
      if (sizes[d] < 0)
        status = tessera_rt_fail(TESSERA_ERROR_INTERNAL,
                                 "output '%s': the package returned dimension "
                                 "%d as %lld",
                                 name, (int)d, (long long)sizes[d]);
      else if (tensor->dims[d] >= 0 && sizes[d] != tensor->dims[d])
        status = tessera_rt_fail(TESSERA_ERROR_INTERNAL,
                                 "output '%s': the package returned dimension "
                                 "%d as %lld, but the signature says %lld",
                                 name, (int)d, (long long)sizes[d],
                                 (long long)tensor->dims[d]);
    }
    if (status != TESSERA_OK)
      break;
    int64_t count = element_count(rank, sizes, tensor->elem_size);
    if (count < 0) {
      status = tessera_rt_fail(TESSERA_ERROR_INTERNAL,
                               "output '%s': the package returned a shape "
                               "with too many elements",
                               name);
      break;
    }
    if (offset < 0 ||
        offset > PTRDIFF_MAX / (int64_t)tensor->elem_size - count) {
      status = tessera_rt_fail(TESSERA_ERROR_INTERNAL,
                               "output '%s': the package returned offset %lld",
                               name, (long long)offset);
      break;
    }
    if (count > 0) {
      if (!aligned || !context->output_blocks[i]) {
        status = tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY,
                                 "output '%s': no memory for %lld elements",
                                 name, (long long)count);
        break;
      }
      int64_t stride = 1;
      for (int32_t d = rank - 1; d >= 0 && status == TESSERA_OK; --d) {
        if (sizes[d] != 1 && strides[d] != stride)
          status = tessera_rt_fail(TESSERA_ERROR_INTERNAL,
                                   "output '%s': the package returned stride "
                                   "%lld for dimension %d; a dense row-major "
                                   "layout has %lld",
                                   name, (long long)strides[d], (int)d,
                                   (long long)stride);
        stride *= sizes[d];
      }
      if (status != TESSERA_OK)
        break;
    }

    tessera_tensor_t *output = &context->outputs[i];
    memset(output, 0, sizeof(*output));
    output->data =
        aligned ? aligned + offset * (int64_t)tensor->elem_size : NULL;
    output->dtype = tensor->dtype;
    output->rank = rank;
    for (int32_t d = 0; d < rank; ++d)
      output->dims[d] = sizes[d];
  }
  if (status != TESSERA_OK) {
    release_outputs(context);
    return status;
  }
  context->has_outputs = 1;
  return TESSERA_OK;
}

TESSERA_EXPORT tessera_status_t tessera_context_run(tessera_context_t *context) {
  if (!context)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_run: context is null");
  const tessera_model_t *model = context->model;
  const tessera_rt_metadata_t *meta = &model->metadata;
  for (int32_t i = 0; i < meta->num_inputs; ++i)
    if (!context->inputs[i].bound)
      return tessera_rt_fail(TESSERA_ERROR_MISSING_INPUT,
                             "input '%s' (index %d) is not set",
                             meta->inputs[i].name, (int)i);
  tessera_status_t status = check_symbols(context);
  if (status != TESSERA_OK)
    return status;

  recycle_outputs(context);

  int64_t weights_size = meta->weights_bytes;
  int64_t arena_size = meta->arena_bytes;
  write_descriptor(context->args[1], model->weights.data, 1, &weights_size);
  write_descriptor(context->args[2], context->arena, 1, &arena_size);
  for (int32_t i = 0; i < meta->num_inputs; ++i) {
    const input_binding_t *input = &context->inputs[i];
    write_descriptor(context->args[3 + i],
                     input->data ? input->data : empty_input,
                     meta->inputs[i].rank, input->dims);
  }
  int64_t result_words = 0;
  for (int32_t i = 0; i < meta->num_outputs; ++i)
    result_words += descriptor_words(meta->outputs[i].rank);
  memset(context->results, 0, (size_t)result_words * sizeof(int64_t));

  if (tessera_thread_pool_size(context->pool) != context->num_threads) {
    /* A pool that cannot be started leaves the run serial, not failed. */
    tessera_thread_pool_destroy(context->pool);
    context->pool = tessera_thread_pool_create(context->num_threads);
  }
  tessera_thread_pool_t *previous = tessera_thread_pool_enter(context->pool);
  tessera_context_t *outer = running_context;
  running_context = context;
  tessera_rt_profile_t *outer_profile =
      tessera_rt_profile_enter(context->profiling ? &context->profile : NULL);
  tessera_package_entry(context->args);
  tessera_rt_profile_leave(outer_profile);
  running_context = outer;
  tessera_thread_pool_enter(previous);
  free_reusable_blocks(context);
  return collect_outputs(context);
}

TESSERA_EXPORT tessera_status_t
tessera_context_get_output(const tessera_context_t *context, int32_t index,
                           tessera_tensor_t *output) {
  if (!context)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_get_output: context is null");
  if (!output)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_get_output: output is null");
  const tessera_rt_metadata_t *meta = &context->model->metadata;
  if (index < 0 || index >= meta->num_outputs)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_context_get_output: output index %d is "
                           "out of range (the model has %d outputs)",
                           (int)index, (int)meta->num_outputs);
  if (!context->has_outputs)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "output '%s': the context holds no outputs (it "
                           "has not run, or its last run failed)",
                           meta->outputs[index].name);
  *output = context->outputs[index];
  return TESSERA_OK;
}
