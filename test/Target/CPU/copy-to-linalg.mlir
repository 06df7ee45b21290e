// RUN: tessera-opt %s -split-input-file -tessera-copy-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @strided
// CHECK-SAME:    (%[[A:.*]]: memref<4xf32, strided<[2]>>, %[[B:.*]]: memref<4xf32>)
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%[[A]] : memref<4xf32, strided<[2]>>) outs(%[[B]] : memref<4xf32>)
// CHECK-NEXT:    return
func.func @strided(%a: memref<4xf32, strided<[2]>>, %b: memref<4xf32>) {
  memref.copy %a, %b : memref<4xf32, strided<[2]>> to memref<4xf32>
  return
}

// CHECK-LABEL: func.func @dynamic_and_scalar
// CHECK-SAME:    (%[[A:.*]]: memref<?x4xf32>, %[[B:.*]]: memref<?x4xf32>, %[[C:.*]]: memref<i64>, %[[D:.*]]: memref<i64>)
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%[[A]] : memref<?x4xf32>) outs(%[[B]] : memref<?x4xf32>)
// CHECK-NEXT:    linalg.copy ins(%[[C]] : memref<i64>) outs(%[[D]] : memref<i64>)
func.func @dynamic_and_scalar(%a: memref<?x4xf32>, %b: memref<?x4xf32>, %c: memref<i64>, %d: memref<i64>) {
  memref.copy %a, %b : memref<?x4xf32> to memref<?x4xf32>
  memref.copy %c, %d : memref<i64> to memref<i64>
  return
}

// A copy between two equal views of one buffer (how bufferization writes
// a slice updated in place back) is erased; views that differ in an
// operand, an attribute or the buffer are copies.
// CHECK-LABEL: func.func @self_copies
// CHECK-SAME:    (%[[A:.*]]: memref<8x16xf32>, %[[B:.*]]: memref<8x16xf32>, %[[I:.*]]: index, %[[J:.*]]: index)
// CHECK-NOT:     linalg.copy
// CHECK:         %[[S4:.*]] = memref.subview %[[A]][0, %[[I]]] [8, 4]
// CHECK:         %[[T4:.*]] = memref.subview %[[A]][0, %[[J]]] [8, 4]
// CHECK:         linalg.copy ins(%[[S4]] : {{.*}}) outs(%[[T4]] : {{.*}})
// CHECK:         %[[B4:.*]] = memref.subview %[[B]][0, %[[I]]] [8, 4]
// CHECK:         linalg.copy ins(%[[S4]] : {{.*}}) outs(%[[B4]] : {{.*}})
// CHECK:         %[[S2:.*]] = memref.subview %[[A]][0, %[[I]]] [8, 2] [1, 2]
// CHECK:         linalg.copy ins(%{{.*}} : {{.*}}) outs(%[[S2]] : {{.*}})
// CHECK-NOT:     linalg.copy
// CHECK:         return
func.func @self_copies(%a: memref<8x16xf32>, %b: memref<8x16xf32>, %i: index, %j: index) {
  memref.copy %a, %a : memref<8x16xf32> to memref<8x16xf32>
  %r0 = memref.subview %a[%i, 0] [2, 16] [1, 1] : memref<8x16xf32> to memref<2x16xf32, strided<[16, 1], offset: ?>>
  %r1 = memref.subview %a[%i, 0] [2, 16] [1, 1] : memref<8x16xf32> to memref<2x16xf32, strided<[16, 1], offset: ?>>
  %c0 = memref.collapse_shape %r0 [[0, 1]] : memref<2x16xf32, strided<[16, 1], offset: ?>> into memref<32xf32, strided<[1], offset: ?>>
  %c1 = memref.collapse_shape %r1 [[0, 1]] : memref<2x16xf32, strided<[16, 1], offset: ?>> into memref<32xf32, strided<[1], offset: ?>>
  memref.copy %c0, %c1 : memref<32xf32, strided<[1], offset: ?>> to memref<32xf32, strided<[1], offset: ?>>
  %s0 = memref.subview %a[0, %i] [8, 4] [1, 1] : memref<8x16xf32> to memref<8x4xf32, strided<[16, 1], offset: ?>>
  %t = memref.subview %a[0, %j] [8, 4] [1, 1] : memref<8x16xf32> to memref<8x4xf32, strided<[16, 1], offset: ?>>
  memref.copy %s0, %t : memref<8x4xf32, strided<[16, 1], offset: ?>> to memref<8x4xf32, strided<[16, 1], offset: ?>>
  %u = memref.subview %b[0, %i] [8, 4] [1, 1] : memref<8x16xf32> to memref<8x4xf32, strided<[16, 1], offset: ?>>
  memref.copy %s0, %u : memref<8x4xf32, strided<[16, 1], offset: ?>> to memref<8x4xf32, strided<[16, 1], offset: ?>>
  %v = memref.subview %a[0, %i] [8, 2] [1, 1] : memref<8x16xf32> to memref<8x2xf32, strided<[16, 1], offset: ?>>
  %w = memref.subview %a[0, %i] [8, 2] [1, 2] : memref<8x16xf32> to memref<8x2xf32, strided<[16, 2], offset: ?>>
  memref.copy %v, %w : memref<8x2xf32, strided<[16, 1], offset: ?>> to memref<8x2xf32, strided<[16, 2], offset: ?>>
  return
}
