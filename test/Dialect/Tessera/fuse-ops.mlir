// RUN: tessera-opt %s -split-input-file -tessera-fuse-ops | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-fuse-ops="max-group-size=2 fuse-reductions=false" | FileCheck %s --check-prefix=SMALL

// An elementwise chain (SiLU, a residual add, a clip) is one group; the
// matmul before it stands alone. A reduction joins the chain that feeds it
// and closes the group: the op after it starts a new one.
// CHECK-LABEL: func.func @chain
// CHECK:         %[[MM:.*]] = tessera.matmul %{{.*}}, %{{.*}} :
// CHECK-NOT:     fusion_group
// CHECK-SAME:    -> tensor<4x8xf32>
// CHECK:         tessera.sigmoid %[[MM]] {tessera.fusion_group = 0 : i64}
// CHECK:         tessera.mul {{.*}} {tessera.fusion_group = 0 : i64}
// CHECK:         tessera.add {{.*}} {tessera.fusion_group = 0 : i64}
// CHECK:         tessera.clip {{.*}}tessera.fusion_group = 0 : i64
// CHECK:         tessera.exp {{.*}} {tessera.fusion_group = 1 : i64}
// CHECK:         tessera.reduce_sum {{.*}}tessera.fusion_group = 1 : i64
// CHECK:         tessera.sqrt {{.*}} {tessera.fusion_group = 2 : i64}
// CHECK:         tessera.neg {{.*}} {tessera.fusion_group = 2 : i64}
// The cap of 2 splits the chain; without reductions, exp stands alone.
// SMALL-LABEL: func.func @chain
// SMALL:         tessera.sigmoid {{.*}} {tessera.fusion_group = 0 : i64}
// SMALL:         tessera.mul {{.*}} {tessera.fusion_group = 0 : i64}
// SMALL:         tessera.add {{.*}} {tessera.fusion_group = 1 : i64}
// SMALL:         tessera.clip {{.*}}tessera.fusion_group = 1 : i64
// SMALL:         tessera.exp %{{[0-9a-z_]+}} :
// SMALL:         tessera.reduce_sum
// SMALL-NOT:     tessera.fusion_group
// SMALL-SAME:    -> tensor<4x1xf32>
func.func @chain(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>, %r: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x1xf32>) {
  %mm = tessera.matmul %x, %w : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %s = tessera.sigmoid %mm : tensor<4x8xf32>
  %silu = tessera.mul %mm, %s : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %res = tessera.add %silu, %r : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = tessera.clip %res {min = 0.0 : f64, max = 6.0 : f64} : tensor<4x8xf32>
  %e = tessera.exp %y : tensor<4x8xf32>
  %sum = tessera.reduce_sum %e {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1xf32>
  %q = tessera.sqrt %sum : tensor<4x1xf32>
  %n = tessera.neg %q : tensor<4x1xf32>
  return %y, %n : tensor<4x8xf32>, tensor<4x1xf32>
}

// -----

// Not fused: a producer with a second user (%a feeds both %b and %c) and a
// producer broadcast to a larger shape (%small into %big: its work would be
// repeated). The matmul heads a group with its epilogue, the add of %c
// (computed before the matmul).
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT:     tessera.fusion_group
// CHECK:         tessera.matmul {{.*}} {tessera.fusion_group = 0 : i64}
// CHECK-NEXT:    tessera.add {{.*}} {tessera.fusion_group = 0 : i64}
// CHECK-NOT:     tessera.fusion_group
// CHECK:         return
func.func @not_fused(%x: tensor<4x4xf32>, %v: tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %a = tessera.relu %x : tensor<4x4xf32>
  %b = tessera.neg %a : tensor<4x4xf32>
  %c = tessera.exp %a : tensor<4x4xf32>
  %small = tessera.exp %v : tensor<4xf32>
  %big = tessera.add %x, %small : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  %m = tessera.matmul %b, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %d = tessera.add %c, %m : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %b, %big, %d : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A value produced before the group may join a later op of it (the bias
// of the add is an argument; the residual is computed before the chain).
// CHECK-LABEL: func.func @earlier_operands
// CHECK:         %[[R:.*]] = tessera.tanh %{{.*}} : tensor<8xf32>
// CHECK:         tessera.neg {{.*}} {tessera.fusion_group = 0 : i64}
// CHECK:         tessera.add {{.*}}, %[[R]] {tessera.fusion_group = 0 : i64}
func.func @earlier_operands(%x: tensor<8xf32>, %y: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %r = tessera.tanh %y : tensor<8xf32>
  %n = tessera.neg %x : tensor<8xf32>
  %s = tessera.add %n, %r : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %s, %r : tensor<8xf32>, tensor<8xf32>
}
