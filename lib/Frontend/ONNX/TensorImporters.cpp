//===- TensorImporters.cpp - constants, shapes, data movement ---*- C++ -*-===//
//
// Shape-manipulating ONNX ops are normalized here: Flatten, Squeeze and
// Unsqueeze become tessera.reshape; ConstantOfShape a constant or an expand;
// Identity and inference Dropout vanish.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

static constexpr int64_t kDynamic = ShapedType::kDynamic;

static LogicalResult importIdentity(NodeImporter &n) {
  n.setResult(0, n.getInput(0));
  return success();
}

static LogicalResult importDropout(NodeImporter &n) {
  if (failed(n.checkUnusedOutputsFrom(2)))
    return failure();
  if (n.getOpset() >= 12 && n.hasInput(2)) {
    std::optional<double> training = n.getConstantScalar(2);
    if (!training || *training != 0.0)
      return n.fail("training_mode must be a constant false (inference only)");
  }
  n.setResult(0, n.getInput(0));
  if (n.hasOutput(1)) {
    // In inference every element is kept: the mask is all true.
    RankedTensorType input = n.getInputType(0);
    Value keep = n.constantScalar(n.getBuilder().getI1Type(), 1);
    n.setResult(1, n.create<ExpandOp>(input.clone(n.getBuilder().getI1Type()),
                                      keep, n.create<ShapeOp>(n.getInput(0))));
  }
  return success();
}

static LogicalResult importConstant(NodeImporter &n) {
  const onnx::NodeProto &node = n.getNode();
  if (node.attribute_size() != 1)
    return n.fail("expected exactly one value attribute");
  const onnx::AttributeProto &attr = node.attribute(0);
  OpBuilder &b = n.getBuilder();
  ElementsAttr value;
  if (attr.name() == "value") {
    FailureOr<ElementsAttr> converted = n.getTensorAttr(attr.t());
    if (failed(converted))
      return failure();
    value = *converted;
  } else if (attr.name() == "value_float") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   attr.f());
  } else if (attr.name() == "value_floats") {
    SmallVector<float> values(attr.floats().begin(), attr.floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(values.size())},
                              b.getF32Type()),
        ArrayRef<float>(values));
  } else if (attr.name() == "value_int") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(attr.i()));
  } else if (attr.name() == "value_ints") {
    SmallVector<int64_t> values(attr.ints().begin(), attr.ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(values.size())},
                              b.getI64Type()),
        ArrayRef<int64_t>(values));
  } else {
    return n.fail("the '" + attr.name() + "' form of Constant is not supported");
  }
  n.setResult(0, ConstantOp::create(b, n.getLoc(), value));
  return success();
}

/// The result type of an op whose shape comes from a run-time shape tensor
/// of `rank` entries: what ONNX shape inference found, or all dynamic.
static RankedTensorType runtimeShapedType(NodeImporter &n, int64_t rank,
                                          Type element) {
  if (RankedTensorType declared = n.getDeclaredOutputType(0))
    if (declared.getRank() == rank && declared.getElementType() == element)
      return declared;
  return RankedTensorType::get(SmallVector<int64_t>(rank, kDynamic), element);
}

static LogicalResult importConstantOfShape(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Attribute fill = DenseElementsAttr::get(
      RankedTensorType::get({1}, b.getF32Type()), 0.0f);
  if (const onnx::AttributeProto *attr = n.findAttr("value")) {
    FailureOr<ElementsAttr> converted = n.getTensorAttr(attr->t());
    if (failed(converted))
      return failure();
    fill = *converted;
  }
  auto dense = dyn_cast<DenseElementsAttr>(fill);
  if (!dense || dense.getNumElements() != 1)
    return n.fail("value must hold exactly one element");
  Type element = dense.getElementType();
  if (std::optional<SmallVector<int64_t>> shape = n.getConstantInts(0)) {
    auto type = RankedTensorType::get(*shape, element);
    n.setResult(0, ConstantOp::create(b, n.getLoc(),
                                      cast<ElementsAttr>(dense.resizeSplat(type))));
    return success();
  }
  RankedTensorType shapeType = n.getInputType(0);
  if (shapeType.isDynamicDim(0))
    return n.fail("the shape input must have a static length");
  Value scalar = ConstantOp::create(
      b, n.getLoc(),
      cast<ElementsAttr>(dense.resizeSplat(RankedTensorType::get({}, element))));
  n.setResult(0, n.create<ExpandOp>(
                     runtimeShapedType(n, shapeType.getDimSize(0), element),
                     scalar, n.getInput(0)));
  return success();
}

