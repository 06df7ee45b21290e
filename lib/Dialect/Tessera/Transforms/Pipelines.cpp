//===- Pipelines.cpp - tessera graph pipelines ------------------*- C++ -*-===//

#include "tessera/Dialect/Tessera/Transforms/Pipelines.h"
#include "tessera/Dialect/Tessera/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tessera;

void mlir::tessera::buildGraphOptimizationPipeline(
    OpPassManager &pm, const GraphOptimizationOptions &) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createCanonicalizerPass());
  func.addPass(createTesseraInferShapes());
  func.addPass(createCSEPass());
}

void mlir::tessera::registerGraphOptimizationPipeline() {
  PassPipelineRegistration<GraphOptimizationOptions>(
      "tessera-graph-optimize",
      "The target-independent tessera graph passes (folding, shape "
      "refinement, CSE)",
      buildGraphOptimizationPipeline);
}
