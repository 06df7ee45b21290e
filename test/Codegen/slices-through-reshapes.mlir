// RUN: tessera-opt %s -split-input-file -tessera-slices-through-reshapes | FileCheck %s

// A 1x1 convolution (a product on the collapsed 1x4x6 view, expanded back to
// 1x4x2x3, then bias + ReLU in place) feeding a Concat: its empty tensor
// becomes its part of the Concat's destination, collapsed the way the
// expansion undoes, and the destination moves up to where the chain starts.
// The other operand has no reshape: left to eliminate-empty-tensors.
// CHECK-LABEL: func.func @concat_operand
// CHECK:         %[[CAT:.*]] = tensor.empty() : tensor<1x8x2x3xf32>
// CHECK-NEXT:    %[[PART:.*]] = tensor.extract_slice %[[CAT]][0, 0, 0, 0] [1, 4, 2, 3] [1, 1, 1, 1] : tensor<1x8x2x3xf32> to tensor<1x4x2x3xf32>
// CHECK-NEXT:    %[[FLAT:.*]] = tensor.collapse_shape %[[PART]] {{\[\[}}0], [1], [2, 3]] : tensor<1x4x2x3xf32> into tensor<1x4x6xf32>
// CHECK-NEXT:    %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[FLAT]] : tensor<1x4x6xf32>)
// CHECK:         linalg.generic {{.*}} outs(%[[FILL]] : tensor<1x4x6xf32>)
// CHECK:         %[[OTHER:.*]] = tensor.empty() : tensor<1x4x2x3xf32>
// CHECK:         %[[LEFT:.*]] = tensor.insert_slice %{{.*}} into %[[CAT]][0, 0, 0, 0]
// CHECK:         tensor.insert_slice %{{.*}} into %[[LEFT]][0, 4, 0, 0]
#a = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
func.func @concat_operand(%w: tensor<4x8xf32>, %x: tensor<1x8x6xf32>, %bias: tensor<4x1x1xf32>, %y: tensor<1x4x2x3xf32>) -> tensor<1x8x2x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  %p = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<4x8xf32>, tensor<1x8x6xf32>) outs(%f : tensor<1x4x6xf32>) {
  ^bb0(%in: f32, %in2: f32, %acc: f32):
    %m = arith.mulf %in2, %in : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x6xf32>
  %pe = tensor.expand_shape %p [[0], [1], [2, 3]] output_shape [1, 4, 2, 3] : tensor<1x4x6xf32> into tensor<1x4x2x3xf32>
  %r = linalg.generic {indexing_maps = [#id4, #channel, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%pe, %bias : tensor<1x4x2x3xf32>, tensor<4x1x1xf32>) outs(%pe : tensor<1x4x2x3xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    %t = arith.maximumf %s, %zero : f32
    linalg.yield %t : f32
  } -> tensor<1x4x2x3xf32>
  %e2 = tensor.empty() : tensor<1x4x2x3xf32>
  %q = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y : tensor<1x4x2x3xf32>) outs(%e2 : tensor<1x4x2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.maximumf %in, %zero : f32
    linalg.yield %t : f32
  } -> tensor<1x4x2x3xf32>
  %cat = tensor.empty() : tensor<1x8x2x3xf32>
  %i0 = tensor.insert_slice %r into %cat[0, 0, 0, 0] [1, 4, 2, 3] [1, 1, 1, 1] : tensor<1x4x2x3xf32> into tensor<1x8x2x3xf32>
  %i1 = tensor.insert_slice %q into %i0[0, 4, 0, 0] [1, 4, 2, 3] [1, 1, 1, 1] : tensor<1x4x2x3xf32> into tensor<1x8x2x3xf32>
  return %i1 : tensor<1x8x2x3xf32>
}

// -----

