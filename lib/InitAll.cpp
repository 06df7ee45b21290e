//===- InitAll.cpp - register tessera dialects and passes -------*- C++ -*-===//

#include "tessera/InitAll.h"

#include "tessera/Codegen/Passes.h"
#include "tessera/Codegen/Pipelines.h"
#include "tessera/Conversion/Passes.h"
#include "tessera/Target/CPU/CPUTarget.h"
#include "tessera/Target/CPU/Passes.h"
#include "tessera/Dialect/Tessera/IR/TesseraDialect.h"
#include "tessera/Dialect/Tessera/Transforms/Passes.h"
#include "tessera/Dialect/Tessera/Transforms/Pipelines.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

void mlir::tessera::registerAllDialects(DialectRegistry &registry) {
  registry.insert<TesseraDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

void mlir::tessera::registerAllPasses() {
  mlir::registerAllPasses();
  registerTesseraPasses();
  registerTesseraConversionPasses();
  registerTesseraCodegenPasses();
  registerCodegenPipelines();
  cpu::registerCPULoweringPipeline();
  cpu::registerTesseraCPUPasses();
  registerGraphOptimizationPipeline();
}
