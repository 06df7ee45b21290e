//===- Pipelines.cpp - target-independent lowering pipelines --------------===//

#include "tessera/Codegen/Pipelines.h"
#include "tessera/Codegen/Passes.h"
#include "tessera/Conversion/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tessera;

void mlir::tessera::buildTesseraToLinalgPipeline(
    OpPassManager &pm, const TesseraToLinalgPipelineOptions &options) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  ConvertTesseraToLinalgOptions convert;
  convert.winogradConvolutions = options.winogradConvolutions;
  convert.directConvolutions = options.directConvolutions;
  convert.flatNarrowDepthwise = options.flatNarrowDepthwise;
  func.addPass(createConvertTesseraToLinalg(convert));
  func.addPass(createTesseraFuseLinalgGroups());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
}

void mlir::tessera::buildBufferizationPipeline(
    OpPassManager &pm, const BufferizationPipelineOptions &options) {
  TesseraOutlineWeightsOptions outline;
  outline.minBytes = options.minWeightBytes;
  pm.addPass(createTesseraOutlineWeights(outline));
  pm.addNestedPass<func::FuncOp>(createTesseraPrivatizeFills());
  pm.addNestedPass<func::FuncOp>(createTesseraElementwiseInPlace());
  pm.addNestedPass<func::FuncOp>(createTesseraSlicesThroughReshapes());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.bufferAlignment = kBufferAlignment;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
  func.addPass(createCanonicalizerPass());
  // Scratch buffers of loops (attention's per-block scores) are allocated
  // once, before the loop, where the arena planner places them.
  func.addPass(bufferization::createBufferLoopHoistingPass());
  func.addPass(createTesseraMaterializeResults());
  if (options.planBuffers)
    func.addPass(createTesseraPlanBuffers());
}

void mlir::tessera::registerCodegenPipelines() {
  PassPipelineRegistration<TesseraToLinalgPipelineOptions>(
      "tessera-lower-to-linalg",
      "Lower the tessera dialect to linalg/tensor/arith/math on tensors",
      buildTesseraToLinalgPipeline);
  PassPipelineRegistration<BufferizationPipelineOptions>(
      "tessera-bufferize",
      "Bufferize lowered tessera code with the package calling convention "
      "(weights blob, arena, owned results)",
      buildBufferizationPipeline);
}
