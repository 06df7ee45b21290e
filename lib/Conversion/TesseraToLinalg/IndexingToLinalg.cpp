//===- IndexingToLinalg.cpp - GatherND and scatters ------------------------===//
//
// GatherND reads through computed coordinates (one linalg.generic).
// Scatters write to data-dependent places, which a linalg.generic cannot
// express: they become an scf.for nest over the updates carrying the output
// tensor, one tensor.insert per update (bufferized in place).
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"

#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

namespace {

struct GatherNDOpLowering : OpRewritePattern<GatherNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherNDOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput(), indices = op.getIndices();
    auto indicesType = cast<RankedTensorType>(indices.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t batch = op.getBatchDims();
    int64_t q = indicesType.getRank();
    int64_t k = indicesType.getDimSize(q - 1);
    if (ShapedType::isDynamic(k))
      return rewriter.notifyMatchFailure(op, "index depth must be static");
    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> sizes = getSizes(rewriter, loc, indices);
    sizes.pop_back();
    sizes.append(inputSizes.begin() + batch + k, inputSizes.end());
    Value result = createFromIndices(
        rewriter, loc, resultType, sizes,
        [&](OpBuilder &b, Location l, ValueRange position) -> Value {
          SmallVector<Value> coords(position.begin(), position.begin() + batch);
          SmallVector<Value> indexPosition(position.begin(),
                                           position.begin() + (q - 1));
          indexPosition.push_back(Value());
          for (int64_t j = 0; j < k; ++j) {
            indexPosition.back() = arith::ConstantIndexOp::create(b, l, j);
            Value index = tensor::ExtractOp::create(b, l, indices, indexPosition);
            coords.push_back(wrapNegativeIndex(
                b, l, index,
                materializeIndex(b, l, inputSizes[batch + j])));
          }
          coords.append(position.begin() + (q - 1), position.end());
          return tensor::ExtractOp::create(b, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// DynamicSlice: per dimension, the start and step are looked up among the
/// run-time (axis, start, step) triples, then each result element reads
/// input[start + i * step].
struct DynamicSliceOpLowering : OpRewritePattern<DynamicSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicSliceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto startsType = cast<RankedTensorType>(op.getStarts().getType());
    if (!resultType.hasStaticShape() || !startsType.hasStaticShape())
      return rewriter.notifyMatchFailure(
          op, "needs a static result shape and a static number of axes");
    int64_t rank = resultType.getRank();
    int64_t count = startsType.getDimSize(0);
    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value rankValue = arith::ConstantIndexOp::create(rewriter, loc, rank);
    SmallVector<Value> starts(rank, zero), steps(rank, one);
    for (int64_t i = 0; i < count; ++i) {
      Value position = arith::ConstantIndexOp::create(rewriter, loc, i);
      auto read = [&](Value tensor) {
        return castToIndex(rewriter, loc,
                           tensor::ExtractOp::create(rewriter, loc, tensor,
                                                     ValueRange{position}));
      };
      Value axis = wrapNegativeIndex(rewriter, loc, read(op.getAxes()), rankValue);
      Value start = read(op.getStarts()), step = read(op.getSteps());
      for (int64_t d = 0; d < rank; ++d) {
        Value here = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, axis,
            arith::ConstantIndexOp::create(rewriter, loc, d));
        starts[d] = arith::SelectOp::create(rewriter, loc, here, start, starts[d]);
        steps[d] = arith::SelectOp::create(rewriter, loc, here, step, steps[d]);
      }
    }
    for (int64_t d = 0; d < rank; ++d) {
      // Negative starts count from the end; then clamp to [0, dim] for
      // forward steps and [0, dim - 1] for backward ones.
      Value dim = materializeIndex(rewriter, loc, inputSizes[d]);
      Value start = wrapNegativeIndex(rewriter, loc, starts[d], dim);
      Value backward = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::slt, steps[d], zero);
      Value upper = arith::SelectOp::create(
          rewriter, loc, backward, arith::SubIOp::create(rewriter, loc, dim, one),
          dim);
      starts[d] = arith::MinSIOp::create(
          rewriter, loc, arith::MaxSIOp::create(rewriter, loc, start, zero), upper);
    }
    SmallVector<OpFoldResult> sizes;
    for (int64_t size : resultType.getShape())
      sizes.push_back(rewriter.getIndexAttr(size));
    Value result = createFromIndices(
        rewriter, loc, resultType, sizes,
        [&](OpBuilder &b, Location l, ValueRange position) -> Value {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(arith::AddIOp::create(
                b, l, starts[d], arith::MulIOp::create(b, l, position[d], steps[d])));
          return tensor::ExtractOp::create(b, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The element a scatter writes: the update, or the update combined with
/// what is there.
Value combine(OpBuilder &b, Location loc, ScatterReduction reduction,
              Value old, Value update) {
  bool isFloat = isa<FloatType>(update.getType());
  switch (reduction) {
  case ScatterReduction::none:
    return update;
  case ScatterReduction::add:
    return isFloat ? Value(arith::AddFOp::create(b, loc, old, update))
                   : Value(arith::AddIOp::create(b, loc, old, update));
  case ScatterReduction::mul:
    return isFloat ? Value(arith::MulFOp::create(b, loc, old, update))
                   : Value(arith::MulIOp::create(b, loc, old, update));
  case ScatterReduction::max:
    return isFloat ? Value(arith::MaximumFOp::create(b, loc, old, update))
                   : Value(arith::MaxSIOp::create(b, loc, old, update));
  case ScatterReduction::min:
    return isFloat ? Value(arith::MinimumFOp::create(b, loc, old, update))
                   : Value(arith::MinSIOp::create(b, loc, old, update));
  }
  return update;
}

/// An scf.for nest over every element of `updates`, threading the output
/// tensor (starting as `input`); `coordsOf` maps an update position to
/// the output coordinates it writes.
Value scatterLoop(
    PatternRewriter &rewriter, Location loc, Value input, Value updates,
    ScatterReduction reduction,
    const std::function<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
        &coordsOf) {
  SmallVector<Value> lbs, ubs, steps;
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (OpFoldResult size : getSizes(rewriter, loc, updates)) {
    lbs.push_back(zero);
    ubs.push_back(materializeIndex(rewriter, loc, size));
    steps.push_back(one);
  }
  scf::LoopNest nest = scf::buildLoopNest(
      rewriter, loc, lbs, ubs, steps, ValueRange{input},
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange iterArgs) {
        Value update = tensor::ExtractOp::create(b, l, updates, ivs);
        SmallVector<Value> coords = coordsOf(b, l, ivs);
        Value value = update;
        if (reduction != ScatterReduction::none)
          value = combine(b, l, reduction,
                          tensor::ExtractOp::create(b, l, iterArgs[0], coords),
                          update);
        return scf::ValueVector{
            tensor::InsertOp::create(b, l, value, iterArgs[0], coords)};
      });
  return nest.results.empty() ? input : nest.results[0];
}

struct ScatterElementsOpLowering : OpRewritePattern<ScatterElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScatterElementsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    Value axisSize = tensor::DimOp::create(rewriter, loc, op.getInput(), axis);
    Value indices = op.getIndices();
    Value result = scatterLoop(
        rewriter, loc, op.getInput(), op.getUpdates(), op.getReduction(),
        [&](OpBuilder &b, Location l, ValueRange ivs) {
          SmallVector<Value> coords(ivs.begin(), ivs.end());
          coords[axis] = wrapNegativeIndex(
              b, l, tensor::ExtractOp::create(b, l, indices, ivs), axisSize);
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterNDOpLowering : OpRewritePattern<ScatterNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScatterNDOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput(), indices = op.getIndices();
    auto indicesType = cast<RankedTensorType>(indices.getType());
    int64_t q = indicesType.getRank();
    int64_t k = indicesType.getDimSize(q - 1);
    if (ShapedType::isDynamic(k))
      return rewriter.notifyMatchFailure(op, "index depth must be static");
    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
    Value result = scatterLoop(
        rewriter, loc, input, op.getUpdates(), op.getReduction(),
        [&](OpBuilder &b, Location l, ValueRange ivs) {
          SmallVector<Value> indexPosition(ivs.begin(), ivs.begin() + (q - 1));
          indexPosition.push_back(Value());
          SmallVector<Value> coords;
          for (int64_t j = 0; j < k; ++j) {
            indexPosition.back() = arith::ConstantIndexOp::create(b, l, j);
            coords.push_back(wrapNegativeIndex(
                b, l, tensor::ExtractOp::create(b, l, indices, indexPosition),
                materializeIndex(b, l, inputSizes[j])));
          }
          coords.append(ivs.begin() + (q - 1), ivs.end());
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::tessera::populateIndexingToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<GatherNDOpLowering, DynamicSliceOpLowering,
               ScatterElementsOpLowering,
               ScatterNDOpLowering>(patterns.getContext());
}
