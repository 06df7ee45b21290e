//===- CopyToLinalg.cpp - memref.copy as linalg.copy ----------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERACOPYTOLINALG
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {
/// Whether `a` and `b` are the same memory: one value, or views built by
/// equal ops from the same views. Bufferization writes a slice back into
/// its own place with a copy between two such views.
bool isSameView(Value a, Value b) {
  if (a == b)
    return true;
  Operation *aDef = a.getDefiningOp(), *bDef = b.getDefiningOp();
  if (!aDef || !bDef || !isa<ViewLikeOpInterface>(aDef) ||
      cast<OpResult>(a).getResultNumber() !=
          cast<OpResult>(b).getResultNumber())
    return false;
  return OperationEquivalence::isEquivalentTo(
      aDef, bDef,
      [](Value x, Value y) { return success(isSameView(x, y)); },
      /*markEquivalent=*/nullptr, OperationEquivalence::IgnoreLocations);
}

struct CopyToLinalgPattern : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp copy,
                                PatternRewriter &rewriter) const override {
    if (isSameView(copy.getSource(), copy.getTarget())) {
      rewriter.eraseOp(copy);
      return success();
    }
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                copy.getTarget());
    return success();
  }
};

struct CopyToLinalgPass
    : public tessera::cpu::impl::TesseraCopyToLinalgBase<CopyToLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<CopyToLinalgPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
