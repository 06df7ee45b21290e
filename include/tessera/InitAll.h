//===- InitAll.h - register tessera dialects and passes ---------*- C++ -*-===//

#ifndef TESSERA_INITALL_H
#define TESSERA_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::tessera {

/// Registers the tessera dialect and the upstream dialects tessera emits or
/// lowers through.
void registerAllDialects(DialectRegistry &registry);

/// Registers tessera's passes and pipelines with the global pass registry
/// (for tessera-opt and the driver's pass-manager options).
void registerAllPasses();

} // namespace mlir::tessera

#endif // TESSERA_INITALL_H
