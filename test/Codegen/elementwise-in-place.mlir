// RUN: tessera-opt %s -split-input-file -tessera-elementwise-in-place | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-elementwise-in-place -one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BUF

// A bias add over a product's result, through a reshape, writes over it:
// the product's buffer is the bias add's, with no copy.
// CHECK-LABEL: func.func @bias_over_product
// CHECK:         %[[P:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:         %[[X:.*]] = tensor.expand_shape %[[P]]
// CHECK:         linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<4x2x3xf32>, tensor<4xf32>) outs(%[[X]] : tensor<4x2x3xf32>)
// BUF-LABEL:   func.func @bias_over_product
// BUF:           %[[ALLOC:.*]] = memref.alloc() {{.*}} : memref<4x6xf32>
// BUF:           %[[X:.*]] = memref.expand_shape %[[ALLOC]]
// BUF:           linalg.generic {{.*}} ins(%[[X]], %{{.*}} : memref<4x2x3xf32>, memref<4xf32{{.*}}>) outs(%[[X]] : memref<4x2x3xf32>)
// BUF-NOT:       memref.copy
// BUF:           return
func.func @bias_over_product(%a: tensor<4x5xf32>, %b: tensor<5x6xf32>, %bias: tensor<4xf32>) -> tensor<4x2x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<4x6xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4x6xf32>) -> tensor<4x6xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<4x5xf32>, tensor<5x6xf32>) outs(%acc : tensor<4x6xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x6xf32>
  %x = tensor.expand_shape %p [[0], [1, 2]] output_shape [4, 2, 3] : tensor<4x6xf32> into tensor<4x2x3xf32>
  %e = tensor.empty() : tensor<4x2x3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (i)>, affine_map<(i, j, k) -> (i, j, k)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %bias : tensor<4x2x3xf32>, tensor<4xf32>) outs(%e : tensor<4x2x3xf32>) {
  ^bb0(%v: f32, %c: f32, %o: f32):
    %s = arith.addf %v, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x2x3xf32>
  return %r : tensor<4x2x3xf32>
}

// -----

// Kept as they are: a function argument (the caller's), an input used
// again later (its value must survive), and an input read through another
// map (a transpose would overwrite elements it has yet to read).
// CHECK-LABEL: func.func @left_alone
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK-COUNT-3: outs(%[[E]] : tensor<4x4xf32>)
func.func @left_alone(%arg: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tensor.empty() : tensor<4x4xf32>
  %neg = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%arg : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<4x4xf32>
  %twice = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%neg : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %v, %v : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%twice : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<4x4xf32>
  return %neg, %t, %arg : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A residual add whose two inputs both die there (the main branch, an
// elementwise result, and a downsampling product): it writes over the
// product's result, whichever comes first.
// CHECK-LABEL: func.func @residual_over_product
// CHECK:         %[[MAIN:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK:         %[[P:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:         linalg.generic {{.*}} ins(%[[MAIN]], %[[P]] : tensor<4x6xf32>, tensor<4x6xf32>) outs(%[[P]] : tensor<4x6xf32>)
func.func @residual_over_product(%a: tensor<4x5xf32>, %b: tensor<5x6xf32>, %x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x6xf32>
  %main = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x6xf32>) outs(%e1 : tensor<4x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x6xf32>
  %e0 = tensor.empty() : tensor<4x6xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4x6xf32>) -> tensor<4x6xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<4x5xf32>, tensor<5x6xf32>) outs(%acc : tensor<4x6xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %m = arith.mulf %v, %w : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x6xf32>
  %e = tensor.empty() : tensor<4x6xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%main, %p : tensor<4x6xf32>, tensor<4x6xf32>) outs(%e : tensor<4x6xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    linalg.yield %s : f32
  } -> tensor<4x6xf32>
  return %r : tensor<4x6xf32>
}
