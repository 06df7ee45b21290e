//===- RecognizeOps.cpp - decomposed LayerNorm and GELU as single ops -----===//
//
// Matching starts at the last op of each chain and walks up through
// producers; every intermediate must be used only inside the chain, so that
// replacing the chain removes it entirely.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"
#include "tessera/Dialect/Tessera/Transforms/Passes.h"
#include "tessera/Dialect/Tessera/Transforms/RecognizeOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERARECOGNIZEOPS
#include "tessera/Dialect/Tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {

/// The value of a constant scalar (a one-element f32 constant).
std::optional<float> getScalarConstant(Value value) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  std::optional<std::vector<float>> values = getConstantF32Values(attr);
  if (!values || values->size() != 1)
    return std::nullopt;
  return values->front();
}

bool isScalar(Value value, float expected) {
  std::optional<float> actual = getScalarConstant(value);
  return actual && *actual == expected;
}

/// `op`'s operands as (the one that `match` accepts, the other), either
/// order.
std::optional<std::pair<Value, Value>>
findOperand(Operation *op, llvm::function_ref<bool(Value)> match) {
  for (int side = 0; side < 2; ++side)
    if (match(op->getOperand(side)))
      return std::make_pair(op->getOperand(side), op->getOperand(1 - side));
  return std::nullopt;
}

/// `op`'s operands as (the one defined by OpTy, the other), either order.
template <typename OpTy>
std::optional<std::pair<OpTy, Value>> splitOperands(Operation *op) {
  auto found = findOperand(
      op, [](Value v) { return bool(v.template getDefiningOp<OpTy>()); });
  if (!found)
    return std::nullopt;
  return std::make_pair(found->first.template getDefiningOp<OpTy>(),
                        found->second);
}

/// Whether `param` (a scale or bias) has `x`'s element type and broadcasts
/// against the dimensions from `axis` on alone.
bool broadcastsOverNormalized(Value param, RankedTensorType x, int64_t axis) {
  auto type = dyn_cast<RankedTensorType>(param.getType());
  if (!type || type.getRank() > x.getRank() - axis ||
      type.getElementType() != x.getElementType())
    return false;
  ArrayRef<int64_t> tail = x.getShape().take_back(type.getRank());
  return llvm::all_of(llvm::zip(tail, type.getShape()), [](auto dims) {
    auto [want, have] = dims;
    return have == 1 || have == want;
  });
}

bool hasOnlyUser(Value value, Operation *user) {
  return llvm::all_of(value.getUsers(),
                      [&](Operation *other) { return other == user; });
}

/// x * (erf(x / sqrt 2) + 1) * 0.5
struct RecognizeGelu : public OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp half,
                                PatternRewriter &rewriter) const override {
    auto outer = splitOperands<MulOp>(half);
    if (!outer || !isScalar(outer->second, 0.5f))
      return rewriter.notifyMatchFailure(half, "not (...) * 0.5");
    MulOp product = outer->first;
    // product = x * (erf(x / sqrt 2) + 1), either operand order; x may
    // itself be an add (a bias), so both orders are tried.
    for (int side = 0; side < 2; ++side) {
      Value x = product->getOperand(1 - side);
      auto shifted = product->getOperand(side).getDefiningOp<AddOp>();
      auto erfSide = shifted ? splitOperands<ErfOp>(shifted) : std::nullopt;
      if (!erfSide || !isScalar(erfSide->second, 1.0f))
        continue;
      auto scaled = erfSide->first.getInput().getDefiningOp<DivOp>();
      if (!scaled || scaled.getLhs() != x ||
          !isScalar(scaled.getRhs(), static_cast<float>(std::sqrt(2.0))))
        continue;
      if (!hasOnlyUser(product, half) || !hasOnlyUser(shifted, product) ||
          !hasOnlyUser(erfSide->first, shifted) ||
          !hasOnlyUser(scaled, erfSide->first) || x.getType() != half.getType())
        return rewriter.notifyMatchFailure(half,
                                           "intermediates have other users");
      rewriter.replaceOpWithNewOp<GeluOp>(half, half.getType(), x);
      return success();
    }
    return rewriter.notifyMatchFailure(half, "not x * (erf(x / sqrt 2) + 1)");
  }
};

