//===- RecognizeOps.h - decomposed normalizations, GELU, softmax, attention -*- C++ -*-===//

#ifndef TESSERA_DIALECT_TESSERA_TRANSFORMS_RECOGNIZEOPS_H
#define TESSERA_DIALECT_TESSERA_TRANSFORMS_RECOGNIZEOPS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::tessera {

/// (d / sqrt(mean(d^2) + eps)) * scale + bias with d = x - mean(x) ->
/// tessera.layer_norm.
void populateRecognizeLayerNormPatterns(RewritePatternSet &patterns);

/// x * (erf(x / sqrt 2) + 1) * 0.5 -> tessera.gelu;
/// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) ->
/// tessera.gelu_tanh.
void populateRecognizeGeluPatterns(RewritePatternSet &patterns);

/// x / sqrt(mean(x^2) + eps) * scale -> tessera.rms_norm.
void populateRecognizeRmsNormPatterns(RewritePatternSet &patterns);

/// exp(x - max(x)) / sum(exp(x - max(x))) -> tessera.softmax.
void populateRecognizeSoftmaxPatterns(RewritePatternSet &patterns);

/// MatMul(Softmax(scale * MatMul(Q, Kt) [+ mask]), V), the scale a Mul or
/// Div by a scalar constant of Q, Kt or the scores -> tessera.attention.
void populateRecognizeAttentionPatterns(RewritePatternSet &patterns);

} // namespace mlir::tessera

#endif // TESSERA_DIALECT_TESSERA_TRANSFORMS_RECOGNIZEOPS_H
