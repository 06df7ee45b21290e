//===- SequenceImporters.cpp - tensor sequences inside a graph ----------===//
//
// Sequences never reach the generated code: the importer tracks each one
// as a list of tensor values (SequenceValue) and the sequence ops become
// operations on that list. Positions known at compile time pick elements
// directly; a run-time position is carried as a per-element position
// tensor, and reading the sequence selects among the elements with
// `where`, which needs elements of one shape. Sequences as graph inputs or
// outputs are not supported.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"
#include "TensorConversion.h"

#include <limits>

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

static FailureOr<const SequenceValue *> requireSequence(NodeImporter &n,
                                                        int64_t index) {
  const SequenceValue *sequence = n.getSequenceInput(index);
  if (!sequence) {
    (void)n.fail("input " + llvm::Twine(index) + " must be a sequence");
    return failure();
  }
  return sequence;
}

namespace {
/// A position input: a compile-time value, or a 0-D i64 tensor.
struct Position {
  std::optional<int64_t> constant;
  Value runtime;
};
} // namespace

/// Input `index` as a position in a sequence of `length` (ONNX counts
/// negative positions from the end).
static FailureOr<Position> readPosition(NodeImporter &n, int64_t index,
                                        int64_t length) {
  if (std::optional<SmallVector<int64_t>> values = n.getConstantInts(index)) {
    if (values->size() != 1)
      return n.fail("the position must be a scalar");
    int64_t p = (*values)[0];
    return Position{p < 0 ? p + length : p, Value()};
  }
  RankedTensorType type = n.getInputType(index);
  if (!type || type.getNumElements() != 1)
    return n.fail("the position must be a scalar");
  Type i64 = n.getBuilder().getI64Type();
  Value p = n.create<ReshapeOp>(RankedTensorType::get({}, type.getElementType()),
                                n.getInput(index), Value());
  if (type.getElementType() != i64)
    p = n.create<CastOp>(RankedTensorType::get({}, i64), p);
  p = n.create<WhereOp>(n.create<LessOp>(p, n.constantScalar(i64, 0)),
                        n.create<AddOp>(p, n.constantScalar(i64, length)), p);
  return Position{std::nullopt, p};
}

/// `position` as a 0-D i64 tensor.
static Value positionValue(NodeImporter &n, Position position) {
  if (position.runtime)
    return position.runtime;
  return n.constantScalar(n.getBuilder().getI64Type(), *position.constant);
}

/// Optional input `index` as a position in a sequence of `length`, or
/// `fallback` when the node omits it.
static FailureOr<Position> readOptionalPosition(NodeImporter &n, int64_t index,
                                                int64_t length,
                                                int64_t fallback) {
  if (!n.hasInput(index))
    return Position{fallback, Value()};
  return readPosition(n, index, length);
}

/// The per-element position tensors of `sequence`, created when its
/// positions were still implicit.
static SmallVector<Value> positionTensors(NodeImporter &n,
                                          const SequenceValue &sequence) {
  if (!sequence.positions.empty())
    return sequence.positions;
  SmallVector<Value> positions;
  for (size_t i = 0; i < sequence.elements.size(); ++i)
    positions.push_back(n.constantScalar(n.getBuilder().getI64Type(), i));
  return positions;
}

/// The element at `position`.
static FailureOr<Value> elementAt(NodeImporter &n,
                                  const SequenceValue &sequence,
                                  Position position) {
  if (position.constant && (*position.constant < 0 ||
                            *position.constant >= sequence.length))
    return n.fail("position " + llvm::Twine(*position.constant) +
                  " is outside a sequence of length " +
                  llvm::Twine(sequence.length));
  if (position.constant && sequence.positions.empty()) {
    Value element = sequence.elements[*position.constant];
    if (!element)
      return n.fail("the element's size is only known at run time "
                    "(SplitToSequence with run-time splits)");
    return element;
  }
  Value at = positionValue(n, position);
  SmallVector<Value> positions = positionTensors(n, sequence);
  Value result;
  for (auto [element, elementPosition] :
       llvm::reverse(llvm::zip(sequence.elements, positions))) {
    if (!element)
      return n.fail("the sequence holds elements whose size is only known "
                    "at run time");
    if (!result) {
      result = element;
      continue;
    }
    if (element.getType() != result.getType())
      return n.fail("reading a sequence at a run-time position needs "
                    "elements of one shape and type");
    result = n.create<WhereOp>(n.create<EqualOp>(elementPosition, at), element,
                               result);
  }
  if (!result)
    return n.fail("the sequence is empty");
  return result;
}

static LogicalResult importSequenceEmpty(NodeImporter &n) {
  SequenceValue sequence;
  sequence.elementType = convertElementType(n.getContext(), n.getInt("dtype", 1));
  if (!sequence.elementType)
    return n.fail("unsupported dtype");
  n.setSequenceResult(0, sequence);
  return success();
}

