//===- IndexingImporters.cpp - GatherND and the scatter family ----------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

static LogicalResult importGatherND(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0), indices = n.getInputType(1);
  int64_t batch = n.getInt("batch_dims", 0);
  int64_t k = indices.getDimSize(indices.getRank() - 1);
  if (ShapedType::isDynamic(k))
    return n.fail("the last dimension of indices must be static");
  if (batch + k > input.getRank())
    return n.fail("indices address more dimensions than the input has");
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, input.getShape().drop_front(batch + k));
  n.setResult(0, n.create<GatherNDOp>(
                     RankedTensorType::get(shape, input.getElementType()),
                     n.getInput(0), n.getInput(1),
                     n.getBuilder().getI64IntegerAttr(batch)));
  return success();
}

static FailureOr<ScatterReduction> getReduction(NodeImporter &n) {
  std::string name = n.getString("reduction", "none");
  std::optional<ScatterReduction> reduction = symbolizeScatterReduction(name);
  if (!reduction) {
    (void)n.fail("unsupported reduction '" + name + "'");
    return failure();
  }
  return *reduction;
}

static LogicalResult importScatterElements(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  FailureOr<int64_t> axis = n.normalizeAxis(n.getInt("axis", 0), input.getRank());
  FailureOr<ScatterReduction> reduction = getReduction(n);
  if (failed(axis) || failed(reduction))
    return failure();
  n.setResult(0, n.create<ScatterElementsOp>(
                     input, n.getInput(0), n.getInput(1), n.getInput(2),
                     n.getBuilder().getI64IntegerAttr(*axis),
                     ScatterReductionAttr::get(n.getContext(), *reduction)));
  return success();
}

static LogicalResult importScatterND(NodeImporter &n) {
  FailureOr<ScatterReduction> reduction = getReduction(n);
  if (failed(reduction))
    return failure();
  n.setResult(0, n.create<ScatterNDOp>(
                     n.getInputType(0), n.getInput(0), n.getInput(1),
                     n.getInput(2),
                     ScatterReductionAttr::get(n.getContext(), *reduction)));
  return success();
}

void onnx_frontend::registerIndexingImporters(OpImporterRegistry &r) {
  r.onOp("GatherND", 11, importGatherND);
  // Scatter (opset 9 and 10) is ScatterElements under its old name.
  r.onOp("Scatter", 9, importScatterElements);
  r.onOp("ScatterElements", 11, importScatterElements);
  r.onOp("ScatterND", 11, importScatterND);
}
