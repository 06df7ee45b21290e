// RUN: tessera-opt %s --tessera-lower-to-linalg --tessera-bufferize | FileCheck %s
// RUN: tessera-opt %s --tessera-lower-to-linalg --tessera-bufferize | FileCheck %s --check-prefix=NONE

// The two matmul weights (512 and 256 bytes) go to the blob; the 64-byte
// bias stays a global. The 2x16 intermediate (matmul, add and relu in place)
// lives in the arena; the result is a fresh heap allocation.
// CHECK:       module attributes {tessera.weight_offsets = array<i64: 0, 512>, tessera.weights = [dense<5.000000e-01> : tensor<8x16xf32>, dense<2.500000e-01> : tensor<16x4xf32>], tessera.weights_size = 768 : i64}
// CHECK:       memref.global "private" constant @{{.*}} : memref<16xf32> = dense<1.000000e+00>
// CHECK-LABEL: func.func @main
// CHECK-SAME:    (%[[W:.*]]: memref<?xi8>, %[[ARENA:.*]]: memref<?xi8>, %[[X:.*]]: memref<2x8xf32>) -> memref<2x4xf32>
// CHECK-SAME:    attributes {tessera.arena_size = 128 : i64}
// CHECK-DAG:     %[[W1:.*]] = memref.view %[[W]][%{{.*}}][] : memref<?xi8> to memref<8x16xf32>
// CHECK-DAG:     %[[W2:.*]] = memref.view %[[W]][%{{.*}}][] : memref<?xi8> to memref<16x4xf32>
// CHECK-DAG:     %[[B:.*]] = memref.get_global
// CHECK:         %[[T:.*]] = memref.view %[[ARENA]][%{{.*}}][] : memref<?xi8> to memref<2x16xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[T]] : memref<2x16xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[X]], %[[W1]] : memref<2x8xf32>, memref<8x16xf32>) outs(%[[T]] : memref<2x16xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[T]], %[[B]] : memref<2x16xf32>, memref<16xf32>) outs(%[[T]] : memref<2x16xf32>)
// CHECK:           arith.addf
// CHECK:         linalg.generic {{.*}} ins(%[[T]] : memref<2x16xf32>) outs(%[[T]] : memref<2x16xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[R:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[R]] : memref<2x4xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[T]], %[[W2]] : memref<2x16xf32>, memref<16x4xf32>) outs(%[[R]] : memref<2x4xf32>)
// CHECK-NOT:     memref.dealloc
// CHECK:         return %[[R]] : memref<2x4xf32>

// Nothing on tensors or in the tessera dialect is left, and no intermediate
// is heap-allocated besides the result.
// NONE-NOT: tensor.
// NONE-NOT: bufferization.
// NONE-NOT: = tessera.
// NONE-NOT: arith.constant dense
// NONE: memref.alloc
// NONE-NOT: memref.alloc
func.func @main(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = tessera.constant dense<0.5> : tensor<8x16xf32>
  %b = tessera.constant dense<1.0> : tensor<16xf32>
  %w2 = tessera.constant dense<0.25> : tensor<16x4xf32>
  %0 = tessera.matmul %x, %w : (tensor<2x8xf32>, tensor<8x16xf32>) -> tensor<2x16xf32>
  %1 = tessera.add %0, %b : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
  %2 = tessera.relu %1 : tensor<2x16xf32>
  %3 = tessera.matmul %2, %w2 : (tensor<2x16xf32>, tensor<16x4xf32>) -> tensor<2x4xf32>
  return %3 : tensor<2x4xf32>
}
