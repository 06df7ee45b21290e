/*===- runtime_test.c - tests of the package runtime's C API ----------------===*\
 *
 *   tessera-runtime-test PACKAGE_DIR SCRATCH_DIR
 *
 * Exercises lib/Runtime through the fake packages of fake_package.c:
 *  - libtessera_fake_package.so (embedded weights), linked to this program;
 *  - libtessera_fake_package_external.so (weights in fake.weights), copied to
 *    SCRATCH_DIR with the weights files the tests write, and dlopen()ed;
 *  - libtessera_fake_package_metadata.so, whose metadata text the test
 *    replaces, to test the metadata parser; also dlopen()ed.
 * Each package carries its own copy of the runtime, so this also checks that
 * two packages in one process keep to themselves.
 *
 * Prints every failed check to stderr and exits with 1 if any failed.
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "tessera/Runtime/tessera_runtime.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*===--- The API of one package ---------------------------------------------===*/

#define API_FUNCTIONS(X)                                                       \
  X(abi_version)                                                               \
  X(last_error)                                                                \
  X(model_load)                                                                \
  X(model_free)                                                                \
  X(model_name)                                                                \
  X(model_num_inputs)                                                          \
  X(model_num_outputs)                                                         \
  X(model_input_info)                                                          \
  X(model_output_info)                                                         \
  X(model_input_index)                                                         \
  X(model_output_index)                                                        \
  X(model_arena_bytes)                                                         \
  X(model_num_kernels)                                                         \
  X(model_kernel_info)                                                         \
  X(context_create)                                                            \
  X(context_free)                                                              \
  X(context_set_num_threads)                                                   \
  X(context_set_input)                                                         \
  X(context_run)                                                               \
  X(context_get_output)                                                        \
  X(context_set_profiling)                                                     \
  X(context_get_profile)

typedef struct api {
  const char *label;
  void *handle;
#define DECLARE(fn) __typeof__(&tessera_##fn) fn;
  API_FUNCTIONS(DECLARE)
#undef DECLARE
  int (*set_metadata)(const char *text); /* the metadata variant only */
} api_t;

static void link_api(api_t *api) {
  memset(api, 0, sizeof(*api));
  api->label = "embedded";
#define LINK(fn) api->fn = tessera_##fn;
  API_FUNCTIONS(LINK)
#undef LINK
}

static int open_api(api_t *api, const char *label, const char *path) {
  memset(api, 0, sizeof(*api));
  api->label = label;
  api->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!api->handle) {
    fprintf(stderr, "FAILED: cannot dlopen %s: %s\n", path, dlerror());
    return 0;
  }
  void *symbol;
