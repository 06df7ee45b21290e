// RUN: tessera-opt %s -split-input-file -tessera-max-pool-to-microkernel=isa=avx512 -cse | FileCheck %s
// RUN: tessera-opt %s -split-input-file -tessera-max-pool-to-microkernel | FileCheck %s --check-prefix=NONE
// RUN: not tessera-opt %s -split-input-file -tessera-max-pool-to-microkernel=isa=sse 2>&1 | FileCheck %s --check-prefix=BAD

// NONE-NOT: tessera_max_pool2d
// BAD: unknown isa 'sse' (expected avx512, avx2 or none)

// A separable 3x3 stride-2 max pool, as the lowering leaves it: a column
// pass (3 x 1 taps, row stride 2) into a buffer of its own, then a row
// pass (1 x 3 taps, column stride 2) over it. Both become one call with
// the 3x3 window of the column pass's input, and the buffer goes away.
// Arguments: batch, channels, input (pointer, batch, channel and row
// strides, height, width), kernel height and width, output (pointer,
// strides, height, width), strides, pads, pad value, lower, upper.
// CHECK:       func.func private @tessera_max_pool2d_avx512(i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32, f32, f32)
// CHECK-LABEL: func.func @separable
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     linalg.generic
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[TWO:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[THREE:.*]] = arith.constant 3 : i64
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK:         call @tessera_max_pool2d_avx512(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[THREE]], %[[THREE]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[TWO]], %[[TWO]], %[[ZERO]], %[[ZERO]], %[[NEGINF]], %[[NEGINF]], %[[INF]])
// CHECK-NEXT:    return
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @separable(%in: memref<1x2x9x9xf32>, %out: memref<1x2x4x4xf32>) {
  %columns = memref.alloc() : memref<1x2x4x9xf32>
  %r0 = memref.subview %in[0, 0, 0, 0] [1, 2, 4, 9] [1, 1, 2, 1] : memref<1x2x9x9xf32> to memref<1x2x4x9xf32, strided<[162, 81, 18, 1]>>
  %r1 = memref.subview %in[0, 0, 1, 0] [1, 2, 4, 9] [1, 1, 2, 1] : memref<1x2x9x9xf32> to memref<1x2x4x9xf32, strided<[162, 81, 18, 1], offset: 9>>
  %r2 = memref.subview %in[0, 0, 2, 0] [1, 2, 4, 9] [1, 1, 2, 1] : memref<1x2x9x9xf32> to memref<1x2x4x9xf32, strided<[162, 81, 18, 1], offset: 18>>
  linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r0, %r1, %r2 : memref<1x2x4x9xf32, strided<[162, 81, 18, 1]>>, memref<1x2x4x9xf32, strided<[162, 81, 18, 1], offset: 9>>, memref<1x2x4x9xf32, strided<[162, 81, 18, 1], offset: 18>>)
      outs(%columns : memref<1x2x4x9xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m0 = arith.maximumf %a, %b : f32
    %m1 = arith.maximumf %m0, %c : f32
    linalg.yield %m1 : f32
  }
  %c0 = memref.subview %columns[0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 2] : memref<1x2x4x9xf32> to memref<1x2x4x4xf32, strided<[72, 36, 9, 2]>>
  %c1 = memref.subview %columns[0, 0, 0, 1] [1, 2, 4, 4] [1, 1, 1, 2] : memref<1x2x4x9xf32> to memref<1x2x4x4xf32, strided<[72, 36, 9, 2], offset: 1>>
  %c2 = memref.subview %columns[0, 0, 0, 2] [1, 2, 4, 4] [1, 1, 1, 2] : memref<1x2x4x9xf32> to memref<1x2x4x4xf32, strided<[72, 36, 9, 2], offset: 2>>
  linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c0, %c1, %c2 : memref<1x2x4x4xf32, strided<[72, 36, 9, 2]>>, memref<1x2x4x4xf32, strided<[72, 36, 9, 2], offset: 1>>, memref<1x2x4x4xf32, strided<[72, 36, 9, 2], offset: 2>>)
      outs(%out : memref<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m0 = arith.maximumf %a, %b : f32
    %m1 = arith.maximumf %m0, %c : f32
    linalg.yield %m1 : f32
  }
  memref.dealloc %columns : memref<1x2x4x9xf32>
  return
}

// -----

