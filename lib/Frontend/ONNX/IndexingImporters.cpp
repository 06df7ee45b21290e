//===- IndexingImporters.cpp - GatherND, scatters, ReverseSequence -----===//

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


/// ReverseSequence as a GatherElements along the time axis: position t of
/// batch entry b reads len[b] - 1 - t while t < len[b], else t.
static LogicalResult importReverseSequence(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  if (!input.hasStaticShape() || input.getRank() < 2)
    return n.fail("needs a static input of rank 2 or more");
  int64_t timeAxis = n.getInt("time_axis", 0),
          batchAxis = n.getInt("batch_axis", 1);
  if (!((timeAxis == 0 && batchAxis == 1) || (timeAxis == 1 && batchAxis == 0)))
    return n.fail("time_axis and batch_axis must be 0 and 1");
  int64_t rank = input.getRank();
  OpBuilder &b = n.getBuilder();
  Type i64 = b.getI64Type();
  SmallVector<int64_t> batchShape(rank, 1);
  batchShape[batchAxis] = input.getDimSize(batchAxis);
  Value time = n.indexGrid(input.getShape(), timeAxis);
  Value lengths = n.getInput(1);
  auto lengthsType = cast<RankedTensorType>(lengths.getType());
  if (lengthsType.getElementType() != i64)
    lengths = n.create<CastOp>(lengthsType.clone(i64), lengths);
  lengths = n.create<ReshapeOp>(RankedTensorType::get(batchShape, i64),
                                lengths, Value());
  Value reversed = n.create<SubOp>(
      n.create<SubOp>(lengths, n.constantScalar(i64, 1)), time);
  Value index = n.create<WhereOp>(n.create<LessOp>(time, lengths), reversed,
                                  time);
  index = n.create<ExpandOp>(input.clone(i64), index,
                             n.constantInts(input.getShape()));
  n.setResult(0, n.create<GatherElementsOp>(input, n.getInput(0), index,
                                            b.getI64IntegerAttr(timeAxis)));
  return success();
}

void onnx_frontend::registerIndexingImporters(OpImporterRegistry &r) {
  r.onOp("GatherND", 11, importGatherND);
  // Scatter (opset 9 and 10) is ScatterElements under its old name.
  r.onOp("Scatter", 9, importScatterElements);
  r.onOp("ScatterElements", 11, importScatterElements);
  r.onOp("ScatterND", 11, importScatterND);
  r.onOp("ReverseSequence", 10, importReverseSequence);
}
