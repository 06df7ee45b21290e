//===- ReassociateInnerSums.cpp - vectorizable innermost float sums -------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAREASSOCIATEINNERSUMS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

/// The float add that folds each element into output `init` of `op`, when
/// that output is a reduction whose only combiner is an `arith.addf`.
arith::AddFOp getSumCombiner(linalg::GenericOp op, unsigned init) {
  SmallVector<Operation *> combiners;
  if (!matchReduction(op.getRegionOutputArgs(), init, combiners) ||
      combiners.size() != 1)
    return nullptr;
  return dyn_cast<arith::AddFOp>(combiners.front());
}

struct ReassociateInnerSumsPass
    : public tessera::cpu::impl::TesseraReassociateInnerSumsBase<
          ReassociateInnerSumsPass> {
  void runOnOperation() override {
    getOperation().walk([](linalg::GenericOp op) {
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      if (iterators.empty() || iterators.back() != utils::IteratorType::reduction)
        return;
      for (unsigned init = 0; init < op.getNumDpsInits(); ++init) {
        arith::AddFOp add = getSumCombiner(op, init);
        if (!add)
          continue;
        add.setFastmath(add.getFastmath() | arith::FastMathFlags::reassoc);
      }
    });
  }
};

} // namespace
