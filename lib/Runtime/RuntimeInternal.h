/*===- RuntimeInternal.h - shared declarations of the package runtime -*- C -*-===*\
 *
 * The package runtime is compiled with -fvisibility=hidden and statically
 * linked (--whole-archive) into every model package. Only the functions of
 * tessera_runtime.h are exported, each marked TESSERA_EXPORT at its
 * definition; everything declared here stays inside the package.
 *
 * Exported functions never call one another: a call from one exported
 * function to another could be interposed by the same-named function of
 * another package loaded into the process, mixing two runtimes' data. Shared
 * logic lives in the hidden tessera_rt_* functions below.
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_LIB_RUNTIME_RUNTIMEINTERNAL_H
#define TESSERA_LIB_RUNTIME_RUNTIMEINTERNAL_H

#include "tessera/Runtime/tessera_runtime.h"

#include <stddef.h>
#include <stdint.h>

#define TESSERA_EXPORT __attribute__((visibility("default")))

#pragma GCC visibility push(hidden)

/* The generated code defines these in the same shared object (hidden), so
 * they are referenced directly rather than through the GOT. */
#include "tessera/Runtime/tessera_package_abi.h"

_Static_assert(sizeof(void *) == 8 && sizeof(int64_t) == 8,
               "memref descriptors are arrays of 8-byte words");

/*===--- Errors (Error.c) ---------------------------------------------------===*/

/* Formats the calling thread's last error and returns `status`. */
tessera_status_t tessera_rt_fail(tessera_status_t status, const char *format,
                                 ...) __attribute__((format(printf, 2, 3)));

/* strerror(errnum), thread-safely, into `buffer`. */
const char *tessera_rt_strerror(int errnum, char *buffer, size_t size);

/*===--- Element types (Metadata.c) -----------------------------------------===*/

/* Bytes per element, or 0 for a code outside tessera_dtype_t. */
size_t tessera_rt_dtype_size(tessera_dtype_t dtype);
/* "float32", or NULL for a code outside tessera_dtype_t. */
const char *tessera_rt_dtype_name(tessera_dtype_t dtype);

/*===--- Metadata (Metadata.c) ----------------------------------------------===*/

/* One input or output of the signature. Names point into the metadata's
 * text. */
typedef struct tessera_rt_tensor {
  const char *name;
  tessera_dtype_t dtype;
  int32_t rank;
  size_t elem_size;
  int64_t dims[TESSERA_MAX_RANK];              /* -1: dynamic */
  const char *dim_names[TESSERA_MAX_RANK];     /* NULL: static or anonymous */
} tessera_rt_tensor_t;

/* A `packed` record: byte offsets into the weights, sizes in elements. */
typedef struct tessera_rt_packed_weight {
  int is_b;
  int32_t panel;
  int64_t source, ld, rows, cols, packed;
} tessera_rt_packed_weight_t;

typedef struct tessera_rt_metadata {
  char *text; /* owned, decoded copy of the metadata; strings point into it */
  const char *name;
  int64_t arena_bytes;
  int weights_external;
  const char *weights_file; /* external weights only */
  int64_t weights_bytes;
  int32_t num_inputs;
  int32_t num_outputs;
  tessera_rt_tensor_t *inputs;  /* owned */
  tessera_rt_tensor_t *outputs; /* owned */
  int32_t num_packed;
  tessera_rt_packed_weight_t *packed; /* owned */
  int32_t num_kernels;
  tessera_kernel_info_t *kernels; /* owned; the `kernel` records */
} tessera_rt_metadata_t;

/* Parses the metadata text of the package format. On failure, returns
 * TESSERA_ERROR_INTERNAL (or OUT_OF_MEMORY) with the error set, and `out`
 * holds nothing to free. */
tessera_status_t tessera_rt_parse_metadata(const char *text,
                                           tessera_rt_metadata_t *out);
void tessera_rt_free_metadata(tessera_rt_metadata_t *metadata);

/*===--- External weights (Weights.c) ---------------------------------------===*/

typedef struct tessera_rt_weights_map {
  const uint8_t *data; /* never NULL once mapped */
  void *mapping;       /* for munmap; NULL when nothing is mapped */
  size_t mapping_size;
} tessera_rt_weights_map_t;

/* Maps the external weights file read-only: `override_path` if not NULL,
 * else `file` relative to the directory of the shared object that contains
 * the runtime. The file must be exactly `bytes` long. */
tessera_status_t tessera_rt_map_weights(const char *override_path,
                                        const char *file, int64_t bytes,
                                        tessera_rt_weights_map_t *out);
void tessera_rt_unmap_weights(tessera_rt_weights_map_t *map);

