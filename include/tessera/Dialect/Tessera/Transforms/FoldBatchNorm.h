//===- FoldBatchNorm.h - per-channel affine maps into convolutions -*- C++ -*-===//

#ifndef TESSERA_DIALECT_TESSERA_TRANSFORMS_FOLDBATCHNORM_H
#define TESSERA_DIALECT_TESSERA_TRANSFORMS_FOLDBATCHNORM_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::tessera {

/// BatchNormalization, and Mul/Add/Sub by per-channel constants, of a
/// convolution with constant weights folded into the weights and bias (the
/// patterns of tessera-fold-batch-norm).
void populateFoldBatchNormPatterns(RewritePatternSet &patterns);

} // namespace mlir::tessera

#endif // TESSERA_DIALECT_TESSERA_TRANSFORMS_FOLDBATCHNORM_H
