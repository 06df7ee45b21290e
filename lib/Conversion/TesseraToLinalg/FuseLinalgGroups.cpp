//===- FuseLinalgGroups.cpp - one loop nest per fusion group --------------===//
//
// The grouping decisions were made on the tessera graph (tessera-fuse-ops);
// here they are carried out with upstream elementwise fusion, restricted to
// producer/consumer pairs of the same group. The fused op keeps the group,
// so a chain fuses link by link.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/Tessera/Transforms/FusionGroups.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAFUSELINALGGROUPS
#include "tessera/Conversion/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {

IntegerAttr groupOf(Operation *op) {
  return op ? op->getAttrOfType<IntegerAttr>(kFusionGroupAttr) : nullptr;
}

struct FuseProducerInSameGroup : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    IntegerAttr group = groupOf(consumer);
    if (!group)
      return failure();
    for (OpOperand &operand : consumer->getOpOperands()) {
      Operation *producer = operand.get().getDefiningOp();
      if (!producer || groupOf(producer) != group ||
          !producer->hasOneUse() || !linalg::areElementwiseOpsFusable(&operand))
        continue;
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, &operand);
      if (failed(fused))
        continue;
      fused->fusedOp->setAttr(kFusionGroupAttr, group);
      for (auto [original, replacement] : fused->replacements)
        rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
          return use.getOwner() != producer;
        });
      rewriter.eraseOp(consumer);
      if (producer->use_empty())
        rewriter.eraseOp(producer);
      return success();
    }
    return failure();
  }
};

struct FuseLinalgGroupsPass
    : public tessera::impl::TesseraFuseLinalgGroupsBase<FuseLinalgGroupsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseProducerInSameGroup>(&getContext());
    // tensor.dim of a producer's result is another user; answered from the
    // producer's operands instead, it no longer keeps the producer alive.
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
