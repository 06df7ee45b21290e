// RUN: tessera-opt %s -tessera-expand-integer-divisions | FileCheck %s

// Ceil and floor divisions become plain divisions; float maximum and
// minimum stay (LLVM's vectorizer recognizes their intrinsics as
// reductions, not the compare-and-select chains arith-expand makes).
// CHECK-LABEL: func.func @expand
// CHECK-NOT:     arith.ceildivsi
// CHECK-NOT:     arith.floordivsi
// CHECK-NOT:     arith.ceildivui
// CHECK-DAG:     arith.divsi
// CHECK-DAG:     arith.divui
// CHECK-DAG:     arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK-DAG:     arith.minimumf %{{.*}}, %{{.*}} : f32
// CHECK-NOT:     arith.cmpf
func.func @expand(%a: index, %b: index, %x: f32, %y: f32) -> (index, index, index, f32, f32) {
  %0 = arith.ceildivsi %a, %b : index
  %1 = arith.floordivsi %a, %b : index
  %2 = arith.ceildivui %a, %b : index
  %3 = arith.maximumf %x, %y : f32
  %4 = arith.minimumf %x, %y : f32
  return %0, %1, %2, %3, %4 : index, index, index, f32, f32
}
