// RUN: tessera-opt %s -split-input-file -tessera-infer-shapes | FileCheck %s

// CHECK-LABEL: func.func @refine(%{{.*}}: tensor<4x8xf32>) -> tensor<4x8xf32>
func.func @refine(%x: tensor<4x8xf32>) -> tensor<?x8xf32> {
  // CHECK: tessera.add {{.*}} -> tensor<4x8xf32>
  // CHECK: tessera.matmul {{.*}} -> tensor<4x4xf32>
  // CHECK: tessera.reduce_sum {{.*}} -> tensor<4x1xf32>
  // CHECK: tessera.mul {{.*}} -> tensor<4x8xf32>
  %0 = tessera.add %x, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  %t = tessera.transpose %x {perm = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  %1 = tessera.matmul %0, %t : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x?xf32>
  %2 = tessera.reduce_sum %1 {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x1xf32>
  %3 = tessera.mul %0, %2 : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32>
  return %3 : tensor<?x8xf32>
}

// -----

// A type the IR already knows better than inference is kept.
// CHECK-LABEL: func.func @keep_known
func.func @keep_known(%x: tensor<?x8xf32>) -> tensor<4x8xf32> {
  // CHECK: tessera.add {{.*}} -> tensor<4x8xf32>
  %0 = tessera.add %x, %x : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
