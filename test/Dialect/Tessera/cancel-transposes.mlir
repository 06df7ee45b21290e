// RUN: tessera-opt %s -split-input-file -tessera-cancel-transposes | FileCheck %s

// Moving a size-1 dimension moves no data: a reshape, which then merges
// with the reshape before it.
// CHECK-LABEL: func.func @unit_transpose
// CHECK-SAME:    (%[[X:.*]]: tensor<1x128x256xf32>, %[[Y:.*]]: tensor<128x256xf32>)
// CHECK-NEXT:    %[[A:.*]] = tessera.reshape %[[X]] : tensor<1x128x256xf32> -> tensor<128x1x256xf32>
// CHECK-NEXT:    %[[B:.*]] = tessera.reshape %[[Y]] : tensor<128x256xf32> -> tensor<1x128x256xf32>
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @unit_transpose(%x: tensor<1x128x256xf32>, %y: tensor<128x256xf32>) -> (tensor<128x1x256xf32>, tensor<1x128x256xf32>) {
  %a = tessera.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<1x128x256xf32> -> tensor<128x1x256xf32>
  %r = tessera.reshape %y : tensor<128x256xf32> -> tensor<128x1x256xf32>
  %b = tessera.transpose %r {perm = array<i64: 1, 0, 2>} : tensor<128x1x256xf32> -> tensor<1x128x256xf32>
  return %a, %b : tensor<128x1x256xf32>, tensor<1x128x256xf32>
}

// -----

// Transposes that move data stay, and so do dynamic ones; one that swaps
// a size-1 dimension with a neighbour is a reshape.
// CHECK-LABEL: func.func @data_transpose
// CHECK-NEXT:    tessera.reshape %arg0 : tensor<2x1x3xf32> -> tensor<1x2x3xf32>
// CHECK-NEXT:    tessera.transpose %arg0 {perm = array<i64: 2, 1, 0>} : tensor<2x1x3xf32> -> tensor<3x1x2xf32>
// CHECK-NEXT:    tessera.transpose %arg1 {perm = array<i64: 1, 0>} : tensor<?x1xf32> -> tensor<1x?xf32>
func.func @data_transpose(%x: tensor<2x1x3xf32>, %d: tensor<?x1xf32>) -> (tensor<1x2x3xf32>, tensor<3x1x2xf32>, tensor<1x?xf32>) {
  %a = tessera.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<2x1x3xf32> -> tensor<1x2x3xf32>
  %b = tessera.transpose %x {perm = array<i64: 2, 1, 0>} : tensor<2x1x3xf32> -> tensor<3x1x2xf32>
  %c = tessera.transpose %d {perm = array<i64: 1, 0>} : tensor<?x1xf32> -> tensor<1x?xf32>
  return %a, %b, %c : tensor<1x2x3xf32>, tensor<3x1x2xf32>, tensor<1x?xf32>
}

// -----

// NCHW -> NHWC, an activation, NHWC -> NCHW: the first transpose sinks
// below the activation, meets the second, and the pair cancels.
// CHECK-LABEL: func.func @sink_through_unary
// CHECK-NEXT:    %[[R:.*]] = tessera.relu %arg0 : tensor<1x3x4x5xf32>
// CHECK-NEXT:    return %[[R]]
func.func @sink_through_unary(%x: tensor<1x3x4x5xf32>) -> tensor<1x3x4x5xf32> {
  %t = tessera.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<1x3x4x5xf32> -> tensor<1x4x5x3xf32>
  %r = tessera.relu %t : tensor<1x4x5x3xf32>
  %u = tessera.transpose %r {perm = array<i64: 0, 3, 1, 2>} : tensor<1x4x5x3xf32> -> tensor<1x3x4x5xf32>
  return %u : tensor<1x3x4x5xf32>
}

// -----

// The first transpose has another user: it stays (sinking it would leave a
// transpose on each path).
// CHECK-LABEL: func.func @shared_transpose
// CHECK-NEXT:    %[[T:.*]] = tessera.transpose %arg0
// CHECK-NEXT:    %[[R:.*]] = tessera.relu %[[T]]
// CHECK-NEXT:    %[[U:.*]] = tessera.transpose %[[R]]
// CHECK-NEXT:    return %[[U]], %[[T]]
func.func @shared_transpose(%x: tensor<1x3x4x5xf32>) -> (tensor<1x3x4x5xf32>, tensor<1x4x5x3xf32>) {
  %t = tessera.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<1x3x4x5xf32> -> tensor<1x4x5x3xf32>
  %r = tessera.relu %t : tensor<1x4x5x3xf32>
  %u = tessera.transpose %r {perm = array<i64: 0, 3, 1, 2>} : tensor<1x4x5x3xf32> -> tensor<1x3x4x5xf32>
  return %u, %t : tensor<1x3x4x5xf32>, tensor<1x4x5x3xf32>
}

// -----

// add(transpose(a), transpose(b)) with one permutation: one transpose after
// the add.
// CHECK-LABEL: func.func @hoist_over_binary
// CHECK-NEXT:    %[[S:.*]] = tessera.add %arg0, %arg1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:    %[[T:.*]] = tessera.transpose %[[S]] {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK-NEXT:    return %[[T]]
func.func @hoist_over_binary(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %ta = tessera.transpose %a {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %tb = tessera.transpose %b {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %s = tessera.add %ta, %tb : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %s : tensor<3x2xf32>
}

// -----

// Both transposes are also returned: hoisting would add a third.
// CHECK-LABEL: func.func @binary_shared_transposes
// CHECK-COUNT-2: tessera.transpose
// CHECK-NOT:     tessera.transpose
// CHECK:         return
func.func @binary_shared_transposes(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
  %ta = tessera.transpose %a {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %tb = tessera.transpose %b {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %s = tessera.add %ta, %tb : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %s, %ta, %tb : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>
}
