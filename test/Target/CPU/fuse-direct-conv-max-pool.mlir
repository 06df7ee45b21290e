// RUN: tessera-opt %s -split-input-file -tessera-max-pool-to-microkernel=isa=avx512 -tessera-conv-to-microkernel=isa=avx512 -tessera-fuse-direct-conv-max-pool -canonicalize -cse | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-max-pool-to-microkernel=isa=avx2 -tessera-conv-to-microkernel=isa=avx2 -tessera-fuse-direct-conv-max-pool | FileCheck %s --check-prefix=AVX2
// RUN: tessera-opt %s -split-input-file -tessera-max-pool-to-microkernel=isa=avx512 -tessera-conv-to-microkernel=isa=avx512 -canonicalize -cse -tessera-fuse-direct-conv-max-pool | FileCheck %s --check-prefix=CANON
// RUN: tessera-opt %s -split-input-file -tessera-max-pool-to-microkernel=isa=avx512 -tessera-conv-to-microkernel=isa=avx512 -tessera-fuse-direct-conv-max-pool -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// The fused call is located at both nodes, which the kernel profile names.
// LOC-LABEL: func.func @stem
// LOC:         call @tessera_conv2d_direct_max_pool2d_avx512({{.*}}) loc(fused["stem/Conv", "stem/MaxPool"])

// The calls are matched through the pointers' folded (canonicalized)
// and shared (CSE) forms too.
// CANON-LABEL: func.func @stem
// CANON:         call @tessera_conv2d_direct_max_pool2d_avx512(
// CANON-LABEL: func.func @returned
// CANON-NOT:     tessera_conv2d_direct_max_pool2d

