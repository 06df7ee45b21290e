//===- NeuralNetImporters.cpp - conv, pooling, norms, matmul ----*- C++ -*-===//

#include "NodeImporter.h"

#include <cctype>
#include <functional>
#include <limits>
#include <map>

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

namespace {
/// The sliding-window attributes shared by Conv, ConvTranspose and pooling,
/// with defaults filled in and `auto_pad` resolved to explicit pads.
struct WindowAttrs {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};
} // namespace

static FailureOr<WindowAttrs> getWindowAttrs(NodeImporter &n,
                                             RankedTensorType input,
                                             ArrayRef<int64_t> kernel) {
  int64_t spatial = input.getRank() - 2;
  if (spatial < 1)
    return n.fail("expected an input of rank 3 or more, got " +
                  llvm::Twine(input.getRank()));
  WindowAttrs w;
  w.kernel.assign(kernel.begin(), kernel.end());
  if (static_cast<int64_t>(w.kernel.size()) != spatial)
    return n.fail("kernel_shape has " + llvm::Twine(w.kernel.size()) +
                  " entries for " + llvm::Twine(spatial) +
                  " spatial dimensions");
  w.strides = n.getInts("strides");
  if (w.strides.empty())
    w.strides.assign(spatial, 1);
  w.dilations = n.getInts("dilations");
  if (w.dilations.empty())
    w.dilations.assign(spatial, 1);
  w.pads = n.getInts("pads");
  if (w.pads.empty())
    w.pads.assign(2 * spatial, 0);
  if (static_cast<int64_t>(w.strides.size()) != spatial ||
      static_cast<int64_t>(w.dilations.size()) != spatial ||
      static_cast<int64_t>(w.pads.size()) != 2 * spatial)
    return n.fail("strides, dilations and pads do not match the " +
                  llvm::Twine(spatial) + " spatial dimensions");

  std::string autoPad = n.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return w;
  if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
    return w;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return n.fail("unknown auto_pad '" + autoPad + "'");
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2);
    if (in == ShapedType::kDynamic)
      return n.fail("auto_pad " + autoPad +
                    " needs static spatial dimensions; pass --input-shape");
    int64_t out = (in + w.strides[i] - 1) / w.strides[i];
    int64_t window = (w.kernel[i] - 1) * w.dilations[i] + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + window - in);
    int64_t small = total / 2, large = total - total / 2;
    w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
    w.pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
  }
  return w;
}

static SmallVector<int64_t> weightKernel(NodeImporter &n,
                                         RankedTensorType weight) {
  SmallVector<int64_t> kernel = n.getInts("kernel_shape");
  if (kernel.empty())
    kernel.assign(weight.getShape().begin() + 2, weight.getShape().end());
  return kernel;
}

FailureOr<Value> onnx_frontend::buildConv(NodeImporter &n, Value input,
                                          Value weight, Value bias) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  if (weightType.getRank() < 3)
    return n.fail("weight must have rank 3 or more");
  SmallVector<int64_t> kernel = weightKernel(n, weightType);
  if (llvm::any_of(kernel, [](int64_t k) { return k == ShapedType::kDynamic; }))
    return n.fail("the kernel size must be static");
  FailureOr<WindowAttrs> w = getWindowAttrs(n, inputType, kernel);
  if (failed(w))
    return failure();
  OpBuilder &b = n.getBuilder();
  return n.create<ConvOp>(input, weight, bias,
                          b.getDenseI64ArrayAttr(w->strides),
                          b.getDenseI64ArrayAttr(w->pads),
                          b.getDenseI64ArrayAttr(w->dilations),
                          b.getI64IntegerAttr(n.getInt("group", 1)));
}

static LogicalResult importConv(NodeImporter &n) {
  FailureOr<Value> conv =
      buildConv(n, n.getInput(0), n.getInput(1), n.getInput(2));
  if (failed(conv))
    return failure();
  n.setResult(0, *conv);
  return success();
}

