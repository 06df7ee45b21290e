// RUN: tessera-opt %s -split-input-file -tessera-approximate-math="functions=erf,exp" | FileCheck %s
// A function the patterns do not approximate is an error, not a no-op.
// RUN: not tessera-opt %s -split-input-file -tessera-approximate-math="functions=erf,erff" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: tessera-approximate-math: no polynomial approximation of 'erff' (known: acos, asin, atan, atan2, cbrt, cos, erf, erfc, exp, expm1, log, log1p, log2, sin, tanh)

// A named f32 function becomes straight-line code (no call, no branch)
// built on llvm.intr.fma.
// CHECK-LABEL: func.func @erf_f32
// CHECK-NOT:     math.
// CHECK:         arith.select
// CHECK:         llvm.intr.fma
// CHECK-NOT:     math.
// CHECK:         return
func.func @erf_f32(%x: f32) -> f32 {
  %e = math.erf %x : f32
  return %e : f32
}

// CHECK-LABEL: func.func @exp_f32
// CHECK-NOT:     math.
// CHECK:         llvm.intr.floor
// CHECK:         llvm.intr.fma
// CHECK-NOT:     math.
// CHECK:         return
func.func @exp_f32(%x: f32) -> f32 {
  %e = math.exp %x : f32
  return %e : f32
}

// tanh is not named; f64 and f16 erf are not f32: all stay for libm.
// CHECK-LABEL: func.func @left_for_libm
// CHECK-NEXT:    math.tanh %{{.*}} : f32
// CHECK-NEXT:    math.erf %{{.*}} : f64
// CHECK-NEXT:    math.erf %{{.*}} : f16
// CHECK-NEXT:    return
func.func @left_for_libm(%x: f32, %d: f64, %h: f16) -> (f32, f64, f16) {
  %t = math.tanh %x : f32
  %ed = math.erf %d : f64
  %eh = math.erf %h : f16
  return %t, %ed, %eh : f32, f64, f16
}

// -----

// Vectors are approximated as well; exp's range reduction floors with the
// intrinsic, and an existing math.fma becomes the intrinsic, so that the
// libm lowering does not call fmaf for it.
// CHECK-LABEL: func.func @vector_and_fma
// CHECK-NOT:     math.
// CHECK:         llvm.intr.floor(%{{.*}}) : (vector<16xf32>) -> vector<16xf32>
// CHECK:         llvm.intr.fma(%{{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK:         llvm.intr.fma(%arg1, %arg1, %arg1) : (f32, f32, f32) -> f32
// CHECK-NOT:     math.
// CHECK:         return
func.func @vector_and_fma(%v: vector<16xf32>, %s: f32) -> (vector<16xf32>, f32) {
  %e = math.exp %v : vector<16xf32>
  %f = math.fma %s, %s, %s : f32
  return %e, %f : vector<16xf32>, f32
}