// Left alone: the product's result is also returned, so its buffer cannot
// be the Concat's part.
// CHECK-LABEL: func.func @shared_value
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<1x4x6xf32>
// CHECK-NEXT:    linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<1x4x6xf32>)
// CHECK-NOT:     tensor.extract_slice
#a = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @shared_value(%w: tensor<4x8xf32>, %x: tensor<1x8x6xf32>) -> (tensor<1x8x2x3xf32>, tensor<1x4x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  %p = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<4x8xf32>, tensor<1x8x6xf32>) outs(%f : tensor<1x4x6xf32>) {
  ^bb0(%in: f32, %in2: f32, %acc: f32):
    %m = arith.mulf %in2, %in : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x6xf32>
  %pe = tensor.expand_shape %p [[0], [1], [2, 3]] output_shape [1, 4, 2, 3] : tensor<1x4x6xf32> into tensor<1x4x2x3xf32>
  %cat = tensor.empty() : tensor<1x8x2x3xf32>
  %i0 = tensor.insert_slice %pe into %cat[0, 0, 0, 0] [1, 4, 2, 3] [1, 1, 1, 1] : tensor<1x4x2x3xf32> into tensor<1x8x2x3xf32>
  return %i0, %p : tensor<1x8x2x3xf32>, tensor<1x4x6xf32>
}

// -----

// Both operands reshaped: the second's part is taken from the insertion of
// the first, which moves up (with the destination) to where the second
// chain starts.
// CHECK-LABEL: func.func @two_reshaped_operands
// CHECK:         %[[CAT:.*]] = tensor.empty() : tensor<1x4x2x3xf32>
// CHECK-NEXT:    %[[PART0:.*]] = tensor.extract_slice %[[CAT]][0, 0, 0, 0] [1, 2, 2, 3]
// CHECK-NEXT:    %[[FLAT0:.*]] = tensor.collapse_shape %[[PART0]]
// CHECK:         %[[P0:.*]] = linalg.generic {{.*}} outs(%[[FLAT0]] : tensor<1x2x6xf32>)
// CHECK:         %[[X0:.*]] = tensor.expand_shape %[[P0]]
// CHECK-NEXT:    %[[LEFT:.*]] = tensor.insert_slice %[[X0]] into %[[CAT]][0, 0, 0, 0]
// CHECK-NEXT:    %[[PART1:.*]] = tensor.extract_slice %[[LEFT]][0, 2, 0, 0] [1, 2, 2, 3]
// CHECK-NEXT:    %[[FLAT1:.*]] = tensor.collapse_shape %[[PART1]]
// CHECK:         %[[P1:.*]] = linalg.generic {{.*}} outs(%[[FLAT1]] : tensor<1x2x6xf32>)
// CHECK:         %[[X1:.*]] = tensor.expand_shape %[[P1]]
// CHECK-NEXT:    tensor.insert_slice %[[X1]] into %[[LEFT]][0, 2, 0, 0]
#a = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @two_reshaped_operands(%w: tensor<2x8xf32>, %x: tensor<1x8x6xf32>) -> tensor<1x4x2x3xf32> {
  %e0 = tensor.empty() : tensor<1x2x6xf32>
  %p0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<2x8xf32>, tensor<1x8x6xf32>) outs(%e0 : tensor<1x2x6xf32>) {
  ^bb0(%in: f32, %in2: f32, %acc: f32):
    %m = arith.mulf %in2, %in : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x6xf32>
  %x0 = tensor.expand_shape %p0 [[0], [1], [2, 3]] output_shape [1, 2, 2, 3] : tensor<1x2x6xf32> into tensor<1x2x2x3xf32>
  %e1 = tensor.empty() : tensor<1x2x6xf32>
  %p1 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<2x8xf32>, tensor<1x8x6xf32>) outs(%e1 : tensor<1x2x6xf32>) {
  ^bb0(%in: f32, %in2: f32, %acc: f32):
    %m = arith.mulf %in2, %in : f32
    %s = arith.subf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x6xf32>
  %x1 = tensor.expand_shape %p1 [[0], [1], [2, 3]] output_shape [1, 2, 2, 3] : tensor<1x2x6xf32> into tensor<1x2x2x3xf32>
  %cat = tensor.empty() : tensor<1x4x2x3xf32>
  %i0 = tensor.insert_slice %x0 into %cat[0, 0, 0, 0] [1, 2, 2, 3] [1, 1, 1, 1] : tensor<1x2x2x3xf32> into tensor<1x4x2x3xf32>
  %i1 = tensor.insert_slice %x1 into %i0[0, 2, 0, 0] [1, 2, 2, 3] [1, 1, 1, 1] : tensor<1x2x2x3xf32> into tensor<1x4x2x3xf32>
  return %i1 : tensor<1x4x2x3xf32>
}

