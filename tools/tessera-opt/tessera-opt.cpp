//===- tessera-opt.cpp - tessera's mlir-opt ---------------------*- C++ -*-===//
//
// Runs passes over .mlir files with the tessera dialect and all upstream
// dialects and passes registered: the entry point of the lit tests.
//
//===----------------------------------------------------------------------===//

#include "tessera/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::tessera::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::tessera::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "tessera optimizer driver\n", registry));
}
