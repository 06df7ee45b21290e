/*===- ThreadPool.c - workers for tessera_parallel_for ----------------------===*\
 *
 * The generated code calls tessera_parallel_for once per parallel kernel,
 * often thousands of times per run on small kernels, so handing out work
 * must cost about a microsecond: workers spin on a generation counter for a
 * while after each job before they sleep on a condition variable. The
 * range is split into one contiguous chunk per thread (each output element
 * is computed in one chunk, in the serial order, so results do not depend
 * on the thread count), and every thread, the caller included, claims
 * chunks until none is left: a worker that the OS has not scheduled yet
 * (another process on its core, or a slow wake-up) leaves its chunk to the
 * others instead of holding up the job.
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "ThreadPool.h"

#include "tessera/Runtime/tessera_package_abi.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

/* About 50-100 microseconds of polling before a worker sleeps. */
#define TESSERA_SPIN_ITERATIONS 20000

struct tessera_thread_pool {
  int32_t num_threads;
  pthread_t *workers;
  int32_t started;
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  pthread_cond_t done;
  /* The current job, written by the caller before it bumps `generation`. */
  tessera_parallel_task_t task;
  void *task_args;
  int64_t extent;
  atomic_uint_fast64_t generation;
  /* The current job's generation (low 32 bits) << 32 | the next unclaimed
   * chunk; a claim succeeds only within the job it was made for. */
  atomic_uint_fast64_t claim;
  atomic_int pending; /* chunks of the current job not finished yet */
  atomic_int stop;
};

static _Thread_local tessera_thread_pool_t *current_pool;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* One step of a spin-wait. Every 64th step gives the CPU away if another
 * thread is waiting for it: when the scheduler has put a worker on the
 * caller's CPU (or the machine has fewer free CPUs than threads), pure
 * spinning would take that CPU's time from the thread doing the work, and
 * 2 threads ran at half the speed of 1 (SqueezeNet pinned to one CPU:
 * 15.8 against 8.3 ms). With nothing else runnable the call returns at
 * once. */
static inline void spin_step(int spin) {
  if ((spin & 63) == 63)
    sched_yield();
  else
    cpu_relax();
}

static void run_chunk(tessera_thread_pool_t *pool, int64_t index) {
  int64_t n = pool->extent, threads = pool->num_threads;
  int64_t begin = n * index / threads, end = n * (index + 1) / threads;
  if (begin < end)
    pool->task(pool->task_args, begin, end);
}

/* Runs chunks of job `generation` until all are claimed (or the job is
 * over); the thread finishing the last chunk wakes a waiting caller. */
static void run_claimed_chunks(tessera_thread_pool_t *pool,
                               uint_fast64_t generation) {
  const uint_fast64_t job = generation & 0xffffffffu;
  for (;;) {
    uint_fast64_t state =
        atomic_load_explicit(&pool->claim, memory_order_acquire);
    uint_fast64_t chunk = state & 0xffffffffu;
    if (state >> 32 != job || chunk >= (uint_fast64_t)pool->num_threads)
      return;
    if (!atomic_compare_exchange_weak_explicit(&pool->claim, &state,
                                               state + 1, memory_order_acq_rel,
                                               memory_order_acquire))
      continue;
    run_chunk(pool, (int64_t)chunk);
    if (atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_acq_rel) ==
        1) {
      pthread_mutex_lock(&pool->mutex);
      pthread_cond_signal(&pool->done);
      pthread_mutex_unlock(&pool->mutex);
    }
  }
}

static void *worker_main(void *argument) {
  tessera_thread_pool_t *pool = argument;
  uint_fast64_t seen = 0;
  for (;;) {
    uint_fast64_t generation = seen;
    for (int spin = 0; spin < TESSERA_SPIN_ITERATIONS; ++spin) {
      generation = atomic_load_explicit(&pool->generation, memory_order_acquire);
      if (generation != seen || atomic_load(&pool->stop))
        break;
      spin_step(spin);
    }
    if (generation == seen && !atomic_load(&pool->stop)) {
      pthread_mutex_lock(&pool->mutex);
      while ((generation = atomic_load(&pool->generation)) == seen &&
             !atomic_load(&pool->stop))
        pthread_cond_wait(&pool->wake, &pool->mutex);
      pthread_mutex_unlock(&pool->mutex);
    }
    if (atomic_load(&pool->stop))
      return NULL;
    seen = generation;
    run_claimed_chunks(pool, generation);
  }
}

tessera_thread_pool_t *tessera_thread_pool_create(int32_t num_threads) {
  if (num_threads < 2)
    return NULL;
  tessera_thread_pool_t *pool = calloc(1, sizeof(*pool));
  if (!pool)
    return NULL;
  pool->num_threads = num_threads;
  pool->workers = calloc((size_t)num_threads - 1, sizeof(pthread_t));
  if (!pool->workers) {
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->done, NULL);
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->claim, 0);
  atomic_init(&pool->pending, 0);
  atomic_init(&pool->stop, 0);
  for (int32_t i = 1; i < num_threads; ++i) {
    if (pthread_create(&pool->workers[i - 1], NULL, worker_main, pool) != 0)
      break;
    ++pool->started;
  }
  if (pool->started != num_threads - 1) {
    tessera_thread_pool_destroy(pool);
    return NULL;
  }
  return pool;
}

void tessera_thread_pool_destroy(tessera_thread_pool_t *pool) {
  if (!pool)
    return;
  pthread_mutex_lock(&pool->mutex);
  atomic_store(&pool->stop, 1);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
  for (int32_t i = 0; i < pool->started; ++i)
    pthread_join(pool->workers[i], NULL);
  pthread_cond_destroy(&pool->done);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->mutex);
  free(pool->workers);
  free(pool);
}

int32_t tessera_thread_pool_size(const tessera_thread_pool_t *pool) {
  return pool ? pool->num_threads : 1;
}

tessera_thread_pool_t *tessera_thread_pool_enter(tessera_thread_pool_t *pool) {
  tessera_thread_pool_t *previous = current_pool;
  current_pool = pool;
  return previous;
}

void tessera_parallel_for(tessera_parallel_task_t task, void *args,
                          int64_t extent) {
  tessera_thread_pool_t *pool = current_pool;
  if (!pool || extent < 2) {
    if (extent > 0)
      task(args, 0, extent);
    return;
  }
  pool->task = task;
  pool->task_args = args;
  pool->extent = extent;
  atomic_store_explicit(&pool->pending, pool->num_threads,
                        memory_order_relaxed);
  /* Only this thread starts jobs, so it may read the generation plainly. */
  uint_fast64_t generation =
      atomic_load_explicit(&pool->generation, memory_order_relaxed) + 1;
  atomic_store_explicit(&pool->claim, (generation & 0xffffffffu) << 32,
                        memory_order_release);
  /* Workers that are asleep need the broadcast; spinning ones see the new
   * generation first. Taking the mutex orders the bump against a worker
   * that has just checked the generation and is about to wait. */
  pthread_mutex_lock(&pool->mutex);
  atomic_store_explicit(&pool->generation, generation, memory_order_release);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);

  run_claimed_chunks(pool, generation);

  for (int spin = 0; spin < TESSERA_SPIN_ITERATIONS; ++spin) {
    if (atomic_load_explicit(&pool->pending, memory_order_acquire) == 0)
      return;
    spin_step(spin);
  }
  pthread_mutex_lock(&pool->mutex);
  while (atomic_load_explicit(&pool->pending, memory_order_acquire) != 0)
    pthread_cond_wait(&pool->done, &pool->mutex);
  pthread_mutex_unlock(&pool->mutex);
}
