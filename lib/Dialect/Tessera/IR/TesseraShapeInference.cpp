//===- TesseraShapeInference.cpp - result-type rules ------------*- C++ -*-===//
//
// Result-type inference of the tessera ops. The importer builds ops without
// result types and lets these rules compute them; the op verifiers run the
// same rules, so an op whose operands cannot produce its result is rejected.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::tessera;

static constexpr int64_t kDynamic = ShapedType::kDynamic;

static LogicalResult fail(std::optional<Location> loc, const Twine &message) {
  return emitOptionalError(loc, message);
}

bool mlir::tessera::areRefinedTypes(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [want, have] : llvm::zip(inferred, actual)) {
    if (want == have)
      continue;
    auto wantTensor = dyn_cast<RankedTensorType>(want);
    auto haveTensor = dyn_cast<RankedTensorType>(have);
    if (!wantTensor || !haveTensor ||
        wantTensor.getElementType() != haveTensor.getElementType() ||
        wantTensor.getRank() != haveTensor.getRank())
      return false;
    for (auto [w, h] : llvm::zip(wantTensor.getShape(), haveTensor.getShape()))
      if (w != kDynamic && w != h)
        return false;
  }
  return true;
}

bool mlir::tessera::areCompatibleTypes(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [want, have] : llvm::zip(inferred, actual)) {
    auto wantTensor = dyn_cast<RankedTensorType>(want);
    auto haveTensor = dyn_cast<RankedTensorType>(have);
    if (!wantTensor || !haveTensor) {
      if (want != have)
        return false;
      continue;
    }
    if (wantTensor.getElementType() != haveTensor.getElementType() ||
        failed(verifyCompatibleShape(wantTensor, haveTensor)))
      return false;
  }
  return true;
}

std::optional<SmallVector<int64_t>>
mlir::tessera::broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a == 1)
      result[i] = b;
    else if (b == 1 || a == b)
      result[i] = a;
    else if (a == kDynamic)
      result[i] = b;
    else if (b == kDynamic)
      result[i] = a;
    else
      return std::nullopt;
  }
  return result;
}

LogicalResult mlir::tessera::inferBroadcastType(std::optional<Location> loc,
                                                TypeRange operands,
                                                Type elementType,
                                                SmallVectorImpl<Type> &results) {
  SmallVector<int64_t> shape;
  Type commonElement;
  for (Type type : operands) {
    auto tensor = cast<RankedTensorType>(type);
    if (commonElement && commonElement != tensor.getElementType() &&
        !elementType)
      return fail(loc, "operands have different element types (" +
                           llvm::formatv("{0} and {1}", commonElement,
                                         tensor.getElementType())
                               .str() +
                           ")");
    commonElement = tensor.getElementType();
    std::optional<SmallVector<int64_t>> merged =
        broadcastShapes(shape, tensor.getShape());
    if (!merged)
      return fail(loc, "operand shapes are not broadcast-compatible");
    shape = std::move(*merged);
  }
  results.push_back(
      RankedTensorType::get(shape, elementType ? elementType : commonElement));
  return success();
}