/// x * (x * x) (either operand order) or x ^ 3, as the cube of `x`.
bool isCubeOf(Value cube, Value x) {
  if (auto pow = cube.getDefiningOp<PowOp>())
    return pow.getLhs() == x && isScalar(pow.getRhs(), 3.0f) &&
           hasOnlyUser(pow, *cube.getUsers().begin());
  auto outer = cube.getDefiningOp<MulOp>();
  if (!outer)
    return false;
  auto square = findOperand(outer, [&](Value v) {
    auto inner = v.getDefiningOp<MulOp>();
    return inner && inner.getLhs() == x && inner.getRhs() == x &&
           hasOnlyUser(inner, outer);
  });
  return square && square->second == x;
}

/// 0.5 * (x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))), any
/// operand order of the commutative ops.
struct RecognizeGeluTanh : public OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp half,
                                PatternRewriter &rewriter) const override {
    const float c1 = static_cast<float>(std::sqrt(2.0 / 3.14159265358979323846));
    const float c2 = 0.044715f;
    auto outer = splitOperands<MulOp>(half);
    if (!outer || !isScalar(outer->second, 0.5f))
      return rewriter.notifyMatchFailure(half, "not 0.5 * (...)");
    MulOp product = outer->first;
    SmallVector<Operation *> chain = {product};
    for (int side = 0; side < 2; ++side) {
      Value x = product->getOperand(1 - side);
      chain.resize(1);
      auto shifted = product->getOperand(side).getDefiningOp<AddOp>();
      auto tanhSide = shifted ? splitOperands<TanhOp>(shifted) : std::nullopt;
      if (!tanhSide || !isScalar(tanhSide->second, 1.0f))
        continue;
      auto scaled = tanhSide->first.getInput().getDefiningOp<MulOp>();
      auto scaledSide = scaled ? findOperand(scaled, [&](Value v) {
                                   return isScalar(v, c1);
                                 })
                               : std::nullopt;
      auto inner = scaledSide ? scaledSide->second.getDefiningOp<AddOp>()
                              : AddOp();
      auto cubicSide = inner ? findOperand(inner, [&](Value v) {
                                 return v != x && v.getDefiningOp<MulOp>();
                               })
                             : std::nullopt;
      if (!cubicSide || cubicSide->second != x)
        continue;
      auto cubic = cubicSide->first.getDefiningOp<MulOp>();
      auto cubeSide =
          findOperand(cubic, [&](Value v) { return isScalar(v, c2); });
      if (!cubeSide || !isCubeOf(cubeSide->second, x))
        continue;
      chain.append({shifted, tanhSide->first, scaled, inner, cubic,
                    cubeSide->second.getDefiningOp()});
      bool contained = true;
      for (size_t i = 0; i + 1 < chain.size(); ++i)
        contained &= hasOnlyUser(chain[i + 1]->getResult(0), chain[i]);
      if (!contained || !hasOnlyUser(product, half) ||
          x.getType() != half.getType())
        return rewriter.notifyMatchFailure(half,
                                           "intermediates have other users");
      rewriter.replaceOpWithNewOp<GeluTanhOp>(half, half.getType(), x);
      return success();
    }
    return rewriter.notifyMatchFailure(half, "not the tanh form of GELU");
  }
};

/// The trailing axes a keepdims reduce_mean of `value`'s producer reduces,
/// as the first of them, or nothing.
std::optional<int64_t> trailingMeanAxis(ReduceMeanOp mean) {
  auto type = cast<RankedTensorType>(mean.getInput().getType());
  ArrayRef<int64_t> axes = mean.getAxes();
  if (axes.empty() || !mean.getKeepdims() ||
      axes.back() != type.getRank() - 1)
    return std::nullopt;
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] != axes[i - 1] + 1)
      return std::nullopt;
  return axes.front();
}