// A stem as the lowering leaves it (a 3-channel 3x3 stride-2 convolution
// with its zero fill and bias + ReLU in place, then a 3x3 stride-2 max
// pool as a column pass and a row pass), after the two kernel passes: a
// direct convolution call and a max pool call that reads its output.
// They become one call in the pool's place, and the convolution's 8x8
// output goes away with the two calls' declarations. Arguments: the
// convolution's (channels 3, filters 8, input, its channel and row
// strides 289 and 17, 17x17, no pads, 3x3 window, strides 2, weights),
// its output's height and width (8, 8), its epilogue (the bias, channel
// stride 1; no second addend; lower 0, upper +inf), then the pool's window
// (3x3), strides (2, 2), pads (0, 0), pad value (-inf), output (pointer,
// channel and row strides 9 and 3, 3x3) and clamp (none).
// CHECK:       func.func private @tessera_conv2d_direct_max_pool2d_avx512(i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, f32, f32, i64, i64, i64, i64, i64, i64, f32, !llvm.ptr, i64, i64, i64, i64, f32, f32)
// CHECK-NOT:   func.func private @tessera_conv2d_direct_avx512
// CHECK-NOT:   func.func private @tessera_max_pool2d_avx512
// CHECK-LABEL: func.func @stem
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : i64
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : i64
// CHECK-DAG:     %[[C9:.*]] = arith.constant 9 : i64
// CHECK-DAG:     %[[C17:.*]] = arith.constant 17 : i64
// CHECK-DAG:     %[[C289:.*]] = arith.constant 289 : i64
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NOT:     memref<1x8x8x8xf32>
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x8x3x3xf32>
// CHECK-NOT:     memref<1x8x8x8xf32>
// CHECK:         call @tessera_conv2d_direct_max_pool2d_avx512(%[[C3]], %[[C8]], %{{.*}}, %[[C289]], %[[C17]], %[[C17]], %[[C17]], %[[C0]], %[[C0]], %[[C3]], %[[C3]], %[[C2]], %[[C2]], %{{.*}}, %[[C8]], %[[C8]], %{{.*}}, %[[C1]], %[[C0]], %[[C0]], %[[NULL]], %[[C0]], %[[C0]], %[[C0]], %[[ZERO]], %[[INF]], %[[C3]], %[[C3]], %[[C2]], %[[C2]], %[[C0]], %[[C0]], %[[NEGINF]], %{{.*}}, %[[C9]], %[[C3]], %[[C3]], %[[C3]], %[[NEGINF]], %[[INF]])
// CHECK-NOT:     call
// CHECK:         return %[[OUT]]
// Without canonicalization after it, the pass itself removes the buffer
// and what was made from it.
// AVX2-LABEL: func.func @stem
// AVX2-NOT:     memref<1x8x8x8xf32>
// AVX2:         call @tessera_conv2d_direct_max_pool2d_avx2(
// AVX2-NOT:     memref<1x8x8x8xf32>
// AVX2:         return
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
func.func @stem(%x: memref<1x3x17x17xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8x1x1xf32>) -> memref<1x8x3x3xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<1x8x8x8xf32>)
  linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x3x17x17xf32>, memref<8x3x3x3xf32>) outs(%alloc : memref<1x8x8x8xf32>) loc("stem/Conv")
  linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%alloc, %b : memref<1x8x8x8xf32>, memref<8x1x1xf32>) outs(%alloc : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %in_7: f32, %out: f32):
    %1 = arith.addf %in, %in_7 : f32
    %2 = arith.maximumf %1, %cst : f32
    linalg.yield %2 : f32
  }
  %subview = memref.subview %alloc[0, 0, 0, 0] [1, 8, 3, 8] [1, 1, 2, 1] : memref<1x8x8x8xf32> to memref<1x8x3x8xf32, strided<[512, 64, 16, 1]>>
  %subview_0 = memref.subview %alloc[0, 0, 1, 0] [1, 8, 3, 8] [1, 1, 2, 1] : memref<1x8x8x8xf32> to memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 8>>
  %subview_1 = memref.subview %alloc[0, 0, 2, 0] [1, 8, 3, 8] [1, 1, 2, 1] : memref<1x8x8x8xf32> to memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 16>>
  %alloc_2 = memref.alloc() {alignment = 64 : i64} : memref<1x8x3x8xf32>
  linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%subview, %subview_0, %subview_1 : memref<1x8x3x8xf32, strided<[512, 64, 16, 1]>>, memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 8>>, memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 16>>) outs(%alloc_2 : memref<1x8x3x8xf32>) {
  ^bb0(%in: f32, %in_7: f32, %in_8: f32, %out: f32):
    %1 = arith.maximumf %in, %in_7 : f32
    %2 = arith.maximumf %1, %in_8 : f32
    linalg.yield %2 : f32
  } loc("stem/MaxPool")
  %subview_3 = memref.subview %alloc_2[0, 0, 0, 0] [1, 8, 3, 3] [1, 1, 1, 2] : memref<1x8x3x8xf32> to memref<1x8x3x3xf32, strided<[192, 24, 8, 2]>>
  %subview_4 = memref.subview %alloc_2[0, 0, 0, 1] [1, 8, 3, 3] [1, 1, 1, 2] : memref<1x8x3x8xf32> to memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 1>>
  %subview_5 = memref.subview %alloc_2[0, 0, 0, 2] [1, 8, 3, 3] [1, 1, 1, 2] : memref<1x8x3x8xf32> to memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 2>>
  %alloc_6 = memref.alloc() {alignment = 64 : i64} : memref<1x8x3x3xf32>
  linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%subview_3, %subview_4, %subview_5 : memref<1x8x3x3xf32, strided<[192, 24, 8, 2]>>, memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 1>>, memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 2>>) outs(%alloc_6 : memref<1x8x3x3xf32>) {
  ^bb0(%in: f32, %in_7: f32, %in_8: f32, %out: f32):
    %1 = arith.maximumf %in, %in_7 : f32
    %2 = arith.maximumf %1, %in_8 : f32
    linalg.yield %2 : f32
  } loc("stem/MaxPool")
  return %alloc_6 : memref<1x8x3x3xf32>
}

// -----

