//===- ConvertTesseraToLinalg.cpp - the tessera-convert-to-linalg pass ----===//

#include "tessera/Conversion/Passes.h"
#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"
#include "tessera/Dialect/Tessera/Transforms/FusionGroups.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_CONVERTTESSERATOLINALG
#include "tessera/Conversion/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

void mlir::tessera::populateTesseraToLinalgPatterns(
    RewritePatternSet &patterns, const NeuralNetLoweringOptions &options) {
  populateElementwiseToLinalgPatterns(patterns);
  populateNeuralNetToLinalgPatterns(patterns, options);
  populateAttentionToLinalgPatterns(patterns);
  populateReductionToLinalgPatterns(patterns);
  populateDataMovementToLinalgPatterns(patterns);
  populateSamplingToLinalgPatterns(patterns);
  populateIndexingToLinalgPatterns(patterns);
  populateDataDependentToLinalgPatterns(patterns);
}

namespace {
/// Copies the fusion group of the op being lowered onto the linalg ops its
/// pattern creates, for tessera-fuse-linalg-groups. A conv or matmul heads
/// its group only through its last, elementwise op (the bias add): its
/// product and the im2col feeding it must stay the plain loop nests the
/// CPU pipeline hands to the micro-kernel.
struct FusionGroupPropagator : public RewriterBase::Listener {
  IntegerAttr group;
  bool complex = false;

  void notifyPatternBegin(const Pattern &, Operation *op) override {
    group = op->getAttrOfType<IntegerAttr>(kFusionGroupAttr);
    complex = headsEpilogueGroup(op);
  }
  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint) override {
    if (group && !complex && isa<linalg::LinalgOp>(op))
      op->setAttr(kFusionGroupAttr, group);
  }
  void notifyOperationReplaced(Operation *, ValueRange values) override {
    if (!group || !complex)
      return;
    for (Value value : values)
      if (auto last = value.getDefiningOp<linalg::GenericOp>())
        if (last.getNumLoops() == last.getNumParallelLoops())
          last->setAttr(kFusionGroupAttr, group);
  }
};
} // namespace

/// `type` with unsigned integer elements made signless (same width).
static Type dropSignedness(Type type) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  Type element = getElementTypeOrSelf(type);
  if (!element.isUnsignedInteger())
    return type;
  Type signless = IntegerType::get(type.getContext(),
                                   element.getIntOrFloatBitWidth());
  return shaped ? Type(shaped.clone(signless)) : signless;
}

/// After lowering, signedness lives only in which arith ops were chosen;
/// upstream dialects (and LLVM) want signless integers. Retype every value,
/// rebuild unsigned constants, and drop the tensor.bitcast ops the
/// elementwise patterns put around unsigned operands, which are now no-ops.
static void makeIntegersSignless(func::FuncOp func) {
  func.walk([](Operation *op) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      Type type = dropSignedness(constant.getType());
      if (type == constant.getType())
        return;
      Attribute value = constant.getValue();
      if (auto dense = dyn_cast<DenseElementsAttr>(value))
        value = dense.bitcast(getElementTypeOrSelf(type));
      else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        value = DenseResourceElementsAttr::get(cast<ShapedType>(type),
                                               resource.getRawHandle());
      else if (auto integer = dyn_cast<IntegerAttr>(value))
        value = IntegerAttr::get(type, integer.getValue());
      constant.setValueAttr(cast<TypedAttr>(value));
    }
    for (Value result : op->getResults())
      result.setType(dropSignedness(result.getType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(dropSignedness(arg.getType()));
  });
  for (BlockArgument arg : func.getArguments())
    arg.setType(dropSignedness(arg.getType()));
  SmallVector<Type> results;
  for (Type type : func.getResultTypes())
    results.push_back(dropSignedness(type));
  func.setFunctionType(FunctionType::get(
      func.getContext(), func.getBody().getArgumentTypes(), results));
  func.walk([](tensor::BitcastOp bitcast) {
    if (bitcast.getSource().getType() == bitcast.getType()) {
      bitcast.replaceAllUsesWith(bitcast.getSource());
      bitcast.erase();
    }
  });
}

namespace {
struct ConvertTesseraToLinalgPass
    : public tessera::impl::ConvertTesseraToLinalgBase<
          ConvertTesseraToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    RewritePatternSet patterns(&getContext());
    NeuralNetLoweringOptions lowering;
    lowering.winogradConvolutions = winogradConvolutions;
    lowering.directConvolutions = directConvolutions;
    lowering.flatNarrowDepthwise = flatNarrowDepthwise;
    if (!flatNarrowDepthwise)
      markDepthwiseKernelConvolutions(func);
    populateTesseraToLinalgPatterns(patterns, lowering);
    // Every tessera op is rewritten exactly once; the only tessera ops a
    // pattern creates (attention's per-block steps) are simpler ones, which
    // the driver then lowers too. What remains afterwards could not be
    // lowered.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.enableFolding(false);
    FusionGroupPropagator propagator;
    config.setListener(&propagator);
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
      return signalPassFailure();
    makeIntegersSignless(func);
  }
};
} // namespace
