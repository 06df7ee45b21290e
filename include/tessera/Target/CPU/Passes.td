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

def TesseraOutlineKernels : Pass<"tessera-outline-kernels", "ModuleOp"> {
  let summary = "Move each linalg op into its own kernel function whose "
                "buffer arguments are marked as not aliasing";
  let description = [{
    After buffer planning every intermediate is a view into one arena, so
    LLVM sees loads and stores through pointers derived from the same base
    and cannot prove a matmul's output row distinct from its inputs: it
    leaves such loops scalar ("unknown data dependence"). This pass moves
    every linalg op into a private `func.func` (a kernel) called in its
    place, with the op's buffers and captured scalars as arguments.

    When no buffer the op writes can overlap another of its buffers, the
    kernel gets the `tessera.noalias_args` attribute. Overlap is decided
    from where the buffers come from: views into the same function argument
    at known, disjoint byte ranges (as buffer planning makes them),
    different function arguments, allocations and globals do not overlap;
    anything else is assumed to. `tessera-kernel-noalias-args` turns the
    attribute into LLVM `noalias` arguments once the kernel is an
    `llvm.func`; LLVM's inliner then keeps the fact as alias scopes.

    ```mlir
    linalg.generic ... ins(%a, %b : ...) outs(%c : ...) { ... }
    // becomes
    func.call @tessera_model_kernel_0(%a, %b, %c) : (...) -> ()
    func.func private @tessera_model_kernel_0(...) attributes {tessera.noalias_args}
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def TesseraKernelNoAliasArgs
    : Pass<"tessera-kernel-noalias-args", "ModuleOp"> {
  let summary = "Mark the pointer arguments of no-alias kernels `noalias`";
  let description = [{
    The func-to-LLVM conversion drops argument attributes of a memref
    argument, which expands into several LLVM arguments. For every
    `llvm.func` with the `tessera.noalias_args` attribute (set by
    `tessera-outline-kernels`) this pass puts `llvm.noalias` on each
    pointer argument and removes the attribute. Only the aligned pointer of
    a memref descriptor is used for access, so marking the allocated
    pointer too claims nothing more.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // TESSERA_TARGET_CPU_PASSES_TD
