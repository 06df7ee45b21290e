//===- Pipelines.h - target-independent lowering pipelines ------*- C++ -*-===//
//
// tessera dialect -> linalg on tensors -> buffers with the package calling
// convention. Every backend starts from the output of
// buildBufferizationPipeline; the CPU backend lives in Target/CPU.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CODEGEN_PIPELINES_H
#define TESSERA_CODEGEN_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::tessera {

struct TesseraToLinalgPipelineOptions
    : public PassPipelineOptions<TesseraToLinalgPipelineOptions> {
  Option<bool> winogradConvolutions{
      *this, "winograd-convolutions",
      llvm::cl::desc("Keep fp32 3x3 stride-1 convolutions whole as "
                     "linalg.conv_2d_nchw_fchw, for a target that computes "
                     "them by Winograd"),
      llvm::cl::init(false)};
  Option<bool> directConvolutions{
      *this, "direct-convolutions",
      llvm::cl::desc("Keep fp32 convolutions of at most 4 input channels "
                     "and strides of at most 2 whole as "
                     "linalg.conv_2d_nchw_fchw, for a target with a direct "
                     "kernel for them"),
      llvm::cl::init(false)};
  Option<bool> flatNarrowDepthwise{
      *this, "flat-narrow-depthwise",
      llvm::cl::desc("Lower unit-stride depthwise convolutions with output "
                     "rows narrower than 8 on the flattened padded plane; "
                     "off for a target with a depthwise micro-kernel"),
      llvm::cl::init(true)};
};

struct BufferizationPipelineOptions
    : public PassPipelineOptions<BufferizationPipelineOptions> {
  Option<int64_t> minWeightBytes{
      *this, "min-weight-bytes",
      llvm::cl::desc("Constants of at least this many bytes go to the "
                     "weights blob"),
      llvm::cl::init(256)};
  Option<bool> planBuffers{
      *this, "plan-buffers",
      llvm::cl::desc("End with tessera-plan-buffers (off: the caller runs "
                     "target passes on the buffers first, then plans)"),
      llvm::cl::init(true)};
};

/// tessera ops -> linalg/tensor/arith/math on tensors, then cleanup.
void buildTesseraToLinalgPipeline(
    OpPassManager &pm, const TesseraToLinalgPipelineOptions &options);

/// linalg on tensors -> memrefs: weights outlined into the blob argument,
/// one-shot bufferization, owned results, arena-planned intermediates.
void buildBufferizationPipeline(OpPassManager &pm,
                                const BufferizationPipelineOptions &options);

void registerCodegenPipelines();

} // namespace mlir::tessera

#endif // TESSERA_CODEGEN_PIPELINES_H
