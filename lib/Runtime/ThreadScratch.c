/*===- ThreadScratch.c - growable per-thread scratch buffers ---------------===*\
 *
 * Kernels keep their scratch (the GEMM's packed panels, the Winograd
 * kernel's transformed tiles, the direct convolution's packed weights and
 * laid-out rows, the fused max pool's ring of convolution rows) in one
 * buffer per thread and purpose: the
 * pool's workers live as long as their context, and a per-call allocation
 * would fault its pages in every time. A purpose has its own slot because
 * one kernel's scratch stays live while it calls another (Winograd runs
 * the GEMM).
\*===----------------------------------------------------------------------===*/

#include "RuntimeInternal.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct scratch_buffer {
  float *data;
  size_t capacity; /* floats */
} scratch_buffer_t;

static pthread_key_t scratch_key;
static pthread_once_t scratch_key_once = PTHREAD_ONCE_INIT;

static void free_scratch_buffers(void *pointer) {
  scratch_buffer_t *buffers = pointer;
  for (int slot = 0; slot < TESSERA_RT_SCRATCH_SLOTS; ++slot)
    free(buffers[slot].data);
  free(buffers);
}

static void create_scratch_key(void) {
  pthread_key_create(&scratch_key, free_scratch_buffers);
}

float *tessera_rt_thread_scratch(tessera_rt_scratch_slot_t slot,
                                 size_t floats) {
  pthread_once(&scratch_key_once, create_scratch_key);
  scratch_buffer_t *buffers = pthread_getspecific(scratch_key);
  if (!buffers) {
    buffers = calloc(TESSERA_RT_SCRATCH_SLOTS, sizeof(*buffers));
    if (!buffers || pthread_setspecific(scratch_key, buffers) != 0) {
      free(buffers);
      return NULL;
    }
  }
  scratch_buffer_t *buffer = &buffers[slot];
  if (buffer->capacity < floats) {
    free(buffer->data);
    size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    buffer->data = aligned_alloc(64, bytes);
    buffer->capacity = buffer->data ? floats : 0;
  }
  return buffer->data;
}
