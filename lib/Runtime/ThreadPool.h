/*===- ThreadPool.h - workers for tessera_parallel_for ------------*- C -*-===*\
 *
 * A context owns one pool of (threads - 1) workers; the thread that calls
 * tessera_context_run is the remaining one. While the entry runs, the pool
 * is the calling thread's current pool, which tessera_parallel_for (called
 * by the generated code, see tessera_package_abi.h) splits work over.
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_RUNTIME_THREADPOOL_H
#define TESSERA_RUNTIME_THREADPOOL_H

#include <stdint.h>

typedef struct tessera_thread_pool tessera_thread_pool_t;

/* A pool running work on `num_threads` threads, the caller included; NULL
 * when the workers cannot be started. */
tessera_thread_pool_t *tessera_thread_pool_create(int32_t num_threads);
void tessera_thread_pool_destroy(tessera_thread_pool_t *pool);
int32_t tessera_thread_pool_size(const tessera_thread_pool_t *pool);

/* Makes `pool` (or NULL: run serially) the calling thread's current pool;
 * returns the previous one. */
tessera_thread_pool_t *tessera_thread_pool_enter(tessera_thread_pool_t *pool);

#endif /* TESSERA_RUNTIME_THREADPOOL_H */
