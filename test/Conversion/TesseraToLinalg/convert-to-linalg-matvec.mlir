// RUN: tessera-opt %s -split-input-file -tessera-convert-to-linalg -mlir-print-local-scope | FileCheck %s
// A 1-D matmul operand gets no m (or n) loop, yet the lowering still creates
// one, leaving an unused loop dimension: the linalg.generic fails to verify
// ("indexing maps are non-invertible"). Remove the XFAIL once fixed.
// XFAIL: *

// CHECK-LABEL: func.func @vector_matrix
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8x16xf32>) outs(%{{.*}} : tensor<16xf32>)
func.func @vector_matrix(%a: tensor<8xf32>, %b: tensor<8x16xf32>) -> tensor<16xf32> {
  %0 = tessera.matmul %a, %b : (tensor<8xf32>, tensor<8x16xf32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

// CHECK-LABEL: func.func @matrix_vector
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<2x8xi32>, tensor<8xi32>) outs(%{{.*}} : tensor<2xi32>)
func.func @matrix_vector(%a: tensor<2x8xi32>, %b: tensor<8xi32>) -> tensor<2xi32> {
  %0 = tessera.matmul %a, %b : (tensor<2x8xi32>, tensor<8xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}