static LogicalResult importShape(NodeImporter &n) {
  Value shape = n.create<ShapeOp>(n.getInput(0));
  int64_t rank = n.getInputType(0).getRank();
  int64_t start = n.getInt("start", 0), end = n.getInt("end", rank);
  // Opset 15 takes a [start, end) window of the shape.
  if (start != 0 || end != rank) {
    OpBuilder &b = n.getBuilder();
    shape = n.create<SliceOp>(shape, b.getDenseI64ArrayAttr({start}),
                              b.getDenseI64ArrayAttr({end}),
                              b.getDenseI64ArrayAttr({1}));
  }
  n.setResult(0, shape);
  return success();
}

static LogicalResult importReshape(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  Type element = input.getElementType();
  std::optional<SmallVector<int64_t>> target = n.getConstantInts(1);
  if (!target) {
    RankedTensorType shapeType = n.getInputType(1);
    if (shapeType.getRank() != 1 || shapeType.isDynamicDim(0))
      return n.fail("the shape input must be 1-D with a static length");
    n.setResult(0, n.create<ReshapeOp>(
                       runtimeShapedType(n, shapeType.getDimSize(0), element),
                       n.getInput(0), n.getInput(1)));
    return success();
  }
  bool allowZero = n.getInt("allowzero", 0) != 0;
  SmallVector<int64_t> shape;
  int64_t inferred = -1, known = 1;
  for (auto [i, size] : llvm::enumerate(*target)) {
    if (size == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= input.getRank())
        return n.fail("shape entry " + llvm::Twine(i) +
                      " is 0 but the input has no such dimension");
      size = input.getDimSize(i);
    } else if (size == -1) {
      if (inferred >= 0)
        return n.fail("the shape has more than one -1 entry");
      inferred = i;
      shape.push_back(kDynamic);
      continue;
    } else if (size < -1) {
      return n.fail("invalid shape entry " + llvm::Twine(size));
    }
    shape.push_back(size);
    known = (size == kDynamic || known == kDynamic) ? kDynamic : known * size;
  }
  if (inferred >= 0 && input.hasStaticShape() && known != kDynamic) {
    if (known == 0 || input.getNumElements() % known != 0)
      return n.fail("cannot reshape " + llvm::Twine(input.getNumElements()) +
                    " elements into the requested shape");
    shape[inferred] = input.getNumElements() / known;
  }
  auto type = RankedTensorType::get(shape, element);
  if (type.hasStaticShape()) {
    if (input.hasStaticShape() &&
        input.getNumElements() != type.getNumElements())
      return n.fail("cannot reshape " + llvm::Twine(input.getNumElements()) +
                    " elements into " + llvm::Twine(type.getNumElements()));
    n.setResult(0, n.create<ReshapeOp>(type, n.getInput(0), Value()));
    return success();
  }
  n.setResult(0, n.create<ReshapeOp>(type, n.getInput(0), n.getInput(1),
                                     n.getBuilder().getBoolAttr(allowZero)));
  return success();
}

static LogicalResult importFlatten(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  // axis may equal the rank; a negative axis still counts from the rank.
  int64_t rawAxis = n.getInt("axis", 1);
  if (rawAxis < 0)
    rawAxis += input.getRank();
  FailureOr<int64_t> axis = n.normalizeAxis(rawAxis, input.getRank() + 1);
  if (failed(axis))
    return failure();
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t result = 1;
    for (int64_t d : dims)
      result = (d == kDynamic || result == kDynamic) ? kDynamic : result * d;
    return result;
  };
  int64_t outer = product(input.getShape().take_front(*axis));
  int64_t inner = product(input.getShape().drop_front(*axis));
  auto type = RankedTensorType::get({outer, inner}, input.getElementType());
  if (type.hasStaticShape()) {
    n.setResult(0, n.create<ReshapeOp>(type, n.getInput(0), Value()));
    return success();
  }
  // ONNX Reshape semantics: 0 copies a dimension, -1 absorbs the rest.
  SmallVector<int64_t> spec;
  if (*axis == 1)
    spec = {0, -1};
  else if (outer != kDynamic)
    spec = {outer, -1};
  else if (inner != kDynamic)
    spec = {-1, inner};
  else
    return n.fail("cannot flatten with dynamic dimensions on both sides of "
                  "the axis; pass --input-shape");
  n.setResult(0, n.create<ReshapeOp>(type, n.getInput(0), n.constantInts(spec)));
  return success();
}