static LogicalResult importConvTranspose(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0), weight = n.getInputType(1);
  if (weight.getRank() < 3)
    return n.fail("weight must have rank 3 or more");
  SmallVector<int64_t> kernel = weightKernel(n, weight);
  int64_t spatial = input.getRank() - 2;
  // auto_pad means something else here; resolve it below from output_shape.
  std::string autoPad = n.getString("auto_pad", "NOTSET");
  SmallVector<int64_t> outputShape = n.getInts("output_shape");
  FailureOr<WindowAttrs> w = getWindowAttrs(n, input, kernel);
  if (failed(w))
    return failure();
  SmallVector<int64_t> outputPadding = n.getInts("output_padding");
  if (outputPadding.empty())
    outputPadding.assign(spatial, 0);
  if (static_cast<int64_t>(outputPadding.size()) != spatial)
    return n.fail("output_padding does not match the spatial dimensions");
  bool samePads = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (!outputShape.empty() || samePads) {
    if (outputShape.size() > static_cast<size_t>(spatial))
      outputShape.erase(outputShape.begin(),
                        outputShape.end() - spatial);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = input.getDimSize(i + 2);
      if (in == ShapedType::kDynamic)
        return n.fail("output_shape/auto_pad need static spatial dimensions");
      int64_t target = outputShape.empty() ? in * w->strides[i] : outputShape[i];
      int64_t total = w->strides[i] * (in - 1) + outputPadding[i] +
                      (kernel[i] - 1) * w->dilations[i] + 1 - target;
      if (total < 0) {
        // The output is larger than the padding-free result: extend it.
        outputPadding[i] -= total;
        total = 0;
      }
      bool upper = autoPad != "SAME_LOWER";
      w->pads[i] = upper ? total / 2 : total - total / 2;
      w->pads[i + spatial] = upper ? total - total / 2 : total / 2;
    }
  }
  OpBuilder &b = n.getBuilder();
  n.setResult(0, n.create<ConvTransposeOp>(
                     n.getInput(0), n.getInput(1), n.getInput(2),
                     b.getDenseI64ArrayAttr(w->strides),
                     b.getDenseI64ArrayAttr(w->pads),
                     b.getDenseI64ArrayAttr(w->dilations),
                     b.getDenseI64ArrayAttr(outputPadding),
                     b.getI64IntegerAttr(n.getInt("group", 1))));
  return success();
}

template <typename OpTy>
static LogicalResult importPool(NodeImporter &n) {
  if (failed(n.checkUnusedOutputsFrom(1)))
    return failure();
  RankedTensorType inputType = n.getInputType(0);
  Value input = n.getInput(0);
  // Integer max pooling runs on f64, which holds every value of an integer
  // up to 32 bits exactly (padding never wins a max).
  auto intType = dyn_cast<IntegerType>(inputType.getElementType());
  if (intType && (!std::is_same_v<OpTy, MaxPoolOp> || intType.getWidth() > 32))
    return n.fail("pooling " + llvm::Twine(intType.getWidth()) +
                  "-bit integer tensors is not supported");
  if (intType)
    input = n.create<CastOp>(
        inputType.clone(Float64Type::get(n.getContext())), input);
  SmallVector<int64_t> kernel = n.getInts("kernel_shape");
  if (kernel.empty())
    return n.fail("missing the kernel_shape attribute");
  FailureOr<WindowAttrs> w = getWindowAttrs(n, n.getInputType(0), kernel);
  if (failed(w))
    return failure();
  OpBuilder &b = n.getBuilder();
  bool ceilMode = n.getInt("ceil_mode", 0) != 0;
  Value result;
  if constexpr (std::is_same_v<OpTy, AvgPoolOp>)
    result = n.create<AvgPoolOp>(
        input, b.getDenseI64ArrayAttr(w->kernel),
        b.getDenseI64ArrayAttr(w->strides), b.getDenseI64ArrayAttr(w->pads),
        b.getDenseI64ArrayAttr(w->dilations), b.getBoolAttr(ceilMode),
        b.getBoolAttr(n.getInt("count_include_pad", 0) != 0));
  else
    result = n.create<MaxPoolOp>(
        input, b.getDenseI64ArrayAttr(w->kernel),
        b.getDenseI64ArrayAttr(w->strides), b.getDenseI64ArrayAttr(w->pads),
        b.getDenseI64ArrayAttr(w->dilations), b.getBoolAttr(ceilMode));
  if (intType)
    result = n.create<CastOp>(
        cast<RankedTensorType>(result.getType()).clone(intType), result);
  n.setResult(0, result);
  return success();
}

