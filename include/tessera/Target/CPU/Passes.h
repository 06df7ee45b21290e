//===- Passes.h - CPU target passes -----------------------------*- C++ -*-===//

#ifndef TESSERA_TARGET_CPU_PASSES_H
#define TESSERA_TARGET_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

namespace mlir::tessera::cpu {

#define GEN_PASS_DECL
#include "tessera/Target/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tessera/Target/CPU/Passes.h.inc"

} // namespace mlir::tessera::cpu

#endif // TESSERA_TARGET_CPU_PASSES_H
