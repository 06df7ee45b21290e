//===- OutlineWeights.cpp - constants into one weights blob ---------------===//

#include "tessera/Codegen/Passes.h"
#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"

#include "mlir/IR/Builders.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAOUTLINEWEIGHTS
#include "tessera/Codegen/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {
struct OutlineWeightsPass
    : public tessera::impl::TesseraOutlineWeightsBase<OutlineWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto entry = module.lookupSymbol<func::FuncOp>("main");
    if (!entry) {
      module.emitError("tessera-outline-weights: no entry function @main");
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    OpBuilder builder(ctx);
    auto blobType = MemRefType::get({ShapedType::kDynamic}, builder.getI8Type());
    // The package ABI never lets a model write to caller memory.
    for (unsigned i = 0; i < entry.getNumArguments(); ++i)
      if (isa<TensorType>(entry.getArgument(i).getType()))
        entry.setArgAttr(i, "bufferization.writable", builder.getBoolAttr(false));
    if (failed(entry.insertArgument(0, blobType, {}, entry.getLoc())))
      return signalPassFailure();
    Value blob = entry.getArgument(0);

    SmallVector<Attribute> weights;
    SmallVector<int64_t> offsets;
    int64_t size = 0;
    // Identical constants (CSE has merged equal attributes) share a slot.
    llvm::DenseMap<Attribute, int64_t> offsetOf;
    entry.walk([&](arith::ConstantOp constant) {
      auto type = dyn_cast<RankedTensorType>(constant.getType());
      if (!type || !type.hasStaticShape())
        return;
      int64_t elementBytes = getElementByteSize(type.getElementType());
      int64_t bytes = type.getNumElements() * elementBytes;
      if (elementBytes == 0 || bytes < minBytes || bytes == 0)
        return;
      if (!ConstantBytes::get(constant.getValue()))
        return;
      auto [it, inserted] = offsetOf.try_emplace(constant.getValue(), size);
      if (inserted) {
        weights.push_back(constant.getValue());
        offsets.push_back(size);
        size = static_cast<int64_t>(llvm::alignTo(size + bytes, kBufferAlignment));
      }
      builder.setInsertionPoint(constant);
      Location loc = constant.getLoc();
      Value offset = arith::ConstantIndexOp::create(builder, loc, it->second);
      auto viewType = MemRefType::get(type.getShape(), type.getElementType());
      Value view = memref::ViewOp::create(builder, loc, viewType, blob, offset,
                                          ValueRange{});
      Value tensor = bufferization::ToTensorOp::create(
          builder, loc, type, view, /*restrict=*/true, /*writable=*/false);
      constant.replaceAllUsesWith(tensor);
      constant.erase();
    });
    module->setAttr(kWeightsAttr, builder.getArrayAttr(weights));
    module->setAttr(kWeightOffsetsAttr, builder.getDenseI64ArrayAttr(offsets));
    module->setAttr(kWeightsSizeAttr, builder.getI64IntegerAttr(size));
  }
};
} // namespace
