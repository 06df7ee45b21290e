/*===- fake_package.c - a hand-written stand-in for generated code ---------===*\
 *
 * Defines the three symbols of tessera_package_abi.h the way tessera-compile's
 * output does, for a model "fake":
 *
 *   inputs   x           float32 [batch, 3]
 *            y           float32 [batch, 3]
 *            "bias term" float32 [3]
 *   outputs  sum   float32 [batch, 3] = x + y + bias + weights
 *            count int64   [1]        = batch
 *
 * where weights is a float32[3] blob of 12 bytes, {100, 200, 300} embedded.
 * Its two kernels are the parallel sum ("sum_rows", node "/sum rows") and
 * the rest ("loops", no node).
 * Linked with the package runtime, it is a complete package.
 *
 * Variants, chosen with -D:
 *   FAKE_EXTERNAL_WEIGHTS  the weights live in the file fake.weights (12
 *                          bytes) next to the .so
 *   FAKE_MUTABLE_METADATA  the metadata text is a buffer that the exported
 *                          tessera_fake_set_metadata(text) replaces, to test
 *                          the runtime's metadata parser (the default text is
 *                          the embedded variant's)
 *
 * The entry checks what the contract promises (descriptor layout, alignment,
 * dense inputs); if anything is off it returns count = -1.
\*===----------------------------------------------------------------------===*/

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef FAKE_MUTABLE_METADATA
/* The declaration in tessera_package_abi.h is const; this variant's text is
 * writable, so it declares the other two symbols itself. */
void tessera_package_entry(void **args);
typedef void (*tessera_parallel_task_t)(void *args, int64_t begin,
                                        int64_t end);
void tessera_parallel_for(tessera_parallel_task_t task, void *args,
                          int64_t extent);
void *_mlir_memref_to_llvm_alloc(size_t bytes);
void tessera_profile_kernel_done(int32_t kernel);
#else
#include "tessera/Runtime/tessera_package_abi.h"
#endif

#define FAKE_ARENA_BYTES 100

#define FAKE_SIGNATURE                                                         \
  "arena 100\n"                                                                \
  "input x float32 2 ?batch 3\n"                                               \
  "input y float32 2 ?batch 3\n"                                               \
  "input bias%20term float32 1 3\n"                                            \
  "output sum float32 2 ?batch 3\n"                                            \
  "output count int64 1 1\n"                                                   \
  "kernel sum_rows /sum%20rows\n"                                              \
  "kernel loops\n"

#if defined(FAKE_EXTERNAL_WEIGHTS)

const char tessera_package_metadata[] = "tessera-package 1\n"
                                        "name fake\n"
                                        "weights external fake.weights 12\n"
                                        FAKE_SIGNATURE;
_Alignas(64) const uint8_t tessera_package_weights[1] = {0};

#else

#define FAKE_METADATA                                                          \
  "tessera-package 1\n"                                                        \
  "name fake\n"                                                                \
  "weights embedded 12\n" FAKE_SIGNATURE

#ifdef FAKE_MUTABLE_METADATA
char tessera_package_metadata[1 << 14] = FAKE_METADATA;

__attribute__((visibility("default"))) int
tessera_fake_set_metadata(const char *text) {
  size_t length = strlen(text);
  if (length >= sizeof(tessera_package_metadata))
    return -1;
  memcpy(tessera_package_metadata, text, length + 1);
  return 0;
}
#else
const char tessera_package_metadata[] = FAKE_METADATA;
#endif

/* 100.0f, 200.0f, 300.0f, little-endian. */
_Alignas(64) const uint8_t tessera_package_weights[12] = {
    0x00, 0x00, 0xC8, 0x42, 0x00, 0x00, 0x48, 0x43, 0x00, 0x00, 0x96, 0x43};

#endif

static void *pointer(int64_t word) { return (void *)(intptr_t)word; }
static int64_t word(const void *p) { return (int64_t)(intptr_t)p; }

/* A dense row-major input descriptor of the given rank and trailing size. */
static int check_input(const int64_t *d, int rank) {
  int ok = d[0] == d[1] && d[0] != 0 && d[2] == 0;
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    ok &= d[3 + i] >= 0;
    ok &= d[3 + rank + i] == stride || d[3 + i] <= 1;
    stride *= d[3 + i] > 0 ? d[3 + i] : 1;
  }
  return ok;
}

