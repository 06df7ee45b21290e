//===- ReductionToLinalg.cpp - tessera reductions to linalg ---------------===//

#include "LinalgBuilders.h"

#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

namespace {

enum class ReduceKind { Sum, Mean, Max, Min };

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
    auto resultType = cast<RankedTensorType>(op.getType());
    if (op.getKeepdims())
      result = expandReducedDims(rewriter, loc, result,
                                 resultType.clone(resultType.getShape()), axes);
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::tessera::populateReductionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>>(
      patterns.getContext());
}
