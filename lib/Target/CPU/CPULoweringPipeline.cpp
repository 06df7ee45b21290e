//===- CPULoweringPipeline.cpp - buffers to the LLVM dialect --------------===//

#include "tessera/Target/CPU/CPUTarget.h"
#include "tessera/Target/CPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tessera;

void cpu::buildCPULoweringPipeline(OpPassManager &pm,
                                   const CPULoweringOptions &options) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(cpu::createTesseraCopyToLinalg());
  func.addPass(cpu::createTesseraCollapseContiguousLoops());
  func.addPass(cpu::createTesseraFuseProductEpilogues());
  // An in-place op's input and output got a collapse_shape each, and a
  // product's epilogue in a loop a subview each of the product's block: as
  // one value again they are one kernel argument, which keeps it no-alias.
  func.addPass(createCSEPass());
  if (!options.approximateMath.empty()) {
    cpu::TesseraApproximateMathOptions approximate;
    approximate.functions.assign(options.approximateMath.begin(),
                                 options.approximateMath.end());
    func.addPass(cpu::createTesseraApproximateMath(approximate));
  }
  pm.addPass(cpu::createTesseraOutlineKernels(
      {/*minParallelIterations=*/options.minParallelIterations}));
  pm.addPass(cpu::createTesseraMatmulToMicrokernel(
      {/*isa=*/options.matmulMicrokernel}));
  // The entry is a sequence of kernel calls now, and each is still one.
  if (options.profileKernels)
    pm.addPass(cpu::createTesseraProfileKernels());
  OpPassManager &loops = pm.nest<func::FuncOp>();
  loops.addPass(cpu::createTesseraOrderContractionLoops());
  loops.addPass(cpu::createTesseraReassociateInnerSums());
  loops.addPass(createConvertLinalgToLoopsPass());
  loops.addPass(createLowerAffinePass());
  loops.addPass(createSCFToControlFlowPass());
  loops.addPass(cpu::createTesseraExpandIntegerDivisions());
  loops.addPass(createCanonicalizerPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // What tessera-approximate-math left (pow, sin, f64, or every function
  // with --exact-math) calls libm.
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToLLVMPass());
  // Heap allocations call the runtime's _mlir_memref_to_llvm_alloc, which
  // reuses the last run's output blocks (lib/Runtime/Context.c).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(cpu::createTesseraKernelNoAliasArgs());
  pm.addPass(cpu::createTesseraDispatchParallelKernels());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

ArrayRef<std::string> cpu::getDefaultApproximatedMath() {
  static const std::string functions[] = {"erf", "exp", "tanh"};
  return functions;
}

void cpu::registerCPULoweringPipeline() {
  PassPipelineRegistration<CPULoweringOptions>(
      "tessera-cpu-lower-to-llvm",
      "Lower bufferized tessera code to the LLVM dialect for the CPU target",
      buildCPULoweringPipeline);
}
