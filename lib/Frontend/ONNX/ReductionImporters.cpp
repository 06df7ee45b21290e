//===- ReductionImporters.cpp - reductions and softmax ----------*- C++ -*-===//

#include "NodeImporter.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

/// Reduce over axes known only at run time, without keepdims: every set
/// of as many axes as the axes input holds is reduced (those whose result
/// matches the declared output shape, if any), and the set the run-time
/// values name is selected. The candidate count grows combinatorially, so
/// this is limited to 16 candidates.
template <typename OpTy>
static FailureOr<Value> buildReduceOverRuntimeAxes(NodeImporter &n,
                                                   Value data) {
  auto input = cast<RankedTensorType>(data.getType());
  int64_t rank = input.getRank();
  RankedTensorType axesType = n.getInputType(1);
  if (axesType.getRank() != 1 || axesType.isDynamicDim(0) ||
      axesType.getDimSize(0) == 0 || axesType.getDimSize(0) > rank)
    return n.fail("run-time axes need a static, non-empty length");
  int64_t count = axesType.getDimSize(0);
  RankedTensorType declared = n.getDeclaredOutputType(0);
  OpBuilder &b = n.getBuilder();
  Type i64 = b.getI64Type(), i32 = b.getI32Type();
  Value axes = n.getInput(1);
  if (axesType.getElementType() != i64)
    axes = n.create<CastOp>(axesType.clone(i64), axes);
  axes = n.create<WhereOp>(
      n.create<LessOp>(axes, n.constantScalar(i64, 0)),
      n.create<AddOp>(axes, n.constantScalar(i64, rank)), axes);
  SmallVector<std::pair<Value, Value>> candidates;
  for (unsigned set = 0; set < (1u << rank); ++set) {
    if (llvm::popcount(set) != count)
      continue;
    SmallVector<int64_t> reduced;
    for (int64_t d = 0; d < rank; ++d)
      if (set & (1u << d))
        reduced.push_back(d);
    Value result = n.create<OpTy>(data, b.getDenseI64ArrayAttr(reduced),
                                  b.getBoolAttr(false));
    auto type = cast<RankedTensorType>(result.getType());
    if (declared && !areCompatibleTypes(TypeRange{type}, TypeRange{declared}))
      continue;
    // Selected when every axis of the set is among the run-time axes.
    Value selected;
    for (int64_t d : reduced) {
      Value named = n.create<ReduceMaxOp>(
          n.create<CastOp>(axesType.clone(i32),
                           n.create<EqualOp>(axes, n.constantScalar(i64, d))),
          b.getDenseI64ArrayAttr({0}), b.getBoolAttr(false));
      Value hit = n.create<EqualOp>(named, n.constantScalar(i32, 1));
      selected = selected ? n.create<AndOp>(selected, hit) : hit;
    }
    candidates.push_back({result, selected});
  }
  if (candidates.empty())
    return n.fail("no set of axes gives the declared output shape");
  if (candidates.size() > 16)
    return n.fail("run-time axes with " + llvm::Twine(candidates.size()) +
                  " possible sets are not supported");
  Value result = candidates.back().first;
  for (auto &[candidate, selected] : llvm::reverse(
           ArrayRef(candidates).drop_back())) {
    if (candidate.getType() != result.getType())
      return n.fail("the possible results of run-time axes differ in shape");
    result = n.create<WhereOp>(selected, candidate, result);
  }
  return result;
}

