//===- FoldBatchNorm.cpp - per-channel affine maps into products ----------===//
//
// A normalization after a convolution or matrix product costs a full pass
// over the activations; folded into the weights it costs nothing at run
// time.
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

/// The constant `value` as one factor per channel (dimension
/// `channelAxis` of `output`): a scalar, or a shape that broadcasts against
/// the output with every dimension 1 but the channel one.
std::optional<std::vector<float>> readPerChannel(Value value,
                                                 RankedTensorType output,
                                                 int64_t channelAxis) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || type.getRank() > output.getRank() ||
      output.isDynamicDim(channelAxis))
    return std::nullopt;
  int64_t channels = output.getDimSize(channelAxis);
  int64_t typeChannelAxis = type.getRank() - (output.getRank() - channelAxis);
  for (int64_t axis = 0; axis < type.getRank(); ++axis)
    if (type.getDimSize(axis) != 1 &&
        (axis != typeChannelAxis || type.getDimSize(axis) != channels))
      return std::nullopt;
  std::optional<std::vector<float>> values = readF32Constant(value);
  if (!values)
    return std::nullopt;
  if (values->size() == 1)
    values->assign(channels, values->front());
  return values;
}

/// A product with constant f32 weights whose result is used only by the op
/// being folded: a Conv or ConvTranspose (channels along dimension 1), or a
/// MatMul by a 2-D constant, possibly followed by the add of a constant
/// bias (channels along the last dimension). Holds the weights and the bias
/// (zeros if absent).
struct FoldableProduct {
  Operation *product;
  AddOp biasAdd; // MatMul only
  std::vector<float> weight, bias;
  int64_t channelAxis;

  int64_t channels() const { return static_cast<int64_t>(bias.size()); }

  /// Multiplies the weights of output channel c by `scale[c]`.
  void scaleWeights(ArrayRef<float> scale) {
    auto weightType = cast<RankedTensorType>(product->getOperand(1).getType());
    int64_t count = static_cast<int64_t>(weight.size());
    if (isa<ConvOp>(product)) {
      // [Cout, Cin / group, k...]
      int64_t perChannel = count / channels();
      for (int64_t i = 0; i < count; ++i)
        weight[i] *= scale[i / perChannel];
    } else if (auto transposed = dyn_cast<ConvTransposeOp>(product)) {
      // [Cin, Cout / group, k...]: channel g * Cout/group + j.
      int64_t inputs = weightType.getDimSize(0);
      int64_t perGroup = weightType.getDimSize(1);
      int64_t inputsPerGroup = inputs / transposed.getGroup();
      int64_t kernel = count / (inputs * perGroup);
      for (int64_t i = 0; i < count; ++i) {
        int64_t ci = i / (perGroup * kernel), j = i / kernel % perGroup;
        weight[i] *= scale[ci / inputsPerGroup * perGroup + j];
      }
    } else {
      // MatMul: [K, N], channel n is column n.
      for (int64_t i = 0; i < count; ++i)
        weight[i] *= scale[i % channels()];
    }
  }
};

std::optional<FoldableProduct> matchProduct(Value value) {
  FoldableProduct result{value.getDefiningOp(), AddOp(), {}, {}, 1};
  Value bias;
  if (auto add = value.getDefiningOp<AddOp>()) {
    // MatMul + constant bias, with the bias along the last dimension.
    auto output = cast<RankedTensorType>(add.getType());
    for (auto [productSide, biasSide] : {std::pair{add.getLhs(), add.getRhs()},
                                         std::pair{add.getRhs(), add.getLhs()}})
      if (productSide.getDefiningOp<MatMulOp>() &&
          productSide.getType() == output &&
          readPerChannel(biasSide, output, output.getRank() - 1)) {
        result.product = productSide.getDefiningOp();
        result.biasAdd = add;
        bias = biasSide;
      }
    if (!result.biasAdd || !add->hasOneUse())
      return std::nullopt;
  }
  Operation *product = result.product;
  if (!product || !isa<ConvOp, ConvTransposeOp, MatMulOp>(product) ||
      !product->hasOneUse())
    return std::nullopt;
  auto output = cast<RankedTensorType>(product->getResult(0).getType());
  if (!output.getElementType().isF32() || output.getRank() < 2)
    return std::nullopt;
  if (auto matmul = dyn_cast<MatMulOp>(product)) {
    auto weightType = cast<RankedTensorType>(matmul.getRhs().getType());
    if (weightType.getRank() != 2)
      return std::nullopt;
    result.channelAxis = output.getRank() - 1;
  } else {
    bias = product->getNumOperands() > 2 ? product->getOperand(2) : Value();
  }
  if (output.isDynamicDim(result.channelAxis))
    return std::nullopt;
  std::optional<std::vector<float>> weight =
      readF32Constant(product->getOperand(1));
  if (!weight)
    return std::nullopt;
  result.weight = std::move(*weight);
  int64_t channels = output.getDimSize(result.channelAxis);
  if (bias) {
    // A conv's bias operand is [C]; a MatMul's bias add broadcasts.
    std::optional<std::vector<float>> values =
        result.biasAdd ? readPerChannel(bias, output, result.channelAxis)
                       : readF32Constant(bias);
    if (!values || static_cast<int64_t>(values->size()) != channels)
      return std::nullopt;
    result.bias = std::move(*values);
  } else {
    result.bias.assign(channels, 0.0f);
  }
  return result;
}