/// Axes from the `axes` attribute (early opsets) or input 1 (opset 13+).
static FailureOr<SmallVector<int64_t>> getAxesOperand(NodeImporter &n,
                                                      bool fromInput) {
  if (!fromInput)
    return n.getInts("axes");
  if (!n.hasInput(1))
    return SmallVector<int64_t>();
  return n.requireConstantInts(1, "axes");
}

static LogicalResult importSqueeze(NodeImporter &n, bool axesFromInput) {
  RankedTensorType input = n.getInputType(0);
  if (axesFromInput && n.hasInput(1) && !n.getConstantInts(1))
    if (RankedTensorType declared = n.getStaticDeclaredOutputType(0)) {
      // Only the positions of unit dims differ: a reshape to the declared
      // shape is the same data.
      n.setResult(0, n.create<ReshapeOp>(declared, n.getInput(0), Value()));
      return success();
    }
  FailureOr<SmallVector<int64_t>> axes = getAxesOperand(n, axesFromInput);
  if (failed(axes))
    return failure();
  SmallVector<bool> drop(input.getRank(), false);
  if (axes->empty()) {
    for (int64_t d = 0; d < input.getRank(); ++d) {
      if (input.isDynamicDim(d))
        return n.fail("squeezing all unit dimensions needs a static shape");
      drop[d] = input.getDimSize(d) == 1;
    }
  }
  for (int64_t axis : *axes) {
    FailureOr<int64_t> d = n.normalizeAxis(axis, input.getRank());
    if (failed(d))
      return failure();
    if (!input.isDynamicDim(*d) && input.getDimSize(*d) != 1)
      return n.fail("cannot squeeze dimension " + llvm::Twine(*d) + " of size " +
                    llvm::Twine(input.getDimSize(*d)));
    drop[*d] = true;
  }
  SmallVector<int64_t> shape, sources;
  for (int64_t d = 0; d < input.getRank(); ++d) {
    if (drop[d])
      continue;
    shape.push_back(input.getDimSize(d));
    sources.push_back(input.isDynamicDim(d) ? d : -1);
  }
  n.setResult(0, n.reshapeWithDims(n.getInput(0), shape, sources));
  return success();
}

static LogicalResult importUnsqueeze(NodeImporter &n, bool axesFromInput) {
  RankedTensorType input = n.getInputType(0);
  if (axesFromInput && n.hasInput(1) && !n.getConstantInts(1))
    if (RankedTensorType declared = n.getStaticDeclaredOutputType(0)) {
      // Only the positions of unit dims differ: a reshape to the declared
      // shape is the same data.
      n.setResult(0, n.create<ReshapeOp>(declared, n.getInput(0), Value()));
      return success();
    }
  FailureOr<SmallVector<int64_t>> axes = getAxesOperand(n, axesFromInput);
  if (failed(axes))
    return failure();
  if (axes->empty())
    return n.fail("no axes to unsqueeze");
  int64_t rank = input.getRank() + axes->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : *axes) {
    FailureOr<int64_t> d = n.normalizeAxis(axis, rank);
    if (failed(d))
      return failure();
    if (inserted[*d])
      return n.fail("axis " + llvm::Twine(axis) + " is listed twice");
    inserted[*d] = true;
  }
  SmallVector<int64_t> shape, sources;
  int64_t next = 0;
  for (int64_t d = 0; d < rank; ++d) {
    if (inserted[d]) {
      shape.push_back(1);
      sources.push_back(-1);
      continue;
    }
    shape.push_back(input.getDimSize(next));
    sources.push_back(input.isDynamicDim(next) ? next : -1);
    ++next;
  }
  n.setResult(0, n.reshapeWithDims(n.getInput(0), shape, sources));
  return success();
}

static LogicalResult importTranspose(NodeImporter &n) {
  SmallVector<int64_t> perm = n.getInts("perm");
  if (perm.empty())
    for (int64_t d = n.getInputType(0).getRank() - 1; d >= 0; --d)
      perm.push_back(d);
  n.setResult(0, n.create<TransposeOp>(n.getInput(0),
                                       n.getBuilder().getDenseI64ArrayAttr(perm)));
  return success();
}

