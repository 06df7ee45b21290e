//===- DataDependentToLinalg.cpp - ops whose result size is data ---------===//
//
// NonZero and run-time Range produce a tensor whose size is only known once
// the input values are: the size is computed first (a counting reduction,
// or arithmetic on the scalars), then a tensor.empty of that size is filled.
// NonZero's fill appends in row-major order, so it is an scf.for nest that
// carries the output tensor and the next free column.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"

#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

namespace {

/// Whether scalar `value` (float, integer or i1) is non-zero.
Value isNonZero(OpBuilder &b, Location loc, Value value) {
  Type type = value.getType();
  Value zero = createScalar(b, loc, type, 0);
  if (isa<FloatType>(type))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                 zero);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
}

struct NonZeroOpLowering : OpRewritePattern<NonZeroOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NonZeroOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    if (rank == 0)
      return rewriter.notifyMatchFailure(op, "0-D input");
    Type i64 = rewriter.getI64Type();

    SmallVector<int64_t> allAxes;
    for (int64_t d = 0; d < rank; ++d)
      allAxes.push_back(d);
    Value counted = createReduction(
        rewriter, loc, input, allAxes, createScalar(rewriter, loc, i64, 0),
        [](OpBuilder &b, Location l, Value acc, Value element) -> Value {
          return arith::AddIOp::create(b, l, acc, element);
        },
        [i64](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::ExtUIOp::create(b, l, i64, isNonZero(b, l, args[0]));
        });
    Value count = castToIndex(rewriter, loc,
                              tensor::ExtractOp::create(rewriter, loc, counted));
    auto resultType = RankedTensorType::get({rank, ShapedType::kDynamic}, i64);
    Value empty = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                          i64, ValueRange{count});

    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lbs(rank, zero), steps(rank, one), ubs;
    for (OpFoldResult size : getSizes(rewriter, loc, input))
      ubs.push_back(materializeIndex(rewriter, loc, size));
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{empty, zero},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange iterArgs) {
          Value element = tensor::ExtractOp::create(b, l, input, ivs);
          auto ifOp = scf::IfOp::create(
              b, l, isNonZero(b, l, element),
              [&](OpBuilder &thenB, Location thenLoc) {
                Value column = iterArgs[1];
                Value result = iterArgs[0];
                for (int64_t d = 0; d < rank; ++d) {
                  Value coordinate = arith::IndexCastOp::create(
                      thenB, thenLoc, i64, ivs[d]);
                  Value row = arith::ConstantIndexOp::create(thenB, thenLoc, d);
                  result = tensor::InsertOp::create(thenB, thenLoc, coordinate,
                                                    result,
                                                    ValueRange{row, column});
                }
                Value next = arith::AddIOp::create(
                    thenB, thenLoc, column,
                    arith::ConstantIndexOp::create(thenB, thenLoc, 1));
                scf::YieldOp::create(thenB, thenLoc, ValueRange{result, next});
              },
              [&](OpBuilder &elseB, Location elseLoc) {
                scf::YieldOp::create(elseB, elseLoc, iterArgs);
              });
          return scf::ValueVector(ifOp.getResults().begin(),
                                  ifOp.getResults().end());
        });
    Value result = nest.results[0];
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct RangeOpLowering : OpRewritePattern<RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RangeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value start = tensor::ExtractOp::create(rewriter, loc, op.getStart());
    Value limit = tensor::ExtractOp::create(rewriter, loc, op.getLimit());
    Value delta = tensor::ExtractOp::create(rewriter, loc, op.getDelta());
    Type element = start.getType();
    bool isFloat = isa<FloatType>(element);
    // max(ceil((limit - start) / delta), 0)
    Value length;
    if (isFloat) {
      Value steps = math::CeilOp::create(
          rewriter, loc,
          arith::DivFOp::create(
              rewriter, loc, arith::SubFOp::create(rewriter, loc, limit, start),
              delta));
      length = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(),
                                       steps);
    } else {
      length = arith::CeilDivSIOp::create(
          rewriter, loc, arith::SubIOp::create(rewriter, loc, limit, start),
          delta);
    }
    length = arith::MaxSIOp::create(
        rewriter, loc, castToIndex(rewriter, loc, length),
        arith::ConstantIndexOp::create(rewriter, loc, 0));
    auto type = RankedTensorType::get({ShapedType::kDynamic}, element);
    Value result = createFromIndices(
        rewriter, loc, type, {OpFoldResult(length)},
        [&](OpBuilder &b, Location l, ValueRange position) -> Value {
          Value i = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                               position[0]);
          if (isFloat) {
            i = arith::SIToFPOp::create(b, l, element, i);
            return arith::AddFOp::create(
                b, l, start, arith::MulFOp::create(b, l, i, delta));
          }
          if (element != i.getType())
            i = arith::TruncIOp::create(b, l, element, i);
          return arith::AddIOp::create(b, l, start,
                                       arith::MulIOp::create(b, l, i, delta));
        });
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::tessera::populateDataDependentToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<NonZeroOpLowering, RangeOpLowering>(patterns.getContext());
}
