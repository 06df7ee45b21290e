// RUN: tessera-opt %s --tessera-lower-to-linalg --tessera-bufferize | FileCheck %s

// The operands of a Concat are computed in place, each into its part of the
// concatenated buffer (eliminate-empty-tensors), and nothing is copied: not
// the parts into the result, not a part onto itself.
// CHECK-LABEL: func.func @main
// CHECK:         %[[CAT:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<?xi8> to memref<2x32xf32>
// CHECK:         %[[LEFT:.*]] = memref.subview %[[CAT]][0, 0] [2, 16] [1, 1]
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[LEFT]]
// CHECK:         linalg.generic {{.*}} outs(%[[LEFT]]
// CHECK:           arith.mulf
// CHECK:         linalg.generic {{.*}} ins(%[[LEFT]] {{.*}} outs(%[[LEFT]]
// CHECK:           arith.maximumf
// CHECK:         %[[RIGHT:.*]] = memref.subview %[[CAT]][0, 16] [2, 16] [1, 1]
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[RIGHT]]
// CHECK:         linalg.generic {{.*}} outs(%[[RIGHT]]
// CHECK:           arith.mulf
// CHECK:         linalg.generic {{.*}} ins(%[[CAT]], %{{.*}} : memref<2x32xf32>, memref<32x4xf32>)
// CHECK-NOT:     copy
// CHECK:         return
func.func @main(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w1 = tessera.constant dense<0.5> : tensor<8x16xf32>
  %w2 = tessera.constant dense<0.25> : tensor<8x16xf32>
  %w3 = tessera.constant dense<0.125> : tensor<32x4xf32>
  %0 = tessera.matmul %x, %w1 : (tensor<2x8xf32>, tensor<8x16xf32>) -> tensor<2x16xf32>
  %1 = tessera.relu %0 : tensor<2x16xf32>
  %2 = tessera.matmul %x, %w2 : (tensor<2x8xf32>, tensor<8x16xf32>) -> tensor<2x16xf32>
  %3 = tessera.concat %1, %2 {axis = 1 : i64} : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x32xf32>
  %4 = tessera.matmul %3, %w3 : (tensor<2x32xf32>, tensor<32x4xf32>) -> tensor<2x4xf32>
  return %4 : tensor<2x4xf32>
}