/// Replaces `root` by the product with weights W[c] * scale[c] and bias
/// bias[c] * scale[c] + shift[c] (for a MatMul, an add of that bias after
/// it, unless it is all zeros).
void replaceWithScaledProduct(PatternRewriter &rewriter, Operation *root,
                              FoldableProduct &folded, ArrayRef<float> scale,
                              ArrayRef<float> shift) {
  Operation *product = folded.product;
  folded.scaleWeights(scale);
  for (int64_t c = 0; c < folded.channels(); ++c)
    folded.bias[c] = folded.bias[c] * scale[c] + shift[c];
  Location loc = root->getLoc();
  auto weightType = cast<RankedTensorType>(product->getOperand(1).getType());
  Value weight = createF32Constant(rewriter, loc, weightType, folded.weight,
                                   "folded_weight");
  auto biasType =
      RankedTensorType::get({folded.channels()}, rewriter.getF32Type());
  Value bias =
      createF32Constant(rewriter, loc, biasType, folded.bias, "folded_bias");
  Value replacement;
  if (isa<MatMulOp>(product)) {
    replacement = MatMulOp::create(rewriter, product->getLoc(),
                                   product->getResult(0).getType(),
                                   product->getOperand(0), weight);
    if (folded.biasAdd ||
        llvm::any_of(folded.bias, [](float b) { return b != 0.0f; }))
      replacement = AddOp::create(rewriter, loc, replacement.getType(),
                                  replacement, bias);
  } else {
    OperationState state(product->getLoc(), product->getName());
    state.addOperands({product->getOperand(0), weight, bias});
    state.addTypes(product->getResultTypes());
    state.addAttributes(product->getAttrs());
    replacement = rewriter.create(state)->getResult(0);
  }
  rewriter.replaceOp(root, replacement);
  if (folded.biasAdd && folded.biasAdd != root)
    rewriter.eraseOp(folded.biasAdd);
  rewriter.eraseOp(product);
}

struct FoldBatchNormIntoConv : public OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<FoldableProduct> product = matchProduct(op.getInput());
    // BatchNormalization normalizes dimension 1.
    if (!product || product->channelAxis != 1)
      return rewriter.notifyMatchFailure(op, "input is not a foldable product");
    auto scale = readF32Constant(op.getScale()),
         bias = readF32Constant(op.getBias()),
         mean = readF32Constant(op.getMean()),
         variance = readF32Constant(op.getVariance());
    size_t channels = product->bias.size();
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
    replaceWithScaledProduct(rewriter, op, *product, factor, shift);
    return success();
  }
};

/// product * c and c * product, for a per-channel constant c.
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
      std::optional<FoldableProduct> product = matchProduct(convSide);
      std::optional<std::vector<float>> factor =
          product ? readPerChannel(constSide, output, product->channelAxis)
                  : std::nullopt;
      if (!factor)
        continue;
      std::vector<float> shift(factor->size(), 0.0f);
      replaceWithScaledProduct(rewriter, op, *product, *factor, shift);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a product times a constant");
  }
};

/// product + c, c + product and product - c, for a per-channel constant c
/// (for a MatMul, only after its bias add: a bare MatMul + c is the bias
/// add itself).
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
      std::optional<FoldableProduct> product = matchProduct(convSide);
      if (product && isa<MatMulOp>(product->product) && !product->biasAdd)
        continue;
      std::optional<std::vector<float>> shift =
          product ? readPerChannel(constSide, output, product->channelAxis)
                  : std::nullopt;
      if (!shift)
        continue;
      if (subtract)
        for (float &value : *shift)
          value = -value;
      std::vector<float> ones(shift->size(), 1.0f);
      replaceWithScaledProduct(rewriter, op, *product, ones, *shift);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a product plus a constant");
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
