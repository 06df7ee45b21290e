// RUN: tessera-opt %s -split-input-file -tessera-fold-batch-norm | FileCheck %s

// s = scale / sqrt(var + eps) = [2, 0.5]; t = bias - mean * s = [1 - 2, 0 - 1]
// W' = W * s per output channel; b' = b * s + t = [10 * 2 - 1, 20 * 0.5 - 1].
// CHECK-LABEL: func.func @batch_norm
// CHECK-DAG:     %[[W:.*]] = tessera.constant dense<{{\[}}{{\[}}{{\[}}{{\[}}2.000000e+00]]], {{\[}}{{\[}}{{\[}}1.500000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:     %[[B:.*]] = tessera.constant dense<[1.900000e+01, 9.000000e+00]> : tensor<2xf32>
// CHECK:         %[[Y:.*]] = tessera.conv %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT:     tessera.batch_norm
// CHECK:         return %[[Y]]
func.func @batch_norm(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = tessera.constant dense<[[[[1.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b = tessera.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %scale = tessera.constant dense<[2.0, 1.5]> : tensor<2xf32>
  %bias = tessera.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = tessera.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = tessera.constant dense<[1.0, 9.0]> : tensor<2xf32>
  %y = tessera.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %z = tessera.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// A chain of per-channel constants folds link by link into a conv without
// bias: (conv * [2, 3]) + [[[1]], [[5]]] - 4 (a scalar).
// CHECK-LABEL: func.func @mul_add_sub_chain
// CHECK-DAG:     %[[W:.*]] = tessera.constant dense<{{\[}}{{\[}}{{\[}}{{\[}}2.000000e+00]]], {{\[}}{{\[}}{{\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:     %[[B:.*]] = tessera.constant dense<[-3.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK:         %[[Y:.*]] = tessera.conv %{{.*}}, %[[W]], %[[B]]
// CHECK-NEXT:    return %[[Y]]
func.func @mul_add_sub_chain(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = tessera.constant dense<1.0> : tensor<2x1x1x1xf32>
  %s = tessera.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %t = tessera.constant dense<[[[1.0]], [[5.0]]]> : tensor<2x1x1xf32>
  %four = tessera.constant dense<4.0> : tensor<f32>
  %y = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %a = tessera.mul %s, %y : (tensor<2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %b = tessera.add %a, %t : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %c = tessera.sub %b, %four : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}

// -----

// Left alone: a conv with a second user (folding would change it for that
// user too), a constant that varies along a spatial dimension, constant
// minus conv, and run-time normalization parameters.
// CHECK-LABEL: func.func @left_alone
// CHECK:         tessera.conv
// CHECK:         tessera.batch_norm
// CHECK:         tessera.conv
// CHECK:         tessera.mul
// CHECK:         tessera.conv
// CHECK:         tessera.sub
// CHECK:         tessera.conv
// CHECK:         tessera.batch_norm
func.func @left_alone(%x: tensor<1x1x4x4xf32>, %mean: tensor<2xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = tessera.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = tessera.constant dense<1.0> : tensor<2xf32>
  %rows = tessera.constant dense<[[1.0], [2.0], [3.0], [4.0]]> : tensor<4x1xf32>
  %c = tessera.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %y = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %n = tessera.batch_norm %y, %p, %p, %p, %p {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %y2 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %m = tessera.mul %y2, %rows : (tensor<1x2x4x4xf32>, tensor<4x1xf32>) -> tensor<1x2x4x4xf32>
  %y3 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s = tessera.sub %c, %y3 : (tensor<2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %y4 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %n4 = tessera.batch_norm %y4, %p, %p, %mean, %p {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y, %n, %m, %s, %n4 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Gemm-style MatMul + bias, then BatchNormalization (channels along the
// last dimension of the [N, C] result): s = [2, 0.5], t = [1 - 2, 0 - 1].
// W' = W * s per column; the bias add stays, with b' = b * s + t.
// CHECK-LABEL: func.func @matmul_batch_norm
// CHECK-DAG:     %[[W:.*]] = tessera.constant dense<{{\[}}[2.000000e+00, 1.500000e+00], [4.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG:     %[[B:.*]] = tessera.constant dense<[1.900000e+01, 9.000000e+00]> : tensor<2xf32>
// CHECK:         %[[P:.*]] = tessera.matmul %arg0, %[[W]]
// CHECK-NEXT:    %[[Y:.*]] = tessera.add %[[P]], %[[B]]
// CHECK-NEXT:    return %[[Y]]
func.func @matmul_batch_norm(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = tessera.constant dense<[[1.0, 3.0], [2.0, 4.0]]> : tensor<2x2xf32>
  %b = tessera.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %scale = tessera.constant dense<[2.0, 1.5]> : tensor<2xf32>
  %bias = tessera.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = tessera.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = tessera.constant dense<[1.0, 9.0]> : tensor<2xf32>
  %p = tessera.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %y = tessera.add %p, %b : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %z = tessera.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 0.0 : f32} : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %z : tensor<3x2xf32>
}

// -----

// A MatMul times a per-column constant folds (no bias appears); a bare
// MatMul plus a constant is its bias add and stays.
// CHECK-LABEL: func.func @matmul_scale
// CHECK-DAG:     %[[W:.*]] = tessera.constant dense<{{\[}}[2.000000e+00, 9.000000e+00], [4.000000e+00, 1.200000e+01]]> : tensor<2x2xf32>
// CHECK:         %[[P:.*]] = tessera.matmul %arg0, %[[W]]
// CHECK-NEXT:    %[[Q:.*]] = tessera.matmul %arg0, %{{.*}}
// CHECK-NEXT:    %[[R:.*]] = tessera.add %[[Q]], %{{.*}}
// CHECK-NEXT:    return %[[P]], %[[R]]
func.func @matmul_scale(%x: tensor<2x5x2xf32>) -> (tensor<2x5x2xf32>, tensor<2x5x2xf32>) {
  %w = tessera.constant dense<[[1.0, 3.0], [2.0, 4.0]]> : tensor<2x2xf32>
  %s = tessera.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %p = tessera.matmul %x, %w : (tensor<2x5x2xf32>, tensor<2x2xf32>) -> tensor<2x5x2xf32>
  %y = tessera.mul %p, %s : (tensor<2x5x2xf32>, tensor<2xf32>) -> tensor<2x5x2xf32>
  %q = tessera.matmul %x, %w : (tensor<2x5x2xf32>, tensor<2x2xf32>) -> tensor<2x5x2xf32>
  %z = tessera.add %q, %s : (tensor<2x5x2xf32>, tensor<2xf32>) -> tensor<2x5x2xf32>
  return %y, %z : tensor<2x5x2xf32>, tensor<2x5x2xf32>
}

// -----

// ConvTranspose weights are [Cin, Cout / group, k...]: with 2 groups of one
// input and two output channels each, output channel g * 2 + j scales
// W[g][j]. Scale [1, 2, 3, 4], shift 0 except the bias: b * s.
// CHECK-LABEL: func.func @conv_transpose_scale
// CHECK-DAG:     %[[W:.*]] = tessera.constant dense<{{\[}}{{\[}}{{\[}}{{\[}}1.000000e+00]], {{\[}}{{\[}}2.000000e+00]]], {{\[}}{{\[}}{{\[}}3.000000e+00]], {{\[}}{{\[}}4.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG:     %[[B:.*]] = tessera.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK:         %[[Y:.*]] = tessera.conv_transpose %arg0, %[[W]], %[[B]] {{.*}}group = 2
// CHECK-NEXT:    return %[[Y]]
func.func @conv_transpose_scale(%x: tensor<1x2x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %w = tessera.constant dense<1.0> : tensor<2x2x1x1xf32>
  %b = tessera.constant dense<1.0> : tensor<4xf32>
  %s = tessera.constant dense<[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]> : tensor<4x1x1xf32>
  %y = tessera.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  %z = tessera.mul %y, %s : (tensor<1x4x3x3xf32>, tensor<4x1x1xf32>) -> tensor<1x4x3x3xf32>
  return %z : tensor<1x4x3x3xf32>
}
