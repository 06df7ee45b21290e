//===- NeuralNetToLinalg.cpp - matmul, conv, pooling, norms to linalg -----===//
//
// Convolution and pooling are linalg.generic windows over an explicitly
// padded input, one form for every spatial rank, group count, stride and
// dilation. Grouped convolution exposes the group as its own loop by
// expanding the channel dimensions (C -> G x C/G), so depthwise and dense
// convolutions share the lowering. Performance-oriented forms (packing,
// micro-kernels) are chosen later, by the target pipeline; the one
// exception is the 3x3 convolution a target computes by Winograd, which
// stays whole as linalg.conv_2d_nchw_fchw when the target asks for it.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"

#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"
#include "tessera/Dialect/Tessera/Transforms/FusionGroups.h"
#include "tessera/Runtime/tessera_package_abi.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

namespace {

SmallVector<utils::IteratorType> makeIterators(int64_t parallel,
                                               int64_t reduction) {
  SmallVector<utils::IteratorType> iterators(parallel,
                                             utils::IteratorType::parallel);
  iterators.append(reduction, utils::IteratorType::reduction);
  return iterators;
}

Value addF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}

//===----------------------------------------------------------------------===//
// MatMul (numpy semantics)
//===----------------------------------------------------------------------===//

struct MatMulOpLowering : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value lhs = op.getLhs(), rhs = op.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    if (!isa<FloatType>(elementType) && !elementType.isSignlessInteger())
      return rewriter.notifyMatchFailure(op, "unsupported element type");

    bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
    int64_t lhsBatch = lhsVector ? 0 : lhsType.getRank() - 2;
    int64_t rhsBatch = rhsVector ? 0 : rhsType.getRank() - 2;
    int64_t batch = std::max(lhsBatch, rhsBatch);
    // Loops: batch..., m (unless lhs is a vector), n (unless rhs is), k.
    int64_t next = batch;
    int64_t m = lhsVector ? -1 : next++;
    int64_t n = rhsVector ? -1 : next++;
    int64_t k = next++, numLoops = next;
    auto dim = [&](int64_t d) { return getAffineDimExpr(d, ctx); };
    auto batchExprs = [&](RankedTensorType type, int64_t rank) {
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < rank; ++i) {
        int64_t loop = batch - rank + i;
        bool broadcasts = type.getDimSize(i) == 1 &&
                          resultType.getDimSize(loop) != 1;
        exprs.push_back(broadcasts ? getAffineConstantExpr(0, ctx) : dim(loop));
      }
      return exprs;
    };
    SmallVector<AffineExpr> lhsExprs = batchExprs(lhsType, lhsBatch);
    if (!lhsVector)
      lhsExprs.push_back(dim(m));
    lhsExprs.push_back(dim(k));
    SmallVector<AffineExpr> rhsExprs = batchExprs(rhsType, rhsBatch);
    rhsExprs.push_back(dim(k));
    if (!rhsVector)
      rhsExprs.push_back(dim(n));
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < batch; ++i)
      outExprs.push_back(dim(i));
    if (!lhsVector)
      outExprs.push_back(dim(m));
    if (!rhsVector)
      outExprs.push_back(dim(n));

    // Result sizes: batch dims from whichever operand has them (dynamic
    // first), m from lhs, n from rhs.
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < batch; ++i) {
      if (!resultType.isDynamicDim(i)) {
        sizes.push_back(rewriter.getIndexAttr(resultType.getDimSize(i)));
        continue;
      }
      int64_t li = i - (batch - lhsBatch), ri = i - (batch - rhsBatch);
      if (li >= 0 && lhsType.isDynamicDim(li))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, lhs, li).getResult());
      else
        sizes.push_back(tensor::DimOp::create(rewriter, loc, rhs, ri).getResult());
    }
    if (!lhsVector)
      sizes.push_back(tensor::getMixedSize(rewriter, loc, lhs, lhsBatch));
    if (!rhsVector)
      sizes.push_back(
          tensor::getMixedSize(rewriter, loc, rhs, rhsType.getRank() - 1));

    Value zero = createScalar(rewriter, loc, elementType, 0);
    Value init = createFilled(rewriter, loc, resultType, sizes, zero);
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, lhsExprs, ctx),
                                   AffineMap::get(numLoops, 0, rhsExprs, ctx),
                                   AffineMap::get(numLoops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators = makeIterators(numLoops - 1, 1);
    bool isFloat = isa<FloatType>(elementType);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{lhs, rhs},
        ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value product =
              isFloat ? Value(arith::MulFOp::create(b, l, args[0], args[1]))
                      : Value(arith::MulIOp::create(b, l, args[0], args[1]));
          Value sum =
              isFloat ? Value(arith::AddFOp::create(b, l, args[2], product))
                      : Value(arith::AddIOp::create(b, l, args[2], product));
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Windows: convolution and pooling
//===----------------------------------------------------------------------===//

/// `input` (N x C x spatial...) padded by `pads` (leading pads of every
/// spatial dim, then trailing) plus `extraEnd` more at the end of each
/// spatial dim, with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, ArrayRef<int64_t> extraEnd,
                 Value value) {
  int64_t spatial = static_cast<int64_t>(pads.size() / 2);
  bool any = llvm::any_of(pads, [](int64_t p) { return p != 0; }) ||
             llvm::any_of(extraEnd, [](int64_t p) { return p != 0; });
  if (!any)
    return input;
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high(2, b.getIndexAttr(0));
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(b.getIndexAttr(pads[i]));
    high.push_back(b.getIndexAttr(pads[spatial + i] + extraEnd[i]));
  }
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(inputType.getShape());
  for (int64_t i = 0; i < spatial; ++i)
    if (!ShapedType::isDynamic(shape[2 + i]))
      shape[2 + i] += pads[i] + pads[spatial + i] + extraEnd[i];
  auto padType = inputType.clone(shape);
  return tensor::PadOp::create(b, loc, padType, input, low, high, value,
                               /*nofold=*/false);
}

/// The output sizes of a window op: batch and channels as given, spatial
/// sizes from the result type or, when dynamic, from the padded input.
SmallVector<OpFoldResult>
getWindowOutputSizes(OpBuilder &b, Location loc, RankedTensorType resultType,
                     Value paddedInput, OpFoldResult channels,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> dilations) {
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(b, loc, paddedInput, 0), channels};
  for (size_t i = 0; i < kernel.size(); ++i) {
    if (!resultType.isDynamicDim(2 + i)) {
      sizes.push_back(b.getIndexAttr(resultType.getDimSize(2 + i)));
      continue;
    }
    // (padded - dilation * (k - 1) - 1) / stride + 1
    Value padded = tensor::DimOp::create(b, loc, paddedInput, 2 + i);
    Value span = arith::ConstantIndexOp::create(b, loc, dilations[i] * (kernel[i] - 1) + 1);
    Value stride = arith::ConstantIndexOp::create(b, loc, strides[i]);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value size = arith::AddIOp::create(
        b, loc,
        arith::DivSIOp::create(b, loc, arith::SubIOp::create(b, loc, padded, span),
                               stride),
        one);
    sizes.push_back(size);
  }
  return sizes;
}

