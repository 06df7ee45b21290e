//===- PrivatizeFills.cpp - one fill per user of a filled tensor ----------===//

#include "tessera/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAPRIVATIZEFILLS
#include "tessera/Codegen/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;

namespace {
struct PrivatizeFillsPass
    : public tessera::impl::TesseraPrivatizeFillsBase<PrivatizeFillsPass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> shared;
    llvm::DenseMap<Operation *, int64_t> order;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      order[op] = static_cast<int64_t>(order.size());
      auto fill = dyn_cast<linalg::FillOp>(op);
      if (fill && fill.hasPureTensorSemantics() &&
          !fill->getResult(0).hasOneUse() &&
          fill.getOutputs().front().getDefiningOp<tensor::EmptyOp>())
        shared.push_back(fill);
    });
    OpBuilder builder(&getContext());
    for (linalg::FillOp fill : shared) {
      auto empty = fill.getOutputs().front().getDefiningOp<tensor::EmptyOp>();
      // Only a destination written into needs its own copy; reads share.
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : fill->getResult(0).getUses()) {
        auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
        if (dps && dps.isDpsInit(&use))
          uses.push_back(&use);
      }
      if (uses.size() < 2)
        continue;
      // The first such use in program order keeps the original.
      llvm::sort(uses, [&](OpOperand *a, OpOperand *b) {
        return order.lookup(a->getOwner()) < order.lookup(b->getOwner());
      });
      for (OpOperand *use : llvm::drop_begin(uses)) {
        builder.setInsertionPoint(use->getOwner());
        Operation *dest = builder.clone(*empty);
        IRMapping mapping;
        mapping.map(empty.getResult(), dest->getResult(0));
        Operation *copy = builder.clone(*fill, mapping);
        use->set(copy->getResult(0));
      }
    }
  }
};
} // namespace
