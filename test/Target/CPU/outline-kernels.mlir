// RUN: tessera-opt %s -split-input-file -tessera-outline-kernels | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-outline-kernels=min-parallel-iterations=1000 | FileCheck %s --check-prefix=PAR

// Views at disjoint byte ranges of the arena: the kernel's arguments do not
// alias. A captured constant is cloned into the kernel, not passed.
// CHECK-LABEL: func.func @disjoint_views
// CHECK-SAME:    (%[[ARENA:.*]]: memref<?xi8>)
// CHECK:         %[[A:.*]] = memref.view %[[ARENA]]
// CHECK:         %[[B:.*]] = memref.view %[[ARENA]]
// CHECK:         call @disjoint_views_kernel_0(%[[A]], %[[B]]) : (memref<16xf32>, memref<16xf32>) -> ()
// CHECK-NOT:     linalg.generic
// CHECK:       func.func private @disjoint_views_kernel_0(%{{.*}}: memref<16xf32>, %{{.*}}: memref<16xf32>)
// CHECK-SAME:    attributes {llvm.linkage = #llvm.linkage<internal>, tessera.noalias_args}
// CHECK:         arith.constant 0.000000e+00 : f32
// CHECK:         linalg.generic
// CHECK:         return
#id = affine_map<(d0) -> (d0)>
func.func @disjoint_views(%arena: memref<?xi8>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  %a = memref.view %arena[%c0][] : memref<?xi8> to memref<16xf32>
  %b = memref.view %arena[%c64][] : memref<?xi8> to memref<16xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : memref<16xf32>) outs(%b : memref<16xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Byte ranges [0, 64) and [32, 96) overlap: no no-alias claim.
// CHECK-LABEL: func.func private @overlapping_views_kernel_0
// CHECK-SAME:    attributes {llvm.linkage = #llvm.linkage<internal>} {
#id = affine_map<(d0) -> (d0)>
func.func @overlapping_views(%arena: memref<?xi8>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %a = memref.view %arena[%c0][] : memref<?xi8> to memref<16xf32>
  %b = memref.view %arena[%c32][] : memref<?xi8> to memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%b : memref<16xf32>)
  return
}

// -----

// In place: the same buffer read and written is one argument, which may be
// marked. Subviews of distinct function arguments and of a fresh
// allocation do not alias either.
// CHECK-LABEL: func.func @in_place_and_distinct_roots
// CHECK:         call @in_place_and_distinct_roots_kernel_0(%{{.*}}) : (memref<16xf32>) -> ()
// CHECK:         call @in_place_and_distinct_roots_kernel_1(%{{.*}}, %{{.*}}, %{{.*}}) : (memref<4xf32, strided<[1], offset: 2>>, memref<4xf32, strided<[1], offset: 4>>, memref<4xf32>) -> ()
// CHECK:       func.func private @in_place_and_distinct_roots_kernel_1({{.*}}) attributes {{{.*}}tessera.noalias_args}
// CHECK:       func.func private @in_place_and_distinct_roots_kernel_0({{.*}}) attributes {{{.*}}tessera.noalias_args}
#id = affine_map<(d0) -> (d0)>
func.func @in_place_and_distinct_roots(%x: memref<16xf32>, %y: memref<16xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%x : memref<16xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.mulf %a, %a : f32
    linalg.yield %r : f32
  }
  %xs = memref.subview %x[2] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1], offset: 2>>
  %ys = memref.subview %y[4] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1], offset: 4>>
  %out = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%xs, %ys : memref<4xf32, strided<[1], offset: 2>>, memref<4xf32, strided<[1], offset: 4>>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Two subviews of one argument without byte ranges may overlap; so may a
// buffer of unknown origin (a cast of a loop-carried value is not traced).
// CHECK-LABEL: func.func private @same_argument_kernel_0
// CHECK-SAME:    attributes {llvm.linkage = #llvm.linkage<internal>} {
func.func @same_argument(%x: memref<16xf32>) {
  %a = memref.subview %x[0] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1]>>
  %b = memref.subview %x[8] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1], offset: 8>>
  linalg.copy ins(%a : memref<4xf32, strided<[1]>>) outs(%b : memref<4xf32, strided<[1], offset: 8>>)
  return
}

// -----