/// GlobalAveragePool and GlobalMaxPool reduce every spatial dimension.
template <typename ReduceOpTy>
static LogicalResult importGlobalPool(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  if (input.getRank() < 3)
    return n.fail("expected an input of rank 3 or more");
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < input.getRank(); ++d)
    axes.push_back(d);
  OpBuilder &b = n.getBuilder();
  n.setResult(0, n.create<ReduceOpTy>(n.getInput(0),
                                      b.getDenseI64ArrayAttr(axes),
                                      b.getBoolAttr(true)));
  return success();
}

/// Mean (kept dims), x - mean and variance of `x` over `axes`, the shared
/// first half of the normalizations imported here.
struct Moments {
  Value mean, centered, variance;
};
static Moments buildMoments(NodeImporter &n, Value x, ArrayRef<int64_t> axes) {
  OpBuilder &b = n.getBuilder();
  Value mean = n.create<ReduceMeanOp>(x, b.getDenseI64ArrayAttr(axes),
                                      b.getBoolAttr(true));
  Value centered = n.create<SubOp>(x, mean);
  Value variance = n.create<ReduceMeanOp>(n.create<MulOp>(centered, centered),
                                          b.getDenseI64ArrayAttr(axes),
                                          b.getBoolAttr(true));
  return {mean, centered, variance};
}

/// InstanceNormalization: per (n, c), normalize over the spatial dims, then
/// scale and shift per channel.
static LogicalResult importInstanceNorm(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  int64_t rank = input.getRank();
  if (rank < 3)
    return n.fail("expected an N x C x D1 ... input");
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  auto [mean, centered, variance] = buildMoments(n, n.getInput(0), axes);
  Value epsilon = n.constantScalar(input.getElementType(),
                                   n.getFloat("epsilon", 1e-5f));
  Value normalized = n.create<DivOp>(
      centered, n.create<SqrtOp>(n.create<AddOp>(variance, epsilon)));
  // C -> C x 1 x ... x 1
  auto perChannel = [&](Value v) { return n.appendUnitDims(v, rank - 2); };
  n.setResult(0, n.create<AddOp>(
                     n.create<MulOp>(normalized, perChannel(n.getInput(1))),
                     perChannel(n.getInput(2))));
  return success();
}

static LogicalResult importBatchNorm(NodeImporter &n) {
  if (n.getInt("training_mode", 0) != 0)
    return n.fail("training_mode=1 is not supported (inference only)");
  if (failed(n.checkUnusedOutputsFrom(1)))
    return failure();
  n.setResult(0, n.create<BatchNormOp>(
                     n.getInput(0), n.getInput(1), n.getInput(2), n.getInput(3),
                     n.getInput(4),
                     n.getBuilder().getF32FloatAttr(n.getFloat("epsilon", 1e-5f))));
  return success();
}

/// LayerNormalization that also returns Mean and InvStdDev, spelled out
/// with reductions so that the statistics are values of their own.
static LogicalResult importLayerNormWithStatistics(NodeImporter &n,
                                                   int64_t axis) {
  RankedTensorType input = n.getInputType(0);
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < input.getRank(); ++d)
    axes.push_back(d);
  auto [mean, centered, variance] = buildMoments(n, n.getInput(0), axes);
  Value epsilon = n.constantScalar(input.getElementType(),
                                   n.getFloat("epsilon", 1e-5f));
  Value invStdDev =
      n.create<ReciprocalOp>(n.create<SqrtOp>(n.create<AddOp>(variance, epsilon)));
  Value y = n.create<MulOp>(n.create<MulOp>(centered, invStdDev), n.getInput(1));
  if (n.hasInput(2))
    y = n.create<AddOp>(y, n.getInput(2));
  n.setResult(0, y);
  if (n.hasOutput(1))
    n.setResult(1, mean);
  if (n.hasOutput(2))
    n.setResult(2, invStdDev);
  return success();
}