/*===--- The model (PackageRuntime.c) ---------------------------------------===*/

struct tessera_model {
  tessera_rt_metadata_t metadata;
  tessera_rt_weights_map_t weights;
  int constants_registered; /* with tessera_rt_gemm_add_constants */
};

/*===--- Kernel profile (Profile.c) -----------------------------------------===*/

typedef struct tessera_rt_profile {
  int64_t runs;
  int64_t run_ns;
  int32_t num_kernels;
  int64_t *kernel_ns; /* owned, num_kernels (at least one) */
  int64_t started_ns; /* during a run: when it started */
  int64_t last_ns;    /* during a run: when the last kernel ended */
} tessera_rt_profile_t;

/* Counters for `num_kernels` kernels, zeroed; -1 when out of memory. */
int tessera_rt_profile_init(tessera_rt_profile_t *profile, int32_t num_kernels);
void tessera_rt_profile_free(tessera_rt_profile_t *profile);
/* Zeroes the counters: runs, run_ns and every kernel's. */
void tessera_rt_profile_reset(tessera_rt_profile_t *profile);
/* Around a run: makes `profile` (NULL: none) the one that
 * tessera_profile_kernel_done adds to on this thread and starts the run's
 * clock; returns the thread's previous profile, which leave() restores
 * after counting the run (its time since enter()) into `profile`. */
tessera_rt_profile_t *tessera_rt_profile_enter(tessera_rt_profile_t *profile);
void tessera_rt_profile_leave(tessera_rt_profile_t *previous);

/*===--- Per-thread scratch (ThreadScratch.c) ------------------------------===*/

/* One growable buffer per thread and slot, kept for the thread's life. */
typedef enum tessera_rt_scratch_slot {
  TESSERA_RT_SCRATCH_GEMM_PACKING,
  TESSERA_RT_SCRATCH_WINOGRAD,
  TESSERA_RT_SCRATCH_DIRECT_CONV_WEIGHTS,
  TESSERA_RT_SCRATCH_DIRECT_CONV_ROWS,
  TESSERA_RT_SCRATCH_DIRECT_CONV_POOL,
  TESSERA_RT_SCRATCH_POINTWISE_BAND,
  TESSERA_RT_SCRATCH_SLOTS
} tessera_rt_scratch_slot_t;
/* At least `floats` floats, 64-byte aligned, in the calling thread's
 * buffer for `slot` (its previous contents are lost when it grows); NULL
 * when out of memory. */
float *tessera_rt_thread_scratch(tessera_rt_scratch_slot_t slot,
                                 size_t floats);

/*===--- Products for other kernels (Gemm.c) -------------------------------===*/

/* Whether [begin, begin + bytes) lies in registered constants (a loaded
 * model's weights). */
int tessera_rt_gemm_is_constant(const void *begin, size_t bytes);
/* C = A * B, A being rows [first_row, first_row + m) (first_row a whole
 * number of panels) of a matrix of packed_rows rows packed for the <isa>
 * micro-kernel: one block per TESSERA_SGEMM_KC values of k, each the rows
 * (padded to whole panels of TESSERA_SGEMM_<ISA>_MR) as k-major panels. */
void tessera_rt_sgemm_prepacked_avx512(int64_t m, int64_t n, int64_t k,
                                       const float *packed_a,
                                       int64_t packed_rows, int64_t first_row,
                                       const float *b, int64_t ldb, float *c,
                                       int64_t ldc);
void tessera_rt_sgemm_prepacked_avx2(int64_t m, int64_t n, int64_t k,
                                     const float *packed_a,
                                     int64_t packed_rows, int64_t first_row,
                                     const float *b, int64_t ldb, float *c,
                                     int64_t ldc);
/* Whether tessera_rt_sgemm_prepacked_<isa>, for m rows, n columns and k,
 * with B starting a cache line and its rows n floats apart, reads B where
 * it is: not packed whole (see gemm()), and whole panels of
 * TESSERA_SGEMM_<ISA>_NR columns and an edge its micro-kernels read in
 * place (else the edge is copied for every call). */
int tessera_rt_sgemm_prepacked_reads_in_place_avx512(int64_t m, int64_t n,
                                                     int64_t k);
int tessera_rt_sgemm_prepacked_reads_in_place_avx2(int64_t m, int64_t n,
                                                   int64_t k);
/* Whether n columns end in an edge that only the narrow kernels run (at
 * most 8 columns, at 60-85% of the full kernel's rate). */
int tessera_rt_sgemm_prepacked_narrow_edge_avx512(int64_t n);
int tessera_rt_sgemm_prepacked_narrow_edge_avx2(int64_t n);

