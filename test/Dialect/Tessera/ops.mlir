// RUN: tessera-opt %s | tessera-opt | FileCheck %s
// Round trip: every op prints in a form that parses back unchanged.

// CHECK-LABEL: func.func @graph
func.func @graph(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>,
                 %m: tensor<2x8xf32>, %c: tensor<2x8xi1>, %s: tensor<2xi64>,
                 %sq: tensor<2x2xf32>) -> tensor<1x4xf32> {
  // CHECK: tessera.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %0 = tessera.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: tessera.batch_norm
  %1 = tessera.batch_norm %0, %b, %b, %b, %b {epsilon = 1.0e-05 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: tessera.relu %{{.*}} : tensor<1x4x8x8xf32>
  %2 = tessera.relu %1 : tensor<1x4x8x8xf32>
  // CHECK: tessera.max_pool
  %3 = tessera.max_pool %2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: tessera.avg_pool {{.*}}count_include_pad = true
  %4 = tessera.avg_pool %3 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, count_include_pad = true} : tensor<1x4x4x4xf32> -> tensor<1x4x2x2xf32>
  // CHECK: tessera.reduce_mean %{{.*}} {axes = array<i64: 2, 3>, keepdims = false}
  %5 = tessera.reduce_mean %4 {axes = array<i64: 2, 3>, keepdims = false} : tensor<1x4x2x2xf32> -> tensor<1x4xf32>
  // CHECK: tessera.softmax %{{.*}} {axis = 1 : i64}
  %6 = tessera.softmax %5 {axis = 1 : i64} : tensor<1x4xf32>
  // CHECK: tessera.where
  %7 = tessera.where %c, %m, %m : (tensor<2x8xi1>, tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  // CHECK: tessera.pad %{{.*}} {mode = #tessera<pad_mode edge>
  %8 = tessera.pad %7 {mode = #tessera<pad_mode edge>, pads = array<i64: 0, 1, 0, 1>} : tensor<2x8xf32> -> tensor<2x10xf32>
  // CHECK: tessera.reshape %{{.*}}, %{{.*}} : tensor<2x10xf32>, tensor<2xi64> -> tensor<?x?xf32>
  %9 = tessera.reshape %8, %s : tensor<2x10xf32>, tensor<2xi64> -> tensor<?x?xf32>
  // CHECK: tessera.split %{{.*}} {axis = 1 : i64} : tensor<2x8xf32> -> tensor<2x3xf32>, tensor<2x5xf32>
  %10:2 = tessera.split %7 {axis = 1 : i64} : tensor<2x8xf32> -> tensor<2x3xf32>, tensor<2x5xf32>
  // CHECK: tessera.resize {{.*}}#tessera<resize_mode linear>
  %11 = tessera.resize %x {coordinate_transform = #tessera<coordinate_transform half_pixel>, mode = #tessera<resize_mode linear>, nearest_rounding = #tessera<nearest_rounding floor>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  // CHECK: tessera.cast %{{.*}} : tensor<2x8xi1> to tensor<2x8xf32>
  %12 = tessera.cast %c : tensor<2x8xi1> to tensor<2x8xf32>
  // CHECK: tessera.layer_norm
  %13 = tessera.layer_norm %m, %m {axis = 0 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  // CHECK: tessera.rms_norm %{{.*}}, %{{.*}} {axis = 0 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %15 = tessera.rms_norm %m, %m {axis = 0 : i64, epsilon = 1.0e-06 : f32} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  // CHECK: tessera.gelu_tanh %{{.*}} : tensor<2x8xf32>
  %16 = tessera.gelu_tanh %m : tensor<2x8xf32>
  // CHECK: tessera.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 5.000000e-01 : f32} : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x2xf32>) -> tensor<2x8xf32>
  %14 = tessera.attention %m, %m, %m, %sq {scale = 0.5 : f32} : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x2xf32>) -> tensor<2x8xf32>
  return %6 : tensor<1x4xf32>
}

// CHECK-LABEL: func.func @more_ops
func.func @more_ops(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<2xi64>, %s: tensor<3xi64>) -> tensor<4x3xf32> {
  // CHECK: tessera.abs
  %0 = tessera.abs %a : tensor<2x3xf32>
  // CHECK: tessera.max
  %1 = tessera.max %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: tessera.min
  %2 = tessera.min %1, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: tessera.less {{.*}} -> tensor<2x3xi1>
  %3 = tessera.less %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: tessera.greater {{.*}} -> tensor<2x3xi1>
  %4 = tessera.greater %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: tessera.concat {{.*}} {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %5 = tessera.concat %2, %a {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  // CHECK: tessera.gather {{.*}} -> tensor<2x2xf32>
  %6 = tessera.gather %a, %i {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  // CHECK: tessera.slice
  %7 = tessera.slice %a {starts = array<i64: 0, 2>, ends = array<i64: 2, 0>, steps = array<i64: 1, -1>} : tensor<2x3xf32> -> tensor<2x2xf32>
  // CHECK: tessera.shape %{{.*}} : tensor<?x3xf32> -> tensor<2xi64>
  %d = tessera.reshape %a, %i : tensor<2x3xf32>, tensor<2xi64> -> tensor<?x3xf32>
  %8 = tessera.shape %d : tensor<?x3xf32> -> tensor<2xi64>
  // CHECK: tessera.expand {{.*}} -> tensor<4x2x3xf32>
  %9 = tessera.expand %a, %s : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<4x2x3xf32>
  // CHECK: tessera.constant dense<1.000000e+00> : tensor<4x3xf32>
  %10 = tessera.constant dense<1.0> : tensor<4x3xf32>
  %11 = tessera.add %5, %10 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %11 : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @data_dependent
func.func @data_dependent(%x: tensor<2x3xi1>, %s: tensor<i64>, %l: tensor<i64>, %d: tensor<i64>) -> (tensor<2x?xi64>, tensor<?xi64>, tensor<?xi64>) {
  // CHECK: tessera.non_zero %{{.*}} : tensor<2x3xi1> -> tensor<2x?xi64>
  %0 = tessera.non_zero %x : tensor<2x3xi1> -> tensor<2x?xi64>
  // CHECK: tessera.range %{{.*}}, %{{.*}}, %{{.*}} : tensor<i64> -> tensor<?xi64>
  %1 = tessera.range %s, %l, %d : tensor<i64> -> tensor<?xi64>
  // CHECK: tessera.reshape %{{.*}}, %{{.*}} {allow_zero = true}
  %shape = tessera.shape %1 : tensor<?xi64> -> tensor<1xi64>
  %2 = tessera.reshape %1, %shape {allow_zero = true} : tensor<?xi64>, tensor<1xi64> -> tensor<?xi64>
  return %0, %1, %2 : tensor<2x?xi64>, tensor<?xi64>, tensor<?xi64>
}