static LogicalResult importLayerNorm(NodeImporter &n) {
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.getInt("axis", -1), n.getInputType(0).getRank());
  if (failed(axis))
    return failure();
  if (n.hasOutput(1) || n.hasOutput(2))
    return importLayerNormWithStatistics(n, *axis);
  OpBuilder &b = n.getBuilder();
  n.setResult(0, n.create<LayerNormOp>(
                     n.getInput(0), n.getInput(1), n.getInput(2),
                     b.getI64IntegerAttr(*axis),
                     b.getF32FloatAttr(n.getFloat("epsilon", 1e-5f))));
  return success();
}

static LogicalResult importMatMul(NodeImporter &n) {
  n.setResult(0, n.create<MatMulOp>(n.getInput(0), n.getInput(1)));
  return success();
}

/// Gemm: alpha * A' B' + beta * C, as transpose / matmul / mul / add.
/// Transposes of constant weights fold away at import.
static LogicalResult importGemm(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  auto maybeTranspose = [&](Value v, llvm::StringRef attr) -> Value {
    if (n.getInt(attr, 0) == 0)
      return v;
    return n.create<TransposeOp>(v, b.getDenseI64ArrayAttr({1, 0}));
  };
  if (n.getInputType(0).getRank() != 2 || n.getInputType(1).getRank() != 2)
    return n.fail("A and B must be matrices");
  Value a = maybeTranspose(n.getInput(0), "transA");
  Value bMat = maybeTranspose(n.getInput(1), "transB");
  Type element = n.getInputType(0).getElementType();
  Value result = n.create<MatMulOp>(a, bMat);
  float alpha = n.getFloat("alpha", 1.0f), beta = n.getFloat("beta", 1.0f);
  if (alpha != 1.0f)
    result = n.create<MulOp>(result, n.constantScalar(element, alpha));
  if (n.hasInput(2) && beta != 0.0f) {
    Value c = n.getInput(2);
    if (beta != 1.0f)
      c = n.create<MulOp>(c, n.constantScalar(element, beta));
    result = n.create<AddOp>(result, c);
  }
  n.setResult(0, result);
  return success();
}

