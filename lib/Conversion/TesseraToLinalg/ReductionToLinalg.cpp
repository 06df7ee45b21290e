//===- ReductionToLinalg.cpp - tessera reductions to linalg ---------------===//

#include "LinalgBuilders.h"

#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

namespace {

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

template <typename OpTy, ReduceKind kind>
struct ReduceLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    Type elementType = getElementTypeOrSelf(input.getType());
    if (elementType.isUnsignedInteger())
      return rewriter.notifyMatchFailure(
          op, "unsigned element types are not lowered yet");
    bool isFloat = isa<FloatType>(elementType);
    ArrayRef<int64_t> axes = op.getAxes();

    Value identity;
    CombineBuilder combine;
    switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      identity = createScalar(rewriter, loc, elementType, 0);
      combine = [isFloat](OpBuilder &b, Location l, Value acc, Value x) {
        return isFloat ? Value(arith::AddFOp::create(b, l, acc, x))
                       : Value(arith::AddIOp::create(b, l, acc, x));
      };
      break;
    case ReduceKind::Prod:
      identity = createScalar(rewriter, loc, elementType, 1);
      combine = [isFloat](OpBuilder &b, Location l, Value acc, Value x) {
        return isFloat ? Value(arith::MulFOp::create(b, l, acc, x))
                       : Value(arith::MulIOp::create(b, l, acc, x));
      };
      break;
    case ReduceKind::Max:
      identity = createLowest(rewriter, loc, elementType);
      combine = [isFloat](OpBuilder &b, Location l, Value acc, Value x) {
        return isFloat ? Value(arith::MaximumFOp::create(b, l, acc, x))
                       : Value(arith::MaxSIOp::create(b, l, acc, x));
      };
      break;
    case ReduceKind::Min:
      identity = createHighest(rewriter, loc, elementType);
      combine = [isFloat](OpBuilder &b, Location l, Value acc, Value x) {
        return isFloat ? Value(arith::MinimumFOp::create(b, l, acc, x))
                       : Value(arith::MinSIOp::create(b, l, acc, x));
      };
      break;
    }
    Value result =
        createReduction(rewriter, loc, input, axes, identity, combine);
    auto reducedType = cast<RankedTensorType>(result.getType());
    if (kind == ReduceKind::Mean) {
      Value count = createReducedCount(rewriter, loc, input, axes, elementType);
      result = createElementwise(
          rewriter, loc, reducedType, ValueRange{result},
          [&](OpBuilder &b, Location l, ValueRange args) {
            return isFloat ? Value(arith::DivFOp::create(b, l, args[0], count))
                           : Value(arith::DivSIOp::create(b, l, args[0], count));
          });
    }
    rewriter.replaceOp(op, finishReduction(rewriter, loc, result,
                                           cast<RankedTensorType>(op.getType()),
                                           axes, op.getKeepdims()));
    return success();
  }
};

/// ArgMax/ArgMin: one reduction carrying the best value and its index.
template <typename OpTy>
struct ArgReduceLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, ArgMaxOp>;
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    Type elementType = inputType.getElementType();
    if (elementType.isUnsignedInteger())
      return rewriter.notifyMatchFailure(
          op, "unsigned element types are not lowered yet");
    bool isFloat = isa<FloatType>(elementType);
    int64_t rank = inputType.getRank(), axis = op.getAxis();
    SmallVector<int64_t> axes = {axis};
    KeptDims kept = getKeptDims(rewriter, loc, input, axes);
    auto valueType = RankedTensorType::get(kept.shape, elementType);
    auto indexType = RankedTensorType::get(kept.shape, rewriter.getI64Type());
    Value values = createFilled(
        rewriter, loc, valueType, kept.sizes,
        isMax ? createLowest(rewriter, loc, elementType)
              : createHighest(rewriter, loc, elementType));
    Value indices = createFilled(rewriter, loc, indexType, kept.sizes,
                                 createScalar(rewriter, loc,
                                              rewriter.getI64Type(), 0));
    AffineMap keptMap = getKeptDimsMap(rewriter.getContext(), rank, axes);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    bool last = op.getSelectLastIndex();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType}, ValueRange{input},
        ValueRange{values, indices},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank), keptMap,
                               keptMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value better;
          if (isFloat)
            better = arith::CmpFOp::create(
                b, l,
                isMax ? (last ? arith::CmpFPredicate::OGE
                              : arith::CmpFPredicate::OGT)
                      : (last ? arith::CmpFPredicate::OLE
                              : arith::CmpFPredicate::OLT),
                x, best);
          else
            better = arith::CmpIOp::create(
                b, l,
                isMax ? (last ? arith::CmpIPredicate::sge
                              : arith::CmpIPredicate::sgt)
                      : (last ? arith::CmpIPredicate::sle
                              : arith::CmpIPredicate::slt),
                x, best);
          // The first element always wins, so that an all-NaN or
          // all-extreme row still reports a valid index.
          Value position = linalg::IndexOp::create(b, l, axis);
          Value first = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq, position,
              arith::ConstantIndexOp::create(b, l, 0));
          better = arith::OrIOp::create(b, l, better, first);
          Value index =
              arith::IndexCastOp::create(b, l, b.getI64Type(), position);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, better, x, best),
                         arith::SelectOp::create(b, l, better, index,
                                                 bestIndex)});
        });
    Value result = generic.getResult(1);
    rewriter.replaceOp(op, finishReduction(rewriter, loc, result,
                                           cast<RankedTensorType>(op.getType()),
                                           axes, op.getKeepdims()));
    return success();
  }
};

/// CumSum as a masked reduction over a second copy of the axis:
/// out[.., i, ..] = sum_j in[.., j, ..] for j <= i (j < i exclusive; j >= i
/// reversed). Quadratic in the axis length, which is short in practice.
struct CumSumOpLowering : OpRewritePattern<CumSumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CumSumOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = op.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    if (elementType.isUnsignedInteger())
      return rewriter.notifyMatchFailure(
          op, "unsigned element types are not lowered yet");
    bool isFloat = isa<FloatType>(elementType);
    int64_t rank = type.getRank(), axis = op.getAxis();
    // Loops: the output dims, then j.
    int64_t j = rank;
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t d = 0; d < rank; ++d) {
      inExprs.push_back(getAffineDimExpr(d == axis ? j : d, ctx));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    Value init = createFilled(rewriter, loc, type, getSizes(rewriter, loc, input),
                              createScalar(rewriter, loc, elementType, 0));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    arith::CmpIPredicate predicate =
        reverse ? (exclusive ? arith::CmpIPredicate::sgt
                             : arith::CmpIPredicate::sge)
                : (exclusive ? arith::CmpIPredicate::slt
                             : arith::CmpIPredicate::sle);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{input}, ValueRange{init},
        SmallVector<AffineMap>{AffineMap::get(rank + 1, 0, inExprs, ctx),
                               AffineMap::get(rank + 1, 0, outExprs, ctx)},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value included = arith::CmpIOp::create(
              b, l, predicate, linalg::IndexOp::create(b, l, j),
              linalg::IndexOp::create(b, l, axis));
          Value term = arith::SelectOp::create(
              b, l, included, args[0], createScalar(b, l, elementType, 0));
          Value sum = isFloat ? Value(arith::AddFOp::create(b, l, args[1], term))
                              : Value(arith::AddIOp::create(b, l, args[1], term));
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void mlir::tessera::populateReductionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod>, ArgReduceLowering<ArgMaxOp>,
               ArgReduceLowering<ArgMinOp>, CumSumOpLowering>(
      patterns.getContext());
}
