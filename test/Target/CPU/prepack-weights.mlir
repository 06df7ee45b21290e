// RUN: tessera-opt %s -split-input-file -tessera-prepack-weights=isa=avx512 | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-prepack-weights=isa=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: tessera-opt %s -split-input-file -tessera-prepack-weights | FileCheck %s --check-prefix=NONE
// RUN: not tessera-opt %s -split-input-file -tessera-prepack-weights=isa=sse 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown isa 'sse' (expected avx512, avx2 or none)
// NONE-NOT: tessera.packed_weights

// A 9x2 weight as A: two panels of 8 rows, each holding k = 0 then k = 1,
// zero past row 9, appended at the next 64-byte offset (128) and recorded
// as [is_b, panel, source, ld, rows, cols, packed]. The product is not
// changed. avx2 packs panels of 6 rows.
// CHECK:      module attributes {
// CHECK-SAME:   tessera.packed_weights = [array<i64: 0, 8, 0, 2, 9, 2, 128>]
// CHECK-SAME:   tessera.weight_offsets = array<i64: 0, 128>
// CHECK-SAME:   tessera.weights = [dense<{{.*}}> : tensor<9x2xf32>, dense<[0.000000e+00, 2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00, 1.000000e+01, 1.200000e+01, 1.400000e+01, 1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00, 9.000000e+00, 1.100000e+01, 1.300000e+01, 1.500000e+01, 1.600000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.700000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<32xf32>]
// CHECK-SAME:   tessera.weights_size = 256 : i64
// CHECK:      linalg.generic
// AVX2:       tessera.packed_weights = [array<i64: 0, 6, 0, 2, 9, 2, 128>]
// AVX2-SAME:  tessera.weights = [dense<{{.*}}> : tensor<9x2xf32>, dense<[0.000000e+00, 2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00, 1.000000e+01, 1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00, 9.000000e+00, 1.100000e+01, 1.200000e+01, 1.400000e+01, 1.600000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.300000e+01, 1.500000e+01, 1.700000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<24xf32>]
// AVX2-SAME:  tessera.weights_size = 256 : i64
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
module attributes {tessera.weights = [dense<[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0], [8.0, 9.0], [10.0, 11.0], [12.0, 13.0], [14.0, 15.0], [16.0, 17.0]]> : tensor<9x2xf32>], tessera.weight_offsets = array<i64: 0>, tessera.weights_size = 128 : i64} {
  func.func @main(%blob: memref<?xi8>, %b: memref<2x5xf32>, %c: memref<9x5xf32>) {
    %c0 = arith.constant 0 : index
    %a = memref.view %blob[%c0][] : memref<?xi8> to memref<9x2xf32>
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<9x2xf32>, memref<2x5xf32>) outs(%c : memref<9x5xf32>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// A weight seen through a reshape, used by two products as A, is packed
// once; whole panels (8 rows) and nothing else reading it: the copy takes
// its place (packed offset = source offset). B weights are packed (panels
// of 32 columns, here 33 -> 2, so appended) only for products of at least
// 128 rows, or a dynamic number; batched products merge their batch into
// the rows. Not packed: a product of fewer rows than a register block, a
// function argument, and a view of the weight that is not the whole weight.
// CHECK:      module attributes {
// CHECK-SAME:   tessera.packed_weights = [array<i64: 0, 8, 0, 2, 8, 2, 0>, array<i64: 1, 32, 64, 33, 2, 33, 2368>, array<i64: 1, 32, 1024, 33, 2, 33, 2880>]
// CHECK-SAME:   tessera.weight_offsets = array<i64: 0, 64, 1024, 2048, 2368, 2880>
// CHECK-SAME:   tessera.weights = [dense<1.000000e+00> : tensor<16xf32>, dense<2.000000e+00> : tensor<2x33xf32>, dense<3.000000e+00> : tensor<2x33xf32>, dense<4.000000e+00> : tensor<2x33xf32>, dense_resource<{{.*}}> : tensor<128xf32>, dense_resource<{{.*}}> : tensor<128xf32>]
// CHECK-SAME:   tessera.weights_size = 3392 : i64
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
#bA = affine_map<(b, m, n, k) -> (b, m, k)>
#bB = affine_map<(b, m, n, k) -> (k, n)>
#bC = affine_map<(b, m, n, k) -> (b, m, n)>
module attributes {tessera.weights = [dense<1.0> : tensor<8x2xf32>, dense<2.0> : tensor<2x33xf32>, dense<3.0> : tensor<2x33xf32>, dense<4.0> : tensor<2x33xf32>], tessera.weight_offsets = array<i64: 0, 64, 1024, 2048>, tessera.weights_size = 2368 : i64} {
  func.func @main(%blob: memref<?xi8>, %x: memref<128x2xf32>, %y: memref<4x32x2xf32>, %z: memref<?x2xf32>, %small: memref<2x2xf32>, %c1: memref<8x5xf32>, %c2: memref<128x33xf32>, %c3: memref<4x32x33xf32>, %c4: memref<?x33xf32>, %c5: memref<2x33xf32>, %b: memref<2x5xf32>) {
    %c0 = arith.constant 0 : index
    %c64 = arith.constant 64 : index
    %c1024 = arith.constant 1024 : index
    %c2048 = arith.constant 2048 : index
    %flat = memref.view %blob[%c0][] : memref<?xi8> to memref<16xf32>
    %a = memref.expand_shape %flat [[0, 1]] output_shape [8, 2] : memref<16xf32> into memref<8x2xf32>
    %a2 = memref.view %blob[%c0][] : memref<?xi8> to memref<8x2xf32>
    %w = memref.view %blob[%c64][] : memref<?xi8> to memref<2x33xf32>
    %w2 = memref.view %blob[%c1024][] : memref<?xi8> to memref<2x33xf32>
    %w3 = memref.view %blob[%c2048][] : memref<?xi8> to memref<2x33xf32>
    %part = memref.subview %w3[0, 0] [2, 16] [1, 1] : memref<2x33xf32> to memref<2x16xf32, strided<[33, 1]>>
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<8x2xf32>, memref<2x5xf32>) outs(%c1 : memref<8x5xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a2, %b : memref<8x2xf32>, memref<2x5xf32>) outs(%c1 : memref<8x5xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<128x2xf32>, memref<2x33xf32>) outs(%c2 : memref<128x33xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#bA, #bB, #bC], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%y, %w : memref<4x32x2xf32>, memref<2x33xf32>) outs(%c3 : memref<4x32x33xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%z, %w2 : memref<?x2xf32>, memref<2x33xf32>) outs(%c4 : memref<?x33xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%small, %w3 : memref<2x2xf32>, memref<2x33xf32>) outs(%c5 : memref<2x33xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// A 2x32 B weight (one whole panel) read only by a product of 128 rows is
// replaced by its copy. A weight that a copy also reads keeps its original
// (the copy is appended); one read as A by one product and as B by another
// is not packed.
// CHECK:      module attributes {
// CHECK-SAME:   tessera.packed_weights = [array<i64: 1, 32, 0, 32, 2, 32, 0>, array<i64: 0, 8, 256, 2, 8, 2, 512>]
// CHECK-SAME:   tessera.weight_offsets = array<i64: 0, 256, 384, 512>
// CHECK-SAME:   tessera.weights_size = 576 : i64
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
module attributes {tessera.weights = [dense<1.0> : tensor<2x32xf32>, dense<2.0> : tensor<8x2xf32>, dense<3.0> : tensor<8x8xf32>], tessera.weight_offsets = array<i64: 0, 256, 384>, tessera.weights_size = 512 : i64} {
  func.func @main(%blob: memref<?xi8>, %x: memref<128x2xf32>, %b: memref<2x5xf32>, %y: memref<8x8xf32>, %c1: memref<128x32xf32>, %c2: memref<8x5xf32>, %c3: memref<8x8xf32>, %copy: memref<8x2xf32>, %x2: memref<128x8xf32>, %c4: memref<128x8xf32>) {
    %c0 = arith.constant 0 : index
    %c256 = arith.constant 256 : index
    %c384 = arith.constant 384 : index
    %w = memref.view %blob[%c0][] : memref<?xi8> to memref<2x32xf32>
    %a = memref.view %blob[%c256][] : memref<?xi8> to memref<8x2xf32>
    %both = memref.view %blob[%c384][] : memref<?xi8> to memref<8x8xf32>
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<128x2xf32>, memref<2x32xf32>) outs(%c1 : memref<128x32xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<8x2xf32>, memref<2x5xf32>) outs(%c2 : memref<8x5xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    memref.copy %a, %copy : memref<8x2xf32> to memref<8x2xf32>
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%both, %y : memref<8x8xf32>, memref<8x8xf32>) outs(%c3 : memref<8x8xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x2, %both : memref<128x8xf32>, memref<8x8xf32>) outs(%c4 : memref<128x8xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// B weights of products of fewer rows than a register block (here 1 row, a
// GEMV) are packed only in place: a 2x32 weight that only such a product
// reads is replaced by its copy (packed offset = source offset); a 2x33
// one (2 panels, bigger) and a 2x32 one that a copy also reads are not
// packed. A 2x32 weight that a 128-row product also reads as B is packed
// beside itself, for that product's sake.
// CHECK:      module attributes {
// CHECK-SAME:   tessera.packed_weights = [array<i64: 1, 32, 0, 32, 2, 32, 0>, array<i64: 1, 32, 1024, 32, 2, 32, 1280>]
// CHECK-SAME:   tessera.weight_offsets = array<i64: 0, 256, 768, 1024, 1280>
// CHECK-SAME:   tessera.weights_size = 1536 : i64
// AVX2:       tessera.packed_weights = [array<i64: 1, 16, 0, 32, 2, 32, 0>, array<i64: 1, 16, 1024, 32, 2, 32, 1280>]
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
module attributes {tessera.weights = [dense<1.0> : tensor<2x32xf32>, dense<2.0> : tensor<2x33xf32>, dense<3.0> : tensor<2x32xf32>, dense<4.0> : tensor<2x32xf32>], tessera.weight_offsets = array<i64: 0, 256, 768, 1024>, tessera.weights_size = 1280 : i64} {
  func.func @main(%blob: memref<?xi8>, %v: memref<1x2xf32>, %x: memref<128x2xf32>, %c1: memref<1x32xf32>, %c2: memref<1x33xf32>, %c3: memref<1x32xf32>, %c4: memref<1x32xf32>, %c5: memref<128x32xf32>, %copy: memref<2x32xf32>) {
    %c0 = arith.constant 0 : index
    %c256 = arith.constant 256 : index
    %c768 = arith.constant 768 : index
    %c1024 = arith.constant 1024 : index
    %w = memref.view %blob[%c0][] : memref<?xi8> to memref<2x32xf32>
    %wide = memref.view %blob[%c256][] : memref<?xi8> to memref<2x33xf32>
    %copied = memref.view %blob[%c768][] : memref<?xi8> to memref<2x32xf32>
    %shared = memref.view %blob[%c1024][] : memref<?xi8> to memref<2x32xf32>
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%v, %w : memref<1x2xf32>, memref<2x32xf32>) outs(%c1 : memref<1x32xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%v, %wide : memref<1x2xf32>, memref<2x33xf32>) outs(%c2 : memref<1x33xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%v, %copied : memref<1x2xf32>, memref<2x32xf32>) outs(%c3 : memref<1x32xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    memref.copy %copied, %copy : memref<2x32xf32> to memref<2x32xf32>
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%v, %shared : memref<1x2xf32>, memref<2x32xf32>) outs(%c4 : memref<1x32xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %shared : memref<128x2xf32>, memref<2x32xf32>) outs(%c5 : memref<128x32xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    memref.copy %shared, %copy : memref<2x32xf32> to memref<2x32xf32>
    return
  }
}
