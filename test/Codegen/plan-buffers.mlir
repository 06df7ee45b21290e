// RUN: tessera-opt %s -split-input-file -verify-diagnostics -tessera-plan-buffers | FileCheck %s
// RUN: tessera-opt %s -split-input-file -verify-diagnostics -tessera-plan-buffers=arena-arg-index=0 | FileCheck %s --check-prefix=INDEX0

func.func private @use(memref<8xf32>, memref<32xf32>)

// Largest first: %b (128 bytes) gets offset 0. %a and %c (32 bytes each)
// both overlap %b but not each other, so they share offset 128. The
// returned %r stays a heap allocation; the dealloc of %a goes with it.
// CHECK-LABEL: func.func @arena
// CHECK-SAME:    (%{{.*}}: memref<?xi8>, %[[ARENA:.*]]: memref<?xi8>, %[[X:.*]]: memref<8xf32>) -> memref<8xf32>
// CHECK-SAME:    attributes {tessera.arena_size = 160 : i64}
// CHECK:         %[[OA:.*]] = arith.constant 128 : index
// CHECK:         %[[A:.*]] = memref.view %[[ARENA]][%[[OA]]][] : memref<?xi8> to memref<8xf32>
// CHECK:         linalg.copy ins(%[[X]] : memref<8xf32>) outs(%[[A]] : memref<8xf32>)
// CHECK:         %[[OB:.*]] = arith.constant 0 : index
// CHECK:         %[[B:.*]] = memref.view %[[ARENA]][%[[OB]]][] : memref<?xi8> to memref<32xf32>
// CHECK:         call @use(%[[A]], %[[B]])
// CHECK:         %[[OC:.*]] = arith.constant 128 : index
// CHECK:         %[[C:.*]] = memref.view %[[ARENA]][%[[OC]]][] : memref<?xi8> to memref<8xf32>
// CHECK:         call @use(%[[C]], %[[B]])
// CHECK:         %[[R:.*]] = memref.alloc() : memref<8xf32>
// CHECK:         linalg.copy ins(%[[C]] : memref<8xf32>) outs(%[[R]] : memref<8xf32>)
// CHECK-NOT:     memref.dealloc
// CHECK:         return %[[R]]
// INDEX0-LABEL: func.func @arena
// INDEX0-SAME:    (%[[ARENA0:.*]]: memref<?xi8>, %{{.*}}: memref<?xi8>, %{{.*}}: memref<8xf32>)
// INDEX0:         memref.view %[[ARENA0]]
func.func @arena(%w: memref<?xi8>, %x: memref<8xf32>) -> memref<8xf32> {
  %a = memref.alloc() : memref<8xf32>
  linalg.copy ins(%x : memref<8xf32>) outs(%a : memref<8xf32>)
  %b = memref.alloc() : memref<32xf32>
  func.call @use(%a, %b) : (memref<8xf32>, memref<32xf32>) -> ()
  %c = memref.alloc() : memref<8xf32>
  func.call @use(%c, %b) : (memref<8xf32>, memref<32xf32>) -> ()
  %r = memref.alloc() : memref<8xf32>
  linalg.copy ins(%c : memref<8xf32>) outs(%r : memref<8xf32>)
  memref.dealloc %a : memref<8xf32>
  return %r : memref<8xf32>
}

// Disjoint live ranges share offset 0; the arena is one buffer's size.
// The arena index is clamped to the number of arguments.
// CHECK-LABEL: func.func @disjoint
// CHECK-SAME:    (%{{.*}}: memref<4xf32>, %[[ARENA:.*]]: memref<?xi8>) -> memref<4xf32>
// CHECK-SAME:    attributes {tessera.arena_size = 16 : i64}
// CHECK:         %[[O1:.*]] = arith.constant 0 : index
// CHECK:         memref.view %[[ARENA]][%[[O1]]][] : memref<?xi8> to memref<4xf32>
// CHECK:         %[[O2:.*]] = arith.constant 0 : index
// CHECK:         memref.view %[[ARENA]][%[[O2]]][] : memref<?xi8> to memref<4xf32>
// CHECK:         memref.alloc() : memref<4xf32>
// INDEX0-LABEL: func.func @disjoint
// INDEX0-SAME:    (%{{.*}}: memref<?xi8>, %{{.*}}: memref<4xf32>)
func.func @disjoint(%x: memref<4xf32>) -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  %b = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%b : memref<4xf32>)
  %r = memref.alloc() : memref<4xf32>
  linalg.copy ins(%b : memref<4xf32>) outs(%r : memref<4xf32>)
  return %r : memref<4xf32>
}

// -----