static LogicalResult importSequenceConstruct(NodeImporter &n) {
  SequenceValue sequence;
  for (int64_t i = 0; i < n.getNumInputs(); ++i) {
    Value element = n.getInput(i);
    if (!element)
      return n.fail("input " + llvm::Twine(i) + " must be a tensor");
    sequence.elements.push_back(element);
  }
  sequence.length = sequence.elements.size();
  if (!sequence.elements.empty())
    sequence.elementType =
        cast<RankedTensorType>(sequence.elements[0].getType()).getElementType();
  n.setSequenceResult(0, sequence);
  return success();
}

static LogicalResult importSequenceInsert(NodeImporter &n) {
  FailureOr<const SequenceValue *> input = requireSequence(n, 0);
  if (failed(input))
    return failure();
  SequenceValue sequence = **input;
  Value tensor = n.getInput(1);
  if (!tensor)
    return n.fail("input 1 must be a tensor");
  FailureOr<Position> read =
      readOptionalPosition(n, 2, sequence.length, sequence.length);
  if (failed(read))
    return failure();
  Position position = *read;
  if (position.constant && (*position.constant < 0 ||
                            *position.constant > sequence.length))
    return n.fail("insert position " + llvm::Twine(*position.constant) +
                  " is outside [0, " + llvm::Twine(sequence.length) + "]");
  if (position.constant && sequence.positions.empty()) {
    sequence.elements.insert(sequence.elements.begin() + *position.constant,
                             tensor);
  } else {
    // Elements at or after the insert position move up by one.
    Type i64 = n.getBuilder().getI64Type();
    Value at = positionValue(n, position);
    SmallVector<Value> positions = positionTensors(n, sequence);
    for (Value &p : positions)
      p = n.create<WhereOp>(n.create<GreaterEqualOp>(p, at),
                            n.create<AddOp>(p, n.constantScalar(i64, 1)), p);
    sequence.elements.push_back(tensor);
    positions.push_back(at);
    sequence.positions = positions;
  }
  ++sequence.length;
  n.setSequenceResult(0, sequence);
  return success();
}

static LogicalResult importSequenceErase(NodeImporter &n) {
  FailureOr<const SequenceValue *> input = requireSequence(n, 0);
  if (failed(input))
    return failure();
  SequenceValue sequence = **input;
  if (sequence.length == 0)
    return n.fail("erasing from an empty sequence");
  FailureOr<Position> read =
      readOptionalPosition(n, 1, sequence.length, sequence.length - 1);
  if (failed(read))
    return failure();
  Position position = *read;
  if (position.constant && (*position.constant < 0 ||
                            *position.constant >= sequence.length))
    return n.fail("erase position " + llvm::Twine(*position.constant) +
                  " is outside the sequence");
  if (position.constant && sequence.positions.empty()) {
    sequence.elements.erase(sequence.elements.begin() + *position.constant);
  } else {
    // The erased element's position becomes -1; later ones move down.
    Type i64 = n.getBuilder().getI64Type();
    Value at = positionValue(n, position);
    SmallVector<Value> positions = positionTensors(n, sequence);
    for (Value &p : positions)
      p = n.create<WhereOp>(
          n.create<EqualOp>(p, at), n.constantScalar(i64, -1),
          n.create<WhereOp>(n.create<GreaterOp>(p, at),
                            n.create<SubOp>(p, n.constantScalar(i64, 1)), p));
    sequence.positions = positions;
  }
  --sequence.length;
  n.setSequenceResult(0, sequence);
  return success();
}

static LogicalResult importSequenceAt(NodeImporter &n) {
  FailureOr<const SequenceValue *> sequence = requireSequence(n, 0);
  if (failed(sequence))
    return failure();
  FailureOr<Position> position = readPosition(n, 1, (*sequence)->length);
  if (failed(position))
    return failure();
  FailureOr<Value> element = elementAt(n, **sequence, *position);
  if (failed(element))
    return failure();
  n.setResult(0, *element);
  return success();
}

static LogicalResult importSequenceLength(NodeImporter &n) {
  FailureOr<const SequenceValue *> sequence = requireSequence(n, 0);
  if (failed(sequence))
    return failure();
  n.setResult(0, n.constantScalar(n.getBuilder().getI64Type(),
                                  (*sequence)->length));
  return success();
}