#define RESOLVE(fn)                                                            \
  symbol = dlsym(api->handle, "tessera_" #fn);                                 \
  if (!symbol) {                                                               \
    fprintf(stderr, "FAILED: %s lacks tessera_" #fn "\n", path);               \
    return 0;                                                                  \
  }                                                                            \
  memcpy(&api->fn, &symbol, sizeof(symbol));
  API_FUNCTIONS(RESOLVE)
#undef RESOLVE
  symbol = dlsym(api->handle, "tessera_fake_set_metadata");
  if (symbol)
    memcpy(&api->set_metadata, &symbol, sizeof(symbol));
  return 1;
}

/*===--- Checks -------------------------------------------------------------===*/

static int num_checks, num_failures;
static const api_t *current; /* whose last error to show */

static int check_impl(int ok, int line, const char *text) {
  ++num_checks;
  if (!ok) {
    ++num_failures;
    fprintf(stderr, "FAILED [%s] runtime_test.c:%d: %s\n  last error: %s\n",
            current ? current->label : "-", line, text,
            current && current->last_error ? current->last_error() : "-");
  }
  return ok;
}

static const char *status_name(tessera_status_t status) {
  switch (status) {
  case TESSERA_OK: return "OK";
  case TESSERA_ERROR_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
  case TESSERA_ERROR_SHAPE_MISMATCH: return "SHAPE_MISMATCH";
  case TESSERA_ERROR_DTYPE_MISMATCH: return "DTYPE_MISMATCH";
  case TESSERA_ERROR_MISSING_INPUT: return "MISSING_INPUT";
  case TESSERA_ERROR_IO: return "IO";
  case TESSERA_ERROR_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
  case TESSERA_ERROR_ABI_MISMATCH: return "ABI_MISMATCH";
  case TESSERA_ERROR_INTERNAL: return "INTERNAL";
  }
  return "(unknown status)";
}

static int check_status_impl(tessera_status_t got, tessera_status_t expected,
                             int line, const char *text) {
  char message[1024];
  snprintf(message, sizeof(message), "%s returned %s, expected %s", text,
           status_name(got), status_name(expected));
  return check_impl(got == expected, line, message);
}

static int check_error_impl(const char *substring, int line) {
  const char *error = current->last_error ? current->last_error() : NULL;
  char message[1024];
  snprintf(message, sizeof(message),
           "the last error should contain \"%s\"", substring);
  return check_impl(error && strstr(error, substring) != NULL, line, message);
}

#define CHECK(cond) check_impl((cond) != 0, __LINE__, #cond)
#define CHECK_STATUS(call, expected)                                           \
  check_status_impl((call), (expected), __LINE__, #call)
#define CHECK_OK(call) CHECK_STATUS(call, TESSERA_OK)
/* A call that must fail with `expected` and an error containing `text`. */
#define CHECK_FAILS(call, expected, text)                                      \
  do {                                                                         \
    if (CHECK_STATUS(call, expected))                                          \
      check_error_impl(text, __LINE__);                                        \
  } while (0)
#define CHECK_STR(got, expected)                                               \
  do {                                                                         \
    const char *got_ = (got);                                                  \
    char message_[512];                                                        \
    snprintf(message_, sizeof(message_), "%s is \"%s\", expected \"%s\"",      \
             #got, got_ ? got_ : "(null)", expected);                          \
    check_impl(got_ && strcmp(got_, expected) == 0, __LINE__, message_);       \
  } while (0)

/*===--- Running the fake model ---------------------------------------------===*/

static const float embedded_weights[3] = {100, 200, 300};

/* Binds x, y and bias for `batch` rows (derived from `seed`), runs, and
 * checks both outputs. Returns 1 if all is well, else 0 with `why` set. Safe
 * to call from several threads on different contexts. */
static int run_fake(const api_t *api, tessera_context_t *context, int64_t batch,
                    float seed, const float weights[3], char *why,
                    size_t why_size) {
  size_t n = (size_t)batch * 3;
  float *x = batch ? malloc(n * sizeof(float)) : NULL;
  float *y = batch ? malloc(n * sizeof(float)) : NULL;
  const float bias[3] = {1, 2, 3};
  for (size_t i = 0; i < n; ++i) {
    x[i] = seed + (float)i;
    y[i] = 2 * seed - 0.5f * (float)i;
  }
  int64_t dims[2] = {batch, 3};
  int64_t bias_dims[1] = {3};
  int ok = 0;
  tessera_tensor_t sum, count;
  tessera_status_t status;
  if ((status = api->context_set_input(context, 0, x, dims, 2,
                                       TESSERA_DTYPE_FLOAT32)) ||
      (status = api->context_set_input(context, 1, y, dims, 2,
                                       TESSERA_DTYPE_FLOAT32)) ||
      (status = api->context_set_input(context, 2, bias, bias_dims, 1,
                                       TESSERA_DTYPE_FLOAT32)) ||
      (status = api->context_run(context)) ||
      (status = api->context_get_output(context, 0, &sum)) ||
      (status = api->context_get_output(context, 1, &count))) {
    snprintf(why, why_size, "batch %lld: %s: %s", (long long)batch,
             status_name(status), api->last_error());
    goto done;
  }
  if (sum.dtype != TESSERA_DTYPE_FLOAT32 || sum.rank != 2 ||
      sum.dims[0] != batch || sum.dims[1] != 3) {
    snprintf(why, why_size, "batch %lld: output 'sum' has the wrong type",
             (long long)batch);
    goto done;
  }
  if (count.dtype != TESSERA_DTYPE_INT64 || count.rank != 1 ||
      count.dims[0] != 1 || *(const int64_t *)count.data != batch) {
    snprintf(why, why_size,
             "batch %lld: output 'count' is wrong (-1: the fake package saw "
             "a contract violation)",
             (long long)batch);
    goto done;
  }
  const float *values = sum.data;
  for (size_t i = 0; i < n; ++i) {
    float expected = x[i] + y[i] + bias[i % 3] + weights[i % 3];
    float error = values[i] - expected;
    if (error > 1e-3f || error < -1e-3f) {
      snprintf(why, why_size, "batch %lld: sum[%zu] is %g, expected %g",
               (long long)batch, i, (double)values[i], (double)expected);
      goto done;
    }
  }
  ok = 1;
done:
  free(x);
  free(y);
  return ok;
}

#define CHECK_RUN(api, context, batch, seed, weights)                          \
  do {                                                                         \
    char why_[1024] = "";                                                      \
    int ok_ = run_fake(api, context, batch, seed, weights, why_,               \
                       sizeof(why_));                                          \
    char message_[1100];                                                       \
    snprintf(message_, sizeof(message_), "run: %s", why_);                     \
    check_impl(ok_, __LINE__, message_);                                       \
  } while (0)

/* Binds the fake's x and y to `count` rows of `rows`, runs, and returns
 * the data of its output `sum`; NULL if a call failed. */
static const void *run_on_rows(const api_t *api, tessera_context_t *context,
                               const float *rows, int64_t count) {
  const int64_t dims[2] = {count, 3};
  tessera_tensor_t output;
  if (CHECK_OK(api->context_set_input(context, 0, rows, dims, 2,
                                      TESSERA_DTYPE_FLOAT32)) &&
      CHECK_OK(api->context_set_input(context, 1, rows, dims, 2,
                                      TESSERA_DTYPE_FLOAT32)) &&
      CHECK_OK(api->context_run(context)) &&
      CHECK_OK(api->context_get_output(context, 0, &output)))
    return output.data;
  return NULL;
}

/*===--- Files --------------------------------------------------------------===*/

static char *join(const char *dir, const char *name) {
  size_t length = strlen(dir) + strlen(name) + 2;
  char *path = malloc(length);
  snprintf(path, length, "%s/%s", dir, name);
  return path;
}

static int write_file(const char *path, const void *data, size_t size) {
  FILE *file = fopen(path, "wb");
  if (!file)
    return 0;
  int ok = fwrite(data, 1, size, file) == size;
  return fclose(file) == 0 && ok;
}

static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in)
    return 0;
  FILE *out = fopen(to, "wb");
  if (!out) {
    fclose(in);
    return 0;
  }
  char buffer[1 << 16];
  size_t n;
  int ok = 1;
  while ((n = fread(buffer, 1, sizeof(buffer), in)) > 0)
    ok &= fwrite(buffer, 1, n, out) == n;
  ok &= !ferror(in);
  fclose(in);
  return (fclose(out) == 0) && ok;
}

/*===--- The embedded package -----------------------------------------------===*/

static void test_signature(const api_t *api, const tessera_model_t *model) {
  CHECK_STR(api->model_name(model), "fake");
  CHECK(api->model_num_inputs(model) == 3);
  CHECK(api->model_num_outputs(model) == 2);
  CHECK(api->model_arena_bytes(model) == 100);

  tessera_tensor_info_t info;
  if (CHECK_OK(api->model_input_info(model, 0, &info))) {
    CHECK_STR(info.name, "x");
    CHECK(info.dtype == TESSERA_DTYPE_FLOAT32);
    CHECK(info.rank == 2);
    CHECK(info.dims[0] == -1 && info.dims[1] == 3);
    CHECK_STR(info.dim_names[0], "batch");
    CHECK(info.dim_names[1] == NULL);
  }
  if (CHECK_OK(api->model_input_info(model, 2, &info))) {
    CHECK_STR(info.name, "bias term");
    CHECK(info.rank == 1 && info.dims[0] == 3 && info.dim_names[0] == NULL);
  }
  if (CHECK_OK(api->model_output_info(model, 0, &info))) {
    CHECK_STR(info.name, "sum");
    CHECK(info.dtype == TESSERA_DTYPE_FLOAT32 && info.rank == 2);
    CHECK(info.dims[0] == -1 && info.dims[1] == 3);
    CHECK_STR(info.dim_names[0], "batch");
  }
  if (CHECK_OK(api->model_output_info(model, 1, &info))) {
    CHECK_STR(info.name, "count");
    CHECK(info.dtype == TESSERA_DTYPE_INT64 && info.rank == 1);
    CHECK(info.dims[0] == 1 && info.dim_names[0] == NULL);
  }
  CHECK_FAILS(api->model_input_info(model, 3, &info),
              TESSERA_ERROR_INVALID_ARGUMENT, "index 3");
  CHECK_FAILS(api->model_input_info(model, -1, &info),
              TESSERA_ERROR_INVALID_ARGUMENT, "index -1");
  CHECK_FAILS(api->model_output_info(model, 2, &info),
              TESSERA_ERROR_INVALID_ARGUMENT, "index 2");
  CHECK_FAILS(api->model_input_info(model, 0, NULL),
              TESSERA_ERROR_INVALID_ARGUMENT, "info is null");
  CHECK_FAILS(api->model_input_info(NULL, 0, &info),
              TESSERA_ERROR_INVALID_ARGUMENT, "model is null");
  CHECK_FAILS(api->model_output_info(NULL, 0, &info),
              TESSERA_ERROR_INVALID_ARGUMENT, "model is null");

  CHECK(api->model_input_index(model, "x") == 0);
  CHECK(api->model_input_index(model, "y") == 1);
  CHECK(api->model_input_index(model, "bias term") == 2);
  CHECK(api->model_input_index(model, "bias%20term") == -1);
  CHECK(api->model_input_index(model, "sum") == -1);
  check_error_impl("no input 'sum'", __LINE__);
  CHECK(api->model_input_index(model, NULL) == -1);
  CHECK(api->model_input_index(NULL, "x") == -1);
  CHECK(api->model_output_index(model, "sum") == 0);
  CHECK(api->model_output_index(model, "count") == 1);
  CHECK(api->model_output_index(model, "x") == -1);

  CHECK(api->model_name(NULL) == NULL);
  CHECK(api->model_num_inputs(NULL) == -1);
  CHECK(api->model_num_outputs(NULL) == -1);
  CHECK(api->model_arena_bytes(NULL) == -1);
  check_error_impl("model is null", __LINE__);
}

static void test_set_input_errors(const api_t *api, tessera_context_t *context) {
  float data[4 * 5] = {0};
  int64_t good[2] = {2, 3};
  const tessera_dtype_t f32 = TESSERA_DTYPE_FLOAT32;

  CHECK_FAILS(api->context_set_input(NULL, 0, data, good, 2, f32),
              TESSERA_ERROR_INVALID_ARGUMENT, "context is null");
  CHECK_FAILS(api->context_set_input(context, 3, data, good, 2, f32),
              TESSERA_ERROR_INVALID_ARGUMENT, "index 3");
  CHECK_FAILS(api->context_set_input(context, -1, data, good, 2, f32),
              TESSERA_ERROR_INVALID_ARGUMENT, "index -1");
  CHECK_FAILS(api->context_set_input(context, 0, data, NULL, 2, f32),
              TESSERA_ERROR_INVALID_ARGUMENT, "input 'x': dims is null");
  CHECK_FAILS(api->context_set_input(context, 0, NULL, good, 2, f32),
              TESSERA_ERROR_INVALID_ARGUMENT, "input 'x': data is null");
  CHECK_FAILS(api->context_set_input(context, 0, data, good, 2,
                                     TESSERA_DTYPE_INT64),
              TESSERA_ERROR_DTYPE_MISMATCH,
              "input 'x': expected float32, got int64");
  CHECK_FAILS(api->context_set_input(context, 1, data, good, 2,
                                     (tessera_dtype_t)99),
              TESSERA_ERROR_DTYPE_MISMATCH, "input 'y': expected float32");
  int64_t rank3[3] = {1, 2, 3};
  CHECK_FAILS(api->context_set_input(context, 0, data, rank3, 3, f32),
              TESSERA_ERROR_SHAPE_MISMATCH, "input 'x': rank 3, expected 2");
  CHECK_FAILS(api->context_set_input(context, 0, data, rank3, -1, f32),
              TESSERA_ERROR_SHAPE_MISMATCH, "input 'x': rank -1, expected 2");
  int64_t wide[2] = {4, 5};
  CHECK_FAILS(api->context_set_input(context, 0, data, wide, 2, f32),
              TESSERA_ERROR_SHAPE_MISMATCH,
              "input 'x': dimension 1 is 5, expected 3");
  int64_t negative[2] = {-2, 3};
  CHECK_FAILS(api->context_set_input(context, 1, data, negative, 2, f32),
              TESSERA_ERROR_SHAPE_MISMATCH,
              "input 'y': dimension 0 is -2, which is negative");
  int64_t huge[2] = {INT64_MAX / 2, 3};
  CHECK_FAILS(api->context_set_input(context, 1, data, huge, 2, f32),
              TESSERA_ERROR_SHAPE_MISMATCH, "input 'y': the shape has too many");
  int64_t bias4[1] = {4};
  CHECK_FAILS(api->context_set_input(context, 2, data, bias4, 1, f32),
              TESSERA_ERROR_SHAPE_MISMATCH,
              "input 'bias term': dimension 0 is 4, expected 3");
  CHECK_FAILS(api->context_set_input(context, 2, data, bias4, 1,
                                     TESSERA_DTYPE_FLOAT64),
              TESSERA_ERROR_DTYPE_MISMATCH,
              "input 'bias term': expected float32, got float64");
  /* Zero elements: data may be null. */
  int64_t empty[2] = {0, 3};
  CHECK_OK(api->context_set_input(context, 0, NULL, empty, 2, f32));
}

/* The fake's two kernels and its runs' profile. */
static void test_profile(const api_t *api, const tessera_model_t *model,
                         tessera_context_t *context) {
  CHECK(api->model_num_kernels(model) == 2);
  CHECK(api->model_num_kernels(NULL) == -1);
  tessera_kernel_info_t info;
  if (CHECK_OK(api->model_kernel_info(model, 0, &info))) {
    CHECK_STR(info.kind, "sum_rows");
    CHECK_STR(info.node, "/sum rows");
  }
  if (CHECK_OK(api->model_kernel_info(model, 1, &info))) {
    CHECK_STR(info.kind, "loops");
    CHECK_STR(info.node, "");
  }
  CHECK_FAILS(api->model_kernel_info(model, 2, &info),
              TESSERA_ERROR_INVALID_ARGUMENT, "kernel index 2 is out of range");
  CHECK_FAILS(api->model_kernel_info(model, 0, NULL),
              TESSERA_ERROR_INVALID_ARGUMENT, "info is null");
  CHECK_FAILS(api->context_set_profiling(NULL, 1),
              TESSERA_ERROR_INVALID_ARGUMENT, "context is null");
  tessera_profile_t profile;
  CHECK_FAILS(api->context_get_profile(context, NULL),
              TESSERA_ERROR_INVALID_ARGUMENT, "profile is null");

  /* Off by default: runs count nothing. */
  const float rows[6 * 100] = {0};
  run_on_rows(api, context, rows, 2);
  if (CHECK_OK(api->context_get_profile(context, &profile)))
    CHECK(profile.runs == 0 && profile.run_ns == 0 &&
          profile.num_kernels == 2 && profile.kernel_ns[0] == 0 &&
          profile.kernel_ns[1] == 0);

  /* On one thread, 100 rows make the sum wait 20 ms for a second one
   * (sum_rows), so kernel 0 takes at least that in each run; both kernels
   * fit in the run. */
  CHECK_OK(api->context_set_num_threads(context, 1));
  CHECK_OK(api->context_set_profiling(context, 1));
  run_on_rows(api, context, rows, 100);
  run_on_rows(api, context, rows, 100);
  if (CHECK_OK(api->context_get_profile(context, &profile))) {
    CHECK(profile.runs == 2);
    CHECK(profile.kernel_ns[0] >= 2 * 20000000);
    CHECK(profile.kernel_ns[1] > 0); /* it allocates and writes */
    CHECK(profile.kernel_ns[0] + profile.kernel_ns[1] <= profile.run_ns);
  }
  /* Setting it again, on or off, starts the counters from zero. */
  CHECK_OK(api->context_set_profiling(context, 0));
  run_on_rows(api, context, rows, 2);
  if (CHECK_OK(api->context_get_profile(context, &profile)))
    CHECK(profile.runs == 0 && profile.run_ns == 0 &&
          profile.kernel_ns[0] == 0);
}

static void test_embedded(void) {
  api_t api;
  link_api(&api);
  current = &api;

  CHECK(api.abi_version() == TESSERA_ABI_VERSION);
  CHECK_STR(api.last_error(), "");

  tessera_model_t *model = (tessera_model_t *)&api; /* must be reset */
  CHECK_FAILS(api.model_load(TESSERA_ABI_VERSION + 1, NULL, &model),
              TESSERA_ERROR_ABI_MISMATCH, "ABI version 3");
  check_error_impl("version 2", __LINE__);
  CHECK(model == NULL);
  CHECK_FAILS(api.model_load(TESSERA_ABI_VERSION, NULL, NULL),
              TESSERA_ERROR_INVALID_ARGUMENT, "model is null");

  /* weights_path is ignored for embedded weights. */
  if (!CHECK_OK(api.model_load(TESSERA_ABI_VERSION, "/nonexistent", &model)))
    return;
  test_signature(&api, model);

  tessera_context_t *context = (tessera_context_t *)&api;
  CHECK_FAILS(api.context_create(NULL, &context),
              TESSERA_ERROR_INVALID_ARGUMENT, "model is null");
  CHECK(context == NULL);
  CHECK_FAILS(api.context_create(model, NULL), TESSERA_ERROR_INVALID_ARGUMENT,
              "context is null");
  if (!CHECK_OK(api.context_create(model, &context))) {
    api.model_free(model);
    return;
  }

  CHECK_FAILS(api.context_set_num_threads(NULL, 1),
              TESSERA_ERROR_INVALID_ARGUMENT, "context is null");
  CHECK_FAILS(api.context_set_num_threads(context, -1),
              TESSERA_ERROR_INVALID_ARGUMENT, "-1 threads");
  CHECK_OK(api.context_set_num_threads(context, 4));
  setenv("TESSERA_NUM_THREADS", "3", 1);
  CHECK_OK(api.context_set_num_threads(context, 0));
  setenv("TESSERA_NUM_THREADS", "lots", 1);
  CHECK_OK(api.context_set_num_threads(context, 0));
  unsetenv("TESSERA_NUM_THREADS");
  CHECK_OK(api.context_set_num_threads(context, 0));

  tessera_tensor_t output;
  CHECK_FAILS(api.context_get_output(context, 0, &output),
              TESSERA_ERROR_INVALID_ARGUMENT, "holds no outputs");
  CHECK_FAILS(api.context_run(NULL), TESSERA_ERROR_INVALID_ARGUMENT,
              "context is null");
  CHECK_FAILS(api.context_run(context), TESSERA_ERROR_MISSING_INPUT,
              "input 'x'");

  test_set_input_errors(&api, context);
  /* x is bound (with zero rows); y and the bias are not. */
  CHECK_FAILS(api.context_run(context), TESSERA_ERROR_MISSING_INPUT,
              "input 'y'");

  /* A failed set_input unbinds. */
  float x[2 * 3] = {0}, y[3 * 3] = {0}, bias[3] = {0};
  int64_t two[2] = {2, 3}, three[2] = {3, 3}, bias_dims[1] = {3};
  const tessera_dtype_t f32 = TESSERA_DTYPE_FLOAT32;
  CHECK_OK(api.context_set_input(context, 0, x, two, 2, f32));
  CHECK_OK(api.context_set_input(context, 1, y, three, 2, f32));
  CHECK_OK(api.context_set_input(context, 2, bias, bias_dims, 1, f32));
  CHECK_FAILS(api.context_run(context), TESSERA_ERROR_SHAPE_MISMATCH,
              "symbolic dimension 'batch' is 2 in input 'x' but 3 in input "
              "'y'");
  CHECK_FAILS(api.context_set_input(context, 2, bias, two, 2, f32),
              TESSERA_ERROR_SHAPE_MISMATCH, "input 'bias term'");
  CHECK_FAILS(api.context_run(context), TESSERA_ERROR_MISSING_INPUT,
              "input 'bias term'");

  /* A run allocates its outputs in the last run's output blocks where
   * they fit (glibc's malloc would not return a block from another size
   * class); an output bound as an input of the next run is kept for as
   * long as it is bound. */
  float rows4[4 * 3], previous[3 * 3];
  for (int i = 0; i < 4 * 3; ++i)
    rows4[i] = (float)i;
  CHECK_OK(api.context_set_input(context, 2, bias, bias_dims, 1, f32));
  const void *block = run_on_rows(&api, context, rows4, 4);
  const void *reused = run_on_rows(&api, context, rows4, 3);
  CHECK(block && reused == block);
  if (reused) {
    memcpy(previous, reused, sizeof(previous));
    CHECK_OK(api.context_set_input(context, 0, reused, three, 2, f32));
    /* Twice: the binding, not the run, decides how long it is kept. */
    for (int run = 0; run < 2; ++run)
      if (CHECK_OK(api.context_run(context)) &&
          CHECK_OK(api.context_get_output(context, 0, &output))) {
        CHECK(output.data != block);
        const float *sum = output.data;
        for (int i = 0; i < 3 * 3; ++i)
          CHECK(sum[i] == previous[i] + rows4[i] + embedded_weights[i % 3]);
      }
  }
  /* A block more than a quarter and 4 KiB larger than the output is not
   * taken. */
  static float rows1000[1000 * 3];
  block = run_on_rows(&api, context, rows1000, 1000);
  const void *small = run_on_rows(&api, context, rows1000, 1);
  CHECK(block && small && small != block);

  /* Runs; the context is reused, with different batch sizes. */
  CHECK_RUN(&api, context, 1, 0.5f, embedded_weights);
  CHECK_RUN(&api, context, 4, -3.0f, embedded_weights);
  CHECK_RUN(&api, context, 4, 7.0f, embedded_weights);
  CHECK_RUN(&api, context, 0, 1.0f, embedded_weights);
  CHECK_RUN(&api, context, 1, 2.0f, embedded_weights);

  /* A run that fails its checks keeps the previous outputs. */
  CHECK_OK(api.context_set_input(context, 0, x, two, 2, f32));
  CHECK_FAILS(api.context_run(context), TESSERA_ERROR_SHAPE_MISMATCH,
              "symbolic dimension 'batch' is 2 in input 'x' but 1 in input "
              "'y'");
  if (CHECK_OK(api.context_get_output(context, 1, &output)))
    CHECK(output.dtype == TESSERA_DTYPE_INT64 &&
          *(const int64_t *)output.data == 1);
  CHECK_FAILS(api.context_get_output(context, 2, &output),
              TESSERA_ERROR_INVALID_ARGUMENT, "index 2");
  CHECK_FAILS(api.context_get_output(context, -1, &output),
              TESSERA_ERROR_INVALID_ARGUMENT, "index -1");
  CHECK_FAILS(api.context_get_output(context, 0, NULL),
              TESSERA_ERROR_INVALID_ARGUMENT, "output is null");
  CHECK_FAILS(api.context_get_output(NULL, 0, &output),
              TESSERA_ERROR_INVALID_ARGUMENT, "context is null");

  /* Two contexts of one model are independent. */
  tessera_context_t *second;
  if (CHECK_OK(api.context_create(model, &second))) {
    CHECK_RUN(&api, second, 3, 1.5f, embedded_weights);
    CHECK_RUN(&api, context, 2, 4.0f, embedded_weights);
    CHECK_RUN(&api, second, 5, 1.5f, embedded_weights);
    api.context_free(second);
  }

  test_profile(&api, model, context);

  api.context_free(context);
  api.context_free(NULL);
  api.model_free(model);
  api.model_free(NULL);
}

/*===--- Threads ------------------------------------------------------------===*/

typedef struct worker {
  const api_t *api;
  const tessera_model_t *model;
  int64_t batch;
  int iterations;
  int error_was_empty; /* tessera_last_error() at the thread's start */
  int ok;
  char why[1024];
} worker_t;

static void *work(void *argument) {
  worker_t *worker = argument;
  worker->error_was_empty = strcmp(worker->api->last_error(), "") == 0;
  tessera_context_t *context;
  if (worker->api->context_create(worker->model, &context) != TESSERA_OK) {
    snprintf(worker->why, sizeof(worker->why), "context_create: %s",
             worker->api->last_error());
    return NULL;
  }
  /* Each context's runs also use its own pool of threads. */
  worker->api->context_set_num_threads(context, 2);
  worker->ok = 1;
  for (int i = 0; i < worker->iterations && worker->ok; ++i)
    worker->ok = run_fake(worker->api, context, worker->batch + i % 3,
                          (float)i, embedded_weights, worker->why,
                          sizeof(worker->why));
  /* An error on this thread leaves the other threads' errors alone. */
  worker->api->context_set_input(context, 7, NULL, NULL, 0,
                                 TESSERA_DTYPE_FLOAT32);
  worker->api->context_free(context);
  return NULL;
}

static void test_threads(void) {
  api_t api;
  link_api(&api);
  api.label = "threads";
  current = &api;
  tessera_model_t *model;
  if (!CHECK_OK(api.model_load(TESSERA_ABI_VERSION, NULL, &model)))
    return;
  api.context_run(NULL); /* sets this thread's error */

  worker_t workers[2] = {{&api, model, 2, 300, 0, 0, ""},
                         {&api, model, 7, 300, 0, 0, ""}};
  pthread_t threads[2];
  int started[2];
  for (int i = 0; i < 2; ++i)
    started[i] = CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
  for (int i = 0; i < 2; ++i) {
    if (!started[i])
      continue;
    pthread_join(threads[i], NULL);
    char message[1200];
    snprintf(message, sizeof(message), "thread %d (batch %lld): %s", i,
             (long long)workers[i].batch, workers[i].why);
    check_impl(workers[i].ok, __LINE__, message);
    CHECK(workers[i].error_was_empty);
  }
  check_error_impl("tessera_context_run: context is null", __LINE__);
  api.model_free(model);
}

/*===--- Parallel runs --------------------------------------------------===*/

int tessera_fake_threads_in_last_run(void);

/* The fake splits its rows with tessera_parallel_for: every row must be
 * computed once, across many runs and thread-count changes, by at most as
 * many threads as the context was given. Threads claim the chunks, so a
 * worker that wakes late may leave its chunk to the others; over 40 runs of
 * 1000 rows, though, the workers must have taken part. */
static void test_parallel_runs(void) {
  api_t api;
  link_api(&api);
  api.label = "parallel";
  current = &api;
  tessera_model_t *model;
  tessera_context_t *context;
  if (!CHECK_OK(api.model_load(TESSERA_ABI_VERSION, NULL, &model)))
    return;
  if (!CHECK_OK(api.context_create(model, &context))) {
    api.model_free(model);
    return;
  }
  const int32_t thread_counts[] = {3, 1, 2, 4};
  const int64_t batches[] = {0, 1, 2, 5, 1000};
  for (size_t t = 0; t < sizeof(thread_counts) / sizeof(*thread_counts); ++t) {
    CHECK_OK(api.context_set_num_threads(context, thread_counts[t]));
    int most = 0;
    for (int round = 0; round < 200; ++round) {
      int64_t batch = batches[round % 5];
      CHECK_RUN(&api, context, batch, (float)round, embedded_weights);
      if (batch == 1000) {
        int took_part = tessera_fake_threads_in_last_run();
        char message[200];
        snprintf(message, sizeof(message),
                 "%d threads took part in a 1000-row run with %d threads",
                 took_part, (int)thread_counts[t]);
        check_impl(took_part >= 1 && took_part <= thread_counts[t], __LINE__,
                   message);
        most = took_part > most ? took_part : most;
      }
    }
    char message[200];
    snprintf(message, sizeof(message),
             "at most %d threads took part in 40 1000-row runs with %d threads",
             most, (int)thread_counts[t]);
    check_impl(thread_counts[t] == 1 || most > 1, __LINE__, message);
  }
  api.context_free(context);
  api.model_free(model);
}

/*===--- External weights ---------------------------------------------------===*/

static void test_external(const char *package_dir, const char *scratch) {
  char *from = join(package_dir, "libtessera_fake_package_external.so");
  char *library = join(scratch, "libtessera_fake_package_external.so");
  char *weights = join(scratch, "fake.weights");
  char *other = join(scratch, "other weights.bin");
  char *missing = join(scratch, "missing.weights");
  api_t api = {.label = "external"};
  current = &api;
  if (!CHECK(copy_file(from, library)) ||
      !open_api(&api, "external", library)) {
    ++num_failures;
    goto done;
  }

  tessera_model_t *model = NULL;
  const float file_weights[3] = {1000, 2000, 3000};
  const float other_weights[3] = {-1, -2, -3};
  const int32_t abi = TESSERA_ABI_VERSION;

  unlink(weights);
  CHECK_FAILS(api.model_load(abi, NULL, &model), TESSERA_ERROR_IO, weights);
  check_error_impl("cannot open", __LINE__);
  CHECK(model == NULL);

  CHECK(write_file(weights, file_weights, 8));
  CHECK_FAILS(api.model_load(abi, NULL, &model), TESSERA_ERROR_IO,
              "is 8 bytes, expected 12");
  check_error_impl(weights, __LINE__);
  float longer[4] = {0};
  CHECK(write_file(weights, longer, sizeof(longer)));
  CHECK_FAILS(api.model_load(abi, NULL, &model), TESSERA_ERROR_IO,
              "is 16 bytes, expected 12");

  unlink(weights);
  CHECK(mkdir(weights, 0755) == 0);
  CHECK_FAILS(api.model_load(abi, NULL, &model), TESSERA_ERROR_IO,
              "not a regular file");
  rmdir(weights);

  CHECK(write_file(weights, file_weights, sizeof(file_weights)));
  if (CHECK_OK(api.model_load(abi, NULL, &model))) {
    CHECK_STR(api.model_name(model), "fake");
    tessera_context_t *context;
    if (CHECK_OK(api.context_create(model, &context))) {
      CHECK_RUN(&api, context, 2, 1.0f, file_weights);
      /* The model keeps what it mapped when the file is replaced. */
      char *replacement = join(scratch, "replacement.weights");
      CHECK(write_file(replacement, other_weights, sizeof(other_weights)));
      CHECK(rename(replacement, weights) == 0);
      free(replacement);
      CHECK_RUN(&api, context, 3, 2.0f, file_weights);
      api.context_free(context);
    }
    api.model_free(model);
  }

  /* weights_path overrides the file next to the package. */
  CHECK(write_file(weights, file_weights, sizeof(file_weights)));
  CHECK(write_file(other, other_weights, sizeof(other_weights)));
  if (CHECK_OK(api.model_load(abi, other, &model))) {
    tessera_context_t *context;
    if (CHECK_OK(api.context_create(model, &context))) {
      CHECK_RUN(&api, context, 2, 1.0f, other_weights);
      api.context_free(context);
    }
    api.model_free(model);
  }
  CHECK_FAILS(api.model_load(abi, missing, &model), TESSERA_ERROR_IO, missing);
  CHECK(model == NULL);
  CHECK(write_file(other, other_weights, 4));
  CHECK_FAILS(api.model_load(abi, other, &model), TESSERA_ERROR_IO,
              "is 4 bytes, expected 12");
  check_error_impl(other, __LINE__);
  CHECK_FAILS(api.model_load(abi + 1, other, &model),
              TESSERA_ERROR_ABI_MISMATCH, "ABI version");

  /* The linked package's runtime was not involved. */
  api_t linked;
  link_api(&linked);
  CHECK(strstr(linked.last_error(), "expected 12") == NULL);

done:
  if (api.handle)
    dlclose(api.handle);
  free(from);
  free(library);
  free(weights);
  free(other);
  free(missing);
}

/*===--- Metadata -----------------------------------------------------------===*/

#define HEADER "tessera-package 1\nname m\narena 0\nweights embedded 0\n"
#define HEADER_1K "tessera-package 1\nname m\narena 0\nweights embedded 1024\n"

/* The fake model's metadata with its outputs replaced by `outputs`. */
#define FAKE_WITH_OUTPUTS(outputs)                                             \
  "tessera-package 1\nname fake\nweights embedded 12\narena 100\n"             \
  "input x float32 2 ?batch 3\ninput y float32 2 ?batch 3\n"                   \
  "input bias%20term float32 1 3\n" outputs

static const struct {
  const char *text;
  const char *error;
} malformed_cases[] = {
    {"", "the text is empty"},
    {"\n", "line 1 (''): empty line"},
    {"tessera-package 2\nname m\narena 0\nweights embedded 0\n",
     "format version 2 is not supported"},
    {"tessera-packages 1\n", "the first line must be"},
    {"name m\ntessera-package 1\n", "line 1 ('name m'): the first line"},
    {"tessera-package 1\narena 0\nweights embedded 0\n", "no 'name' record"},
    {"tessera-package 1\nname m\nweights embedded 0\n", "no 'arena' record"},
    {"tessera-package 1\nname m\narena 0\n", "no 'weights' record"},
    {HEADER "name n\n", "line 5 ('name n'): a second 'name' record"},
    {HEADER "arena 1\n", "a second 'arena' record"},
    {HEADER "weights embedded 0\n", "a second 'weights' record"},
    {HEADER "kernel\n", "line 5 ('kernel'): expected 'kernel KIND [NODE]'"},
    {HEADER "kernel loops a b\n", "expected 'kernel KIND [NODE]'"},
    {HEADER "kernel loops %zz\n", "'%' is not followed by two hex digits"},
    {HEADER "name a b\n", "a second 'name'"},
    {"tessera-package 1\nname a b\n", "expected 'name NAME'"},
    {"tessera-package 1\nname m\narena -1\n", "expected 'arena BYTES'"},
    {"tessera-package 1\nname m\narena 99999999999999999999\n",
     "expected 'arena BYTES'"},
    {"tessera-package 1\nname m\narena 0\nweights inline 0\n",
     "expected 'weights embedded BYTES'"},
    {"tessera-package 1\nname m\narena 0\nweights embedded x\n",
     "weights size 'x' is not a byte count"},
    {"tessera-package 1\nname m\narena 0\nweights external 12\n",
     "expected 'weights embedded BYTES'"},
    {"tessera-package 1\nname m\narena 0\nweights external f%2 12\n",
     "not followed by two hex digits"},
    {HEADER "input x float8 1 3\n", "unknown element type 'float8'"},
    {HEADER "input x float32 17 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n",
     "too many tokens"},
    {HEADER "input x float32 17 1\n", "rank '17' is not an integer in [0, 16]"},
    {HEADER "input x float32 two 1\n", "rank 'two'"},
    {HEADER "input x float32 2 3\n", "rank 2, but 1 dimensions follow"},
    {HEADER "input x float32 1 3 4\n", "rank 1, but 2 dimensions follow"},
    {HEADER "input x float32 1 -3\n", "dimension '-3' is neither"},
    {HEADER "input x float32 1 3x\n", "dimension '3x' is neither"},
    {HEADER "output y float32 1 99999999999999999999\n", "is neither"},
    {HEADER "input x float32\n", "expected 'input NAME DTYPE RANK DIM...'"},
    {HEADER "output y\n", "expected 'output NAME DTYPE RANK DIM...'"},
    {HEADER "input\n", "expected 'input NAME DTYPE RANK DIM...'"},
    {HEADER "input x%G1 float32 1 3\n", "not followed by two hex digits"},
    {HEADER "input x%4 float32 1 3\n", "not followed by two hex digits"},
    {HEADER "input x%00 float32 1 3\n", "%00"},
    {HEADER "input x(y float32 1 3\n", "must be escaped"},
    {HEADER "input x float32 1 ?a%zz\n", "not followed by two hex digits"},
    {HEADER "input  x float32 1 3\n", "empty token"},
    {HEADER "input x float32 1 3 \n", "empty token"},
    {HEADER "\ninput x float32 1 3\n", "line 5 (''): empty line"},
    {HEADER "frobnicate 1\n", "unknown record 'frobnicate'"},
    {HEADER "Input x float32 1 3\n", "unknown record 'Input'"},
    {"tessera-package 1\nname m\narena 0\npacked a 8 0 4 8 4 256\n"
     "weights embedded 1024\n",
     "a 'packed' record before 'weights'"},
    {HEADER_1K "packed c 8 0 4 8 4 256\n", "expected 'packed a|b PANEL"},
    {HEADER_1K "packed a 8 0 4 8 4\n", "expected 'packed a|b PANEL"},
    {HEADER_1K "packed a 0 0 4 8 4 256\n", "expected 'packed a|b PANEL"},
    {HEADER_1K "packed b 8 0 4 8 4 x\n", "expected 'packed a|b PANEL"},
    {HEADER_1K "packed a 8 0 2 8 4 256\n", "a bad shape or alignment"},
    {HEADER_1K "packed a 8 2 4 8 4 256\n", "a bad shape or alignment"},
    {HEADER_1K "packed a 8 0 4 0 4 256\n", "a bad shape or alignment"},
    /* The packed copy (8 x 4 floats) or the source (ends at 960 + 128)
     * past the 1024 bytes. */
    {HEADER_1K "packed a 8 0 4 8 4 900\n", "runs past the weights"},
    {HEADER_1K "packed a 8 960 4 8 4 0\n", "runs past the weights"},
    {HEADER_1K "packed b 64 0 4 8 4 0\n", "runs past the weights"},
    {HEADER_1K "packed b 8 0 4 4611686018427387904 4 0\n",
     "a bad shape or alignment"},
};

static void test_metadata(const char *package_dir, const char *scratch) {
  char *path = join(package_dir, "libtessera_fake_package_metadata.so");
  api_t api = {.label = "metadata"};
  current = &api;
  if (!open_api(&api, "metadata", path) || !CHECK(api.set_metadata)) {
    ++num_failures;
    free(path);
    if (api.handle)
      dlclose(api.handle);
    return;
  }
  free(path);
  const int32_t abi = TESSERA_ABI_VERSION;
  tessera_model_t *model;
  tessera_context_t *context;

  /* Malformed metadata is an internal error naming the problem. */
  for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]);
       ++i) {
    api.label = malformed_cases[i].text;
    model = (tessera_model_t *)&api;
    CHECK(api.set_metadata(malformed_cases[i].text) == 0);
    CHECK_FAILS(api.model_load(abi, NULL, &model), TESSERA_ERROR_INTERNAL,
                "malformed package metadata");
    check_error_impl(malformed_cases[i].error, __LINE__);
    CHECK(model == NULL);
  }
  api.label = "metadata";

  /* Every dtype, rank 0, anonymous and escaped symbols, an unnamed graph,
   * no trailing newline. */
  static const struct {
    const char *name;
    tessera_dtype_t dtype;
  } dtypes[] = {
      {"float32", TESSERA_DTYPE_FLOAT32},   {"float64", TESSERA_DTYPE_FLOAT64},
      {"float16", TESSERA_DTYPE_FLOAT16},   {"bfloat16", TESSERA_DTYPE_BFLOAT16},
      {"int8", TESSERA_DTYPE_INT8},         {"int16", TESSERA_DTYPE_INT16},
      {"int32", TESSERA_DTYPE_INT32},       {"int64", TESSERA_DTYPE_INT64},
      {"uint8", TESSERA_DTYPE_UINT8},       {"uint16", TESSERA_DTYPE_UINT16},
      {"uint32", TESSERA_DTYPE_UINT32},     {"uint64", TESSERA_DTYPE_UINT64},
      {"bool", TESSERA_DTYPE_BOOL},
  };
  enum { NUM_DTYPES = sizeof(dtypes) / sizeof(dtypes[0]) };
  char text[4096];
  int length = snprintf(text, sizeof(text),
                        "tessera-package 1\nname \narena 0\n"
                        "weights external my%%20weights.bin 0\n"
                        "input scalar float64 0\n"
                        "input c bfloat16 2 ?my%%20dim 7\n"
                        "input d uint8 1 ?my%%20dim\n");
  for (int i = 0; i < NUM_DTYPES; ++i)
    length += snprintf(text + length, sizeof(text) - (size_t)length,
                       "input t%d %s 1 ?\n", i, dtypes[i].name);
  snprintf(text + length, sizeof(text) - (size_t)length,
           "output %%25%%3F%%20o%%C3%%A9 bool 3 1 ?z 0");
  CHECK(api.set_metadata(text) == 0);

  /* The weights file is found next to the package; dlopen()ed from
   * package_dir, that is where it is looked for, so name it explicitly. */
  char *weights = join(scratch, "my weights.bin");
  CHECK(write_file(weights, "", 0));
  if (CHECK_OK(api.model_load(abi, weights, &model))) {
    CHECK_STR(api.model_name(model), "");
    CHECK(api.model_num_inputs(model) == 3 + NUM_DTYPES);
    CHECK(api.model_num_outputs(model) == 1);
    CHECK(api.model_arena_bytes(model) == 0);
    tessera_tensor_info_t info;
    if (CHECK_OK(api.model_input_info(model, 0, &info)))
      CHECK(info.rank == 0 && info.dims != NULL && info.dim_names != NULL &&
            info.dtype == TESSERA_DTYPE_FLOAT64);
    if (CHECK_OK(api.model_input_info(model, 1, &info))) {
      CHECK_STR(info.dim_names[0], "my dim");
      CHECK(info.dims[0] == -1 && info.dims[1] == 7 && !info.dim_names[1]);
    }
    for (int i = 0; i < NUM_DTYPES; ++i)
      if (CHECK_OK(api.model_input_info(model, 3 + i, &info)))
        CHECK(info.dtype == dtypes[i].dtype && info.rank == 1 &&
              info.dims[0] == -1 && info.dim_names[0] == NULL);
    if (CHECK_OK(api.model_output_info(model, 0, &info))) {
      CHECK_STR(info.name, "%? o\xC3\xA9");
      CHECK(info.dtype == TESSERA_DTYPE_BOOL && info.rank == 3);
      CHECK(info.dims[0] == 1 && info.dims[1] == -1 && info.dims[2] == 0);
      CHECK(!info.dim_names[0] && !info.dim_names[2]);
      CHECK_STR(info.dim_names[1], "z");
    }
    CHECK(api.model_output_index(model, "%? o\xC3\xA9") == 0);

    /* The model copied the text: replacing it changes nothing. */
    CHECK(api.set_metadata("garbage") == 0);
    CHECK_STR(api.model_name(model), "");

    /* Arena 0 still gets a context; inputs of every kind bind. */
    if (CHECK_OK(api.context_create(model, &context))) {
      uint8_t buffer[64] = {0};
      int64_t c_dims[2] = {2, 7}, d_dims[1] = {3}, one[1] = {1};
      CHECK_OK(api.context_set_input(context, 0, buffer, NULL, 0,
                                     TESSERA_DTYPE_FLOAT64));
      CHECK_FAILS(api.context_set_input(context, 0, NULL, NULL, 0,
                                        TESSERA_DTYPE_FLOAT64),
                  TESSERA_ERROR_INVALID_ARGUMENT, "input 'scalar': data is null");
      CHECK_FAILS(api.context_run(context), TESSERA_ERROR_MISSING_INPUT,
                  "input 'scalar'");
      CHECK_OK(api.context_set_input(context, 0, buffer, NULL, 0,
                                     TESSERA_DTYPE_FLOAT64));
      CHECK_OK(api.context_set_input(context, 1, buffer, c_dims, 2,
                                     TESSERA_DTYPE_BFLOAT16));
      CHECK_OK(api.context_set_input(context, 2, buffer, d_dims, 1,
                                     TESSERA_DTYPE_UINT8));
      CHECK_FAILS(api.context_run(context), TESSERA_ERROR_MISSING_INPUT,
                  "input 't0'");
      for (int i = 0; i < NUM_DTYPES; ++i)
        CHECK_OK(api.context_set_input(context, 3 + i, buffer, one, 1,
                                       dtypes[i].dtype));
      CHECK_FAILS(api.context_run(context), TESSERA_ERROR_SHAPE_MISMATCH,
                  "symbolic dimension 'my dim' is 2 in input 'c' but 3 in "
                  "input 'd'");
      api.context_free(context);
    }
    api.model_free(model);
  }
  free(weights);

  /* A symbol repeated within one input. */
  CHECK(api.set_metadata(HEADER "input e float32 2 ?n ?n\n") == 0);
  if (CHECK_OK(api.model_load(abi, NULL, &model))) {
    if (CHECK_OK(api.context_create(model, &context))) {
      int64_t dims[2] = {2, 3};
      float data[6] = {0};
      CHECK_OK(api.context_set_input(context, 0, data, dims, 2,
                                     TESSERA_DTYPE_FLOAT32));
      CHECK_FAILS(api.context_run(context), TESSERA_ERROR_SHAPE_MISMATCH,
                  "symbolic dimension 'n' is 2 in input 'e' but 3 in input "
                  "'e'");
      api.context_free(context);
    }
    api.model_free(model);
  }

  /* A `packed` record inside the weights: the model loads and runs (the
   * fake entry makes no matrix products). */
  CHECK(api.set_metadata(FAKE_WITH_OUTPUTS("output sum float32 2 ?batch 3\n"
                                           "output count int64 1 1\n"
                                           "packed b 2 0 1 1 1 4\n")) == 0);
  if (CHECK_OK(api.model_load(abi, NULL, &model))) {
    if (CHECK_OK(api.context_create(model, &context))) {
      CHECK_RUN(&api, context, 2, 1.0f, embedded_weights);
      api.context_free(context);
    }
    api.model_free(model);
  }

  /* A model without kernel records (one of views only, or compiled without
   * tessera-profile-kernels) has no kernels to report, and profiles its
   * runs all the same, though the fake entry still calls the hook with
   * indexes 0 and 1. (That those calls write nothing would take a memory
   * checker to see.) */
  CHECK(api.set_metadata(FAKE_WITH_OUTPUTS("output sum float32 2 ?batch 3\n"
                                           "output count int64 1 1\n")) == 0);
  if (CHECK_OK(api.model_load(abi, NULL, &model))) {
    tessera_kernel_info_t info;
    CHECK(api.model_num_kernels(model) == 0);
    CHECK_FAILS(api.model_kernel_info(model, 0, &info),
                TESSERA_ERROR_INVALID_ARGUMENT,
                "kernel index 0 is out of range");
    if (CHECK_OK(api.context_create(model, &context))) {
      tessera_profile_t profile;
      CHECK_OK(api.context_set_profiling(context, 1));
      CHECK_RUN(&api, context, 2, 1.0f, embedded_weights);
      CHECK_RUN(&api, context, 3, 1.0f, embedded_weights);
      if (CHECK_OK(api.context_get_profile(context, &profile)))
        CHECK(profile.runs == 2 && profile.run_ns > 0 &&
              profile.num_kernels == 0);
      api.context_free(context);
    }
    api.model_free(model);
  }

  /* A packed copy that replaced its weight (packed offset = source offset)
   * must be registered: external weights are mapped once per load, and
   * when no more of them can be registered at once, the load fails instead
   * of leaving the products to read the copy as the weight. Freeing a model
   * makes room again. */
  {
    char *many = join(scratch, "many.weights");
    const float values[3] = {1, 2, 3};
    CHECK(write_file(many, values, sizeof(values)));
    CHECK(api.set_metadata("tessera-package 1\nname fake\n"
                           "weights external many.weights 12\narena 100\n"
                           "packed b 2 0 1 1 1 0\n") == 0);
    enum { LOADS = 80 };
    tessera_model_t *models[LOADS] = {0};
    int loaded = 0;
    tessera_status_t last = TESSERA_OK;
    while (loaded < LOADS &&
           (last = api.model_load(abi, many, &models[loaded])) == TESSERA_OK)
      ++loaded;
    CHECK(loaded >= 8 && loaded < LOADS);
    CHECK(last == TESSERA_ERROR_OUT_OF_MEMORY);
    check_error_impl("cannot register the model's packed weights", __LINE__);
    if (loaded > 0) {
      api.model_free(models[--loaded]);
      CHECK_OK(api.model_load(abi, many, &models[loaded]));
      if (models[loaded])
        ++loaded;
    }
    while (loaded > 0)
      api.model_free(models[--loaded]);
    unlink(many);
    free(many);
  }

  /* Static dims of inputs come from the metadata. */
  CHECK(api.set_metadata(
            "tessera-package 1\nname fake\nweights embedded 12\narena 100\n"
            "input x float32 2 2 3\ninput y float32 2 ?batch 3\n"
            "input bias%20term float32 1 3\n"
            "output sum float32 2 ?batch 3\noutput count int64 1 1\n") == 0);
  if (CHECK_OK(api.model_load(abi, NULL, &model))) {
    if (CHECK_OK(api.context_create(model, &context))) {
      int64_t dims[2] = {1, 3};
      float data[3] = {0};
      CHECK_FAILS(api.context_set_input(context, 0, data, dims, 2,
                                        TESSERA_DTYPE_FLOAT32),
                  TESSERA_ERROR_SHAPE_MISMATCH,
                  "input 'x': dimension 0 is 1, expected 2");
      CHECK_RUN(&api, context, 2, 1.0f, embedded_weights);
      api.context_free(context);
    }
    api.model_free(model);
  }

  /* Outputs that contradict the signature are internal errors; the context
   * recovers. */
  static const struct {
    const char *text;
    const char *error;
  } bad_outputs[] = {
      {FAKE_WITH_OUTPUTS("output sum float32 2 ?batch 3\n"
                         "output count int64 1 2\n"),
       "output 'count': the package returned dimension 0 as 1, but the "
       "signature says 2"},
      {FAKE_WITH_OUTPUTS("output sum float32 2 5 3\n"
                         "output count int64 1 1\n"),
       "output 'sum': the package returned dimension 0 as 2, but the "
       "signature says 5"},
      /* The entry leaves a third descriptor all zero. */
      {FAKE_WITH_OUTPUTS("output sum float32 2 ?batch 3\n"
                         "output count int64 1 1\n"
                         "output extra float32 1 4\n"),
       "output 'extra': the package returned dimension 0 as 0"},
  };
  for (size_t i = 0; i < sizeof(bad_outputs) / sizeof(bad_outputs[0]); ++i) {
    CHECK(api.set_metadata(bad_outputs[i].text) == 0);
    if (!CHECK_OK(api.model_load(abi, NULL, &model)))
      continue;
    if (CHECK_OK(api.context_create(model, &context))) {
      char why[1024];
      CHECK(!run_fake(&api, context, 2, 1.0f, embedded_weights, why,
                      sizeof(why)));
      CHECK(strstr(why, "INTERNAL") != NULL);
      check_error_impl(bad_outputs[i].error, __LINE__);
      tessera_tensor_t output;
      CHECK_FAILS(api.context_get_output(context, 0, &output),
                  TESSERA_ERROR_INVALID_ARGUMENT, "holds no outputs");
      api.context_free(context);
    }
    api.model_free(model);
  }

  dlclose(api.handle);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PACKAGE_DIR SCRATCH_DIR\n", argv[0]);
    return 2;
  }
  test_embedded();
  test_threads();
  test_parallel_runs();
  test_external(argv[1], argv[2]);
  test_metadata(argv[1], argv[2]);
  if (num_failures) {
    fprintf(stderr, "%d of %d runtime checks failed\n", num_failures,
            num_checks);
    return 1;
  }
  printf("runtime tests passed: %d checks\n", num_checks);
  return 0;
}
