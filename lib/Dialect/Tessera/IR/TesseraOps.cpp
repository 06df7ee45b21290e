//===- TesseraOps.cpp - tessera op verifiers --------------------*- C++ -*-===//

#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::tessera;

static constexpr int64_t kDynamic = ShapedType::kDynamic;


LogicalResult ClipOp::verify() {
  if (getMin() && getMax() && getMin()->convertToDouble() > getMax()->convertToDouble())
    return emitOpError("min ") << getMin()->convertToDouble()
                               << " is greater than max "
                               << getMax()->convertToDouble();
  return success();
}

LogicalResult BatchNormOp::verify() {
  auto input = getInput().getType();
  if (input.getRank() < 2)
    return emitOpError("input must have rank 2 or more");
  int64_t channels = input.getDimSize(1);
  for (Value operand : {getScale(), getBias(), getMean(), getVariance()}) {
    auto type = cast<RankedTensorType>(operand.getType());
    if (type.getRank() != 1 || areConflictingDims(type.getDimSize(0), channels))
      return emitOpError("scale, bias, mean and variance must be 1-D with ")
             << channels << " elements, got " << type;
    if (type.getElementType() != input.getElementType())
      return emitOpError("per-channel operands must have the input's element type");
  }
  return success();
}

/// `axis` must name a dimension of a tensor of rank `rank`.
static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ") << axis << " is out of range for rank "
                                    << rank;
  return success();
}

/// The scale/bias of a normalization over dimensions `axis`... of `input`
/// must have its element type and broadcast against those dimensions.
static LogicalResult verifyNormalization(Operation *op, RankedTensorType input,
                                         int64_t axis, ValueRange params) {
  if (failed(verifyAxis(op, axis, input.getRank())))
    return failure();
  ArrayRef<int64_t> normalized = input.getShape().drop_front(axis);
  for (Value param : params) {
    auto type = cast<RankedTensorType>(param.getType());
    if (type.getElementType() != input.getElementType())
      return op->emitOpError("scale and bias must have the input's element type");
    if (type.getRank() > static_cast<int64_t>(normalized.size()))
      return op->emitOpError("scale and bias must not have more dimensions "
                             "than the normalized ones");
    ArrayRef<int64_t> tail = normalized.take_back(type.getRank());
    for (auto [want, have] : llvm::zip(tail, type.getShape()))
      if (have != 1 && areConflictingDims(want, have))
        return op->emitOpError("scale/bias shape ")
               << type << " does not broadcast to the normalized dimensions";
  }
  return success();
}

LogicalResult LayerNormOp::verify() {
  SmallVector<Value> params = {getScale()};
  if (getBias())
    params.push_back(getBias());
  return verifyNormalization(*this, getInput().getType(), getAxis(), params);
}

LogicalResult RmsNormOp::verify() {
  return verifyNormalization(*this, getInput().getType(), getAxis(),
                             getScale());
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType().getRank());
}

SmallVector<int64_t> TransposeOp::getLastTwoSwapped(int64_t rank) {
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 2], perm[rank - 1]);
  return perm;
}

LogicalResult AttentionOp::verify() {
  auto query = cast<RankedTensorType>(getQuery().getType());
  auto key = cast<RankedTensorType>(getKey().getType());
  auto value = cast<RankedTensorType>(getValue().getType());
  auto output = cast<RankedTensorType>(getType());
  int64_t rank = query.getRank();
  if (rank < 2)
    return emitOpError("query must have rank 2 or more");
  for (RankedTensorType type : {key, value, output})
    if (type.getRank() != rank)
      return emitOpError("query, key, value and result must have one rank, got ")
             << query << ", " << key << ", " << value << " and " << output;
  for (RankedTensorType type : {key, value, output})
    if (type.getElementType() != query.getElementType())
      return emitOpError("operands and result must have one element type");
  for (int64_t d = 0; d < rank - 2; ++d)
    for (RankedTensorType type : {key, value, output})
      if (areConflictingDims(query.getDimSize(d), type.getDimSize(d)))
        return emitOpError("batch dimension ")
               << d << " differs between query " << query << " and " << type;
  int64_t lq = rank - 2, last = rank - 1;
  if (areConflictingDims(query.getDimSize(last), key.getDimSize(last)))
    return emitOpError("query and key must have one feature size, got ")
           << query << " and " << key;
  if (areConflictingDims(key.getDimSize(lq), value.getDimSize(lq)))
    return emitOpError("key and value must have one sequence length, got ")
           << key << " and " << value;
  if (areConflictingDims(output.getDimSize(lq), query.getDimSize(lq)) ||
      areConflictingDims(output.getDimSize(last), value.getDimSize(last)))
    return emitOpError("result ") << output << " must be [batch..., "
                                  << "Lq (of query), Dv (of value)]";
  if (Value mask = getMask()) {
    auto maskType = cast<RankedTensorType>(mask.getType());
    if (maskType.getElementType() != query.getElementType())
      return emitOpError("mask must have the query's element type");
    SmallVector<int64_t> scores(query.getShape());
    scores[last] = key.getDimSize(lq);
    if (maskType.getRank() > rank)
      return emitOpError("mask ") << maskType << " has more dimensions than "
                                  << "the scores";
    ArrayRef<int64_t> tail = ArrayRef<int64_t>(scores).take_back(
        maskType.getRank());
    for (auto [want, have] : llvm::zip(tail, maskType.getShape()))
      if (have != 1 && areConflictingDims(want, have))
        return emitOpError("mask ") << maskType
                                    << " does not broadcast to the scores";
  }
  return success();
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType().getRank());
}

