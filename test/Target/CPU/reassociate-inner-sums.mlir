// RUN: tessera-opt %s -split-input-file -tessera-reassociate-inner-sums | FileCheck %s

// Softmax's sum of exponentials along the innermost loop: its add may be
// reassociated, so that LLVM vectorizes it. The exponential is untouched.
// CHECK-LABEL: func.func @sum_of_exponentials
// CHECK:         math.exp %{{.*}} : f32
// CHECK-NEXT:    arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
#row = affine_map<(i, k) -> (i, k)>
#out = affine_map<(i, k) -> (i)>
func.func @sum_of_exponentials(%x: memref<32x128xf32>, %s: memref<32xf32>) {
  linalg.generic {indexing_maps = [#row, #out], iterator_types = ["parallel", "reduction"]} ins(%x : memref<32x128xf32>) outs(%s : memref<32xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %e = math.exp %in : f32
    %sum = arith.addf %acc, %e : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// Flags already on the add are kept; the accumulator may be either operand.
// CHECK-LABEL: func.func @keeps_flags
// CHECK:         arith.addf %{{.*}}, %{{.*}} fastmath<reassoc,contract> : f32
#row = affine_map<(i, k) -> (i, k)>
#out = affine_map<(i, k) -> (i)>
func.func @keeps_flags(%x: memref<32x128xf32>, %s: memref<32xf32>) {
  linalg.generic {indexing_maps = [#row, #out], iterator_types = ["parallel", "reduction"]} ins(%x : memref<32x128xf32>) outs(%s : memref<32xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %in, %acc fastmath<contract> : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// A reduction over an outer loop (the innermost loop is parallel: LLVM
// vectorizes it without reassociating), a maximum, and an add that does
// not accumulate (the yielded value is not a sum into the output) keep
// their order.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     fastmath
#col = affine_map<(k, j) -> (k, j)>
#outj = affine_map<(k, j) -> (j)>
#row = affine_map<(i, k) -> (i, k)>
#out = affine_map<(i, k) -> (i)>
func.func @left_alone(%x: memref<128x32xf32>, %y: memref<32x128xf32>, %s: memref<32xf32>) {
  linalg.generic {indexing_maps = [#col, #outj], iterator_types = ["reduction", "parallel"]} ins(%x : memref<128x32xf32>) outs(%s : memref<32xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %acc, %in : f32
    linalg.yield %sum : f32
  }
  linalg.generic {indexing_maps = [#row, #out], iterator_types = ["parallel", "reduction"]} ins(%y : memref<32x128xf32>) outs(%s : memref<32xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %max = arith.maximumf %acc, %in : f32
    linalg.yield %max : f32
  }
  linalg.generic {indexing_maps = [#row, #out], iterator_types = ["parallel", "reduction"]} ins(%y : memref<32x128xf32>) outs(%s : memref<32xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %twice = arith.addf %in, %in : f32
    linalg.yield %twice : f32
  }
  return
}
