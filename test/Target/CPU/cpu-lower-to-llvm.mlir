// RUN: tessera-opt %s -split-input-file --tessera-lower-to-linalg --tessera-bufferize --tessera-cpu-lower-to-llvm | FileCheck %s
// RUN: tessera-opt %s -split-input-file --tessera-lower-to-linalg --tessera-bufferize --tessera-cpu-lower-to-llvm | FileCheck %s --check-prefix=NONE

// Only LLVM dialect ops are left. The strided result copy (a view of the
// arena) becomes loops, not a call to memrefCopy from the C runner utils.
// NONE-NOT: memrefCopy
// NONE-NOT: {{(memref|linalg|tensor|bufferization|arith|math|scf|cf|affine|index)\.[a-z_]+}}
// NONE-NOT: func.func
// NONE-NOT: func.return
// NONE-NOT: unrealized_conversion_cast

// The result is allocated by the runtime's _mlir_memref_to_llvm_alloc
// (which reuses the last run's output blocks); the weights blob and the
// arena are leading pointer arguments (each an unpacked memref descriptor).
// NONE-NOT: {{@(malloc|free)\(}}
// CHECK:       llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
// CHECK:       llvm.func @main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64) -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK-SAME:    attributes {tessera.arena_size = 128 : i64}
// CHECK:         llvm.call @main_kernel_0(
// CHECK:         llvm.call @_mlir_memref_to_llvm_alloc
// CHECK:         llvm.call @main_kernel_1(
// CHECK:         llvm.return
// Each linalg op is an internal kernel with noalias pointer arguments.
// CHECK:       llvm.func internal @main_kernel_1(%{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias},
// CHECK:       llvm.func internal @main_kernel_0(%{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias},
func.func @main(%x: tensor<4x8xf32>) -> tensor<2x8xf32> {
  %0 = tessera.relu %x : tensor<4x8xf32>
  %1 = tessera.slice %0 {starts = array<i64: 0, 0>, ends = array<i64: 4, 8>, steps = array<i64: 2, 1>} : tensor<4x8xf32> -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// -----

// Dynamic shapes: the reduction buffer is a heap allocation freed after its
// last use; erf and exp call libm inside the kernels.
// CHECK-DAG:   llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
// CHECK-DAG:   llvm.func @erff(f32) -> f32
// CHECK-DAG:   llvm.func @expf(f32) -> f32
// CHECK:       llvm.func @main
// CHECK-SAME:    attributes {tessera.arena_size = 0 : i64}
// CHECK:         llvm.call @_mlir_memref_to_llvm_free
// CHECK:         llvm.return
// CHECK:       llvm.func internal @main_kernel_{{[0-9]+}}
// CHECK:         llvm.call @expf
// CHECK:       llvm.func internal @main_kernel_0
// CHECK:         llvm.call @erff
func.func @main(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = tessera.erf %x : tensor<?x8xf32>
  %1 = tessera.softmax %0 {axis = 1 : i64} : tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}

// -----

// Softmax along rows: the row maximum is LLVM's maximum intrinsic and the
// sum of exponentials a reassociable add, two reductions LLVM's loop
// vectorizer handles (not a compare-and-select chain, not a strict chain
// of adds).
// CHECK:       llvm.func @main(
// CHECK:       llvm.func internal @main_kernel_{{[0-9]+}}
// CHECK:         llvm.fadd %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<reassoc>} : f32
// CHECK:       llvm.func internal @main_kernel_{{[0-9]+}}
// CHECK-NOT:     llvm.fcmp
// CHECK:         llvm.intr.maximum(%{{.*}}, %{{.*}}) : (f32, f32) -> f32
func.func @main(%x: tensor<4x32x128xf32>) -> tensor<4x32x128xf32> {
  %0 = tessera.softmax %x {axis = 2 : i64} : tensor<4x32x128xf32>
  return %0 : tensor<4x32x128xf32>
}