/// A convolution of any rank and group count as one window loop nest:
/// n, g, m, o_1..o_s, c, k_1..k_s.
Value createWindowConv(OpBuilder &b, Location loc, ConvOp op, Value input,
                       RankedTensorType resultType,
                       ArrayRef<OpFoldResult> outSizes) {
  MLIRContext *ctx = b.getContext();
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  auto paddedType = cast<RankedTensorType>(input.getType());
  Type elementType = resultType.getElementType();
  int64_t spatial = resultType.getRank() - 2;
  int64_t groups = op.getGroup();
  int64_t filters = weightType.getDimSize(0);
  int64_t groupChannels = weightType.getDimSize(1);
  int64_t groupFilters = filters / groups;
  SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
  Value zero = createScalar(b, loc, elementType, 0);
    // N x C x S... -> N x G x C/G x S...
    SmallVector<int64_t> groupedInputShape = {paddedType.getDimSize(0), groups,
                                              groupChannels};
    llvm::append_range(groupedInputShape, paddedType.getShape().drop_front(2));
    SmallVector<ReassociationIndices> inputGroups = {{0}, {1, 2}};
    for (int64_t i = 0; i < spatial; ++i)
      inputGroups.push_back({3 + i});
    Value groupedInput = tensor::ExpandShapeOp::create(
        b, loc, paddedType.clone(groupedInputShape), input, inputGroups);
    // M x C/G x K... -> G x M/G x C/G x K...
    SmallVector<int64_t> groupedWeightShape = {groups, groupFilters,
                                               groupChannels};
    llvm::append_range(groupedWeightShape, kernel);
    SmallVector<ReassociationIndices> weightGroups = {{0, 1}, {2}};
    for (int64_t i = 0; i < spatial; ++i)
      weightGroups.push_back({3 + i});
    Value groupedWeight = tensor::ExpandShapeOp::create(
        b, loc, weightType.clone(groupedWeightShape), op.getWeight(),
        weightGroups);

    // Grouped output N x G x M/G x O...
    SmallVector<int64_t> groupedOutShape = {resultType.getDimSize(0), groups,
                                            groupFilters};
    llvm::append_range(groupedOutShape, resultType.getShape().drop_front(2));
    SmallVector<OpFoldResult> groupedOutSizes = {
        outSizes[0], b.getIndexAttr(groups),
        b.getIndexAttr(groupFilters)};
    groupedOutSizes.append(outSizes.begin() + 2, outSizes.end());
    auto groupedOutType = resultType.clone(groupedOutShape);
    Value init =
        createFilled(b, loc, groupedOutType, groupedOutSizes, zero);

    // Loops: n, g, m, o_1..o_s, c, k_1..k_s.
    int64_t numParallel = 3 + spatial;
    int64_t c = numParallel, numLoops = numParallel + 1 + spatial;
    auto dim = [&](int64_t d) { return getAffineDimExpr(d, ctx); };
    SmallVector<AffineExpr> inExprs = {dim(0), dim(1), dim(c)};
    SmallVector<AffineExpr> wExprs = {dim(1), dim(2), dim(c)};
    SmallVector<AffineExpr> outExprs = {dim(0), dim(1), dim(2)};
    for (int64_t i = 0; i < spatial; ++i) {
      AffineExpr o = dim(3 + i), kk = dim(c + 1 + i);
      inExprs.push_back(o * op.getStrides()[i] + kk * op.getDilations()[i]);
      wExprs.push_back(kk);
      outExprs.push_back(o);
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, inExprs, ctx),
                                   AffineMap::get(numLoops, 0, wExprs, ctx),
                                   AffineMap::get(numLoops, 0, outExprs, ctx)};
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{groupedOutType},
        ValueRange{groupedInput, groupedWeight}, ValueRange{init}, maps,
        makeIterators(numParallel, 1 + spatial),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(b, l, addF(b, l, args[2], product));
        });
    SmallVector<ReassociationIndices> outGroups = {{0}, {1, 2}};
    for (int64_t i = 0; i < spatial; ++i)
      outGroups.push_back({3 + i});
    return tensor::CollapseShapeOp::create(b, loc, resultType,
                                           generic.getResult(0), outGroups);

}

/// The most taps a window (depthwise convolution, pooling) is unrolled into.
constexpr int64_t kMaxWindowTaps = 49;

int64_t getTapCount(ArrayRef<int64_t> kernel) {
  int64_t taps = 1;
  for (int64_t size : kernel)
    taps *= size;
  return taps;
}

/// One strided view of the padded input `padded` (N x C x S...) per window
/// tap, in the window loop's order (last window dimension fastest): view t
/// holds, at each output position, the input element that position reads
/// at tap t (starting at k * dilation, stepping by the stride). `taps`
/// receives each tap's window position.
SmallVector<Value> createWindowTapViews(OpBuilder &b, Location loc,
                                        Value padded,
                                        ArrayRef<OpFoldResult> outSizes,
                                        ArrayRef<int64_t> kernel,
                                        ArrayRef<int64_t> strides,
                                        ArrayRef<int64_t> dilations,
                                        SmallVectorImpl<SmallVector<int64_t>> &taps) {
  int64_t spatial = kernel.size();
  SmallVector<OpFoldResult> sizes(outSizes);
  sizes[1] = tensor::getMixedSize(b, loc, padded, 1);
  SmallVector<OpFoldResult> steps(2, b.getIndexAttr(1));
  for (int64_t stride : strides)
    steps.push_back(b.getIndexAttr(stride));
  SmallVector<Value> views;
  SmallVector<int64_t> tap(spatial, 0);
  for (int64_t t = 0, e = getTapCount(kernel); t < e; ++t) {
    SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0));
    for (int64_t i = 0; i < spatial; ++i)
      offsets.push_back(b.getIndexAttr(tap[i] * dilations[i]));
    views.push_back(
        tensor::ExtractSliceOp::create(b, loc, padded, offsets, sizes, steps));
    taps.push_back(tap);
    for (int64_t i = spatial - 1; i >= 0; --i) {
      if (++tap[i] < kernel[i])
        break;
      tap[i] = 0;
    }
  }
  return views;
}

/// Whether `op` is a floating-point depthwise convolution (one input
/// channel per group and one filter per group) small enough to unroll.
bool isUnrollableDepthwise(ConvOp op) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t groups = op.getGroup();
  return groups > 1 && weightType.getDimSize(1) == 1 &&
         weightType.getDimSize(0) == groups &&
         getTapCount(weightType.getShape().drop_front(2)) <= kMaxWindowTaps &&
         isa<FloatType>(weightType.getElementType());
}

/// out[n, c, ...] = the sum over taps t, in order, of taps[t][n, c, ...] *
/// weight[c, 0, positions[t]...]: one all-parallel generic of `type` whose
/// operands are each tap (read through the identity) and the weight at the
/// tap's constant window position.
linalg::GenericOp createWeightedTapSum(OpBuilder &b, Location loc,
                                       ValueRange taps,
                                       ArrayRef<SmallVector<int64_t>> positions,
                                       Value weight, RankedTensorType type,
                                       ArrayRef<OpFoldResult> sizes) {
  MLIRContext *ctx = b.getContext();
  int64_t numLoops = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(numLoops);
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  for (auto [tap, position] : llvm::zip_equal(taps, positions)) {
    SmallVector<AffineExpr> wExprs = {getAffineDimExpr(1, ctx),
                                      getAffineConstantExpr(0, ctx)};
    for (int64_t index : position)
      wExprs.push_back(getAffineConstantExpr(index, ctx));
    operands.append({tap, weight});
    maps.append({identity, AffineMap::get(numLoops, 0, wExprs, ctx)});
  }
  maps.push_back(identity);
  Value init = createEmpty(b, loc, type, sizes);
  return linalg::GenericOp::create(
      b, loc, TypeRange{type}, operands, ValueRange{init}, maps,
      makeIterators(numLoops, 0),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value sum;
        for (size_t t = 0; t < taps.size(); ++t) {
          Value product =
              arith::MulFOp::create(nb, l, args[2 * t], args[2 * t + 1]);
          sum = sum ? addF(nb, l, sum, product) : product;
        }
        linalg::YieldOp::create(nb, l, sum);
      });
}

/// A depthwise convolution as one all-parallel generic over (n, c, o...)
/// whose operands are, per window tap, the tap's view of the padded input
/// (createWindowTapViews) and the weight at the tap's constant position;
/// the body sums the products in the window loop's order. The window
/// generic would keep a reduction loop innermost or, reordered, load and
/// store the output row once per tap; here a row's sums stay in registers,
/// the innermost loop is the output's contiguous one, and the generic
/// fuses with the bias and activation that follow like any elementwise op.
Value createDepthwiseTaps(OpBuilder &b, Location loc, ConvOp op, Value input,
                          RankedTensorType resultType,
                          ArrayRef<OpFoldResult> outSizes) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  SmallVector<SmallVector<int64_t>> taps;
  SmallVector<Value> views = createWindowTapViews(
      b, loc, input, outSizes, weightType.getShape().drop_front(2),
      op.getStrides(), op.getDilations(), taps);
  linalg::GenericOp generic = createWeightedTapSum(
      b, loc, views, taps, op.getWeight(), resultType, outSizes);
  // The taps are elementwise: they join the convolution's fusion group,
  // which otherwise starts at the bias add (see FusionGroupPropagator).
  if (Attribute group = op->getAttr(kFusionGroupAttr))
    generic->setAttr(kFusionGroupAttr, group);
  return generic.getResult(0);
}

