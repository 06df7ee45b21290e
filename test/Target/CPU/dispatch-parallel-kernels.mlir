// RUN: tessera-opt %s -tessera-dispatch-parallel-kernels | FileCheck %s

// A parallel kernel's call packs the arguments before begin and end into a
// struct (allocated once, in the entry block) and hands a task function
// and the extent to tessera_parallel_for. The task unpacks the struct and
// calls the kernel on the range it is given. Other calls stay as they are.
// CHECK:       llvm.func @tessera_parallel_for(!llvm.ptr, !llvm.ptr, i64)
// CHECK-LABEL: llvm.func @model
// CHECK-SAME:    (%[[P:.*]]: !llvm.ptr, %[[N:.*]]: i64, %[[S:.*]]: f32)
// CHECK:         %[[ARGS:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, i64, f32)>
// CHECK:         llvm.br ^bb1
// CHECK:       ^bb1:
// CHECK:         %[[F0:.*]] = llvm.getelementptr %[[ARGS]][0, 0]
// CHECK:         llvm.store %[[P]], %[[F0]] : !llvm.ptr, !llvm.ptr
// CHECK:         %[[F1:.*]] = llvm.getelementptr %[[ARGS]][0, 1]
// CHECK:         llvm.store %[[N]], %[[F1]] : i64, !llvm.ptr
// CHECK:         %[[F2:.*]] = llvm.getelementptr %[[ARGS]][0, 2]
// CHECK:         llvm.store %[[S]], %[[F2]] : f32, !llvm.ptr
// CHECK:         %[[TASK:.*]] = llvm.mlir.addressof @kernel_task : !llvm.ptr
// CHECK:         llvm.call @tessera_parallel_for(%[[TASK]], %[[ARGS]], %[[N]])
// CHECK-NOT:     llvm.call @kernel(
// CHECK:         llvm.call @serial(%[[P]])
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func internal @kernel(
// CHECK-NOT:     tessera.parallel_kernel
// CHECK-LABEL: llvm.func internal @kernel_task
// CHECK-SAME:    (%[[T:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64)
// CHECK:         %[[G0:.*]] = llvm.getelementptr %[[T]][0, 0]
// CHECK:         %[[A0:.*]] = llvm.load %[[G0]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[G1:.*]] = llvm.getelementptr %[[T]][0, 1]
// CHECK:         %[[A1:.*]] = llvm.load %[[G1]] : !llvm.ptr -> i64
// CHECK:         %[[G2:.*]] = llvm.getelementptr %[[T]][0, 2]
// CHECK:         %[[A2:.*]] = llvm.load %[[G2]] : !llvm.ptr -> f32
// CHECK:         llvm.call @kernel(%[[A0]], %[[A1]], %[[A2]], %[[BEGIN]], %[[END]])
// CHECK:         llvm.return
llvm.func @model(%p: !llvm.ptr, %n: i64, %s: f32) {
  llvm.br ^bb1
^bb1:
  %zero = llvm.mlir.constant(0 : i64) : i64
  llvm.call @kernel(%p, %n, %s, %zero, %n) : (!llvm.ptr, i64, f32, i64, i64) -> ()
  llvm.call @serial(%p) : (!llvm.ptr) -> ()
  llvm.return
}
llvm.func internal @kernel(%p: !llvm.ptr, %n: i64, %s: f32, %begin: i64, %end: i64) attributes {tessera.parallel_kernel} {
  llvm.return
}
llvm.func internal @serial(%p: !llvm.ptr) {
  llvm.return
}
