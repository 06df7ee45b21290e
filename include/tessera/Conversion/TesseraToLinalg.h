//===- TesseraToLinalg.h - tessera to linalg patterns -----------*- C++ -*-===//

#ifndef TESSERA_CONVERSION_TESSERATOLINALG_H
#define TESSERA_CONVERSION_TESSERATOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::tessera {

/// Elementwise, comparison, select and cast ops.
void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns);
/// matmul, conv, conv_transpose, pooling, normalizations, softmax.
void populateNeuralNetToLinalgPatterns(RewritePatternSet &patterns);
/// attention, a block of query rows at a time (emits tessera ops on slices
/// that the other patterns lower).
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns);
/// reduce_* ops.
void populateReductionToLinalgPatterns(RewritePatternSet &patterns);
/// reshape, transpose, concat, split, slice, gather, expand, pad, shape and
/// constant.
void populateDataMovementToLinalgPatterns(RewritePatternSet &patterns);

/// resize and grid_sample.
void populateSamplingToLinalgPatterns(RewritePatternSet &patterns);
/// gather_nd, scatter_elements, scatter_nd.
void populateIndexingToLinalgPatterns(RewritePatternSet &patterns);
/// non_zero and range, whose result sizes depend on values.
void populateDataDependentToLinalgPatterns(RewritePatternSet &patterns);

/// All of the above.
void populateTesseraToLinalgPatterns(RewritePatternSet &patterns);

} // namespace mlir::tessera

#endif // TESSERA_CONVERSION_TESSERATOLINALG_H
