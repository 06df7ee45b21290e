// RUN: tessera-opt %s -split-input-file -tessera-conv-to-microkernel=isa=avx512 -verify-diagnostics -canonicalize -cse | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-conv-to-microkernel=isa=avx512 2>/dev/null | FileCheck %s --check-prefix=PADGONE
// RUN: tessera-opt %s -split-input-file -tessera-conv-to-microkernel | FileCheck %s --check-prefix=NONE
// RUN: tessera-opt %s -split-input-file -tessera-conv-to-microkernel=isa=avx2 2>/dev/null | FileCheck %s --check-prefix=AVX2
// RUN: tessera-opt %s -split-input-file -tessera-conv-to-microkernel="isa=avx512 direct=0" 2>/dev/null | FileCheck %s --check-prefix=NODIRECT
// RUN: not tessera-opt %s -split-input-file -tessera-conv-to-microkernel=isa=sse 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: tessera-opt %s -split-input-file -tessera-conv-to-microkernel="isa=avx512 winograd-tile=4x4" 2>/dev/null | FileCheck %s --check-prefix=TILE4
// RUN: not tessera-opt %s -split-input-file -tessera-conv-to-microkernel="isa=avx512 winograd-tile=6x6" 2>&1 | FileCheck %s --check-prefix=BADTILE

// NONE-NOT: tessera_conv3x3_winograd
// AVX2: func.func private @tessera_conv3x3_winograd_avx2(i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, f32, f32)
// AVX2-LABEL: func.func @bias_relu
// AVX2: call @tessera_conv3x3_winograd_avx2(
// BAD: unknown isa 'sse' (expected avx512, avx2 or none)
// With winograd-tile=4x4 the calls go to the entry that takes F(4x4, 3x3)
// on large maps.
// TILE4: func.func private @tessera_conv3x3_winograd_4x4_avx512(i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, f32, f32)
// TILE4-LABEL: func.func @bias_relu
// TILE4: call @tessera_conv3x3_winograd_4x4_avx512(
// TILE4-NOT: call @tessera_conv3x3_winograd_avx512(
// BADTILE: winograd-tile must be 2x2 or 4x4, not '6x6'

// A padded 10x12 input, 8 channels, 16 filters, with the zero fill before
// and a bias + ReLU in place after (the conv's output is an allocation,
// the bias a weight: apart). One call: channels, filters, input (pointer,
// channel and row strides, height, width, no top or left pad), weights,
// output (pointer, channel and row strides, height, width), addend 0 (the bias: channel stride 1, row and
// column 0), addend 1 (none: null), lower 0, upper +inf. The fill, the
// convolution and the epilogue go away.
// CHECK:       func.func private @tessera_conv3x3_winograd_avx512(i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, f32, f32)
// CHECK-LABEL: func.func @bias_relu
// CHECK-SAME:    (%[[IN:.*]]: memref<1x8x10x12xf32>, %[[W:.*]]: memref<16x8x3x3xf32>, %[[B:.*]]: memref<16x1x1xf32>)
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : i64
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : i64
// CHECK-DAG:     %[[C10:.*]] = arith.constant 10 : i64
// CHECK-DAG:     %[[C12:.*]] = arith.constant 12 : i64
// CHECK-DAG:     %[[C80:.*]] = arith.constant 80 : i64
// CHECK-DAG:     %[[C120:.*]] = arith.constant 120 : i64
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG:     %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-DAG:     %[[OUT:.*]] = memref.alloc() : memref<1x16x8x10xf32>
// CHECK-NOT:     linalg.
// CHECK:         call @tessera_conv3x3_winograd_avx512(%[[C8]], %[[C16]], %{{.*}}, %[[C120]], %[[C12]], %[[C10]], %[[C12]], %[[C0]], %[[C0]], %{{.*}}, %{{.*}}, %[[C80]], %[[C10]], %[[C8]], %[[C10]], %{{.*}}, %[[C1]], %[[C0]], %[[C0]], %[[NULL]], %[[C0]], %[[C0]], %[[C0]], %[[ZERO]], %[[INF]])
// CHECK-NOT:     linalg.
// CHECK:         return %[[OUT]]
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#bias = affine_map<(n, c, h, w) -> (c, 0, 0)>
func.func @bias_relu(%in: memref<1x8x10x12xf32>, %w: memref<16x8x3x3xf32>, %b: memref<16x1x1xf32>) -> memref<1x16x8x10xf32> {
  %zero = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<1x16x8x10xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%in, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%out : memref<1x16x8x10xf32>)
  linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out, %b : memref<1x16x8x10xf32>, memref<16x1x1xf32>) outs(%out : memref<1x16x8x10xf32>) {
  ^bb0(%x: f32, %bb: f32, %o: f32):
    %s = arith.addf %x, %bb : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return %out : memref<1x16x8x10xf32>
}