// The convolution's output is also returned: the pool is not its only
// reader, so both calls stay.
// CHECK-LABEL: func.func @returned
// CHECK:         call @tessera_conv2d_direct_avx512(
// CHECK:         call @tessera_max_pool2d_avx512(
// CHECK-NOT:     tessera_conv2d_direct_max_pool2d
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @returned(%x: memref<1x3x17x17xf32>, %w: memref<8x3x3x3xf32>) -> (memref<1x8x8x8xf32>, memref<1x8x3x3xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<1x8x8x8xf32>)
  linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x3x17x17xf32>, memref<8x3x3x3xf32>) outs(%alloc : memref<1x8x8x8xf32>)
  %subview = memref.subview %alloc[0, 0, 0, 0] [1, 8, 3, 8] [1, 1, 2, 1] : memref<1x8x8x8xf32> to memref<1x8x3x8xf32, strided<[512, 64, 16, 1]>>
  %subview_0 = memref.subview %alloc[0, 0, 1, 0] [1, 8, 3, 8] [1, 1, 2, 1] : memref<1x8x8x8xf32> to memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 8>>
  %subview_1 = memref.subview %alloc[0, 0, 2, 0] [1, 8, 3, 8] [1, 1, 2, 1] : memref<1x8x8x8xf32> to memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 16>>
  %alloc_2 = memref.alloc() {alignment = 64 : i64} : memref<1x8x3x8xf32>
  linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%subview, %subview_0, %subview_1 : memref<1x8x3x8xf32, strided<[512, 64, 16, 1]>>, memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 8>>, memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 16>>) outs(%alloc_2 : memref<1x8x3x8xf32>) {
  ^bb0(%in: f32, %in_7: f32, %in_8: f32, %out: f32):
    %1 = arith.maximumf %in, %in_7 : f32
    %2 = arith.maximumf %1, %in_8 : f32
    linalg.yield %2 : f32
  }
  %subview_3 = memref.subview %alloc_2[0, 0, 0, 0] [1, 8, 3, 3] [1, 1, 1, 2] : memref<1x8x3x8xf32> to memref<1x8x3x3xf32, strided<[192, 24, 8, 2]>>
  %subview_4 = memref.subview %alloc_2[0, 0, 0, 1] [1, 8, 3, 3] [1, 1, 1, 2] : memref<1x8x3x8xf32> to memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 1>>
  %subview_5 = memref.subview %alloc_2[0, 0, 0, 2] [1, 8, 3, 3] [1, 1, 1, 2] : memref<1x8x3x8xf32> to memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 2>>
  %alloc_6 = memref.alloc() {alignment = 64 : i64} : memref<1x8x3x3xf32>
  linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%subview_3, %subview_4, %subview_5 : memref<1x8x3x3xf32, strided<[192, 24, 8, 2]>>, memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 1>>, memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 2>>) outs(%alloc_6 : memref<1x8x3x3xf32>) {
  ^bb0(%in: f32, %in_7: f32, %in_8: f32, %out: f32):
    %1 = arith.maximumf %in, %in_7 : f32
    %2 = arith.maximumf %1, %in_8 : f32
    linalg.yield %2 : f32
  }
  return %alloc, %alloc_6 : memref<1x8x8x8xf32>, memref<1x8x3x3xf32>
}

// -----

// A store between the two calls may write what the convolution reads (here
// its input): the fused call, in the pool's place, would read the stored
// value, so both calls stay.
// CHECK-LABEL: func.func @write_between
// CHECK:         call @tessera_conv2d_direct_avx512(
// CHECK:         memref.store
// CHECK:         call @tessera_max_pool2d_avx512(
// CHECK-NOT:     tessera_conv2d_direct_max_pool2d
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @write_between(%x: memref<1x3x17x17xf32>, %w: memref<8x3x3x3xf32>) -> memref<1x8x3x3xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c0 = arith.constant 0 : index
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<1x8x8x8xf32>)
  linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x3x17x17xf32>, memref<8x3x3x3xf32>) outs(%alloc : memref<1x8x8x8xf32>)
  memref.store %cst, %x[%c0, %c0, %c0, %c0] : memref<1x3x17x17xf32>
  %subview = memref.subview %alloc[0, 0, 0, 0] [1, 8, 3, 8] [1, 1, 2, 1] : memref<1x8x8x8xf32> to memref<1x8x3x8xf32, strided<[512, 64, 16, 1]>>
  %subview_0 = memref.subview %alloc[0, 0, 1, 0] [1, 8, 3, 8] [1, 1, 2, 1] : memref<1x8x8x8xf32> to memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 8>>
  %subview_1 = memref.subview %alloc[0, 0, 2, 0] [1, 8, 3, 8] [1, 1, 2, 1] : memref<1x8x8x8xf32> to memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 16>>
  %alloc_2 = memref.alloc() {alignment = 64 : i64} : memref<1x8x3x8xf32>
  linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%subview, %subview_0, %subview_1 : memref<1x8x3x8xf32, strided<[512, 64, 16, 1]>>, memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 8>>, memref<1x8x3x8xf32, strided<[512, 64, 16, 1], offset: 16>>) outs(%alloc_2 : memref<1x8x3x8xf32>) {
  ^bb0(%in: f32, %in_7: f32, %in_8: f32, %out: f32):
    %1 = arith.maximumf %in, %in_7 : f32
    %2 = arith.maximumf %1, %in_8 : f32
    linalg.yield %2 : f32
  }
  %subview_3 = memref.subview %alloc_2[0, 0, 0, 0] [1, 8, 3, 3] [1, 1, 1, 2] : memref<1x8x3x8xf32> to memref<1x8x3x3xf32, strided<[192, 24, 8, 2]>>
  %subview_4 = memref.subview %alloc_2[0, 0, 0, 1] [1, 8, 3, 3] [1, 1, 1, 2] : memref<1x8x3x8xf32> to memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 1>>
  %subview_5 = memref.subview %alloc_2[0, 0, 0, 2] [1, 8, 3, 3] [1, 1, 1, 2] : memref<1x8x3x8xf32> to memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 2>>
  %alloc_6 = memref.alloc() {alignment = 64 : i64} : memref<1x8x3x3xf32>
  linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%subview_3, %subview_4, %subview_5 : memref<1x8x3x3xf32, strided<[192, 24, 8, 2]>>, memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 1>>, memref<1x8x3x3xf32, strided<[192, 24, 8, 2], offset: 2>>) outs(%alloc_6 : memref<1x8x3x3xf32>) {
  ^bb0(%in: f32, %in_7: f32, %in_8: f32, %out: f32):
    %1 = arith.maximumf %in, %in_7 : f32
    %2 = arith.maximumf %1, %in_8 : f32
    linalg.yield %2 : f32
  }
  return %alloc_6 : memref<1x8x3x3xf32>
}

