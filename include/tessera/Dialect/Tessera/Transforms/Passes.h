//===- Passes.h - tessera graph passes --------------------------*- C++ -*-===//

#ifndef TESSERA_DIALECT_TESSERA_TRANSFORMS_PASSES_H
#define TESSERA_DIALECT_TESSERA_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "tessera/Dialect/Tessera/IR/TesseraDialect.h"

namespace mlir::tessera {

#define GEN_PASS_DECL
#include "tessera/Dialect/Tessera/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tessera/Dialect/Tessera/Transforms/Passes.h.inc"

} // namespace mlir::tessera

#endif // TESSERA_DIALECT_TESSERA_TRANSFORMS_PASSES_H