/* The sum's rows are split over the context's threads, as generated
 * parallel kernels are; the test reads how many threads took part. */
typedef struct sum_task {
  const float *xs, *ys, *bs, *w;
  float *sum;
} sum_task_t;

static pthread_mutex_t threads_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_t threads_seen[64];
static int num_threads_seen;

__attribute__((visibility("default"))) int tessera_fake_threads_in_last_run(void) {
  pthread_mutex_lock(&threads_mutex);
  int count = num_threads_seen;
  pthread_mutex_unlock(&threads_mutex);
  return count;
}

/* Sleeps in 100 us steps until a second thread has taken part in the
 * current run, or `microseconds` have passed. */
static void wait_for_another_thread(long microseconds) {
  const struct timespec step = {0, 100000};
  for (long waited = 0; waited < microseconds; waited += 100) {
    if (tessera_fake_threads_in_last_run() > 1)
      return;
    nanosleep(&step, NULL);
  }
}

static void sum_rows(void *argument, int64_t begin, int64_t end) {
  const sum_task_t *task = argument;
  for (int64_t i = begin * 3; i < end * 3; ++i)
    task->sum[i] = task->xs[i] + task->ys[i] + task->bs[i % 3] + task->w[i % 3];
  pthread_mutex_lock(&threads_mutex);
  int known = 0;
  for (int i = 0; i < num_threads_seen; ++i)
    known |= pthread_equal(threads_seen[i], pthread_self());
  if (!known && num_threads_seen < 64)
    threads_seen[num_threads_seen++] = pthread_self();
  pthread_mutex_unlock(&threads_mutex);
  /* Threads claim chunks, so a worker that has not run by the time the
   * caller finishes its own chunk leaves its chunk to the caller. A large
   * chunk therefore waits, asleep, until another thread has joined the run
   * (or 20 ms have passed): busy-waiting instead kept the CPU from a worker
   * that the OS had put on the same CPU, and under lit's parallel load a
   * worker missed all 40 runs with 2 threads (CI, after 2 ms of busy-wait
   * per chunk). A pool whose workers never run still fails the check. */
  if (end - begin >= 100)
    wait_for_another_thread(20000);
}

void tessera_package_entry(void **args) {
  int64_t *results = args[0];
  const int64_t *weights = args[1], *arena = args[2];
  const int64_t *x = args[3], *y = args[4], *bias = args[5];

  int ok = 1;
  /* weights: i8 [12], 64-byte aligned */
  ok &= weights[0] == weights[1] && weights[2] == 0 && weights[3] == 12 &&
        weights[4] == 1 && weights[1] % 64 == 0;
  /* arena: i8 [>= 100], 64-byte aligned, writable */
  ok &= arena[1] != 0 && arena[1] % 64 == 0 && arena[2] == 0 &&
        arena[3] >= FAKE_ARENA_BYTES && arena[4] == 1;
  if (arena[1] != 0)
    memset(pointer(arena[1]), 0xA5, FAKE_ARENA_BYTES);
  ok &= check_input(x, 2) && check_input(y, 2) && check_input(bias, 1);
  int64_t batch = x[3];
  ok &= x[4] == 3 && y[3] == batch && y[4] == 3 && bias[3] == 3;

  float w[3];
  memcpy(w, pointer(weights[1]), sizeof(w));
  const float *xs = pointer(x[1]), *ys = pointer(y[1]), *bs = pointer(bias[1]);

  float *sum = _mlir_memref_to_llvm_alloc((size_t)batch * 3 * sizeof(float));
  sum_task_t task = {xs, ys, bs, w, sum};
  pthread_mutex_lock(&threads_mutex);
  num_threads_seen = 0;
  pthread_mutex_unlock(&threads_mutex);
  tessera_parallel_for(sum_rows, &task, batch);
  tessera_profile_kernel_done(0);
  int64_t *count = _mlir_memref_to_llvm_alloc(sizeof(int64_t));
  *count = ok ? batch : -1;

  /* sum: float32 [batch, 3] */
  results[0] = word(sum);
  results[1] = word(sum);
  results[2] = 0;
  results[3] = batch;
  results[4] = 3;
  results[5] = 3;
  results[6] = 1;
  /* count: int64 [1] */
  results[7] = word(count);
  results[8] = word(count);
  results[9] = 0;
  results[10] = 1;
  results[11] = 1;
  tessera_profile_kernel_done(1);
}
