// RUN: tessera-opt %s -split-input-file -tessera-recognize-ops | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-recognize-ops=attention=false | FileCheck %s --check-prefix=OFF

// What torch.onnx writes for nn.LayerNorm before opset 17.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME:    (%[[X:.*]]: tensor<2x4x8xf32>, %[[S:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-NEXT:    %[[Y:.*]] = tessera.layer_norm %[[X]], %[[S]], %[[B]] {axis = 2 : i64, epsilon = 9.99999974E-6 : f32}
// CHECK-NEXT:    return %[[Y]]
func.func @layer_norm(%x: tensor<2x4x8xf32>, %scale: tensor<8xf32>, %bias: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %two = tessera.constant dense<2.0> : tensor<f32>
  %eps = tessera.constant dense<1.0e-05> : tensor<f32>
  %mean = tessera.reduce_mean %x {axes = array<i64: 2>} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %d = tessera.sub %x, %mean : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %sq = tessera.pow %d, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %var = tessera.reduce_mean %sq {axes = array<i64: 2>} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %ve = tessera.add %var, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %std = tessera.sqrt %ve : tensor<2x4x1xf32>
  %n = tessera.div %d, %std : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %m = tessera.mul %scale, %n : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %y = tessera.add %bias, %m : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// GELU, erf form, with the input a bias add (so the add feeding the
// product is not mistaken for the erf shift).
// CHECK-LABEL: func.func @gelu
// CHECK:         %[[A:.*]] = tessera.add %arg0, %arg1
// CHECK-NEXT:    %[[G:.*]] = tessera.gelu %[[A]] : tensor<4x16xf32>
// CHECK-NEXT:    return %[[G]]
func.func @gelu(%x: tensor<4x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %sqrt2 = tessera.constant dense<1.41421354> : tensor<f32>
  %one = tessera.constant dense<1.0> : tensor<f32>
  %half = tessera.constant dense<0.5> : tensor<f32>
  %a = tessera.add %x, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %s = tessera.div %a, %sqrt2 : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
  %e = tessera.erf %s : tensor<4x16xf32>
  %p = tessera.add %e, %one : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
  %m = tessera.mul %a, %p : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = tessera.mul %m, %half : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Left alone: a mean over a leading axis, a deviation used elsewhere, a
// GELU with a different constant, and an erf result used twice.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     tessera.layer_norm
// CHECK-NOT:     tessera.gelu
// CHECK:         return
func.func @left_alone(%x: tensor<4x8xf32>, %s: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %two = tessera.constant dense<2.0> : tensor<f32>
  %eps = tessera.constant dense<1.0e-05> : tensor<f32>
  %mean = tessera.reduce_mean %x {axes = array<i64: 0>} : tensor<4x8xf32> -> tensor<1x8xf32>
  %d = tessera.sub %x, %mean : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %sq = tessera.pow %d, %two : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %var = tessera.reduce_mean %sq {axes = array<i64: 0>} : tensor<4x8xf32> -> tensor<1x8xf32>
  %ve = tessera.add %var, %eps : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %std = tessera.sqrt %ve : tensor<1x8xf32>
  %n = tessera.div %d, %std : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %m = tessera.mul %n, %s : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %y = tessera.add %m, %s : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>

  %mean2 = tessera.reduce_mean %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1xf32>
  %d2 = tessera.sub %x, %mean2 : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %sq2 = tessera.pow %d2, %two : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %var2 = tessera.reduce_mean %sq2 {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1xf32>
  %ve2 = tessera.add %var2, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %std2 = tessera.sqrt %ve2 : tensor<4x1xf32>
  %n2 = tessera.div %d2, %std2 : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %m2 = tessera.mul %n2, %s : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %y2 = tessera.add %m2, %s : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>

  %sqrt3 = tessera.constant dense<1.7320508> : tensor<f32>
  %one = tessera.constant dense<1.0> : tensor<f32>
  %half = tessera.constant dense<0.5> : tensor<f32>
  %gs = tessera.div %x, %sqrt3 : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %ge = tessera.erf %gs : tensor<4x8xf32>
  %gp = tessera.add %ge, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %gm = tessera.mul %x, %gp : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %g = tessera.mul %gm, %half : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>

  %sqrt2 = tessera.constant dense<1.41421354> : tensor<f32>
  %hs = tessera.div %x, %sqrt2 : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %he = tessera.erf %hs : tensor<4x8xf32>
  %hp = tessera.add %he, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %hm = tessera.mul %x, %hp : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %h = tessera.mul %hm, %half : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return %y, %y2, %d2, %g, %he : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Attention as torch.onnx writes nn.MultiheadAttention: Q divided by
// sqrt(D), K^T an operand of the score product. K becomes a transpose of K^T
// (which canonicalization composes with K^T's own transpose, if any).
// CHECK-LABEL: func.func @attention
// CHECK-SAME:    (%[[Q:.*]]: tensor<4x16x8xf32>, %[[KT:.*]]: tensor<4x8x16xf32>, %[[V:.*]]: tensor<4x16x8xf32>)
// CHECK-NEXT:    %[[K:.*]] = tessera.transpose %[[KT]] {perm = array<i64: 0, 2, 1>} : tensor<4x8x16xf32> -> tensor<4x16x8xf32>
// CHECK-NEXT:    %[[O:.*]] = tessera.attention %[[Q]], %[[K]], %[[V]] {scale = 0.353553385 : f32} : (tensor<4x16x8xf32>, tensor<4x16x8xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
// CHECK-NEXT:    return %[[O]]
// OFF-LABEL: func.func @attention
// OFF-NOT:     tessera.attention
func.func @attention(%q: tensor<4x16x8xf32>, %kt: tensor<4x8x16xf32>, %v: tensor<4x16x8xf32>) -> tensor<4x16x8xf32> {
  %root = tessera.constant dense<2.82842708> : tensor<f32>
  %qs = tessera.div %q, %root : (tensor<4x16x8xf32>, tensor<f32>) -> tensor<4x16x8xf32>
  %s = tessera.matmul %qs, %kt : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %p = tessera.softmax %s {axis = 2 : i64} : tensor<4x16x16xf32>
  %o = tessera.matmul %p, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  return %o : tensor<4x16x8xf32>
}

// -----

// scaled_dot_product_attention's export: Q and K^T each scaled by D^-1/4,
// then an additive mask; a 4-D [N, H, L, D] layout with a dynamic batch.
// CHECK-LABEL: func.func @attention_masked
// CHECK-SAME:    (%[[Q:.*]]: tensor<?x2x16x8xf32>, %[[KT:.*]]: tensor<?x2x8x12xf32>, %[[V:.*]]: tensor<?x2x12x4xf32>, %[[M:.*]]: tensor<16x12xf32>)
// CHECK:         %[[K:.*]] = tessera.transpose %[[KT]] {perm = array<i64: 0, 1, 3, 2>}
// CHECK-NEXT:    %[[O:.*]] = tessera.attention %[[Q]], %[[K]], %[[V]], %[[M]] {scale = 2.500000e-01 : f32} : (tensor<?x2x16x8xf32>, tensor<?x2x12x8xf32>, tensor<?x2x12x4xf32>, tensor<16x12xf32>) -> tensor<?x2x16x4xf32>
// CHECK-NEXT:    return %[[O]]
func.func @attention_masked(%q: tensor<?x2x16x8xf32>, %kt: tensor<?x2x8x12xf32>, %v: tensor<?x2x12x4xf32>, %mask: tensor<16x12xf32>) -> tensor<?x2x16x4xf32> {
  %c = tessera.constant dense<0.5> : tensor<f32>
  %qs = tessera.mul %q, %c : (tensor<?x2x16x8xf32>, tensor<f32>) -> tensor<?x2x16x8xf32>
  %ks = tessera.mul %c, %kt : (tensor<f32>, tensor<?x2x8x12xf32>) -> tensor<?x2x8x12xf32>
  %s = tessera.matmul %qs, %ks : (tensor<?x2x16x8xf32>, tensor<?x2x8x12xf32>) -> tensor<?x2x16x12xf32>
  %sm = tessera.add %s, %mask : (tensor<?x2x16x12xf32>, tensor<16x12xf32>) -> tensor<?x2x16x12xf32>
  %p = tessera.softmax %sm {axis = 3 : i64} : tensor<?x2x16x12xf32>
  %o = tessera.matmul %p, %v : (tensor<?x2x16x12xf32>, tensor<?x2x12x4xf32>) -> tensor<?x2x16x4xf32>
  return %o : tensor<?x2x16x4xf32>
}

// -----

// Not attention: the attention weights are also returned (replacing the
// chain would compute the scores twice), the softmax is over the query
// axis, or K^T is broadcast over the heads.
// CHECK-LABEL: func.func @not_attention
// CHECK-NOT:     tessera.attention
// CHECK:         return
func.func @not_attention(%q: tensor<4x16x8xf32>, %kt: tensor<4x8x16xf32>, %kt1: tensor<1x8x16xf32>, %v: tensor<4x16x8xf32>) -> (tensor<4x16x8xf32>, tensor<4x16x16xf32>, tensor<4x16x8xf32>, tensor<4x16x8xf32>) {
  %s = tessera.matmul %q, %kt : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %p = tessera.softmax %s {axis = 2 : i64} : tensor<4x16x16xf32>
  %o = tessera.matmul %p, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  %s2 = tessera.matmul %q, %kt : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %p2 = tessera.softmax %s2 {axis = 1 : i64} : tensor<4x16x16xf32>
  %o2 = tessera.matmul %p2, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  %s3 = tessera.matmul %q, %kt1 : (tensor<4x16x8xf32>, tensor<1x8x16xf32>) -> tensor<4x16x16xf32>
  %p3 = tessera.softmax %s3 {axis = 2 : i64} : tensor<4x16x16xf32>
  %o3 = tessera.matmul %p3, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  return %o, %p, %o2, %o3 : tensor<4x16x8xf32>, tensor<4x16x16xf32>, tensor<4x16x8xf32>, tensor<4x16x8xf32>
}

// -----

// GELU, tanh form, as torch.onnx writes gelu(x, approximate='tanh').
// CHECK-LABEL: func.func @gelu_tanh
// CHECK-NEXT:    %[[G:.*]] = tessera.gelu_tanh %arg0 : tensor<4x16xf32>
// CHECK-NEXT:    return %[[G]]
func.func @gelu_tanh(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %c2 = tessera.constant dense<0.044715> : tensor<f32>
  %c1 = tessera.constant dense<0.797884583> : tensor<f32>
  %one = tessera.constant dense<1.0> : tensor<f32>
  %half = tessera.constant dense<0.5> : tensor<f32>
  %sq = tessera.mul %x, %x : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %cube = tessera.mul %x, %sq : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %t = tessera.mul %c2, %cube : (tensor<f32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %in = tessera.add %x, %t : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %sc = tessera.mul %c1, %in : (tensor<f32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %th = tessera.tanh %sc : tensor<4x16xf32>
  %sh = tessera.add %one, %th : (tensor<f32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %p = tessera.mul %x, %sh : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = tessera.mul %half, %p : (tensor<f32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Not the tanh form: the cubic coefficient is 0.05, not 0.044715.
// CHECK-LABEL: func.func @not_gelu_tanh
// CHECK-NOT:     tessera.gelu_tanh
// CHECK:         tessera.tanh
func.func @not_gelu_tanh(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %c2 = tessera.constant dense<0.05> : tensor<f32>
  %c1 = tessera.constant dense<0.797884583> : tensor<f32>
  %one = tessera.constant dense<1.0> : tensor<f32>
  %half = tessera.constant dense<0.5> : tensor<f32>
  %sq = tessera.mul %x, %x : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %cube = tessera.mul %x, %sq : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %t = tessera.mul %c2, %cube : (tensor<f32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %in = tessera.add %x, %t : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %sc = tessera.mul %c1, %in : (tensor<f32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %th = tessera.tanh %sc : tensor<4x16xf32>
  %sh = tessera.add %one, %th : (tensor<f32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %p = tessera.mul %x, %sh : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = tessera.mul %half, %p : (tensor<f32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// RMSNorm as torch.onnx writes x * rsqrt(x.pow(2).mean(-1) + eps) * w, and
// the x / sqrt(...) form with x * x.
// CHECK-LABEL: func.func @rms_norm
// CHECK-NEXT:    %[[A:.*]] = tessera.rms_norm %arg0, %arg1 {axis = 2 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT:    %[[B:.*]] = tessera.rms_norm %arg0, %arg1 {axis = 2 : i64, epsilon = 9.99999974E-6 : f32}
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @rms_norm(%x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>) {
  %two = tessera.constant dense<2.0> : tensor<f32>
  %one = tessera.constant dense<1.0> : tensor<f32>
  %eps = tessera.constant dense<1.0e-06> : tensor<f32>
  %sq = tessera.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %m = tessera.reduce_mean %sq {axes = array<i64: 2>} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %a = tessera.add %m, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %r = tessera.sqrt %a : tensor<2x4x1xf32>
  %inv = tessera.div %one, %r : (tensor<f32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %n = tessera.mul %x, %inv : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %y = tessera.mul %n, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %eps2 = tessera.constant dense<1.0e-05> : tensor<f32>
  %sq2 = tessera.mul %x, %x : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %m2 = tessera.reduce_mean %sq2 {axes = array<i64: 2>} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %a2 = tessera.add %eps2, %m2 : (tensor<f32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %r2 = tessera.sqrt %a2 : tensor<2x4x1xf32>
  %n2 = tessera.div %x, %r2 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %y2 = tessera.mul %w, %n2 : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %y, %y2 : tensor<2x4x8xf32>, tensor<2x4x8xf32>
}

// -----

// Not RMSNorm: the mean is over a leading axis, and (second) the root is
// also returned.
// CHECK-LABEL: func.func @not_rms_norm
// CHECK-NOT:     tessera.rms_norm
// CHECK:         return
func.func @not_rms_norm(%x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x1xf32>) {
  %eps = tessera.constant dense<1.0e-06> : tensor<f32>
  %sq = tessera.mul %x, %x : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %m = tessera.reduce_mean %sq {axes = array<i64: 1>} : tensor<2x4x8xf32> -> tensor<2x1x8xf32>
  %a = tessera.add %m, %eps : (tensor<2x1x8xf32>, tensor<f32>) -> tensor<2x1x8xf32>
  %r = tessera.sqrt %a : tensor<2x1x8xf32>
  %n = tessera.div %x, %r : (tensor<2x4x8xf32>, tensor<2x1x8xf32>) -> tensor<2x4x8xf32>
  %y = tessera.mul %n, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %sq2 = tessera.mul %x, %x : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %m2 = tessera.reduce_mean %sq2 {axes = array<i64: 2>} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %a2 = tessera.add %m2, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %r2 = tessera.sqrt %a2 : tensor<2x4x1xf32>
  %n2 = tessera.div %x, %r2 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %y2 = tessera.mul %n2, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %y, %y2, %r2 : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x1xf32>
}

// -----

// Decomposed softmax, with and without the max shift.
// CHECK-LABEL: func.func @softmax
// CHECK-NEXT:    %[[A:.*]] = tessera.softmax %arg0 {axis = 1 : i64} : tensor<2x8xf32>
// CHECK-NEXT:    %[[B:.*]] = tessera.softmax %arg0 {axis = 0 : i64} : tensor<2x8xf32>
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @softmax(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %m = tessera.reduce_max %x {axes = array<i64: 1>} : tensor<2x8xf32> -> tensor<2x1xf32>
  %d = tessera.sub %x, %m : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %e = tessera.exp %d : tensor<2x8xf32>
  %s = tessera.reduce_sum %e {axes = array<i64: 1>} : tensor<2x8xf32> -> tensor<2x1xf32>
  %y = tessera.div %e, %s : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %e2 = tessera.exp %x : tensor<2x8xf32>
  %s2 = tessera.reduce_sum %e2 {axes = array<i64: 0>} : tensor<2x8xf32> -> tensor<1x8xf32>
  %y2 = tessera.div %e2, %s2 : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return %y, %y2 : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// Not softmax: a sum over two axes normalizes over both.
// CHECK-LABEL: func.func @not_softmax
// CHECK-NOT:     tessera.softmax
// CHECK:         return
func.func @not_softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %e = tessera.exp %x : tensor<2x8xf32>
  %s = tessera.reduce_sum %e {axes = array<i64: 0, 1>} : tensor<2x8xf32> -> tensor<1x1xf32>
  %y = tessera.div %e, %s : (tensor<2x8xf32>, tensor<1x1xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Not attention: the scale comes after the mask add (it scales the mask
// too), the mask's rows have a dynamic size (the lowering reads a block of
// them), and Q has a lower rank than K^T (matmul broadcasting).
// CHECK-LABEL: func.func @not_attention_mask
// CHECK-NOT:     tessera.attention
// CHECK:         return
func.func @not_attention_mask(%q: tensor<4x16x8xf32>, %kt: tensor<4x8x16xf32>, %v: tensor<4x16x8xf32>, %m: tensor<16x16xf32>, %dm: tensor<?x16xf32>, %q2: tensor<16x8xf32>) -> (tensor<4x16x8xf32>, tensor<4x16x8xf32>, tensor<4x16x8xf32>) {
  %c = tessera.constant dense<8.0> : tensor<f32>
  %s = tessera.matmul %q, %kt : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %sm = tessera.add %s, %m : (tensor<4x16x16xf32>, tensor<16x16xf32>) -> tensor<4x16x16xf32>
  %ss = tessera.div %sm, %c : (tensor<4x16x16xf32>, tensor<f32>) -> tensor<4x16x16xf32>
  %p = tessera.softmax %ss {axis = 2 : i64} : tensor<4x16x16xf32>
  %o = tessera.matmul %p, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  %s2 = tessera.matmul %q, %kt : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %sm2 = tessera.add %s2, %dm : (tensor<4x16x16xf32>, tensor<?x16xf32>) -> tensor<4x16x16xf32>
  %p2 = tessera.softmax %sm2 {axis = 2 : i64} : tensor<4x16x16xf32>
  %o2 = tessera.matmul %p2, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  %s3 = tessera.matmul %q2, %kt : (tensor<16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %p3 = tessera.softmax %s3 {axis = 2 : i64} : tensor<4x16x16xf32>
  %o3 = tessera.matmul %p3, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  return %o, %o2, %o3 : tensor<4x16x8xf32>, tensor<4x16x8xf32>, tensor<4x16x8xf32>
}