// -----

// A batch of 2: the convolution is a loop of calls, one image each, and
// the pool one call over the batch; they stay.
// CHECK-LABEL: func.func @batch
// CHECK:         scf.for
// CHECK:           call @tessera_conv2d_direct_avx512(
// CHECK:         call @tessera_max_pool2d_avx512(
// CHECK-NOT:     tessera_conv2d_direct_max_pool2d
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @batch(%x: memref<2x3x17x17xf32>, %w: memref<8x3x3x3xf32>) -> memref<2x8x3x3xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<2x8x8x8xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<2x8x8x8xf32>)
  linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<2x3x17x17xf32>, memref<8x3x3x3xf32>) outs(%alloc : memref<2x8x8x8xf32>)
  %subview = memref.subview %alloc[0, 0, 0, 0] [2, 8, 3, 8] [1, 1, 2, 1] : memref<2x8x8x8xf32> to memref<2x8x3x8xf32, strided<[512, 64, 16, 1]>>
  %subview_0 = memref.subview %alloc[0, 0, 1, 0] [2, 8, 3, 8] [1, 1, 2, 1] : memref<2x8x8x8xf32> to memref<2x8x3x8xf32, strided<[512, 64, 16, 1], offset: 8>>
  %subview_1 = memref.subview %alloc[0, 0, 2, 0] [2, 8, 3, 8] [1, 1, 2, 1] : memref<2x8x8x8xf32> to memref<2x8x3x8xf32, strided<[512, 64, 16, 1], offset: 16>>
  %alloc_2 = memref.alloc() {alignment = 64 : i64} : memref<2x8x3x8xf32>
  linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%subview, %subview_0, %subview_1 : memref<2x8x3x8xf32, strided<[512, 64, 16, 1]>>, memref<2x8x3x8xf32, strided<[512, 64, 16, 1], offset: 8>>, memref<2x8x3x8xf32, strided<[512, 64, 16, 1], offset: 16>>) outs(%alloc_2 : memref<2x8x3x8xf32>) {
  ^bb0(%in: f32, %in_7: f32, %in_8: f32, %out: f32):
    %1 = arith.maximumf %in, %in_7 : f32
    %2 = arith.maximumf %1, %in_8 : f32
    linalg.yield %2 : f32
  }
  %subview_3 = memref.subview %alloc_2[0, 0, 0, 0] [2, 8, 3, 3] [1, 1, 1, 2] : memref<2x8x3x8xf32> to memref<2x8x3x3xf32, strided<[192, 24, 8, 2]>>
  %subview_4 = memref.subview %alloc_2[0, 0, 0, 1] [2, 8, 3, 3] [1, 1, 1, 2] : memref<2x8x3x8xf32> to memref<2x8x3x3xf32, strided<[192, 24, 8, 2], offset: 1>>
  %subview_5 = memref.subview %alloc_2[0, 0, 0, 2] [2, 8, 3, 3] [1, 1, 1, 2] : memref<2x8x3x8xf32> to memref<2x8x3x3xf32, strided<[192, 24, 8, 2], offset: 2>>
  %alloc_6 = memref.alloc() {alignment = 64 : i64} : memref<2x8x3x3xf32>
  linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%subview_3, %subview_4, %subview_5 : memref<2x8x3x3xf32, strided<[192, 24, 8, 2]>>, memref<2x8x3x3xf32, strided<[192, 24, 8, 2], offset: 1>>, memref<2x8x3x3xf32, strided<[192, 24, 8, 2], offset: 2>>) outs(%alloc_6 : memref<2x8x3x3xf32>) {
  ^bb0(%in: f32, %in_7: f32, %in_8: f32, %out: f32):
    %1 = arith.maximumf %in, %in_7 : f32
    %2 = arith.maximumf %1, %in_8 : f32
    linalg.yield %2 : f32
  }
  return %alloc_6 : memref<2x8x3x3xf32>
}