LogicalResult mlir::tessera::inferReduceType(std::optional<Location> loc,
                                             Type input, ArrayRef<int64_t> axes,
                                             bool keepdims,
                                             SmallVectorImpl<Type> &results) {
  auto tensor = cast<RankedTensorType>(input);
  int64_t rank = tensor.getRank();
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return fail(loc, "reduction axis " + Twine(axis) +
                           " is out of range for rank " + Twine(rank));
    if (i > 0 && axes[i - 1] >= axis)
      return fail(loc, "reduction axes must be sorted and unique");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      shape.push_back(tensor.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  results.push_back(RankedTensorType::get(shape, tensor.getElementType()));
  return success();
}

int64_t mlir::tessera::slidingWindowOutputSize(int64_t in, int64_t kernel,
                                               int64_t stride, int64_t padBegin,
                                               int64_t padEnd, int64_t dilation,
                                               bool ceilMode) {
  if (in == kDynamic)
    return kDynamic;
  int64_t window = (kernel - 1) * dilation + 1;
  int64_t span = in + padBegin + padEnd - window;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // The last window must start inside the input or its leading padding.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

static LogicalResult checkWindowAttrs(std::optional<Location> loc,
                                      int64_t spatialRank,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> pads,
                                      ArrayRef<int64_t> dilations) {
  if (static_cast<int64_t>(strides.size()) != spatialRank ||
      static_cast<int64_t>(dilations.size()) != spatialRank ||
      static_cast<int64_t>(pads.size()) != 2 * spatialRank)
    return fail(loc, "expected " + Twine(spatialRank) +
                         " strides and dilations and " +
                         Twine(2 * spatialRank) + " pads");
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return fail(loc, "strides and dilations must be positive");
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return fail(loc, "pads must be non-negative");
  return success();
}

LogicalResult mlir::tessera::inferPoolType(
    std::optional<Location> loc, Type input, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
    ArrayRef<int64_t> dilations, bool ceilMode, SmallVectorImpl<Type> &results) {
  auto tensor = cast<RankedTensorType>(input);
  int64_t spatialRank = tensor.getRank() - 2;
  if (spatialRank < 1)
    return fail(loc, "pooling needs an input of rank 3 or more");
  if (static_cast<int64_t>(kernel.size()) != spatialRank)
    return fail(loc, "expected " + Twine(spatialRank) + " kernel sizes");
  if (llvm::any_of(kernel, [](int64_t k) { return k < 1; }))
    return fail(loc, "kernel sizes must be positive");
  if (failed(checkWindowAttrs(loc, spatialRank, strides, pads, dilations)))
    return failure();
  SmallVector<int64_t> shape(tensor.getShape().take_front(2));
  for (int64_t i = 0; i < spatialRank; ++i)
    shape.push_back(slidingWindowOutputSize(
        tensor.getDimSize(i + 2), kernel[i], strides[i], pads[i],
        pads[i + spatialRank], dilations[i], ceilMode));
  results.push_back(RankedTensorType::get(shape, tensor.getElementType()));
  return success();
}


//===----------------------------------------------------------------------===//
// Per-op rules
//===----------------------------------------------------------------------===//

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *ctx,
                                        std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  types.push_back(
      RankedTensorType::get({input.getRank()}, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  Type lhs = adaptor.getLhs().getType(), rhs = adaptor.getRhs().getType();
  Type element = cast<RankedTensorType>(lhs).getElementType();
  if (element != cast<RankedTensorType>(rhs).getElementType())
    return fail(loc, "the two branches have different element types");
  return inferBroadcastType(loc, {adaptor.getCondition().getType(), lhs, rhs},
                            element, types);
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhs.getElementType() != rhs.getElementType())
    return fail(loc, "operands have different element types");
  if (lhs.getRank() < 1 || rhs.getRank() < 1)
    return fail(loc, "operands must have rank 1 or more");
  SmallVector<int64_t> a(lhs.getShape()), b(rhs.getShape());
  bool lhsVector = a.size() == 1, rhsVector = b.size() == 1;
  if (lhsVector)
    a.insert(a.begin(), 1);
  if (rhsVector)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (areConflictingDims(k1, k2))
    return fail(loc, "contraction dimensions differ (" + Twine(k1) + " and " +
                         Twine(k2) + ")");
  std::optional<SmallVector<int64_t>> batch =
      broadcastShapes(ArrayRef(a).drop_back(2), ArrayRef(b).drop_back(2));
  if (!batch)
    return fail(loc, "batch dimensions are not broadcast-compatible");
  SmallVector<int64_t> shape = *batch;
  if (!lhsVector)
    shape.push_back(a[a.size() - 2]);
  if (!rhsVector)
    shape.push_back(b.back());
  types.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

/// Shared checks of conv and conv_transpose: ranks, window attributes,
/// channel counts, bias. The weights of a transposed convolution hold the
/// input channels in dimension 0 rather than input channels per group in
/// dimension 1.
static LogicalResult checkConvOperands(std::optional<Location> loc,
                                       RankedTensorType input,
                                       RankedTensorType weight, Value bias,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads,
                                       ArrayRef<int64_t> dilations,
                                       int64_t group, bool transposed,
                                       int64_t outputChannels) {
  int64_t spatialRank = input.getRank() - 2;
  if (spatialRank < 1 || weight.getRank() != input.getRank())
    return fail(loc, "input and weight must both have rank 3 or more");
  if (input.getElementType() != weight.getElementType())
    return fail(loc, "input and weight have different element types");
  if (failed(checkWindowAttrs(loc, spatialRank, strides, pads, dilations)))
    return failure();
  if (group < 1)
    return fail(loc, "group must be positive");
  int64_t channels = input.getDimSize(1);
  int64_t weightChannels = weight.getDimSize(transposed ? 0 : 1);
  if (channels != kDynamic && weightChannels != kDynamic &&
      channels != (transposed ? weightChannels : weightChannels * group))
    return fail(loc, "input has " + Twine(channels) +
                         " channels but the weight expects " +
                         Twine(transposed ? weightChannels
                                          : weightChannels * group));
  if (!transposed && weight.getDimSize(0) != kDynamic &&
      weight.getDimSize(0) % group != 0)
    return fail(loc, "output channels are not divisible by group");
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 ||
        areConflictingDims(biasType.getDimSize(0), outputChannels))
      return fail(loc, "bias must be a 1-D tensor of " +
                           Twine(outputChannels) + " elements");
  }
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations();
  if (failed(checkConvOperands(loc, input, weight, adaptor.getBias(), strides,
                               pads, dilations, adaptor.getGroup(),
                               /*transposed=*/false, weight.getDimSize(0))))
    return failure();
  int64_t spatialRank = input.getRank() - 2;
  SmallVector<int64_t> shape = {input.getDimSize(0), weight.getDimSize(0)};
  for (int64_t i = 0; i < spatialRank; ++i)
    shape.push_back(slidingWindowOutputSize(
        input.getDimSize(i + 2), weight.getDimSize(i + 2), strides[i], pads[i],
        pads[i + spatialRank], dilations[i], /*ceilMode=*/false));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations(),
                    outputPadding = adaptor.getOutputPadding();
  int64_t group = adaptor.getGroup();
  int64_t outChannels = weight.getDimSize(1) == kDynamic
                            ? kDynamic
                            : weight.getDimSize(1) * group;
  if (failed(checkConvOperands(loc, input, weight, adaptor.getBias(), strides,
                               pads, dilations, group, /*transposed=*/true,
                               outChannels)))
    return failure();
  int64_t spatialRank = input.getRank() - 2;
  if (static_cast<int64_t>(outputPadding.size()) != spatialRank)
    return fail(loc, "expected " + Twine(spatialRank) + " output paddings");
  SmallVector<int64_t> shape = {input.getDimSize(0), outChannels};
  for (int64_t i = 0; i < spatialRank; ++i) {
    int64_t in = input.getDimSize(i + 2), k = weight.getDimSize(i + 2);
    if (in == kDynamic || k == kDynamic) {
      shape.push_back(kDynamic);
      continue;
    }
    shape.push_back(strides[i] * (in - 1) + outputPadding[i] +
                    (k - 1) * dilations[i] + 1 - pads[i] -
                    pads[i + spatialRank]);
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return fail(loc, "perm has " + Twine(perm.size()) +
                         " entries for a tensor of rank " + Twine(rank));
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return fail(loc, "perm is not a permutation of [0, rank)");
    seen[p] = true;
    shape.push_back(input.getDimSize(p));
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty())
    return fail(loc, "expected at least one input");
  auto first = cast<RankedTensorType>(adaptor.getInputs().front().getType());
  int64_t rank = first.getRank(), axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return fail(loc, "axis " + Twine(axis) + " is out of range for rank " +
                         Twine(rank));
  SmallVector<int64_t> shape(first.getShape());
  for (Value value : adaptor.getInputs().drop_front()) {
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getRank() != rank || type.getElementType() != first.getElementType())
      return fail(loc, "inputs must share rank and element type");
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = type.getDimSize(d);
      if (d == axis) {
        shape[d] = (shape[d] == kDynamic || size == kDynamic) ? kDynamic
                                                              : shape[d] + size;
      } else if (areConflictingDims(shape[d], size)) {
        return fail(loc, "inputs differ in dimension " + Twine(d));
      } else if (shape[d] == kDynamic) {
        shape[d] = size;
      }
    }
  }
  types.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

