//===- ConvertTesseraToLinalg.cpp - the tessera-convert-to-linalg pass ----===//

#include "tessera/Conversion/Passes.h"
#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_CONVERTTESSERATOLINALG
#include "tessera/Conversion/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

void mlir::tessera::populateTesseraToLinalgPatterns(
    RewritePatternSet &patterns) {
  populateElementwiseToLinalgPatterns(patterns);
  populateNeuralNetToLinalgPatterns(patterns);
  populateReductionToLinalgPatterns(patterns);
  populateDataMovementToLinalgPatterns(patterns);
}

namespace {
struct ConvertTesseraToLinalgPass
    : public tessera::impl::ConvertTesseraToLinalgBase<
          ConvertTesseraToLinalgPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    RewritePatternSet patterns(&getContext());
    populateTesseraToLinalgPatterns(patterns);
    // Every tessera op is rewritten exactly once and the patterns create no
    // tessera ops, so a greedy walk converges in one sweep; what remains
    // afterwards could not be lowered.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.enableFolding(false);
    (void)applyPatternsGreedily(func, std::move(patterns), config);
    WalkResult result = func.walk([](Operation *op) {
      if (isa<TesseraDialect>(op->getDialect())) {
        InFlightDiagnostic diag = op->emitError();
        // The importer names each op's location after its ONNX node.
        if (auto node = op->getLoc()->findInstanceOf<NameLoc>())
          diag << "node '" << node.getName().getValue() << "': ";
        diag << "tessera-convert-to-linalg: cannot lower '"
                        << op->getName() << "' with operand types "
                        << op->getOperandTypes()
                        << " to linalg (not supported by the CPU code "
                           "generator yet)";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
