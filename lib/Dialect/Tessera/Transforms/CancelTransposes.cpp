//===- CancelTransposes.cpp - transposes that move no data or cancel ------===//
//
// A transpose is a copy once lowered; a reshape is a view. Exporters leave
// transposes that only move size-1 dimensions (torch's sequence-first
// attention on a batch of 1), and pairs separated by elementwise ops
// (layout conversions around an activation). The first become reshapes
// (which then merge with neighbouring reshapes); the second meet, and the
// transpose folder composes them into one, or none.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Tessera/IR/TesseraOps.h"
#include "tessera/Dialect/Tessera/Transforms/CancelTransposes.h"
#include "tessera/Dialect/Tessera/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERACANCELTRANSPOSES
#include "tessera/Dialect/Tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {

/// transpose(x) with the dimensions of size other than 1 in their original
/// order -> reshape(x): the elements stay where they are.
struct UnitTransposeToReshape : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (!inputType.hasStaticShape() || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    int64_t last = -1;
    for (int64_t source : op.getPerm()) {
      if (inputType.getDimSize(source) == 1)
        continue;
      if (source < last)
        return rewriter.notifyMatchFailure(op, "moves data");
      last = source;
    }
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, resultType, op.getInput(),
                                           Value(), /*allow_zero=*/false);
    return success();
  }
};

/// The elementwise `op` applied to `operands` (the inputs of the transposes
/// it read) instead: its result takes their shape.
Value cloneOnUntransposed(PatternRewriter &rewriter, Operation *op,
                          ValueRange operands) {
  Operation *moved = rewriter.clone(*op);
  moved->setOperands(operands);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  moved->getResult(0).setType(resultType.clone(
      cast<RankedTensorType>(operands.front().getType()).getShape()));
  return moved->getResult(0);
}

/// f(transpose(x, p)) -> transpose(f(x), p) for a unary elementwise f.
/// Transposes only ever move towards the results (here and over binary ops
/// below), so those on one path meet, and the folder composes them.
struct SinkTransposeThroughUnary : public RewritePattern {
  SinkTransposeThroughUnary(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *unary,
                                PatternRewriter &rewriter) const override {
    if (!unary->hasTrait<OpTrait::Elementwise>() ||
        unary->getNumOperands() != 1 || unary->getNumResults() != 1)
      return failure();
    auto transpose = unary->getOperand(0).getDefiningOp<TransposeOp>();
    if (!transpose || !transpose->hasOneUse())
      return rewriter.notifyMatchFailure(unary, "no transpose of its own");
    rewriter.replaceOpWithNewOp<TransposeOp>(
        unary, unary->getResult(0).getType(),
        cloneOnUntransposed(rewriter, unary, transpose.getInput()),
        transpose.getPermAttr());
    return success();
  }
};

/// f(transpose(a, p), transpose(b, p)) -> transpose(f(a, b), p) for a
/// binary elementwise f of same-shaped operands: two transposes become one.
struct HoistTransposeOverBinary : public RewritePattern {
  HoistTransposeOverBinary(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!op->hasTrait<OpTrait::tessera::BroadcastingElementwise>() ||
        op->getNumOperands() != 2 || op->getNumResults() != 1)
      return failure();
    auto lhs = op->getOperand(0).getDefiningOp<TransposeOp>();
    auto rhs = op->getOperand(1).getDefiningOp<TransposeOp>();
    // With both transposes kept for other users, one more would appear.
    if (!lhs || !rhs || (!lhs->hasOneUse() && !rhs->hasOneUse()) ||
        lhs.getPerm() != rhs.getPerm() ||
        lhs.getType() != rhs.getType() ||
        lhs.getInput().getType() != rhs.getInput().getType() ||
        op->getResult(0).getType() != lhs.getType())
      return rewriter.notifyMatchFailure(op, "not two like transposes");
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, op->getResult(0).getType(),
        cloneOnUntransposed(rewriter, op,
                            ValueRange{lhs.getInput(), rhs.getInput()}),
        lhs.getPermAttr());
    return success();
  }
};

struct CancelTransposesPass
    : public tessera::impl::TesseraCancelTransposesBase<CancelTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateCancelTransposesPatterns(patterns);
    ReshapeOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::tessera::populateCancelTransposesPatterns(
    RewritePatternSet &patterns) {
  patterns.add<UnitTransposeToReshape, SinkTransposeThroughUnary,
               HoistTransposeOverBinary>(patterns.getContext());
}