static LogicalResult importConcat(NodeImporter &n) {
  if (!n.hasAttr("axis"))
    return n.fail("missing the axis attribute");
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.getInt("axis", 0), n.getInputType(0).getRank());
  if (failed(axis))
    return failure();
  SmallVector<Value> inputs;
  for (int64_t i = 0; i < n.getNumInputs(); ++i)
    inputs.push_back(n.getInput(i));
  n.setResult(0, n.create<ConcatOp>(inputs, n.getBuilder().getI64IntegerAttr(*axis)));
  return success();
}

static LogicalResult importSplit(NodeImporter &n, bool sizesFromInput) {
  RankedTensorType input = n.getInputType(0);
  FailureOr<int64_t> axis = n.normalizeAxis(n.getInt("axis", 0), input.getRank());
  if (failed(axis))
    return failure();
  int64_t pieces = n.getNumOutputs();
  SmallVector<int64_t> sizes;
  bool declaredSizes = sizesFromInput && n.hasInput(1) && !n.getConstantInts(1);
  for (int64_t i = 0; declaredSizes && i < pieces; ++i)
    declaredSizes = bool(n.getStaticDeclaredOutputType(i));
  if (declaredSizes) {
    for (int64_t i = 0; i < pieces; ++i)
      sizes.push_back(n.getStaticDeclaredOutputType(i).getDimSize(*axis));
  } else if (sizesFromInput && n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = n.requireConstantInts(1, "split");
    if (failed(values))
      return failure();
    sizes = *values;
  } else if (!sizesFromInput) {
    sizes = n.getInts("split");
  }
  int64_t dim = input.getDimSize(*axis);
  if (sizes.empty()) {
    if (dim == kDynamic)
      return n.fail("an even split needs a static size along the axis");
    if (dim % pieces != 0)
      return n.fail("cannot split " + llvm::Twine(dim) + " evenly into " +
                    llvm::Twine(pieces) + " outputs");
    sizes.assign(pieces, dim / pieces);
  }
  if (static_cast<int64_t>(sizes.size()) != pieces)
    return n.fail("split lists " + llvm::Twine(sizes.size()) + " sizes for " +
                  llvm::Twine(pieces) + " outputs");
  SmallVector<Type> types;
  for (int64_t size : sizes) {
    SmallVector<int64_t> shape(input.getShape());
    shape[*axis] = size;
    types.push_back(RankedTensorType::get(shape, input.getElementType()));
  }
  auto split = SplitOp::create(n.getBuilder(), n.getLoc(), types, n.getInput(0),
                               n.getBuilder().getI64IntegerAttr(*axis));
  for (int64_t i = 0; i < pieces; ++i)
    n.setResult(i, split.getResult(i));
  return success();
}

