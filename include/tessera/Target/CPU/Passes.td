//===- Passes.td - CPU target passes -----------------------*- tablegen -*-===//

#ifndef TESSERA_TARGET_CPU_PASSES_TD
#define TESSERA_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def TesseraCopyToLinalg : Pass<"tessera-copy-to-linalg", "func::FuncOp"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    Bufferization copies buffers with `memref.copy`. For strided views the
    upstream LLVM lowering calls `memrefCopy` from MLIR's C runner
    utilities, a library a package must not depend on. As `linalg.copy`
    the copy becomes ordinary loops that LLVM can vectorize.

    ```mlir
    memref.copy %a, %b : memref<4xf32, strided<[2]>> to memref<4xf32>
    // becomes
    linalg.copy ins(%a : memref<4xf32, strided<[2]>>) outs(%b : memref<4xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // TESSERA_TARGET_CPU_PASSES_TD
