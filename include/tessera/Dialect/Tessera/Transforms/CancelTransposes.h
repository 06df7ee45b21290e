//===- CancelTransposes.h - transposes that move no data or cancel -*- C++ -*-===//

#ifndef TESSERA_DIALECT_TESSERA_TRANSFORMS_CANCELTRANSPOSES_H
#define TESSERA_DIALECT_TESSERA_TRANSFORMS_CANCELTRANSPOSES_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::tessera {

/// The patterns of tessera-cancel-transposes: a transpose that moves only
/// size-1 dimensions becomes a reshape; transposes sink through elementwise
/// ops towards the results, where they meet and compose.
void populateCancelTransposesPatterns(RewritePatternSet &patterns);

} // namespace mlir::tessera

#endif // TESSERA_DIALECT_TESSERA_TRANSFORMS_CANCELTRANSPOSES_H
