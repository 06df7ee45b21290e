// RUN: tessera-opt %s -split-input-file -verify-diagnostics

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{operand shapes are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tessera.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @wrong_result_shape(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'tessera.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tessera.add %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{contraction dimensions differ (3 and 4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tessera.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{input has 3 channels but the weight expects 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{perm is not a permutation of [0, rank)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tessera.transpose %x {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{input has 6 elements but the result has 8}}
  %0 = tessera.reshape %x : tensor<2x3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @reshape_dynamic_without_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{a result with dynamic dimensions needs a shape operand}}
  %0 = tessera.reshape %x : tensor<2x3xf32> -> tensor<?xf32>
  return
}

// -----

func.func @reduce_axes(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reduction axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tessera.reduce_sum %x {axes = array<i64: 2>} : tensor<2x3xf32> -> tensor<2x3x1xf32>
  return
}

// -----

func.func @split_sizes(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{result sizes along axis 1 add up to 7, not 8}}
  %0:2 = tessera.split %x {axis = 1 : i64} : tensor<2x8xf32> -> tensor<2x3xf32>, tensor<2x4xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = tessera.softmax %x {axis = 2 : i64} : tensor<2x8xf32>
  return
}

// -----

func.func @clip_bounds(%x: tensor<2xf32>) {
  // expected-error @+1 {{min 6.000000e+00 is greater than max 0.000000e+00}}
  %0 = tessera.clip %x {min = 6.0 : f64, max = 0.0 : f64} : tensor<2xf32>
  return
}

// -----

func.func @batch_norm_channels(%x: tensor<1x4x2x2xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{scale, bias, mean and variance must be 1-D with 4 elements}}
  %0 = tessera.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : (tensor<1x4x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @expand_incompatible(%x: tensor<3xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{does not broadcast to}}
  %0 = tessera.expand %x, %s : (tensor<3xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @non_zero_rows(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result must have one row per input dimension (2)}}
  %0 = tessera.non_zero %x : tensor<2x3xf32> -> tensor<3x?xi64>
  return
}

// -----

func.func @range_element_type(%s: tensor<f32>) {
  // expected-error @+1 {{result element type must match the operands'}}
  %0 = tessera.range %s, %s, %s : tensor<f32> -> tensor<?xf64>
  return
}

// -----

func.func @grid_sample_result(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x3x2xf32>) {
  // expected-error @+1 {{result dimension 1 is 3, expected 2}}
  %0 = tessera.grid_sample %x, %g {align_corners = false, mode = #tessera<resize_mode linear>, padding = #tessera<grid_sample_padding zeros>} : (tensor<1x2x4x4xf32>, tensor<1x3x3x2xf32>) -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @non_max_suppression_scores(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x5xf32>, %max: tensor<i64>, %t: tensor<f32>) {
  // expected-error @+1 {{scores must be B x C x N for B x N x 4 boxes}}
  %0 = tessera.non_max_suppression %boxes, %scores, %max, %t, %t {center_point_box = false} : (tensor<1x6x4xf32>, tensor<1x2x5xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// -----

func.func @gelu_of_integers(%a: tensor<4xi32>) {
  // expected-error @+1 {{'tessera.gelu' op operand #0 must be}}
  %0 = tessera.gelu %a : tensor<4xi32>
  return
}

// -----

func.func @attention_feature_mismatch(%q: tensor<2x8x16xf32>, %k: tensor<2x8x12xf32>, %v: tensor<2x8x4xf32>) {
  // expected-error @+1 {{query and key must have one feature size}}
  %0 = tessera.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<2x8x16xf32>, tensor<2x8x12xf32>, tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
  return
}

// -----

func.func @attention_batch_mismatch(%q: tensor<2x8x16xf32>, %k: tensor<3x8x16xf32>, %v: tensor<2x8x4xf32>) {
  // expected-error @+1 {{batch dimension 0 differs}}
  %0 = tessera.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<2x8x16xf32>, tensor<3x8x16xf32>, tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
  return
}

// -----

func.func @attention_mask_shape(%q: tensor<2x8x16xf32>, %k: tensor<2x6x16xf32>, %v: tensor<2x6x4xf32>, %m: tensor<8x8xf32>) {
  // expected-error @+1 {{mask 'tensor<8x8xf32>' does not broadcast to the scores}}
  %0 = tessera.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<2x8x16xf32>, tensor<2x6x16xf32>, tensor<2x6x4xf32>, tensor<8x8xf32>) -> tensor<2x8x4xf32>
  return
}

// -----

func.func @attention_result_shape(%q: tensor<2x8x16xf32>, %k: tensor<2x6x16xf32>, %v: tensor<2x6x4xf32>) {
  // expected-error @+1 {{must be [batch..., Lq (of query), Dv (of value)]}}
  %0 = tessera.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<2x8x16xf32>, tensor<2x6x16xf32>, tensor<2x6x4xf32>) -> tensor<2x8x16xf32>
  return
}

// -----

func.func @rms_norm_scale_shape(%x: tensor<2x8xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{scale/bias shape 'tensor<4xf32>' does not broadcast to the normalized dimensions}}
  %0 = tessera.rms_norm %x, %w {axis = 1 : i64, epsilon = 1.0e-06 : f32} : (tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @gelu_tanh_of_integers(%a: tensor<4xi32>) {
  // expected-error @+1 {{'tessera.gelu_tanh' op operand #0 must be}}
  %0 = tessera.gelu_tanh %a : tensor<4xi32>
  return
}
