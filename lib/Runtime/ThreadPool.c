/*===- ThreadPool.c - workers for tessera_parallel_for ----------------------===*\
 *
 * The generated code calls tessera_parallel_for once per parallel kernel,
 * often thousands of times per run on small kernels, so handing out work
 * must cost about a microsecond: workers spin on a generation counter for a
 * while after each job before they sleep on a condition variable. The
 * range is split into one contiguous chunk per thread (each output element
 * is computed in one chunk, in the serial order, so results do not depend
 * on the thread count). Thread i (the caller is 0) claims chunk i first,
 * so that a thread reads the parts of the data it wrote in earlier jobs:
 * another core's written cache lines cost several times a read from the
 * thread's own L2 (a 16 x 3025 x 128 product at 2 threads: 44 us when
 * each thread had written its half of B, 118 us when the other thread
 * had), and claiming in arrival order gave about a fifth of the jobs to
 * the other thread. Then every thread claims the chunks left: a worker
 * that the OS has not scheduled yet (another process on its core, or a
 * slow wake-up) leaves its chunk to the others instead of holding up the
 * job.
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

typedef struct pool_worker {
  pthread_t thread;
  tessera_thread_pool_t *pool;
  int32_t index; /* its chunk, 1 .. num_threads - 1 */
} pool_worker_t;

struct tessera_thread_pool {
  int32_t num_threads;
  pool_worker_t *workers;
  int32_t started;
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  pthread_cond_t done;
  /* The current job, written by the caller before it bumps `generation`. */
  tessera_parallel_task_t task;
  void *task_args;
  int64_t extent;
  atomic_uint_fast64_t generation;
  /* Per chunk, the generation of the last job that claimed it. Every job
   * claims all chunks, so job g claims chunk i by moving it from g - 1 to
   * g; a late worker's claim for a finished job fails. */
  atomic_uint_fast64_t *claimed;
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

/* Runs the chunks of job `generation` that are still unclaimed, starting
 * with the thread's own (`first`); the thread finishing the last chunk
 * wakes a waiting caller. */
static void run_claimed_chunks(tessera_thread_pool_t *pool,
                               uint_fast64_t generation, int32_t first) {
  const int32_t threads = pool->num_threads;
  for (int32_t step = 0; step < threads; ++step) {
    const int32_t chunk = (first + step) % threads;
    uint_fast64_t previous = generation - 1;
    if (atomic_load_explicit(&pool->claimed[chunk], memory_order_relaxed) !=
            previous ||
        !atomic_compare_exchange_strong_explicit(
            &pool->claimed[chunk], &previous, generation,
            memory_order_acq_rel, memory_order_relaxed))
      continue;
    run_chunk(pool, chunk);
    if (atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_acq_rel) ==
        1) {
      pthread_mutex_lock(&pool->mutex);
      pthread_cond_signal(&pool->done);
      pthread_mutex_unlock(&pool->mutex);
    }
  }
}

static void *worker_main(void *argument) {
  const pool_worker_t *worker = argument;
  tessera_thread_pool_t *pool = worker->pool;
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
    run_claimed_chunks(pool, generation, worker->index);
  }
}

tessera_thread_pool_t *tessera_thread_pool_create(int32_t num_threads) {
  if (num_threads < 2)
    return NULL;
  tessera_thread_pool_t *pool = calloc(1, sizeof(*pool));
  if (!pool)
    return NULL;
  pool->num_threads = num_threads;
  pool->workers = calloc((size_t)num_threads - 1, sizeof(pool_worker_t));
  pool->claimed = calloc((size_t)num_threads, sizeof(atomic_uint_fast64_t));
  if (!pool->workers || !pool->claimed) {
    free(pool->workers);
    free(pool->claimed);
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->done, NULL);
  atomic_init(&pool->generation, 0);
  for (int32_t i = 0; i < num_threads; ++i)
    atomic_init(&pool->claimed[i], 0);
  atomic_init(&pool->pending, 0);
  atomic_init(&pool->stop, 0);
  for (int32_t i = 1; i < num_threads; ++i) {
    pool_worker_t *worker = &pool->workers[i - 1];
    worker->pool = pool;
    worker->index = i;
    if (pthread_create(&worker->thread, NULL, worker_main, worker) != 0)
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
    pthread_join(pool->workers[i].thread, NULL);
  pthread_cond_destroy(&pool->done);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->mutex);
  free(pool->workers);
  free(pool->claimed);
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
  /* Workers that are asleep need the broadcast; spinning ones see the new
   * generation first. Taking the mutex orders the bump against a worker
   * that has just checked the generation and is about to wait. */
  pthread_mutex_lock(&pool->mutex);
  atomic_store_explicit(&pool->generation, generation, memory_order_release);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);

  run_claimed_chunks(pool, generation, 0);

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