// -----

// Batch 2, bias + residual + ReLU: a loop of calls, each moving the input,
// the output and the residual (but not the bias) by their batch strides;
// the residual is addend 1 with channel, row and column strides 80, 10, 1.
// CHECK-LABEL: func.func @batched_residual
// CHECK-SAME:    (%[[IN:.*]]: memref<2x8x10x12xf32>, %[[W:.*]]: memref<16x8x3x3xf32>, %[[B:.*]]: memref<16x1x1xf32>, %[[RES:.*]]: memref<2x16x8x10xf32>)
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[C960:.*]] = arith.constant 960 : i64
// CHECK-DAG:     %[[C1280:.*]] = arith.constant 1280 : i64
// CHECK-DAG:     %[[C80:.*]] = arith.constant 80 : i64
// CHECK-DAG:     %[[C10:.*]] = arith.constant 10 : i64
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[INPTR:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:         scf.for %[[N:.*]] = %[[C0]] to %[[C2]] step %[[C1]]  : i64 {
// CHECK-DAG:       %[[INOFF:.*]] = arith.muli %[[N]], %[[C960]] : i64
// CHECK-DAG:       %[[INN:.*]] = llvm.getelementptr %{{.*}}[%[[INOFF]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK-DAG:       %[[OUTOFF:.*]] = arith.muli %[[N]], %[[C1280]] : i64
// CHECK-DAG:       %[[OUTN:.*]] = llvm.getelementptr %{{.*}}[%[[OUTOFF]]]
// CHECK-DAG:       %[[RESN:.*]] = llvm.getelementptr %{{.*}}[%[[OUTOFF]]]
// CHECK:           func.call @tessera_conv3x3_winograd_avx512(%{{.*}}, %{{.*}}, %[[INN]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[OUTN]], %[[C80]], %[[C10]], %{{.*}}, %[[C10]], %{{.*}}, %[[C1]], %[[C0]], %[[C0]], %[[RESN]], %[[C80]], %[[C10]], %[[C1]], %{{.*}}, %{{.*}})
// CHECK-NOT:     linalg.
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#bias = affine_map<(n, c, h, w) -> (c, 0, 0)>
func.func @batched_residual(%in: memref<2x8x10x12xf32>, %w: memref<16x8x3x3xf32>, %b: memref<16x1x1xf32>, %res: memref<2x16x8x10xf32>) -> memref<2x16x8x10xf32> {
  %zero = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<2x16x8x10xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<2x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%in, %w : memref<2x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%out : memref<2x16x8x10xf32>)
  linalg.generic {indexing_maps = [#id, #bias, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out, %b, %res : memref<2x16x8x10xf32>, memref<16x1x1xf32>, memref<2x16x8x10xf32>) outs(%out : memref<2x16x8x10xf32>) {
  ^bb0(%x: f32, %bb: f32, %r: f32, %o: f32):
    %s = arith.addf %x, %bb : f32
    %t = arith.addf %s, %r : f32
    %m = arith.maximumf %t, %zero : f32
    linalg.yield %m : f32
  }
  return %out : memref<2x16x8x10xf32>
}

// -----

// Epilogues the kernel cannot apply stay, after the call: a bias that may
// be the output's memory (both are arguments of the function), and a
// scale (not an add or a clamp). The call then has no epilogue.
// CHECK-LABEL: func.func @epilogues_kept
// CHECK-DAG:     %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK:         call @tessera_conv3x3_winograd_avx512({{.*}}, %[[NULL]], %{{.*}}, %{{.*}}, %{{.*}}, %[[NULL]], %{{.*}}, %{{.*}}, %{{.*}}, %[[NEGINF]], %[[INF]])
// CHECK-NEXT:    linalg.generic
// CHECK:           arith.addf
// CHECK:         call @tessera_conv3x3_winograd_avx512({{.*}}, %[[NULL]], %{{.*}}, %{{.*}}, %{{.*}}, %[[NULL]], %{{.*}}, %{{.*}}, %{{.*}}, %[[NEGINF]], %[[INF]])
// CHECK-NEXT:    linalg.generic
// CHECK:           arith.mulf
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#bias = affine_map<(n, c, h, w) -> (c, 0, 0)>
func.func @epilogues_kept(%in: memref<1x8x10x12xf32>, %w: memref<16x8x3x3xf32>, %b: memref<16x1x1xf32>, %out: memref<1x16x8x10xf32>) -> memref<1x16x8x10xf32> {
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<1x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%in, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%out : memref<1x16x8x10xf32>)
  linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out, %b : memref<1x16x8x10xf32>, memref<16x1x1xf32>) outs(%out : memref<1x16x8x10xf32>) {
  ^bb0(%x: f32, %bb: f32, %o: f32):
    %s = arith.addf %x, %bb : f32
    linalg.yield %s : f32
  }
  %scaled = memref.alloc() : memref<1x16x8x10xf32>
  linalg.fill ins(%zero : f32) outs(%scaled : memref<1x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%in, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%scaled : memref<1x16x8x10xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled : memref<1x16x8x10xf32>) outs(%scaled : memref<1x16x8x10xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.mulf %x, %two : f32
    linalg.yield %s : f32
  }
  return %scaled : memref<1x16x8x10xf32>
}