static LogicalResult importSlice(NodeImporter &n, bool fromInputs) {
  RankedTensorType input = n.getInputType(0);
  int64_t rank = input.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  RankedTensorType declared = n.getStaticDeclaredOutputType(0);
  bool runtimeBounds = fromInputs && (!n.getConstantInts(1) || !n.getConstantInts(2) ||
                                      (n.hasInput(3) && !n.getConstantInts(3)) ||
                                      (n.hasInput(4) && !n.getConstantInts(4)));
  if (runtimeBounds && declared) {
    // Run-time bounds: the declared output gives the sizes; starts, axes
    // and steps are read at run time (ends are implied by the sizes).
    RankedTensorType startsType = n.getInputType(1);
    if (startsType.getRank() != 1 || startsType.isDynamicDim(0))
      return n.fail("starts must be 1-D with a static length");
    int64_t count = startsType.getDimSize(0);
    Type indexType = startsType.getElementType();
    Value axesValue, stepsValue;
    if (n.hasInput(3)) {
      axesValue = n.getInput(3);
    } else {
      SmallVector<int64_t> defaultAxes;
      for (int64_t i = 0; i < count; ++i)
        defaultAxes.push_back(i);
      axesValue = n.constantInts(defaultAxes);
    }
    if (n.hasInput(4))
      stepsValue = n.getInput(4);
    else
      stepsValue = n.constantInts(SmallVector<int64_t>(count, 1));
    (void)indexType;
    n.setResult(0, n.create<DynamicSliceOp>(declared, n.getInput(0),
                                            n.getInput(1), axesValue,
                                            stepsValue));
    return success();
  }
  if (fromInputs) {
    FailureOr<SmallVector<int64_t>> s = n.requireConstantInts(1, "starts");
    if (failed(s))
      return failure();
    FailureOr<SmallVector<int64_t>> e = n.requireConstantInts(2, "ends");
    if (failed(e))
      return failure();
    starts = *s;
    ends = *e;
    for (auto [index, target] : {std::pair{3, &axes}, std::pair{4, &steps}}) {
      if (!n.hasInput(index))
        continue;
      FailureOr<SmallVector<int64_t>> values =
          n.requireConstantInts(index, index == 3 ? "axes" : "steps");
      if (failed(values))
        return failure();
      *target = *values;
    }
  } else {
    starts = n.getInts("starts");
    ends = n.getInts("ends");
    axes = n.getInts("axes");
  }
  if (axes.empty())
    for (int64_t d = 0; d < static_cast<int64_t>(starts.size()); ++d)
      axes.push_back(d);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || starts.size() != axes.size() ||
      starts.size() != steps.size())
    return n.fail("starts, ends, axes and steps differ in length");
  SmallVector<int64_t> fullStarts(rank, 0),
      fullEnds(rank, std::numeric_limits<int64_t>::max()), fullSteps(rank, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    FailureOr<int64_t> d = n.normalizeAxis(axes[i], rank);
    if (failed(d))
      return failure();
    if (steps[i] == 0)
      return n.fail("slice step must be non-zero");
    fullStarts[*d] = starts[i];
    fullEnds[*d] = ends[i];
    fullSteps[*d] = steps[i];
  }
  OpBuilder &b = n.getBuilder();
  n.setResult(0, n.create<SliceOp>(n.getInput(0),
                                   b.getDenseI64ArrayAttr(fullStarts),
                                   b.getDenseI64ArrayAttr(fullEnds),
                                   b.getDenseI64ArrayAttr(fullSteps)));
  return success();
}

static LogicalResult importGather(NodeImporter &n) {
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.getInt("axis", 0), n.getInputType(0).getRank());
  if (failed(axis))
    return failure();
  n.setResult(0, n.create<GatherOp>(n.getInput(0), n.getInput(1),
                                    n.getBuilder().getI64IntegerAttr(*axis)));
  return success();
}

static LogicalResult importExpand(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  RankedTensorType shapeType = n.getInputType(1);
  if (shapeType.getRank() != 1 || shapeType.isDynamicDim(0))
    return n.fail("the shape input must be 1-D with a static length");
  RankedTensorType type;
  if (std::optional<SmallVector<int64_t>> target = n.getConstantInts(1)) {
    std::optional<SmallVector<int64_t>> shape =
        broadcastShapes(input.getShape(), *target);
    if (!shape)
      return n.fail("cannot expand the input to the requested shape");
    type = RankedTensorType::get(*shape, input.getElementType());
  } else {
    int64_t rank = std::max<int64_t>(input.getRank(), shapeType.getDimSize(0));
    type = runtimeShapedType(n, rank, input.getElementType());
  }
  Value shape = n.getInput(1);
  int64_t missing = type.getRank() - shapeType.getDimSize(0);
  if (missing > 0) {
    // A shorter shape broadcasts against the trailing dims; 1s keep the
    // leading input dims.
    SmallVector<int64_t> ones(missing, 1);
    shape = n.create<ConcatOp>(ValueRange{n.constantInts(ones), shape},
                               n.getBuilder().getI64IntegerAttr(0));
  }
  n.setResult(0, n.create<ExpandOp>(type, n.getInput(0), shape));
  return success();
}

