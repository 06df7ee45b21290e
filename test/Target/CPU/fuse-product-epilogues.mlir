// RUN: tessera-opt %s -split-input-file -tessera-fuse-product-epilogues | FileCheck %s

// A product on a 1x4x6 view, then bias + ReLU in place on a collapsed view
// of it over two loops: rewritten onto the view and its three loops.
// CHECK-LABEL: func.func @adjacent
// CHECK-SAME:    (%[[ARENA:.*]]: memref<?xi8>, %[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<1x8x6xf32>, %[[BIAS:.*]]: memref<4xf32>)
// CHECK:         %[[C:.*]] = memref.view %[[ARENA]]
// CHECK:         linalg.fill
// CHECK:         linalg.generic {{.*}} outs(%[[C]] : memref<1x4x6xf32>)
// CHECK:         linalg.generic {indexing_maps = [#[[ID:.*]], #[[BYROW:.*]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%[[C]], %[[BIAS]] : memref<1x4x6xf32>, memref<4xf32>) outs(%[[C]] : memref<1x4x6xf32>)
// CHECK:           arith.addf
// CHECK:           arith.maximumf
#a = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @adjacent(%arena: memref<?xi8>, %a: memref<4x8xf32>, %b: memref<1x8x6xf32>, %bias: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %c = memref.view %arena[%c0][] : memref<?xi8> to memref<1x4x6xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x4x6xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x8xf32>, memref<1x8x6xf32>) outs(%c : memref<1x4x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %y, %x : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  %flat = memref.collapse_shape %c [[0, 1], [2]] : memref<1x4x6xf32> into memref<4x6xf32>
  linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]} ins(%flat, %bias : memref<4x6xf32>, memref<4xf32>) outs(%flat : memref<4x6xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A banded product: iteration iv writes pixels [3 iv, 3 iv + 6) of the
// 1x4x12 output, the loop covers all 12. The epilogue (bias + residual +
// ReLU, in place on a 4x2x6 view) runs on each iteration's block right
// after its product; its operands' views are made before the loop.
// CHECK-LABEL: func.func @banded
// CHECK-SAME:    (%[[ARENA:.*]]: memref<?xi8>, %{{.*}}: memref<4x8xf32>, %{{.*}}: memref<1x8x6xf32>, %[[BIAS:.*]]: memref<4x1x1xf32>, %[[RES:.*]]: memref<4x2x6xf32>)
// CHECK:         %[[C:.*]] = memref.view %[[ARENA]]
// CHECK:         %[[FLATBIAS:.*]] = memref.collapse_shape %[[BIAS]]
// CHECK:         %[[FLATRES:.*]] = memref.collapse_shape %[[RES]]
// CHECK:         scf.for %[[IV:.*]] = %c0 to %c4 step %c2 {
// CHECK:           %[[OFF:.*]] = arith.muli %[[IV]], %c3
// CHECK:           %[[BLOCK:.*]] = memref.subview %[[C]][0, 0, %[[OFF]]] [1, 4, 6] [1, 1, 1]
// CHECK:           linalg.fill {{.*}} outs(%[[BLOCK]]
// CHECK:           linalg.generic {{.*}} outs(%[[BLOCK]]
// CHECK:           %[[TILE:.*]] = memref.subview %[[C]][0, 0, %[[OFF]]] [1, 4, 6] [1, 1, 1]
// CHECK:           %[[BIASTILE:.*]] = memref.subview %[[FLATBIAS]][0] [4] [1]
// CHECK:           %[[RESTILE:.*]] = memref.subview %[[FLATRES]][0, %[[OFF]]] [4, 6] [1, 1]
// CHECK:           linalg.generic {{.*}} ins(%[[TILE]], %[[BIASTILE]], %[[RESTILE]] : {{.*}}) outs(%{{.*}} : memref<1x4x6xf32, strided<[48, 12, 1], offset: ?>>)
// CHECK:         }
// CHECK-NOT:     linalg.generic
// CHECK:         return
#a = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @banded(%arena: memref<?xi8>, %a: memref<4x8xf32>, %cols: memref<1x8x6xf32>, %bias: memref<4x1x1xf32>, %res: memref<4x2x6xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  %c = memref.view %arena[%c0][] : memref<?xi8> to memref<1x4x12xf32>
  scf.for %iv = %c0 to %c4 step %c2 {
    %off = arith.muli %iv, %c3 : index
    %block = memref.subview %c[0, 0, %off] [1, 4, 6] [1, 1, 1] : memref<1x4x12xf32> to memref<1x4x6xf32, strided<[48, 12, 1], offset: ?>>
    linalg.fill ins(%zero : f32) outs(%block : memref<1x4x6xf32, strided<[48, 12, 1], offset: ?>>)
    linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %cols : memref<4x8xf32>, memref<1x8x6xf32>) outs(%block : memref<1x4x6xf32, strided<[48, 12, 1], offset: ?>>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %m = arith.mulf %y, %x : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
  }
  %flat = memref.collapse_shape %c [[0, 1], [2]] : memref<1x4x12xf32> into memref<4x12xf32>
  %flatbias = memref.collapse_shape %bias [[0, 1, 2]] : memref<4x1x1xf32> into memref<4xf32>
  %flatres = memref.collapse_shape %res [[0], [1, 2]] : memref<4x2x6xf32> into memref<4x12xf32>
  linalg.generic {indexing_maps = [#id2, #row, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%flat, %flatbias, %flatres : memref<4x12xf32>, memref<4xf32>, memref<4x12xf32>) outs(%flat : memref<4x12xf32>) {
  ^bb0(%x: f32, %y: f32, %r: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    %t = arith.addf %s, %r : f32
    %u = arith.maximumf %t, %zero : f32
    linalg.yield %u : f32
  }
  return
}

// -----

// Left alone: the loop covers pixels [0, 9) of 12 only; a loop that writes
// the epilogue's bias; an epilogue that reads the output transposed; one
// that writes another buffer; a write between product and epilogue.
// CHECK-LABEL: func.func @not_epilogues
// CHECK-NOT:     iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-COUNT-5: iterator_types = ["parallel", "parallel"]}
// CHECK-NOT:     iterator_types = ["parallel", "parallel", "parallel"]}
#a = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#t2 = affine_map<(d0, d1) -> (d1, d0)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @not_epilogues(%arena: memref<?xi8>, %a: memref<4x8xf32>, %cols: memref<1x8x6xf32>, %bias: memref<4xf32>, %sq: memref<1x8x4xf32>, %other: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  %zero = arith.constant 0.0 : f32
  %c = memref.view %arena[%c0][] : memref<?xi8> to memref<1x4x12xf32>
  %flat = memref.collapse_shape %c [[0, 1], [2]] : memref<1x4x12xf32> into memref<4x12xf32>
  // [0, 9) of 12: iterations 0 and 1 at offsets 0 and 3, 6 wide.
  scf.for %iv = %c0 to %c2 step %c2 {
    %off = arith.muli %iv, %c3 : index
    %block = memref.subview %c[0, 0, %off] [1, 4, 6] [1, 1, 1] : memref<1x4x12xf32> to memref<1x4x6xf32, strided<[48, 12, 1], offset: ?>>
    linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %cols : memref<4x8xf32>, memref<1x8x6xf32>) outs(%block : memref<1x4x6xf32, strided<[48, 12, 1], offset: ?>>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %m = arith.mulf %y, %x : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
  }
  linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]} ins(%flat, %bias : memref<4x12xf32>, memref<4xf32>) outs(%flat : memref<4x12xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  // The loop also writes the bias.
  scf.for %iv = %c0 to %c4 step %c2 {
    %off = arith.muli %iv, %c3 : index
    %block = memref.subview %c[0, 0, %off] [1, 4, 6] [1, 1, 1] : memref<1x4x12xf32> to memref<1x4x6xf32, strided<[48, 12, 1], offset: ?>>
    linalg.fill ins(%zero : f32) outs(%bias : memref<4xf32>)
    linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %cols : memref<4x8xf32>, memref<1x8x6xf32>) outs(%block : memref<1x4x6xf32, strided<[48, 12, 1], offset: ?>>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %m = arith.mulf %y, %x : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
  }
  linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]} ins(%flat, %bias : memref<4x12xf32>, memref<4xf32>) outs(%flat : memref<4x12xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  // A square product whose output the next op reads transposed.
  %s = memref.view %arena[%c256][] : memref<?xi8> to memref<1x4x4xf32>
  %sflat = memref.collapse_shape %s [[0, 1], [2]] : memref<1x4x4xf32> into memref<4x4xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %sq : memref<4x8xf32>, memref<1x8x4xf32>) outs(%s : memref<1x4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %y, %x : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#t2, #id2], iterator_types = ["parallel", "parallel"]} ins(%sflat : memref<4x4xf32>) outs(%sflat : memref<4x4xf32>) {
  ^bb0(%x: f32, %out: f32):
    %t = arith.addf %x, %out : f32
    linalg.yield %t : f32
  }
  // Into another buffer.
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %sq : memref<4x8xf32>, memref<1x8x4xf32>) outs(%s : memref<1x4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %y, %x : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%sflat : memref<4x4xf32>) outs(%other : memref<4x4xf32>) {
  ^bb0(%x: f32, %out: f32):
    %t = arith.maximumf %x, %zero : f32
    linalg.yield %t : f32
  }
  // A write between the two.
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %sq : memref<4x8xf32>, memref<1x8x4xf32>) outs(%s : memref<1x4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %y, %x : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  }
  linalg.fill ins(%zero : f32) outs(%other : memref<4x4xf32>)
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%sflat : memref<4x4xf32>) outs(%sflat : memref<4x4xf32>) {
  ^bb0(%x: f32, %out: f32):
    %t = arith.maximumf %x, %zero : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A product computed in place in its part of a Concat (channels [0, 4) of
// 8): its output is a strided 1x4x6 view, and the epilogue stays on the
// part's 4x2x3 loops, which unit-dim dropping cannot collapse on a strided
// view. The 2x3 loops run over the output's 6 pixels together, so the bias
// epilogue is rewritten onto the product's view; one that reads another
// buffer by those loops (a residual) is left alone.
// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[BYCHANNEL:.*]] = affine_map<(d0, d1, d2) -> (d1, 0, 0)>
// CHECK-LABEL: func.func @strided_part
// CHECK:         %[[C:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]]
// CHECK:         linalg.generic {{.*}} outs(%[[C]] : memref<1x4x6xf32, strided<[48, 6, 1]>>)
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[BYCHANNEL]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%[[C]], %{{.*}} : memref<1x4x6xf32, strided<[48, 6, 1]>>, memref<4x1x1xf32>) outs(%[[C]]
// CHECK:           arith.maximumf
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : memref<1x4x2x3xf32, strided<[48, 6, 3, 1]>>, memref<1x4x2x3xf32>)
#a = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
func.func @strided_part(%arena: memref<?xi8>, %a: memref<4x8xf32>, %b: memref<1x8x6xf32>, %bias: memref<4x1x1xf32>, %residual: memref<1x4x2x3xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %cat = memref.view %arena[%c0][] : memref<?xi8> to memref<1x8x2x3xf32>
  %part = memref.subview %cat[0, 0, 0, 0] [1, 4, 2, 3] [1, 1, 1, 1] : memref<1x8x2x3xf32> to memref<1x4x2x3xf32, strided<[48, 6, 3, 1]>>
  %c = memref.collapse_shape %part [[0], [1], [2, 3]] : memref<1x4x2x3xf32, strided<[48, 6, 3, 1]>> into memref<1x4x6xf32, strided<[48, 6, 1]>>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x4x6xf32, strided<[48, 6, 1]>>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x8xf32>, memref<1x8x6xf32>) outs(%c : memref<1x4x6xf32, strided<[48, 6, 1]>>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %y, %x : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id4, #channel, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%part, %bias : memref<1x4x2x3xf32, strided<[48, 6, 3, 1]>>, memref<4x1x1xf32>) outs(%part : memref<1x4x2x3xf32, strided<[48, 6, 3, 1]>>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x8xf32>, memref<1x8x6xf32>) outs(%c : memref<1x4x6xf32, strided<[48, 6, 1]>>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %y, %x : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%part, %residual : memref<1x4x2x3xf32, strided<[48, 6, 3, 1]>>, memref<1x4x2x3xf32>) outs(%part : memref<1x4x2x3xf32, strided<[48, 6, 3, 1]>>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}