/// A depthwise convolution over planes narrower than this runs on the
/// flattened padded plane (createFlatDepthwiseTaps): an output row of 7 or
/// 14 would leave the vectorized loop mostly its scalar remainder.
constexpr int64_t kFlatDepthwiseMaxWidth = 8;
/// The flat output's length is rounded up to whole vectors of this many.
constexpr int64_t kFlatDepthwiseAlignment = 16;

/// Whether a target's depthwise micro-kernel (the CPU target's
/// tessera-depthwise-to-microkernel) can take `op`'s window taps: fp32,
/// undilated and at most TESSERA_DEPTHWISE_MAX_KERNEL taps per side. (Its
/// fusion group is checked by the caller.)
bool fitsDepthwiseKernel(ConvOp op) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  return weightType.getElementType().isF32() &&
         llvm::all_of(op.getDilations(), [](int64_t d) { return d == 1; }) &&
         llvm::all_of(weightType.getShape().drop_front(2), [](int64_t extent) {
           return extent <= TESSERA_DEPTHWISE_MAX_KERNEL;
         });
}

} // namespace

void mlir::tessera::markDepthwiseKernelConvolutions(Operation *root) {
  // A convolution's fusion group may hold only the Relu or Clip the kernel
  // applies besides it; other ops fused with it (a HardSwish) would be
  // left to loops. One walk counts each group's other ops, instead of a
  // scan of the block per convolution.
  DenseMap<std::pair<Block *, Attribute>, int64_t> nonActivations;
  root->walk([&](Operation *op) {
    if (Attribute group = op->getAttr(kFusionGroupAttr);
        group && !isa<ReluOp, ClipOp>(op))
      ++nonActivations[{op->getBlock(), group}];
  });
  root->walk([&](ConvOp op) {
    Attribute group = op->getAttr(kFusionGroupAttr);
    if (isUnrollableDepthwise(op) && fitsDepthwiseKernel(op) &&
        (!group || nonActivations.lookup({op->getBlock(), group}) == 1))
      op->setAttr(kDepthwiseKernelAttr, UnitAttr::get(op.getContext()));
  });
}

namespace {

/// For a 2-D, unit-stride depthwise convolution over narrow, static planes:
/// the padded plane's row count and width, the flat output's length and
/// the extra zero rows the padded input needs below it so that every tap
/// of the flat output reads inside it.
struct FlatDepthwisePlan {
  int64_t paddedWidth, flatLength, extraRows;
};

std::optional<FlatDepthwisePlan>
getFlatDepthwisePlan(ConvOp op, RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  if (!isUnrollableDepthwise(op) || resultType.getRank() != 4 ||
      llvm::any_of(inputType.getShape().drop_front(2), ShapedType::isDynamic) ||
      llvm::any_of(resultType.getShape().drop_front(2),
                   ShapedType::isDynamic) ||
      llvm::any_of(op.getStrides(), [](int64_t s) { return s != 1; }) ||
      resultType.getDimSize(3) >= kFlatDepthwiseMaxWidth)
    return std::nullopt;
  ArrayRef<int64_t> pads = op.getPads(), dilations = op.getDilations();
  int64_t paddedHeight = inputType.getDimSize(2) + pads[0] + pads[2];
  int64_t paddedWidth = inputType.getDimSize(3) + pads[1] + pads[3];
  int64_t rows = resultType.getDimSize(2);
  int64_t flatLength = llvm::alignTo(rows * paddedWidth,
                                     kFlatDepthwiseAlignment);
  int64_t lastTap = (weightType.getDimSize(2) - 1) * dilations[0] *
                        paddedWidth +
                    (weightType.getDimSize(3) - 1) * dilations[1];
  int64_t missing = flatLength + lastTap - paddedHeight * paddedWidth;
  return FlatDepthwisePlan{paddedWidth, flatLength,
                           std::max<int64_t>(0, llvm::divideCeil(
                                                    missing, paddedWidth))};
}

/// A narrow-plane depthwise convolution (getFlatDepthwisePlan) on each
/// channel's padded plane flattened to one row: output position p = y * PW
/// + x reads input p + kh * dh * PW + kw * dw at each tap, so the taps are
/// contiguous slices of the flat row and the vectorized loop runs over
/// whole vectors of the plane. Positions x >= OW of each row (and the
/// rounding at the end) are computed and dropped; every kept output is
/// the same sum, in the same tap order, as createDepthwiseTaps's.
/// `input` carries the plan's extra rows.
Value createFlatDepthwiseTaps(OpBuilder &b, Location loc, ConvOp op,
                              Value input, RankedTensorType resultType,
                              ArrayRef<OpFoldResult> outSizes,
                              const FlatDepthwisePlan &plan) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  Type elementType = resultType.getElementType();
  int64_t channels = inputType.getDimSize(1);
  int64_t rows = resultType.getDimSize(2), width = resultType.getDimSize(3);
  Value flat = tensor::CollapseShapeOp::create(
      b, loc,
      RankedTensorType::get({inputType.getDimSize(0), channels,
                             inputType.getDimSize(2) * inputType.getDimSize(3)},
                            elementType),
      input, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  auto flatType = RankedTensorType::get(
      {resultType.getDimSize(0), channels, plan.flatLength}, elementType);
  SmallVector<OpFoldResult> sizes = {outSizes[0], b.getIndexAttr(channels),
                                     b.getIndexAttr(plan.flatLength)};
  SmallVector<OpFoldResult> unit(3, b.getIndexAttr(1));
  ArrayRef<int64_t> dilations = op.getDilations();
  SmallVector<Value> taps;
  SmallVector<SmallVector<int64_t>> positions;
  for (int64_t kh = 0; kh < weightType.getDimSize(2); ++kh)
    for (int64_t kw = 0; kw < weightType.getDimSize(3); ++kw) {
      int64_t shift = kh * dilations[0] * plan.paddedWidth + kw * dilations[1];
      SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0),
                                           b.getIndexAttr(shift)};
      taps.push_back(
          tensor::ExtractSliceOp::create(b, loc, flat, offsets, sizes, unit));
      positions.push_back({kh, kw});
    }
  Value sums = createWeightedTapSum(b, loc, taps, positions, op.getWeight(),
                                    flatType, sizes)
                   .getResult(0);
  SmallVector<OpFoldResult> zeros(3, b.getIndexAttr(0));
  SmallVector<OpFoldResult> rowSizes = {outSizes[0], b.getIndexAttr(channels),
                                        b.getIndexAttr(rows * plan.paddedWidth)};
  Value kept = tensor::ExtractSliceOp::create(b, loc, sums, zeros, rowSizes,
                                              unit);
  Value planes = tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({resultType.getDimSize(0), channels, rows,
                             plan.paddedWidth},
                            elementType),
      kept, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  SmallVector<OpFoldResult> planeSizes = {outSizes[0], b.getIndexAttr(channels),
                                          b.getIndexAttr(rows),
                                          b.getIndexAttr(width)};
  return tensor::ExtractSliceOp::create(
      b, loc, resultType, planes, SmallVector<OpFoldResult>(4, b.getIndexAttr(0)),
      planeSizes, SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
}

/// The largest im2col block (bytes) a blocked convolution materializes: a
/// block stays in L2 between its copy and the product that reads it.
constexpr int64_t kIm2colBlockBytes = 512 * 1024;
/// A block of fewer output pixels would leave the micro-kernel's 32-wide
/// column panels partly empty.
constexpr int64_t kMinIm2colBlockPixels = 128;

/// The im2col columns of `input` (the padded input, or a band of its rows)
/// for `rows` output rows: N x C*KH*KW x rows*OW. A copy with affine
/// indexing, loops (n, c, ky, kx, y, x) reading input[n, c, y * sy + ky *
/// dy, x * sx + kx * dx], so the inner loop over x reads a contiguous row
/// (for unit stride) and no index is computed by division.
Value createIm2col(OpBuilder &b, Location loc, ConvOp op, Value input,
                   OpFoldResult batch, int64_t rows, int64_t ow) {
  MLIRContext *ctx = b.getContext();
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  auto inputType = cast<RankedTensorType>(input.getType());
  Type elementType = inputType.getElementType();
  int64_t channels = weightType.getDimSize(1);
  int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
  ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, ctx); };
  auto windowType = RankedTensorType::get(
      {inputType.getDimSize(0), channels, kh, kw, rows, ow}, elementType);
  Value init = createEmpty(b, loc, windowType,
                           {batch, b.getIndexAttr(channels), b.getIndexAttr(kh),
                            b.getIndexAttr(kw), b.getIndexAttr(rows),
                            b.getIndexAttr(ow)});
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0,
                     {dim(0), dim(1), dim(4) * strides[0] + dim(2) * dilations[0],
                      dim(5) * strides[1] + dim(3) * dilations[1]},
                     ctx),
      b.getMultiDimIdentityMap(6)};
  Value windows =
      linalg::GenericOp::create(
          b, loc, TypeRange{windowType}, ValueRange{input}, ValueRange{init},
          maps, makeIterators(6, 0),
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(nb, l, args[0]);
          })
          .getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc,
      RankedTensorType::get(
          {inputType.getDimSize(0), channels * kh * kw, rows * ow},
          elementType),
      windows, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
}