/// (d / sqrt(mean(d ^ 2) + eps)) * scale + bias, d = x - mean(x).
struct RecognizeLayerNorm : public OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp biased,
                                PatternRewriter &rewriter) const override {
    auto scaledSide = splitOperands<MulOp>(biased);
    if (!scaledSide)
      return failure();
    MulOp scaled = scaledSide->first;
    Value bias = scaledSide->second;
    auto normalizedSide = splitOperands<DivOp>(scaled);
    if (!normalizedSide)
      return failure();
    DivOp normalized = normalizedSide->first;
    Value scale = normalizedSide->second;
    auto deviation = normalized.getLhs().getDefiningOp<SubOp>();
    auto root = normalized.getRhs().getDefiningOp<SqrtOp>();
    if (!deviation || !root)
      return failure();
    auto shiftedVariance = root.getInput().getDefiningOp<AddOp>();
    if (!shiftedVariance)
      return failure();
    auto varianceSide = splitOperands<ReduceMeanOp>(shiftedVariance);
    std::optional<float> epsilon =
        varianceSide ? getScalarConstant(varianceSide->second) : std::nullopt;
    if (!epsilon)
      return failure();
    ReduceMeanOp variance = varianceSide->first;
    auto square = variance.getInput().getDefiningOp<PowOp>();
    if (!square || square.getLhs() != deviation.getResult() ||
        !isScalar(square.getRhs(), 2.0f))
      return failure();
    Value x = deviation.getLhs();
    auto mean = deviation.getRhs().getDefiningOp<ReduceMeanOp>();
    if (!mean || mean.getInput() != x)
      return failure();
    std::optional<int64_t> axis = trailingMeanAxis(mean);
    if (!axis || trailingMeanAxis(variance) != axis ||
        mean.getAxes() != variance.getAxes() || x.getType() != biased.getType())
      return failure();
    // d feeds the square and the division; everything else one op.
    if (!hasOnlyUser(scaled, biased) || !hasOnlyUser(normalized, scaled) ||
        !hasOnlyUser(root, normalized) || !hasOnlyUser(shiftedVariance, root) ||
        !hasOnlyUser(variance, shiftedVariance) ||
        !hasOnlyUser(square, variance) || !hasOnlyUser(mean, deviation) ||
        llvm::any_of(deviation->getUsers(), [&](Operation *user) {
          return user != square && user != normalized;
        }))
      return rewriter.notifyMatchFailure(biased, "intermediates have other users");
    auto xType = cast<RankedTensorType>(x.getType());
    if (!broadcastsOverNormalized(scale, xType, *axis) ||
        !broadcastsOverNormalized(bias, xType, *axis))
      return failure();
    auto layerNorm = LayerNormOp::create(
        rewriter, biased.getLoc(), biased.getType(), x, scale, bias,
        rewriter.getI64IntegerAttr(*axis), rewriter.getF32FloatAttr(*epsilon));
    rewriter.replaceOp(biased, layerNorm.getResult());
    return success();
  }
};

/// x * (1 / sqrt(mean(x^2) + eps)) * scale; the normalization may also be
/// x / sqrt(...) or x * reciprocal(sqrt(...)), and x^2 may be x * x.
struct RecognizeRmsNorm : public OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp scaled,
                                PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      Operation *normalized = scaled->getOperand(side).getDefiningOp();
      Value scale = scaled->getOperand(1 - side);
      if (!normalized || !isa<MulOp, DivOp>(normalized) ||
          !hasOnlyUser(normalized->getResult(0), scaled))
        continue;
      // (x, root) with `inverse` the op between them, if any.
      Value x;
      SqrtOp root;
      Operation *inverse = nullptr;
      if (isa<DivOp>(normalized)) {
        x = normalized->getOperand(0);
        root = normalized->getOperand(1).getDefiningOp<SqrtOp>();
      } else {
        auto found = findOperand(normalized, [&](Value v) {
          Operation *def = v.getDefiningOp();
          if (auto reciprocal = dyn_cast_or_null<ReciprocalOp>(def))
            return bool(reciprocal.getInput().getDefiningOp<SqrtOp>());
          auto div = dyn_cast_or_null<DivOp>(def);
          return div && isScalar(div.getLhs(), 1.0f) &&
                 div.getRhs().getDefiningOp<SqrtOp>();
        });
        if (!found)
          continue;
        x = found->second;
        inverse = found->first.getDefiningOp();
        root = inverse->getOperand(inverse->getNumOperands() - 1)
                   .getDefiningOp<SqrtOp>();
        if (!hasOnlyUser(inverse->getResult(0), normalized))
          continue;
      }
      if (!root || !hasOnlyUser(root, inverse ? inverse : normalized))
        continue;
      auto shifted = root.getInput().getDefiningOp<AddOp>();
      auto meanSide =
          shifted ? splitOperands<ReduceMeanOp>(shifted) : std::nullopt;
      std::optional<float> epsilon =
          meanSide ? getScalarConstant(meanSide->second) : std::nullopt;
      if (!epsilon)
        continue;
      ReduceMeanOp mean = meanSide->first;
      Operation *square = mean.getInput().getDefiningOp();
      bool isSquare =
          (isa_and_nonnull<PowOp>(square) && square->getOperand(0) == x &&
           isScalar(square->getOperand(1), 2.0f)) ||
          (isa_and_nonnull<MulOp>(square) && square->getOperand(0) == x &&
           square->getOperand(1) == x);
      std::optional<int64_t> axis = trailingMeanAxis(mean);
      if (!isSquare || !axis || !hasOnlyUser(shifted, root) ||
          !hasOnlyUser(mean, shifted) ||
          !hasOnlyUser(square->getResult(0), mean) ||
          x.getType() != scaled.getType())
        continue;
      if (!broadcastsOverNormalized(scale, cast<RankedTensorType>(x.getType()),
                                    *axis))
        continue;
      rewriter.replaceOpWithNewOp<RmsNormOp>(
          scaled, scaled.getType(), x, scale,
          rewriter.getI64IntegerAttr(*axis), rewriter.getF32FloatAttr(*epsilon));
      return success();
    }
    return rewriter.notifyMatchFailure(scaled, "not an RMSNorm");
  }
};