/// Pad whose pads (and value) are known only at run time, with the output
/// shape the model declares: along each dimension, output position o reads
/// input position o - pad_begin (clamped for edge, mirrored for reflect);
/// one Gather per dimension, then positions outside the input take the
/// constant value.
static LogicalResult importRuntimePad(NodeImporter &n, PadMode mode) {
  RankedTensorType input = n.getInputType(0);
  RankedTensorType declared = n.getStaticDeclaredOutputType(0);
  if (!declared || !input.hasStaticShape())
    return n.fail("pads (input 1) known only at run time need a static input "
                  "and a declared static output shape");
  int64_t rank = input.getRank();
  OpBuilder &b = n.getBuilder();
  Type i64 = b.getI64Type();
  Value pads = n.getInput(1);
  if (n.getInputType(1).getElementType() != i64)
    pads = n.create<CastOp>(n.getInputType(1).clone(i64), pads);
  Value result = n.getInput(0);
  Value inside;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t out = declared.getDimSize(d), in = input.getDimSize(d);
    Value begin = n.create<ReshapeOp>(
        RankedTensorType::get({}, i64),
        n.create<SliceOp>(pads, b.getDenseI64ArrayAttr({d}),
                          b.getDenseI64ArrayAttr({d + 1}),
                          b.getDenseI64ArrayAttr({1})),
        Value());
    Value source = n.create<SubOp>(n.indexGrid({out}, 0), begin);
    Value zero = n.constantScalar(i64, 0), last = n.constantScalar(i64, in - 1);
    if (mode == PadMode::constant) {
      Value valid = n.create<AndOp>(
          n.create<GreaterEqualOp>(source, zero),
          n.create<LessEqualOp>(source, last));
      SmallVector<int64_t> shape(rank, 1);
      shape[d] = out;
      valid = n.create<ReshapeOp>(RankedTensorType::get(shape, b.getI1Type()),
                                  valid, Value());
      inside = inside ? n.create<AndOp>(inside, valid) : valid;
    } else if (mode == PadMode::reflect) {
      // |i|, then mirrored around the last element.
      source = n.create<AbsOp>(source);
      source = n.create<MinOp>(
          source, n.create<SubOp>(n.constantScalar(i64, 2 * (in - 1)), source));
    }
    source = n.create<MinOp>(n.create<MaxOp>(source, zero), last);
    result = n.create<GatherOp>(result, source, b.getI64IntegerAttr(d));
  }
  if (inside) {
    Value value = n.constantScalar(input.getElementType(), 0);
    if (n.hasInput(2))
      value = n.create<ReshapeOp>(
          RankedTensorType::get({}, input.getElementType()), n.getInput(2),
          Value());
    result = n.create<WhereOp>(inside, result, value);
  }
  n.setResult(0, result);
  return success();
}

