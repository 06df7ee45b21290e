//===- DataDependentToLinalg.cpp - ops whose result size is data ---------===//
//
// NonZero, run-time Range and NonMaxSuppression produce a tensor whose size
// is only known once the input values are. NonZero and Range compute the
// size first (a counting reduction, or arithmetic on the scalars), then fill
// a tensor.empty of that size; NonZero's fill appends in row-major order, so
// it is an scf.for nest carrying the output and the next free column.
// NonMaxSuppression appends into a buffer of the largest possible size and
// slices it.
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


/// NonMaxSuppression per (batch, class): up to max_output rounds, each
/// taking the best live box (a loop over the boxes) and clearing the live
/// flag of every box it suppresses. Quadratic in the box count, like the
/// greedy algorithm it is; the selected triples go to a buffer of
/// B * C * N rows that is sliced to the count at the end.
struct NonMaxSuppressionOpLowering : OpRewritePattern<NonMaxSuppressionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NonMaxSuppressionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value boxes = op.getBoxes(), scores = op.getScores();
    Type f = cast<RankedTensorType>(boxes.getType()).getElementType();
    Type i64 = rewriter.getI64Type(), i1 = rewriter.getI1Type();
    bool centered = op.getCenterPointBox();
    auto idx = [&](OpBuilder &b, Location l, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, l, v);
    };
    Value zero = idx(rewriter, loc, 0), one = idx(rewriter, loc, 1);
    Value batches = tensor::DimOp::create(rewriter, loc, boxes, 0);
    Value count = tensor::DimOp::create(rewriter, loc, boxes, 1);
    Value classes = tensor::DimOp::create(rewriter, loc, scores, 1);
    Value maxOutput = castToIndex(
        rewriter, loc,
        tensor::ExtractOp::create(rewriter, loc,
                                  op.getMaxOutputBoxesPerClass()));
    maxOutput = arith::MinSIOp::create(
        rewriter, loc, arith::MaxSIOp::create(rewriter, loc, maxOutput, zero),
        count);
    Value iouThreshold =
        tensor::ExtractOp::create(rewriter, loc, op.getIouThreshold());
    Value scoreThreshold =
        tensor::ExtractOp::create(rewriter, loc, op.getScoreThreshold());
    Value capacity = arith::MulIOp::create(
        rewriter, loc, arith::MulIOp::create(rewriter, loc, batches, classes),
        count);
    auto selectedType = RankedTensorType::get({ShapedType::kDynamic, 3}, i64);
    Value selected = tensor::EmptyOp::create(rewriter, loc,
                                             selectedType.getShape(), i64,
                                             ValueRange{capacity});

    // ymin, xmin, ymax, xmax of box `index` of batch `batch`.
    auto corners = [&](OpBuilder &b, Location l, Value batch, Value index) {
      SmallVector<Value> v;
      for (int64_t k = 0; k < 4; ++k)
        v.push_back(tensor::ExtractOp::create(b, l, boxes,
                                              ValueRange{batch, index,
                                                         idx(b, l, k)}));
      if (centered) {
        // x_center, y_center, width, height
        Value half = arith::ConstantOp::create(b, l, b.getFloatAttr(f, 0.5));
        Value halfW = arith::MulFOp::create(b, l, v[2], half);
        Value halfH = arith::MulFOp::create(b, l, v[3], half);
        return SmallVector<Value>{arith::SubFOp::create(b, l, v[1], halfH),
                                  arith::SubFOp::create(b, l, v[0], halfW),
                                  arith::AddFOp::create(b, l, v[1], halfH),
                                  arith::AddFOp::create(b, l, v[0], halfW)};
      }
      // Any two opposite corners.
      return SmallVector<Value>{arith::MinimumFOp::create(b, l, v[0], v[2]),
                                arith::MinimumFOp::create(b, l, v[1], v[3]),
                                arith::MaximumFOp::create(b, l, v[0], v[2]),
                                arith::MaximumFOp::create(b, l, v[1], v[3])};
    };
    // IoU(a, c) > threshold; boxes without area or overlap never suppress.
    auto suppresses = [&](OpBuilder &b, Location l, ArrayRef<Value> a,
                          ArrayRef<Value> c) -> Value {
      Value fzero = arith::ConstantOp::create(b, l, b.getFloatAttr(f, 0));
      auto extent = [&](Value lo, Value hi) {
        return arith::MaximumFOp::create(
            b, l, arith::SubFOp::create(b, l, hi, lo), fzero);
      };
      Value intersection = arith::MulFOp::create(
          b, l,
          extent(arith::MaximumFOp::create(b, l, a[0], c[0]),
                 arith::MinimumFOp::create(b, l, a[2], c[2])),
          extent(arith::MaximumFOp::create(b, l, a[1], c[1]),
                 arith::MinimumFOp::create(b, l, a[3], c[3])));
      auto area = [&](ArrayRef<Value> box) {
        return arith::MulFOp::create(
            b, l, arith::SubFOp::create(b, l, box[2], box[0]),
            arith::SubFOp::create(b, l, box[3], box[1]));
      };
      Value areaA = area(a), areaC = area(c);
      Value unionArea = arith::SubFOp::create(
          b, l, arith::AddFOp::create(b, l, areaA, areaC), intersection);
      auto positive = [&](Value v) {
        return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, fzero);
      };
      Value valid = arith::AndIOp::create(
          b, l,
          arith::AndIOp::create(b, l, positive(intersection), positive(areaA)),
          arith::AndIOp::create(b, l, positive(areaC), positive(unionArea)));
      Value iou = arith::DivFOp::create(b, l, intersection, unionArea);
      return arith::AndIOp::create(
          b, l, valid,
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, iou,
                                iouThreshold));
    };

    Value liveBuffer = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{ShapedType::kDynamic}, i1,
        ValueRange{count});
    auto batchLoop = scf::ForOp::create(
        rewriter, loc, zero, batches, one,
        ValueRange{selected, zero, liveBuffer},
        [&](OpBuilder &b, Location l, Value batch, ValueRange batchArgs) {
          auto classLoop = scf::ForOp::create(
              b, l, zero, classes, one, batchArgs,
              [&](OpBuilder &b, Location l, Value cls, ValueRange classArgs) {
                auto scoreAt = [&](OpBuilder &b, Location l, Value box) {
                  return tensor::ExtractOp::create(
                      b, l, scores, ValueRange{batch, cls, box});
                };
                // Live: above the score threshold and not yet suppressed.
                // One buffer serves every class (refilled here), since the
                // buffer planner places allocations in the entry block only.
                auto fill = scf::ForOp::create(
                    b, l, zero, count, one, ValueRange{classArgs[2]},
                    [&](OpBuilder &b, Location l, Value box, ValueRange flags) {
                      Value above = arith::CmpFOp::create(
                          b, l, arith::CmpFPredicate::OGT, scoreAt(b, l, box),
                          scoreThreshold);
                      scf::YieldOp::create(
                          b, l,
                          ValueRange{tensor::InsertOp::create(b, l, above,
                                                              flags[0], box)});
                    });
                Value live = fill.getResult(0);
                auto rounds = scf::ForOp::create(
                    b, l, zero, maxOutput, one,
                    ValueRange{classArgs[0], classArgs[1], live},
                    [&](OpBuilder &b, Location l, Value,
                        ValueRange roundArgs) {
                      Value liveFlags = roundArgs[2];
                      // The best live box (the first on ties).
                      Value lowest = createLowest(b, l, f);
                      Value no = arith::ConstantOp::create(
                          b, l, b.getBoolAttr(false));
                      auto search = scf::ForOp::create(
                          b, l, zero, count, one,
                          ValueRange{lowest, zero, no},
                          [&](OpBuilder &b, Location l, Value box,
                              ValueRange best) {
                            Value isLive = tensor::ExtractOp::create(
                                b, l, liveFlags, box);
                            Value score = scoreAt(b, l, box);
                            Value better = arith::AndIOp::create(
                                b, l, isLive,
                                arith::OrIOp::create(
                                    b, l,
                                    arith::XOrIOp::create(
                                        b, l, best[2],
                                        arith::ConstantOp::create(
                                            b, l, b.getBoolAttr(true))),
                                    arith::CmpFOp::create(
                                        b, l, arith::CmpFPredicate::OGT, score,
                                        best[0])));
                            scf::YieldOp::create(
                                b, l,
                                ValueRange{
                                    arith::SelectOp::create(b, l, better, score,
                                                            best[0]),
                                    arith::SelectOp::create(b, l, better, box,
                                                            best[1]),
                                    arith::OrIOp::create(b, l, best[2],
                                                         isLive)});
                          });
                      Value bestBox = search.getResult(1);
                      auto take = scf::IfOp::create(
                          b, l, search.getResult(2),
                          [&](OpBuilder &b, Location l) {
                            Value row = roundArgs[1];
                            Value out = roundArgs[0];
                            SmallVector<Value, 3> triple = {batch, cls,
                                                            bestBox};
                            for (auto [k, v] : llvm::enumerate(triple))
                              out = tensor::InsertOp::create(
                                  b, l,
                                  arith::IndexCastOp::create(b, l, i64, v),
                                  out, ValueRange{row, idx(b, l, k)});
                            SmallVector<Value> kept =
                                corners(b, l, batch, bestBox);
                            auto sweep = scf::ForOp::create(
                                b, l, zero, count, one, ValueRange{liveFlags},
                                [&](OpBuilder &b, Location l, Value box,
                                    ValueRange flags) {
                                  Value isLive = tensor::ExtractOp::create(
                                      b, l, flags[0], box);
                                  Value other = arith::CmpIOp::create(
                                      b, l, arith::CmpIPredicate::ne, box,
                                      bestBox);
                                  Value survives = arith::XOrIOp::create(
                                      b, l,
                                      suppresses(b, l, kept,
                                                 corners(b, l, batch, box)),
                                      arith::ConstantOp::create(
                                          b, l, b.getBoolAttr(true)));
                                  Value stays = arith::AndIOp::create(
                                      b, l, isLive,
                                      arith::AndIOp::create(b, l, other,
                                                            survives));
                                  scf::YieldOp::create(
                                      b, l,
                                      ValueRange{tensor::InsertOp::create(
                                          b, l, stays, flags[0], box)});
                                });
                            scf::YieldOp::create(
                                b, l,
                                ValueRange{out,
                                           arith::AddIOp::create(b, l, row,
                                                                 idx(b, l, 1)),
                                           sweep.getResult(0)});
                          },
                          [&](OpBuilder &b, Location l) {
                            scf::YieldOp::create(b, l, roundArgs);
                          });
                      scf::YieldOp::create(b, l, take.getResults());
                    });
                scf::YieldOp::create(b, l, rounds.getResults());
              });
          scf::YieldOp::create(b, l, classLoop.getResults());
        });
    Value rows = batchLoop.getResult(1);
    SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0),
                                         rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {rows, rewriter.getIndexAttr(3)};
    SmallVector<OpFoldResult> strides = {rewriter.getIndexAttr(1),
                                         rewriter.getIndexAttr(1)};
    Value result = tensor::ExtractSliceOp::create(
        rewriter, loc, selectedType, batchLoop.getResult(0), offsets, sizes,
        strides);
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::tessera::populateDataDependentToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<NonZeroOpLowering, RangeOpLowering,
               NonMaxSuppressionOpLowering>(patterns.getContext());
}
