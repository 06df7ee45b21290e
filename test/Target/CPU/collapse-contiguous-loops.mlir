// RUN: tessera-opt %s -split-input-file -tessera-collapse-contiguous-loops | FileCheck %s

// A per-channel bias add over 1x8x14x14 buffers: the batch dim (size 1)
// is dropped and the 14x14 plane, contiguous in both full operands, is one
// loop of 196; the bias (8x1x1, read at (c, 0, 0)) is a vector of 8.
// CHECK-LABEL: func.func @bias_add_plane
// CHECK-DAG:     %[[B:.*]] = memref.collapse_shape %arg1 {{\[}}[0, 1, 2]] : memref<8x1x1xf32> into memref<8xf32>
// CHECK-DAG:     %[[X:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : memref<8x14x14xf32> into memref<8x196xf32>
// CHECK-DAG:     %[[Y:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : memref<8x14x14xf32> into memref<8x196xf32>
// CHECK:         linalg.generic {indexing_maps = [#[[ID:.*]], #[[BIAS:.*]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[X]], %[[B]] : memref<8x196xf32>, memref<8xf32>) outs(%[[Y]] : memref<8x196xf32>)
#id = affine_map<(n, c, y, x) -> (n, c, y, x)>
#bias = affine_map<(n, c, y, x) -> (c, 0, 0)>
func.func @bias_add_plane(%x: memref<1x8x14x14xf32>, %b: memref<8x1x1xf32>, %y: memref<1x8x14x14xf32>) {
  linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %b : memref<1x8x14x14xf32>, memref<8x1x1xf32>) outs(%y : memref<1x8x14x14xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A strided view (rows 16 apart, 14 used) keeps its rows apart from each
// other; its channels (224 = 14 rows of 16 apart) still merge with the rows.
// CHECK-LABEL: func.func @strided_view_blocks
// CHECK:         %[[X:.*]] = memref.collapse_shape %arg0 {{\[}}[0, 1], [2]] : memref<8x14x14xf32, strided<[224, 16, 1]>> into memref<112x14xf32, strided<[16, 1]>>
// CHECK:         %[[Y:.*]] = memref.collapse_shape %arg1 {{\[}}[0, 1], [2]] : memref<8x14x14xf32> into memref<112x14xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]] : memref<112x14xf32, strided<[16, 1]>>) outs(%[[Y]] : memref<112x14xf32>)
#id3 = affine_map<(c, y, x) -> (c, y, x)>
func.func @strided_view_blocks(%x: memref<8x14x14xf32, strided<[224, 16, 1]>>, %y: memref<8x14x14xf32>) {
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : memref<8x14x14xf32, strided<[224, 16, 1]>>) outs(%y : memref<8x14x14xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// A transposed read keeps its loops; so does a reduction over one loop.
// CHECK-LABEL: func.func @transpose_and_reduction
// CHECK-NOT:     memref.collapse_shape
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%arg0 : memref<4x6xf32>) outs(%arg1 : memref<6x4xf32>)
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg0 : memref<4x6xf32>) outs(%arg2 : memref<4xf32>)
func.func @transpose_and_reduction(%x: memref<4x6xf32>, %t: memref<6x4xf32>, %s: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<4x6xf32>) outs(%t : memref<6x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<4x6xf32>) outs(%s : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A strided view keeps its unit dim (upstream drops unit dims only of
// identity layouts), so the row mean stays read at (n, c, 0): with a
// constant index left in a map nothing merges.
// CHECK-LABEL: func.func @strided_unit_dim
// CHECK-NOT:     memref.collapse_shape
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
func.func @strided_unit_dim(%x: memref<1x4x8xf32, strided<[96, 24, 1], offset: ?>>, %m: memref<1x4x1xf32>, %y: memref<1x4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c, w) -> (n, c, w)>, affine_map<(n, c, w) -> (n, c, 0)>, affine_map<(n, c, w) -> (n, c, w)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %m : memref<1x4x8xf32, strided<[96, 24, 1], offset: ?>>, memref<1x4x1xf32>) outs(%y : memref<1x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.subf %a, %b : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A global average pool's sum (with the bias and ReLU before it) over
// 1x8x13x13: the batch dim is dropped and the two reduction loops, over
// a contiguous 13x13 plane, are one loop of 169. Its zero fill moves down
// to it and zeroes the same view, so that one kernel runs both.
// CHECK-LABEL: func.func @plane_sum
// CHECK-DAG:     %[[X:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : memref<8x13x13xf32> into memref<8x169xf32>
// CHECK-DAG:     %[[S:.*]] = memref.collapse_shape %arg2 {{\[}}[0, 1]] : memref<1x8xf32> into memref<8xf32>
// CHECK:         linalg.fill {tessera.fusion_group = 3 : i64} ins(%{{.*}} : f32) outs(%[[S]] : memref<8xf32>)
// CHECK-NEXT:    linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]}
// CHECK-SAME:      ins(%[[X]], %{{.*}} : memref<8x169xf32>, memref<8xf32>) outs(%[[S]] : memref<8xf32>)
// CHECK-NOT:     linalg.fill
#plane_in = affine_map<(n, c, y, x) -> (n, c, y, x)>
#plane_bias = affine_map<(n, c, y, x) -> (c, 0, 0)>
#plane_out = affine_map<(n, c, y, x) -> (n, c)>
func.func @plane_sum(%x: memref<1x8x13x13xf32>, %b: memref<8x1x1xf32>, %s: memref<1x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill {tessera.fusion_group = 3 : i64} ins(%zero : f32) outs(%s : memref<1x8xf32>)
  linalg.generic {indexing_maps = [#plane_in, #plane_bias, #plane_out], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x, %b : memref<1x8x13x13xf32>, memref<8x1x1xf32>) outs(%s : memref<1x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %t = arith.addf %a, %c : f32
    %r = arith.maximumf %t, %zero : f32
    %u = arith.addf %o, %r : f32
    linalg.yield %u : f32
  }
  return
}

// -----

// A product keeps its unit dims: as a 1-row product (of a 1x8 row and an
// 8x10 matrix) tessera-matmul-to-microkernel takes it, as the
// matrix-vector product without them it would not.
// CHECK-LABEL: func.func @product_keeps_unit_dims
// CHECK-NOT:     memref.collapse_shape
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%arg0, %arg1 : memref<1x8xf32>, memref<8x10xf32>) outs(%arg2 : memref<1x10xf32>)
#product_x = affine_map<(m, n, k) -> (m, k)>
#product_w = affine_map<(m, n, k) -> (k, n)>
#product_out = affine_map<(m, n, k) -> (m, n)>
func.func @product_keeps_unit_dims(%x: memref<1x8xf32>, %w: memref<8x10xf32>, %y: memref<1x10xf32>) {
  linalg.generic {indexing_maps = [#product_x, #product_w, #product_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<1x8xf32>, memref<8x10xf32>) outs(%y : memref<1x10xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A window's reduction (a 2x2 max pool at stride 2 over 1x4x8x8; the
// 2x2 window buffer only gives the window loops their extent) is left as
// it is: its loops never merge, and its unit dims stay.
// CHECK-LABEL: func.func @window_stays
// CHECK-NOT:     memref.collapse_shape
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME:      ins(%arg0, %arg1 : memref<1x4x8x8xf32>, memref<2x2xf32>) outs(%arg2 : memref<1x4x4x4xf32>)
#window_in = affine_map<(n, c, y, x, i, j) -> (n, c, y * 2 + i, x * 2 + j)>
#window_shape = affine_map<(n, c, y, x, i, j) -> (i, j)>
#window_out = affine_map<(n, c, y, x, i, j) -> (n, c, y, x)>
func.func @window_stays(%x: memref<1x4x8x8xf32>, %w: memref<2x2xf32>, %y: memref<1x4x4x4xf32>) {
  linalg.generic {indexing_maps = [#window_in, #window_shape, #window_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : memref<1x4x8x8xf32>, memref<2x2xf32>) outs(%y : memref<1x4x4x4xf32>) {
  ^bb0(%a: f32, %unused: f32, %o: f32):
    %m = arith.maximumf %o, %a : f32
    linalg.yield %m : f32
  }
  return
}