/// Number of elements ONNX `Slice` takes from a dimension of size `dim`.
static int64_t sliceLength(int64_t dim, int64_t start, int64_t end,
                           int64_t step) {
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    return end > start ? (end - start + step - 1) / step : 0;
  }
  start = std::clamp<int64_t>(start, 0, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  return start > end ? (start - end - step - 1) / -step : 0;
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds(),
                    steps = adaptor.getSteps();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(ends.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return fail(loc, "expected one start, end and step per dimension");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (steps[d] == 0)
      return fail(loc, "slice steps must be non-zero");
    int64_t dim = input.getDimSize(d);
    shape.push_back(dim == kDynamic ? kDynamic
                                    : sliceLength(dim, starts[d], ends[d],
                                                  steps[d]));
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return fail(loc, "axis " + Twine(axis) + " is out of range for rank " +
                         Twine(input.getRank()));
  SmallVector<int64_t> shape(input.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, input.getShape().drop_front(axis + 1));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return fail(loc, "expected " + Twine(2 * rank) + " pads");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = input.getDimSize(d);
    int64_t size = dim == kDynamic ? kDynamic : dim + pads[d] + pads[d + rank];
    if (size != kDynamic && size < 0)
      return fail(loc, "pads crop dimension " + Twine(d) + " below zero");
    shape.push_back(size);
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}
