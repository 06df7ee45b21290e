//===- OrderContractionLoops.cpp - vectorizable loop order ---------------===//
//
// convert-linalg-to-loops keeps a generic's iterator order. For the
// contractions the lowering emits (m, n, k) that makes the innermost loop a
// reduction into one scalar, which LLVM leaves scalar (vectorizing it would
// reassociate the float sum). With the output's last dimension innermost
// instead, consecutive iterations write consecutive outputs: LLVM's loop
// vectorizer turns them into vector multiply-adds with every sum kept in
// its original order, so results are unchanged bit for bit.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAORDERCONTRACTIONLOOPS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

/// The interchange that moves the reductions of `op` before the loop of
/// its output's last dimension, or nothing when `op` is not a contraction
/// of that form or already in that order.
std::optional<SmallVector<unsigned>> contractionOrder(linalg::GenericOp op) {
  if (op.getNumDpsInputs() < 2 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0)
    return std::nullopt;
  AffineMap output = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!output.isProjectedPermutation() || output.getNumResults() == 0)
    return std::nullopt;
  unsigned last = cast<AffineDimExpr>(output.getResults().back()).getPosition();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> parallel, reduction;
  for (unsigned d = 0; d < iterators.size(); ++d) {
    if (d == last)
      continue;
    (iterators[d] == utils::IteratorType::reduction ? reduction : parallel)
        .push_back(d);
  }
  SmallVector<unsigned> order = parallel;
  llvm::append_range(order, reduction);
  order.push_back(last);
  if (llvm::equal(order, llvm::seq<unsigned>(0, iterators.size())))
    return std::nullopt;
  return order;
}

struct OrderContractionLoopsPass
    : public tessera::cpu::impl::TesseraOrderContractionLoopsBase<
          OrderContractionLoopsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) { candidates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      std::optional<SmallVector<unsigned>> order = contractionOrder(op);
      if (!order)
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, *order)))
        return signalPassFailure();
    }
  }
};

} // namespace