// -----

// The input a zero pad made (a fill of the padded buffer, the 7 x 9 source
// copied into its interior at row 2, column 1: one row and two columns of
// pad after it), with the output's zero fill between the copy and the
// convolution: the call reads the source (channel stride 63, row stride
// 9, 7 rows of 9) and pads it by 2 rows at the top and 1 column at the
// left; the padded buffer, its fill and the copy go.
// PADGONE-LABEL: func.func @zero_pad
// PADGONE-NOT:   memref<1x8x10x12xf32>
// PADGONE-NOT:   memref.copy
// PADGONE-NOT:   linalg.
// PADGONE:       return
// CHECK-LABEL: func.func @zero_pad
// CHECK-SAME:    (%[[SRC:.*]]: memref<1x8x7x9xf32>,
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : i64
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : i64
// CHECK-DAG:     %[[C63:.*]] = arith.constant 63 : i64
// CHECK-DAG:     %[[C9:.*]] = arith.constant 9 : i64
// CHECK-DAG:     %[[C7:.*]] = arith.constant 7 : i64
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[SRCIDX:.*]] = memref.extract_aligned_pointer_as_index %[[SRC]]
// CHECK-DAG:     %[[SRCI64:.*]] = arith.index_cast %[[SRCIDX]] : index to i64
// CHECK-DAG:     %[[SRCPTR:.*]] = llvm.inttoptr %[[SRCI64]]
// CHECK-NOT:     memref.copy
// CHECK-NOT:     linalg.
// CHECK:         call @tessera_conv3x3_winograd_avx512(%[[C8]], %[[C16]], %[[SRCPTR]], %[[C63]], %[[C9]], %[[C7]], %[[C9]], %[[C2]], %[[C1]],
// CHECK:         return
func.func @zero_pad(%src: memref<1x8x7x9xf32>, %w: memref<16x8x3x3xf32>) -> memref<1x16x8x10xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x8x10x12xf32>
  linalg.map outs(%padded : memref<1x8x10x12xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 2, 1] [1, 8, 7, 9] [1, 1, 1, 1] : memref<1x8x10x12xf32> to memref<1x8x7x9xf32, strided<[960, 120, 12, 1], offset: 25>>
  memref.copy %src, %interior : memref<1x8x7x9xf32> to memref<1x8x7x9xf32, strided<[960, 120, 12, 1], offset: 25>>
  %out = memref.alloc() : memref<1x16x8x10xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%padded, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%out : memref<1x16x8x10xf32>)
  return %out : memref<1x16x8x10xf32>
}

