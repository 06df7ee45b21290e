//===- MaterializeResults.cpp - results become owned heap buffers ---------===//

#include "tessera/Codegen/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAMATERIALIZERESULTS
#include "tessera/Codegen/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {
/// A buffer the function allocates itself, whole, in its entry block.
bool isOwnedAllocation(Value value, Block &entry) {
  auto alloc = value.getDefiningOp<memref::AllocOp>();
  return alloc && alloc->getBlock() == &entry &&
         alloc.getType().getLayout().isIdentity();
}

struct MaterializeResultsPass
    : public tessera::impl::TesseraMaterializeResultsBase<
          MaterializeResultsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    func.walk([&](func::ReturnOp ret) {
      OpBuilder builder(ret);
      llvm::SmallPtrSet<Value, 4> returned;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<MemRefType>(value.getType());
        if (!type)
          continue;
        if (isOwnedAllocation(value, entry) && returned.insert(value).second)
          continue;
        Location loc = value.getLoc();
        SmallVector<Value> dynamicSizes;
        for (int64_t d = 0; d < type.getRank(); ++d)
          if (type.isDynamicDim(d))
            dynamicSizes.push_back(memref::DimOp::create(builder, loc, value, d));
        auto allocType = MemRefType::get(type.getShape(), type.getElementType());
        Value copy = memref::AllocOp::create(
            builder, loc, allocType, dynamicSizes,
            builder.getI64IntegerAttr(kBufferAlignment));
        memref::CopyOp::create(builder, loc, value, copy);
        if (copy.getType() != type)
          copy = memref::CastOp::create(builder, loc, type, copy);
        operand.set(copy);
        returned.insert(copy);
      }
    });
  }
};
} // namespace
