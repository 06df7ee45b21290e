// RUN: tessera-opt %s -split-input-file -tessera-approximate-math="functions=erf,exp" | FileCheck %s

// The named f32 functions become straight-line code (no call, no branch)
// built on llvm.intr.fma; tanh is not named and stays for libm, as does
// the f64 erf.
// CHECK-LABEL: func.func @named_functions
// CHECK-NOT:     math.erf %{{.*}} : f32
// CHECK-NOT:     math.exp
// CHECK:         llvm.intr.fma
// CHECK:         arith.select
// CHECK:         math.tanh %{{.*}} : f32
// CHECK:         math.erf %{{.*}} : f64
// CHECK-NOT:     math.fma
// CHECK-NOT:     math.floor
func.func @named_functions(%x: f32, %d: f64) -> (f32, f32, f32, f64) {
  %e = math.erf %x : f32
  %x2 = math.exp %x : f32
  %t = math.tanh %x : f32
  %ed = math.erf %d : f64
  return %e, %x2, %t, %ed : f32, f32, f32, f64
}

// -----

// Vectors are approximated as well; exp's range reduction floors with the
// intrinsic, and an existing math.fma becomes the intrinsic, so that the libm lowering does not call fmaf for it.
// CHECK-LABEL: func.func @vector_and_fma
// CHECK-NOT:     math.exp
// CHECK-NOT:     math.fma
// CHECK:         llvm.intr.floor(%{{.*}}) : (vector<16xf32>) -> vector<16xf32>
// CHECK:         llvm.intr.fma(%{{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK:         llvm.intr.fma(%arg1, %arg1, %arg1) : (f32, f32, f32) -> f32
func.func @vector_and_fma(%v: vector<16xf32>, %s: f32) -> (vector<16xf32>, f32) {
  %e = math.exp %v : vector<16xf32>
  %f = math.fma %s, %s, %s : f32
  return %e, %f : vector<16xf32>, f32
}