// -----

// Pads the call keeps reading as a padded buffer (no pads of its own): a
// pad of 1.0 (not the kernel's zero), a padded buffer something else also
// reads, a source written between the copy and the convolution, and a
// pad of channels (the kernel pads rows and columns only).
// CHECK-LABEL: func.func @pads_kept
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[C10:.*]] = arith.constant 10 : i64
// CHECK-DAG:     %[[C12:.*]] = arith.constant 12 : i64
// CHECK:         memref.copy
// CHECK:         call @tessera_conv3x3_winograd_avx512(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C10]], %[[C12]], %[[C0]], %[[C0]],
// CHECK:         memref.copy
// CHECK:         call @tessera_conv3x3_winograd_avx512(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C10]], %[[C12]], %[[C0]], %[[C0]],
// CHECK:         memref.copy
// CHECK:         memref.copy
// CHECK:         call @tessera_conv3x3_winograd_avx512(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C10]], %[[C12]], %[[C0]], %[[C0]],
// CHECK:         memref.copy
// CHECK:         call @tessera_conv3x3_winograd_avx512(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C10]], %[[C12]], %[[C0]], %[[C0]],
func.func @pads_kept(%src: memref<1x8x8x10xf32>, %w: memref<16x8x3x3xf32>, %copy: memref<1x8x10x12xf32>, %few: memref<1x6x8x10xf32>) -> (memref<1x16x8x10xf32>, memref<1x16x8x10xf32>, memref<1x16x8x10xf32>, memref<1x16x8x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %ones = memref.alloc() : memref<1x8x10x12xf32>
  linalg.fill ins(%one : f32) outs(%ones : memref<1x8x10x12xf32>)
  %ones_interior = memref.subview %ones[0, 0, 1, 1] [1, 8, 8, 10] [1, 1, 1, 1] : memref<1x8x10x12xf32> to memref<1x8x8x10xf32, strided<[960, 120, 12, 1], offset: 13>>
  memref.copy %src, %ones_interior : memref<1x8x8x10xf32> to memref<1x8x8x10xf32, strided<[960, 120, 12, 1], offset: 13>>
  %a = memref.alloc() : memref<1x16x8x10xf32>
  linalg.fill ins(%zero : f32) outs(%a : memref<1x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%ones, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%a : memref<1x16x8x10xf32>)
  %shared = memref.alloc() : memref<1x8x10x12xf32>
  linalg.fill ins(%zero : f32) outs(%shared : memref<1x8x10x12xf32>)
  %shared_interior = memref.subview %shared[0, 0, 1, 1] [1, 8, 8, 10] [1, 1, 1, 1] : memref<1x8x10x12xf32> to memref<1x8x8x10xf32, strided<[960, 120, 12, 1], offset: 13>>
  memref.copy %src, %shared_interior : memref<1x8x8x10xf32> to memref<1x8x8x10xf32, strided<[960, 120, 12, 1], offset: 13>>
  %b = memref.alloc() : memref<1x16x8x10xf32>
  linalg.fill ins(%zero : f32) outs(%b : memref<1x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%shared, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%b : memref<1x16x8x10xf32>)
  memref.copy %shared, %copy : memref<1x8x10x12xf32> to memref<1x8x10x12xf32>
  %written = memref.alloc() : memref<1x8x10x12xf32>
  linalg.fill ins(%zero : f32) outs(%written : memref<1x8x10x12xf32>)
  %written_interior = memref.subview %written[0, 0, 1, 1] [1, 8, 8, 10] [1, 1, 1, 1] : memref<1x8x10x12xf32> to memref<1x8x8x10xf32, strided<[960, 120, 12, 1], offset: 13>>
  memref.copy %src, %written_interior : memref<1x8x8x10xf32> to memref<1x8x8x10xf32, strided<[960, 120, 12, 1], offset: 13>>
  %c = memref.alloc() : memref<1x16x8x10xf32>
  linalg.fill ins(%zero : f32) outs(%src : memref<1x8x8x10xf32>)
  linalg.fill ins(%zero : f32) outs(%c : memref<1x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%written, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%c : memref<1x16x8x10xf32>)
  %channels = memref.alloc() : memref<1x8x10x12xf32>
  linalg.fill ins(%zero : f32) outs(%channels : memref<1x8x10x12xf32>)
  %channels_interior = memref.subview %channels[0, 0, 1, 1] [1, 6, 8, 10] [1, 1, 1, 1] : memref<1x8x10x12xf32> to memref<1x6x8x10xf32, strided<[960, 120, 12, 1], offset: 13>>
  memref.copy %few, %channels_interior : memref<1x6x8x10xf32> to memref<1x6x8x10xf32, strided<[960, 120, 12, 1], offset: 13>>
  %d = memref.alloc() : memref<1x16x8x10xf32>
  linalg.fill ins(%zero : f32) outs(%d : memref<1x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%channels, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%d : memref<1x16x8x10xf32>)
  return %a, %b, %c, %d : memref<1x16x8x10xf32>, memref<1x16x8x10xf32>, memref<1x16x8x10xf32>, memref<1x16x8x10xf32>
}