/// out[n, m, p] += w[m, q] * col[n, q, p] (loops n, m, p, q), multiplying
/// input by weight as the window form does.
Value createWeightProduct(OpBuilder &b, Location loc, Value weights,
                          Value columns, Value init) {
  MLIRContext *ctx = b.getContext();
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, ctx); };
  SmallVector<AffineMap> maps = {
      AffineMap::get(4, 0, {dim(1), dim(3)}, ctx),
      AffineMap::get(4, 0, {dim(0), dim(3), dim(2)}, ctx),
      AffineMap::get(4, 0, {dim(0), dim(1), dim(2)}, ctx)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{weights, columns},
             ValueRange{init}, maps, makeIterators(3, 1),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value mul = arith::MulFOp::create(nb, l, args[1], args[0]);
               linalg::YieldOp::create(nb, l, addF(nb, l, args[2], mul));
             })
      .getResult(0);
}

/// Output rows per im2col block: the most that divide OH, keep the block
/// within kIm2colBlockBytes and give at least kMinIm2colBlockPixels pixels;
/// OH (one block: no loop) when no such count is smaller.
int64_t getIm2colBlockRows(int64_t oh, int64_t ow, int64_t window,
                           int64_t elementBytes) {
  int64_t budget = kIm2colBlockBytes / (window * ow * elementBytes);
  for (int64_t rows = std::min(budget, oh - 1); rows >= 1; --rows)
    if (oh % rows == 0)
      return rows * ow >= kMinIm2colBlockPixels ? rows : oh;
  return oh;
}

/// A 2-D, ungrouped convolution as a matrix product: the input windows
/// are laid out as columns (im2col, N x C*KH*KW x OH*OW; a plain reshape
/// for 1x1 kernels with stride 1), and the weights (M x C*KH*KW) multiply
/// them. The reduction index q = (c, kh, kw) runs in the order of the
/// window loop's (c, kh, kw), so every sum is the same as the window
/// form's; the product's output rows are OH*OW long and contiguous, which
/// vectorizes where the window form's OW-long rows (7 or 14 in late CNN
/// stages) or strided reads do not. When the columns outgrow L2 they are
/// built and multiplied a band of output rows at a time (an scf.for):
/// the product then reads them from L2, not from memory.
Value createConvAsMatmul(OpBuilder &b, Location loc, ConvOp op, Value input,
                         RankedTensorType resultType,
                         ArrayRef<OpFoldResult> outSizes) {
  auto paddedType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  Type elementType = resultType.getElementType();
  int64_t filters = weightType.getDimSize(0);
  int64_t channels = weightType.getDimSize(1);
  int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
  int64_t oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  int64_t window = channels * kh * kw;
  ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
  OpFoldResult batch = outSizes[0];

  auto productType = RankedTensorType::get(
      {resultType.getDimSize(0), filters, oh * ow}, elementType);
  SmallVector<OpFoldResult> productSizes = {batch, b.getIndexAttr(filters),
                                            b.getIndexAttr(oh * ow)};
  // The weights as M x C*KH*KW.
  auto collapseWeights = [&]() -> Value {
    return tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({filters, window}, elementType),
        op.getWeight(), SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  };
  auto expand = [&](Value product) {
    return tensor::ExpandShapeOp::create(
        b, loc, resultType, product,
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  };

  bool pointwise = kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1 &&
                   paddedType.getDimSize(2) == oh &&
                   paddedType.getDimSize(3) == ow;
  int64_t blockRows = getIm2colBlockRows(
      oh, ow, window, elementType.getIntOrFloatBitWidth() / 8);
  if (pointwise || blockRows == oh) {
    Value columns =
        pointwise
            ? Value(tensor::CollapseShapeOp::create(
                  b, loc,
                  RankedTensorType::get(
                      {resultType.getDimSize(0), window, oh * ow}, elementType),
                  input, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}}))
            : createIm2col(b, loc, op, input, batch, oh, ow);
    Value weights = collapseWeights();
    Value init = createFilled(b, loc, productType, productSizes,
                              createScalar(b, loc, elementType, 0));
    return expand(createWeightProduct(b, loc, weights, columns, init));
  }
  // Each band zeroes its own block of the output just before its product,
  // while the block is in cache; a zeroed whole output would be one more
  // pass over memory (and, shared by convolutions of one shape, a copy).
  Value weights = collapseWeights();
  Value zero = createScalar(b, loc, elementType, 0);
  Value init = createEmpty(b, loc, productType, productSizes);

  // Bands of blockRows output rows read input rows [y0 * sy, y0 * sy +
  // bandHeight) and write output pixels [y0 * OW, (y0 + blockRows) * OW).
  int64_t bandHeight = (blockRows - 1) * strides[0] + (kh - 1) * dilations[0] + 1;
  SmallVector<OpFoldResult> one(3, b.getIndexAttr(1));
  auto loop = scf::ForOp::create(
      b, loc, arith::ConstantIndexOp::create(b, loc, 0),
      arith::ConstantIndexOp::create(b, loc, oh),
      arith::ConstantIndexOp::create(b, loc, blockRows), ValueRange{init},
      [&](OpBuilder &nb, Location l, Value row, ValueRange carried) {
        Value firstInputRow = arith::MulIOp::create(
            nb, l, row, arith::ConstantIndexOp::create(nb, l, strides[0]));
        SmallVector<OpFoldResult> bandOffsets = {
            nb.getIndexAttr(0), nb.getIndexAttr(0), firstInputRow,
            nb.getIndexAttr(0)};
        SmallVector<OpFoldResult> bandSizes = {
            batch, nb.getIndexAttr(channels), nb.getIndexAttr(bandHeight),
            nb.getIndexAttr(paddedType.getDimSize(3))};
        Value band = tensor::ExtractSliceOp::create(
            nb, l, input, bandOffsets, bandSizes,
            SmallVector<OpFoldResult>(4, nb.getIndexAttr(1)));
        Value columns = createIm2col(nb, l, op, band, batch, blockRows, ow);
        Value firstPixel = arith::MulIOp::create(
            nb, l, row, arith::ConstantIndexOp::create(nb, l, ow));
        SmallVector<OpFoldResult> outOffsets = {
            nb.getIndexAttr(0), nb.getIndexAttr(0), firstPixel};
        SmallVector<OpFoldResult> outBlock = {
            batch, nb.getIndexAttr(filters), nb.getIndexAttr(blockRows * ow)};
        Value block = tensor::ExtractSliceOp::create(
            nb, l, carried.front(), outOffsets, outBlock, one);
        Value accumulator =
            linalg::FillOp::create(nb, l, zero, block).getResult(0);
        Value product =
            createWeightProduct(nb, l, weights, columns, accumulator);
        Value next = tensor::InsertSliceOp::create(
            nb, l, product, carried.front(), outOffsets, outBlock, one);
        scf::YieldOp::create(nb, l, next);
      });
  return expand(loop.getResult(0));
}

/// `value` (rank 1, per channel) reshaped to C x 1 x ... x 1 so that numpy
/// broadcasting puts it on dimension 1 of a tensor of `rank`.
Value asChannelVector(OpBuilder &b, Location loc, Value value, int64_t rank) {
  auto type = cast<RankedTensorType>(value.getType());
  if (rank <= 2)
    return value;
  SmallVector<int64_t> shape = {type.getDimSize(0)};
  shape.append(rank - 2, 1);
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i < rank - 1; ++i)
    groups[0].push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), value, groups);
}

