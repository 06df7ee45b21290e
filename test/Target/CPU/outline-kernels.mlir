// RUN: tessera-opt %s -split-input-file -tessera-outline-kernels | FileCheck %s

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