// -----

// Few input channels (a stem: 3 -> 8, 3x3, stride 2) on the direct kernel,
// whatever the window and stride, with the zero pad it reads through (1 on
// every side of the 9 x 11 source: 11 x 13 padded, 5 x 6 output) and a
// bias + ReLU6 epilogue. One call: channels, filters, the source (channel
// and row strides 99 and 11, 9 rows of 11, pads 1 and 1), the window (3 x
// 3, strides 2 x 2), weights, output (channel stride 30, row stride 6, 5 x
// 6), the bias, no second addend, bounds 0 and 6.
// AVX2-LABEL: func.func @stem
// AVX2: call @tessera_conv2d_direct_avx2(
// PADGONE-LABEL: func.func @stem
// PADGONE-NOT:   memref<1x3x11x13xf32>
// PADGONE-NOT:   memref.copy
// PADGONE-NOT:   linalg.
// PADGONE:       return
// CHECK:       func.func private @tessera_conv2d_direct_avx512(i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, f32, f32)
// CHECK-LABEL: func.func @stem
// CHECK-SAME:    (%[[SRC:.*]]: memref<1x3x9x11xf32>,
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : i64
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : i64
// CHECK-DAG:     %[[C99:.*]] = arith.constant 99 : i64
// CHECK-DAG:     %[[C11:.*]] = arith.constant 11 : i64
// CHECK-DAG:     %[[C9:.*]] = arith.constant 9 : i64
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[C30:.*]] = arith.constant 30 : i64
// CHECK-DAG:     %[[C6:.*]] = arith.constant 6 : i64
// CHECK-DAG:     %[[C5:.*]] = arith.constant 5 : i64
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[SIX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-DAG:     %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-DAG:     %[[SRCIDX:.*]] = memref.extract_aligned_pointer_as_index %[[SRC]]
// CHECK-DAG:     %[[SRCI64:.*]] = arith.index_cast %[[SRCIDX]] : index to i64
// CHECK-DAG:     %[[SRCPTR:.*]] = llvm.inttoptr %[[SRCI64]]
// CHECK-NOT:     linalg.
// CHECK:         call @tessera_conv2d_direct_avx512(%[[C3]], %[[C8]], %[[SRCPTR]], %[[C99]], %[[C11]], %[[C9]], %[[C11]], %[[C1]], %[[C1]], %[[C3]], %[[C3]], %[[C2]], %[[C2]], %{{.*}}, %{{.*}}, %[[C30]], %[[C6]], %[[C5]], %[[C6]], %{{.*}}, %[[C1]], %[[C0]], %[[C0]], %[[NULL]], %[[C0]], %[[C0]], %[[C0]], %[[ZERO]], %[[SIX]])
// CHECK-NOT:     linalg.
// CHECK:         return
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#bias = affine_map<(n, c, h, w) -> (c, 0, 0)>
func.func @stem(%src: memref<1x3x9x11xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8x1x1xf32>) -> memref<1x8x5x6xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %padded = memref.alloc() : memref<1x3x11x13xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<1x3x11x13xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 3, 9, 11] [1, 1, 1, 1] : memref<1x3x11x13xf32> to memref<1x3x9x11xf32, strided<[429, 143, 13, 1], offset: 14>>
  memref.copy %src, %interior : memref<1x3x9x11xf32> to memref<1x3x9x11xf32, strided<[429, 143, 13, 1], offset: 14>>
  %out = memref.alloc() : memref<1x8x5x6xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x8x5x6xf32>)
  linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>} ins(%padded, %w : memref<1x3x11x13xf32>, memref<8x3x3x3xf32>) outs(%out : memref<1x8x5x6xf32>)
  linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out, %b : memref<1x8x5x6xf32>, memref<8x1x1xf32>) outs(%out : memref<1x8x5x6xf32>) {
  ^bb0(%x: f32, %bb: f32, %o: f32):
    %s = arith.addf %x, %bb : f32
    %r = arith.maximumf %s, %zero : f32
    %c = arith.minimumf %r, %six : f32
    linalg.yield %c : f32
  }
  return %out : memref<1x8x5x6xf32>
}