/// Whether every dimension but the batch of the result and of the padded
/// input is static.
bool hasStaticChannelsAndSpatialSizes(RankedTensorType resultType,
                                      RankedTensorType paddedType) {
  return llvm::none_of(resultType.getShape().drop_front(1),
                       ShapedType::isDynamic) &&
         llvm::none_of(paddedType.getShape().drop_front(1),
                       ShapedType::isDynamic);
}

/// Whether `op` is a convolution the CPU target's Winograd kernel computes
/// (tessera-conv-to-microkernel): fp32, 2-D, ungrouped, 3x3, stride 1,
/// undilated, with static channels and spatial sizes (any batch).
bool isWinogradConvolution(ConvOp op, RankedTensorType resultType,
                           RankedTensorType paddedType) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  return resultType.getElementType().isF32() && resultType.getRank() == 4 &&
         op.getGroup() == 1 && weightType.getDimSize(2) == 3 &&
         weightType.getDimSize(3) == 3 &&
         llvm::all_of(op.getStrides(), [](int64_t s) { return s == 1; }) &&
         llvm::all_of(op.getDilations(), [](int64_t d) { return d == 1; }) &&
         hasStaticChannelsAndSpatialSizes(resultType, paddedType);
}

/// Whether `op` is a convolution the CPU target's direct kernel computes
/// (tessera-conv-to-microkernel): fp32, 2-D, ungrouped, undilated, of a
/// shape isDirectConvolutionShape takes (a network's stem, whose short
/// windows im2col and the matrix product handle poorly), with static
/// channels and spatial sizes (any batch).
bool isDirectConvolution(ConvOp op, RankedTensorType resultType,
                         RankedTensorType paddedType) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  return resultType.getElementType().isF32() && resultType.getRank() == 4 &&
         op.getGroup() == 1 &&
         isDirectConvolutionShape(weightType.getDimSize(1),
                                  weightType.getDimSize(2),
                                  weightType.getDimSize(3), op.getStrides(),
                                  TESSERA_SGEMM_KC) &&
         llvm::all_of(op.getDilations(), [](int64_t d) { return d == 1; }) &&
         hasStaticChannelsAndSpatialSizes(resultType, paddedType);
}

