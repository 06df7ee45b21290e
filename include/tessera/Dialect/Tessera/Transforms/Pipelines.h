//===- Pipelines.h - tessera graph pipelines --------------------*- C++ -*-===//

#ifndef TESSERA_DIALECT_TESSERA_TRANSFORMS_PIPELINES_H
#define TESSERA_DIALECT_TESSERA_TRANSFORMS_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::tessera {

struct GraphOptimizationOptions
    : public PassPipelineOptions<GraphOptimizationOptions> {
  // Later pass families (quantization, batching, fusion, partitioning)
  // add their switches here.
};

/// The target-independent graph passes run on imported models:
/// canonicalization (folding), shape refinement and CSE.
void buildGraphOptimizationPipeline(OpPassManager &pm,
                                    const GraphOptimizationOptions &options);

/// Registers `tessera-graph-optimize` for tessera-opt.
void registerGraphOptimizationPipeline();

} // namespace mlir::tessera

#endif // TESSERA_DIALECT_TESSERA_TRANSFORMS_PIPELINES_H
