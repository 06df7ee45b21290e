// RUN: tessera-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @fold_shape_arithmetic
func.func @fold_shape_arithmetic(%x: tensor<2x12xf32>) -> tensor<3xi64> {
  // CHECK: %[[C:.*]] = tessera.constant dense<[2, 3, 4]> : tensor<3xi64>
  // CHECK: return %[[C]]
  %s = tessera.shape %x : tensor<2x12xf32> -> tensor<2xi64>
  %i = tessera.constant dense<0> : tensor<1xi64>
  %b = tessera.gather %s, %i {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  %c = tessera.constant dense<[6, 8]> : tensor<2xi64>
  %two = tessera.constant dense<2> : tensor<2xi64>
  %d = tessera.div %c, %two : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %e = tessera.sub %d, %i : (tensor<2xi64>, tensor<1xi64>) -> tensor<2xi64>
  %f = tessera.concat %b, %e {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  return %f : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @no_division_by_zero
func.func @no_division_by_zero() -> tensor<1xi64> {
  // CHECK: tessera.div
  %a = tessera.constant dense<4> : tensor<1xi64>
  %z = tessera.constant dense<0> : tensor<1xi64>
  %d = tessera.div %a, %z : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %d : tensor<1xi64>
}

// -----

// CHECK-LABEL: func.func @gather_static_dim_of_dynamic_shape
func.func @gather_static_dim_of_dynamic_shape(%x: tensor<?x768xf32>) -> tensor<1xi64> {
  // CHECK: %[[C:.*]] = tessera.constant dense<768> : tensor<1xi64>
  // CHECK: return %[[C]]
  %s = tessera.shape %x : tensor<?x768xf32> -> tensor<2xi64>
  %i = tessera.constant dense<-1> : tensor<1xi64>
  %d = tessera.gather %s, %i {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %d : tensor<1xi64>
}

// -----

// CHECK-LABEL: func.func @gather_dynamic_dim_stays
func.func @gather_dynamic_dim_stays(%x: tensor<?x768xf32>) -> tensor<1xi64> {
  // CHECK: tessera.gather
  %s = tessera.shape %x : tensor<?x768xf32> -> tensor<2xi64>
  %i = tessera.constant dense<0> : tensor<1xi64>
  %d = tessera.gather %s, %i {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %d : tensor<1xi64>
}

// -----

// CHECK-LABEL: func.func @transpose_constant
func.func @transpose_constant() -> tensor<3x2xf32> {
  // CHECK: tessera.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
  %c = tessera.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %t = tessera.transpose %c {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %t : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_chain
func.func @reshape_chain(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  // CHECK-NEXT: %[[R:.*]] = tessera.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK-NEXT: return %[[R]]
  %a = tessera.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %b = tessera.reshape %a : tensor<24xf32> -> tensor<6x4xf32>
  return %b : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @identity_ops_fold
func.func @identity_ops_fold(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NEXT: return %{{.*}} : tensor<2x3xf32>
  %t = tessera.transpose %x {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %r = tessera.reshape %t : tensor<2x3xf32> -> tensor<2x3xf32>
  %c = tessera.cast %r : tensor<2x3xf32> to tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// Transposes compose into one; a pair that cancels disappears.
// CHECK-LABEL: func.func @transpose_pairs
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT:    %[[T:.*]] = tessera.transpose %[[X]] {perm = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
// CHECK-NEXT:    return %[[T]], %[[X]]
func.func @transpose_pairs(%x: tensor<2x3x4xf32>) -> (tensor<3x2x4xf32>, tensor<2x3x4xf32>) {
  %a = tessera.transpose %x {perm = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %b = tessera.transpose %a {perm = array<i64: 0, 2, 1>} : tensor<3x4x2xf32> -> tensor<3x2x4xf32>
  %c = tessera.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %d = tessera.transpose %c {perm = array<i64: 1, 2, 0>} : tensor<4x2x3xf32> -> tensor<2x3x4xf32>
  return %b, %d : tensor<3x2x4xf32>, tensor<2x3x4xf32>
}

// -----

// Two transposes that compose to the identity but with a more specific
// result type than their input: an identity transpose stays (as a cast of
// the type), not a value of the wrong type.
// CHECK-LABEL: func.func @transpose_pair_refines_type
// CHECK-NEXT:    %[[T:.*]] = tessera.transpose %arg0 {perm = array<i64: 0, 1>} : tensor<?x4xf32> -> tensor<3x4xf32>
// CHECK-NEXT:    return %[[T]]
func.func @transpose_pair_refines_type(%x: tensor<?x4xf32>) -> tensor<3x4xf32> {
  %a = tessera.transpose %x {perm = array<i64: 1, 0>} : tensor<?x4xf32> -> tensor<4x3xf32>
  %b = tessera.transpose %a {perm = array<i64: 1, 0>} : tensor<4x3xf32> -> tensor<3x4xf32>
  return %b : tensor<3x4xf32>
}