// With at least min-parallel-iterations (64 * 16 * 8 here: 8192; 1000 in
// the PAR run, 16384 by default), a kernel computes a range [begin, end) of one
// parallel loop: m, which partitions the larger input (A, 64 x 8). The call
// passes 0 and m's extent.
// CHECK-LABEL: func.func @parallel_matmul
// CHECK:         call @parallel_matmul_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}) : (memref<64x8xf32>, memref<8x16xf32>, memref<64x16xf32>) -> ()
// CHECK:       func.func private @parallel_matmul_kernel_0({{.*}}) attributes {llvm.linkage = #llvm.linkage<internal>, tessera.noalias_args} {
// PAR-LABEL:   func.func @parallel_matmul
// PAR-DAG:       %[[ZERO:.*]] = arith.constant 0 : index
// PAR-DAG:       %[[M:.*]] = arith.constant 64 : index
// PAR:           call @parallel_matmul_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %[[ZERO]], %[[M]])
// PAR:         func.func private @parallel_matmul_kernel_0(%[[A:.*]]: memref<64x8xf32>, %[[B:.*]]: memref<8x16xf32>, %[[C:.*]]: memref<64x16xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// PAR-SAME:      tessera.parallel_kernel
// PAR:           %[[ROWS:.*]] = arith.subi %[[END]], %[[BEGIN]] : index
// PAR-DAG:       memref.subview %[[A]][%[[BEGIN]], 0] [%[[ROWS]], 8] [1, 1]
// PAR-DAG:       memref.subview %[[C]][%[[BEGIN]], 0] [%[[ROWS]], 16] [1, 1]
// PAR:           linalg.generic
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @parallel_matmul(%a: memref<64x8xf32>, %b: memref<8x16xf32>, %c: memref<64x16xf32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x8xf32>, memref<8x16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A product whose B is the larger input (a convolution's im2col columns,
// 72 x 256, against 16 x 72 weights) is split along n, so that each thread
// reads its own columns of B and shares A. The range counts the 16 groups
// of 16 columns that start a cache line of C (see @line_granule).
// PAR-LABEL:   func.func @parallel_columns
// PAR-DAG:       %[[ZERO:.*]] = arith.constant 0 : index
// PAR-DAG:       %[[N:.*]] = arith.constant 16 : index
// PAR:           call @parallel_columns_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %[[ZERO]], %[[N]])
// PAR:         func.func private @parallel_columns_kernel_0(%[[A:.*]]: memref<16x72xf32>, %[[B:.*]]: memref<72x256xf32>, %[[C:.*]]: memref<16x256xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// PAR:           %[[FIRST:.*]] = arith.muli %[[BEGIN]], %{{.*}} : index
// PAR:           %[[COLS:.*]] = arith.subi %{{.*}}, %[[FIRST]] : index
// PAR-DAG:       memref.subview %[[B]][0, %[[FIRST]]] [72, %[[COLS]]] [1, 1]
// PAR-DAG:       memref.subview %[[C]][0, %[[FIRST]]] [16, %[[COLS]]] [1, 1]
#cA = affine_map<(m, n, k) -> (m, k)>
#cB = affine_map<(m, n, k) -> (k, n)>
#cC = affine_map<(m, n, k) -> (m, n)>
func.func @parallel_columns(%a: memref<16x72xf32>, %b: memref<72x256xf32>, %c: memref<16x256xf32>) {
  linalg.generic {indexing_maps = [#cA, #cB, #cC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x72xf32>, memref<72x256xf32>) outs(%c : memref<16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The same product whose output a depthwise convolution then reads as its
// input (through a reshape and a pointer, as tessera-depthwise-to-
// microkernel passes it) is split along m, its output's channels (after
// the unit batch), when that convolution splits its channels over the
// threads (tessera_depthwise_row_granule: 3 x 3 windows over 16 x 16
// planes on AVX-512), in contiguous chunks as well: each thread then
// reads the channels it wrote. Not when it splits its rows (5 x 5
// windows), nor after another op reads the output (a copy), nor when the
// pointer is another of the call's arguments (its output).
// PAR-LABEL:   func.func @feeds_depthwise
// PAR:           %[[M:.*]] = arith.constant 16 : index
// PAR:           call @feeds_depthwise_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[M]])
// PAR:           call @tessera_depthwise_conv2d_avx512
// PAR:         func.func private @feeds_depthwise_kernel_0(%[[A:.*]]: memref<16x72xf32>, %{{.*}}: memref<1x72x256xf32>, %[[C:.*]]: memref<1x16x256xf32>, %[[BEGIN:.*]]: index, %{{.*}}: index)
// PAR-DAG:       memref.subview %[[A]][%[[BEGIN]], 0]
// PAR-DAG:       memref.subview %[[C]][0, %[[BEGIN]], 0]
// PAR:         func.func private @feeds_depthwise_rows_kernel_0(%{{.*}}: memref<16x72xf32>, %[[B:.*]]: memref<72x256xf32>, %{{.*}}: memref<16x256xf32>, %{{.*}}: index, %{{.*}}: index)
// PAR:           %[[FIRST:.*]] = arith.muli
// PAR:           memref.subview %[[B]][0, %[[FIRST]]]
// PAR:         func.func private @feeds_depthwise_after_copy_kernel_0(%{{.*}}: memref<16x72xf32>, %[[B:.*]]: memref<72x256xf32>, %{{.*}}: memref<16x256xf32>, %{{.*}}: index, %{{.*}}: index)
// PAR:           %[[FIRST:.*]] = arith.muli
// PAR:           memref.subview %[[B]][0, %[[FIRST]]]
// PAR:         func.func private @feeds_depthwise_output_kernel_0(%{{.*}}: memref<16x72xf32>, %[[B:.*]]: memref<72x256xf32>, %{{.*}}: memref<16x256xf32>, %{{.*}}: index, %{{.*}}: index)
// PAR:           %[[FIRST:.*]] = arith.muli
// PAR:           memref.subview %[[B]][0, %[[FIRST]]]
#dA = affine_map<(m, n, k) -> (m, k)>
#dB = affine_map<(m, n, k) -> (k, n)>
#dC = affine_map<(m, n, k) -> (m, n)>
#bA = affine_map<(b, m, n, k) -> (m, k)>
#bB = affine_map<(b, m, n, k) -> (b, k, n)>
#bC = affine_map<(b, m, n, k) -> (b, m, n)>
func.func private @tessera_depthwise_conv2d_avx512(i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32, f32, f32, !llvm.ptr, i64, f32, f32)
func.func @feeds_depthwise(%a: memref<16x72xf32>, %b: memref<1x72x256xf32>, %c: memref<1x16x256xf32>, %weights: !llvm.ptr, %out: !llvm.ptr) {
  linalg.generic {indexing_maps = [#bA, #bB, #bC], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x72xf32>, memref<1x72x256xf32>) outs(%c : memref<1x16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %image = memref.expand_shape %c [[0], [1], [2, 3]] output_shape [1, 16, 16, 16] : memref<1x16x256xf32> into memref<1x16x16x16xf32>
  %base, %offset, %sizes:4, %strides:4 = memref.extract_strided_metadata %image : memref<1x16x16x16xf32> -> memref<f32>, index, index, index, index, index, index, index, index, index
  %aligned = memref.extract_aligned_pointer_as_index %image : memref<1x16x16x16xf32> -> index
  %four = arith.constant 4 : index
  %bytes = arith.muli %offset, %four : index
  %address = arith.addi %aligned, %bytes : index
  %integer = arith.index_cast %address : index to i64
  %input = llvm.inttoptr %integer : i64 to !llvm.ptr
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %c3 = arith.constant 3 : i64
  %c16 = arith.constant 16 : i64
  %c256 = arith.constant 256 : i64
  %c4096 = arith.constant 4096 : i64
  %f0 = arith.constant 0.0 : f32
  call @tessera_depthwise_conv2d_avx512(%c1, %c16, %input, %c4096, %c256, %c16, %c16, %c16, %weights, %c3, %c3, %weights, %c1, %out, %c4096, %c256, %c16, %c16, %c16, %c1, %c1, %c1, %c1, %f0, %f0, %f0, %weights, %c0, %f0, %f0) : (i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32, f32, f32, !llvm.ptr, i64, f32, f32) -> ()
  return
}
func.func @feeds_depthwise_rows(%a: memref<16x72xf32>, %b: memref<72x256xf32>, %c: memref<16x256xf32>, %weights: !llvm.ptr, %out: !llvm.ptr) {
  linalg.generic {indexing_maps = [#dA, #dB, #dC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x72xf32>, memref<72x256xf32>) outs(%c : memref<16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %image = memref.expand_shape %c [[0, 1], [2, 3]] output_shape [1, 16, 16, 16] : memref<16x256xf32> into memref<1x16x16x16xf32>
  %address = memref.extract_aligned_pointer_as_index %image : memref<1x16x16x16xf32> -> index
  %integer = arith.index_cast %address : index to i64
  %input = llvm.inttoptr %integer : i64 to !llvm.ptr
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %c2 = arith.constant 2 : i64
  %c5 = arith.constant 5 : i64
  %c16 = arith.constant 16 : i64
  %c256 = arith.constant 256 : i64
  %c4096 = arith.constant 4096 : i64
  %f0 = arith.constant 0.0 : f32
  call @tessera_depthwise_conv2d_avx512(%c1, %c16, %input, %c4096, %c256, %c16, %c16, %c16, %weights, %c5, %c5, %weights, %c1, %out, %c4096, %c256, %c16, %c16, %c16, %c1, %c1, %c2, %c2, %f0, %f0, %f0, %weights, %c0, %f0, %f0) : (i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32, f32, f32, !llvm.ptr, i64, f32, f32) -> ()
  return
}
func.func @feeds_depthwise_after_copy(%a: memref<16x72xf32>, %b: memref<72x256xf32>, %c: memref<16x256xf32>, %copy: memref<16x256xf32>, %weights: !llvm.ptr, %out: !llvm.ptr) {
  linalg.generic {indexing_maps = [#dA, #dB, #dC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x72xf32>, memref<72x256xf32>) outs(%c : memref<16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  memref.copy %c, %copy : memref<16x256xf32> to memref<16x256xf32>
  %address = memref.extract_aligned_pointer_as_index %c : memref<16x256xf32> -> index
  %integer = arith.index_cast %address : index to i64
  %input = llvm.inttoptr %integer : i64 to !llvm.ptr
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %c3 = arith.constant 3 : i64
  %c16 = arith.constant 16 : i64
  %c256 = arith.constant 256 : i64
  %c4096 = arith.constant 4096 : i64
  %f0 = arith.constant 0.0 : f32
  call @tessera_depthwise_conv2d_avx512(%c1, %c16, %input, %c4096, %c256, %c16, %c16, %c16, %weights, %c3, %c3, %weights, %c1, %out, %c4096, %c256, %c16, %c16, %c16, %c1, %c1, %c1, %c1, %f0, %f0, %f0, %weights, %c0, %f0, %f0) : (i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32, f32, f32, !llvm.ptr, i64, f32, f32) -> ()
  return
}
func.func @feeds_depthwise_output(%a: memref<16x72xf32>, %b: memref<72x256xf32>, %c: memref<16x256xf32>, %weights: !llvm.ptr, %in: !llvm.ptr) {
  linalg.generic {indexing_maps = [#dA, #dB, #dC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x72xf32>, memref<72x256xf32>) outs(%c : memref<16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %address = memref.extract_aligned_pointer_as_index %c : memref<16x256xf32> -> index
  %integer = arith.index_cast %address : index to i64
  %output = llvm.inttoptr %integer : i64 to !llvm.ptr
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %c3 = arith.constant 3 : i64
  %c16 = arith.constant 16 : i64
  %c256 = arith.constant 256 : i64
  %c4096 = arith.constant 4096 : i64
  %f0 = arith.constant 0.0 : f32
  call @tessera_depthwise_conv2d_avx512(%c1, %c16, %in, %c4096, %c256, %c16, %c16, %c16, %weights, %c3, %c3, %weights, %c1, %output, %c4096, %c256, %c16, %c16, %c16, %c1, %c1, %c1, %c1, %f0, %f0, %f0, %weights, %c0, %f0, %f0) : (i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32, f32, f32, !llvm.ptr, i64, f32, f32) -> ()
  return
}

// -----

// Looking for a depthwise reader, the pass traces the buffers ops after a
// product access; a view of index elements (a reshape's shape) has no bit
// width to bound its bytes with, and is taken whole.
// PAR-LABEL:   func.func @index_view_after_product
// PAR:           call @index_view_after_product_kernel_0
// PAR:           memref.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<2xindex>
#iA = affine_map<(m, n, k) -> (m, k)>
#iB = affine_map<(m, n, k) -> (k, n)>
#iC = affine_map<(m, n, k) -> (m, n)>
func.func @index_view_after_product(%a: memref<16x72xf32>, %b: memref<72x256xf32>, %arena: memref<?xi8>) {
  %c0 = arith.constant 0 : index
  %c16384 = arith.constant 16384 : index
  %c = memref.view %arena[%c0][] : memref<?xi8> to memref<16x256xf32>
  linalg.generic {indexing_maps = [#iA, #iB, #iC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x72xf32>, memref<72x256xf32>) outs(%c : memref<16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %shape = memref.view %arena[%c16384][] : memref<?xi8> to memref<2xindex>
  memref.store %c16384, %shape[%c0] : memref<2xindex>
  return
}

// -----

// Weights (views of the first of the two byte buffers that lead the model
// function's arguments) count thrice: read from memory on every run, they
// outweigh im2col columns of up to three times their size. A (96 x 72) in
// the weights splits the product along m (96 rows); the same A in the
// arena, or in the first byte buffer of a function other than the model's,
// along n (16 groups of 16 columns), as B (72 x 256) is the larger input.
// PAR-LABEL:   func.func @main
// PAR:           %[[M:.*]] = arith.constant 96 : index
// PAR:           call @main_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[M]])
// PAR:         func.func private @main_kernel_0(%[[A:.*]]: memref<96x72xf32>, %{{.*}}: memref<72x256xf32>, %{{.*}}: memref<96x256xf32>, %[[BEGIN:.*]]: index, %{{.*}}: index)
// PAR:           memref.subview %[[A]][%[[BEGIN]], 0]
#wA = affine_map<(m, n, k) -> (m, k)>
#wB = affine_map<(m, n, k) -> (k, n)>
#wC = affine_map<(m, n, k) -> (m, n)>
func.func @main(%weights: memref<?xi8>, %arena: memref<?xi8>) {
  %c0 = arith.constant 0 : index
  %c101376 = arith.constant 101376 : index
  %a = memref.view %weights[%c0][] : memref<?xi8> to memref<96x72xf32>
  %b = memref.view %arena[%c0][] : memref<?xi8> to memref<72x256xf32>
  %c = memref.view %arena[%c101376][] : memref<?xi8> to memref<96x256xf32>
  linalg.generic {indexing_maps = [#wA, #wB, #wC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<96x72xf32>, memref<72x256xf32>) outs(%c : memref<96x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// PAR-LABEL:   func.func @main
// PAR:           %[[N:.*]] = arith.constant 16 : index
// PAR:           call @main_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[N]])
#wA = affine_map<(m, n, k) -> (m, k)>
#wB = affine_map<(m, n, k) -> (k, n)>
#wC = affine_map<(m, n, k) -> (m, n)>
func.func @main(%weights: memref<?xi8>, %arena: memref<?xi8>) {
  %c0 = arith.constant 0 : index
  %c73728 = arith.constant 73728 : index
  %c101376 = arith.constant 101376 : index
  %a = memref.view %arena[%c73728][] : memref<?xi8> to memref<96x72xf32>
  %b = memref.view %arena[%c0][] : memref<?xi8> to memref<72x256xf32>
  %c = memref.view %arena[%c101376][] : memref<?xi8> to memref<96x256xf32>
  linalg.generic {indexing_maps = [#wA, #wB, #wC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<96x72xf32>, memref<72x256xf32>) outs(%c : memref<96x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// PAR-LABEL:   func.func @bytes_in
// PAR:           %[[N:.*]] = arith.constant 16 : index
// PAR:           call @bytes_in_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[N]])
#wA = affine_map<(m, n, k) -> (m, k)>
#wB = affine_map<(m, n, k) -> (k, n)>
#wC = affine_map<(m, n, k) -> (m, n)>
func.func @bytes_in(%bytes: memref<?xi8>, %arena: memref<?xi8>) {
  %c0 = arith.constant 0 : index
  %c101376 = arith.constant 101376 : index
  %a = memref.view %bytes[%c0][] : memref<?xi8> to memref<96x72xf32>
  %b = memref.view %arena[%c0][] : memref<?xi8> to memref<72x256xf32>
  %c = memref.view %arena[%c101376][] : memref<?xi8> to memref<96x256xf32>
  linalg.generic {indexing_maps = [#wA, #wB, #wC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<96x72xf32>, memref<72x256xf32>) outs(%c : memref<96x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A zero fill of a product's output, just before it (views between do not
// count), goes into the product's kernel and is split with it: each thread
// zeroes the columns it then accumulates into (so that
// tessera-matmul-to-microkernel can overwrite them instead), and the two
// slices of C are one value. A fill of another value stays a kernel.
// CHECK-LABEL: func.func @zero_fill_prologue
// CHECK:         call @zero_fill_prologue_kernel_1(
// CHECK:         call @zero_fill_prologue_kernel_2(
// CHECK:         call @zero_fill_prologue_kernel_3(
// CHECK-NOT:     call
// CHECK:         return
// PAR-LABEL:   func.func @zero_fill_prologue
// PAR:         func.func private @zero_fill_prologue_kernel_3
// PAR-NOT:       linalg.fill
// PAR:           linalg.generic
// PAR:         func.func private @zero_fill_prologue_kernel_2
// PAR-NOT:       linalg.generic
// PAR:           linalg.fill
// PAR:         func.func private @zero_fill_prologue_kernel_1(%{{.*}}: memref<16x72xf32, strided<[72, 1]>>, %{{.*}}: memref<72x256xf32>, %[[C:.*]]: memref<16x256xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// PAR:           %[[FIRST:.*]] = arith.muli %[[BEGIN]], %{{.*}} : index
// PAR:           %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// PAR:           %[[COLS:.*]] = arith.subi %{{.*}}, %[[FIRST]] : index
// PAR:           %[[SLICE:.*]] = memref.subview %[[C]][0, %[[FIRST]]] [16, %[[COLS]]] [1, 1]
// PAR-NEXT:      linalg.fill ins(%[[ZERO]] : f32) outs(%[[SLICE]] : memref<16x?xf32, strided<[256, 1], offset: ?>>)
// PAR:           linalg.generic {{.*}} outs(%[[SLICE]] : memref<16x?xf32, strided<[256, 1], offset: ?>>)
#zA = affine_map<(m, n, k) -> (m, k)>
#zB = affine_map<(m, n, k) -> (k, n)>
#zC = affine_map<(m, n, k) -> (m, n)>
func.func @zero_fill_prologue(%a: memref<16x72xf32>, %b: memref<72x256xf32>, %c: memref<16x256xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<16x256xf32>)
  %view = memref.subview %a[0, 0] [16, 72] [1, 1] : memref<16x72xf32> to memref<16x72xf32, strided<[72, 1]>>
  linalg.generic {indexing_maps = [#zA, #zB, #zC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%view, %b : memref<16x72xf32, strided<[72, 1]>>, memref<72x256xf32>) outs(%c : memref<16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%one : f32) outs(%c : memref<16x256xf32>)
  linalg.generic {indexing_maps = [#zA, #zB, #zC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x72xf32>, memref<72x256xf32>) outs(%c : memref<16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// An elementwise op right after a product, in place on exactly its output
// and over its dimensions (as tessera-fuse-product-epilogues leaves a bias
// add and ReLU), goes into the product's kernel with its zero fill and is
// split with them: each thread applies it to the columns it computed, and
// the three slices of C are one value. The call comes where the epilogue
// was, after the view of the bias made between the two. An op on C over
// other loops (transposed) is a kernel of its own.
// CHECK-LABEL: func.func @in_place_epilogue
// CHECK:         memref.subview
// CHECK:         call @in_place_epilogue_kernel_1(
// CHECK:         call @in_place_epilogue_kernel_3(
// CHECK:         call @in_place_epilogue_kernel_4(
// CHECK-NOT:     call
// CHECK:         return
// PAR-LABEL:   func.func @in_place_epilogue
// PAR:         func.func private @in_place_epilogue_kernel_1(%{{.*}}: memref<16x72xf32>, %{{.*}}: memref<72x256xf32>, %[[C:.*]]: memref<16x256xf32>, %[[BIAS:.*]]: memref<256xf32, strided<[1]>>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// PAR-SAME:      tessera.noalias_args
// PAR:           %[[FIRST:.*]] = arith.muli %[[BEGIN]], %{{.*}} : index
// PAR:           %[[COLS:.*]] = arith.subi %{{.*}}, %[[FIRST]] : index
// PAR:           %[[SLICE:.*]] = memref.subview %[[C]][0, %[[FIRST]]] [16, %[[COLS]]] [1, 1]
// PAR-NEXT:      linalg.fill {{.*}} outs(%[[SLICE]] : memref<16x?xf32, strided<[256, 1], offset: ?>>)
// PAR:           linalg.generic {{.*}} outs(%[[SLICE]] : memref<16x?xf32, strided<[256, 1], offset: ?>>)
// PAR:           %[[BIASSLICE:.*]] = memref.subview %[[BIAS]][%[[FIRST]]] [%[[COLS]]] [1]
// PAR:           linalg.generic {{.*}} ins(%[[SLICE]], %[[BIASSLICE]] : {{.*}}) outs(%[[SLICE]] : memref<16x?xf32, strided<[256, 1], offset: ?>>)
// PAR:             arith.maximumf
#zA = affine_map<(m, n, k) -> (m, k)>
#zB = affine_map<(m, n, k) -> (k, n)>
#zC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#t = affine_map<(m, n) -> (n, m)>
#col = affine_map<(m, n) -> (n)>
func.func @in_place_epilogue(%a: memref<16x72xf32>, %b: memref<72x256xf32>, %c: memref<16x256xf32>, %bias: memref<300xf32>, %sq: memref<72x16xf32>, %d: memref<16x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<16x256xf32>)
  linalg.generic {indexing_maps = [#zA, #zB, #zC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x72xf32>, memref<72x256xf32>) outs(%c : memref<16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %bv = memref.subview %bias[0] [256] [1] : memref<300xf32> to memref<256xf32, strided<[1]>>
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%c, %bv : memref<16x256xf32>, memref<256xf32, strided<[1]>>) outs(%c : memref<16x256xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#zA, #zB, #zC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %sq : memref<16x72xf32>, memref<72x16xf32>) outs(%d : memref<16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]} ins(%d : memref<16x16xf32>) outs(%d : memref<16x16xf32>) {
  ^bb0(%x: f32, %out: f32):
    %s = arith.addf %x, %out : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A dynamic loop counts as large, and is preferred to the contiguous one;
// its extent is read from the buffer at the call. In the 1-d convolution
// h is the output's contiguous loop and too short (32) to split, so the
// split goes along c.
// PAR-LABEL:   func.func @dynamic_rows
// PAR:           %[[ROWS:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<?x8xf32>
// PAR:           call @dynamic_rows_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %[[ROWS]])
// PAR:           call @dynamic_rows_kernel_1(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// PAR:         func.func private @dynamic_rows_kernel_1(%[[IN:.*]]: memref<64x34xf32>, %{{.*}}: memref<3xf32>, %[[OUT:.*]]: memref<64x32xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// PAR:           memref.subview %[[IN]][%[[BEGIN]], 0]
// PAR:           memref.subview %[[OUT]][%[[BEGIN]], 0]
// PAR:         func.func private @dynamic_rows_kernel_0(%{{.*}}: memref<?x8xf32>, %{{.*}}: memref<?x8xf32>, %[[B0:.*]]: index, %{{.*}}: index)
// PAR:           memref.subview %{{.*}}[%[[B0]], 0] [%{{.*}}, 8] [1, 1]
#in = affine_map<(c, h, kh) -> (c, h + kh)>
#k = affine_map<(c, h, kh) -> (kh)>
#out = affine_map<(c, h, kh) -> (c, h)>
func.func @dynamic_rows(%a: memref<?x8xf32>, %b: memref<?x8xf32>, %x: memref<64x34xf32>, %w: memref<3xf32>, %y: memref<64x32xf32>) {
  linalg.copy ins(%a : memref<?x8xf32>) outs(%b : memref<?x8xf32>)
  linalg.generic {indexing_maps = [#in, #k, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<64x34xf32>, memref<3xf32>) outs(%y : memref<64x32xf32>) {
  ^bb0(%v: f32, %kw: f32, %acc: f32):
    %p = arith.mulf %v, %kw : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A sliding window in an input does not keep its loop out of the split: the
// threads' output rows are disjoint, and the input rows they read overlap
// by the window's halo. An im2col copy splits its 16 output rows (oh), not
// its 3 channels, so that it writes the pixel columns a product after it
// splits; the input slice starts at row 2 * begin.
// PAR-LABEL:   func.func private @im2col_rows_kernel_0
// PAR-SAME:      (%[[X:.*]]: memref<3x33x16xf32>, %[[Y:.*]]: memref<3x3x16x16xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// PAR:           %[[ROWS:.*]] = arith.subi %[[END]], %[[BEGIN]] : index
// PAR-DAG:       %[[FIRST:.*]] = affine.apply #{{.*}}()[%[[BEGIN]]]
// PAR-DAG:       memref.subview %[[X]][0, %[[FIRST]], 0]
// PAR-DAG:       memref.subview %[[Y]][0, 0, %[[BEGIN]], 0] [3, 3, %[[ROWS]], 16] [1, 1, 1, 1]
// PAR:           linalg.generic
#src = affine_map<(c, kh, oh, ow) -> (c, oh * 2 + kh, ow)>
#dst = affine_map<(c, kh, oh, ow) -> (c, kh, oh, ow)>
func.func @im2col_rows(%x: memref<3x33x16xf32>, %y: memref<3x3x16x16xf32>) {
  linalg.generic {indexing_maps = [#src, #dst], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : memref<3x33x16xf32>) outs(%y : memref<3x3x16x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    linalg.yield %v : f32
  }
  return
}

// -----

// A split along the output's contiguous loop counts groups of 16 pixels
// (one 64-byte line of f32), so that no output line is written by two
// threads: the call passes 13 groups for 196 pixels, and the kernel
// multiplies its range by 16 and clips the last, partial group at 196.
// PAR-LABEL:   func.func @line_granule
// PAR-DAG:       %[[ZERO:.*]] = arith.constant 0 : index
// PAR-DAG:       %[[GROUPS:.*]] = arith.constant 13 : index
// PAR:           call @line_granule_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %[[ZERO]], %[[GROUPS]])
// PAR:           call @line_granule_kernel_1(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// PAR:         func.func private @line_granule_kernel_1(%{{.*}}: memref<8x4xf32>, %{{.*}}: memref<4x196xf32>, %[[UNALIGNED:.*]]: memref<8x196xf32, strided<[200, 1], offset: 1>>, %[[B1:.*]]: index, %{{.*}}: index)
// PAR-NOT:       arith.muli
// PAR:           memref.subview %[[UNALIGNED]][0, %[[B1]]]
// PAR:         func.func private @line_granule_kernel_0(%{{.*}}: memref<8x4xf32>, %{{.*}}: memref<4x196xf32>, %[[C:.*]]: memref<8x196xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// PAR-DAG:       %[[SIXTEEN:.*]] = arith.constant 16 : index
// PAR-DAG:       %[[EXTENT:.*]] = arith.constant 196 : index
// PAR:           %[[FIRST:.*]] = arith.muli %[[BEGIN]], %[[SIXTEEN]] : index
// PAR:           %[[LAST:.*]] = arith.muli %[[END]], %[[SIXTEEN]] : index
// PAR:           %[[CLIPPED:.*]] = arith.minsi %[[LAST]], %[[EXTENT]] : index
// PAR:           %[[COLUMNS:.*]] = arith.subi %[[CLIPPED]], %[[FIRST]] : index
// PAR:           memref.subview %[[C]][0, %[[FIRST]]] [8, %[[COLUMNS]]] [1, 1]
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
func.func @line_granule(%w: memref<8x4xf32>, %x: memref<4x196xf32>, %y: memref<8x196xf32>, %z: memref<8x200xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%w, %x : memref<8x4xf32>, memref<4x196xf32>) outs(%y : memref<8x196xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  // The same product into a view one element into a buffer: its lines
  // are unknown, so the range counts pixels.
  %unaligned = memref.subview %z[0, 1] [8, 196] [1, 1] : memref<8x200xf32> to memref<8x196xf32, strided<[200, 1], offset: 1>>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%w, %x : memref<8x4xf32>, memref<4x196xf32>) outs(%unaligned : memref<8x196xf32, strided<[200, 1], offset: 1>>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The output's contiguous loop (ow, 64) is not split where an input reads
// it through a window: each thread would write part of every output row.
// With 4 output rows, the split goes along the 5 kernel rows (kh), the
// largest loop left.
// PAR-LABEL:   func.func private @im2col_columns_kernel_0
// PAR-SAME:      (%{{.*}}: memref<2x11x131xf32>, %[[Y:.*]]: memref<2x5x4x64xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// PAR:           %[[ROWS:.*]] = arith.subi %[[END]], %[[BEGIN]] : index
// PAR:           memref.subview %[[Y]][0, %[[BEGIN]], 0, 0] [2, %[[ROWS]], 4, 64] [1, 1, 1, 1]
#src = affine_map<(c, kh, oh, ow) -> (c, oh * 2 + kh, ow * 2 + kh)>
#dst = affine_map<(c, kh, oh, ow) -> (c, kh, oh, ow)>
func.func @im2col_columns(%x: memref<2x11x131xf32>, %y: memref<2x5x4x64xf32>) {
  linalg.generic {indexing_maps = [#src, #dst], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : memref<2x11x131xf32>) outs(%y : memref<2x5x4x64xf32>) {
  ^bb0(%v: f32, %out: f32):
    linalg.yield %v : f32
  }
  return
}

// -----

// A batched op (every operand but scalars leads with the batch loop) in a
// loop body is split along the batch, even when it is short: attention's
// blocks of scores, softmax and product with V then give each thread the
// same heads. Outside a loop, the same op splits its 32 rows
// (@outside_loop).
// PAR-LABEL:   func.func @batch_split
// PAR:           scf.for
// PAR:           %[[HEADS:.*]] = arith.constant 4 : index
// PAR:           call @batch_split_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{c0.*}}, %[[HEADS]])
// PAR:         func.func private @batch_split_kernel_0(%[[X:.*]]: memref<4x32x128xf32>, %[[MAX:.*]]: memref<4x32xf32>, %{{.*}}: memref<f32>, %[[Y:.*]]: memref<4x32x128xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// PAR:           %[[HEADS:.*]] = arith.subi %[[END]], %[[BEGIN]] : index
// PAR-DAG:       memref.subview %[[X]][%[[BEGIN]], 0, 0] [%[[HEADS]], 32, 128] [1, 1, 1]
// PAR-DAG:       memref.subview %[[MAX]][%[[BEGIN]], 0] [%[[HEADS]], 32] [1, 1]
// PAR-DAG:       memref.subview %[[Y]][%[[BEGIN]], 0, 0] [%[[HEADS]], 32, 128] [1, 1, 1]
#x3 = affine_map<(b, i, k) -> (b, i, k)>
#r3 = affine_map<(b, i, k) -> (b, i)>
#s3 = affine_map<(b, i, k) -> ()>
func.func @batch_split(%x: memref<4x32x128xf32>, %max: memref<4x32xf32>, %scale: memref<f32>, %y: memref<4x32x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c2 step %c1 {
    linalg.generic {indexing_maps = [#x3, #r3, #s3, #x3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max, %scale : memref<4x32x128xf32>, memref<4x32xf32>, memref<f32>) outs(%y : memref<4x32x128xf32>) {
    ^bb0(%in: f32, %m: f32, %s: f32, %out: f32):
      %d = arith.subf %in, %m : f32
      %r = arith.mulf %d, %s : f32
      linalg.yield %r : f32
    }
  }
  return
}

// -----

// PAR-LABEL:   func.func @outside_loop
// PAR-DAG:       %[[ZERO:.*]] = arith.constant 0 : index
// PAR-DAG:       %[[ROWS:.*]] = arith.constant 32 : index
// PAR:           call @outside_loop_kernel_0(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ZERO]], %[[ROWS]])
#x3 = affine_map<(b, i, k) -> (b, i, k)>
#r3 = affine_map<(b, i, k) -> (b, i)>
#s3 = affine_map<(b, i, k) -> ()>
func.func @outside_loop(%x: memref<4x32x128xf32>, %max: memref<4x32xf32>, %scale: memref<f32>, %y: memref<4x32x128xf32>) {
  linalg.generic {indexing_maps = [#x3, #r3, #s3, #x3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max, %scale : memref<4x32x128xf32>, memref<4x32xf32>, memref<f32>) outs(%y : memref<4x32x128xf32>) {
  ^bb0(%in: f32, %m: f32, %s: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    %r = arith.mulf %d, %s : f32
    linalg.yield %r : f32
  }
  return
}
