//===- Pipelines.cpp - tessera graph pipelines ------------------*- C++ -*-===//

#include "tessera/Dialect/Tessera/Transforms/Pipelines.h"
#include "tessera/Dialect/Tessera/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tessera;

ArrayRef<std::string> mlir::tessera::getFusionFamilies() {
  static const std::string families[] = {
      "fold-batch-norm", "recognize", "attention", "transpose",
      "elementwise",     "reduction", "epilogue"};
  return families;
}

void mlir::tessera::buildGraphOptimizationPipeline(
    OpPassManager &pm, const GraphOptimizationOptions &options) {
  auto enabled = [&](StringRef family) {
    return !llvm::is_contained(options.disabledFusions, family);
  };
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createCanonicalizerPass());
  func.addPass(createTesseraInferShapes());
  if (enabled("fold-batch-norm"))
    func.addPass(createTesseraFoldBatchNorm());
  if (enabled("recognize")) {
    TesseraRecognizeOpsOptions recognize;
    recognize.attention = enabled("attention");
    func.addPass(createTesseraRecognizeOps(recognize));
  }
  if (enabled("transpose"))
    func.addPass(createTesseraCancelTransposes());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
  // Last: grouping looks at final producers and users.
  if (enabled("elementwise")) {
    TesseraFuseOpsOptions fuse;
    fuse.fuseReductions = enabled("reduction");
    fuse.fuseEpilogues = enabled("epilogue");
    func.addPass(createTesseraFuseOps(fuse));
  }
}

void mlir::tessera::registerGraphOptimizationPipeline() {
  PassPipelineRegistration<GraphOptimizationOptions>(
      "tessera-graph-optimize",
      "The target-independent tessera graph passes (folding, shape "
      "refinement, CSE)",
      buildGraphOptimizationPipeline);
}
