//===- ExpandIntegerDivisions.cpp - ceil/floor division for LLVM ----------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAEXPANDINTEGERDIVISIONS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

struct ExpandIntegerDivisionsPass
    : public tessera::cpu::impl::TesseraExpandIntegerDivisionsBase<
          ExpandIntegerDivisionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    arith::populateCeilFloorDivExpandOpsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
