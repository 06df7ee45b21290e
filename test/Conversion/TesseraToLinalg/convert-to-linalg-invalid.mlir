// RUN: tessera-opt %s -split-input-file -tessera-convert-to-linalg -verify-diagnostics

func.func @pad_reflect(%x: tensor<2x8xf32>) -> tensor<2x10xf32> {
  // expected-error @below {{tessera-convert-to-linalg: cannot lower 'tessera.pad' with operand types 'tensor<2x8xf32>' to linalg (not supported by the CPU code generator yet)}}
  %0 = tessera.pad %x {mode = #tessera<pad_mode reflect>, pads = array<i64: 0, 1, 0, 1>} : tensor<2x8xf32> -> tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

func.func @resize(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x16x16xf32> {
  // expected-error @below {{cannot lower 'tessera.resize'}}
  %0 = tessera.resize %x {coordinate_transform = #tessera<coordinate_transform half_pixel>, mode = #tessera<resize_mode nearest>, nearest_rounding = #tessera<nearest_rounding floor>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return %0 : tensor<1x3x16x16xf32>
}

// -----

// Unsigned element types are rejected by the elementwise patterns.
func.func @relu_unsigned(%x: tensor<4xui8>) -> tensor<4xui8> {
  // expected-error @below {{cannot lower 'tessera.relu' with operand types 'tensor<4xui8>'}}
  %0 = tessera.relu %x : tensor<4xui8>
  return %0 : tensor<4xui8>
}
