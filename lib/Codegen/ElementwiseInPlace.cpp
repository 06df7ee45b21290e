//===- ElementwiseInPlace.cpp - elementwise ops over dying inputs ---------===//

#include "tessera/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAELEMENTWISEINPLACE
#include "tessera/Codegen/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;

namespace {

/// Whether `value` is used only by `user`, and is a computed value (the
/// result of a linalg op or a loop, through reshapes that have no other
/// user either) whose buffer may be written over.
bool isDyingComputedValue(Value value, Operation *user) {
  if (!llvm::all_of(value.getUsers(),
                    [&](Operation *op) { return op == user; }))
    return false;
  while (true) {
    Operation *def = value.getDefiningOp();
    if (!def)
      return false;
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def)) {
      value = def->getOperand(0);
      if (!value.hasOneUse())
        return false;
      continue;
    }
    return isa<linalg::LinalgOp, scf::ForOp>(def);
  }
}

/// Whether `value` is, through reshapes, the result of a matrix product or
/// convolution (a linalg op with a reduction, or a loop computing one band
/// by band).
bool isProductResult(Value value) {
  while (auto def = value.getDefiningOp()) {
    if (!isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def)) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(def);
      return isa<scf::ForOp>(def) ||
             (linalgOp && linalgOp.getNumReductionLoops() > 0);
    }
    value = def->getOperand(0);
  }
  return false;
}

/// The input `op` can write over instead of its empty output, if any: a
/// product's result first, so that the op can become the product's
/// epilogue on the CPU (tessera-fuse-product-epilogues).
OpOperand *getReusableInput(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != op.getNumParallelLoops())
    return nullptr;
  OpOperand *init = op.getDpsInitOperand(0);
  AffineMap outputMap = op.getMatchingIndexingMap(init);
  if (!init->get().getDefiningOp<tensor::EmptyOp>() ||
      op.payloadUsesValueFromOperand(init) || !outputMap.isIdentity())
    return nullptr;
  OpOperand *reusable = nullptr;
  for (OpOperand *input : op.getDpsInputOperands())
    if (input->get().getType() == init->get().getType() &&
        op.getMatchingIndexingMap(input) == outputMap &&
        isDyingComputedValue(input->get(), op)) {
      if (isProductResult(input->get()))
        return input;
      if (!reusable)
        reusable = input;
    }
  return reusable;
}

struct ElementwiseInPlacePass
    : public tessera::impl::TesseraElementwiseInPlaceBase<
          ElementwiseInPlacePass> {
  void runOnOperation() override {
    getOperation().walk([](linalg::GenericOp op) {
      if (OpOperand *input = getReusableInput(op))
        op.getDpsInitOperand(0)->set(input->get());
    });
  }
};

} // namespace