/// Reduce ops take their axes as an attribute, or (ReduceSum from opset 13)
/// as an optional input; no axes means all of them unless
/// noop_with_empty_axes is set.
template <typename OpTy>
static FailureOr<Value> buildReduce(NodeImporter &n, bool axesAsInput,
                                    Value data) {
  RankedTensorType input = cast<RankedTensorType>(data.getType());
  SmallVector<int64_t> axes;
  RankedTensorType declared = n.getStaticDeclaredOutputType(0);
  if (axesAsInput && n.hasInput(1) && !n.getConstantInts(1) && declared &&
      n.getInt("keepdims", 1) != 0 && declared.getRank() == input.getRank()) {
    // Run-time axes with keepdims: the declared output shape shows which
    // dims were reduced (size-1 input dims reduce to themselves either way).
    for (int64_t d = 0; d < input.getRank(); ++d)
      if (declared.getDimSize(d) == 1 && input.getDimSize(d) != 1)
        axes.push_back(d);
    if (axes.empty())
      return data;
  } else if (axesAsInput && n.hasInput(1) && !n.getConstantInts(1) &&
             n.getInt("keepdims", 1) == 0) {
    return buildReduceOverRuntimeAxes<OpTy>(n, data);
  } else if (axesAsInput && n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = n.requireConstantInts(1, "axes");
    if (failed(values))
      return failure();
    axes = *values;
  } else if (!axesAsInput) {
    axes = n.getInts("axes");
  }
  if (axes.empty()) {
    if (n.getInt("noop_with_empty_axes", 0) != 0)
      return data;
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
  return n.create<OpTy>(data, b.getDenseI64ArrayAttr(axes),
                        b.getBoolAttr(n.getInt("keepdims", 1) != 0));
}

template <typename OpTy>
static LogicalResult importReduce(NodeImporter &n, bool axesAsInput) {
  FailureOr<Value> result = buildReduce<OpTy>(n, axesAsInput, n.getInput(0));
  if (failed(result))
    return failure();
  n.setResult(0, *result);
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

/// Reductions ONNX defines as a map, a sum or product, and a finish:
/// ReduceL1 = sum |x|, ReduceL2 = sqrt(sum x^2), ReduceLogSum = log(sum x),
/// ReduceLogSumExp = log(sum e^x), ReduceSumSquare = sum x^2.
enum class ComposedReduce { L1, L2, LogSum, LogSumExp, SumSquare };

template <ComposedReduce kind>
static LogicalResult importComposedReduce(NodeImporter &n) {
  Value input = n.getInput(0);
  switch (kind) {
  case ComposedReduce::L1:
    input = n.create<AbsOp>(input);
    break;
  case ComposedReduce::L2:
  case ComposedReduce::SumSquare:
    input = n.create<MulOp>(input, input);
    break;
  case ComposedReduce::LogSumExp:
    input = n.create<ExpOp>(input);
    break;
  case ComposedReduce::LogSum:
    break;
  }
  // Reuse the axes handling of ReduceSum on the mapped input.
  FailureOr<Value> reduced = buildReduce<ReduceSumOp>(n, false, input);
  if (failed(reduced))
    return failure();
  Value sum = *reduced;
  Value result = sum;
  if (kind == ComposedReduce::L2)
    result = n.create<SqrtOp>(sum);
  if (kind == ComposedReduce::LogSum || kind == ComposedReduce::LogSumExp)
    result = n.create<LogOp>(sum);
  n.setResult(0, result);
  return success();
}

template <typename OpTy>
static LogicalResult importArgReduce(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  FailureOr<int64_t> axis = n.normalizeAxis(n.getInt("axis", 0), input.getRank());
  if (failed(axis))
    return failure();
  OpBuilder &b = n.getBuilder();
  n.setResult(0, n.create<OpTy>(n.getInput(0), b.getI64IntegerAttr(*axis),
                                b.getBoolAttr(n.getInt("keepdims", 1) != 0),
                                b.getBoolAttr(n.getInt("select_last_index", 0) != 0)));
  return success();
}

static LogicalResult importCumSum(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  OpBuilder &b = n.getBuilder();
  std::optional<SmallVector<int64_t>> axisValues = n.getConstantInts(1);
  if (!axisValues) {
    // A run-time axis: every candidate sum, selected by the axis value.
    RankedTensorType axisType = n.getInputType(1);
    if (axisType.getNumElements() != 1)
      return n.fail("axis (input 1) must be a scalar");
    Type axisElement = axisType.getElementType();
    Value axis = n.create<ReshapeOp>(RankedTensorType::get({}, axisElement),
                                     n.getInput(1), Value());
    int64_t rank = input.getRank();
    Value negative = n.create<LessOp>(axis, n.constantScalar(axisElement, 0));
    axis = n.create<WhereOp>(
        negative, n.create<AddOp>(axis, n.constantScalar(axisElement, rank)),
        axis);
    Value result;
    for (int64_t d = rank - 1; d >= 0; --d) {
      Value sum = n.create<CumSumOp>(n.getInput(0), b.getI64IntegerAttr(d),
                                     b.getBoolAttr(n.getInt("exclusive", 0) != 0),
                                     b.getBoolAttr(n.getInt("reverse", 0) != 0));
      result = result ? n.create<WhereOp>(
                            n.create<EqualOp>(axis,
                                              n.constantScalar(axisElement, d)),
                            sum, result)
                      : sum;
    }
    n.setResult(0, result);
    return success();
  }
  if (axisValues->size() != 1)
    return n.fail("axis (input 1) must be a scalar");
  FailureOr<int64_t> axis = n.normalizeAxis((*axisValues)[0], input.getRank());
  if (failed(axis))
    return failure();
  n.setResult(0, n.create<CumSumOp>(n.getInput(0), b.getI64IntegerAttr(*axis),
                                    b.getBoolAttr(n.getInt("exclusive", 0) != 0),
                                    b.getBoolAttr(n.getInt("reverse", 0) != 0)));
  return success();
}

/// Hardmax = one-hot of the (first) arg max along `axis`.
static LogicalResult importHardmax(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  int64_t rank = input.getRank();
  bool coerced2d = n.getOpset() < 13;
  if (coerced2d)
    return n.fail("Hardmax before opset 13 (flattening to 2-D) is not supported");
  FailureOr<int64_t> axis = n.normalizeAxis(n.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  if (input.isDynamicDim(*axis))
    return n.fail("the Hardmax axis must have a static size");
  OpBuilder &b = n.getBuilder();
  Value argMax = n.create<ArgMaxOp>(n.getInput(0), b.getI64IntegerAttr(*axis),
                                    b.getBoolAttr(true), b.getBoolAttr(false));
  Value iota = n.indexGrid(input.getShape(), *axis);
  Value hot = n.create<EqualOp>(iota, argMax);
  n.setResult(0, n.create<CastOp>(
                     cast<RankedTensorType>(hot.getType())
                         .clone(input.getElementType()),
                     hot));
  return success();
}


/// TopK as k rounds of arg max (arg min for the smallest): each round takes
/// the first extreme entry along `axis` and masks it out. k comes from the
/// constant input or, at run time, from the declared output shape. The IR
/// grows with k; an entry equal to the mask value (-inf for the largest)
/// can tie with an already taken one.
static LogicalResult importTopK(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  int64_t rank = input.getRank();
  FailureOr<int64_t> axis = n.normalizeAxis(n.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  if (input.isDynamicDim(*axis))
    return n.fail("the TopK axis must have a static size");
  int64_t k;
  if (n.getOpset() < 10) {
    k = n.getInt("k", 0);
  } else if (std::optional<SmallVector<int64_t>> values = n.getConstantInts(1)) {
    if (values->size() != 1)
      return n.fail("K (input 1) must hold one value");
    k = (*values)[0];
  } else if (RankedTensorType declared = n.getStaticDeclaredOutputType(0)) {
    k = declared.getDimSize(*axis);
  } else {
    return n.fail("K (input 1) must be a constant, or the output shape "
                  "declared");
  }
  int64_t size = input.getDimSize(*axis);
  if (k <= 0 || k > size)
    return n.fail("K=" + llvm::Twine(k) + " is outside [1, " +
                  llvm::Twine(size) + "]");
  bool largest = n.getInt("largest", 1) != 0;
  OpBuilder &b = n.getBuilder();
  Type element = input.getElementType();
  Value mask;
  if (auto floatType = dyn_cast<FloatType>(element))
    mask = n.create<ConstantOp>(DenseElementsAttr::get(
        RankedTensorType::get({}, element),
        APFloat::getInf(floatType.getFloatSemantics(), /*Negative=*/largest)));
  else if (auto intType = dyn_cast<IntegerType>(element))
    mask = n.create<ConstantOp>(DenseElementsAttr::get(
        RankedTensorType::get({}, element),
        largest ? (intType.isUnsigned() ? APInt::getMinValue(intType.getWidth())
                                        : APInt::getSignedMinValue(
                                              intType.getWidth()))
                : (intType.isUnsigned() ? APInt::getMaxValue(intType.getWidth())
                                        : APInt::getSignedMaxValue(
                                              intType.getWidth()))));
  else
    return n.fail("unsupported element type");
  Value iota = n.indexGrid(input.getShape(), *axis);
  Value remaining = n.getInput(0);
  SmallVector<Value> indices;
  for (int64_t i = 0; i < k; ++i) {
    Value index =
        largest ? n.create<ArgMaxOp>(remaining, b.getI64IntegerAttr(*axis),
                                     b.getBoolAttr(true), b.getBoolAttr(false))
                : n.create<ArgMinOp>(remaining, b.getI64IntegerAttr(*axis),
                                     b.getBoolAttr(true), b.getBoolAttr(false));
    indices.push_back(index);
    if (i + 1 < k)
      remaining = n.create<WhereOp>(n.create<EqualOp>(iota, index), mask,
                                    remaining);
  }
  SmallVector<int64_t> shape(input.getShape());
  shape[*axis] = k;
  Value allIndices =
      indices.size() == 1
          ? indices.front()
          : n.create<ConcatOp>(indices, b.getI64IntegerAttr(*axis));
  n.setResult(0, n.create<GatherElementsOp>(input.clone(shape), n.getInput(0),
                                            allIndices,
                                            b.getI64IntegerAttr(*axis)));
  n.setResult(1, allIndices);
  return success();
}

void onnx_frontend::registerReductionImporters(OpImporterRegistry &r) {
  onReduce<ReduceSumOp>(r, "ReduceSum", 13);
  // These take axes as an input only from opset 18, past what tessera reads.
  onReduce<ReduceMeanOp>(r, "ReduceMean", 18);
  onReduce<ReduceMaxOp>(r, "ReduceMax", 18);
  onReduce<ReduceMinOp>(r, "ReduceMin", 18);
  onReduce<ReduceProdOp>(r, "ReduceProd", 18);
  r.onOp("ReduceL1", 1, importComposedReduce<ComposedReduce::L1>);
  r.onOp("ReduceL2", 1, importComposedReduce<ComposedReduce::L2>);
  r.onOp("ReduceLogSum", 1, importComposedReduce<ComposedReduce::LogSum>);
  r.onOp("ReduceLogSumExp", 1,
         importComposedReduce<ComposedReduce::LogSumExp>);
  r.onOp("ReduceSumSquare", 1,
         importComposedReduce<ComposedReduce::SumSquare>);
  r.onOp("ArgMax", 1, importArgReduce<ArgMaxOp>);
  r.onOp("ArgMin", 1, importArgReduce<ArgMinOp>);
  r.onOp("TopK", 1, importTopK);
  r.onOp("CumSum", 11, importCumSum);
  r.onOp("Hardmax", 13, importHardmax);
  r.onOp("Softmax", 1, importSoftmax<SoftmaxOp>);
  r.onOp("LogSoftmax", 1, importSoftmax<LogSoftmaxOp>);
}
