//===- Passes.h - target-independent code generation passes -----*- C++ -*-===//

#ifndef TESSERA_CODEGEN_PASSES_H
#define TESSERA_CODEGEN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::tessera {

#define GEN_PASS_DECL
#include "tessera/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tessera/Codegen/Passes.h.inc"

/// Names of the attributes the codegen passes leave for the package writer.
inline constexpr llvm::StringLiteral kWeightsAttr = "tessera.weights";
inline constexpr llvm::StringLiteral kWeightOffsetsAttr =
    "tessera.weight_offsets";
inline constexpr llvm::StringLiteral kWeightsSizeAttr = "tessera.weights_size";
/// Left by tessera-prepack-weights: one [is_b, panel, source offset, row
/// stride, rows, cols, packed offset] array per prepacked operand, the
/// package's `packed` metadata records.
inline constexpr llvm::StringLiteral kPackedWeightsAttr =
    "tessera.packed_weights";
inline constexpr llvm::StringLiteral kArenaSizeAttr = "tessera.arena_size";
/// Left by tessera-profile-kernels: one [kind, node] pair of strings per
/// kernel index, the package's `kernel` metadata records.
inline constexpr llvm::StringLiteral kKernelLabelsAttr =
    "tessera.kernel_labels";
inline constexpr int64_t kBufferAlignment = 64;

} // namespace mlir::tessera

#endif // TESSERA_CODEGEN_PASSES_H