/// NegativeLogLikelihoodLoss on log-probabilities `logProb` (N x C x d...)
/// and integer `target` (N x d...), as ONNX defines it: gather the target
/// class, weight it, zero ignored positions, then reduce ("none", "sum" or
/// weighted "mean").
static FailureOr<Value> buildNegativeLogLikelihood(NodeImporter &n,
                                                   Value logProb, Value target,
                                                   Value weight) {
  OpBuilder &b = n.getBuilder();
  auto probType = cast<RankedTensorType>(logProb.getType());
  auto targetType = cast<RankedTensorType>(target.getType());
  Type element = probType.getElementType();
  std::string reduction = n.getString("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return n.fail("unsupported reduction '" + reduction + "'");
  if (targetType.getRank() + 1 != probType.getRank())
    return n.fail("target must have one dimension less than the input");

  // Ignored positions read class 0 (any valid index) and get weight 0.
  Value ignored;
  Value safeTarget = target;
  if (n.hasAttr("ignore_index")) {
    Value ignoreIndex = n.constantScalar(targetType.getElementType(),
                                         n.getInt("ignore_index", 0));
    ignored = n.create<EqualOp>(target, ignoreIndex);
    safeTarget = n.create<WhereOp>(
        ignored, n.constantScalar(targetType.getElementType(), 0), target);
  }
  // N x d... -> N x 1 x d..., gather along the class axis, and back.
  SmallVector<int64_t> expandedShape = {targetType.getDimSize(0), 1};
  SmallVector<int64_t> expandedSources = {0, -1};
  SmallVector<int64_t> backSources = {0};
  for (int64_t d = 1; d < targetType.getRank(); ++d) {
    expandedShape.push_back(targetType.getDimSize(d));
    expandedSources.push_back(d);
    backSources.push_back(d + 1);
  }
  Value indices = n.reshapeWithDims(safeTarget, expandedShape, expandedSources);
  auto gatheredType = cast<RankedTensorType>(indices.getType()).clone(element);
  Value picked = n.create<GatherElementsOp>(gatheredType, logProb, indices,
                                            b.getI64IntegerAttr(1));
  picked = n.reshapeWithDims(picked, targetType.getShape(), backSources);

  Value weights;
  if (weight)
    weights = n.create<GatherOp>(weight, safeTarget, b.getI64IntegerAttr(0));
  if (ignored)
    weights = n.create<WhereOp>(ignored, n.constantScalar(element, 0),
                                weights ? weights : n.constantScalar(element, 1));
  Value loss = n.create<NegOp>(picked);
  if (weights)
    loss = n.create<MulOp>(loss, weights);
  if (reduction == "none")
    return loss;
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < targetType.getRank(); ++d)
    all.push_back(d);
  auto sumAll = [&](Value v) {
    return n.create<ReduceSumOp>(v, b.getDenseI64ArrayAttr(all),
                                 b.getBoolAttr(false));
  };
  Value total = sumAll(loss);
  if (reduction == "sum")
    return total;
  Value count = weights ? sumAll(weights)
                        : n.create<CastOp>(
                              RankedTensorType::get({}, element),
                              n.create<ReduceProdOp>(
                                  n.create<ShapeOp>(target),
                                  b.getDenseI64ArrayAttr({0}),
                                  b.getBoolAttr(false)));
  return n.create<DivOp>(total, count);
}

static LogicalResult importNegativeLogLikelihoodLoss(NodeImporter &n) {
  FailureOr<Value> loss = buildNegativeLogLikelihood(
      n, n.getInput(0), n.getInput(1), n.hasInput(2) ? n.getInput(2) : Value());
  if (failed(loss))
    return failure();
  n.setResult(0, *loss);
  return success();
}

/// SoftmaxCrossEntropyLoss = NegativeLogLikelihoodLoss(LogSoftmax(scores,
/// axis 1)); the log-probabilities are the optional second output.
static LogicalResult importSoftmaxCrossEntropyLoss(NodeImporter &n) {
  Value logProb = n.create<LogSoftmaxOp>(n.getInput(0),
                                         n.getBuilder().getI64IntegerAttr(1));
  FailureOr<Value> loss = buildNegativeLogLikelihood(
      n, logProb, n.getInput(1), n.hasInput(2) ? n.getInput(2) : Value());
  if (failed(loss))
    return failure();
  n.setResult(0, *loss);
  if (n.hasOutput(1))
    n.setResult(1, logProb);
  return success();
}

