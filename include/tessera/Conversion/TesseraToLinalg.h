//===- TesseraToLinalg.h - tessera to linalg patterns -----------*- C++ -*-===//

#ifndef TESSERA_CONVERSION_TESSERATOLINALG_H
#define TESSERA_CONVERSION_TESSERATOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::tessera {

/// Target-dependent choices of the lowering.
struct NeuralNetLoweringOptions {
  /// fp32 3x3 stride-1 ungrouped 2-D convolutions with static channels and
  /// spatial sizes become linalg.conv_2d_nchw_fchw on the padded input,
  /// for a target that computes them by Winograd (the CPU target's
  /// tessera-conv-to-microkernel), instead of im2col and a matrix product.
  bool winogradConvolutions = false;
  /// Likewise fp32 undilated ungrouped 2-D convolutions of a stem's shape
  /// (isDirectConvolutionShape), for a target with a direct kernel for
  /// them (the same pass); these take precedence over
  /// winogradConvolutions.
  bool directConvolutions = false;
  /// Unit-stride depthwise convolutions whose output rows are narrower than
  /// 8 run on each channel's flattened padded plane, so that the loops
  /// vectorize over whole vectors. A target with a depthwise micro-kernel
  /// (the CPU target's tessera-depthwise-to-microkernel, which handles
  /// narrow planes itself and recognizes only the window taps) turns this
  /// off; then the narrow ones that the kernel can take keep their taps
  /// (markDepthwiseKernelConvolutions), the others stay flattened.
  bool flatNarrowDepthwise = true;
};

/// The most input channels of a convolution that directConvolutions
/// leaves whole: a network's first layer (RGB, RGBA or grey).
constexpr int64_t kDirectConvolutionMaxChannels = 4;

/// Whether an undilated, ungrouped fp32 convolution of this shape is one
/// that the CPU target's direct kernel computes faster than im2col and the
/// matrix product: at most kDirectConvolutionMaxChannels channels, strides
/// of at most 2 and windows of at most `maxWindow` values (the product's
/// block of k, so that the sums run in its order). Larger strides and
/// windows (patch embeddings: 16x16 of stride 16; AlexNet's 11x11 of
/// stride 4) make short output rows and long windows, which the product
/// handles better (ViT's 3 -> 768: 1.2-1.3 ms as a product, 2.1-2.2
/// directly).
inline bool isDirectConvolutionShape(int64_t channels, int64_t kernelHeight,
                                     int64_t kernelWidth,
                                     ArrayRef<int64_t> strides,
                                     int64_t maxWindow) {
  return channels <= kDirectConvolutionMaxChannels &&
         channels * kernelHeight * kernelWidth <= maxWindow &&
         llvm::all_of(strides, [](int64_t s) { return s <= 2; });
}

/// Marks the convolutions (kDepthwiseKernelAttr) that keep their window
/// taps when flatNarrowDepthwise is off.
constexpr llvm::StringLiteral kDepthwiseKernelAttr = "tessera.depthwise_kernel";

/// Marks the depthwise convolutions under `root` that a target's depthwise
/// micro-kernel can take: fp32, undilated, windows of at most
/// TESSERA_DEPTHWISE_MAX_KERNEL per side, and no other op in their fusion
/// group but a Relu or Clip. Decided before lowering, since the lowering
/// rewrites the fusion group op by op.
void markDepthwiseKernelConvolutions(Operation *root);

/// Elementwise, comparison, select and cast ops.
void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns);
/// matmul, conv, conv_transpose, pooling, normalizations, softmax.
void populateNeuralNetToLinalgPatterns(
    RewritePatternSet &patterns, const NeuralNetLoweringOptions &options = {});
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
void populateTesseraToLinalgPatterns(
    RewritePatternSet &patterns, const NeuralNetLoweringOptions &options = {});

} // namespace mlir::tessera

#endif // TESSERA_CONVERSION_TESSERATOLINALG_H