/*===--- Winograd convolutions (WinogradConv.c) ----------------------------===*/

/* Drops the transformed weights kept for weights in [begin, begin + bytes),
 * which are no longer registered. */
void tessera_rt_winograd_forget(const void *begin, size_t bytes);

/* tessera_conv3x3_winograd_<isa> with the tile chosen (its tests run both):
 * 2, F(2x2, 3x3); 4, F(4x4, 3x3); any other, by the map's size (as the
 * _4x4 entry points). */
void tessera_rt_conv3x3_winograd_tiled_avx512(
    int tile, TESSERA_WINOGRAD_CONV3X3_PARAMETERS);
void tessera_rt_conv3x3_winograd_tiled_avx2(
    int tile, TESSERA_WINOGRAD_CONV3X3_PARAMETERS);

#pragma GCC visibility pop

/* Registers (and unregisters, dropping what was packed from them) memory
 * that stays constant while registered, a loaded model's weights: matrix
 * products pack operands inside it once and reuse the packed copy.
 * Registrations of one range are counted; adding returns 0, or -1 when the
 * range could not be registered (too many at once), which only costs
 * speed unless a `packed` record replaced a weight (see add_packed). */
int tessera_rt_gemm_add_constants(const void *begin, size_t bytes);
void tessera_rt_gemm_remove_constants(const void *begin, size_t bytes);
/* Registers `packed`, inside registered constants, as the packed copy of
 * the rows x cols matrix at `source` (a `packed` metadata record): products
 * given that matrix, or a part of it, as operand A (is_b 0) or B read it.
 * It is dropped with its range. Returns 0, or -1 when `source` is not
 * inside registered constants or memory is short: then a copy that replaced
 * its weight (packed == source) leaves that weight unreadable, and the
 * model must not run. */
int tessera_rt_gemm_add_packed(const float *source, int64_t ld, int64_t rows,
                               int64_t cols, int panel, int is_b,
                               const float *packed);

/* value rounded up to a multiple of `multiple` (both positive). */
static inline int64_t round_up(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

/*===--- Vector lane masks and shuffles (the convolution kernels, Gemm.c) -===*/

#if defined(__x86_64__)
#include <immintrin.h>

/* even = lo, hi's even lanes in order; odd = their odd lanes: a row of
 * stride-2 windows split into its two phases. */
__attribute__((target("avx512f"), always_inline)) static inline void
deinterleave_16(__m512 lo, __m512 hi, __m512 *even, __m512 *odd) {
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                          20, 22, 24, 26, 28, 30);
  *even = _mm512_permutex2var_ps(lo, evens, hi);
  *odd = _mm512_permutex2var_ps(
      lo, _mm512_add_epi32(evens, _mm512_set1_epi32(1)), hi);
}
/* The same for 8 lanes: within each 128-bit lane, then the 64-bit pairs
 * back in order. */
__attribute__((target("avx2"), always_inline)) static inline void
deinterleave_8(__m256 lo, __m256 hi, __m256 *even, __m256 *odd) {
  *even = _mm256_castpd_ps(_mm256_permute4x64_pd(
      _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
  *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(
      _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}

/* The first n of 16 lanes (none for n <= 0, all for n >= 16). */
static inline __mmask16 first_lanes_16(int64_t n) {
  return n <= 0 ? 0 : n >= 16 ? 0xffff : (__mmask16)((1u << n) - 1);
}

/* The first n of 8 lanes as a maskload/maskstore mask. */
__attribute__((target("avx2"))) static inline __m256i first_lanes_8(int64_t n) {
  return _mm256_cmpgt_epi32(
      _mm256_set1_epi32((int)(n < 0 ? 0 : n < 8 ? n : 8)),
      _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* PREFETCHW: the line at p into this core's cache, owned for writing.
 * Written as the instruction because GCC emits its write prefetch as a
 * read prefetch unless the file is built for PRFCHW. Every AVX-512 CPU
 * has PRFCHW; older ones run the instruction as a no-op. */
static inline void prefetch_for_writing(const float *p) {
  __asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
}

/* Lanes [begin, end) of 16, and of 8 as a maskload/maskstore mask. */
static inline __mmask16 lanes_between_16(int64_t begin, int64_t end) {
  return (__mmask16)(first_lanes_16(end) & ~first_lanes_16(begin));
}
__attribute__((target("avx2"))) static inline __m256i
lanes_between_8(int64_t begin, int64_t end) {
  return _mm256_andnot_si256(first_lanes_8(begin), first_lanes_8(end));
}
#endif

#endif /* TESSERA_LIB_RUNTIME_RUNTIMEINTERNAL_H */
