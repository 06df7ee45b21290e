//===- FusionGroups.h - the groups tessera-fuse-ops forms -------*- C++ -*-===//
//
// Reading the `tessera.fusion_group` attributes back: for the compiler's
// --fusion-report and --emit=dot, and for the linalg-level fusion that
// realizes the groups.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESSERA_TRANSFORMS_FUSIONGROUPS_H
#define TESSERA_DIALECT_TESSERA_TRANSFORMS_FUSIONGROUPS_H

#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace mlir::tessera {

constexpr llvm::StringLiteral kFusionGroupAttr = "tessera.fusion_group";

/// Whether `op` (a conv or matmul) heads a group of its elementwise
/// consumers. Its product is a loop nest of its own (the micro-kernel's);
/// only a trailing elementwise op of its lowering (a conv's bias add) runs
/// with the epilogue.
inline bool headsEpilogueGroup(Operation *op) {
  return isa<ConvOp, MatMulOp>(op);
}

/// The group `op` belongs to, if any.
std::optional<int64_t> getFusionGroup(Operation *op);

struct FusionGroup {
  int64_t id = 0;
  SmallVector<Operation *> ops; // in program order
  /// Bytes of the results consumed only inside the group, which the fused
  /// kernel no longer writes to memory (statically shaped ones only).
  int64_t savedBytes = 0;
  /// Whether some such result has a dynamic shape (not in savedBytes).
  bool savedBytesPartial = false;
};

/// The groups of `func` (top-level ops of its body), by id.
SmallVector<FusionGroup> collectFusionGroups(func::FuncOp func);

/// One line per group with its ops and the bytes saved, and a total.
void printFusionReport(llvm::raw_ostream &os, ModuleOp module);

/// The functions' dataflow as a Graphviz digraph: one node per op (weights
/// and other constants left out), one cluster per fusion group.
void printFusionDot(llvm::raw_ostream &os, ModuleOp module);

} // namespace mlir::tessera

#endif // TESSERA_DIALECT_TESSERA_TRANSFORMS_FUSIONGROUPS_H
