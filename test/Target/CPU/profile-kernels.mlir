// RUN: tessera-opt %s -tessera-profile-kernels | FileCheck %s
// A second run finds the labels and adds nothing.
// RUN: tessera-opt %s -tessera-profile-kernels -tessera-profile-kernels \
// RUN:   | FileCheck %s

// Each op directly in the public function's body that calls kernels is a
// kernel: a call, or a loop around calls (a convolution in bands of rows).
// The hook follows it with the kernel's index, and the module's labels give
// its kind (the runtime function; the first one an outlined kernel calls;
// or loops) and its node (the name locations; a fused one's names joined),
// for a loop the distinct ones of its calls joined with '+'. Loops without
// calls and calls in private functions are not kernels.
// CHECK:       module attributes {tessera.kernel_labels =
// CHECK-SAME:    {{\[\[}}"sgemm_fused", "/fc/MatMul"],
// CHECK-SAME:     ["conv3x3_winograd_4x4", "/b/Conv+/b/Relu"],
// CHECK-SAME:     ["loops+sgemm_fused", "/band/Conv+/band/Add"],
// CHECK-SAME:     ["loops", ""]]}
// CHECK:       func.func private @tessera_profile_kernel_done(i32)
// CHECK-LABEL: func.func private @tessera_model_kernel_0
// CHECK-NEXT:    call @tessera_sgemm_fused_avx512
// CHECK-NEXT:    return
// CHECK-LABEL: func.func @tessera_model
// CHECK:         call @tessera_model_kernel_0(%{{.*}})
// CHECK-NEXT:    %[[K0:.*]] = arith.constant 0 : i32
// CHECK-NEXT:    call @tessera_profile_kernel_done(%[[K0]]) : (i32) -> ()
// CHECK-NEXT:    call @tessera_conv3x3_winograd_4x4_avx512(%{{.*}})
// CHECK-NEXT:    %[[K1:.*]] = arith.constant 1 : i32
// CHECK-NEXT:    call @tessera_profile_kernel_done(%[[K1]]) : (i32) -> ()
// CHECK-NEXT:    scf.for
// CHECK-NEXT:      call @tessera_model_kernel_1(%{{.*}})
// CHECK-NEXT:      call @tessera_model_kernel_0(%{{.*}})
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[K2:.*]] = arith.constant 2 : i32
// CHECK-NEXT:    call @tessera_profile_kernel_done(%[[K2]]) : (i32) -> ()
// CHECK-NEXT:    scf.for
// CHECK-NEXT:      memref.store
// CHECK-NEXT:    }
// CHECK-NEXT:    call @tessera_model_kernel_1(%{{.*}})
// CHECK-NEXT:    %[[K3:.*]] = arith.constant 3 : i32
// CHECK-NEXT:    call @tessera_profile_kernel_done(%[[K3]]) : (i32) -> ()
// CHECK-NEXT:    return
// CHECK-NOT:   tessera_profile_kernel_done
module {
  func.func private @tessera_sgemm_fused_avx512(i64)
  func.func private @tessera_conv3x3_winograd_4x4_avx512(i64)
  func.func private @tessera_model_kernel_0(%n: i64) {
    call @tessera_sgemm_fused_avx512(%n) : (i64) -> ()
    return
  }
  func.func private @tessera_model_kernel_1(%buffer: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    %one = arith.constant 1.0 : f32
    memref.store %one, %buffer[%c0] : memref<4xf32>
    return
  }
  func.func @tessera_model(%n: i64, %buffer: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    %c2 = arith.constant 2 : index
    %c1 = arith.constant 1 : index
    %one = arith.constant 1.0 : f32
    call @tessera_model_kernel_0(%n) : (i64) -> () loc("/fc/MatMul")
    call @tessera_conv3x3_winograd_4x4_avx512(%n) : (i64) -> ()
        loc(fused["/b/Conv", "/b/Relu", "/b/Conv"])
    scf.for %i = %c0 to %c2 step %c1 {
      func.call @tessera_model_kernel_1(%buffer) : (memref<4xf32>) -> ()
          loc("/band/Conv")
      func.call @tessera_model_kernel_0(%n) : (i64) -> ()
          loc(fused["/band/Conv", "/band/Add"])
    }
    scf.for %i = %c0 to %c2 step %c1 {
      memref.store %one, %buffer[%i] : memref<4xf32>
    }
    call @tessera_model_kernel_1(%buffer) : (memref<4xf32>) -> ()
    return
  }
}
