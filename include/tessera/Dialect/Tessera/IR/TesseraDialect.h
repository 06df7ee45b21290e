//===- TesseraDialect.h - tessera dialect -----------------------*- C++ -*-===//

#ifndef TESSERA_DIALECT_TESSERA_IR_TESSERADIALECT_H
#define TESSERA_DIALECT_TESSERA_IR_TESSERADIALECT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "tessera/Dialect/Tessera/IR/TesseraOpsDialect.h.inc"

#endif // TESSERA_DIALECT_TESSERA_IR_TESSERADIALECT_H
