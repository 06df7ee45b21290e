//===- Pipelines.h - tessera graph pipelines --------------------*- C++ -*-===//

#ifndef TESSERA_DIALECT_TESSERA_TRANSFORMS_PIPELINES_H
#define TESSERA_DIALECT_TESSERA_TRANSFORMS_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::tessera {

struct GraphOptimizationOptions
    : public PassPipelineOptions<GraphOptimizationOptions> {
  /// Graph rewrites a user can switch off to debug them, by name:
  /// "fold-batch-norm", "recognize" (LayerNorm/GELU/attention), "attention"
  /// (recognize without attention), "transpose" (tessera-cancel-transposes),
  /// "elementwise" (tessera-fuse-ops: no groups at all),
  /// "reduction" (groups without reductions), "epilogue" (no conv/matmul
  /// epilogue groups).
  PassOptions::ListOption<std::string> disabledFusions{
      *this, "disable-fusion",
      llvm::cl::desc("Fusion families to skip (fold-batch-norm, recognize, "
                     "attention, transpose, elementwise, reduction, "
                     "epilogue)")};
  // Later pass families (quantization, batching, partitioning) add their
  // switches here.
};

/// The target-independent graph passes run on imported models:
/// canonicalization (folding), shape refinement and CSE.
/// The names --disable-fusion accepts.
ArrayRef<std::string> getFusionFamilies();

void buildGraphOptimizationPipeline(OpPassManager &pm,
                                    const GraphOptimizationOptions &options);

/// Registers `tessera-graph-optimize` for tessera-opt.
void registerGraphOptimizationPipeline();

} // namespace mlir::tessera

#endif // TESSERA_DIALECT_TESSERA_TRANSFORMS_PIPELINES_H