// -----

// A 3x3 stride-1 convolution of 4 channels goes to the direct kernel, not
// to Winograd (whose products would sum over 4 channels); a 7x5 window of
// strides 2 x 1 on an unpadded input too.
// With direct=0, the 3x3 stride-1 one goes to Winograd, the other stays.
// NODIRECT-LABEL: func.func @few_channels
// NODIRECT:         call @tessera_conv3x3_winograd_avx512(
// NODIRECT-NOT:     tessera_conv2d_direct
// NODIRECT:         linalg.conv_2d_nchw_fchw {strides
// CHECK-LABEL: func.func @few_channels
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : i64
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[C5:.*]] = arith.constant 5 : i64
// CHECK-DAG:     %[[C7:.*]] = arith.constant 7 : i64
// CHECK-NOT:     tessera_conv3x3_winograd
// CHECK:         call @tessera_conv2d_direct_avx512({{(%[^,]*, %[^,]*, %[^,]*, %[^,]*, %[^,]*, %[^,]*, %[^,]*, )}}%[[C0]], %[[C0]], %[[C3]], %[[C3]], %[[C1]], %[[C1]],
// CHECK:         call @tessera_conv2d_direct_avx512({{(%[^,]*, %[^,]*, %[^,]*, %[^,]*, %[^,]*, %[^,]*, %[^,]*, )}}%[[C0]], %[[C0]], %[[C7]], %[[C5]], %[[C2]], %[[C1]],
// CHECK-NOT:     linalg.conv
func.func @few_channels(%in: memref<1x4x10x12xf32>, %w: memref<16x4x3x3xf32>, %w75: memref<16x4x7x5xf32>) -> (memref<1x16x8x10xf32>, memref<1x16x2x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<1x16x8x10xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x16x8x10xf32>)
  linalg.conv_2d_nchw_fchw ins(%in, %w : memref<1x4x10x12xf32>, memref<16x4x3x3xf32>) outs(%out : memref<1x16x8x10xf32>)
  %oblong = memref.alloc() : memref<1x16x2x8xf32>
  linalg.fill ins(%zero : f32) outs(%oblong : memref<1x16x2x8xf32>)
  linalg.conv_2d_nchw_fchw {strides = dense<[2, 1]> : tensor<2xi64>} ins(%in, %w75 : memref<1x4x10x12xf32>, memref<16x4x7x5xf32>) outs(%oblong : memref<1x16x2x8xf32>)
  return %out, %oblong : memref<1x16x8x10xf32>, memref<1x16x2x8xf32>
}

