// RUN: tessera-opt %s -split-input-file -tessera-matmul-to-microkernel=isa=avx512 -cse | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-matmul-to-microkernel | FileCheck %s --check-prefix=NONE
// RUN: not tessera-opt %s -split-input-file -tessera-matmul-to-microkernel=isa=sse 2>&1 | FileCheck %s --check-prefix=BAD

// NONE-NOT: tessera_sgemm
// BAD: unknown isa 'sse' (expected avx512, avx2 or none)

// A plain product: batch 1, sizes from the buffers, pointers from each
// buffer's aligned pointer plus offset, row strides from its metadata;
// flags 0: C is accumulated into.
// CHECK:       func.func private @tessera_sgemm_avx512(i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, i64, i64)
// CHECK-LABEL: func.func @matmul
// CHECK-SAME:    (%[[A:.*]]: memref<64x32xf32>, %[[B:.*]]: memref<32x16xf32>, %[[C:.*]]: memref<64x16xf32, strided<[20, 1], offset: ?>>)
// CHECK-NOT:     linalg.generic
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:         %[[BASE:.*]], %[[OFFSET:.*]], %[[SIZES:.*]]:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[C]]
// CHECK:         %[[ALIGNED:.*]] = memref.extract_aligned_pointer_as_index %[[C]]
// CHECK:         %[[BYTES:.*]] = arith.muli %[[OFFSET]], %{{.*}} : index
// CHECK:         %[[ADDRESS:.*]] = arith.addi %[[ALIGNED]], %[[BYTES]] : index
// CHECK:         %[[ADDRESS64:.*]] = arith.index_cast %[[ADDRESS]] : index to i64
// CHECK:         %[[PC:.*]] = llvm.inttoptr %[[ADDRESS64]] : i64 to !llvm.ptr
// CHECK:         %[[LDC:.*]] = arith.index_cast %[[STRIDES]]#0 : index to i64
// CHECK:         call @tessera_sgemm_avx512(%[[ONE]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ZERO]], %{{.*}}, %{{.*}}, %[[ZERO]], %{{.*}}, %[[PC]], %[[ZERO]], %[[LDC]], %[[ZERO]])
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x16xf32>, %c: memref<64x16xf32, strided<[20, 1], offset: ?>>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32, strided<[20, 1], offset: ?>>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A batch loop (b, m, n, k) with B shared: A's and C's batch strides come
// from their metadata, B's is 0; the batch size is C's first dimension.
// CHECK-LABEL: func.func @shared_weights
// CHECK:         %[[BATCH:.*]] = memref.dim %{{.*}}, %c0 : memref<4x8x16xf32>
// CHECK:         %[[B64:.*]] = arith.index_cast %[[BATCH]] : index to i64
// CHECK:         %[[BASE:.*]], %[[OFFSET:.*]], %[[SIZES:.*]]:3, %[[ASTRIDES:.*]]:3 = memref.extract_strided_metadata %{{.*}} : memref<4x8x32xf32>
// CHECK:         %[[LDA:.*]] = arith.index_cast %[[ASTRIDES]]#1 : index to i64
// CHECK:         %[[ABATCH:.*]] = arith.index_cast %[[ASTRIDES]]#0 : index to i64
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:         call @tessera_sgemm_avx512(%[[B64]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ABATCH]], %[[LDA]], %{{.*}}, %[[ZERO]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ZERO]])
#mA = affine_map<(b, m, n, k) -> (b, m, k)>
#mB = affine_map<(b, m, n, k) -> (k, n)>
#mC = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @shared_weights(%a: memref<4x8x32xf32>, %b: memref<32x16xf32>, %c: memref<4x8x16xf32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x8x32xf32>, memref<32x16xf32>) outs(%c : memref<4x8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not products the micro-kernel computes: B transposed (k is B's
// contiguous dimension), a non-unit column stride, f64, and a body that is
// not a multiply-accumulate.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT:     call @tessera_sgemm
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @left_alone(%a: memref<8x4xf32>, %bt: memref<16x4xf32>, %b: memref<4x16xf32>, %bs: memref<4x16xf32, strided<[32, 2]>>, %c: memref<8x16xf32>, %a64: memref<8x4xf64>, %b64: memref<4x16xf64>, %c64: memref<8x16xf64>) {
  linalg.generic {indexing_maps = [#mA, #mBt, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %bt : memref<8x4xf32>, memref<16x4xf32>) outs(%c : memref<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %bs : memref<8x4xf32>, memref<4x16xf32, strided<[32, 2]>>) outs(%c : memref<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a64, %b64 : memref<8x4xf64>, memref<4x16xf64>) outs(%c64 : memref<8x16xf64>) {
  ^bb0(%x: f64, %y: f64, %acc: f64):
    %p = arith.mulf %x, %y : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<8x4xf32>, memref<4x16xf32>) outs(%c : memref<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A product right after a zero fill of its output (how tessera-outline-
// kernels leaves a convolution's accumulator) overwrites C instead: flags
// 1 (TESSERA_SGEMM_OVERWRITE) and the fill is gone. Views and index
// arithmetic between the two do not matter; a fill of another value, of
// another buffer, or with a write in between stays.
// CHECK-LABEL: func.func @zero_filled
// CHECK-SAME:    (%[[A:.*]]: memref<64x32xf32>, %[[B:.*]]: memref<32x16xf32>, %[[C:.*]]: memref<64x16xf32>, %[[D:.*]]: memref<64x16xf32>, %[[X:.*]]: memref<4xf32>)
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[OVERWRITE:.*]] = arith.constant 1 : i64
// CHECK-NOT:     linalg.fill
// CHECK:         call @tessera_sgemm_avx512({{.*}}, %[[OVERWRITE]])
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[C]] : memref<64x16xf32>)
// CHECK:         call @tessera_sgemm_avx512({{.*}}, %[[ZERO]])
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[D]] : memref<64x16xf32>)
// CHECK:         call @tessera_sgemm_avx512({{.*}}, %[[ZERO]])
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[C]] : memref<64x16xf32>)
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[X]] : memref<4xf32>)
// CHECK:         call @tessera_sgemm_avx512({{.*}}, %[[ZERO]])
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @zero_filled(%a: memref<64x32xf32>, %b: memref<32x16xf32>, %c: memref<64x16xf32>, %d: memref<64x16xf32>, %x: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<64x16xf32>)
  %view = memref.subview %a[0, 0] [64, 32] [1, 1] : memref<64x32xf32> to memref<64x32xf32, strided<[32, 1]>>
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%view, %b : memref<64x32xf32, strided<[32, 1]>>, memref<32x16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%one : f32) outs(%c : memref<64x16xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : f32) outs(%d : memref<64x16xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : f32) outs(%c : memref<64x16xf32>)
  linalg.fill ins(%zero : f32) outs(%x : memref<4xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A product followed in place by (C + bias[m]) + residual, clamped to
// [0, 6], becomes one call of the fused micro-kernel: the bias's column
// stride is 0 (per row), the residual's row stride is its own, the bounds
// are the constants. With one addend (per column: row stride 0) and no
// clamp, the second slot is null and the bounds infinite. An op the
// epilogue cannot express (a product of terms) stays after a plain call.
// The function is a no-alias kernel, as tessera-outline-kernels makes
// them: its buffer arguments are distinct memory.
// CHECK:       func.func private @tessera_sgemm_fused_avx512(i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, f32, f32)
// CHECK-LABEL: func.func @epilogues
// CHECK-SAME:    (%[[A:.*]]: memref<64x32xf32>, %[[B:.*]]: memref<32x16xf32>, %[[C:.*]]: memref<64x16xf32>, %[[BIAS:.*]]: memref<64xf32>, %[[RES:.*]]: memref<64x20xf32, strided<[20, 1]>>, %[[COL:.*]]: memref<16xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         %[[RV:.*]] = memref.subview %[[RES]]
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : i64
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}}, %[[BSTRIDE:.*]] = memref.extract_strided_metadata %[[BIAS]]
// CHECK:         %[[PBIAS:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:         %[[BSTRIDE64:.*]] = arith.index_cast %[[BSTRIDE]] : index to i64
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}}:2, %[[RSTRIDES:.*]]:2 = memref.extract_strided_metadata %[[RV]]
// CHECK:         %[[PRES:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:         %[[LDR:.*]] = arith.index_cast %[[RSTRIDES]]#0 : index to i64
// CHECK-DAG:     %[[LOWER:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[UPPER:.*]] = arith.constant 6.000000e+00 : f32
// CHECK:         call @tessera_sgemm_fused_avx512(%[[ONE]], {{.*}}, %[[ZERO]], %[[PBIAS]], %[[ZERO]], %[[BSTRIDE64]], %[[ZERO]], %[[PRES]], %[[ZERO]], %[[LDR]], %[[ONE]], %[[LOWER]], %[[UPPER]])
// CHECK:         %[[PCOL:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:         %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK:         call @tessera_sgemm_fused_avx512(%[[ONE]], {{.*}}, %[[ZERO]], %[[PCOL]], %[[ZERO]], %[[ZERO]], %[[ONE]], %[[NULL]], %[[ZERO]], %[[ZERO]], %[[ZERO]], %[[NEGINF]], %[[INF]])
// CHECK:         call @tessera_sgemm_avx512(
// CHECK:         linalg.generic
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (m)>
#col = affine_map<(m, n) -> (n)>
func.func @epilogues(%a: memref<64x32xf32>, %b: memref<32x16xf32>, %c: memref<64x16xf32>, %bias: memref<64xf32>, %res: memref<64x20xf32, strided<[20, 1]>>, %col: memref<16xf32>) attributes {tessera.noalias_args} {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %rv = memref.subview %res[0, 0] [64, 16] [1, 1] : memref<64x20xf32, strided<[20, 1]>> to memref<64x16xf32, strided<[20, 1]>>
  linalg.generic {indexing_maps = [#id, #row, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%c, %bias, %rv : memref<64x16xf32>, memref<64xf32>, memref<64x16xf32, strided<[20, 1]>>) outs(%c : memref<64x16xf32>) {
  ^bb0(%x: f32, %y: f32, %r: f32, %out: f32):
    %s = arith.addf %y, %x : f32
    %t = arith.addf %r, %s : f32
    %u = arith.maximumf %t, %zero : f32
    %v = arith.minimumf %u, %six : f32
    linalg.yield %v : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel"]} ins(%col : memref<16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%y: f32, %out: f32):
    %s = arith.addf %out, %y : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel"]} ins(%col : memref<16xf32>) outs(%c : memref<64x16xf32>) {
  ^bb0(%y: f32, %out: f32):
    %s = arith.mulf %out, %y : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Addends that may overlap C keep the epilogue a loop nest after a plain
// call: a view of C itself, and, in a function whose arguments may alias
// (not a no-alias kernel), another argument. So does a clamp with a NaN
// (arith.maximumf with a NaN is a NaN; the kernel's max would not be).
// CHECK-LABEL: func.func @overlapping_addends
// CHECK-NOT:     tessera_sgemm_fused
// CHECK:         call @tessera_sgemm_avx512(
// CHECK:         linalg.generic
// CHECK:         call @tessera_sgemm_avx512(
// CHECK:         linalg.generic
// CHECK:         call @tessera_sgemm_avx512(
// CHECK:         linalg.generic
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#t = affine_map<(m, n) -> (n, m)>
func.func @overlapping_addends(%a: memref<16x32xf32>, %b: memref<32x16xf32>, %c: memref<16x16xf32>, %d: memref<16x16xf32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x32xf32>, memref<32x16xf32>) outs(%c : memref<16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %cv = memref.subview %c[0, 0] [16, 16] [1, 1] : memref<16x16xf32> to memref<16x16xf32, strided<[16, 1]>>
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]} ins(%cv : memref<16x16xf32, strided<[16, 1]>>) outs(%c : memref<16x16xf32>) {
  ^bb0(%y: f32, %out: f32):
    %s = arith.addf %out, %y : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x32xf32>, memref<32x16xf32>) outs(%c : memref<16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%d : memref<16x16xf32>) outs(%c : memref<16x16xf32>) {
  ^bb0(%y: f32, %out: f32):
    %s = arith.addf %out, %y : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x32xf32>, memref<32x16xf32>) outs(%c : memref<16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %nan = arith.constant 0x7FC00000 : f32
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%c : memref<16x16xf32>) {
  ^bb0(%out: f32):
    %m = arith.maximumf %out, %nan : f32
    linalg.yield %m : f32
  }
  return
}
