// RUN: tessera-opt %s -split-input-file -tessera-depthwise-to-microkernel=isa=avx512 -cse | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-depthwise-to-microkernel | FileCheck %s --check-prefix=NONE
// RUN: tessera-opt %s -split-input-file -tessera-depthwise-to-microkernel="isa=avx512 fuse-pointwise=false" | FileCheck %s --check-prefix=NOFUSE
// RUN: not tessera-opt %s -split-input-file -tessera-depthwise-to-microkernel=isa=sse 2>&1 | FileCheck %s --check-prefix=BAD

// NONE-NOT: tessera_depthwise_conv2d
// BAD: unknown isa 'sse' (expected avx512, avx2 or none)

// A 2x2 depthwise convolution of a padded input (pads 1 on top and left,
// as bufferized tensor.pad leaves them: a fill of the whole buffer, a copy
// of the input into its interior), with a bias and a ReLU6 clamp. The
// call reads the unpadded input; the fill, the copy and the padded buffer
// go away. Arguments: batch, channels, input (pointer, batch, channel and
// row strides, height, width), weights, kernel height and width, bias and
// its stride, output (pointer, strides, height, width), strides, pads, pad
// value, lower, upper, then the input transform (bias pointer and stride,
// lower, upper): none here (a null pointer, -inf, +inf).
// CHECK:       func.func private @tessera_depthwise_conv2d_avx512(i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32, f32, f32, !llvm.ptr, i64, f32, f32)
// CHECK-LABEL: func.func @padded_relu6
// CHECK-SAME:    (%[[IN:.*]]: memref<1x4x6x7xf32>, %[[W:.*]]: memref<4x1x2x2xf32>, %[[B:.*]]: memref<4x1x1xf32>, %[[OUT:.*]]: memref<1x4x7x8xf32>)
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     linalg.map
// CHECK-NOT:     memref.copy
// CHECK-NOT:     linalg.generic
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[TWO:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[SIX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-DAG:     %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-DAG:     %[[NOSTRIDE:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK:         call @tessera_depthwise_conv2d_avx512(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[TWO]], %[[TWO]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ONE]], %[[ONE]], %[[ONE]], %[[ONE]], %[[ZERO]], %[[ZERO]], %[[SIX]], %[[NULL]], %[[NOSTRIDE]], %[[NEGINF]], %[[INF]])
// CHECK-NEXT:    return
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#w00 = affine_map<(n, c, h, w) -> (c, 0, 0, 0)>
#w01 = affine_map<(n, c, h, w) -> (c, 0, 0, 1)>
#w10 = affine_map<(n, c, h, w) -> (c, 0, 1, 0)>
#w11 = affine_map<(n, c, h, w) -> (c, 0, 1, 1)>
#bias = affine_map<(n, c, h, w) -> (c, 0, 0)>
func.func @padded_relu6(%in: memref<1x4x6x7xf32>, %w: memref<4x1x2x2xf32>, %b: memref<4x1x1xf32>, %out: memref<1x4x7x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %padded = memref.alloc() : memref<1x4x8x9xf32>
  linalg.map outs(%padded : memref<1x4x8x9xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 4, 6, 7] [1, 1, 1, 1] : memref<1x4x8x9xf32> to memref<1x4x6x7xf32, strided<[288, 72, 9, 1], offset: 10>>
  memref.copy %in, %interior : memref<1x4x6x7xf32> to memref<1x4x6x7xf32, strided<[288, 72, 9, 1], offset: 10>>
  %t00 = memref.subview %padded[0, 0, 0, 0] [1, 4, 7, 8] [1, 1, 1, 1] : memref<1x4x8x9xf32> to memref<1x4x7x8xf32, strided<[288, 72, 9, 1]>>
  %t01 = memref.subview %padded[0, 0, 0, 1] [1, 4, 7, 8] [1, 1, 1, 1] : memref<1x4x8x9xf32> to memref<1x4x7x8xf32, strided<[288, 72, 9, 1], offset: 1>>
  %t10 = memref.subview %padded[0, 0, 1, 0] [1, 4, 7, 8] [1, 1, 1, 1] : memref<1x4x8x9xf32> to memref<1x4x7x8xf32, strided<[288, 72, 9, 1], offset: 9>>
  %t11 = memref.subview %padded[0, 0, 1, 1] [1, 4, 7, 8] [1, 1, 1, 1] : memref<1x4x8x9xf32> to memref<1x4x7x8xf32, strided<[288, 72, 9, 1], offset: 10>>
  linalg.generic {indexing_maps = [#id, #w00, #id, #w01, #id, #w10, #id, #w11, #bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t00, %w, %t01, %w, %t10, %w, %t11, %w, %b : memref<1x4x7x8xf32, strided<[288, 72, 9, 1]>>, memref<4x1x2x2xf32>, memref<1x4x7x8xf32, strided<[288, 72, 9, 1], offset: 1>>, memref<4x1x2x2xf32>, memref<1x4x7x8xf32, strided<[288, 72, 9, 1], offset: 9>>, memref<4x1x2x2xf32>, memref<1x4x7x8xf32, strided<[288, 72, 9, 1], offset: 10>>, memref<4x1x2x2xf32>, memref<4x1x1xf32>)
      outs(%out : memref<1x4x7x8xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %x2: f32, %k2: f32, %x3: f32, %k3: f32, %bb: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %k1, %x1 : f32
    %s1 = arith.addf %p0, %p1 : f32
    %p2 = arith.mulf %x2, %k2 : f32
    %s2 = arith.addf %s1, %p2 : f32
    %p3 = arith.mulf %x3, %k3 : f32
    %s3 = arith.addf %s2, %p3 : f32
    %s4 = arith.addf %s3, %bb : f32
    %r = arith.maximumf %s4, %zero : f32
    %c = arith.minimumf %r, %six : f32
    linalg.yield %c : f32
  }
  return
}

// -----

// Stride 1 with the pads on top and left only: the bottom-right tap's window
// is the interior the copy writes, and CSE has made them one subview, which
// both the copy and the convolution use. The pad still folds into the call.
// CHECK-LABEL: func.func @centre_window_is_interior
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     linalg.map
// CHECK-NOT:     memref.copy
// CHECK-NOT:     linalg.generic
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[TWO:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         call @tessera_depthwise_conv2d_avx512(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[TWO]], %[[TWO]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ONE]], %[[ONE]], %[[ONE]], %[[ONE]], %[[ZERO]],
// CHECK-NEXT:    return
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#w00 = affine_map<(n, c, h, w) -> (c, 0, 0, 0)>
#w01 = affine_map<(n, c, h, w) -> (c, 0, 0, 1)>
#w10 = affine_map<(n, c, h, w) -> (c, 0, 1, 0)>
#w11 = affine_map<(n, c, h, w) -> (c, 0, 1, 1)>
func.func @centre_window_is_interior(%in: memref<1x4x6x7xf32>, %w: memref<4x1x2x2xf32>, %out: memref<1x4x6x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x4x7x8xf32>
  linalg.map outs(%padded : memref<1x4x7x8xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 4, 6, 7] [1, 1, 1, 1] : memref<1x4x7x8xf32> to memref<1x4x6x7xf32, strided<[224, 56, 8, 1], offset: 9>>
  memref.copy %in, %interior : memref<1x4x6x7xf32> to memref<1x4x6x7xf32, strided<[224, 56, 8, 1], offset: 9>>
  %t00 = memref.subview %padded[0, 0, 0, 0] [1, 4, 6, 7] [1, 1, 1, 1] : memref<1x4x7x8xf32> to memref<1x4x6x7xf32, strided<[224, 56, 8, 1]>>
  %t01 = memref.subview %padded[0, 0, 0, 1] [1, 4, 6, 7] [1, 1, 1, 1] : memref<1x4x7x8xf32> to memref<1x4x6x7xf32, strided<[224, 56, 8, 1], offset: 1>>
  %t10 = memref.subview %padded[0, 0, 1, 0] [1, 4, 6, 7] [1, 1, 1, 1] : memref<1x4x7x8xf32> to memref<1x4x6x7xf32, strided<[224, 56, 8, 1], offset: 8>>
  linalg.generic {indexing_maps = [#id, #w00, #id, #w01, #id, #w10, #id, #w11, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t00, %w, %t01, %w, %t10, %w, %interior, %w : memref<1x4x6x7xf32, strided<[224, 56, 8, 1]>>, memref<4x1x2x2xf32>, memref<1x4x6x7xf32, strided<[224, 56, 8, 1], offset: 1>>, memref<4x1x2x2xf32>, memref<1x4x6x7xf32, strided<[224, 56, 8, 1], offset: 8>>, memref<4x1x2x2xf32>, memref<1x4x6x7xf32, strided<[224, 56, 8, 1], offset: 9>>, memref<4x1x2x2xf32>)
      outs(%out : memref<1x4x6x7xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %x2: f32, %k2: f32, %x3: f32, %k3: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %k1, %x1 : f32
    %s1 = arith.addf %p0, %p1 : f32
    %p2 = arith.mulf %x2, %k2 : f32
    %s2 = arith.addf %s1, %p2 : f32
    %p3 = arith.mulf %x3, %k3 : f32
    %s3 = arith.addf %s2, %p3 : f32
    linalg.yield %s3 : f32
  }
  return
}

// -----

// Stride 2, no bias (a null pointer), a ReLU only (upper +inf), windows of
// the input itself (no pad: pads 0).
// CHECK-LABEL: func.func @strided_relu
// CHECK-SAME:    (%[[IN:.*]]: memref<2x3x9x9xf32>,
// CHECK-NOT:     linalg.generic
// CHECK-DAG:     %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-DAG:     %[[ZEROI:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[TWO:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK:         call @tessera_depthwise_conv2d_avx512(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[NULL]], %[[ZEROI]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[TWO]], %[[TWO]], %[[ZEROI]], %[[ZEROI]], %[[ZERO]], %[[ZERO]], %[[INF]], %[[NULL]], %[[ZEROI]], %{{.*}}, %[[INF]])
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#w0 = affine_map<(n, c, h, w) -> (c, 0, 0)>
#w1 = affine_map<(n, c, h, w) -> (c, 0, 1)>
func.func @strided_relu(%in: memref<2x3x9x9xf32>, %w: memref<3x1x2xf32>, %out: memref<2x3x5x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %t0 = memref.subview %in[0, 0, 0, 0] [2, 3, 5, 4] [1, 1, 2, 2] : memref<2x3x9x9xf32> to memref<2x3x5x4xf32, strided<[243, 81, 18, 2]>>
  %t1 = memref.subview %in[0, 0, 0, 1] [2, 3, 5, 4] [1, 1, 2, 2] : memref<2x3x9x9xf32> to memref<2x3x5x4xf32, strided<[243, 81, 18, 2], offset: 1>>
  linalg.generic {indexing_maps = [#id, #w0, #id, #w1, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w, %t1, %w : memref<2x3x5x4xf32, strided<[243, 81, 18, 2]>>, memref<3x1x2xf32>, memref<2x3x5x4xf32, strided<[243, 81, 18, 2], offset: 1>>, memref<3x1x2xf32>)
      outs(%out : memref<2x3x5x4xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// The pad's source is the output of an in-place bias add and ReLU6 (a
// producer's, which fusion left apart): the kernel applies them to the rows
// it reads (the bias pointer, its stride, the bounds) and the op goes away.
// A second such op whose result something else reads stays.
// CHECK-LABEL: func.func @input_transform
// CHECK-SAME:    (%[[IN:.*]]: memref<1x2x4x4xf32>, %[[IB:.*]]: memref<2x1x1xf32>,
// CHECK-NOT:     linalg.generic
// CHECK:         %[[IBA:.*]] = memref.extract_aligned_pointer_as_index %[[IB]]
// CHECK:         %[[IBI:.*]] = arith.addi %[[IBA]]
// CHECK:         %[[IB64:.*]] = arith.index_cast %[[IBI]]
// CHECK:         %[[IBP:.*]] = llvm.inttoptr %[[IB64]]
// CHECK:         call @tessera_depthwise_conv2d_avx512({{.*}}, %[[IBP]], %{{[^,]*}}, %{{[^,]*}}, %{{[^,)]*}})
// CHECK:         linalg.generic
// CHECK:         call @tessera_depthwise_conv2d_avx512
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c, 0, 0)>
#w0 = affine_map<(n, c, h, w) -> (c, 0, 0, 0)>
#w1 = affine_map<(n, c, h, w) -> (c, 0, 1, 0)>
func.func @input_transform(%in: memref<1x2x4x4xf32>, %ib: memref<2x1x1xf32>, %w: memref<2x1x2x1xf32>, %out: memref<1x2x5x4xf32>, %out2: memref<1x2x5x4xf32>, %seen: memref<1x2x4x4xf32>, %sink: memref<1x2x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%in, %ib : memref<1x2x4x4xf32>, memref<2x1x1xf32>) outs(%in : memref<1x2x4x4xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %s = arith.addf %x, %b : f32
    %r = arith.maximumf %s, %zero : f32
    %c = arith.minimumf %r, %six : f32
    linalg.yield %c : f32
  }
  %padded = memref.alloc() : memref<1x2x6x4xf32>
  linalg.map outs(%padded : memref<1x2x6x4xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 0] [1, 2, 4, 4] [1, 1, 1, 1] : memref<1x2x6x4xf32> to memref<1x2x4x4xf32, strided<[48, 24, 4, 1], offset: 4>>
  memref.copy %in, %interior : memref<1x2x4x4xf32> to memref<1x2x4x4xf32, strided<[48, 24, 4, 1], offset: 4>>
  %t0 = memref.subview %padded[0, 0, 0, 0] [1, 2, 5, 4] [1, 1, 1, 1] : memref<1x2x6x4xf32> to memref<1x2x5x4xf32, strided<[48, 24, 4, 1]>>
  %t1 = memref.subview %padded[0, 0, 1, 0] [1, 2, 5, 4] [1, 1, 1, 1] : memref<1x2x6x4xf32> to memref<1x2x5x4xf32, strided<[48, 24, 4, 1], offset: 4>>
  linalg.generic {indexing_maps = [#id, #w0, #id, #w1, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w, %t1, %w : memref<1x2x5x4xf32, strided<[48, 24, 4, 1]>>, memref<2x1x2x1xf32>, memref<1x2x5x4xf32, strided<[48, 24, 4, 1], offset: 4>>, memref<2x1x2x1xf32>)
      outs(%out : memref<1x2x5x4xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%seen, %ib : memref<1x2x4x4xf32>, memref<2x1x1xf32>) outs(%seen : memref<1x2x4x4xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %s = arith.addf %x, %b : f32
    linalg.yield %s : f32
  }
  %padded2 = memref.alloc() : memref<1x2x6x4xf32>
  linalg.map outs(%padded2 : memref<1x2x6x4xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior2 = memref.subview %padded2[0, 0, 1, 0] [1, 2, 4, 4] [1, 1, 1, 1] : memref<1x2x6x4xf32> to memref<1x2x4x4xf32, strided<[48, 24, 4, 1], offset: 4>>
  memref.copy %seen, %interior2 : memref<1x2x4x4xf32> to memref<1x2x4x4xf32, strided<[48, 24, 4, 1], offset: 4>>
  %u0 = memref.subview %padded2[0, 0, 0, 0] [1, 2, 5, 4] [1, 1, 1, 1] : memref<1x2x6x4xf32> to memref<1x2x5x4xf32, strided<[48, 24, 4, 1]>>
  %u1 = memref.subview %padded2[0, 0, 1, 0] [1, 2, 5, 4] [1, 1, 1, 1] : memref<1x2x6x4xf32> to memref<1x2x5x4xf32, strided<[48, 24, 4, 1], offset: 4>>
  linalg.generic {indexing_maps = [#id, #w0, #id, #w1, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%u0, %w, %u1, %w : memref<1x2x5x4xf32, strided<[48, 24, 4, 1]>>, memref<2x1x2x1xf32>, memref<1x2x5x4xf32, strided<[48, 24, 4, 1], offset: 4>>, memref<2x1x2x1xf32>)
      outs(%out2 : memref<1x2x5x4xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    linalg.yield %s : f32
  }
  memref.copy %seen, %sink : memref<1x2x4x4xf32> to memref<1x2x4x4xf32>
  return
}

// -----

// The pad's source is a 1 x 1 convolution's output (a zero fill, then a
// product of weights [16, 2] and a source [1, 2, 128 * 128]) of 1 MiB,
// which only the input transform and the pad read: the fused kernel takes
// the product's source (its pointer, batch and channel strides, channels)
// and weights (pointer, row stride) in place of the input, and
// the product, its fill and its buffer go away. Without fuse-pointwise,
// the product stays.
// CHECK-LABEL: func.func @pointwise_expansion
// CHECK-SAME:    (%[[SRC:[^:]*]]: memref<1x2x16384xf32>, %[[PW:[^:]*]]: memref<16x2xf32>,
// CHECK-NOT:     linalg.
// CHECK-NOT:     memref.alloc
// CHECK:         %[[SA:.*]] = memref.extract_aligned_pointer_as_index %[[SRC]]
// CHECK:         %[[SP:.*]] = llvm.inttoptr
// CHECK:         %[[PA:.*]] = memref.extract_aligned_pointer_as_index %[[PW]]
// CHECK:         %[[PP:.*]] = llvm.inttoptr
// CHECK:         call @tessera_pointwise_depthwise_conv2d_avx512(%{{[^,]*}}, %{{[^,]*}}, %[[SP]], %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %[[PP]], %{{[^,]*}}, %c128_i64, %c128_i64,
// CHECK-NOT:     linalg.
// CHECK:         return
// NOFUSE-LABEL:  func.func @pointwise_expansion
// NOFUSE:          linalg.generic
// NOFUSE:          call @tessera_depthwise_conv2d_avx512
#pw_w = affine_map<(n, c, p, k) -> (c, k)>
#pw_x = affine_map<(n, c, p, k) -> (n, k, p)>
#pw_y = affine_map<(n, c, p, k) -> (n, c, p)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c, 0, 0)>
#w0 = affine_map<(n, c, h, w) -> (c, 0, 0, 0)>
#w1 = affine_map<(n, c, h, w) -> (c, 0, 1, 0)>
func.func @pointwise_expansion(%src: memref<1x2x16384xf32>, %pw: memref<16x2xf32>, %ib: memref<16x1x1xf32>, %w: memref<16x1x2x1xf32>, %out: memref<1x16x129x128xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %product = memref.alloc() : memref<1x16x16384xf32>
  linalg.fill ins(%zero : f32) outs(%product : memref<1x16x16384xf32>)
  linalg.generic {indexing_maps = [#pw_w, #pw_x, #pw_y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%pw, %src : memref<16x2xf32>, memref<1x2x16384xf32>) outs(%product : memref<1x16x16384xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %b, %a : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %image = memref.expand_shape %product [[0], [1], [2, 3]] output_shape [1, 16, 128, 128] : memref<1x16x16384xf32> into memref<1x16x128x128xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%image, %ib : memref<1x16x128x128xf32>, memref<16x1x1xf32>) outs(%image : memref<1x16x128x128xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %s = arith.addf %x, %b : f32
    %r = arith.maximumf %s, %zero : f32
    %c = arith.minimumf %r, %six : f32
    linalg.yield %c : f32
  }
  %padded = memref.alloc() : memref<1x16x130x128xf32>
  linalg.map outs(%padded : memref<1x16x130x128xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 0] [1, 16, 128, 128] [1, 1, 1, 1] : memref<1x16x130x128xf32> to memref<1x16x128x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>
  memref.copy %image, %interior : memref<1x16x128x128xf32> to memref<1x16x128x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>
  %t0 = memref.subview %padded[0, 0, 0, 0] [1, 16, 129, 128] [1, 1, 1, 1] : memref<1x16x130x128xf32> to memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1]>>
  %t1 = memref.subview %padded[0, 0, 1, 0] [1, 16, 129, 128] [1, 1, 1, 1] : memref<1x16x130x128xf32> to memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>
  linalg.generic {indexing_maps = [#id, #w0, #id, #w1, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w, %t1, %w : memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1]>>, memref<16x1x2x1xf32>, memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>, memref<16x1x2x1xf32>)
      outs(%out : memref<1x16x129x128xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Under 1 MiB (16 x 64 x 64 floats), the product stays in the cache
// between the two kernels: not fused.
// CHECK-LABEL: func.func @small_pointwise
// CHECK:         linalg.generic
// CHECK:         call @tessera_depthwise_conv2d_avx512
#pw_w = affine_map<(n, c, p, k) -> (c, k)>
#pw_x = affine_map<(n, c, p, k) -> (n, k, p)>
#pw_y = affine_map<(n, c, p, k) -> (n, c, p)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c, 0, 0)>
#w0 = affine_map<(n, c, h, w) -> (c, 0, 0, 0)>
#w1 = affine_map<(n, c, h, w) -> (c, 0, 1, 0)>
func.func @small_pointwise(%src: memref<1x2x4096xf32>, %pw: memref<16x2xf32>, %ib: memref<16x1x1xf32>, %w: memref<16x1x2x1xf32>, %out: memref<1x16x65x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %product = memref.alloc() : memref<1x16x4096xf32>
  linalg.fill ins(%zero : f32) outs(%product : memref<1x16x4096xf32>)
  linalg.generic {indexing_maps = [#pw_w, #pw_x, #pw_y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%pw, %src : memref<16x2xf32>, memref<1x2x4096xf32>) outs(%product : memref<1x16x4096xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %b, %a : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %image = memref.expand_shape %product [[0], [1], [2, 3]] output_shape [1, 16, 64, 64] : memref<1x16x4096xf32> into memref<1x16x64x64xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%image, %ib : memref<1x16x64x64xf32>, memref<16x1x1xf32>) outs(%image : memref<1x16x64x64xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %s = arith.addf %x, %b : f32
    %r = arith.maximumf %s, %zero : f32
    %c = arith.minimumf %r, %six : f32
    linalg.yield %c : f32
  }
  %padded = memref.alloc() : memref<1x16x66x64xf32>
  linalg.map outs(%padded : memref<1x16x66x64xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 0] [1, 16, 64, 64] [1, 1, 1, 1] : memref<1x16x66x64xf32> to memref<1x16x64x64xf32, strided<[67584, 4224, 64, 1], offset: 64>>
  memref.copy %image, %interior : memref<1x16x64x64xf32> to memref<1x16x64x64xf32, strided<[67584, 4224, 64, 1], offset: 64>>
  %t0 = memref.subview %padded[0, 0, 0, 0] [1, 16, 65, 64] [1, 1, 1, 1] : memref<1x16x66x64xf32> to memref<1x16x65x64xf32, strided<[67584, 4224, 64, 1]>>
  %t1 = memref.subview %padded[0, 0, 1, 0] [1, 16, 65, 64] [1, 1, 1, 1] : memref<1x16x66x64xf32> to memref<1x16x65x64xf32, strided<[67584, 4224, 64, 1], offset: 64>>
  linalg.generic {indexing_maps = [#id, #w0, #id, #w1, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w, %t1, %w : memref<1x16x65x64xf32, strided<[67584, 4224, 64, 1]>>, memref<16x1x2x1xf32>, memref<1x16x65x64xf32, strided<[67584, 4224, 64, 1], offset: 64>>, memref<16x1x2x1xf32>)
      outs(%out : memref<1x16x65x64xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Something else reads the product's buffer: not fused.
// CHECK-LABEL: func.func @pointwise_read_elsewhere
// CHECK:         linalg.generic
// CHECK:         call @tessera_depthwise_conv2d_avx512
#pw_w = affine_map<(n, c, p, k) -> (c, k)>
#pw_x = affine_map<(n, c, p, k) -> (n, k, p)>
#pw_y = affine_map<(n, c, p, k) -> (n, c, p)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c, 0, 0)>
#w0 = affine_map<(n, c, h, w) -> (c, 0, 0, 0)>
#w1 = affine_map<(n, c, h, w) -> (c, 0, 1, 0)>
func.func @pointwise_read_elsewhere(%src: memref<1x2x16384xf32>, %pw: memref<16x2xf32>, %ib: memref<16x1x1xf32>, %w: memref<16x1x2x1xf32>, %out: memref<1x16x129x128xf32>, %sink: memref<1x16x16384xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %product = memref.alloc() : memref<1x16x16384xf32>
  linalg.fill ins(%zero : f32) outs(%product : memref<1x16x16384xf32>)
  linalg.generic {indexing_maps = [#pw_w, #pw_x, #pw_y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%pw, %src : memref<16x2xf32>, memref<1x2x16384xf32>) outs(%product : memref<1x16x16384xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %b, %a : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %image = memref.expand_shape %product [[0], [1], [2, 3]] output_shape [1, 16, 128, 128] : memref<1x16x16384xf32> into memref<1x16x128x128xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%image, %ib : memref<1x16x128x128xf32>, memref<16x1x1xf32>) outs(%image : memref<1x16x128x128xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %s = arith.addf %x, %b : f32
    %r = arith.maximumf %s, %zero : f32
    %c = arith.minimumf %r, %six : f32
    linalg.yield %c : f32
  }
  %padded = memref.alloc() : memref<1x16x130x128xf32>
  linalg.map outs(%padded : memref<1x16x130x128xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 0] [1, 16, 128, 128] [1, 1, 1, 1] : memref<1x16x130x128xf32> to memref<1x16x128x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>
  memref.copy %image, %interior : memref<1x16x128x128xf32> to memref<1x16x128x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>
  %t0 = memref.subview %padded[0, 0, 0, 0] [1, 16, 129, 128] [1, 1, 1, 1] : memref<1x16x130x128xf32> to memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1]>>
  %t1 = memref.subview %padded[0, 0, 1, 0] [1, 16, 129, 128] [1, 1, 1, 1] : memref<1x16x130x128xf32> to memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>
  linalg.generic {indexing_maps = [#id, #w0, #id, #w1, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w, %t1, %w : memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1]>>, memref<16x1x2x1xf32>, memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>, memref<16x1x2x1xf32>)
      outs(%out : memref<1x16x129x128xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    linalg.yield %s : f32
  }
  memref.copy %product, %sink : memref<1x16x16384xf32> to memref<1x16x16384xf32>
  return
}

// -----

// The product's source is written between the product and the
// convolution (which would read the new values): not fused.
// CHECK-LABEL: func.func @pointwise_source_written
// CHECK:         linalg.generic
// CHECK:         call @tessera_depthwise_conv2d_avx512
#pw_w = affine_map<(n, c, p, k) -> (c, k)>
#pw_x = affine_map<(n, c, p, k) -> (n, k, p)>
#pw_y = affine_map<(n, c, p, k) -> (n, c, p)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c, 0, 0)>
#w0 = affine_map<(n, c, h, w) -> (c, 0, 0, 0)>
#w1 = affine_map<(n, c, h, w) -> (c, 0, 1, 0)>
func.func @pointwise_source_written(%src: memref<1x2x16384xf32>, %pw: memref<16x2xf32>, %ib: memref<16x1x1xf32>, %w: memref<16x1x2x1xf32>, %out: memref<1x16x129x128xf32>, %other: memref<1x2x16384xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %product = memref.alloc() : memref<1x16x16384xf32>
  linalg.fill ins(%zero : f32) outs(%product : memref<1x16x16384xf32>)
  linalg.generic {indexing_maps = [#pw_w, #pw_x, #pw_y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%pw, %src : memref<16x2xf32>, memref<1x2x16384xf32>) outs(%product : memref<1x16x16384xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %b, %a : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  memref.copy %other, %src : memref<1x2x16384xf32> to memref<1x2x16384xf32>
  %image = memref.expand_shape %product [[0], [1], [2, 3]] output_shape [1, 16, 128, 128] : memref<1x16x16384xf32> into memref<1x16x128x128xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%image, %ib : memref<1x16x128x128xf32>, memref<16x1x1xf32>) outs(%image : memref<1x16x128x128xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %s = arith.addf %x, %b : f32
    %r = arith.maximumf %s, %zero : f32
    %c = arith.minimumf %r, %six : f32
    linalg.yield %c : f32
  }
  %padded = memref.alloc() : memref<1x16x130x128xf32>
  linalg.map outs(%padded : memref<1x16x130x128xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 0] [1, 16, 128, 128] [1, 1, 1, 1] : memref<1x16x130x128xf32> to memref<1x16x128x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>
  memref.copy %image, %interior : memref<1x16x128x128xf32> to memref<1x16x128x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>
  %t0 = memref.subview %padded[0, 0, 0, 0] [1, 16, 129, 128] [1, 1, 1, 1] : memref<1x16x130x128xf32> to memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1]>>
  %t1 = memref.subview %padded[0, 0, 1, 0] [1, 16, 129, 128] [1, 1, 1, 1] : memref<1x16x130x128xf32> to memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>
  linalg.generic {indexing_maps = [#id, #w0, #id, #w1, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w, %t1, %w : memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1]>>, memref<16x1x2x1xf32>, memref<1x16x129x128xf32, strided<[266240, 16640, 128, 1], offset: 128>>, memref<16x1x2x1xf32>)
      outs(%out : memref<1x16x129x128xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Something writes between the copy into the padded buffer and the
// convolution: the call reads the padded buffer (pads 0) and the pad stays.
// CHECK-LABEL: func.func @write_after_copy
// CHECK:         linalg.map
// CHECK:         memref.copy
// CHECK:         memref.copy
// CHECK-NOT:     linalg.generic
// CHECK:         call @tessera_depthwise_conv2d_avx512
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#w0 = affine_map<(n, c, h, w) -> (c, 0, 0, 0)>
#w1 = affine_map<(n, c, h, w) -> (c, 0, 1, 0)>
func.func @write_after_copy(%in: memref<1x2x4x4xf32>, %other: memref<1x2x4x4xf32>, %w: memref<2x1x2x1xf32>, %out: memref<1x2x5x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x2x6x4xf32>
  linalg.map outs(%padded : memref<1x2x6x4xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 0] [1, 2, 4, 4] [1, 1, 1, 1] : memref<1x2x6x4xf32> to memref<1x2x4x4xf32, strided<[48, 24, 4, 1], offset: 4>>
  memref.copy %in, %interior : memref<1x2x4x4xf32> to memref<1x2x4x4xf32, strided<[48, 24, 4, 1], offset: 4>>
  memref.copy %other, %in : memref<1x2x4x4xf32> to memref<1x2x4x4xf32>
  %t0 = memref.subview %padded[0, 0, 0, 0] [1, 2, 5, 4] [1, 1, 1, 1] : memref<1x2x6x4xf32> to memref<1x2x5x4xf32, strided<[48, 24, 4, 1]>>
  %t1 = memref.subview %padded[0, 0, 1, 0] [1, 2, 5, 4] [1, 1, 1, 1] : memref<1x2x6x4xf32> to memref<1x2x5x4xf32, strided<[48, 24, 4, 1], offset: 4>>
  linalg.generic {indexing_maps = [#id, #w0, #id, #w1, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w, %t1, %w : memref<1x2x5x4xf32, strided<[48, 24, 4, 1]>>, memref<2x1x2x1xf32>, memref<1x2x5x4xf32, strided<[48, 24, 4, 1], offset: 4>>, memref<2x1x2x1xf32>)
      outs(%out : memref<1x2x5x4xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not depthwise convolutions, left alone: a residual added in the body; a
// kernel tap missing (only (0, 0) of a 1x2 weight); the same tap twice.
// CHECK-LABEL: func.func @not_depthwise
// CHECK-NOT:     call
// CHECK-COUNT-3: linalg.generic
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#w0 = affine_map<(n, c, h, w) -> (c, 0, 0)>
#w1 = affine_map<(n, c, h, w) -> (c, 0, 1)>
func.func @not_depthwise(%in: memref<1x2x4x5xf32>, %res: memref<1x2x4x4xf32>, %w: memref<2x1x2xf32>, %out: memref<1x2x4x4xf32>) {
  %t0 = memref.subview %in[0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1] : memref<1x2x4x5xf32> to memref<1x2x4x4xf32, strided<[40, 20, 5, 1]>>
  %t1 = memref.subview %in[0, 0, 0, 1] [1, 2, 4, 4] [1, 1, 1, 1] : memref<1x2x4x5xf32> to memref<1x2x4x4xf32, strided<[40, 20, 5, 1], offset: 1>>
  linalg.generic {indexing_maps = [#id, #w0, #id, #w1, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w, %t1, %w, %res : memref<1x2x4x4xf32, strided<[40, 20, 5, 1]>>, memref<2x1x2xf32>, memref<1x2x4x4xf32, strided<[40, 20, 5, 1], offset: 1>>, memref<2x1x2xf32>, memref<1x2x4x4xf32>)
      outs(%out : memref<1x2x4x4xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %r: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    %t = arith.addf %s, %r : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#id, #w0, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w : memref<1x2x4x4xf32, strided<[40, 20, 5, 1]>>, memref<2x1x2xf32>)
      outs(%out : memref<1x2x4x4xf32>) {
  ^bb0(%x0: f32, %k0: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    linalg.yield %p0 : f32
  }
  linalg.generic {indexing_maps = [#id, #w0, #id, #w0, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t0, %w, %t0, %w : memref<1x2x4x4xf32, strided<[40, 20, 5, 1]>>, memref<2x1x2xf32>, memref<1x2x4x4xf32, strided<[40, 20, 5, 1]>>, memref<2x1x2xf32>)
      outs(%out : memref<1x2x4x4xf32>) {
  ^bb0(%x0: f32, %k0: f32, %x1: f32, %k1: f32, %o: f32):
    %p0 = arith.mulf %x0, %k0 : f32
    %p1 = arith.mulf %x1, %k1 : f32
    %s = arith.addf %p0, %p1 : f32
    linalg.yield %s : f32
  }
  return
}