/// exp(x - max(x)) / sum(exp(x - max(x))) over one axis (with keepdims),
/// or the same without the max shift, -> tessera.softmax.
struct RecognizeSoftmax : public OpRewritePattern<DivOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DivOp div,
                                PatternRewriter &rewriter) const override {
    auto exp = div.getLhs().getDefiningOp<ExpOp>();
    auto sum = div.getRhs().getDefiningOp<ReduceSumOp>();
    if (!exp || !sum || sum.getInput() != exp.getResult() ||
        !sum.getKeepdims() || sum.getAxes().size() != 1 ||
        !hasOnlyUser(sum, div) ||
        llvm::any_of(exp->getUsers(), [&](Operation *user) {
          return user != div && user != sum;
        }))
      return rewriter.notifyMatchFailure(div, "not exp(..) / sum(exp(..))");
    int64_t axis = sum.getAxes().front();
    Value x = exp.getInput();
    if (auto shifted = x.getDefiningOp<SubOp>()) {
      auto max = shifted.getRhs().getDefiningOp<ReduceMaxOp>();
      if (max && max.getInput() == shifted.getLhs() && max.getKeepdims() &&
          max.getAxes() == ArrayRef<int64_t>{axis} &&
          hasOnlyUser(max, shifted) && hasOnlyUser(shifted, exp))
        x = shifted.getLhs();
    }
    if (x.getType() != div.getType())
      return rewriter.notifyMatchFailure(div, "broadcasting division");
    rewriter.replaceOpWithNewOp<SoftmaxOp>(div, div.getType(), x,
                                           rewriter.getI64IntegerAttr(axis));
    return success();
  }
};

/// `value` with a multiplication or division by a scalar constant peeled
/// off, accumulating the factor into `scale`; the peeled op must have no
/// other user than `user`.
Value peelScalarScale(Value value, Operation *user, double &scale) {
  Operation *def = value.getDefiningOp();
  if (!def || !isa<MulOp, DivOp>(def) || !hasOnlyUser(value, user))
    return value;
  if (isa<DivOp>(def)) {
    std::optional<float> divisor = getScalarConstant(def->getOperand(1));
    if (!divisor || *divisor == 0 ||
        def->getOperand(0).getType() != value.getType())
      return value;
    scale /= *divisor;
    return def->getOperand(0);
  }
  for (int side = 0; side < 2; ++side) {
    std::optional<float> factor = getScalarConstant(def->getOperand(side));
    if (factor && def->getOperand(1 - side).getType() == value.getType()) {
      scale *= *factor;
      return def->getOperand(1 - side);
    }
  }
  return value;
}

