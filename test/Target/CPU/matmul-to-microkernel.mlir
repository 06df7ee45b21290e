// RUN: tessera-opt %s -split-input-file -tessera-matmul-to-microkernel=isa=avx512 -cse | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-matmul-to-microkernel | FileCheck %s --check-prefix=NONE
// RUN: not tessera-opt %s -split-input-file -tessera-matmul-to-microkernel=isa=sse 2>&1 | FileCheck %s --check-prefix=BAD

// NONE-NOT: tessera_sgemm
// BAD: unknown isa 'sse' (expected avx512, avx2 or none)

// A plain product: batch 1, sizes from the buffers, pointers from each
// buffer's aligned pointer plus offset, row strides from its metadata.
// CHECK:       func.func private @tessera_sgemm_avx512(i64, i64, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, i64, !llvm.ptr, i64, i64)
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
// CHECK:         call @tessera_sgemm_avx512(%[[ONE]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ZERO]], %{{.*}}, %{{.*}}, %[[ZERO]], %{{.*}}, %[[PC]], %[[ZERO]], %[[LDC]])
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
// CHECK:         call @tessera_sgemm_avx512(%[[B64]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ABATCH]], %[[LDA]], %{{.*}}, %[[ZERO]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
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
