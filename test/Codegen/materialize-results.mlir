// RUN: tessera-opt %s -split-input-file -tessera-materialize-results | FileCheck %s

// CHECK-LABEL: func.func @argument
// CHECK-SAME:    (%[[X:.*]]: memref<4xf32>)
// CHECK:         %[[A:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK:         memref.copy %[[X]], %[[A]] : memref<4xf32> to memref<4xf32>
// CHECK:         return %[[A]] : memref<4xf32>
func.func @argument(%x: memref<4xf32>) -> memref<4xf32> {
  return %x : memref<4xf32>
}

// A fresh allocation of the function's own is returned as it is.
// CHECK-LABEL: func.func @fresh_alloc
// CHECK:         %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NOT:     memref.copy
// CHECK:         return %[[A]] : memref<4xf32>
func.func @fresh_alloc() -> memref<4xf32> {
  %0 = memref.alloc() : memref<4xf32>
  return %0 : memref<4xf32>
}

// The runtime frees each result: the second of two equal ones is a copy.
// CHECK-LABEL: func.func @same_alloc_twice
// CHECK:         %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         %[[B:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK:         memref.copy %[[A]], %[[B]]
// CHECK:         return %[[A]], %[[B]] : memref<4xf32>, memref<4xf32>
func.func @same_alloc_twice() -> (memref<4xf32>, memref<4xf32>) {
  %0 = memref.alloc() : memref<4xf32>
  return %0, %0 : memref<4xf32>, memref<4xf32>
}

// -----

// Views into an allocation are copied out whole; a copy of a strided view is
// cast back to the declared result type.
// CHECK-LABEL: func.func @views
// CHECK:         %[[BASE:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         %[[SUB:.*]] = memref.subview %[[BASE]]
// CHECK:         %[[EXP:.*]] = memref.expand_shape %[[BASE]]
// CHECK:         %[[A:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2xf32>
// CHECK:         memref.copy %[[SUB]], %[[A]] : memref<2xf32, strided<[1]>> to memref<2xf32>
// CHECK:         %[[CAST:.*]] = memref.cast %[[A]] : memref<2xf32> to memref<2xf32, strided<[1]>>
// CHECK:         %[[B:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x2xf32>
// CHECK:         memref.copy %[[EXP]], %[[B]] : memref<2x2xf32> to memref<2x2xf32>
// CHECK:         return %[[CAST]], %[[B]]
func.func @views() -> (memref<2xf32, strided<[1]>>, memref<2x2xf32>) {
  %0 = memref.alloc() : memref<4xf32>
  %1 = memref.subview %0[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>>
  %2 = memref.expand_shape %0 [[0, 1]] output_shape [2, 2] : memref<4xf32> into memref<2x2xf32>
  return %1, %2 : memref<2xf32, strided<[1]>>, memref<2x2xf32>
}

// -----

memref.global "private" constant @cst : memref<4xf32> = dense<1.0>

// CHECK-LABEL: func.func @global_constant
// CHECK:         %[[G:.*]] = memref.get_global @cst : memref<4xf32>
// CHECK:         %[[A:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK:         memref.copy %[[G]], %[[A]]
// CHECK:         return %[[A]]
func.func @global_constant() -> memref<4xf32> {
  %0 = memref.get_global @cst : memref<4xf32>
  return %0 : memref<4xf32>
}

// Dynamic sizes of the copy come from memref.dim of the returned value;
// non-memref results are untouched.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME:    (%[[X:.*]]: memref<?x4x?xf32>, %[[I:.*]]: i32)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[D0:.*]] = memref.dim %[[X]], %[[C0]] : memref<?x4x?xf32>
// CHECK-DAG:     %[[D2:.*]] = memref.dim %[[X]], %[[C2]] : memref<?x4x?xf32>
// CHECK:         %[[A:.*]] = memref.alloc(%[[D0]], %[[D2]]) {alignment = 64 : i64} : memref<?x4x?xf32>
// CHECK:         memref.copy %[[X]], %[[A]] : memref<?x4x?xf32> to memref<?x4x?xf32>
// CHECK:         return %[[A]], %[[I]] : memref<?x4x?xf32>, i32
func.func @dynamic(%x: memref<?x4x?xf32>, %i: i32) -> (memref<?x4x?xf32>, i32) {
  return %x, %i : memref<?x4x?xf32>, i32
}