static LogicalResult importPad(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  SmallVector<int64_t> pads;
  double value = 0.0;
  if (n.getOpset() < 11) {
    pads = n.getInts("pads");
    value = n.getFloat("value", 0.0f);
  } else {
    std::string modeName = n.getString("mode", "constant");
    std::optional<PadMode> mode = symbolizePadMode(modeName);
    if (mode && !n.getConstantInts(1) && !n.hasInput(3))
      return importRuntimePad(n, *mode);
    FailureOr<SmallVector<int64_t>> p = n.requireConstantInts(1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (n.hasInput(2)) {
      std::optional<double> v = n.getConstantScalar(2);
      if (!v)
        return n.fail("constant_value must be a compile-time scalar");
      value = *v;
    }
    if (n.hasInput(3))
      return n.fail("the axes input of Pad is not supported");
  }
  if (static_cast<int64_t>(pads.size()) != 2 * input.getRank())
    return n.fail("expected " + llvm::Twine(2 * input.getRank()) + " pads, got " +
                  llvm::Twine(pads.size()));
  std::string modeName = n.getString("mode", "constant");
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return n.fail("unsupported pad mode '" + modeName + "'");
  OpBuilder &b = n.getBuilder();
  n.setResult(0, n.create<PadOp>(n.getInput(0), b.getDenseI64ArrayAttr(pads),
                                 PadModeAttr::get(b.getContext(), *mode),
                                 b.getF64FloatAttr(value)));
  return success();
}

/// Resize (opset 10: X, scales; 11+: X, roi, scales, sizes) and Upsample
/// (attribute scales before 9, an input from 9).
static LogicalResult importResize(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  int64_t rank = input.getRank();
  bool isUpsample = n.getNode().op_type() == "Upsample";
  SmallVector<float> scales;
  SmallVector<int64_t> sizes;
  Value runtimeScales;
  int64_t scalesIndex = (isUpsample || n.getOpset() < 11) ? 1 : 2;
  if (isUpsample && n.getOpset() < 9) {
    scales = n.getFloats("scales");
  } else if (n.hasInput(scalesIndex) &&
             n.getInputType(scalesIndex).getNumElements() != 0) {
    auto dense = dyn_cast_or_null<DenseFPElementsAttr>(n.getConstantInput(scalesIndex));
    RankedTensorType declared = n.getStaticDeclaredOutputType(0);
    if (!dense && declared && input.hasStaticShape() &&
        n.getInputType(scalesIndex).getElementType().isF32()) {
      // Run-time scales: sizes from the declared output, coordinates from
      // the scales themselves.
      runtimeScales = n.getInput(scalesIndex);
      sizes.assign(declared.getShape().begin(), declared.getShape().end());
      for (int64_t d = 0; d < rank; ++d)
        scales.push_back(static_cast<float>(declared.getDimSize(d)) /
                         std::max<int64_t>(1, input.getDimSize(d)));
    } else if (!dense) {
      return n.fail("scales must be a compile-time float constant");
    } else {
      for (APFloat v : dense.getValues<APFloat>())
        scales.push_back(v.convertToFloat());
    }
  } else if (!isUpsample && n.hasInput(3) && !n.getConstantInts(3) &&
             n.getStaticDeclaredOutputType(0) && input.hasStaticShape()) {
    // Run-time sizes: the model declares the output shape.
    RankedTensorType declared = n.getStaticDeclaredOutputType(0);
    for (int64_t d = 0; d < rank; ++d) {
      sizes.push_back(declared.getDimSize(d));
      scales.push_back(static_cast<float>(sizes[d]) / input.getDimSize(d));
    }
  } else if (!isUpsample && n.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> s = n.requireConstantInts(3, "sizes");
    if (failed(s))
      return failure();
    sizes = *s;
    if (static_cast<int64_t>(sizes.size()) != rank)
      return n.fail("sizes must have one entry per dimension");
    for (int64_t d = 0; d < rank; ++d) {
      if (input.isDynamicDim(d))
        return n.fail("resizing to sizes needs a static input shape");
      scales.push_back(static_cast<float>(sizes[d]) / input.getDimSize(d));
    }
  }
  if (static_cast<int64_t>(scales.size()) != rank)
    return n.fail("expected scales or sizes for each of the " +
                  llvm::Twine(rank) + " dimensions");
  if (sizes.empty())
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(input.isDynamicDim(d)
                          ? kDynamic
                          : static_cast<int64_t>(std::floor(
                                input.getDimSize(d) * static_cast<double>(scales[d]))));

  std::string modeName = n.getString("mode", "nearest");
  std::optional<ResizeMode> mode =
      modeName == "bilinear" ? ResizeMode::linear : symbolizeResizeMode(modeName);
  if (!mode)
    return n.fail("unsupported resize mode '" + modeName + "'");
  // Upsample and Resize-10 place samples like `asymmetric`.
  std::string transformName =
      (isUpsample || n.getOpset() < 11)
          ? "asymmetric"
          : n.getString("coordinate_transformation_mode", "half_pixel");
  std::optional<CoordinateTransform> transform =
      symbolizeCoordinateTransform(transformName);
  if (!transform)
    return n.fail("unsupported coordinate_transformation_mode '" +
                  transformName + "'");
  std::string roundingName =
      (isUpsample || n.getOpset() < 11)
          ? "floor"
          : n.getString("nearest_mode", "round_prefer_floor");
  std::optional<NearestRounding> rounding = symbolizeNearestRounding(roundingName);
  if (!rounding)
    return n.fail("unsupported nearest_mode '" + roundingName + "'");

  MLIRContext *ctx = n.getContext();
  auto type = RankedTensorType::get(sizes, input.getElementType());
  n.setResult(0, n.create<ResizeOp>(
                     type, n.getInput(0), runtimeScales,
                     n.getBuilder().getDenseF32ArrayAttr(scales),
                     ResizeModeAttr::get(ctx, *mode),
                     CoordinateTransformAttr::get(ctx, *transform),
                     NearestRoundingAttr::get(ctx, *rounding),
                     n.getBuilder().getF32FloatAttr(n.getFloat("cubic_coeff_a", -0.75f)),
                     n.getBuilder().getBoolAttr(n.getInt("exclude_outside", 0) != 0)));
  return success();
}

static LogicalResult importGatherElements(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  FailureOr<int64_t> axis = n.normalizeAxis(n.getInt("axis", 0), input.getRank());
  if (failed(axis))
    return failure();
  RankedTensorType indices = n.getInputType(1);
  n.setResult(0, n.create<GatherElementsOp>(
                     indices.clone(input.getElementType()), n.getInput(0),
                     n.getInput(1), n.getBuilder().getI64IntegerAttr(*axis)));
  return success();
}

static LogicalResult importTrilu(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Value k;
  if (n.hasInput(1)) {
    k = n.getInput(1);
    if (cast<RankedTensorType>(k.getType()).getRank() != 0)
      k = n.create<ReshapeOp>(RankedTensorType::get({}, b.getI64Type()), k,
                              Value());
  } else {
    k = n.constantScalar(b.getI64Type(), 0);
  }
  n.setResult(0, n.create<TriluOp>(n.getInput(0), k,
                                   b.getBoolAttr(n.getInt("upper", 1) != 0)));
  return success();
}

/// Size = the product of the shape (an i64 scalar).
static LogicalResult importSize(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Value shape = n.create<ShapeOp>(n.getInput(0));
  n.setResult(0, n.create<ReduceProdOp>(shape, b.getDenseI64ArrayAttr({0}),
                                        b.getBoolAttr(false)));
  return success();
}


/// GridSample (opset 16, 4-D): modes bilinear/nearest/bicubic map onto the
/// resize interpolation modes.
static LogicalResult importGridSample(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0), grid = n.getInputType(1);
  if (input.getRank() != 4 || grid.getRank() != 4)
    return n.fail("GridSample needs a 4-D input and grid");
  std::string modeName = n.getString("mode", "bilinear");
  std::optional<ResizeMode> mode =
      modeName == "bilinear"  ? std::optional(ResizeMode::linear)
      : modeName == "nearest" ? std::optional(ResizeMode::nearest)
      : modeName == "bicubic" ? std::optional(ResizeMode::cubic)
                              : std::nullopt;
  if (!mode)
    return n.fail("unknown mode '" + modeName + "'");
  std::string paddingName = n.getString("padding_mode", "zeros");
  std::optional<GridSamplePadding> padding =
      symbolizeGridSamplePadding(paddingName);
  if (!padding)
    return n.fail("unknown padding_mode '" + paddingName + "'");
  if (grid.getElementType() != input.getElementType())
    return n.fail("the grid must have the input's element type");
  auto type = RankedTensorType::get({input.getDimSize(0), input.getDimSize(1),
                                     grid.getDimSize(1), grid.getDimSize(2)},
                                    input.getElementType());
  MLIRContext *ctx = n.getContext();
  n.setResult(0, n.create<GridSampleOp>(
                     type, n.getInput(0), n.getInput(1),
                     ResizeModeAttr::get(ctx, *mode),
                     GridSamplePaddingAttr::get(ctx, *padding),
                     n.getBuilder().getBoolAttr(n.getInt("align_corners", 0) != 0)));
  return success();
}

