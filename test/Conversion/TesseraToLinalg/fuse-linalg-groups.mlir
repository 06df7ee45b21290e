// RUN: tessera-opt %s -split-input-file -tessera-convert-to-linalg -tessera-fuse-linalg-groups | FileCheck %s

// The lowering copies each op's group onto its linalg ops; the group's
// chain (sigmoid, mul, add) becomes one generic that computes all three.
// The op without a group (relu) keeps its own loop nest.
// CHECK-LABEL: func.func @silu_residual
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @silu_residual(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = tessera.relu %x : tensor<4x8xf32>
  %s = tessera.sigmoid %a {tessera.fusion_group = 0 : i64} : tensor<4x8xf32>
  %m = tessera.mul %a, %s {tessera.fusion_group = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = tessera.add %m, %r {tessera.fusion_group = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The fused body, in order: sigmoid's exp and division, the product, the
// residual add; the fused op keeps the group.
// CHECK-LABEL: func.func @fused_body
// CHECK:         linalg.generic
// CHECK-SAME:    ins(%arg0, %arg0, %arg1 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK-SAME:    tessera.fusion_group = 3 : i64
// CHECK:           math.exp
// CHECK:           arith.divf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         } -> tensor<8xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @fused_body(%x: tensor<8xf32>, %r: tensor<8xf32>) -> tensor<8xf32> {
  %s = tessera.sigmoid %x {tessera.fusion_group = 3 : i64} : tensor<8xf32>
  %m = tessera.mul %x, %s {tessera.fusion_group = 3 : i64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %y = tessera.add %m, %r {tessera.fusion_group = 3 : i64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Different groups, and a producer with a second user, stay apart: three
// generics for three ops.
// CHECK-LABEL: func.func @kept_apart
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT:     linalg.generic
func.func @kept_apart(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %a = tessera.exp %x {tessera.fusion_group = 0 : i64} : tensor<8xf32>
  %b = tessera.neg %a {tessera.fusion_group = 1 : i64} : tensor<8xf32>
  %c = tessera.tanh %b {tessera.fusion_group = 1 : i64} : tensor<8xf32>
  return %b, %c : tensor<8xf32>, tensor<8xf32>
}

// -----

// A reduction with the elementwise producer of its input: one reducing
// generic that squares as it sums.
// CHECK-LABEL: func.func @sum_of_squares
// CHECK:         linalg.fill
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK-NOT:     linalg.generic
func.func @sum_of_squares(%x: tensor<4x8xf32>) -> tensor<4x1xf32> {
  %sq = tessera.mul %x, %x {tessera.fusion_group = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %s = tessera.reduce_sum %sq {axes = array<i64: 1>, tessera.fusion_group = 0 : i64} : tensor<4x8xf32> -> tensor<4x1xf32>
  return %s : tensor<4x1xf32>
}