struct ConvOpLowering : OpRewritePattern<ConvOp> {
  ConvOpLowering(MLIRContext *context, const NeuralNetLoweringOptions &options)
      : OpRewritePattern(context), options(options) {}
  NeuralNetLoweringOptions options;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    Type elementType = resultType.getElementType();
    int64_t spatial = resultType.getRank() - 2;
    int64_t groups = op.getGroup();
    if (weightType.isDynamicDim(0) || weightType.isDynamicDim(1) ||
        llvm::any_of(weightType.getShape().drop_front(2), ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "weight shape must be static");
    int64_t filters = weightType.getDimSize(0);
    SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));

    Value zero = createScalar(rewriter, loc, elementType, 0);
    std::optional<FlatDepthwisePlan> flatPlan;
    if (options.flatNarrowDepthwise || !op->hasAttr(kDepthwiseKernelAttr))
      flatPlan = getFlatDepthwisePlan(op, resultType);
    SmallVector<int64_t> extraEnd(spatial, 0);
    if (flatPlan)
      extraEnd[0] = flatPlan->extraRows;
    Value input = padSpatial(rewriter, loc, op.getInput(), op.getPads(),
                             extraEnd, zero);
    auto paddedType = cast<RankedTensorType>(input.getType());

    SmallVector<OpFoldResult> outSizes = getWindowOutputSizes(
        rewriter, loc, resultType, input, rewriter.getIndexAttr(filters),
        kernel, op.getStrides(), op.getDilations());
    Value result;
    // The few-channel test first: a 3x3 stride-1 stem gains nothing from
    // Winograd (its products would sum over 3 channels).
    bool direct = options.directConvolutions &&
                  isDirectConvolution(op, resultType, paddedType);
    if (direct || (options.winogradConvolutions &&
                   isWinogradConvolution(op, resultType, paddedType))) {
      // The named op is the whole convolution in one piece, which the
      // target's pass recognizes on buffers (dilations are 1, its default,
      // and so are strides unless given).
      Value init;
      if (direct) {
        // A stem's output gets a buffer of its own, not an empty tensor:
        // CSE would share an empty of its shape with the next layer (a
        // depthwise convolution or pool of stride 1), which would then
        // write the buffer that its pad reads, and the target's kernel
        // could not read that pad's source in place (MobileNetV2's first
        // depthwise convolution kept its padded copy: 151 us at 1
        // thread). Not for Winograd's: an empty lets them write into a
        // concatenation in place (SqueezeNet's expansions).
        SmallVector<Value> dynamicSizes;
        for (auto [dim, size] : llvm::enumerate(outSizes))
          if (resultType.isDynamicDim(dim))
            dynamicSizes.push_back(
                getValueOrCreateConstantIndexOp(rewriter, loc, size));
        Value buffer = bufferization::AllocTensorOp::create(
            rewriter, loc, resultType, dynamicSizes);
        init = linalg::FillOp::create(rewriter, loc, zero, buffer).getResult(0);
      } else {
        init = createFilled(rewriter, loc, resultType, outSizes, zero);
      }
      SmallVector<NamedAttribute> strides;
      if (!llvm::all_of(op.getStrides(), [](int64_t s) { return s == 1; }))
        strides.push_back(rewriter.getNamedAttr(
            "strides", rewriter.getI64TensorAttr(op.getStrides())));
      result = linalg::Conv2DNchwFchwOp::create(
                   rewriter, loc, TypeRange{resultType},
                   ValueRange{input, op.getWeight()}, ValueRange{init},
                   strides)
                   .getResult(0);
    } else if (groups == 1 && spatial == 2 &&
               hasStaticChannelsAndSpatialSizes(resultType, paddedType))
      result = createConvAsMatmul(rewriter, loc, op, input, resultType,
                                  outSizes);
    else if (flatPlan)
      result = createFlatDepthwiseTaps(rewriter, loc, op, input, resultType,
                                       outSizes, *flatPlan);
    else if (isUnrollableDepthwise(op))
      result =
          createDepthwiseTaps(rewriter, loc, op, input, resultType, outSizes);
    else
      result = createWindowConv(rewriter, loc, op, input, resultType, outSizes);

    if (Value bias = op.getBias()) {
      Value expanded =
          asChannelVector(rewriter, loc, bias, resultType.getRank());
      result = createElementwise(
          rewriter, loc, resultType, ValueRange{result, expanded},
          [](OpBuilder &b, Location l, ValueRange args) {
            return addF(b, l, args[0], args[1]);
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Einsum: one linalg.generic with a loop per letter (output letters
/// first), each operand read through the map of its letters, the product
/// summed into the output.
struct EinsumOpLowering : OpRewritePattern<EinsumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(EinsumOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    StringRef equation = op.getEquation();
    auto [lhs, out] = equation.split("->");
    SmallVector<StringRef> terms;
    lhs.split(terms, ',');
    if (terms.size() != op.getInputs().size())
      return rewriter.notifyMatchFailure(op, "operand count mismatch");
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    bool isFloat = isa<FloatType>(elementType);
    std::string letters = out.str();
    for (StringRef term : terms)
      for (char c : term)
        if (letters.find(c) == std::string::npos)
          letters.push_back(c);
    int64_t numLoops = letters.size();
    auto mapOf = [&](StringRef term) {
      SmallVector<AffineExpr> exprs;
      for (char c : term)
        exprs.push_back(getAffineDimExpr(letters.find(c), ctx));
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps;
    for (StringRef term : terms)
      maps.push_back(mapOf(term));
    maps.push_back(mapOf(out));
    SmallVector<OpFoldResult> sizes;
    for (char c : out) {
      for (auto [term, input] : llvm::zip(terms, op.getInputs())) {
        size_t pos = term.find(c);
        if (pos != StringRef::npos) {
          sizes.push_back(tensor::getMixedSize(rewriter, loc, input, pos));
          break;
        }
      }
    }
    Value init = createFilled(rewriter, loc, resultType, sizes,
                              createScalar(rewriter, loc, elementType, 0));
    SmallVector<utils::IteratorType> iterators(out.size(),
                                               utils::IteratorType::parallel);
    iterators.append(numLoops - out.size(), utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, op.getInputs(), ValueRange{init},
        maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value product = args[0];
          for (Value arg : args.drop_front().drop_back())
            product = isFloat ? Value(arith::MulFOp::create(b, l, product, arg))
                              : Value(arith::MulIOp::create(b, l, product, arg));
          Value sum = isFloat
                          ? Value(arith::AddFOp::create(b, l, args.back(), product))
                          : Value(arith::AddIOp::create(b, l, args.back(), product));
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// ConvTranspose as a convolution: the input is spread out by the strides
/// (zeros in between) and padded by dilation * (k - 1) - pad, the weights
/// are regrouped to M x C/G x K... and flipped in space; the result is a
/// stride-1 tessera.conv, lowered by the pattern above. Pads larger than
/// the kernel's reach become a crop of the result.
struct ConvTransposeOpLowering : OpRewritePattern<ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    int64_t spatial = inputType.getRank() - 2;
    if (!weightType.hasStaticShape() ||
        llvm::any_of(inputType.getShape().drop_front(1), ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(
          op, "needs static weights and static channel/spatial sizes");
    int64_t groups = op.getGroup();
    int64_t channels = weightType.getDimSize(0);
    int64_t groupFilters = weightType.getDimSize(1);
    int64_t filters = groupFilters * groups;
    int64_t groupChannels = channels / groups;
    ArrayRef<int64_t> strides = op.getStrides(), pads = op.getPads(),
                      dilations = op.getDilations(),
                      outputPadding = op.getOutputPadding();

    // Spread and pad the input: N x C x (lo + (in-1)*s + 1 + hi).
    SmallVector<int64_t> lo, hi, cropLo, cropHi, spreadShape = {
        inputType.getDimSize(0), channels};
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t k = weightType.getDimSize(2 + i);
      int64_t reach = dilations[i] * (k - 1);
      int64_t l = reach - pads[i];
      int64_t h = reach - pads[spatial + i] + outputPadding[i];
      lo.push_back(std::max<int64_t>(l, 0));
      hi.push_back(std::max<int64_t>(h, 0));
      cropLo.push_back(std::max<int64_t>(-l, 0));
      cropHi.push_back(std::max<int64_t>(-h, 0));
      spreadShape.push_back(lo.back() +
                            (inputType.getDimSize(2 + i) - 1) * strides[i] + 1 +
                            hi.back());
    }
    auto spreadType = inputType.clone(spreadShape);
    SmallVector<OpFoldResult> spreadSizes = {
        tensor::getMixedSize(rewriter, loc, op.getInput(), 0),
        rewriter.getIndexAttr(channels)};
    for (int64_t i = 0; i < spatial; ++i)
      spreadSizes.push_back(rewriter.getIndexAttr(spreadShape[2 + i]));
    Value zero = createScalar(rewriter, loc, elementType, 0);
    Value spread = createFilled(rewriter, loc, spreadType, spreadSizes, zero);
    SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0),
                                         rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> sliceStrides = {rewriter.getIndexAttr(1),
                                              rewriter.getIndexAttr(1)};
    for (int64_t i = 0; i < spatial; ++i) {
      offsets.push_back(rewriter.getIndexAttr(lo[i]));
      sliceStrides.push_back(rewriter.getIndexAttr(strides[i]));
    }
    spread = tensor::InsertSliceOp::create(
        rewriter, loc, op.getInput(), spread, offsets,
        getSizes(rewriter, loc, op.getInput()), sliceStrides);

    // Weights C x M/G x K... -> M x C/G x K..., flipped in space.
    SmallVector<int64_t> convWeightShape = {filters, groupChannels};
    for (int64_t i = 0; i < spatial; ++i)
      convWeightShape.push_back(weightType.getDimSize(2 + i));
    auto convWeightType = weightType.clone(convWeightShape);
    Value weight = op.getWeight();
    SmallVector<OpFoldResult> convWeightSizes;
    for (int64_t size : convWeightShape)
      convWeightSizes.push_back(rewriter.getIndexAttr(size));
    Value convWeight = createFromIndices(
        rewriter, loc, convWeightType, convWeightSizes,
        [&](OpBuilder &b, Location l, ValueRange indices) -> Value {
          Value gf = arith::ConstantIndexOp::create(b, l, groupFilters);
          Value gc = arith::ConstantIndexOp::create(b, l, groupChannels);
          Value group = arith::DivUIOp::create(b, l, indices[0], gf);
          SmallVector<Value> coords = {
              arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, group, gc),
                                    indices[1]),
              arith::RemUIOp::create(b, l, indices[0], gf)};
          for (int64_t i = 0; i < spatial; ++i) {
            Value last = arith::ConstantIndexOp::create(
                b, l, weightType.getDimSize(2 + i) - 1);
            coords.push_back(arith::SubIOp::create(b, l, last, indices[2 + i]));
          }
          return tensor::ExtractOp::create(b, l, weight, coords);
        });

    SmallVector<int64_t> convShape = {resultType.getDimSize(0), filters};
    for (int64_t i = 0; i < spatial; ++i)
      convShape.push_back(spreadShape[2 + i] -
                          dilations[i] * (weightType.getDimSize(2 + i) - 1));
    auto convType = resultType.clone(convShape);
    SmallVector<int64_t> ones(spatial, 1), noPads(2 * spatial, 0);
    Value result = ConvOp::create(
        rewriter, loc, convType, spread, convWeight, op.getBias(),
        rewriter.getDenseI64ArrayAttr(ones), rewriter.getDenseI64ArrayAttr(noPads),
        rewriter.getDenseI64ArrayAttr(dilations),
        rewriter.getI64IntegerAttr(groups));
    if (llvm::any_of(cropLo, [](int64_t v) { return v != 0; }) ||
        llvm::any_of(cropHi, [](int64_t v) { return v != 0; })) {
      SmallVector<OpFoldResult> cropOffsets = {rewriter.getIndexAttr(0),
                                               rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> cropSizes = {
          tensor::getMixedSize(rewriter, loc, result, 0),
          rewriter.getIndexAttr(filters)};
      for (int64_t i = 0; i < spatial; ++i) {
        cropOffsets.push_back(rewriter.getIndexAttr(cropLo[i]));
        cropSizes.push_back(
            rewriter.getIndexAttr(convShape[2 + i] - cropLo[i] - cropHi[i]));
      }
      SmallVector<OpFoldResult> unit(spatial + 2, rewriter.getIndexAttr(1));
      result = tensor::ExtractSliceOp::create(rewriter, loc, resultType, result,
                                              cropOffsets, cropSizes, unit);
    }
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Max and average pooling over the padded input: the window unrolled into
/// its taps (createPoolTaps) when it is small and the elements are floats,
/// else a window reduction (createPoolWindow).
template <typename OpTy>
struct PoolLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    int64_t spatial = resultType.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      pads = op.getPads(), dilations = op.getDilations();

    // ceil_mode windows may run past the padded input; pad enough to cover
    // them (those positions never win a max and are not counted in an
    // average).
    SmallVector<int64_t> extraEnd(spatial, 0);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = inputType.getDimSize(2 + i), out = resultType.getDimSize(2 + i);
      if (!op.getCeilMode())
        continue;
      if (ShapedType::isDynamic(in) || ShapedType::isDynamic(out))
        return rewriter.notifyMatchFailure(
            op, "ceil_mode with a dynamic spatial size");
      int64_t needed = (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
      extraEnd[i] = std::max<int64_t>(0, needed - (in + pads[i] + pads[spatial + i]));
    }
    Value padValue = isMax ? createLowest(rewriter, loc, elementType)
                           : createScalar(rewriter, loc, elementType, 0);
    Value input =
        padSpatial(rewriter, loc, op.getInput(), pads, extraEnd, padValue);
    SmallVector<OpFoldResult> outSizes;
    if (op.getCeilMode()) {
      for (int64_t d = 0; d < resultType.getRank(); ++d)
        outSizes.push_back(tensor::getMixedSize(rewriter, loc, op.getInput(), 0));
      for (int64_t d = 1; d < resultType.getRank(); ++d)
        outSizes[d] = rewriter.getIndexAttr(resultType.getDimSize(d));
      if (!resultType.isDynamicDim(1))
        outSizes[1] = rewriter.getIndexAttr(resultType.getDimSize(1));
      else
        outSizes[1] = tensor::getMixedSize(rewriter, loc, op.getInput(), 1);
    } else {
      outSizes = getWindowOutputSizes(
          rewriter, loc, resultType, input,
          tensor::getMixedSize(rewriter, loc, op.getInput(), 1), kernel,
          strides, dilations);
    }
    Value result;
    if (getTapCount(kernel) <= kMaxWindowTaps && isa<FloatType>(elementType))
      result = createPoolTaps(rewriter, loc, input, resultType, outSizes,
                              kernel, strides, dilations);
    else
      result = createPoolWindow(rewriter, loc, input, resultType, outSizes,
                                kernel, strides, dilations, padValue);
    if constexpr (!isMax)
      result = divideByWindowCount(rewriter, loc, op, result, resultType);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The window unrolled: one all-parallel generic over (n, c, o...) whose
  /// operands are the taps' views of the padded input, combined in the
  /// window loop's order (see createDepthwiseTaps for why).
  static Value createPoolTaps(OpBuilder &b, Location loc, Value input,
                              RankedTensorType resultType,
                              ArrayRef<OpFoldResult> outSizes,
                              ArrayRef<int64_t> kernel,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilations) {
    constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
    int64_t width = cast<RankedTensorType>(input.getType()).getShape().back();
    // A 2-D max window with a stride along the rows is separable: the max
    // over each column of kh rows first (unit-stride reads along the row),
    // then over kw of those along the output row. Only the second pass reads
    // with the stride, which vectorizes as gathers: kw per output instead of
    // kh * kw (3x3 stride 2: 3 instead of 9). Max is exact in any order.
    if (isMax && kernel.size() == 2 && kernel[0] > 1 && kernel[1] > 1 &&
        strides[1] > 1 && !ShapedType::isDynamic(width)) {
      SmallVector<OpFoldResult> columnSizes(outSizes);
      columnSizes[3] = b.getIndexAttr(width);
      SmallVector<int64_t> columnShape(resultType.getShape());
      columnShape[3] = width;
      Value columns = combineTaps(
          b, loc, input, resultType.clone(columnShape), columnSizes,
          {kernel[0], 1}, {strides[0], 1}, {dilations[0], 1});
      return combineTaps(b, loc, columns, resultType, outSizes,
                         {1, kernel[1]}, {1, strides[1]}, {1, dilations[1]});
    }
    return combineTaps(b, loc, input, resultType, outSizes, kernel, strides,
                       dilations);
  }

  /// One all-parallel generic combining the taps' views of `input`.
  static Value combineTaps(OpBuilder &b, Location loc, Value input,
                           RankedTensorType resultType,
                           ArrayRef<OpFoldResult> outSizes,
                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilations) {
    constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
    SmallVector<SmallVector<int64_t>> taps;
    SmallVector<Value> views = createWindowTapViews(
        b, loc, input, outSizes, kernel, strides, dilations, taps);
    SmallVector<AffineMap> maps(views.size() + 1,
                                b.getMultiDimIdentityMap(resultType.getRank()));
    Value init = createEmpty(b, loc, resultType, outSizes);
    return linalg::GenericOp::create(
               b, loc, TypeRange{resultType}, views, ValueRange{init}, maps,
               makeIterators(resultType.getRank(), 0),
               [&](OpBuilder &b, Location l, ValueRange args) {
                 Value combined = args[0];
                 for (Value tap : args.drop_front().drop_back())
                   combined =
                       isMax ? Value(arith::MaximumFOp::create(b, l, combined,
                                                               tap))
                             : addF(b, l, combined, tap);
                 linalg::YieldOp::create(b, l, combined);
               })
        .getResult(0);
  }

  /// The window as reduction loops over a shape-only `window` operand that
  /// gives the kernel loops their bounds: large windows and integers.
  static Value createPoolWindow(OpBuilder &b, Location loc, Value input,
                                RankedTensorType resultType,
                                ArrayRef<OpFoldResult> outSizes,
                                ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations, Value padValue) {
    constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
    MLIRContext *ctx = b.getContext();
    Type elementType = resultType.getElementType();
    int64_t spatial = kernel.size();
    Value init = createFilled(b, loc, resultType, outSizes, padValue);
    Value window = tensor::EmptyOp::create(b, loc, kernel, elementType);
    // Loops: n, c, o_1..o_s, k_1..k_s.
    int64_t numParallel = 2 + spatial, numLoops = numParallel + spatial;
    auto dim = [&](int64_t d) { return getAffineDimExpr(d, ctx); };
    SmallVector<AffineExpr> inExprs = {dim(0), dim(1)}, winExprs,
                            outExprs = {dim(0), dim(1)};
    for (int64_t i = 0; i < spatial; ++i) {
      AffineExpr o = dim(2 + i), kk = dim(numParallel + i);
      inExprs.push_back(o * strides[i] + kk * dilations[i]);
      winExprs.push_back(kk);
      outExprs.push_back(o);
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, inExprs, ctx),
                                   AffineMap::get(numLoops, 0, winExprs, ctx),
                                   AffineMap::get(numLoops, 0, outExprs, ctx)};
    return linalg::GenericOp::create(
               b, loc, TypeRange{resultType}, ValueRange{input, window},
               ValueRange{init}, maps, makeIterators(numParallel, spatial),
               [&](OpBuilder &b, Location l, ValueRange args) {
                 Value combined =
                     isMax ? Value(arith::MaximumFOp::create(b, l, args[2],
                                                             args[0]))
                           : addF(b, l, args[2], args[0]);
                 linalg::YieldOp::create(b, l, combined);
               })
        .getResult(0);
  }

  /// Each output of an average pool divides by the number of window
  /// positions inside the input (or inside the padded input with
  /// count_include_pad), never counting ceil_mode's overhang.
  static Value divideByWindowCount(PatternRewriter &rewriter, Location loc,
                                   AvgPoolOp op, Value sums,
                                   RankedTensorType resultType) {
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      pads = op.getPads(), dilations = op.getDilations();
    int64_t spatial = static_cast<int64_t>(kernel.size());
    Type elementType = resultType.getElementType();
    SmallVector<Value> inputSizes;
    for (int64_t i = 0; i < spatial; ++i)
      inputSizes.push_back(
          tensor::DimOp::create(rewriter, loc, op.getInput(), 2 + i));
    bool includePad = op.getCountIncludePad();
    return createElementwise(
        rewriter, loc, resultType, ValueRange{sums},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value count = arith::ConstantIndexOp::create(b, l, 1);
          for (int64_t i = 0; i < spatial; ++i) {
            // Window [start, start + k) clipped to [lo, hi).
            Value o = linalg::IndexOp::create(b, l, 2 + i);
            Value start = arith::SubIOp::create(
                b, l,
                arith::MulIOp::create(
                    b, l, o, arith::ConstantIndexOp::create(b, l, strides[i])),
                arith::ConstantIndexOp::create(b, l, pads[i]));
            // Taps start + t * dilation, t in [0, k), that fall in [lo, hi):
            // t from ceil((lo - start) / d) to floor((hi - 1 - start) / d).
            Value lo = arith::ConstantIndexOp::create(
                b, l, includePad ? -pads[i] : 0);
            Value hi = inputSizes[i];
            if (includePad)
              hi = arith::AddIOp::create(
                  b, l, hi,
                  arith::ConstantIndexOp::create(b, l, pads[spatial + i]));
            Value d = arith::ConstantIndexOp::create(b, l, dilations[i]);
            Value zero = arith::ConstantIndexOp::create(b, l, 0);
            Value one = arith::ConstantIndexOp::create(b, l, 1);
            Value first = arith::MaxSIOp::create(
                b, l, zero,
                arith::CeilDivSIOp::create(
                    b, l, arith::SubIOp::create(b, l, lo, start), d));
            Value last = arith::MinSIOp::create(
                b, l, arith::ConstantIndexOp::create(b, l, kernel[i] - 1),
                arith::FloorDivSIOp::create(
                    b, l,
                    arith::SubIOp::create(
                        b, l, arith::SubIOp::create(b, l, hi, one), start),
                    d));
            Value extent = arith::MaxSIOp::create(
                b, l, zero,
                arith::AddIOp::create(
                    b, l, arith::SubIOp::create(b, l, last, first), one));
            count = arith::MulIOp::create(b, l, count, extent);
          }
          Value countF = arith::SIToFPOp::create(
              b, l, elementType,
              arith::IndexCastOp::create(b, l, b.getI64Type(), count));
          return arith::DivFOp::create(b, l, args[0], countF);
        });
  }
  static Value divideByWindowCount(PatternRewriter &, Location, MaxPoolOp,
                                   Value sums, RankedTensorType) {
    return sums;
  }
};

//===----------------------------------------------------------------------===//
// Normalizations and softmax
//===----------------------------------------------------------------------===//

struct BatchNormOpLowering : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    Type elementType = resultType.getElementType();
    SmallVector<Value> operands = {op.getInput()};
    for (Value v : {op.getScale(), op.getBias(), op.getMean(), op.getVariance()})
      operands.push_back(asChannelVector(rewriter, loc, v, rank));
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = createElementwise(
        rewriter, loc, resultType, operands,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value eps = createScalar(b, l, elementType, epsilon);
          Value centered = arith::SubFOp::create(b, l, args[0], args[3]);
          Value stddev =
              math::SqrtOp::create(b, l, arith::AddFOp::create(b, l, args[4], eps));
          Value normalized = arith::DivFOp::create(b, l, centered, stddev);
          return addF(b, l, arith::MulFOp::create(b, l, normalized, args[1]),
                      args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Elementwise over `input` with `reduced` (a reduction over `axes`)
/// broadcast back along the reduced dimensions.
Value combineWithReduced(OpBuilder &b, Location loc, Value input,
                         ArrayRef<Value> reduced, ArrayRef<int64_t> axes,
                         const ScalarBodyBuilder &body) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  SmallVector<Value> operands = {input};
  for (Value r : reduced) {
    maps.push_back(getKeptDimsMap(b.getContext(), rank, axes));
    operands.push_back(r);
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = createEmpty(b, loc, type, getSizes(b, loc, input));
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, operands, ValueRange{init}, maps,
             makeIterators(rank, 0),
             [&](OpBuilder &nested, Location l, ValueRange args) {
               linalg::YieldOp::create(nested, l,
                                       body(nested, l, args.drop_back()));
             })
      .getResult(0);
}

/// Dimensions `axis` ... `rank` - 1, those a normalization reduces.
SmallVector<int64_t> getAxesFrom(int64_t axis, int64_t rank) {
  return llvm::to_vector(llvm::seq<int64_t>(axis, rank));
}

struct LayerNormOpLowering : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    SmallVector<int64_t> axes = getAxesFrom(op.getAxis(), type.getRank());
    Value zero = createScalar(rewriter, loc, elementType, 0);
    Value count = createReducedCount(rewriter, loc, input, axes, elementType);
    auto add = [](OpBuilder &b, Location l, Value acc, Value x) {
      return addF(b, l, acc, x);
    };
    Value sum = createReduction(rewriter, loc, input, axes, zero, add);
    auto reducedType = cast<RankedTensorType>(sum.getType());
    Value mean = createElementwise(
        rewriter, loc, reducedType, ValueRange{sum},
        [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::DivFOp::create(b, l, args[0], count);
        });
    Value centered = combineWithReduced(
        rewriter, loc, input, {mean}, axes,
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::SubFOp::create(b, l, args[0], args[1]);
        });
    Value squares = createReduction(
        rewriter, loc, centered, axes, zero, add,
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::MulFOp::create(b, l, args[0], args[0]);
        });
    double epsilon = op.getEpsilon().convertToDouble();
    // d / sqrt(var + eps), as exporters decompose it (and as
    // tessera-recognize-ops finds it): the same rounding as the unfused
    // graph. (math.rsqrt would also become a call to rsqrtf, which libm
    // does not have.)
    Value stdDev = createElementwise(
        rewriter, loc, reducedType, ValueRange{squares},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value variance = arith::DivFOp::create(b, l, args[0], count);
          Value eps = createScalar(b, l, elementType, epsilon);
          return math::SqrtOp::create(b, l, addF(b, l, variance, eps));
        });
    Value normalized = combineWithReduced(
        rewriter, loc, centered, {stdDev}, axes,
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::DivFOp::create(b, l, args[0], args[1]);
        });
    SmallVector<Value> operands = {normalized, op.getScale()};
    if (op.getBias())
      operands.push_back(op.getBias());
    Value result = createElementwise(
        rewriter, loc, type, operands,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value scaled = arith::MulFOp::create(b, l, args[0], args[1]);
          return args.size() > 2 ? addF(b, l, scaled, args[2]) : scaled;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct RmsNormOpLowering : OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RmsNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    SmallVector<int64_t> axes = getAxesFrom(op.getAxis(), type.getRank());
    Value count = createReducedCount(rewriter, loc, input, axes, elementType);
    Value squares = createReduction(
        rewriter, loc, input, axes, createScalar(rewriter, loc, elementType, 0),
        [](OpBuilder &b, Location l, Value acc, Value x) {
          return addF(b, l, acc, x);
        },
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::MulFOp::create(b, l, args[0], args[0]);
        });
    double epsilon = op.getEpsilon().convertToDouble();
    // 1 / sqrt(mean + eps), the exported form (see LayerNormOpLowering on
    // rsqrt).
    Value inverse = createElementwise(
        rewriter, loc, cast<RankedTensorType>(squares.getType()),
        ValueRange{squares}, [&](OpBuilder &b, Location l, ValueRange args) {
          Value mean = arith::DivFOp::create(b, l, args[0], count);
          Value root = math::SqrtOp::create(
              b, l, addF(b, l, mean, createScalar(b, l, elementType, epsilon)));
          return arith::DivFOp::create(
              b, l, createScalar(b, l, elementType, 1), root);
        });
    Value normalized = combineWithReduced(
        rewriter, loc, input, {inverse}, axes,
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::MulFOp::create(b, l, args[0], args[1]);
        });
    Value result = createElementwise(
        rewriter, loc, type, ValueRange{normalized, op.getScale()},
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::MulFOp::create(b, l, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename OpTy, bool isLog>
struct SoftmaxLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    Type elementType = getElementTypeOrSelf(input.getType());
    SmallVector<int64_t> axes = {static_cast<int64_t>(op.getAxis())};
    Value max = createReduction(
        rewriter, loc, input, axes, createLowest(rewriter, loc, elementType),
        [](OpBuilder &b, Location l, Value acc, Value x) {
          return arith::MaximumFOp::create(b, l, acc, x);
        });
    if (!isLog) {
      // exp(x - max) once, for the sum and the quotients: computed in the
      // sum's body and again in the quotient's, it doubled the work of an
      // exp that is about 20 operations per element once approximated.
      // The exps and the quotients are the same values; the sum, whose adds
      // tessera-reassociate-inner-sums marks reassoc, is grouped as the
      // vectorizer chooses for its loop (BERT's outputs did not change).
      Value exps = combineWithReduced(
          rewriter, loc, input, {max}, axes,
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return math::ExpOp::create(
                b, l, arith::SubFOp::create(b, l, args[0], args[1]));
          });
      Value sum = createReduction(
          rewriter, loc, exps, axes,
          createScalar(rewriter, loc, elementType, 0),
          [](OpBuilder &b, Location l, Value acc, Value x) {
            return addF(b, l, acc, x);
          });
      rewriter.replaceOp(
          op, combineWithReduced(rewriter, loc, exps, {sum}, axes,
                                 [](OpBuilder &b, Location l,
                                    ValueRange args) -> Value {
                                   return arith::DivFOp::create(b, l, args[0],
                                                                args[1]);
                                 }));
      return success();
    }
    Value shifted = combineWithReduced(
        rewriter, loc, input, {max}, axes,
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::SubFOp::create(b, l, args[0], args[1]);
        });
    Value sum = createReduction(
        rewriter, loc, shifted, axes, createScalar(rewriter, loc, elementType, 0),
        [](OpBuilder &b, Location l, Value acc, Value x) {
          return addF(b, l, acc, x);
        },
        [](OpBuilder &b, Location l, ValueRange args) {
          return math::ExpOp::create(b, l, args[0]);
        });
    Value result = combineWithReduced(
        rewriter, loc, shifted, {sum}, axes,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::SubFOp::create(b, l, args[0],
                                       math::LogOp::create(b, l, args[1]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::tessera::populateNeuralNetToLinalgPatterns(
    RewritePatternSet &patterns, const NeuralNetLoweringOptions &options) {
  patterns.add<ConvOpLowering>(patterns.getContext(), options);
  patterns.add<MatMulOpLowering, EinsumOpLowering, ConvTransposeOpLowering, PoolLowering<MaxPoolOp>,
               PoolLowering<AvgPoolOp>, BatchNormOpLowering,
               LayerNormOpLowering, RmsNormOpLowering,
               SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>>(patterns.getContext());
}