void onnx_frontend::registerTensorImporters(OpImporterRegistry &r) {
  r.onOp("Identity", 1, importIdentity);
  r.onOp("Dropout", 1, importDropout);
  r.onOp("GatherElements", 11, importGatherElements);
  r.onOp("Trilu", 14, importTrilu);
  r.onOp("Size", 1, importSize);
  r.onOp("Constant", 1, importConstant);
  r.onOp("ConstantOfShape", 9, importConstantOfShape);
  r.onOp("Shape", 1, importShape);
  r.onOp("Reshape", 5, importReshape);
  r.onOp("Flatten", 1, importFlatten);
  r.onOp("Squeeze", 1, [](NodeImporter &n) { return importSqueeze(n, false); });
  r.onOp("Squeeze", 13, [](NodeImporter &n) { return importSqueeze(n, true); });
  r.onOp("Unsqueeze", 1,
         [](NodeImporter &n) { return importUnsqueeze(n, false); });
  r.onOp("Unsqueeze", 13,
         [](NodeImporter &n) { return importUnsqueeze(n, true); });
  r.onOp("Transpose", 1, importTranspose);
  r.onOp("Concat", 4, importConcat);
  r.onOp("Split", 2, [](NodeImporter &n) { return importSplit(n, false); });
  r.onOp("Split", 13, [](NodeImporter &n) { return importSplit(n, true); });
  r.onOp("Slice", 1, [](NodeImporter &n) { return importSlice(n, false); });
  r.onOp("Slice", 10, [](NodeImporter &n) { return importSlice(n, true); });
  r.onOp("Gather", 1, importGather);
  r.onOp("Expand", 8, importExpand);
  r.onOp("Pad", 2, importPad);
  r.onOp("Resize", 10, importResize);
  r.onOp("Upsample", 7, importResize);
  r.onOp("GridSample", 16, importGridSample);
}
