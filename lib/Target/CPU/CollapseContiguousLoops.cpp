//===- CollapseContiguousLoops.cpp - one loop over contiguous dims --------===//
//
// LLVM vectorizes the innermost loop. In a CNN's later layers that loop is
// a 14- or 7-wide row: a bias-add or activation over 1x576x14x14 then runs
// one 16-lane vector (or none) per row, plus a scalar remainder. The rows
// of a plane are contiguous in every operand, so the plane can be one loop
// of 196 instead: upstream's collapseOpIterationDims does the rewrite; this
// pass decides which loops may merge, given the operands' actual layouts.
// Sums over a plane merge the same way: a global average pool over
// 1000x13x13 (SqueezeNet's) otherwise sums 13-element rows, which LLVM
// vectorized with gathers across them.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERACOLLAPSECONTIGUOUSLOOPS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

/// Whether loops `outer` and `outer + 1` of `op` can be one loop: both
/// parallel or both reductions, and in every operand either neither
/// appears or they index two adjacent dimensions, in order, that are
/// contiguous in memory (the outer stride spans the inner dimension
/// exactly).
bool canMerge(linalg::LinalgOp op, unsigned outer) {
  // collapseOpIterationDims folds loops of one kind only (and leaves the
  // check to its caller). An op's output map already keeps a parallel loop
  // from a reduction one (it indexes one and not the other); this is for
  // parallel loops that the output does not index.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators[outer] != iterators[outer + 1])
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    std::optional<unsigned> outerPos =
        map.getResultPosition(getAffineDimExpr(outer, op.getContext()));
    std::optional<unsigned> innerPos =
        map.getResultPosition(getAffineDimExpr(outer + 1, op.getContext()));
    if (!outerPos && !innerPos)
      continue;
    if (!outerPos || !innerPos || *innerPos != *outerPos + 1)
      return false;
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type)
      return false;
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)))
      return false;
    int64_t innerSize = type.getDimSize(*innerPos);
    if (ShapedType::isDynamic(strides[*outerPos]) ||
        ShapedType::isDynamic(strides[*innerPos]) ||
        ShapedType::isDynamic(innerSize) ||
        strides[*outerPos] != strides[*innerPos] * innerSize)
      return false;
  }
  return true;
}

/// Runs of mergeable loops of `op` (on buffers), or
/// nothing when a map is not a projected permutation. A constant index
/// left in a map (a unit dim that could not be dropped, e.g. of a strided
/// view) rules the op out: collapseOpIterationDims takes every map result
/// to be a loop.
SmallVector<ReassociationIndices> getMergeableLoops(linalg::LinalgOp op) {
  if (op.getNumLoops() < 2 ||
      !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
        return map.isProjectedPermutation(/*allowZeroInResults=*/false);
      }))
    return {};
  SmallVector<ReassociationIndices> runs;
  ReassociationIndices run = {0};
  for (unsigned loop = 0; loop + 1 < op.getNumLoops(); ++loop) {
    if (canMerge(op, loop)) {
      run.push_back(loop + 1);
      continue;
    }
    if (run.size() > 1)
      runs.push_back(run);
    run = {static_cast<int64_t>(loop + 1)};
  }
  if (run.size() > 1)
    runs.push_back(run);
  if (!linalg::areDimSequencesPreserved(op.getIndexingMapsArray(), runs))
    return {};
  return runs;
}

/// Whether the pass may rewrite `op`. Products keep their loops (and unit
/// dims) for tessera-matmul-to-microkernel, which matches them after this
/// pass; other reductions only when every operand is read along its own
/// loops (not a convolution's or a pool's window, whose loops never
/// merge).
bool isCandidate(linalg::LinalgOp op) {
  if (!isa<linalg::GenericOp, linalg::CopyOp>(op.getOperation()) ||
      !op.hasPureBufferSemantics())
    return false;
  if (op.getNumReductionLoops() == 0)
    return true;
  return !linalg::isaContractionOpInterface(op) &&
         llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
           return map.isProjectedPermutation(/*allowZeroInResults=*/true);
         });
}

struct CollapseContiguousLoopsPass
    : public tessera::cpu::impl::TesseraCollapseContiguousLoopsBase<
          CollapseContiguousLoopsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isCandidate(op))
        candidates.push_back(op);
    });
    // A sum's zero fill, which tessera-outline-kernels runs in the sum's
    // kernel only when both write the same view: the rewrites below give
    // the sum a collapsed view of its output.
    DenseMap<Operation *, linalg::FillOp> zeroFills;
    for (linalg::LinalgOp op : candidates)
      if (linalg::FillOp fill = tessera::cpu::getZeroFillOfOutput(op))
        zeroFills[op] = fill;
    IRRewriter rewriter(&getContext());
    auto replace = [&](linalg::LinalgOp op, Operation *replacement,
                       ValueRange results) {
      if (linalg::FillOp fill = zeroFills.lookup(op)) {
        zeroFills.erase(op);
        zeroFills[replacement] = fill;
      }
      rewriter.replaceOp(op, results);
    };
    // Size-1 dimensions first (a per-channel bias is 32x1x1, read at
    // (c, 0, 0)): without them every operand map is a plain projection,
    // which collapseOpIterationDims requires.
    linalg::ControlDropUnitDims unitDims;
    for (linalg::LinalgOp &op : candidates) {
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic)
        continue;
      rewriter.setInsertionPoint(generic);
      FailureOr<linalg::DropUnitDimsResult> dropped =
          linalg::dropUnitDims(rewriter, generic, unitDims);
      if (failed(dropped))
        continue;
      Operation *result = dropped->resultOp.getOperation();
      replace(op, result, dropped->replacements);
      op = cast<linalg::LinalgOp>(result);
    }
    for (linalg::LinalgOp op : candidates) {
      SmallVector<ReassociationIndices> runs = getMergeableLoops(op);
      if (runs.empty())
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, runs, rewriter);
      if (failed(collapsed))
        continue;
      replace(op, collapsed->collapsedOp, collapsed->results);
    }
    // Only ops without memory effects (the new views among them) lie
    // between a fill and its sum (getZeroFillOfOutput), so the fill can
    // move down to the sum and zero its view instead.
    for (auto [op, fill] : zeroFills) {
      auto sum = cast<linalg::LinalgOp>(op);
      Value output = sum.getDpsInits().front();
      if (fill.getOutputs().front() == output)
        continue;
      rewriter.setInsertionPoint(sum);
      linalg::FillOp::create(rewriter, fill.getLoc(), fill.getInputs(),
                             ValueRange{output})
          ->setDiscardableAttrs(fill->getDiscardableAttrDictionary());
      rewriter.eraseOp(fill);
    }
  }
};

} // namespace