// Convolutions the kernel does not compute are left (to lower as loops),
// each with a warning that says why.
// CHECK-LABEL: func.func @refused
// CHECK-NOT:     call
// CHECK-COUNT-6: linalg.conv_2d_nchw_fchw
func.func @refused(%in: memref<1x8x10x12xf32>, %w: memref<16x8x3x3xf32>, %out: memref<1x16x8x10xf32>, %small: memref<1x16x4x5xf32>, %wide: memref<1x16x7x9xf32>, %rgb: memref<1x3x10x12xf32>, %w3: memref<16x3x3x3xf32>) {
  %zero = arith.constant 0.0 : f32
  // expected-warning @below {{tessera-conv-to-microkernel: left as loops, not a convolution kernel: output is not zero-filled just before}}
  linalg.conv_2d_nchw_fchw ins(%in, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%out : memref<1x16x8x10xf32>)
  linalg.fill ins(%zero : f32) outs(%small : memref<1x16x4x5xf32>)
  // expected-warning @below {{neither 3x3 of stride 1 (Winograd) nor of at most 4 input channels, strides of at most 2 and 256 window values (direct)}}
  linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>} ins(%in, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%small : memref<1x16x4x5xf32>)
  linalg.fill ins(%zero : f32) outs(%wide : memref<1x16x7x9xf32>)
  // expected-warning @below {{input is not the output's size plus the window}}
  linalg.conv_2d_nchw_fchw ins(%in, %w : memref<1x8x10x12xf32>, memref<16x8x3x3xf32>) outs(%wide : memref<1x16x7x9xf32>)
  %columns = memref.subview %in[0, 0, 0, 0] [1, 8, 10, 6] [1, 1, 1, 2] : memref<1x8x10x12xf32> to memref<1x8x10x6xf32, strided<[960, 120, 12, 2]>>
  %narrow = memref.subview %out[0, 0, 0, 0] [1, 16, 8, 4] [1, 1, 1, 1] : memref<1x16x8x10xf32> to memref<1x16x8x4xf32, strided<[1280, 80, 10, 1]>>
  linalg.fill ins(%zero : f32) outs(%narrow : memref<1x16x8x4xf32, strided<[1280, 80, 10, 1]>>)
  // expected-warning @below {{input or output rows are not contiguous f32}}
  linalg.conv_2d_nchw_fchw ins(%columns, %w : memref<1x8x10x6xf32, strided<[960, 120, 12, 2]>>, memref<16x8x3x3xf32>) outs(%narrow : memref<1x16x8x4xf32, strided<[1280, 80, 10, 1]>>)
  linalg.fill ins(%zero : f32) outs(%small : memref<1x16x4x5xf32>)
  // expected-warning @below {{dilated}}
  linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>} ins(%rgb, %w3 : memref<1x3x10x12xf32>, memref<16x3x3x3xf32>) outs(%small : memref<1x16x4x5xf32>)
  // A stem of stride 3 (a patch embedding's kind) is left to im2col.
  %tiny = memref.alloc() : memref<1x16x3x4xf32>
  linalg.fill ins(%zero : f32) outs(%tiny : memref<1x16x3x4xf32>)
  // expected-warning @below {{strides of at most 2}}
  linalg.conv_2d_nchw_fchw {strides = dense<3> : tensor<2xi64>} ins(%rgb, %w3 : memref<1x3x10x12xf32>, memref<16x3x3x3xf32>) outs(%tiny : memref<1x16x3x4xf32>)
  return
}