/// Einsum: the equation is made explicit (spaces dropped, "..." expanded
/// into fresh capital letters per operand rank, an implicit output made
/// the once-used letters in order) before it becomes tessera.einsum.
static LogicalResult importEinsum(NodeImporter &n) {
  std::string equation;
  for (char c : n.getString("equation", ""))
    if (c != ' ')
      equation.push_back(c);
  auto [lhs, rhs] = StringRef(equation).split("->");
  bool implicitOutput = StringRef(equation).find("->") == StringRef::npos;
  SmallVector<StringRef> rawTerms;
  lhs.split(rawTerms, ',');
  if (static_cast<int64_t>(rawTerms.size()) != n.getNumInputs())
    return n.fail("the equation names " + llvm::Twine(rawTerms.size()) +
                  " operands, the node has " + llvm::Twine(n.getNumInputs()));
  // Ellipsis letters: the broadcast dims, right-aligned across operands.
  const std::string ellipsisLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  int64_t ellipsisRank = 0;
  SmallVector<std::string> terms;
  for (auto [i, raw] : llvm::enumerate(rawTerms)) {
    int64_t rank = n.getInputType(i).getRank();
    size_t dots = raw.find("...");
    if (dots == StringRef::npos) {
      if (static_cast<int64_t>(raw.size()) != rank)
        return n.fail("term '" + raw + "' does not match the rank of input " +
                      llvm::Twine(i));
      terms.push_back(raw.str());
      continue;
    }
    int64_t hidden = rank - static_cast<int64_t>(raw.size() - 3);
    ellipsisRank = std::max(ellipsisRank, hidden);
    terms.push_back(raw.substr(0, dots).str() + "\x01" +
                    std::to_string(hidden) + "\x01" +
                    raw.substr(dots + 3).str());
  }
  auto expand = [&](const std::string &term) {
    size_t start = term.find('\x01');
    if (start == std::string::npos)
      return term;
    size_t end = term.find('\x01', start + 1);
    int64_t hidden = std::stoll(term.substr(start + 1, end - start - 1));
    return term.substr(0, start) +
           ellipsisLetters.substr(ellipsisRank - hidden, hidden) +
           term.substr(end + 1);
  };
  std::string explicitEquation;
  SmallVector<std::string> expanded;
  for (const std::string &term : terms)
    expanded.push_back(expand(term));
  std::string output;
  if (implicitOutput) {
    output = ellipsisLetters.substr(0, ellipsisRank);
    std::map<char, int> counts;
    for (const std::string &term : expanded)
      for (char c : term)
        if (std::islower(static_cast<unsigned char>(c)))
          ++counts[c];
    for (auto [c, count] : counts)
      if (count == 1)
        output.push_back(c);
  } else {
    std::string raw = rhs.str();
    size_t dots = raw.find("...");
    output = dots == std::string::npos
                 ? raw
                 : raw.substr(0, dots) + ellipsisLetters.substr(0, ellipsisRank) +
                       raw.substr(dots + 3);
  }
  for (auto [i, term] : llvm::enumerate(expanded))
    explicitEquation += (i ? "," : "") + term;
  explicitEquation += "->" + output;

  SmallVector<int64_t> shape;
  for (char c : output) {
    int64_t size = ShapedType::kDynamic;
    for (auto [i, term] : llvm::enumerate(expanded)) {
      size_t pos = term.find(c);
      if (pos == std::string::npos)
        continue;
      int64_t dim = n.getInputType(i).getDimSize(pos);
      if (dim != 1 || size == ShapedType::kDynamic)
        size = dim;
    }
    shape.push_back(size);
  }
  SmallVector<Value> inputs;
  for (int64_t i = 0; i < n.getNumInputs(); ++i)
    inputs.push_back(n.getInput(i));
  auto type = RankedTensorType::get(shape, n.getInputType(0).getElementType());
  n.setResult(0, n.create<EinsumOp>(type, inputs,
                                    n.getBuilder().getStringAttr(explicitEquation)));
  return success();
}