// A dynamic allocation is freed after its last use, here a load inside a
// linalg.generic body; a static dead buffer still takes arena space.
// CHECK-LABEL: func.func @dynamic_use_in_region
// CHECK:         %[[A:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         linalg.generic
// CHECK:           memref.load %[[A]]
// CHECK:         }
// CHECK-NEXT:    memref.dealloc %[[A]] : memref<?xf32>
// CHECK-NEXT:    arith.constant 0 : index
// CHECK-NEXT:    memref.view
func.func @dynamic_use_in_region(%x: memref<?xf32>, %y: memref<4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %a = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%x : memref<?xf32>) outs(%a : memref<?xf32>)
  %r = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%r : memref<4xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %v = memref.load %a[%i] : memref<?xf32>
    linalg.yield %v : f32
  }
  %s = memref.alloc() : memref<4xf32>
  linalg.copy ins(%y : memref<4xf32>) outs(%s : memref<4xf32>)
  return %r : memref<4xf32>
}

// Uses through views (collapse_shape, then subview) keep the buffer alive.
// CHECK-LABEL: func.func @dynamic_use_through_views
// CHECK:         %[[A:.*]] = memref.alloc(%{{.*}}) : memref<?x4xf32>
// CHECK:         %[[V:.*]] = memref.collapse_shape %[[A]]
// CHECK:         %[[S:.*]] = memref.subview %[[V]]
// CHECK:         linalg.copy ins(%[[S]] : {{.*}})
// CHECK-NEXT:    memref.dealloc %[[A]] : memref<?x4xf32>
// CHECK-NEXT:    linalg.copy ins(%{{.*}} : memref<4xf32>)
func.func @dynamic_use_through_views(%x: memref<?x4xf32>, %y: memref<4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x4xf32>
  %a = memref.alloc(%n) : memref<?x4xf32>
  linalg.copy ins(%x : memref<?x4xf32>) outs(%a : memref<?x4xf32>)
  %v = memref.collapse_shape %a [[0, 1]] : memref<?x4xf32> into memref<?xf32>
  %r = memref.alloc() : memref<4xf32>
  %sv = memref.subview %v[0] [4] [1] : memref<?xf32> to memref<4xf32, strided<[1]>>
  linalg.copy ins(%sv : memref<4xf32, strided<[1]>>) outs(%r : memref<4xf32>)
  linalg.copy ins(%y : memref<4xf32>) outs(%r : memref<4xf32>)
  return %r : memref<4xf32>
}

// A buffer whose address is taken as an integer (how calls into the
// runtime pass buffers) lives until the last op computed from that
// address, here a call inside a loop, not just until the extraction.
// CHECK-LABEL: func.func @dynamic_address_use
// CHECK:         %[[A:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         memref.extract_aligned_pointer_as_index %[[A]]
// CHECK:         scf.for
// CHECK:           func.call @kernel
// CHECK:         }
// CHECK-NEXT:    memref.dealloc %[[A]] : memref<?xf32>
// CHECK-NEXT:    return
func.func private @kernel(!llvm.ptr)
func.func @dynamic_address_use(%x: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %a = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%x : memref<?xf32>) outs(%a : memref<?xf32>)
  %address = memref.extract_aligned_pointer_as_index %a : memref<?xf32> -> index
  %i = arith.index_cast %address : index to i64
  %p = llvm.inttoptr %i : i64 to !llvm.ptr
  scf.for %k = %c0 to %n step %c1 {
    %k64 = arith.index_cast %k : index to i64
    %q = llvm.getelementptr %p[%k64] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    func.call @kernel(%q) : (!llvm.ptr) -> ()
  }
  return
}

// In the arena, a buffer allocated after another's address was taken but
// before the call that uses it does not share its memory (offsets 0 and
// 64, the alignment).
// CHECK-LABEL: func.func @arena_address_use
// CHECK-SAME:    attributes {tessera.arena_size = 80 : i64}
// CHECK:         memref.view %{{.*}}[%c0][]
// CHECK:         memref.view %{{.*}}[%c64][]
func.func @arena_address_use(%x: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  %address = memref.extract_aligned_pointer_as_index %a : memref<4xf32> -> index
  %i = arith.index_cast %address : index to i64
  %p = llvm.inttoptr %i : i64 to !llvm.ptr
  %b = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%b : memref<4xf32>)
  func.call @kernel(%p) : (!llvm.ptr) -> ()
  return
}

// An existing dealloc of a dynamic buffer is kept and not duplicated.
// CHECK-LABEL: func.func @dynamic_already_freed
// CHECK-SAME:    attributes {tessera.arena_size = 0 : i64}
// CHECK:         memref.dealloc
// CHECK-NOT:     memref.dealloc
// CHECK:         return
func.func @dynamic_already_freed(%x: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %a = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%x : memref<?xf32>) outs(%a : memref<?xf32>)
  memref.dealloc %a : memref<?xf32>
  return
}

// -----

func.func @nested_alloc(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    // expected-error @below {{tessera-plan-buffers: allocation outside the entry block is not supported}}
    %a = memref.alloc() : memref<4xf32>
    linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  }
  return
}