// A 2x2 stride-1 window of a padded input (pad 1 on top and left, -inf),
// then a ReLU: the call reads the unpadded input and gets the pads, the
// pad value and the clamp.
// CHECK-LABEL: func.func @padded_relu
// CHECK-SAME:    (%[[IN:.*]]: memref<1x2x5x5xf32>, %[[OUT:.*]]: memref<1x2x5x5xf32>)
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     linalg.map
// CHECK-NOT:     memref.copy
// CHECK-NOT:     linalg.generic
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[TWO:.*]] = arith.constant 2 : i64
// CHECK-DAG:     %[[FZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK:         call @tessera_max_pool2d_avx512(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[TWO]], %[[TWO]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ONE]], %[[ONE]], %[[ONE]], %[[ONE]], %[[NEGINF]], %[[FZERO]], %[[INF]])
// CHECK-NEXT:    return
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @padded_relu(%in: memref<1x2x5x5xf32>, %out: memref<1x2x5x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %lowest = arith.constant 0xFF800000 : f32
  %padded = memref.alloc() : memref<1x2x6x6xf32>
  linalg.fill ins(%lowest : f32) outs(%padded : memref<1x2x6x6xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 2, 5, 5] [1, 1, 1, 1] : memref<1x2x6x6xf32> to memref<1x2x5x5xf32, strided<[72, 36, 6, 1], offset: 7>>
  memref.copy %in, %interior : memref<1x2x5x5xf32> to memref<1x2x5x5xf32, strided<[72, 36, 6, 1], offset: 7>>
  %t00 = memref.subview %padded[0, 0, 0, 0] [1, 2, 5, 5] [1, 1, 1, 1] : memref<1x2x6x6xf32> to memref<1x2x5x5xf32, strided<[72, 36, 6, 1]>>
  %t01 = memref.subview %padded[0, 0, 0, 1] [1, 2, 5, 5] [1, 1, 1, 1] : memref<1x2x6x6xf32> to memref<1x2x5x5xf32, strided<[72, 36, 6, 1], offset: 1>>
  %t10 = memref.subview %padded[0, 0, 1, 0] [1, 2, 5, 5] [1, 1, 1, 1] : memref<1x2x6x6xf32> to memref<1x2x5x5xf32, strided<[72, 36, 6, 1], offset: 6>>
  linalg.generic {indexing_maps = [#id, #id, #id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t00, %t01, %t10, %interior : memref<1x2x5x5xf32, strided<[72, 36, 6, 1]>>, memref<1x2x5x5xf32, strided<[72, 36, 6, 1], offset: 1>>, memref<1x2x5x5xf32, strided<[72, 36, 6, 1], offset: 6>>, memref<1x2x5x5xf32, strided<[72, 36, 6, 1], offset: 7>>)
      outs(%out : memref<1x2x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %d: f32, %o: f32):
    %m0 = arith.maximumf %a, %b : f32
    %m1 = arith.maximumf %m0, %c : f32
    %m2 = arith.maximumf %m1, %d : f32
    %r = arith.maximumf %m2, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A column pass alone (a 3 x 1 window) is left to the generated code, and
// so is a window with a tap missing.
// CHECK-LABEL: func.func @not_pools
// CHECK-NOT:     call
// CHECK-COUNT-2: linalg.generic
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @not_pools(%in: memref<1x2x9x9xf32>, %out: memref<1x2x7x9xf32>, %out2: memref<1x2x8x8xf32>) {
  %r0 = memref.subview %in[0, 0, 0, 0] [1, 2, 7, 9] [1, 1, 1, 1] : memref<1x2x9x9xf32> to memref<1x2x7x9xf32, strided<[162, 81, 9, 1]>>
  %r1 = memref.subview %in[0, 0, 1, 0] [1, 2, 7, 9] [1, 1, 1, 1] : memref<1x2x9x9xf32> to memref<1x2x7x9xf32, strided<[162, 81, 9, 1], offset: 9>>
  %r2 = memref.subview %in[0, 0, 2, 0] [1, 2, 7, 9] [1, 1, 1, 1] : memref<1x2x9x9xf32> to memref<1x2x7x9xf32, strided<[162, 81, 9, 1], offset: 18>>
  linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r0, %r1, %r2 : memref<1x2x7x9xf32, strided<[162, 81, 9, 1]>>, memref<1x2x7x9xf32, strided<[162, 81, 9, 1], offset: 9>>, memref<1x2x7x9xf32, strided<[162, 81, 9, 1], offset: 18>>)
      outs(%out : memref<1x2x7x9xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m0 = arith.maximumf %a, %b : f32
    %m1 = arith.maximumf %m0, %c : f32
    linalg.yield %m1 : f32
  }
  %t00 = memref.subview %in[0, 0, 0, 0] [1, 2, 8, 8] [1, 1, 1, 1] : memref<1x2x9x9xf32> to memref<1x2x8x8xf32, strided<[162, 81, 9, 1]>>
  %t11 = memref.subview %in[0, 0, 1, 1] [1, 2, 8, 8] [1, 1, 1, 1] : memref<1x2x9x9xf32> to memref<1x2x8x8xf32, strided<[162, 81, 9, 1], offset: 10>>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t00, %t11 : memref<1x2x8x8xf32, strided<[162, 81, 9, 1]>>, memref<1x2x8x8xf32, strided<[162, 81, 9, 1], offset: 10>>)
      outs(%out2 : memref<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m0 = arith.maximumf %a, %b : f32
    linalg.yield %m0 : f32
  }
  return
}