// -----

// A chain through a collapse: the part is expanded back. A destination
// that cannot move up (filled after the chain) leaves the chain alone, and
// nothing is moved.
// CHECK-LABEL: func.func @collapsed_chain
// CHECK:         %[[CAT:.*]] = tensor.empty() : tensor<1x4x6xf32>
// CHECK-NEXT:    %[[PART:.*]] = tensor.extract_slice %[[CAT]][0, 0, 0] [1, 2, 6] [1, 1, 1] : tensor<1x4x6xf32> to tensor<1x2x6xf32>
// CHECK-NEXT:    %[[UNFLAT:.*]] = tensor.expand_shape %[[PART]] {{\[\[}}0], [1], [2, 3]] output_shape [1, 2, 2, 3] : tensor<1x2x6xf32> into tensor<1x2x2x3xf32>
// CHECK-NEXT:    linalg.generic {{.*}} outs(%[[UNFLAT]] : tensor<1x2x2x3xf32>)
// CHECK-LABEL: func.func @unmovable_destination
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<1x2x2x3xf32>
// CHECK-NEXT:    linalg.generic {{.*}} outs(%[[E]] : tensor<1x2x2x3xf32>)
// CHECK-NEXT:    ^bb0
// CHECK:         tensor.collapse_shape
// CHECK-NEXT:    tensor.empty() : tensor<1x4x6xf32>
// CHECK-NEXT:    linalg.fill
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @collapsed_chain(%x: tensor<1x2x2x3xf32>) -> tensor<1x4x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x3xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x2x3xf32>) outs(%e : tensor<1x2x2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.maximumf %in, %zero : f32
    linalg.yield %t : f32
  } -> tensor<1x2x2x3xf32>
  %flat = tensor.collapse_shape %r [[0], [1], [2, 3]] : tensor<1x2x2x3xf32> into tensor<1x2x6xf32>
  %cat = tensor.empty() : tensor<1x4x6xf32>
  %i0 = tensor.insert_slice %flat into %cat[0, 0, 0] [1, 2, 6] [1, 1, 1] : tensor<1x2x6xf32> into tensor<1x4x6xf32>
  return %i0 : tensor<1x4x6xf32>
}
func.func @unmovable_destination(%x: tensor<1x2x2x3xf32>) -> tensor<1x4x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x3xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x2x3xf32>) outs(%e : tensor<1x2x2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.maximumf %in, %zero : f32
    linalg.yield %t : f32
  } -> tensor<1x2x2x3xf32>
  %flat = tensor.collapse_shape %r [[0], [1], [2, 3]] : tensor<1x2x2x3xf32> into tensor<1x2x6xf32>
  %cat = tensor.empty() : tensor<1x4x6xf32>
  %filled = linalg.fill ins(%zero : f32) outs(%cat : tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  %i0 = tensor.insert_slice %flat into %filled[0, 0, 0] [1, 2, 6] [1, 1, 1] : tensor<1x2x6xf32> into tensor<1x4x6xf32>
  return %i0 : tensor<1x4x6xf32>
}