/// MatMul(Softmax(scale * MatMul(Q, Kt) [+ mask], last axis), V), with the
/// scale applied to Q, Kt and/or the scores (any of Mul/Div by a scalar
/// constant) -> tessera.attention Q, transpose(Kt), V [, mask].
struct RecognizeAttention : public OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp output,
                                PatternRewriter &rewriter) const override {
    auto softmax = output.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax)
      return rewriter.notifyMatchFailure(output, "lhs is not a softmax");
    auto scoresType = cast<RankedTensorType>(softmax.getType());
    int64_t rank = scoresType.getRank();
    if (rank < 2 || softmax.getAxis() != rank - 1 ||
        !hasOnlyUser(softmax, output))
      return rewriter.notifyMatchFailure(
          output, "softmax is not over the last axis or has other users");

    double scale = 1.0;
    Value scores = peelScalarScale(softmax.getInput(), softmax, scale);
    Value mask;
    if (auto add = scores.getDefiningOp<AddOp>()) {
      // A scale after the mask add would scale the mask too.
      if (!add->hasOneUse() || add.getType() != scoresType || scale != 1.0)
        return rewriter.notifyMatchFailure(
            output, "mask add has other users or is scaled");
      for (int side = 0; side < 2 && !mask; ++side) {
        double maskedScale = scale;
        Value product = peelScalarScale(add->getOperand(side), add,
                                        maskedScale);
        if (product.getDefiningOp<MatMulOp>() &&
            product.getType() == scoresType) {
          mask = add->getOperand(1 - side);
          scale = maskedScale;
          scores = product;
        }
      }
      if (!mask)
        return rewriter.notifyMatchFailure(output, "no product under the add");
    }
    auto product = scores.getDefiningOp<MatMulOp>();
    if (!product || !product->hasOneUse())
      return rewriter.notifyMatchFailure(output, "scores are not a matmul");
    Value query = peelScalarScale(product.getLhs(), product, scale);
    Value keyT = peelScalarScale(product.getRhs(), product, scale);
    Value value = output.getRhs();

    // Same rank, same batch dims: no matmul broadcasting to reproduce.
    auto queryType = cast<RankedTensorType>(query.getType());
    auto keyTType = cast<RankedTensorType>(keyT.getType());
    auto valueType = cast<RankedTensorType>(value.getType());
    auto resultType = cast<RankedTensorType>(output.getType());
    for (RankedTensorType type : {queryType, keyTType, valueType, resultType})
      if (type.getRank() != rank)
        return rewriter.notifyMatchFailure(output, "operand ranks differ");
    for (int64_t d = 0; d < rank - 2; ++d)
      for (RankedTensorType type : {keyTType, valueType})
        if (type.getDimSize(d) != queryType.getDimSize(d))
          return rewriter.notifyMatchFailure(output, "batch dims differ");
    if (mask) {
      // The lowering reads a block of the mask's rows, so whether they
      // broadcast must be known.
      auto maskType = cast<RankedTensorType>(mask.getType());
      if (maskType.getRank() > rank ||
          (maskType.getRank() >= 2 &&
           maskType.isDynamicDim(maskType.getRank() - 2)))
        return rewriter.notifyMatchFailure(
            output, "mask widens the scores or has rows of dynamic size");
    }

    Value key = TransposeOp::create(rewriter, output.getLoc(), keyT,
                                    TransposeOp::getLastTwoSwapped(rank));
    rewriter.replaceOpWithNewOp<AttentionOp>(
        output, resultType, query, key, value, mask,
        rewriter.getF32FloatAttr(static_cast<float>(scale)));
    return success();
  }
};

struct RecognizeOpsPass
    : public tessera::impl::TesseraRecognizeOpsBase<RecognizeOpsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRecognizeLayerNormPatterns(patterns);
    populateRecognizeGeluPatterns(patterns);
    populateRecognizeRmsNormPatterns(patterns);
    populateRecognizeSoftmaxPatterns(patterns);
    if (attention)
      populateRecognizeAttentionPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::tessera::populateRecognizeLayerNormPatterns(
    RewritePatternSet &patterns) {
  patterns.add<RecognizeLayerNorm>(patterns.getContext());
}

void mlir::tessera::populateRecognizeGeluPatterns(RewritePatternSet &patterns) {
  patterns.add<RecognizeGelu, RecognizeGeluTanh>(patterns.getContext());
}

void mlir::tessera::populateRecognizeRmsNormPatterns(
    RewritePatternSet &patterns) {
  patterns.add<RecognizeRmsNorm>(patterns.getContext());
}

void mlir::tessera::populateRecognizeSoftmaxPatterns(
    RewritePatternSet &patterns) {
  patterns.add<RecognizeSoftmax>(patterns.getContext());
}

void mlir::tessera::populateRecognizeAttentionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<RecognizeAttention>(patterns.getContext());
}
