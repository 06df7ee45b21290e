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
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAORDERCONTRACTIONLOOPS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

/// The interchange that moves the reductions of `op` before the loop of
/// its output's last dimension, or nothing when `op` is not a contraction
/// of that form or already in that order.
/// Whether the body is `out + x * y` (float or integer, possibly through
/// casts of x and y) with x and y elements of two different operands: what
/// matrix products, convolutions and einsums compute. Other reductions (a
/// fused sum of squares, say) keep their order: interchanging would make
/// them walk their input across rows.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  Value out = body.getArguments().back();
  Operation *add = body.getTerminator()->getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddFOp, arith::AddIOp>(add))
    return false;
  auto inputOf = [&](Value factor) -> Value {
    while (Operation *cast = factor.getDefiningOp()) {
      if (!isa<arith::ExtFOp, arith::ExtSIOp, arith::ExtUIOp, arith::SIToFPOp,
               arith::UIToFPOp>(cast))
        return nullptr;
      factor = cast->getOperand(0);
    }
    auto arg = dyn_cast<BlockArgument>(factor);
    if (!arg || arg.getOwner() != &body ||
        arg.getArgNumber() >= op.getNumDpsInputs())
      return nullptr;
    return op.getDpsInputs()[arg.getArgNumber()];
  };
  for (int side = 0; side < 2; ++side) {
    Operation *mul = add->getOperand(1 - side).getDefiningOp();
    if (add->getOperand(side) != out || !mul ||
        !isa<arith::MulFOp, arith::MulIOp>(mul))
      continue;
    Value lhs = inputOf(mul->getOperand(0)), rhs = inputOf(mul->getOperand(1));
    return lhs && rhs && lhs != rhs;
  }
  return false;
}

std::optional<SmallVector<unsigned>> contractionOrder(linalg::GenericOp op) {
  if (op.getNumDpsInputs() < 2 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0 || !isMultiplyAccumulate(op))
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

/// For a plain matrix product (iterators m, n, k; output (m, n)) whose
/// operands outgrow the caches: the generic tiled into blocks of
/// kBlock rows of B and nBlock columns, so that each block of B is reused
/// from cache by every row of A. Tiles run k-blocks in order, so every sum
/// keeps its order. Returns the op to reorder (the tile, or `op`).
linalg::GenericOp blockForCache(RewriterBase &rewriter, linalg::GenericOp op) {
  constexpr int64_t kBlock = 256, nBlock = 256;
  if (op.getNumLoops() != 3 || op.getNumReductionLoops() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return op;
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  // M may be dynamic (a kernel's range of rows); B's size must be known.
  if (ShapedType::isDynamic(bounds[1]) || ShapedType::isDynamic(bounds[2]) ||
      bounds[1] * bounds[2] <= kBlock * nBlock)
    return op;
  scf::SCFTilingOptions options;
  options.setTileSizes({rewriter.getIndexAttr(0), rewriter.getIndexAttr(nBlock),
                        rewriter.getIndexAttr(kBlock)});
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return op;
  rewriter.eraseOp(op);
  return cast<linalg::GenericOp>(tiled->tiledOps.front());
}

struct OrderContractionLoopsPass
    : public tessera::cpu::impl::TesseraOrderContractionLoopsBase<
          OrderContractionLoopsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) { candidates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      if (!contractionOrder(op))
        continue;
      op = blockForCache(rewriter, op);
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
