// RUN: tessera-opt %s -tessera-kernel-noalias-args | FileCheck %s

// Every pointer argument of a marked kernel becomes noalias and the marker
// goes away; scalars and unmarked functions are left alone.
// CHECK-LABEL: llvm.func internal @marked
// CHECK-SAME:    (%{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: i64, %{{.*}}: f32)
// CHECK-NOT:     tessera.noalias_args
llvm.func internal @marked(%a: !llvm.ptr, %b: !llvm.ptr, %n: i64, %s: f32) attributes {tessera.noalias_args} {
  llvm.return
}

// CHECK-LABEL: llvm.func @unmarked
// CHECK-SAME:    (%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT:     llvm.noalias
llvm.func @unmarked(%a: !llvm.ptr, %b: !llvm.ptr) {
  llvm.return
}
