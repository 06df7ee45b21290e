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

def TesseraOrderContractionLoops
    : Pass<"tessera-order-contraction-loops", "func::FuncOp"> {
  let summary = "Put the output's contiguous dimension innermost in "
                "matmul and convolution loops";
  let description = [{
    A `linalg.generic` with several inputs and reduction iterators (matmul,
    batched matmul, convolution windows, einsum) lowers to loops in
    iterator order, which puts the reduction innermost: a serial chain of
    scalar adds that LLVM may not vectorize without reassociating. This
    pass interchanges the iterators so that the reductions come before the
    output's last (contiguous) dimension, which becomes the innermost loop:
    each step then updates a row of independent outputs, which LLVM
    vectorizes without changing any sum's order. A plain matrix product
    whose B operand is larger than a 256 x 256 block is first tiled into
    such blocks of N and K (K blocks in order), so that a block of B stays
    in cache while every row of A uses it.

    ```mlir
    // C[m, n] += A[m, k] * B[k, n], iterators (m, n, k)
    // becomes iterators (m, k, n)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // TESSERA_TARGET_CPU_PASSES_TD
