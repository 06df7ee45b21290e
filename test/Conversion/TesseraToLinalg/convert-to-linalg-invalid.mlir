// RUN: tessera-opt %s -split-input-file -tessera-convert-to-linalg -verify-diagnostics

// Resize needs static sizes outside the batch dimension.
func.func @resize_dynamic_spatial(%x: tensor<1x3x?x?xf32>) -> tensor<1x3x?x?xf32> {
  // expected-error @below {{tessera-convert-to-linalg: cannot lower 'tessera.resize' with operand types 'tensor<1x3x?x?xf32>' to linalg (not supported by the CPU code generator yet)}}
  %0 = tessera.resize %x {coordinate_transform = #tessera<coordinate_transform half_pixel>, mode = #tessera<resize_mode nearest>, nearest_rounding = #tessera<nearest_rounding floor>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : tensor<1x3x?x?xf32> -> tensor<1x3x?x?xf32>
  return %0 : tensor<1x3x?x?xf32>
}

// -----

// Convolution weights must have a static shape.
func.func @conv_dynamic_weight(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x?x?xf32>) -> tensor<1x4x?x?xf32> {
  // expected-error @below {{cannot lower 'tessera.conv' with operand types 'tensor<1x3x8x8xf32>', 'tensor<4x3x?x?xf32>'}}
  %0 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x?x?xf32>) -> tensor<1x4x?x?xf32>
  return %0 : tensor<1x4x?x?xf32>
}

// -----

// Unsigned element types are rejected by the elementwise patterns.
func.func @relu_unsigned(%x: tensor<4xui8>) -> tensor<4xui8> {
  // expected-error @below {{cannot lower 'tessera.relu' with operand types 'tensor<4xui8>'}}
  %0 = tessera.relu %x : tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Attention reads a block of the mask's rows; rows of dynamic size (which
// may be 1 and broadcast, or not) cannot be sliced.
func.func @attention_dynamic_mask_rows(%q: tensor<2x40x8xf32>, %k: tensor<2x24x8xf32>, %v: tensor<2x24x4xf32>, %m: tensor<?x24xf32>) -> tensor<2x40x4xf32> {
  // expected-error @below {{cannot lower 'tessera.attention' with operand types 'tensor<2x40x8xf32>', 'tensor<2x24x8xf32>', 'tensor<2x24x4xf32>', 'tensor<?x24xf32>'}}
  %0 = tessera.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<2x40x8xf32>, tensor<2x24x8xf32>, tensor<2x24x4xf32>, tensor<?x24xf32>) -> tensor<2x40x4xf32>
  return %0 : tensor<2x40x4xf32>
}