/// ConcatFromSequence: the elements in sequence order, concatenated along
/// `axis` (stacked along a new one with new_axis).
static LogicalResult importConcatFromSequence(NodeImporter &n) {
  FailureOr<const SequenceValue *> sequence = requireSequence(n, 0);
  if (failed(sequence))
    return failure();
  if ((*sequence)->length == 0)
    return n.fail("concatenating an empty sequence");
  bool newAxis = n.getInt("new_axis", 0) != 0;
  SmallVector<Value> pieces;
  for (int64_t k = 0; k < (*sequence)->length; ++k) {
    FailureOr<Value> element = elementAt(n, **sequence, Position{k, Value()});
    if (failed(element))
      return failure();
    pieces.push_back(*element);
  }
  int64_t rank = cast<RankedTensorType>(pieces[0].getType()).getRank();
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.getInt("axis", 0), newAxis ? rank + 1 : rank);
  if (failed(axis))
    return failure();
  if (newAxis)
    for (Value &piece : pieces) {
      auto type = cast<RankedTensorType>(piece.getType());
      SmallVector<int64_t> shape(type.getShape()), sources;
      for (int64_t d = 0; d < rank; ++d)
        sources.push_back(type.isDynamicDim(d) ? d : -1);
      shape.insert(shape.begin() + *axis, 1);
      sources.insert(sources.begin() + *axis, -1);
      piece = n.reshapeWithDims(piece, shape, sources);
    }
  n.setResult(0, pieces.size() == 1
                     ? pieces[0]
                     : n.create<ConcatOp>(pieces, n.getBuilder().getI64IntegerAttr(
                                                      *axis)));
  return success();
}

/// SplitToSequence: pieces of 1 (dropping the axis unless keepdims), of a
/// scalar chunk size (the last one shorter), or of listed sizes. Sizes
/// listed at run time give a sequence of known length whose elements
/// cannot be read.
static LogicalResult importSplitToSequence(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  FailureOr<int64_t> axis = n.normalizeAxis(n.getInt("axis", 0), input.getRank());
  if (failed(axis))
    return failure();
  SequenceValue sequence;
  sequence.elementType = input.getElementType();
  if (n.hasInput(1) && !n.getConstantInts(1)) {
    RankedTensorType split = n.getInputType(1);
    if (split.getRank() != 1 || split.isDynamicDim(0))
      return n.fail("run-time split sizes need a 1-D split of static length");
    sequence.length = split.getDimSize(0);
    sequence.elements.assign(sequence.length, Value());
    n.setSequenceResult(0, sequence);
    return success();
  }
  int64_t size = input.getDimSize(*axis);
  if (ShapedType::isDynamic(size))
    return n.fail("the split axis must have a static size");
  SmallVector<int64_t> sizes;
  bool dropAxis = false;
  if (!n.hasInput(1)) {
    sizes.assign(size, 1);
    dropAxis = n.getInt("keepdims", 1) == 0;
  } else {
    SmallVector<int64_t> split = *n.getConstantInts(1);
    if (n.getInputType(1).getRank() == 0) {
      if (split[0] <= 0)
        return n.fail("the split size must be positive");
      for (int64_t start = 0; start < size; start += split[0])
        sizes.push_back(std::min(split[0], size - start));
    } else {
      sizes = split;
      int64_t total = 0;
      for (int64_t s : sizes)
        total += s;
      if (total != size)
        return n.fail("split sizes add up to " + llvm::Twine(total) +
                      ", the axis has " + llvm::Twine(size));
    }
  }
  OpBuilder &b = n.getBuilder();
  int64_t rank = input.getRank();
  int64_t start = 0;
  for (int64_t s : sizes) {
    SmallVector<int64_t> starts(rank, 0), ends(input.getShape()),
        steps(rank, 1);
    for (int64_t d = 0; d < rank; ++d)
      if (input.isDynamicDim(d))
        ends[d] = std::numeric_limits<int64_t>::max();
    starts[*axis] = start;
    ends[*axis] = start + s;
    Value piece = n.create<SliceOp>(n.getInput(0), b.getDenseI64ArrayAttr(starts),
                                    b.getDenseI64ArrayAttr(ends),
                                    b.getDenseI64ArrayAttr(steps));
    if (dropAxis) {
      auto type = cast<RankedTensorType>(piece.getType());
      SmallVector<int64_t> shape, sources;
      for (int64_t d = 0; d < rank; ++d) {
        if (d == *axis)
          continue;
        shape.push_back(type.getDimSize(d));
        sources.push_back(type.isDynamicDim(d) ? d : -1);
      }
      piece = n.reshapeWithDims(piece, shape, sources);
    }
    sequence.elements.push_back(piece);
    start += s;
  }
  sequence.length = sequence.elements.size();
  n.setSequenceResult(0, sequence);
  return success();
}

void onnx_frontend::registerSequenceImporters(OpImporterRegistry &r) {
  r.onOp("SequenceEmpty", 11, importSequenceEmpty);
  r.onOp("SequenceConstruct", 11, importSequenceConstruct);
  r.onOp("SequenceInsert", 11, importSequenceInsert);
  r.onOp("SequenceErase", 11, importSequenceErase);
  r.onOp("SequenceAt", 11, importSequenceAt);
  r.onOp("SequenceLength", 11, importSequenceLength);
  r.onOp("ConcatFromSequence", 11, importConcatFromSequence);
  r.onOp("SplitToSequence", 11, importSplitToSequence);
}
