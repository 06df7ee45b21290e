//===- ReassociateInnerSums.cpp - vectorizable innermost float sums -------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAREASSOCIATEINNERSUMS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

/// The float add that folds each element into output `init` of `op`: the
/// yielded value, when it is an `arith.addf` with that output's block
/// argument as one operand.
arith::AddFOp getSumCombiner(linalg::GenericOp op, unsigned init) {
  Block &body = op.getRegion().front();
  Value acc = body.getArgument(op.getNumDpsInputs() + init);
  auto add = body.getTerminator()->getOperand(init).getDefiningOp<arith::AddFOp>();
  if (!add || (add.getLhs() != acc && add.getRhs() != acc))
    return nullptr;
  return add;
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
