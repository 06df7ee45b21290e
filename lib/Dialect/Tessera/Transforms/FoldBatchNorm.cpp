//===- FoldBatchNorm.cpp - per-channel affine maps into convolutions ------===//
//
// A normalization after a convolution costs a full pass over the
// activations; folded into the weights it costs nothing at run time.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Tessera/Transforms/FoldBatchNorm.h"
#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"
#include "tessera/Dialect/Tessera/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAFOLDBATCHNORM
#include "tessera/Dialect/Tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {

/// The f32 elements of a constant `value`, row-major.
std::optional<std::vector<float>> readF32Constant(Value value) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return getConstantF32Values(attr);
}

Value createF32Constant(PatternRewriter &rewriter, Location loc,
                        RankedTensorType type, ArrayRef<float> values,
                        StringRef nameHint) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(float));
  return ConstantOp::create(rewriter, loc,
                            makeConstantAttr(type, bytes, nameHint));
}

/// The constant `value` as one factor per output channel of `output` (a
/// tensor [N, C, ...]): a scalar, or a shape that broadcasts against the
/// output with every dimension 1 but the channel one.
std::optional<std::vector<float>> readPerChannel(Value value,
                                                 RankedTensorType output) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || output.getRank() < 2 ||
      type.getRank() > output.getRank() || output.isDynamicDim(1))
    return std::nullopt;
  int64_t channels = output.getDimSize(1);
  int64_t channelAxis = type.getRank() - (output.getRank() - 1);
  for (int64_t axis = 0; axis < type.getRank(); ++axis)
    if (type.getDimSize(axis) != 1 &&
        (axis != channelAxis || type.getDimSize(axis) != channels))
      return std::nullopt;
  std::optional<std::vector<float>> values = readF32Constant(value);
  if (!values)
    return std::nullopt;
  if (values->size() == 1)
    values->assign(channels, values->front());
  return values;
}

/// A convolution whose output is used only by `user`, with constant f32
/// weights and bias (if any); the weights and bias (zeros if absent).
struct FoldableConv {
  ConvOp conv;
  std::vector<float> weight, bias;
};

std::optional<FoldableConv> matchConv(Value value) {
  auto conv = value.getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse())
    return std::nullopt;
  auto output = cast<RankedTensorType>(conv.getType());
  if (!output.getElementType().isF32() || output.getRank() < 2 ||
      output.isDynamicDim(1))
    return std::nullopt;
  FoldableConv result{conv, {}, {}};
  std::optional<std::vector<float>> weight = readF32Constant(conv.getWeight());
  if (!weight)
    return std::nullopt;
  result.weight = std::move(*weight);
  int64_t channels = output.getDimSize(1);
  if (Value bias = conv.getBias()) {
    std::optional<std::vector<float>> values = readF32Constant(bias);
    if (!values || static_cast<int64_t>(values->size()) != channels)
      return std::nullopt;
    result.bias = std::move(*values);
  } else {
    result.bias.assign(channels, 0.0f);
  }
  return result;
}

/// Replaces `root` by `conv` with weights W[co] * scale[co] and bias
/// bias[co] * scale[co] + shift[co].
void replaceWithScaledConv(PatternRewriter &rewriter, Operation *root,
                           FoldableConv &folded, ArrayRef<float> scale,
                           ArrayRef<float> shift) {
  ConvOp conv = folded.conv;
  int64_t channels = static_cast<int64_t>(folded.bias.size());
  int64_t perChannel = static_cast<int64_t>(folded.weight.size()) / channels;
  for (int64_t co = 0; co < channels; ++co) {
    for (int64_t i = 0; i < perChannel; ++i)
      folded.weight[co * perChannel + i] *= scale[co];
    folded.bias[co] = folded.bias[co] * scale[co] + shift[co];
  }
  Location loc = root->getLoc();
  auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
  Value weight = createF32Constant(rewriter, loc, weightType, folded.weight,
                                   "folded_weight");
  auto biasType = RankedTensorType::get({channels}, rewriter.getF32Type());
  Value bias =
      createF32Constant(rewriter, loc, biasType, folded.bias, "folded_bias");
  auto replacement =
      ConvOp::create(rewriter, conv.getLoc(), conv.getType(),
                     ValueRange{conv.getInput(), weight, bias},
                     conv->getAttrs());
  rewriter.replaceOp(root, replacement.getResult());
  rewriter.eraseOp(conv);
}

struct FoldBatchNormIntoConv : public OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<FoldableConv> conv = matchConv(op.getInput());
    if (!conv)
      return rewriter.notifyMatchFailure(op, "input is not a foldable conv");
    auto scale = readF32Constant(op.getScale()),
         bias = readF32Constant(op.getBias()),
         mean = readF32Constant(op.getMean()),
         variance = readF32Constant(op.getVariance());
    size_t channels = conv->bias.size();
    if (!scale || !bias || !mean || !variance || scale->size() != channels ||
        bias->size() != channels || mean->size() != channels ||
        variance->size() != channels)
      return rewriter.notifyMatchFailure(op, "parameters are not constant");
    float epsilon = op.getEpsilon().convertToFloat();
    std::vector<float> factor(channels), shift(channels);
    for (size_t c = 0; c < channels; ++c) {
      factor[c] = (*scale)[c] / std::sqrt((*variance)[c] + epsilon);
      shift[c] = (*bias)[c] - (*mean)[c] * factor[c];
    }
    replaceWithScaledConv(rewriter, op, *conv, factor, shift);
    return success();
  }
};

/// conv * c and c * conv, for a per-channel constant c.
struct FoldScaleIntoConv : public OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    auto output = cast<RankedTensorType>(op.getType());
    for (auto [convSide, constSide] :
         {std::pair{op.getLhs(), op.getRhs()},
          std::pair{op.getRhs(), op.getLhs()}}) {
      if (convSide.getType() != output)
        continue;
      std::optional<FoldableConv> conv = matchConv(convSide);
      std::optional<std::vector<float>> factor =
          conv ? readPerChannel(constSide, output) : std::nullopt;
      if (!factor)
        continue;
      std::vector<float> shift(factor->size(), 0.0f);
      replaceWithScaledConv(rewriter, op, *conv, *factor, shift);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a conv times a constant");
  }
};

/// conv + c, c + conv and conv - c, for a per-channel constant c.
template <typename OpTy>
struct FoldShiftIntoConv : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool subtract = std::is_same_v<OpTy, SubOp>;
    auto output = cast<RankedTensorType>(op.getType());
    SmallVector<std::pair<Value, Value>> sides = {{op.getLhs(), op.getRhs()}};
    if (!subtract)
      sides.push_back({op.getRhs(), op.getLhs()});
    for (auto [convSide, constSide] : sides) {
      if (convSide.getType() != output)
        continue;
      std::optional<FoldableConv> conv = matchConv(convSide);
      std::optional<std::vector<float>> shift =
          conv ? readPerChannel(constSide, output) : std::nullopt;
      if (!shift)
        continue;
      if (subtract)
        for (float &value : *shift)
          value = -value;
      std::vector<float> ones(shift->size(), 1.0f);
      replaceWithScaledConv(rewriter, op, *conv, ones, *shift);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a conv plus a constant");
  }
};

struct FoldBatchNormPass
    : public tessera::impl::TesseraFoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::tessera::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBatchNormIntoConv, FoldScaleIntoConv,
               FoldShiftIntoConv<AddOp>, FoldShiftIntoConv<SubOp>>(
      patterns.getContext());
}