LogicalResult NonZeroOp::verify() {
  if (getOutput().getType().getDimSize(0) != getInput().getType().getRank())
    return emitOpError("result must have one row per input dimension (")
           << getInput().getType().getRank() << ")";
  return success();
}

LogicalResult NonMaxSuppressionOp::verify() {
  RankedTensorType boxes = getBoxes().getType(), scores = getScores().getType();
  if (areConflictingDims(boxes.getDimSize(2), 4))
    return emitOpError("boxes must be B x N x 4");
  if (areConflictingDims(boxes.getDimSize(0), scores.getDimSize(0)) ||
      areConflictingDims(boxes.getDimSize(1), scores.getDimSize(2)))
    return emitOpError("scores must be B x C x N for B x N x 4 boxes");
  if (areConflictingDims(getOutput().getType().getDimSize(1), 3))
    return emitOpError("the result must be K x 3 (batch, class, box)");
  if (getIouThreshold().getType().getElementType() !=
          boxes.getElementType() ||
      getScoreThreshold().getType().getElementType() !=
          scores.getElementType())
    return emitOpError("thresholds must have the boxes' element type");
  return success();
}

LogicalResult RangeOp::verify() {
  if (getOutput().getType().getElementType() !=
      getStart().getType().getElementType())
    return emitOpError("result element type must match the operands'");
  return success();
}

LogicalResult GridSampleOp::verify() {
  RankedTensorType input = getInput().getType(), grid = getGrid().getType(),
                   output = getOutput().getType();
  if (input.getRank() != 4 || grid.getRank() != 4 || output.getRank() != 4)
    return emitOpError("expects a 4-D input, grid and result");
  if (areConflictingDims(grid.getDimSize(3), 2))
    return emitOpError("grid's last dimension must be 2 (x, y)");
  if (input.getElementType() != output.getElementType() ||
      grid.getElementType() != input.getElementType())
    return emitOpError("input, grid and result must share the element type");
  SmallVector<int64_t, 4> expected = {input.getDimSize(0), input.getDimSize(1),
                                     grid.getDimSize(1), grid.getDimSize(2)};
  for (auto [d, want] : llvm::enumerate(expected))
    if (areConflictingDims(output.getDimSize(d), want))
      return emitOpError("result dimension ")
             << d << " is " << output.getDimSize(d) << ", expected " << want;
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType();
  auto output = getOutput().getType();
  if (input.getElementType() != output.getElementType())
    return emitOpError("input and result element types differ");
  if (!getShape()) {
    if (!output.hasStaticShape())
      return emitOpError("a result with dynamic dimensions needs a shape operand");
    if (input.hasStaticShape() &&
        input.getNumElements() != output.getNumElements())
      return emitOpError("input has ")
             << input.getNumElements() << " elements but the result has "
             << output.getNumElements();
    return success();
  }
  auto shape = getShape().getType();
  if (areConflictingDims(shape.getDimSize(0), output.getRank()))
    return emitOpError("shape operand has ")
           << shape.getDimSize(0) << " entries for a result of rank "
           << output.getRank();
  return success();
}

LogicalResult SplitOp::verify() {
  auto input = getInput().getType();
  int64_t axis = getAxis();
  if (failed(verifyAxis(*this, axis, input.getRank())))
    return failure();
  if (getOutputs().empty())
    return emitOpError("expected at least one result");
  int64_t total = 0;
  for (Value output : getOutputs()) {
    auto type = cast<RankedTensorType>(output.getType());
    if (type.getRank() != input.getRank() ||
        type.getElementType() != input.getElementType())
      return emitOpError("results must have the input's rank and element type");
    for (int64_t d = 0; d < input.getRank(); ++d)
      if (d != axis && areConflictingDims(type.getDimSize(d), input.getDimSize(d)))
        return emitOpError("result ") << type << " differs from the input in "
                                      << "dimension " << d;
    if (type.isDynamicDim(axis) || total == kDynamic)
      total = kDynamic;
    else
      total += type.getDimSize(axis);
  }
  if (areConflictingDims(total, input.getDimSize(axis)))
    return emitOpError("result sizes along axis ")
           << axis << " add up to " << total << ", not "
           << input.getDimSize(axis);
  return success();
}

LogicalResult ExpandOp::verify() {
  auto input = getInput().getType();
  auto output = getOutput().getType();
  if (input.getElementType() != output.getElementType())
    return emitOpError("input and result element types differ");
  if (areConflictingDims(getShape().getType().getDimSize(0), output.getRank()))
    return emitOpError("shape operand length does not match the result rank");
  if (output.getRank() < input.getRank() ||
      !broadcastShapes(input.getShape(), output.getShape()))
    return emitOpError("input ") << input << " does not broadcast to " << output;
  return success();
}

LogicalResult ResizeOp::verify() {
  auto input = getInput().getType();
  auto output = getOutput().getType();
  if (static_cast<int64_t>(getScales().size()) != input.getRank())
    return emitOpError("expected one scale per dimension");
  if (output.getRank() != input.getRank() ||
      output.getElementType() != input.getElementType())
    return emitOpError("result must have the input's rank and element type");
  for (float scale : getScales())
    if (!(scale > 0.0f))
      return emitOpError("scales must be positive");
  return success();
}

#define GET_OP_CLASSES
#include "tessera/Dialect/Tessera/IR/TesseraOps.cpp.inc"
