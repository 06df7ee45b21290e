//===- InferShapes.cpp - refine result types --------------------*- C++ -*-===//

#include "tessera/Dialect/Tessera/IR/TesseraOps.h"
#include "tessera/Dialect/Tessera/Transforms/Passes.h"

#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAINFERSHAPES
#include "tessera/Dialect/Tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {
struct InferShapesPass
    : public tessera::impl::TesseraInferShapesBase<InferShapesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    WalkResult walk = func.walk([](InferTypeOpInterface op) {
      SmallVector<Type> inferred;
      if (failed(op.inferReturnTypes(
              op->getContext(), op->getLoc(), op->getOperands(),
              op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
              op->getRegions(), inferred)))
        return WalkResult::interrupt();
      for (auto [result, type] : llvm::zip(op->getResults(), inferred))
        // Keep the IR's type where it already knows more.
        if (result.getType() != type &&
            areRefinedTypes(TypeRange{result.getType()}, TypeRange{type}))
          result.setType(type);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    auto terminator = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setFunctionType(FunctionType::get(
        func.getContext(), func.getArgumentTypes(),
        terminator.getOperandTypes()));
  }
};
} // namespace
