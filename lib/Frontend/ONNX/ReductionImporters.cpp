//===- ReductionImporters.cpp - reductions and softmax ----------*- C++ -*-===//

#include "NodeImporter.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

/// Reduce ops take their axes as an attribute, or (ReduceSum from opset 13)
/// as an optional input; no axes means all of them unless
/// noop_with_empty_axes is set.
template <typename OpTy>
static LogicalResult importReduce(NodeImporter &n, bool axesAsInput) {
  RankedTensorType input = n.getInputType(0);
  SmallVector<int64_t> axes;
  if (axesAsInput && n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = n.requireConstantInts(1, "axes");
    if (failed(values))
      return failure();
    axes = *values;
  } else if (!axesAsInput) {
    axes = n.getInts("axes");
  }
  if (axes.empty()) {
    if (n.getInt("noop_with_empty_axes", 0) != 0) {
      n.setResult(0, n.getInput(0));
      return success();
    }
    for (int64_t d = 0; d < input.getRank(); ++d)
      axes.push_back(d);
  }
  for (int64_t &axis : axes) {
    FailureOr<int64_t> normalized = n.normalizeAxis(axis, input.getRank());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  OpBuilder &b = n.getBuilder();
  n.setResult(0, n.create<OpTy>(n.getInput(0), b.getDenseI64ArrayAttr(axes),
                                b.getBoolAttr(n.getInt("keepdims", 1) != 0)));
  return success();
}

template <typename OpTy>
static void onReduce(OpImporterRegistry &r, llvm::StringRef name,
                     int64_t axesInputSince) {
  r.onOp(name, 1, [](NodeImporter &n) { return importReduce<OpTy>(n, false); });
  r.onOp(name, axesInputSince,
         [](NodeImporter &n) { return importReduce<OpTy>(n, true); });
}

/// Before opset 13, Softmax and LogSoftmax flatten the input to 2-D at
/// `axis` (default 1) and normalize each row; from 13 on they normalize
/// along `axis` (default -1).
template <typename OpTy>
static LogicalResult importSoftmax(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  int64_t rank = input.getRank();
  bool coerced2d = n.getOpset() < 13;
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.getInt("axis", coerced2d ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  OpBuilder &b = n.getBuilder();
  if (!coerced2d || *axis == rank - 1) {
    n.setResult(0, n.create<OpTy>(n.getInput(0),
                                  b.getI64IntegerAttr(coerced2d ? rank - 1 : *axis)));
    return success();
  }
  if (!input.hasStaticShape())
    return n.fail("softmax over a flattened axis needs a static input shape");
  int64_t rows = ShapedType::getNumElements(input.getShape().take_front(*axis));
  int64_t cols = ShapedType::getNumElements(input.getShape().drop_front(*axis));
  auto flatType = RankedTensorType::get({rows, cols}, input.getElementType());
  Value flat = n.create<ReshapeOp>(flatType, n.getInput(0), Value());
  Value normalized = n.create<OpTy>(flat, b.getI64IntegerAttr(1));
  n.setResult(0, n.create<ReshapeOp>(input, normalized, Value()));
  return success();
}

void onnx_frontend::registerReductionImporters(OpImporterRegistry &r) {
  onReduce<ReduceSumOp>(r, "ReduceSum", 13);
  // These take axes as an input only from opset 18, past what tessera reads.
  onReduce<ReduceMeanOp>(r, "ReduceMean", 18);
  onReduce<ReduceMaxOp>(r, "ReduceMax", 18);
  onReduce<ReduceMinOp>(r, "ReduceMin", 18);
  r.onOp("Softmax", 1, importSoftmax<SoftmaxOp>);
  r.onOp("LogSoftmax", 1, importSoftmax<LogSoftmaxOp>);
}
