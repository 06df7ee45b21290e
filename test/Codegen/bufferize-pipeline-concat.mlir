// RUN: tessera-opt %s -split-input-file --tessera-lower-to-linalg --tessera-bufferize | FileCheck %s

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

// -----

// 1x1 convolutions (products on collapsed views, expanded back) into a
// Concat: each is computed in its strided part of the concatenated buffer
// (tessera-slices-through-reshapes) and nothing is copied into the Concat
// (the result, a view of the arena, is copied out as every result is).
// CHECK-LABEL: func.func @main
// CHECK:         %[[CAT:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<?xi8> to memref<1x4x4x4xf32>
// CHECK:         %[[LEFT:.*]] = memref.subview %[[CAT]][0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1]
// CHECK:         %[[LEFTFLAT:.*]] = memref.collapse_shape %[[LEFT]] {{\[\[}}0], [1], [2, 3]]
// CHECK:         linalg.generic {{.*}} outs(%[[LEFTFLAT]] : memref<1x2x16xf32, strided<[64, 16, 1]>>)
// CHECK:           arith.mulf
// CHECK:         %[[RIGHT:.*]] = memref.subview %[[CAT]][0, 2, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1]
// CHECK:         %[[RIGHTFLAT:.*]] = memref.collapse_shape %[[RIGHT]] {{\[\[}}0], [1], [2, 3]]
// CHECK:         linalg.generic {{.*}} outs(%[[RIGHTFLAT]] : memref<1x2x16xf32, strided<[64, 16, 1], offset: 32>>)
// CHECK:           arith.mulf
// CHECK-NOT:     copy
// CHECK:         memref.collapse_shape %[[CAT]] {{\[\[}}0], [1], [2, 3]]
func.func @main(%x: tensor<1x8x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w1 = tessera.constant dense<0.5> : tensor<2x8x1x1xf32>
  %w2 = tessera.constant dense<0.25> : tensor<2x8x1x1xf32>
  %w3 = tessera.constant dense<0.125> : tensor<4x4x1x1xf32>
  %0 = tessera.conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = tessera.relu %0 : tensor<1x2x4x4xf32>
  %2 = tessera.conv %x, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x4x4xf32>
  %3 = tessera.relu %2 : tensor<1x2x4x4xf32>
  %4 = tessera.concat %1, %3 {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %5 = tessera.conv %4, %w3 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  return %5 : tensor<1x4x4x4xf32>
}
