// RUN: tessera-opt %s -split-input-file -tessera-order-contraction-loops | FileCheck %s

// A matmul's iterators (m, n, k) become (m, k, n): the output's contiguous
// dimension is innermost and the reduction is before it.
// CHECK-DAG:   #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG:   #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK:         linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "reduction", "parallel"]}
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @matmul(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A 1-D convolution window (n, oc, ow, ic, kw): the output width moves
// after the reductions.
// CHECK-LABEL: func.func @conv1d
// CHECK:         iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel"]
#in = affine_map<(n, oc, ow, ic, kw) -> (n, ic, ow + kw)>
#w = affine_map<(n, oc, ow, ic, kw) -> (oc, ic, kw)>
#out = affine_map<(n, oc, ow, ic, kw) -> (n, oc, ow)>
func.func @conv1d(%x: memref<1x2x10xf32>, %w: memref<3x2x3xf32>, %y: memref<1x3x8xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : memref<1x2x10xf32>, memref<3x2x3xf32>) outs(%y : memref<1x3x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A plain reduction (one input) keeps its order: moving the kept dimension
// innermost would read its input with a stride.
// CHECK-LABEL: func.func @row_sum
// CHECK:         iterator_types = ["parallel", "reduction"]
#r_in = affine_map<(i, j) -> (i, j)>
#r_out = affine_map<(i, j) -> (i)>
func.func @row_sum(%x: memref<4x8xf32>, %y: memref<4xf32>) {
  linalg.generic {indexing_maps = [#r_in, #r_out], iterator_types = ["parallel", "reduction"]} ins(%x : memref<4x8xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A matmul whose B (K x N) is larger than one 256 x 256 block is first
// tiled into such blocks of N and K (k-blocks in order, so sums keep their
// order); each block is then reordered.
// CHECK-LABEL: func.func @blocked_matmul
// CHECK-DAG:     %[[C256:.*]] = arith.constant 256 : index
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C256]]
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C256]]
// CHECK:             linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME:          ins(%{{.*}}, %{{.*}} : memref<64x256xf32, strided<[512, 1], offset: ?>>, memref<256x256xf32, strided<[1024, 1], offset: ?>>)
#bA = affine_map<(m, n, k) -> (m, k)>
#bB = affine_map<(m, n, k) -> (k, n)>
#bC = affine_map<(m, n, k) -> (m, n)>
func.func @blocked_matmul(%a: memref<64x512xf32>, %b: memref<512x1024xf32>, %c: memref<64x1024xf32>) {
  linalg.generic {indexing_maps = [#bA, #bB, #bC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x512xf32>, memref<512x1024xf32>) outs(%c : memref<64x1024xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
