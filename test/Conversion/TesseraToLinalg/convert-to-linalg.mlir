// RUN: tessera-opt %s -split-input-file -tessera-convert-to-linalg -mlir-print-local-scope | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-convert-to-linalg="winograd-convolutions=1" -mlir-print-local-scope | FileCheck %s --check-prefix=WINOGRAD
// RUN: tessera-opt %s -split-input-file -tessera-convert-to-linalg="flat-narrow-depthwise=0" -mlir-print-local-scope | FileCheck %s --check-prefix=WINDOW
// RUN: tessera-opt %s -split-input-file -tessera-convert-to-linalg="direct-convolutions=1 winograd-convolutions=1" -mlir-print-local-scope | FileCheck %s --check-prefix=DIRECT

// CHECK-LABEL: func.func @relu
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[IZERO:.*]] = arith.constant 0 : i32
// CHECK-DAG:     %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%{{.*}} : tensor<2x3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[R:.*]] = arith.maximumf %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
// CHECK:         ^bb0(%[[IIN:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT:      arith.maxsi %[[IIN]], %[[IZERO]] : i32
// CHECK-NOT:     tessera.
func.func @relu(%x: tensor<2x3xf32>, %y: tensor<4xi32>) -> (tensor<2x3xf32>, tensor<4xi32>) {
  %0 = tessera.relu %x : tensor<2x3xf32>
  %1 = tessera.relu %y : tensor<4xi32>
  return %0, %1 : tensor<2x3xf32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @sigmoid
// CHECK:         %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[NEG:.*]] = arith.negf %[[IN]] : f32
// CHECK-NEXT:      %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:      %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT:      %[[R:.*]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK-NEXT:      linalg.yield %[[R]]
func.func @sigmoid(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tessera.sigmoid %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @leaky_relu
// CHECK-DAG:     %[[ALPHA:.*]] = arith.constant 1.000000e-01 : f32
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[SCALED:.*]] = arith.mulf %[[IN]], %[[ALPHA]] : f32
// CHECK-NEXT:      %[[NEG:.*]] = arith.cmpf olt, %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT:      %[[R:.*]] = arith.select %[[NEG]], %[[SCALED]], %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[R]]
func.func @leaky_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tessera.leaky_relu %x {alpha = 0.1 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @clip
// CHECK-DAG:     %[[MAX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-DAG:     %[[MIN:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[LO:.*]] = arith.maximumf %[[IN]], %[[MIN]] : f32
// CHECK-NEXT:      %[[HI:.*]] = arith.minimumf %[[LO]], %[[MAX]] : f32
// CHECK-NEXT:      linalg.yield %[[HI]]
// Without bounds the body is the identity.
// CHECK:         ^bb0(%[[IN2:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN2]] : f32
func.func @clip(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = tessera.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
  %1 = tessera.clip %x : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A size-1 dimension broadcasts with a constant 0 in its map; the dynamic
// result size comes from the operand that has it.
// CHECK-LABEL: func.func @add_broadcast_dynamic
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4xf32>, %[[B:.*]]: tensor<1x4xf32>)
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[DIM:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x4xf32>
// CHECK:         %[[INIT:.*]] = tensor.empty(%[[DIM]]) : tensor<?x4xf32>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK-SAME:      ins(%[[X]], %[[B]] : tensor<?x4xf32>, tensor<1x4xf32>) outs(%[[INIT]] : tensor<?x4xf32>)
// CHECK:           arith.addf
func.func @add_broadcast_dynamic(%x: tensor<?x4xf32>, %b: tensor<1x4xf32>) -> tensor<?x4xf32> {
  %0 = tessera.add %x, %b : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// A lower-rank operand is right-aligned; integers use arith.subi.
// CHECK-LABEL: func.func @sub_rank_broadcast
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]
// CHECK:           arith.subi %{{.*}}, %{{.*}} : i64
func.func @sub_rank_broadcast(%x: tensor<2x3x4xi64>, %b: tensor<4xi64>) -> tensor<2x3x4xi64> {
  %0 = tessera.sub %x, %b : (tensor<2x3x4xi64>, tensor<4xi64>) -> tensor<2x3x4xi64>
  return %0 : tensor<2x3x4xi64>
}

// -----

// CHECK-LABEL: func.func @compare_and_where
// CHECK:         arith.cmpi eq, %{{.*}}, %{{.*}} : i64
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x3xi1>
// CHECK:         %[[CMP:.*]] = linalg.generic
// CHECK-SAME:      outs(%[[E]] : tensor<2x3xi1>)
// CHECK:         ^bb0(%[[A:[^:]*]]: f32, %[[B:[^:]*]]: f32, %{{.*}}: i1):
// CHECK-NEXT:      %[[LT:.*]] = arith.cmpf olt, %[[A]], %[[B]] : f32
// CHECK-NEXT:      linalg.yield %[[LT]] : i1
// CHECK:         } -> tensor<2x3xi1>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK-SAME:      ins(%[[CMP]], %{{.*}}, %{{.*}} : tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>)
// CHECK:         ^bb0(%[[C:.*]]: i1, %[[T:.*]]: f32, %[[F:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      arith.select %[[C]], %[[T]], %[[F]] : f32
func.func @compare_and_where(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>, %i: tensor<2xi64>) -> (tensor<2x3xf32>, tensor<2xi1>) {
  %e = tessera.equal %i, %i : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi1>
  %c = tessera.less %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %0 = tessera.where %c, %a, %s : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0, %e : tensor<2x3xf32>, tensor<2xi1>
}

// -----

// CHECK-LABEL: func.func @cast
// CHECK:         ^bb0(%[[F:.*]]: f32, %{{.*}}: i64):
// CHECK-NEXT:      arith.fptosi %[[F]] : f32 to i64
// CHECK:         } -> tensor<4xi64>
// CHECK:         ^bb0(%[[B:.*]]: i1, %{{.*}}: f32):
// CHECK-NEXT:      arith.uitofp %[[B]] : i1 to f32
// CHECK:         } -> tensor<4xf32>
func.func @cast(%x: tensor<4xf32>, %c: tensor<4xi1>) -> (tensor<4xi64>, tensor<4xf32>) {
  %0 = tessera.cast %x : tensor<4xf32> to tensor<4xi64>
  %1 = tessera.cast %c : tensor<4xi1> to tensor<4xf32>
  return %0, %1 : tensor<4xi64>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK-SAME:    (%[[A:.*]]: tensor<?x8xf32>, %[[B:.*]]: tensor<8x16xf32>)
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[M:.*]] = tensor.dim %[[A]], %[[C0]]
// CHECK:         %[[E:.*]] = tensor.empty(%[[M]]) : tensor<?x16xf32>
// CHECK:         %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x16xf32>)
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[A]], %[[B]] : {{.*}}) outs(%[[FILL]] : tensor<?x16xf32>)
// CHECK:         ^bb0(%[[L:.*]]: f32, %[[R:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[P:.*]] = arith.mulf %[[L]], %[[R]] : f32
// CHECK-NEXT:      arith.addf %[[ACC]], %[[P]] : f32
func.func @matmul(%a: tensor<?x8xf32>, %b: tensor<8x16xf32>) -> tensor<?x16xf32> {
  %0 = tessera.matmul %a, %b : (tensor<?x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// The size-1 batch dim of the lhs broadcasts; the rank-3 rhs is right-aligned.
// CHECK-LABEL: func.func @matmul_batched
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:      outs(%{{.*}} : tensor<2x3x4x5xf32>)
func.func @matmul_batched(%a: tensor<2x1x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = tessera.matmul %a, %b : (tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// An ungrouped 2-D convolution is a matrix product: the input windows are
// laid out as columns (C*KH*KW x OH*OW, im2col, a copy with affine
// indexing) and the weights, collapsed to M x C*KH*KW, multiply them; no
// padding here.
// CHECK-LABEL: func.func @conv
// CHECK-SAME:    (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
// CHECK-NOT:     tensor.pad
// CHECK:         %[[WIN:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<1x3x8x8xf32>) outs(%{{.*}} : tensor<1x3x3x3x6x6xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]]
// CHECK:         %[[COL:.*]] = tensor.collapse_shape %[[WIN]] {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x3x3x3x6x6xf32> into tensor<1x27x36xf32>
// CHECK:         %[[WM:.*]] = tensor.collapse_shape %[[W]] {{\[}}[0], [1, 2, 3]] : tensor<4x3x3x3xf32> into tensor<4x27xf32>
// CHECK:         %[[FILL:.*]] = linalg.fill {{.*}} -> tensor<1x4x36xf32>
// CHECK:         %[[P:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[WM]], %[[COL]] : {{.*}}) outs(%[[FILL]] : {{.*}})
// CHECK:         %[[R:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1], [2, 3]] output_shape [1, 4, 6, 6]
// CHECK:         return %[[R]]
// With winograd-convolutions, a 3x3 stride-1 convolution stays whole, as
// the named op on the (here unpadded) input, accumulating into zeros.
// WINOGRAD-LABEL: func.func @conv
// WINOGRAD-SAME:    (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
// WINOGRAD:         %[[FILL:.*]] = linalg.fill {{.*}} -> tensor<1x4x6x6xf32>
// WINOGRAD:         %[[R:.*]] = linalg.conv_2d_nchw_fchw ins(%[[X]], %[[W]] : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%[[FILL]] : tensor<1x4x6x6xf32>)
// WINOGRAD:         return %[[R]]
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// A 1x1 convolution with stride 1 needs no im2col: the input reshaped is
// already the column matrix.
// CHECK-LABEL: func.func @conv_pointwise
// CHECK-SAME:    (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<5x3x1x1xf32>)
// CHECK:         %[[COL:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<1x3x8x8xf32> into tensor<1x3x64xf32>
// CHECK-NOT:     tensor.extract
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %[[COL]] : tensor<5x3xf32>, tensor<1x3x64xf32>)
// WINOGRAD-LABEL: func.func @conv_pointwise
// WINOGRAD-NOT:     linalg.conv_2d_nchw_fchw
func.func @conv_pointwise(%x: tensor<1x3x8x8xf32>, %w: tensor<5x3x1x1xf32>) -> tensor<1x5x8x8xf32> {
  %0 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<5x3x1x1xf32>) -> tensor<1x5x8x8xf32>
  return %0 : tensor<1x5x8x8xf32>
}

// When the im2col columns outgrow 512 KiB (here 576 x 3136 floats), they
// are built and multiplied 4 output rows (224 pixels, 516 KiB) at a time:
// each band reads input rows [4i, 4i + 6), zeroes its own output pixels
// and accumulates into them.
// CHECK-LABEL: func.func @conv_im2col_bands
// CHECK:         %[[ACC:.*]] = tensor.empty() : tensor<1x64x3136xf32>
// CHECK:         %[[LOOP:.*]] = scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %[[C4:.*]] iter_args(%[[CARRIED:.*]] = %[[ACC]]) -> (tensor<1x64x3136xf32>)
// CHECK:           %[[FIRST:.*]] = arith.muli %[[ROW]], %{{.*}} : index
// CHECK:           %[[BAND:.*]] = tensor.extract_slice %{{.*}}[0, 0, %[[FIRST]], 0] [1, 64, 6, 58] [1, 1, 1, 1]
// CHECK:           linalg.generic {{.*}} ins(%[[BAND]] : tensor<1x64x6x58xf32>) outs(%{{.*}} : tensor<1x64x3x3x4x56xf32>)
// CHECK:           %[[COLS:.*]] = tensor.collapse_shape %{{.*}} : tensor<1x64x3x3x4x56xf32> into tensor<1x576x224xf32>
// CHECK:           %[[PIXEL:.*]] = arith.muli %[[ROW]], %{{.*}} : index
// CHECK:           %[[BLOCK:.*]] = tensor.extract_slice %[[CARRIED]][0, 0, %[[PIXEL]]] [1, 64, 224] [1, 1, 1]
// CHECK:           %[[OUT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[BLOCK]] : tensor<1x64x224xf32>)
// CHECK:           %[[PROD:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[COLS]] : tensor<64x576xf32>, tensor<1x576x224xf32>) outs(%[[OUT]] : tensor<1x64x224xf32>)
// CHECK:           %[[NEXT:.*]] = tensor.insert_slice %[[PROD]] into %[[CARRIED]][0, 0, %[[PIXEL]]] [1, 64, 224] [1, 1, 1]
// CHECK:           scf.yield %[[NEXT]]
// CHECK:         tensor.expand_shape %[[LOOP]] {{\[}}[0], [1], [2, 3]] output_shape [1, 64, 56, 56]
// With winograd-convolutions: the padded input, no bands.
// WINOGRAD-LABEL: func.func @conv_im2col_bands
// WINOGRAD:         %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// WINOGRAD:         } : tensor<1x64x56x56xf32> to tensor<1x64x58x58xf32>
// WINOGRAD-NOT:     scf.for
// WINOGRAD:         linalg.conv_2d_nchw_fchw ins(%[[P]], %{{.*}} : tensor<1x64x58x58xf32>, tensor<64x64x3x3xf32>) outs(%{{.*}} : tensor<1x64x56x56xf32>)
// With direct-convolutions, 64 input channels still go to Winograd.
// DIRECT-LABEL: func.func @conv_im2col_bands
// DIRECT-NOT:     alloc_tensor
// DIRECT:         linalg.conv_2d_nchw_fchw ins
func.func @conv_im2col_bands(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32> {
  %0 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// With direct-convolutions, a stem (3 channels, here stride 2) stays whole,
// its strides on the named op, on the padded input, and its output is a
// buffer of its own (bufferization.alloc_tensor, which CSE does not share
// with a later op's empty tensor). Without, it is im2col and a product.
// DIRECT-LABEL: func.func @stem
// DIRECT:         %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// DIRECT:         %[[BUF:.*]] = bufferization.alloc_tensor() : tensor<1x8x8x8xf32>
// DIRECT:         %[[FILL:.*]] = linalg.fill {{.*}} outs(%[[BUF]] : tensor<1x8x8x8xf32>)
// DIRECT:         linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>} ins(%[[P]], %{{.*}} : tensor<1x3x18x18xf32>, tensor<8x3x3x3xf32>) outs(%[[FILL]] : tensor<1x8x8x8xf32>)
// WINOGRAD-LABEL: func.func @stem
// WINOGRAD-NOT:   linalg.conv_2d_nchw_fchw
// WINOGRAD-NOT:   alloc_tensor
// WINOGRAD:       return
func.func @stem(%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32> {
  %0 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

// A patch embedding (4x4 of stride 4) stays im2col and a product: the
// direct kernel takes strides of at most 2.
// DIRECT-LABEL: func.func @patches
// DIRECT-NOT:     linalg.conv_2d_nchw_fchw
// DIRECT-NOT:     alloc_tensor
// DIRECT:         return
func.func @patches(%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %0 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 4, 4>} : (tensor<1x3x16x16xf32>, tensor<8x3x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// Grouped convolutions (here group = 2, two channels per group) keep the
// window loop nest, channels split into groups (C -> G x C/G,
// M -> G x M/G); stride 2, padded input, bias added per channel.
// CHECK-LABEL: func.func @conv_grouped_bias
// CHECK-SAME:    (%[[X:.*]]: tensor<1x4x8x8xf32>, %{{.*}}: tensor<4x2x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK:         %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:         } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
// CHECK:         tensor.expand_shape %[[P]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 10, 10]
// CHECK:         tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 2, 2, 3, 3]
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK:         %[[CONV:.*]] = tensor.collapse_shape {{.*}} into tensor<1x4x4x4xf32>
// CHECK:         %[[BX:.*]] = tensor.expand_shape %[[B]] {{\[}}[0, 1, 2]] output_shape [4, 1, 1] : tensor<4xf32> into tensor<4x1x1xf32>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>]
// CHECK-SAME:      ins(%[[CONV]], %[[BX]] :
// CHECK:           arith.addf
// Grouped and strided: not for Winograd.
// WINOGRAD-LABEL: func.func @conv_grouped_bias
// WINOGRAD-NOT:     linalg.conv_2d_nchw_fchw
func.func @conv_grouped_bias(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = tessera.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// A depthwise convolution (one channel per group) unrolls its window: each
// of the 9 taps is a strided slice of the padded input (a view) and the
// weight at a constant position, summed in the window's order by one
// all-parallel generic, which the bias add follows.
// CHECK-LABEL: func.func @conv_depthwise_bias
// CHECK-SAME:    (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[W:.*]]: tensor<4x1x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK:         %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:         %[[T0:.*]] = tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 2, 2] : tensor<1x4x10x10xf32> to tensor<1x4x4x4xf32>
// CHECK:         %[[T1:.*]] = tensor.extract_slice %[[P]][0, 0, 0, 1] [1, 4, 4, 4] [1, 1, 2, 2]
// CHECK-COUNT-6: tensor.extract_slice %[[P]]
// CHECK:         %[[T8:.*]] = tensor.extract_slice %[[P]][0, 0, 2, 2] [1, 4, 4, 4] [1, 1, 2, 2]
// CHECK:         %[[CONV:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, 0, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, 0, 0, 1)>,
// CHECK-SAME:      affine_map<(d0, d1, d2, d3) -> (d1, 0, 2, 2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%[[T0]], %[[W]], %[[T1]], %[[W]],
// CHECK-SAME:      %[[T8]], %[[W]] :
// CHECK:           %[[M0:.*]] = arith.mulf
// CHECK-NEXT:      %[[M1:.*]] = arith.mulf
// CHECK-NEXT:      %[[S1:.*]] = arith.addf %[[M0]], %[[M1]]
// CHECK-COUNT-7:   arith.addf
// CHECK:           linalg.yield
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[CONV]], %{{.*}} :
// CHECK:           arith.addf
func.func @conv_depthwise_bias(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = tessera.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A depthwise convolution whose output rows are narrower than 8 (7 here)
// runs on each channel's padded plane flattened: a 9-wide padded row, one
// extra zero row below so that the last tap (offset 2 * 9 + 2) of the
// 64-long flat output (63 rounded up to whole vectors) stays inside, the
// taps contiguous slices of the flat plane, then 7 rows of 9 kept and the
// 7 valid columns of each.
// CHECK-LABEL: func.func @conv_depthwise_flat
// CHECK:         %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 2, 1]
// CHECK:         } : tensor<1x2x7x7xf32> to tensor<1x2x10x9xf32>
// CHECK:         %[[F:.*]] = tensor.collapse_shape %[[P]] {{\[}}[0], [1], [2, 3]] : tensor<1x2x10x9xf32> into tensor<1x2x90xf32>
// CHECK:         tensor.extract_slice %[[F]][0, 0, 0] [1, 2, 64] [1, 1, 1]
// CHECK:         tensor.extract_slice %[[F]][0, 0, 1] [1, 2, 64] [1, 1, 1]
// CHECK-COUNT-6: tensor.extract_slice %[[F]]
// CHECK:         tensor.extract_slice %[[F]][0, 0, 20] [1, 2, 64] [1, 1, 1]
// CHECK:         %[[SUMS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:         } -> tensor<1x2x64xf32>
// CHECK:         %[[ROWS:.*]] = tensor.extract_slice %[[SUMS]][0, 0, 0] [1, 2, 63] [1, 1, 1]
// CHECK:         %[[PLANES:.*]] = tensor.expand_shape %[[ROWS]] {{\[}}[0], [1], [2, 3]] output_shape [1, 2, 7, 9]
// CHECK:         %[[R:.*]] = tensor.extract_slice %[[PLANES]][0, 0, 0, 0] [1, 2, 7, 7] [1, 1, 1, 1] : tensor<1x2x7x9xf32> to tensor<1x2x7x7xf32>
// CHECK:         return %[[R]]
// With flat-narrow-depthwise=0 (a target with a depthwise micro-kernel) it
// keeps its 9 window taps of the 9x9 padded planes, as wider ones do.
// WINDOW-LABEL: func.func @conv_depthwise_flat(
// WINDOW:         %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// WINDOW:         } : tensor<1x2x7x7xf32> to tensor<1x2x9x9xf32>
// WINDOW-NOT:     tensor.collapse_shape
// WINDOW:         tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 2, 7, 7] [1, 1, 1, 1]
// WINDOW-COUNT-7: tensor.extract_slice %[[P]]
// WINDOW-NEXT:    tensor.extract_slice %[[P]][0, 0, 2, 2] [1, 2, 7, 7] [1, 1, 1, 1]
// WINDOW:         %[[R:.*]] = linalg.generic
// WINDOW-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// WINDOW:         } -> tensor<1x2x7x7xf32>
// WINDOW-NEXT:    return %[[R]]
func.func @conv_depthwise_flat(%x: tensor<1x2x7x7xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %0 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x7x7xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

// A dilated one stays flattened either way: the depthwise micro-kernel
// takes only undilated windows.
// CHECK-LABEL: func.func @conv_depthwise_flat_dilated
// CHECK:         tensor.collapse_shape
// WINDOW-LABEL: func.func @conv_depthwise_flat_dilated
// WINDOW:         tensor.collapse_shape
func.func @conv_depthwise_flat_dilated(%x: tensor<1x2x7x7xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %0 = tessera.conv %x, %w {dilations = array<i64: 2, 2>, group = 2 : i64, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x2x7x7xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

// So does one whose fusion group holds an activation the kernel does not
// apply (a Sigmoid); one with a Clip keeps its taps.
// WINDOW-LABEL: func.func @conv_depthwise_flat_fused
// WINDOW:         tensor.collapse_shape
// WINDOW-NOT:     tensor.collapse_shape
// WINDOW:         return
func.func @conv_depthwise_flat_fused(%x: tensor<1x2x7x7xf32>, %w: tensor<2x1x3x3xf32>) -> (tensor<1x2x7x7xf32>, tensor<1x2x7x7xf32>) {
  %0 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, tessera.fusion_group = 0 : i64} : (tensor<1x2x7x7xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x7x7xf32>
  %1 = tessera.sigmoid %0 {tessera.fusion_group = 0 : i64} : tensor<1x2x7x7xf32>
  %2 = tessera.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, tessera.fusion_group = 1 : i64} : (tensor<1x2x7x7xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x7x7xf32>
  %3 = tessera.clip %2 {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64, tessera.fusion_group = 1 : i64} : tensor<1x2x7x7xf32>
  return %1, %3 : tensor<1x2x7x7xf32>, tensor<1x2x7x7xf32>
}

// -----

// Max pooling pads with -inf and unrolls its window. With a stride along
// the rows it is separable: one all-parallel generic takes the max over
// each column of 3 rows (the rows' strided views, whole rows of the padded
// input), a second the max over 3 of those along the row (views with the
// column stride).
// CHECK-LABEL: func.func @max_pool
// CHECK:         %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:           tensor.yield %[[NEGINF]] : f32
// CHECK:         %[[R0:.*]] = tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 2, 3, 7] [1, 1, 2, 1] : tensor<1x2x7x7xf32> to tensor<1x2x3x7xf32>
// CHECK:         %[[R1:.*]] = tensor.extract_slice %[[P]][0, 0, 1, 0] [1, 2, 3, 7] [1, 1, 2, 1]
// CHECK:         %[[R2:.*]] = tensor.extract_slice %[[P]][0, 0, 2, 0] [1, 2, 3, 7] [1, 1, 2, 1]
// CHECK:         %[[COLS:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[R0]], %[[R1]], %[[R2]] :
// CHECK:         ^bb0(%[[A:[^:]*]]: f32, %[[B:[^:]*]]: f32, %[[C:[^:]*]]: f32,
// CHECK-NEXT:      %[[M:.*]] = arith.maximumf %[[A]], %[[B]] : f32
// CHECK-NEXT:      arith.maximumf %[[M]], %[[C]] : f32
// CHECK:         -> tensor<1x2x3x7xf32>
// CHECK:         %[[C0:.*]] = tensor.extract_slice %[[COLS]][0, 0, 0, 0] [1, 2, 3, 3] [1, 1, 1, 2] : tensor<1x2x3x7xf32> to tensor<1x2x3x3xf32>
// CHECK:         %[[C1:.*]] = tensor.extract_slice %[[COLS]][0, 0, 0, 1] [1, 2, 3, 3] [1, 1, 1, 2]
// CHECK:         %[[C2:.*]] = tensor.extract_slice %[[COLS]][0, 0, 0, 2] [1, 2, 3, 3] [1, 1, 1, 2]
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[C0]], %[[C1]], %[[C2]] :
// CHECK-COUNT-2:   arith.maximumf
// CHECK:         -> tensor<1x2x3x3xf32>
func.func @max_pool(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = tessera.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// Without a stride along the rows the window stays one generic over the 9
// taps' views, combined in the window's order.
// CHECK-LABEL: func.func @max_pool_unit_stride
// CHECK:         %[[P:.*]] = tensor.pad
// CHECK:         %[[T0:.*]] = tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 2, 5, 5] [1, 1, 1, 1] : tensor<1x2x7x7xf32> to tensor<1x2x5x5xf32>
// CHECK-COUNT-7: tensor.extract_slice %[[P]]
// CHECK:         %[[T8:.*]] = tensor.extract_slice %[[P]][0, 0, 2, 2] [1, 2, 5, 5] [1, 1, 1, 1]
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[T0]], {{.*}}, %[[T8]] :
// CHECK-COUNT-8:   arith.maximumf
// CHECK-NOT:     linalg.generic
func.func @max_pool_unit_stride(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xf32> {
  %0 = tessera.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<1x2x5x5xf32> -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// A window of more than 49 taps (here 8x8) is a reduction over a
// shape-only window tensor instead.
// CHECK-LABEL: func.func @max_pool_large_window
// CHECK:         %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[FILL:.*]] = linalg.fill ins(%[[NEGINF]] : f32) {{.*}} -> tensor<1x2x2x2xf32>
// CHECK:         %[[WIN:.*]] = tensor.empty() : tensor<8x8xf32>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 8 + d4, d3 * 8 + d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME:      ins(%{{.*}}, %[[WIN]] : {{.*}}) outs(%[[FILL]] :
// CHECK:           arith.maximumf
func.func @max_pool_large_window(%x: tensor<1x2x16x16xf32>) -> tensor<1x2x2x2xf32> {
  %0 = tessera.max_pool %x {kernel_shape = array<i64: 8, 8>, strides = array<i64: 8, 8>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x16x16xf32> -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// Without count_include_pad each output divides by the number of window
// positions inside the input, computed from linalg.index.
// CHECK-LABEL: func.func @avg_pool
// CHECK:         %[[SUM:.*]] = linalg.generic
// CHECK-COUNT-8:   arith.addf
// CHECK:         linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x2x4x4xf32>)
// CHECK:           linalg.index 2 : index
// CHECK:           arith.maxsi
// CHECK:           linalg.index 3 : index
// CHECK:           %[[CNT:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK:           arith.divf %{{.*}}, %[[CNT]] : f32
func.func @avg_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = tessera.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @batch_norm
// CHECK-DAG:     %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK-COUNT-4: tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2]] output_shape [4, 1, 1] : tensor<4xf32> into tensor<4x1x1xf32>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>]
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[S:.*]]: f32, %[[B:.*]]: f32, %[[M:.*]]: f32, %[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[C:.*]] = arith.subf %[[X]], %[[M]] : f32
// CHECK-NEXT:      %[[VE:.*]] = arith.addf %[[V]], %[[EPS]] : f32
// CHECK-NEXT:      %[[SD:.*]] = math.sqrt %[[VE]] : f32
// CHECK-NEXT:      %[[N:.*]] = arith.divf %[[C]], %[[SD]] : f32
// CHECK-NEXT:      %[[NS:.*]] = arith.mulf %[[N]], %[[S]] : f32
// CHECK-NEXT:      arith.addf %[[NS]], %[[B]] : f32
func.func @batch_norm(%x: tensor<1x4x2x2xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  %0 = tessera.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// Mean and variance over the last axis: two reductions, sqrt, a division
// by it (as exporters decompose LayerNorm), then scale
// and bias broadcast over the normalized dims.
// CHECK-LABEL: func.func @layer_norm
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
// CHECK:           arith.addf
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
// CHECK:           arith.mulf %[[IN:.*]], %[[IN]] : f32
// CHECK:           math.sqrt
// CHECK:           arith.divf
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>]
func.func @layer_norm(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  %0 = tessera.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// Max-shifted: reduce max, then exp(x - max) once: the sum adds the exps,
// the quotients divide them.
// CHECK-LABEL: func.func @softmax
// CHECK:         linalg.fill ins(%{{.*}} : f32) {{.*}} -> tensor<2xf32>
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           arith.maximumf
// CHECK:         %[[EXP:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]] : tensor<2x8xf32>, tensor<2xf32>)
// CHECK:           arith.subf
// CHECK:           math.exp
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<2x8xf32>)
// CHECK-NOT:       math.exp
// CHECK:           arith.addf
// CHECK:         linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<2x8xf32>, tensor<2xf32>)
// CHECK-NOT:       math.exp
// CHECK:           arith.divf
// CHECK-NOT:     math.exp
// CHECK:         return
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = tessera.softmax %x {axis = 1 : i64} : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// Log-softmax: reduce max, subtract, sum exp(shifted), shifted - log(sum).
// CHECK-LABEL: func.func @log_softmax
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           arith.maximumf
// CHECK:         %[[SHIFT:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]] : tensor<2x8xf32>, tensor<2xf32>)
// CHECK:           arith.subf
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[SHIFT]] : tensor<2x8xf32>)
// CHECK:           math.exp
// CHECK:           arith.addf
// CHECK:         linalg.generic {{.*}} ins(%[[SHIFT]], %[[SUM]] : tensor<2x8xf32>, tensor<2xf32>)
// CHECK-NOT:       math.exp
// CHECK:           math.log
// CHECK:           arith.subf
// CHECK:         return
func.func @log_softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = tessera.log_softmax %x {axis = 1 : i64} : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// With winograd-convolutions, any batch: the named op on the padded input,
// then the bias add. Without, im2col.
// CHECK-LABEL: func.func @conv_winograd_dynamic_batch_bias
// CHECK-NOT:     linalg.conv_2d_nchw_fchw
// CHECK:         return
// WINOGRAD-LABEL: func.func @conv_winograd_dynamic_batch_bias
// WINOGRAD:         %[[P:.*]] = tensor.pad
// WINOGRAD:         %[[CONV:.*]] = linalg.conv_2d_nchw_fchw ins(%[[P]], %{{.*}} : tensor<?x8x10x10xf32>, tensor<16x8x3x3xf32>) outs(%{{.*}} : tensor<?x16x8x8xf32>)
// WINOGRAD:         linalg.generic {{.*}} ins(%[[CONV]], %{{.*}} : tensor<?x16x8x8xf32>, tensor<16x1x1xf32>)
func.func @conv_winograd_dynamic_batch_bias(%x: tensor<?x8x8x8xf32>, %w: tensor<16x8x3x3xf32>, %b: tensor<16xf32>) -> tensor<?x16x8x8xf32> {
  %0 = tessera.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<?x8x8x8xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32>
  return %0 : tensor<?x16x8x8xf32>
}

// Dilated, f16, or 5x5: not for Winograd.
// WINOGRAD-LABEL: func.func @conv_not_winograd
// WINOGRAD-NOT:     linalg.conv_2d_nchw_fchw
// WINOGRAD:         return
func.func @conv_not_winograd(%x: tensor<1x4x9x9xf32>, %w: tensor<4x4x3x3xf32>, %h: tensor<1x4x8x8xf16>, %v: tensor<4x4x3x3xf16>, %w5: tensor<4x4x5x5xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x6x6xf16>, tensor<1x4x5x5xf32>) {
  %0 = tessera.conv %x, %w {dilations = array<i64: 2, 2>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x9x9xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  %1 = tessera.conv %h, %v {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf16>, tensor<4x4x3x3xf16>) -> tensor<1x4x6x6xf16>
  %2 = tessera.conv %x, %w5 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x9x9xf32>, tensor<4x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  return %0, %1, %2 : tensor<1x4x5x5xf32>, tensor<1x4x6x6xf16>, tensor<1x4x5x5xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_sum_keepdims
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK:           arith.addf
// CHECK:         } -> tensor<2x4xf32>
// CHECK:         tensor.expand_shape %[[R]] {{\[}}[0], [1, 2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
func.func @reduce_sum_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = tessera.reduce_sum %x {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// The mean divides by the reduced element count (3 * 4) as a float.
// CHECK-LABEL: func.func @reduce_mean
// CHECK:         %[[DIM:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x3x4xf32>
// CHECK:         tensor.empty(%[[DIM]]) : tensor<?xf32>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK:         %[[N:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK:         linalg.generic
// CHECK:           arith.divf %{{.*}}, %[[N]] : f32
// CHECK-NOT:     tensor.expand_shape
// CHECK:         return %{{.*}} : tensor<?xf32>
func.func @reduce_mean(%x: tensor<?x3x4xf32>) -> tensor<?xf32> {
  %0 = tessera.reduce_mean %x {axes = array<i64: 1, 2>, keepdims = false} : tensor<?x3x4xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// An integer max starts from the smallest value; reducing every axis gives a
// rank-0 tensor, expanded back to 1x1 with keepdims.
// CHECK-LABEL: func.func @reduce_max_int
// CHECK:         %[[LOW:.*]] = arith.constant -2147483648 : i32
// CHECK:         linalg.fill ins(%[[LOW]] : i32) {{.*}} -> tensor<i32>
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK:           arith.maxsi
// CHECK:         tensor.expand_shape %{{.*}} [] output_shape [1, 1] : tensor<i32> into tensor<1x1xi32>
func.func @reduce_max_int(%x: tensor<2x3xi32>) -> tensor<1x1xi32> {
  %0 = tessera.reduce_max %x {axes = array<i64: 0, 1>} : tensor<2x3xi32> -> tensor<1x1xi32>
  return %0 : tensor<1x1xi32>
}

// -----

// A static reshape is a collapse to 1-D and an expand: views, no copy.
// CHECK-LABEL: func.func @reshape_static
// CHECK:         %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK:         tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
func.func @reshape_static(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = tessera.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// With a shape operand the sizes are read at run time (0 copies the input
// size, -1 is inferred) and fed to tensor.reshape.
// CHECK-LABEL: func.func @reshape_dynamic
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4xf32>, %[[S:.*]]: tensor<2xi64>)
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[MINUS1:.*]] = arith.constant -1 : index
// CHECK:         %[[S0:.*]] = tensor.extract %[[S]][%{{.*}}] : tensor<2xi64>
// CHECK:         arith.cmpi eq, %{{.*}}, %[[MINUS1]] : index
// CHECK:         %[[INF:.*]] = arith.divui
// CHECK:         %[[D0:.*]] = arith.select %{{.*}}, %[[INF]], %{{.*}} : index
// CHECK:         %[[SHAPE:.*]] = tensor.from_elements %[[D0]], %[[C2]] : tensor<2xindex>
// CHECK:         tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<?x4xf32>, tensor<2xindex>) -> tensor<?x2xf32>
func.func @reshape_dynamic(%x: tensor<?x4xf32>, %s: tensor<2xi64>) -> tensor<?x2xf32> {
  %0 = tessera.reshape %x, %s : tensor<?x4xf32>, tensor<2xi64> -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// CHECK-LABEL: func.func @transpose
// CHECK-SAME:    (%[[X:.*]]: tensor<2x?x4xf32>)
// CHECK:         %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<2x?x4xf32>
// CHECK:         %[[E:.*]] = tensor.empty(%[[D]]) : tensor<4x2x?xf32>
// CHECK:         linalg.transpose ins(%[[X]] : tensor<2x?x4xf32>) outs(%[[E]] : tensor<4x2x?xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x?x4xf32>) -> tensor<4x2x?xf32> {
  %0 = tessera.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x?x4xf32> -> tensor<4x2x?xf32>
  return %0 : tensor<4x2x?xf32>
}

// -----

// CHECK-LABEL: func.func @concat_split
// CHECK-SAME:    (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x5xf32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK:         %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK:         %[[OFF:.*]] = arith.addi
// CHECK:         %[[CAT:.*]] = tensor.insert_slice %[[B]] into %[[I0]][0, %[[OFF]]] [2, 5] [1, 1]
// CHECK:         tensor.extract_slice %[[CAT]][0, 0] [2, 6] [1, 1] : tensor<2x8xf32> to tensor<2x6xf32>
// CHECK:         tensor.extract_slice %[[CAT]][0, 6] [2, 2] [1, 1] : tensor<2x8xf32> to tensor<2x2xf32>
func.func @concat_split(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> (tensor<2x6xf32>, tensor<2x2xf32>) {
  %0 = tessera.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %1:2 = tessera.split %0 {axis = 1 : i64} : tensor<2x8xf32> -> tensor<2x6xf32>, tensor<2x2xf32>
  return %1#0, %1#1 : tensor<2x6xf32>, tensor<2x2xf32>
}

// Positive steps: a strided extract_slice at clamped starts.
// CHECK-LABEL: func.func @slice_positive_step
// CHECK:         tensor.extract_slice %{{.*}}[%{{.*}}, %{{.*}}] [2, 4] [1, 2] : tensor<4x10xf32> to tensor<2x4xf32>
func.func @slice_positive_step(%x: tensor<4x10xf32>) -> tensor<2x4xf32> {
  %0 = tessera.slice %x {starts = array<i64: 1, 1>, ends = array<i64: 3, -1>, steps = array<i64: 1, 2>} : tensor<4x10xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// A negative step reads backwards through tensor.extract.
// CHECK-LABEL: func.func @slice_negative_step
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG:     %[[STEP:.*]] = arith.constant -1 : index
// CHECK-NOT:     tensor.extract_slice
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<2x2xf32>)
// CHECK:           %[[I0:.*]] = arith.addi
// CHECK:           %[[J:.*]] = linalg.index 1 : index
// CHECK:           %[[JS:.*]] = arith.muli %[[J]], %[[STEP]] : index
// CHECK:           %[[I1:.*]] = arith.addi %{{.*}}, %[[JS]] : index
// CHECK:           %[[V:.*]] = tensor.extract %[[X]][%[[I0]], %[[I1]]] : tensor<2x3xf32>
// CHECK:           linalg.yield %[[V]] : f32
func.func @slice_negative_step(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %0 = tessera.slice %x {starts = array<i64: 0, 2>, ends = array<i64: 2, 0>, steps = array<i64: 1, -1>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Negative indices wrap around by the axis size (5).
// CHECK-LABEL: func.func @gather
// CHECK-SAME:    (%[[X:.*]]: tensor<5x3xf32>, %[[I:.*]]: tensor<2x2xi64>)
// CHECK-DAG:     %[[C5:.*]] = arith.constant 5 : index
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[I]] : tensor<2x2xi64>)
// CHECK:         ^bb0(%[[IN:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT:      %[[IDX:.*]] = arith.index_cast %[[IN]] : i64 to index
// CHECK-NEXT:      %[[NEG:.*]] = arith.cmpi slt, %[[IDX]], %{{.*}} : index
// CHECK-NEXT:      %[[WRAP:.*]] = arith.addi %[[IDX]], %[[C5]] : index
// CHECK-NEXT:      %[[ROW:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[IDX]] : index
// CHECK-NEXT:      %[[COL:.*]] = linalg.index 2 : index
// CHECK-NEXT:      tensor.extract %[[X]][%[[ROW]], %[[COL]]] : tensor<5x3xf32>
func.func @gather(%x: tensor<5x3xf32>, %i: tensor<2x2xi64>) -> tensor<2x2x3xf32> {
  %0 = tessera.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2x2xi64>) -> tensor<2x2x3xf32>
  return %0 : tensor<2x2x3xf32>
}

// CHECK-LABEL: func.func @expand
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%{{.*}} : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x4xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]] : f32
func.func @expand(%x: tensor<3x1xf32>, %s: tensor<3xi64>) -> tensor<2x3x4xf32> {
  %0 = tessera.expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Negative pads crop with extract_slice before tensor.pad adds the rest.
// CHECK-LABEL: func.func @pad_constant
// CHECK:         %[[V:.*]] = arith.constant 1.500000e+00 : f32
// CHECK:         %[[CROP:.*]] = tensor.extract_slice %{{.*}}[0, 2] [4, 4] [1, 1] : tensor<4x6xf32> to tensor<4x4xf32>
// CHECK:         tensor.pad %[[CROP]] low[1, 0] high[0, 1]
// CHECK:           tensor.yield %[[V]] : f32
// CHECK:         } : tensor<4x4xf32> to tensor<5x5xf32>
func.func @pad_constant(%x: tensor<4x6xf32>) -> tensor<5x5xf32> {
  %0 = tessera.pad %x {mode = #tessera<pad_mode constant>, pads = array<i64: 1, -2, 0, 1>, value = 1.5 : f64} : tensor<4x6xf32> -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}

// CHECK-LABEL: func.func @shape_and_constant
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[CST:.*]] = arith.constant dense<[1, 2]> : tensor<2xi64>
// CHECK:         %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4xf32>
// CHECK:         %[[D64:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK:         %[[C464:.*]] = arith.index_cast %[[C4]] : index to i64
// CHECK:         tensor.from_elements %[[D64]], %[[C464]] : tensor<2xi64>
func.func @shape_and_constant(%x: tensor<?x4xf32>) -> (tensor<2xi64>, tensor<2xi64>) {
  %0 = tessera.shape %x : tensor<?x4xf32> -> tensor<2xi64>
  %1 = tessera.constant dense<[1, 2]> : tensor<2xi64>
  return %0, %1 : tensor<2xi64>, tensor<2xi64>
}

// -----

// Edge padding reads the input at clamped indices.
// CHECK-LABEL: func.func @pad_edge
// CHECK-SAME:    (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NOT:     tensor.pad
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<4x8xf32>)
// CHECK:           %[[I:.*]] = linalg.index 0 : index
// CHECK:           %[[IL:.*]] = arith.subi %[[I]], %{{.*}} : index
// CHECK:           %[[LO:.*]] = arith.maxsi %[[IL]], %{{.*}} : index
// CHECK:           %[[ROW:.*]] = arith.minsi %[[LO]], %{{.*}} : index
// CHECK:           tensor.extract %[[X]][%[[ROW]], %{{.*}}] : tensor<2x8xf32>
func.func @pad_edge(%x: tensor<2x8xf32>) -> tensor<4x8xf32> {
  %0 = tessera.pad %x {mode = #tessera<pad_mode edge>, pads = array<i64: 1, 0, 1, 0>} : tensor<2x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Nearest resize: floor(out / scale), clamped to the input, per dimension.
// CHECK-LABEL: func.func @resize_nearest
// CHECK-SAME:    (%[[X:.*]]: tensor<1x3x8x8xf32>)
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<1x3x16x16xf32>)
// CHECK:           math.floor
// CHECK:           math.floor
// CHECK:           tensor.extract %[[X]][
func.func @resize_nearest(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x16x16xf32> {
  %0 = tessera.resize %x {coordinate_transform = #tessera<coordinate_transform asymmetric>, mode = #tessera<resize_mode nearest>, nearest_rounding = #tessera<nearest_rounding floor>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return %0 : tensor<1x3x16x16xf32>
}

// Transposed convolution: the input is spread into a zero tensor padded by
// k - 1, the weights are flipped and regrouped, then a plain convolution.
// CHECK-LABEL: func.func @conv_transpose
// CHECK-SAME:    (%[[X:.*]]: tensor<1x2x3x3xf32>, %[[W:.*]]: tensor<2x4x3x3xf32>)
// CHECK:         %[[Z:.*]] = linalg.fill {{.*}} -> tensor<1x2x7x7xf32>
// CHECK:         %[[S:.*]] = tensor.insert_slice %[[X]] into %[[Z]][0, 0, 2, 2] [1, 2, 3, 3] [1, 1, 1, 1]
// CHECK:         %[[F:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x2x3x3xf32>)
// CHECK:           tensor.extract %[[W]][
// CHECK:         linalg.generic {{.*}} ins(%[[S]] : tensor<1x2x7x7xf32>) outs(%{{.*}} : tensor<1x2x3x3x5x5xf32>)
// CHECK:         tensor.collapse_shape {{.*}} into tensor<1x18x25xf32>
// CHECK:         tensor.collapse_shape %[[F]] {{\[}}[0], [1, 2, 3]] : tensor<4x2x3x3xf32> into tensor<4x18xf32>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK:         tensor.expand_shape {{.*}} into tensor<1x4x5x5xf32>
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %0 = tessera.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// A 1-D operand gets no m (or n) loop.
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

// -----

// Einsum: one loop per letter (b, i, k parallel; j summed), accumulated
// into a zero-filled output.
// CHECK-LABEL: func.func @einsum_batched
// CHECK-SAME:    (%[[A:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<2x4x5xf32>)
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x3x5xf32>)
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[A]], %[[B]] : tensor<2x3x4xf32>, tensor<2x4x5xf32>) outs(%[[FILL]] : tensor<2x3x5xf32>)
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     tessera.
func.func @einsum_batched(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = tessera.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// A letter repeated within one input reads its diagonal.
// CHECK-LABEL: func.func @einsum_diagonal
// CHECK-SAME:    (%[[A:.*]]: tensor<4x4xf32>)
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0) -> (d0, d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
// CHECK-SAME:      ins(%[[A]] : tensor<4x4xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:         ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[ACC]], %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-NOT:     tessera.
func.func @einsum_diagonal(%a: tensor<4x4xf32>) -> tensor<4xf32> {
  %0 = tessera.einsum %a {equation = "ii->i"} : (tensor<4x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// ArgMax: one generic carries the running maximum and its i64 index; the
// first reduction step always takes the element (ties keep the first index).
// CHECK-LABEL: func.func @arg_max
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[VINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK-DAG:     %[[IINIT:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<3xi64>)
// CHECK:         %[[R:.*]]:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME:      outs(%[[VINIT]], %[[IINIT]] : tensor<3xf32>, tensor<3xi64>)
// CHECK:         ^bb0(%[[IN:.*]]: f32, %[[MAX:.*]]: f32, %[[IDX:.*]]: i64):
// CHECK-NEXT:      %[[GT:.*]] = arith.cmpf ogt, %[[IN]], %[[MAX]] : f32
// CHECK-NEXT:      %[[I:.*]] = linalg.index 1 : index
// CHECK-NEXT:      %[[FIRST:.*]] = arith.cmpi eq, %[[I]], %[[C0]] : index
// CHECK-NEXT:      %[[TAKE:.*]] = arith.ori %[[GT]], %[[FIRST]] : i1
// CHECK-NEXT:      %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT:      %[[V:.*]] = arith.select %[[TAKE]], %[[IN]], %[[MAX]] : f32
// CHECK-NEXT:      %[[NI:.*]] = arith.select %[[TAKE]], %[[I64]], %[[IDX]] : i64
// CHECK-NEXT:      linalg.yield %[[V]], %[[NI]] : f32, i64
// CHECK:         %[[E:.*]] = tensor.expand_shape %[[R]]#1 {{.*}} : tensor<3xi64> into tensor<3x1xi64>
// CHECK:         return %[[E]] : tensor<3x1xi64>
func.func @arg_max(%x: tensor<3x5xf32>) -> tensor<3x1xi64> {
  %0 = tessera.arg_max %x {axis = 1 : i64} : tensor<3x5xf32> -> tensor<3x1xi64>
  return %0 : tensor<3x1xi64>
}

// -----

// CumSum: an extra reduction loop d2 over the axis; element d2 contributes
// to output d1 when d2 <= d1 (inclusive, forward) or d2 > d1 (exclusive,
// reverse).
// CHECK-LABEL: func.func @cum_sum
// CHECK-SAME:    (%[[X:.*]]: tensor<2x6xf32>)
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[X]] : tensor<2x6xf32>)
// CHECK:         ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[I:.*]] = linalg.index 1 : index
// CHECK-NEXT:      %[[J:.*]] = linalg.index 2 : index
// CHECK-NEXT:      %[[KEEP:.*]] = arith.cmpi sle, %[[J]], %[[I]] : index
// CHECK-NEXT:      %[[V:.*]] = arith.select %[[KEEP]], %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[ACC]], %[[V]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-LABEL: func.func @cum_sum_exclusive_reverse
// CHECK:         iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:         %[[I:.*]] = linalg.index 1 : index
// CHECK-NEXT:    %[[J:.*]] = linalg.index 2 : index
// CHECK-NEXT:    arith.cmpi sgt, %[[J]], %[[I]] : index
func.func @cum_sum(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {
  %0 = tessera.cum_sum %x {axis = 1 : i64} : tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}
func.func @cum_sum_exclusive_reverse(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {
  %0 = tessera.cum_sum %x {axis = 1 : i64, exclusive = true, reverse = true} : tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// GatherND: the result generic reads the k = 2 leading coordinates from
// `indices` (wrapping negatives by the input size) and extracts from input.
// CHECK-LABEL: func.func @gather_nd
// CHECK-SAME:    (%[[X:.*]]: tensor<4x5x6xf32>, %[[IDX:.*]]: tensor<3x2xi64>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C5:.*]] = arith.constant 5 : index
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<3x6xf32>)
// CHECK-NEXT:    ^bb0(%{{.*}}: f32):
// CHECK-NEXT:      %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT:      %[[J:.*]] = linalg.index 1 : index
// CHECK-NEXT:      %[[E0:.*]] = tensor.extract %[[IDX]][%[[I]], %[[C0]]] : tensor<3x2xi64>
// CHECK-NEXT:      %[[A0:.*]] = arith.index_cast %[[E0]] : i64 to index
// CHECK-NEXT:      %[[NEG0:.*]] = arith.cmpi slt, %[[A0]], %[[C0]] : index
// CHECK-NEXT:      %[[W0:.*]] = arith.addi %[[A0]], %[[C4]] : index
// CHECK-NEXT:      %[[K0:.*]] = arith.select %[[NEG0]], %[[W0]], %[[A0]] : index
// CHECK-NEXT:      %[[E1:.*]] = tensor.extract %[[IDX]][%[[I]], %[[C1]]] : tensor<3x2xi64>
// CHECK-NEXT:      %[[A1:.*]] = arith.index_cast %[[E1]] : i64 to index
// CHECK-NEXT:      %[[NEG1:.*]] = arith.cmpi slt, %[[A1]], %[[C0]] : index
// CHECK-NEXT:      %[[W1:.*]] = arith.addi %[[A1]], %[[C5]] : index
// CHECK-NEXT:      %[[K1:.*]] = arith.select %[[NEG1]], %[[W1]], %[[A1]] : index
// CHECK-NEXT:      %[[V:.*]] = tensor.extract %[[X]][%[[K0]], %[[K1]], %[[J]]] : tensor<4x5x6xf32>
// CHECK-NEXT:      linalg.yield %[[V]] : f32
func.func @gather_nd(%x: tensor<4x5x6xf32>, %i: tensor<3x2xi64>) -> tensor<3x6xf32> {
  %0 = tessera.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<4x5x6xf32>, tensor<3x2xi64>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

// DynamicSlice: per dimension, start and step come from the entry of
// `axes` naming it (else 0 and 1); starts are clamped to the input, then
// the generic reads input[start + i * step].
// CHECK-LABEL: func.func @dynamic_slice
// CHECK-SAME:    (%[[X:.*]]: tensor<8x10xf32>, %[[STARTS:.*]]: tensor<1xi64>, %[[AXES:.*]]: tensor<1xi64>, %[[STEPS:.*]]: tensor<1xi64>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[AXV:.*]] = tensor.extract %[[AXES]][%[[C0]]] : tensor<1xi64>
// CHECK:         %[[AX:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK:         %[[STV:.*]] = tensor.extract %[[STARTS]][%[[C0]]] : tensor<1xi64>
// CHECK-NEXT:    %[[START:.*]] = arith.index_cast %[[STV]] : i64 to index
// CHECK-NEXT:    %[[SPV:.*]] = tensor.extract %[[STEPS]][%[[C0]]] : tensor<1xi64>
// CHECK-NEXT:    %[[STEP:.*]] = arith.index_cast %[[SPV]] : i64 to index
// CHECK-NEXT:    %[[IS0:.*]] = arith.cmpi eq, %[[AX]], %[[C0]] : index
// CHECK-NEXT:    %{{.*}} = arith.select %[[IS0]], %[[START]], %[[C0]] : index
// CHECK-NEXT:    %[[STEP0:.*]] = arith.select %[[IS0]], %[[STEP]], %[[C1]] : index
// CHECK-NEXT:    %[[IS1:.*]] = arith.cmpi eq, %[[AX]], %[[C1]] : index
// CHECK-NEXT:    %{{.*}} = arith.select %[[IS1]], %[[START]], %[[C0]] : index
// CHECK-NEXT:    %[[STEP1:.*]] = arith.select %[[IS1]], %[[STEP]], %[[C1]] : index
// CHECK:         %[[LO0:.*]] = arith.maxsi %{{.*}}, %[[C0]] : index
// CHECK-NEXT:    %[[B0:.*]] = arith.minsi %[[LO0]], %{{.*}} : index
// CHECK:         %[[LO1:.*]] = arith.maxsi %{{.*}}, %[[C0]] : index
// CHECK-NEXT:    %[[B1:.*]] = arith.minsi %[[LO1]], %{{.*}} : index
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<8x4xf32>)
// CHECK:           %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT:      %[[J:.*]] = linalg.index 1 : index
// CHECK-NEXT:      %[[OI:.*]] = arith.muli %[[I]], %[[STEP0]] : index
// CHECK-NEXT:      %[[II:.*]] = arith.addi %[[B0]], %[[OI]] : index
// CHECK-NEXT:      %[[OJ:.*]] = arith.muli %[[J]], %[[STEP1]] : index
// CHECK-NEXT:      %[[IJ:.*]] = arith.addi %[[B1]], %[[OJ]] : index
// CHECK-NEXT:      %[[V:.*]] = tensor.extract %[[X]][%[[II]], %[[IJ]]] : tensor<8x10xf32>
// CHECK-NEXT:      linalg.yield %[[V]] : f32
func.func @dynamic_slice(%x: tensor<8x10xf32>, %s: tensor<1xi64>, %a: tensor<1xi64>, %st: tensor<1xi64>) -> tensor<8x4xf32> {
  %0 = tessera.dynamic_slice %x, %s, %a, %st : (tensor<8x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// ScatterElements: a loop nest over `updates`, threading the result tensor;
// with reduction add the old element is read back and summed.
// CHECK-LABEL: func.func @scatter_elements
// CHECK-SAME:    (%[[X:.*]]: tensor<3x4xf32>, %[[IDX:.*]]: tensor<2x4xi64>, %[[UPD:.*]]: tensor<2x4xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK:         %[[DIM:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<3x4xf32>
// CHECK:         %[[R:.*]] = scf.for %[[I:[a-z0-9_]+]] = %[[C0]] to %[[C2]] step %{{.*}} iter_args(%{{.*}} = %[[X]]) -> (tensor<3x4xf32>)
// CHECK-NEXT:      scf.for %[[J:[a-z0-9_]+]] = %[[C0]] to %[[C4]] step %{{.*}} iter_args(%[[ACC:[a-z0-9_]+]] = %{{.*}}) -> (tensor<3x4xf32>)
// CHECK-NEXT:        %[[U:.*]] = tensor.extract %[[UPD]][%[[I]], %[[J]]] : tensor<2x4xf32>
// CHECK-NEXT:        %[[E:.*]] = tensor.extract %[[IDX]][%[[I]], %[[J]]] : tensor<2x4xi64>
// CHECK-NEXT:        %[[A:.*]] = arith.index_cast %[[E]] : i64 to index
// CHECK-NEXT:        %[[NEG:.*]] = arith.cmpi slt, %[[A]], %[[C0]] : index
// CHECK-NEXT:        %[[W:.*]] = arith.addi %[[A]], %[[DIM]] : index
// CHECK-NEXT:        %[[ROW:.*]] = arith.select %[[NEG]], %[[W]], %[[A]] : index
// CHECK-NEXT:        %[[OLD:.*]] = tensor.extract %[[ACC]][%[[ROW]], %[[J]]] : tensor<3x4xf32>
// CHECK-NEXT:        %[[NEW:.*]] = arith.addf %[[OLD]], %[[U]] : f32
// CHECK-NEXT:        %[[INS:.*]] = tensor.insert %[[NEW]] into %[[ACC]][%[[ROW]], %[[J]]] : tensor<3x4xf32>
// CHECK-NEXT:        scf.yield %[[INS]] : tensor<3x4xf32>
// CHECK:         return %[[R]] : tensor<3x4xf32>
func.func @scatter_elements(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) -> tensor<3x4xf32> {
  %0 = tessera.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = #tessera<scatter_reduction add>} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// ScatterND without reduction: each row of `updates` replaces the input row
// named by `indices`.
// CHECK-LABEL: func.func @scatter_nd
// CHECK-SAME:    (%[[X:.*]]: tensor<4x5xf32>, %[[IDX:.*]]: tensor<2x1xi64>, %[[UPD:.*]]: tensor<2x5xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C5:.*]] = arith.constant 5 : index
// CHECK:         %[[R:.*]] = scf.for %[[I:[a-z0-9_]+]] = %[[C0]] to %[[C2]] step %{{.*}} iter_args(%{{.*}} = %[[X]]) -> (tensor<4x5xf32>)
// CHECK-NEXT:      scf.for %[[J:[a-z0-9_]+]] = %[[C0]] to %[[C5]] step %{{.*}} iter_args(%[[ACC:[a-z0-9_]+]] = %{{.*}}) -> (tensor<4x5xf32>)
// CHECK-NEXT:        %[[U:.*]] = tensor.extract %[[UPD]][%[[I]], %[[J]]] : tensor<2x5xf32>
// CHECK-NEXT:        %[[E:.*]] = tensor.extract %[[IDX]][%[[I]], %[[C0]]] : tensor<2x1xi64>
// CHECK-NEXT:        %[[A:.*]] = arith.index_cast %[[E]] : i64 to index
// CHECK-NEXT:        %[[NEG:.*]] = arith.cmpi slt, %[[A]], %[[C0]] : index
// CHECK-NEXT:        %[[W:.*]] = arith.addi %[[A]], %[[C4]] : index
// CHECK-NEXT:        %[[ROW:.*]] = arith.select %[[NEG]], %[[W]], %[[A]] : index
// CHECK-NEXT:        %[[INS:.*]] = tensor.insert %[[U]] into %[[ACC]][%[[ROW]], %[[J]]] : tensor<4x5xf32>
// CHECK-NEXT:        scf.yield %[[INS]] : tensor<4x5xf32>
// CHECK:         return %[[R]] : tensor<4x5xf32>
func.func @scatter_nd(%x: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x5xf32>) -> tensor<4x5xf32> {
  %0 = tessera.scatter_nd %x, %i, %u {reduction = #tessera<scatter_reduction none>} : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Trilu: keep x[i, j] where j - i >= k (upper) or j - i <= k (lower), with
// k read from its tensor at run time.
// CHECK-LABEL: func.func @trilu
// CHECK-SAME:    (%[[X:.*]]: tensor<4x4xf32>, %[[K:.*]]: tensor<i64>)
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[KV:.*]] = tensor.extract %[[K]][] : tensor<i64>
// CHECK-NEXT:    %[[KI:.*]] = arith.index_cast %[[KV]] : i64 to index
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<4x4xf32>)
// CHECK-NEXT:    ^bb0(%{{.*}}: f32):
// CHECK-NEXT:      %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT:      %[[J:.*]] = linalg.index 1 : index
// CHECK-NEXT:      %[[D:.*]] = arith.subi %[[J]], %[[I]] : index
// CHECK-NEXT:      %[[KEEP:.*]] = arith.cmpi sge, %[[D]], %[[KI]] : index
// CHECK-NEXT:      %[[V:.*]] = tensor.extract %[[X]][%[[I]], %[[J]]] : tensor<4x4xf32>
// CHECK-NEXT:      %[[R:.*]] = arith.select %[[KEEP]], %[[V]], %[[ZERO]] : f32
// CHECK-NEXT:      linalg.yield %[[R]] : f32
// CHECK-LABEL: func.func @trilu_lower
// CHECK:         %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT:    %[[J:.*]] = linalg.index 1 : index
// CHECK-NEXT:    %[[D:.*]] = arith.subi %[[J]], %[[I]] : index
// CHECK-NEXT:    arith.cmpi sle, %[[D]], %{{.*}} : index
func.func @trilu(%x: tensor<4x4xf32>, %k: tensor<i64>) -> tensor<4x4xf32> {
  %0 = tessera.trilu %x, %k {upper = true} : tensor<4x4xf32>, tensor<i64>
  return %0 : tensor<4x4xf32>
}
func.func @trilu_lower(%x: tensor<4x4xf32>, %k: tensor<i64>) -> tensor<4x4xf32> {
  %0 = tessera.trilu %x, %k {upper = false} : tensor<4x4xf32>, tensor<i64>
  return %0 : tensor<4x4xf32>
}

// -----

// Integer Mod takes the divisor's sign (Python %): a nonzero remainder whose
// sign differs from the divisor's gets the divisor added. With fmod the
// remainder keeps the dividend's sign, i.e. plain remsi.
// CHECK-LABEL: func.func @mod_i32
// CHECK:         %[[Z:.*]] = arith.constant 0 : i32
// CHECK:         ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT:      %[[REM:.*]] = arith.remsi %[[A]], %[[B]] : i32
// CHECK-NEXT:      %[[NZ:.*]] = arith.cmpi ne, %[[REM]], %[[Z]] : i32
// CHECK-NEXT:      %[[BNEG:.*]] = arith.cmpi slt, %[[B]], %[[Z]] : i32
// CHECK-NEXT:      %[[RNEG:.*]] = arith.cmpi slt, %[[REM]], %[[Z]] : i32
// CHECK-NEXT:      %[[DIFF:.*]] = arith.xori %[[RNEG]], %[[BNEG]] : i1
// CHECK-NEXT:      %[[FIX:.*]] = arith.andi %[[NZ]], %[[DIFF]] : i1
// CHECK-NEXT:      %[[ADJ:.*]] = arith.addi %[[REM]], %[[B]] : i32
// CHECK-NEXT:      %[[R:.*]] = arith.select %[[FIX]], %[[ADJ]], %[[REM]] : i32
// CHECK-NEXT:      linalg.yield %[[R]] : i32
// CHECK-LABEL: func.func @fmod_i32
// CHECK:         ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT:      %[[REM:.*]] = arith.remsi %[[A]], %[[B]] : i32
// CHECK-NEXT:      linalg.yield %[[REM]] : i32
func.func @mod_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = tessera.mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
func.func @fmod_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = tessera.mod %a, %b {fmod = true} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Unsigned tensors come out signless: the signature is retyped and the
// bitcasts around the generic are gone.
// CHECK-LABEL: func.func @add_ui8
// CHECK-SAME:    (%[[A:.*]]: tensor<4xi8>, %[[B:.*]]: tensor<4xi8>) -> tensor<4xi8>
// CHECK-NOT:     ui8
// CHECK-NOT:     tensor.bitcast
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<4xi8>, tensor<4xi8>) outs(%{{.*}} : tensor<4xi8>)
// CHECK:           arith.addi %{{.*}}, %{{.*}} : i8
// CHECK-NOT:     ui8
// CHECK-NOT:     tensor.bitcast
// CHECK:         return %[[R]] : tensor<4xi8>
// CHECK-NOT:     ui8
// CHECK-NOT:     tensor.bitcast
func.func @add_ui8(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = tessera.add %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Cubic resize of the two spatial dims: one floor per resized dim, Keys
// weights with a = -0.75 (so a + 2 = 1.25, a + 3 = 2.25), and 4 x 4 taps,
// each a tensor.extract from the input.
// CHECK-LABEL: func.func @resize_cubic
// CHECK-SAME:    (%[[X:.*]]: tensor<1x1x4x4xf32>)
// CHECK-DAG:     arith.constant -7.500000e-01 : f32
// CHECK-DAG:     arith.constant 1.250000e+00 : f32
// CHECK-DAG:     arith.constant 2.250000e+00 : f32
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<1x1x8x8xf32>)
// CHECK-NOT:       tensor.extract
// CHECK-COUNT-2:   math.floor
// CHECK-NOT:       math.floor
// CHECK-COUNT-16:  tensor.extract %[[X]][
// CHECK-NOT:       tensor.extract
// CHECK:           linalg.yield
func.func @resize_cubic(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  %0 = tessera.resize %x {coordinate_transform = #tessera<coordinate_transform half_pixel>, mode = #tessera<resize_mode cubic>, nearest_rounding = #tessera<nearest_rounding floor>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x4x4xf32> -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// NonZero counts first, then fills a tensor of that many columns in one
// loop nest over the input that carries the output and the next column.
// CHECK-LABEL: func.func @non_zero
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3xf32>)
// CHECK:         %[[COUNT:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK:           arith.cmpf une
// CHECK:           arith.extui
// CHECK:           arith.addi
// CHECK:         %[[N:.*]] = tensor.extract %[[COUNT]][] : tensor<i64>
// CHECK:         %[[NI:.*]] = arith.index_cast %[[N]]
// CHECK:         %[[EMPTY:.*]] = tensor.empty(%[[NI]]) : tensor<2x?xi64>
// CHECK:         scf.for {{.*}} iter_args(%[[OUT:.*]] = %[[EMPTY]], %[[COL:.*]] = %{{.*}})
// CHECK:           scf.for
// CHECK:             tensor.extract %[[X]]
// CHECK:             scf.if
// CHECK-COUNT-2:       tensor.insert
// CHECK:               arith.addi
// CHECK:               scf.yield
// CHECK:             else
func.func @non_zero(%x: tensor<2x3xf32>) -> tensor<2x?xi64> {
  %0 = tessera.non_zero %x : tensor<2x3xf32> -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// Range's length max(ceil((limit - start) / delta), 0) sizes the result.
// CHECK-LABEL: func.func @range
// CHECK:         arith.subf
// CHECK:         arith.divf
// CHECK:         math.ceil
// CHECK:         arith.fptosi
// CHECK:         arith.maxsi
// CHECK:         tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK:         linalg.generic
// CHECK:           linalg.index 0
// CHECK:           arith.sitofp
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @range(%s: tensor<f32>, %l: tensor<f32>, %d: tensor<f32>) -> tensor<?xf32> {
  %0 = tessera.range %s, %l, %d : tensor<f32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Bilinear grid_sample with border padding: the grid point is unnormalized
// ((g + 1) * size - 1) / 2, clamped, then four guarded reads are blended.
// CHECK-LABEL: func.func @grid_sample_bilinear_border
// CHECK-SAME:    (%[[X:.*]]: tensor<1x2x4x5xf32>, %[[G:.*]]: tensor<1x3x6x2xf32>)
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x3x6xf32>)
// CHECK-COUNT-2:   tensor.extract %[[G]]
// CHECK:           arith.maximumf
// CHECK:           arith.minimumf
// CHECK-COUNT-2:   math.floor
// CHECK-COUNT-4:   tensor.extract %[[X]]
// CHECK-NOT:       tensor.extract
// CHECK:           linalg.yield
func.func @grid_sample_bilinear_border(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x6x2xf32>) -> tensor<1x2x3x6xf32> {
  %0 = tessera.grid_sample %x, %g {align_corners = false, mode = #tessera<resize_mode linear>, padding = #tessera<grid_sample_padding border>} : (tensor<1x2x4x5xf32>, tensor<1x3x6x2xf32>) -> tensor<1x2x3x6xf32>
  return %0 : tensor<1x2x3x6xf32>
}

// -----

// Bicubic reads 4 x 4 taps.
// CHECK-LABEL: func.func @grid_sample_bicubic
// CHECK:         linalg.generic
// CHECK-COUNT-16:  tensor.extract %arg0
// CHECK-NOT:       tensor.extract
// CHECK:           linalg.yield
func.func @grid_sample_bicubic(%x: tensor<1x1x4x4xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %0 = tessera.grid_sample %x, %g {align_corners = true, mode = #tessera<resize_mode cubic>, padding = #tessera<grid_sample_padding reflection>} : (tensor<1x1x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// NonMaxSuppression: loops over batches and classes carry the selected
// buffer, its row count and one live-flag buffer; each round searches the
// best live box, records it and sweeps the boxes it suppresses; the buffer
// is sliced to the row count.
// CHECK-LABEL: func.func @non_max_suppression
// CHECK:         %[[SELECTED:.*]] = tensor.empty(%{{.*}}) : tensor<?x3xi64>
// CHECK:         %[[LIVE:.*]] = tensor.empty(%{{.*}}) : tensor<?xi1>
// CHECK:         %[[LOOP:.*]]:3 = scf.for {{.*}} iter_args(%{{.*}} = %[[SELECTED]], %{{.*}} = %{{.*}}, %{{.*}} = %[[LIVE]])
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               arith.cmpf ogt
// CHECK:               tensor.insert
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:               scf.if
// CHECK-COUNT-3:         tensor.insert
// CHECK:                 scf.for
// CHECK:                   arith.divf
// CHECK:         tensor.extract_slice %[[LOOP]]#0[0, 0] [%[[LOOP]]#1, 3] [1, 1] : tensor<?x3xi64> to tensor<?x3xi64>
func.func @non_max_suppression(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x6xf32>, %max: tensor<i64>, %iou: tensor<f32>, %score: tensor<f32>) -> tensor<?x3xi64> {
  %0 = tessera.non_max_suppression %boxes, %scores, %max, %iou, %score {center_point_box = false} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// GELU in the order the exported graph computes it.
// CHECK-LABEL: func.func @gelu
// CHECK:         linalg.generic
// CHECK:           %[[S:.*]] = arith.divf %[[X:.*]], %{{.*}} : f32
// CHECK-NEXT:      %[[E:.*]] = math.erf %[[S]] : f32
// CHECK-NEXT:      %[[P:.*]] = arith.addf %[[E]], %{{.*}} : f32
// CHECK-NEXT:      %[[M:.*]] = arith.mulf %[[X]], %[[P]] : f32
// CHECK-NEXT:      %[[H:.*]] = arith.mulf %[[M]], %{{.*}} : f32
// CHECK-NEXT:      linalg.yield %[[H]]
func.func @gelu(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = tessera.gelu %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Attention, 32 query rows at a time: K is transposed once, each block's
// scores are [2, 32, 24] (with its rows of the mask), and the last 8 rows
// are a block of their own. No [2, 72, 24] score tensor exists.
// CHECK-LABEL: func.func @attention
// CHECK-SAME:    (%[[Q:.*]]: tensor<2x72x8xf32>, %[[K:.*]]: tensor<2x24x8xf32>, %[[V:.*]]: tensor<2x24x4xf32>, %[[M:.*]]: tensor<72x24xf32>)
// CHECK-NOT:     tensor<2x72x24xf32>
// CHECK:         %[[KT:.*]] = linalg.transpose ins(%[[K]] : tensor<2x24x8xf32>) {{.*}} permutation = [0, 2, 1]
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<2x72x4xf32>
// CHECK:         %[[LOOP:.*]] = scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (tensor<2x72x4xf32>)
// CHECK:           %[[QB:.*]] = tensor.extract_slice %[[Q]][0, %[[ROW]], 0] [2, 32, 8] [1, 1, 1]
// CHECK:           linalg.generic {{.*}} ins(%[[QB]], %[[KT]] : tensor<2x32x8xf32>, tensor<2x8x24xf32>) outs(%{{.*}} : tensor<2x32x24xf32>)
// CHECK:             arith.mulf
// CHECK-NEXT:        arith.addf
// CHECK:           arith.mulf
// CHECK:           tensor.extract_slice %[[M]][%[[ROW]], 0] [32, 24] [1, 1]
// CHECK:           arith.addf
// CHECK:           arith.maximumf
// CHECK:           math.exp
// CHECK:           arith.divf
// CHECK:           linalg.generic {{.*}} ins(%{{.*}}, %[[V]] : tensor<2x32x24xf32>, tensor<2x24x4xf32>) outs(%{{.*}} : tensor<2x32x4xf32>)
// CHECK:           %[[NEXT:.*]] = tensor.insert_slice %{{.*}} into %[[ACC]][0, %[[ROW]], 0] [2, 32, 4] [1, 1, 1]
// CHECK:           scf.yield %[[NEXT]]
// CHECK:         tensor.extract_slice %[[Q]][0, 64, 0] [2, 8, 8] [1, 1, 1]
// CHECK:         tensor.extract_slice %[[M]][64, 0] [8, 24] [1, 1]
// CHECK:         %[[LAST:.*]] = tensor.insert_slice %{{.*}} into %[[LOOP]][0, 64, 0] [2, 8, 4] [1, 1, 1]
// CHECK:         return %[[LAST]]
func.func @attention(%q: tensor<2x72x8xf32>, %k: tensor<2x24x8xf32>, %v: tensor<2x24x4xf32>, %mask: tensor<72x24xf32>) -> tensor<2x72x4xf32> {
  %o = tessera.attention %q, %k, %v, %mask {scale = 0.25 : f32} : (tensor<2x72x8xf32>, tensor<2x24x8xf32>, tensor<2x24x4xf32>, tensor<72x24xf32>) -> tensor<2x72x4xf32>
  return %o : tensor<2x72x4xf32>
}

// -----

// A dynamic batch and at most one block of rows: no loop; sizes of the
// block come from the query.
// CHECK-LABEL: func.func @attention_dynamic_batch
// CHECK-NOT:     scf.for
// CHECK:         %[[N:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x16x8xf32>
// CHECK:         tensor.empty(%[[N]]) : tensor<?x16x4xf32>
// CHECK:         tensor.extract_slice %arg0[0, 0, 0] [%[[N]], 16, 8] [1, 1, 1]
// CHECK:         math.exp
// CHECK:         tensor.insert_slice
func.func @attention_dynamic_batch(%q: tensor<?x16x8xf32>, %k: tensor<?x16x8xf32>, %v: tensor<?x16x4xf32>) -> tensor<?x16x4xf32> {
  %o = tessera.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<?x16x8xf32>, tensor<?x16x8xf32>, tensor<?x16x4xf32>) -> tensor<?x16x4xf32>
  return %o : tensor<?x16x4xf32>
}

// -----

// A dynamic Lq: whole 32-row blocks in the loop, then one block of the
// run-time rest (Lq - Lq / 32 * 32 rows, possibly none).
// CHECK-LABEL: func.func @attention_dynamic_rows
// CHECK:         %[[LQ:.*]] = tensor.dim %arg0, %{{.*}} : tensor<4x?x8xf32>
// CHECK:         %[[BLOCKS:.*]] = arith.divui %[[LQ]], %[[C32:.*]] : index
// CHECK:         %[[FULL:.*]] = arith.muli %[[BLOCKS]], %[[C32]] : index
// CHECK:         %[[LOOP:.*]] = scf.for %[[ROW:.*]] = %{{.*}} to %[[FULL]] step %[[C32]]
// CHECK:           tensor.extract_slice %arg0[0, %[[ROW]], 0] [4, 32, 8] [1, 1, 1] : tensor<4x?x8xf32> to tensor<4x32x8xf32>
// CHECK:         %[[REST:.*]] = arith.subi %[[LQ]], %[[FULL]] : index
// CHECK:         tensor.extract_slice %arg0[0, %[[FULL]], 0] [4, %[[REST]], 8] [1, 1, 1] : tensor<4x?x8xf32> to tensor<4x?x8xf32>
// CHECK:         tensor.insert_slice %{{.*}} into %[[LOOP]][0, %[[FULL]], 0] [4, %[[REST]], 2] [1, 1, 1]
func.func @attention_dynamic_rows(%q: tensor<4x?x8xf32>, %k: tensor<4x16x8xf32>, %v: tensor<4x16x2xf32>) -> tensor<4x?x2xf32> {
  %o = tessera.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<4x?x8xf32>, tensor<4x16x8xf32>, tensor<4x16x2xf32>) -> tensor<4x?x2xf32>
  return %o : tensor<4x?x2xf32>
}

// -----

// RMSNorm: sum of squares, 1 / sqrt(mean + eps), x times it, times scale.
// CHECK-LABEL: func.func @rms_norm
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<4x8xf32>)
// CHECK:           arith.mulf
// CHECK-NEXT:      arith.addf
// CHECK:         linalg.generic
// CHECK:           arith.divf
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      math.sqrt
// CHECK-NEXT:      arith.divf
// CHECK:         linalg.generic
// CHECK:           arith.mulf
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %arg1 : tensor<4x8xf32>, tensor<8xf32>)
// CHECK:           arith.mulf
func.func @rms_norm(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = tessera.rms_norm %x, %w {axis = 1 : i64, epsilon = 1.0e-06 : f32} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// tanh GELU in torch.onnx's order of operations.
// CHECK-LABEL: func.func @gelu_tanh
// CHECK:         arith.mulf
// CHECK-NEXT:    arith.mulf
// CHECK-NEXT:    arith.mulf
// CHECK-NEXT:    arith.addf
// CHECK-NEXT:    arith.mulf
// CHECK-NEXT:    math.tanh
// CHECK-NEXT:    arith.addf
// CHECK-NEXT:    arith.mulf
// CHECK-NEXT:    arith.mulf
func.func @gelu_tanh(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = tessera.gelu_tanh %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