/// MeanVarianceNormalization, as its ONNX function body: (x - E[x]) /
/// (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes`.
static LogicalResult importMeanVarianceNormalization(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  SmallVector<int64_t> axes = n.hasAttr("axes") ? n.getInts("axes")
                                                : SmallVector<int64_t>{0, 2, 3};
  for (int64_t &axis : axes) {
    FailureOr<int64_t> normalized = n.normalizeAxis(axis, input.getRank());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  OpBuilder &b = n.getBuilder();
  Value x = n.getInput(0);
  auto mean = [&](Value v) {
    return n.create<ReduceMeanOp>(v, b.getDenseI64ArrayAttr(axes),
                                  b.getBoolAttr(true));
  };
  Value meanX = mean(x);
  Value variance = n.create<SubOp>(mean(n.create<MulOp>(x, x)),
                                   n.create<MulOp>(meanX, meanX));
  Value stdDev = n.create<AddOp>(
      n.create<SqrtOp>(variance),
      n.constantScalar(input.getElementType(), 1e-9));
  n.setResult(0, n.create<DivOp>(n.create<SubOp>(x, meanX), stdDev));
  return success();
}

/// Det of the trailing n x n matrices by cofactor expansion over the
/// entries (n! products, so limited to n <= 5).
static LogicalResult importDet(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  int64_t rank = input.getRank();
  if (rank < 2 || input.isDynamicDim(rank - 1) ||
      input.getDimSize(rank - 1) != input.getDimSize(rank - 2))
    return n.fail("expected ... x N x N with a static N");
  int64_t size = input.getDimSize(rank - 1);
  if (size > 5)
    return n.fail("Det of matrices larger than 5x5 is not supported");
  OpBuilder &b = n.getBuilder();
  Value x = n.getInput(0);
  SmallVector<int64_t> batchShape(input.getShape().drop_back(2));
  auto entry = [&](int64_t row, int64_t col) {
    SmallVector<int64_t> starts(rank, 0), ends(input.getShape()),
        steps(rank, 1);
    starts[rank - 2] = row;
    ends[rank - 2] = row + 1;
    starts[rank - 1] = col;
    ends[rank - 1] = col + 1;
    for (int64_t d = 0; d < rank - 2; ++d)
      if (input.isDynamicDim(d))
        ends[d] = std::numeric_limits<int64_t>::max();
    Value slice = n.create<SliceOp>(x, b.getDenseI64ArrayAttr(starts),
                                    b.getDenseI64ArrayAttr(ends),
                                    b.getDenseI64ArrayAttr(steps));
    SmallVector<int64_t> sources;
    for (int64_t d = 0; d < rank - 2; ++d)
      sources.push_back(input.isDynamicDim(d) ? d : -1);
    return n.reshapeWithDims(slice, batchShape, sources);
  };
  // Minors keyed by the bit set of the columns they use; rows are always
  // the last popcount(columns) ones.
  std::map<unsigned, Value> minors;
  std::function<Value(unsigned)> minor = [&](unsigned columns) -> Value {
    auto it = minors.find(columns);
    if (it != minors.end())
      return it->second;
    int64_t count = llvm::popcount(columns);
    int64_t row = size - count;
    Value result;
    int64_t sign = 1;
    for (int64_t col = 0; col < size; ++col) {
      if (!(columns & (1u << col)))
        continue;
      Value term = entry(row, col);
      if (count > 1)
        term = n.create<MulOp>(term, minor(columns & ~(1u << col)));
      if (!result)
        result = term;
      else if (sign > 0)
        result = n.create<AddOp>(result, term);
      else
        result = n.create<SubOp>(result, term);
      sign = -sign;
    }
    minors[columns] = result;
    return result;
  };
  n.setResult(0, minor((1u << size) - 1));
  return success();
}

void onnx_frontend::registerNeuralNetImporters(OpImporterRegistry &r) {
  r.onOp("Conv", 1, importConv);
  r.onOp("ConvTranspose", 1, importConvTranspose);
  r.onOp("MaxPool", 1, importPool<MaxPoolOp>);
  r.onOp("AveragePool", 1, importPool<AvgPoolOp>);
  r.onOp("GlobalAveragePool", 1, importGlobalPool<ReduceMeanOp>);
  r.onOp("GlobalMaxPool", 1, importGlobalPool<ReduceMaxOp>);
  // Before 7 the same op with `is_test`/`spatial` attributes (inference
  // with spatial=1 is what importBatchNorm computes).
  r.onOp("BatchNormalization", 6, importBatchNorm);
  r.onOp("InstanceNormalization", 6, importInstanceNorm);
  r.onOp("LayerNormalization", 17, importLayerNorm);
  r.onOp("MeanVarianceNormalization", 9, importMeanVarianceNormalization);
  r.onOp("Det", 11, importDet);
  r.onOp("MatMul", 1, importMatMul);
  r.onOp("Einsum", 12, importEinsum);
  r.onOp("NegativeLogLikelihoodLoss", 12, importNegativeLogLikelihoodLoss);
  r.onOp("SoftmaxCrossEntropyLoss", 12, importSoftmaxCrossEntropyLoss);
  // Gemm before 7 has a `broadcast` flag for C; numpy broadcasting covers
  // both of its settings.
  r.onOp("Gemm", 6, importGemm);
}
