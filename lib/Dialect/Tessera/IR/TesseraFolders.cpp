//===- TesseraFolders.cpp - constant folding and canonicalization -*- C++ -*-===//
//
// Folders evaluate ops whose operands are constants. Arithmetic folds only
// small `dense<...>` values (the shape computations exporters emit);
// data-movement folds (reshape, transpose, slice, concat, gather) move bytes
// and also work on weight blobs, so a transposed Gemm weight is transposed
// once at compile time.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include <cmath>

using namespace mlir;
using namespace mlir::tessera;

/// Arithmetic folds give up on non-splat results larger than this.
static constexpr int64_t kFoldElementLimit = 4096;

static SmallVector<int64_t> getStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// For every element of `resultShape`, the linear index of the element of
/// `operandShape` that numpy broadcasting reads.
static SmallVector<int64_t> broadcastIndices(ArrayRef<int64_t> operandShape,
                                             ArrayRef<int64_t> resultShape) {
  int64_t count = ShapedType::getNumElements(resultShape);
  size_t offset = resultShape.size() - operandShape.size();
  SmallVector<int64_t> operandStrides = getStrides(operandShape);
  SmallVector<int64_t> resultStrides = getStrides(resultShape);
  SmallVector<int64_t> indices(count);
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t source = 0;
    for (size_t d = 0; d < operandShape.size(); ++d) {
      int64_t coord = (linear / resultStrides[d + offset]) % resultShape[d + offset];
      if (operandShape[d] != 1)
        source += coord * operandStrides[d];
    }
    indices[linear] = source;
  }
  return indices;
}

/// Builds a constant of `type` whose element i is element `sources[i]` of
/// `input`.
static ElementsAttr gatherElements(const ConstantBytes &input,
                                   RankedTensorType type,
                                   ArrayRef<int64_t> sources,
                                   StringRef nameHint) {
  int64_t elementBytes = input.getElementBytes();
  std::vector<char> bytes(sources.size() * elementBytes);
  const char *data = input.getData().data();
  for (auto [i, source] : llvm::enumerate(sources))
    std::memcpy(bytes.data() + i * elementBytes, data + source * elementBytes,
                elementBytes);
  return makeConstantAttr(type, bytes, nameHint);
}

static StringRef resourceNameHint(Attribute attr, StringRef fallback) {
  if (auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(attr))
    return resource.getRawHandle().getKey();
  return fallback;
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

namespace {
/// A small dense constant read as int64 or double values.
struct NumericValues {
  bool isFloat = false;
  SmallVector<int64_t> ints;
  SmallVector<double> floats;
  ArrayRef<int64_t> shape;
  bool splat = false;

  static std::optional<NumericValues> get(Attribute attr) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
    if (!dense || !dense.getType().hasStaticShape())
      return std::nullopt;
    if (!dense.isSplat() && dense.getNumElements() > kFoldElementLimit)
      return std::nullopt;
    NumericValues values;
    values.shape = dense.getType().getShape();
    values.splat = dense.isSplat();
    Type element = dense.getElementType();
    if (auto floatType = dyn_cast<FloatType>(element)) {
      values.isFloat = true;
      auto read = [&](APFloat value) {
        bool lost;
        value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                      &lost);
        values.floats.push_back(value.convertToDouble());
      };
      if (values.splat)
        read(dense.getSplatValue<APFloat>());
      else
        for (APFloat value : dense.getValues<APFloat>())
          read(value);
      return values;
    }
    if (!isa<IntegerType>(element))
      return std::nullopt;
    bool zext = element.isUnsignedInteger() || element.isInteger(1);
    auto read = [&](const APInt &value) {
      values.ints.push_back(zext ? static_cast<int64_t>(value.getZExtValue())
                                 : value.getSExtValue());
    };
    if (values.splat)
      read(dense.getSplatValue<APInt>());
    else
      for (const APInt &value : dense.getValues<APInt>())
        read(value);
    return values;
  }

  int64_t size() const { return isFloat ? floats.size() : ints.size(); }
};
} // namespace

static Attribute buildDense(RankedTensorType type, ArrayRef<int64_t> ints,
                            ArrayRef<double> floats, bool isFloat) {
  Type element = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> values;
    for (size_t i = 0, e = isFloat ? floats.size() : ints.size(); i < e; ++i) {
      APFloat value(isFloat ? floats[i] : static_cast<double>(ints[i]));
      bool lost;
      value.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &lost);
      values.push_back(value);
    }
    if (values.size() == 1 && type.getNumElements() != 1)
      return SplatElementsAttr::get(type, values.front());
    return DenseElementsAttr::get(type, values);
  }
  auto intType = dyn_cast<IntegerType>(element);
  if (!intType)
    return {};
  SmallVector<APInt> values;
  for (size_t i = 0, e = isFloat ? floats.size() : ints.size(); i < e; ++i) {
    int64_t value = isFloat ? static_cast<int64_t>(std::trunc(floats[i])) : ints[i];
    if (intType.getWidth() == 1)
      value = value != 0;
    values.push_back(APInt(intType.getWidth(), value, /*isSigned=*/true,
                           /*implicitTrunc=*/true));
  }
  if (values.size() == 1 && type.getNumElements() != 1)
    return SplatElementsAttr::get(type, values.front());
  return DenseElementsAttr::get(type, values);
}

using IntBinaryFn = std::function<std::optional<int64_t>(int64_t, int64_t)>;
using FloatBinaryFn = std::function<double(double, double)>;

/// Evaluates a broadcasting binary op on two small dense constants. The
/// result is an integer (compare ops give 0/1) or a float depending on the
/// operands; `intFn` returning nullopt (division by zero) stops the fold.
static Attribute foldBinary(Type resultType, Attribute lhsAttr,
                            Attribute rhsAttr, IntBinaryFn intFn,
                            FloatBinaryFn floatFn) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!type || !type.hasStaticShape())
    return {};
  std::optional<NumericValues> lhs = NumericValues::get(lhsAttr);
  std::optional<NumericValues> rhs = NumericValues::get(rhsAttr);
  if (!lhs || !rhs || lhs->isFloat != rhs->isFloat)
    return {};
  if (lhs->isFloat && !floatFn)
    return {};
  bool splat = lhs->splat && rhs->splat;
  if (!splat && type.getNumElements() > kFoldElementLimit)
    return {};
  ArrayRef<int64_t> resultShape = splat ? ArrayRef<int64_t>{} : type.getShape();
  SmallVector<int64_t> lhsIndex =
      broadcastIndices(lhs->splat ? ArrayRef<int64_t>{} : lhs->shape, resultShape);
  SmallVector<int64_t> rhsIndex =
      broadcastIndices(rhs->splat ? ArrayRef<int64_t>{} : rhs->shape, resultShape);
  SmallVector<int64_t> ints;
  SmallVector<double> floats;
  for (size_t i = 0; i < lhsIndex.size(); ++i) {
    if (lhs->isFloat) {
      floats.push_back(
          floatFn(lhs->floats[lhsIndex[i]], rhs->floats[rhsIndex[i]]));
      continue;
    }
    std::optional<int64_t> value = intFn(lhs->ints[lhsIndex[i]], rhs->ints[rhsIndex[i]]);
    if (!value)
      return {};
    ints.push_back(*value);
  }
  return buildDense(type, ints, floats, lhs->isFloat);
}

static std::optional<int64_t> just(int64_t value) { return value; }

/// Negation of small constants: index arithmetic on shapes (`-axis`) must
/// fold for shapes computed from it to stay static.
OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  std::optional<NumericValues> input = NumericValues::get(adaptor.getInput());
  if (!type || !type.hasStaticShape() || !input ||
      (!input->splat && type.getNumElements() > kFoldElementLimit))
    return {};
  SmallVector<int64_t> ints;
  SmallVector<double> floats;
  for (int64_t v : input->ints)
    ints.push_back(-v);
  for (double v : input->floats)
    floats.push_back(-v);
  return buildDense(type, ints, floats, input->isFloat);
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldBinary(getType(), adaptor.getLhs(), adaptor.getRhs(),
                    [](int64_t a, int64_t b) { return just(a + b); },
                    [](double a, double b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldBinary(getType(), adaptor.getLhs(), adaptor.getRhs(),
                    [](int64_t a, int64_t b) { return just(a - b); },
                    [](double a, double b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldBinary(getType(), adaptor.getLhs(), adaptor.getRhs(),
                    [](int64_t a, int64_t b) { return just(a * b); },
                    [](double a, double b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldBinary(getType(), adaptor.getLhs(), adaptor.getRhs(),
                    [](int64_t a, int64_t b) -> std::optional<int64_t> {
                      if (b == 0)
                        return std::nullopt;
                      return a / b;
                    },
                    [](double a, double b) { return a / b; });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  return foldBinary(getType(), adaptor.getLhs(), adaptor.getRhs(),
                    [](int64_t a, int64_t b) -> std::optional<int64_t> {
                      if (b < 0)
                        return std::nullopt;
                      int64_t result = 1;
                      for (int64_t i = 0; i < b; ++i)
                        result *= a;
                      return result;
                    },
                    [](double a, double b) { return std::pow(a, b); });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldBinary(getType(), adaptor.getLhs(), adaptor.getRhs(),
                    [](int64_t a, int64_t b) { return just(std::max(a, b)); },
                    [](double a, double b) { return std::fmax(a, b); });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldBinary(getType(), adaptor.getLhs(), adaptor.getRhs(),
                    [](int64_t a, int64_t b) { return just(std::min(a, b)); },
                    [](double a, double b) { return std::fmin(a, b); });
}

/// Comparisons produce an i1 tensor. Integers compare as doubles, exact for
/// the shape values (below 2^53) this folds.
static Attribute foldCompare(Type resultType, Attribute lhs, Attribute rhs,
                             std::function<bool(double, double)> compare) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!type || !type.hasStaticShape())
    return {};
  std::optional<NumericValues> a = NumericValues::get(lhs);
  std::optional<NumericValues> b = NumericValues::get(rhs);
  if (!a || !b || a->isFloat != b->isFloat ||
      type.getNumElements() > kFoldElementLimit)
    return {};
  SmallVector<int64_t> lhsIndex =
      broadcastIndices(a->splat ? ArrayRef<int64_t>{} : a->shape, type.getShape());
  SmallVector<int64_t> rhsIndex =
      broadcastIndices(b->splat ? ArrayRef<int64_t>{} : b->shape, type.getShape());
  SmallVector<bool> values;
  for (size_t i = 0; i < lhsIndex.size(); ++i) {
    double x = a->isFloat ? a->floats[lhsIndex[i]] : a->ints[lhsIndex[i]];
    double y = b->isFloat ? b->floats[rhsIndex[i]] : b->ints[rhsIndex[i]];
    values.push_back(compare(x, y));
  }
  return DenseElementsAttr::get(type, ArrayRef<bool>(values));
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(getType(), adaptor.getLhs(), adaptor.getRhs(),
                     [](double a, double b) { return a == b; });
}

OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(getType(), adaptor.getLhs(), adaptor.getRhs(),
                     [](double a, double b) { return a < b; });
}

OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(getType(), adaptor.getLhs(), adaptor.getRhs(),
                     [](double a, double b) { return a > b; });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  std::optional<NumericValues> cond = NumericValues::get(adaptor.getCondition());
  std::optional<NumericValues> lhs = NumericValues::get(adaptor.getLhs());
  std::optional<NumericValues> rhs = NumericValues::get(adaptor.getRhs());
  if (!type.hasStaticShape() || !cond || !lhs || !rhs ||
      type.getNumElements() > kFoldElementLimit)
    return {};
  auto indices = [&](const NumericValues &v) {
    return broadcastIndices(v.splat ? ArrayRef<int64_t>{} : v.shape,
                            type.getShape());
  };
  SmallVector<int64_t> c = indices(*cond), l = indices(*lhs), r = indices(*rhs);
  SmallVector<int64_t> ints;
  SmallVector<double> floats;
  for (size_t i = 0; i < c.size(); ++i) {
    bool pick = cond->ints[c[i]] != 0;
    if (lhs->isFloat)
      floats.push_back(pick ? lhs->floats[l[i]] : rhs->floats[r[i]]);
    else
      ints.push_back(pick ? lhs->ints[l[i]] : rhs->ints[r[i]]);
  }
  return buildDense(type, ints, floats, lhs->isFloat);
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto type = cast<RankedTensorType>(getType());
  std::optional<NumericValues> values = NumericValues::get(adaptor.getInput());
  if (!values || !type.hasStaticShape())
    return {};
  return buildDense(type, values->ints, values->floats, values->isFloat);
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto input = getInput().getType();
  if (!input.hasStaticShape())
    return {};
  return DenseIntElementsAttr::get(cast<RankedTensorType>(getType()),
                                   input.getShape());
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  auto type = getType();
  if (getInput().getType() == type)
    return getInput();
  if (!type.hasStaticShape())
    return {};
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
      dense && dense.isSplat())
    return dense.resizeSplat(type);
  std::optional<ConstantBytes> bytes = ConstantBytes::get(adaptor.getInput());
  if (!bytes)
    return {};
  return makeConstantAttr(type, bytes->getData(),
                          resourceNameHint(adaptor.getInput(), "reshaped"));
}

namespace {
/// reshape(reshape(x)) -> reshape(x) when the outer result needs no shape
/// operand; a constant shape operand on a static result is dropped.
struct SimplifyReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "result has dynamic dimensions");
    Value input = op.getInput();
    auto producer = input.getDefiningOp<ReshapeOp>();
    if (producer)
      input = producer.getInput();
    else if (!op.getShape())
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), input, Value());
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<SimplifyReshape>(context);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())) &&
      getInput().getType() == getType())
    return getInput();
  // transpose(transpose(x, inner), perm) is one transpose of x; when the two
  // cancel, the identity fold above removes it on the next visit.
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner.getPerm()[p]);
    getInputMutable().assign(inner.getInput());
    setPerm(composed);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())) &&
        getInput().getType() == getType())
      return getInput();
    return getResult();
  }
  auto type = cast<RankedTensorType>(getType());
  std::optional<ConstantBytes> bytes = ConstantBytes::get(adaptor.getInput());
  if (!bytes || !type.hasStaticShape())
    return {};
  SmallVector<int64_t> inputStrides = getStrides(bytes->getType().getShape());
  SmallVector<int64_t> outputStrides = getStrides(type.getShape());
  SmallVector<int64_t> sources(type.getNumElements());
  for (int64_t linear = 0; linear < type.getNumElements(); ++linear) {
    int64_t source = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      source += ((linear / outputStrides[d]) % type.getDimSize(d)) *
                inputStrides[perm[d]];
    sources[linear] = source;
  }
  return gatherElements(*bytes, type, sources,
                        resourceNameHint(adaptor.getInput(), "transposed"));
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  auto type = cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return {};
  SmallVector<ConstantBytes> inputs;
  for (Attribute attr : adaptor.getInputs()) {
    std::optional<ConstantBytes> bytes = ConstantBytes::get(attr);
    if (!bytes)
      return {};
    inputs.push_back(std::move(*bytes));
  }
  // Rows of `outer` blocks; each input contributes a contiguous chunk to each.
  int64_t axis = getAxis();
  int64_t outer = ShapedType::getNumElements(type.getShape().take_front(axis));
  std::vector<char> result;
  result.reserve(type.getNumElements() * inputs.front().getElementBytes());
  for (int64_t row = 0; row < outer; ++row) {
    for (const ConstantBytes &input : inputs) {
      size_t chunk = input.getData().size() / std::max<int64_t>(outer, 1);
      const char *begin = input.getData().data() + row * chunk;
      result.insert(result.end(), begin, begin + chunk);
    }
  }
  return makeConstantAttr(type, result, "concat");
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (getInput().getType() == type &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }) &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }))
    return getInput();
  std::optional<ConstantBytes> bytes = ConstantBytes::get(adaptor.getInput());
  if (!bytes || !type.hasStaticShape())
    return {};
  ArrayRef<int64_t> inShape = bytes->getType().getShape();
  SmallVector<int64_t> inputStrides = getStrides(inShape);
  SmallVector<int64_t> outputStrides = getStrides(type.getShape());
  SmallVector<int64_t> first;
  for (auto [d, dim] : llvm::enumerate(inShape)) {
    int64_t start = getStarts()[d], step = getSteps()[d];
    if (start < 0)
      start += dim;
    start = step > 0 ? std::clamp<int64_t>(start, 0, dim)
                     : std::clamp<int64_t>(start, 0, dim - 1);
    first.push_back(start);
  }
  SmallVector<int64_t> sources(type.getNumElements());
  for (int64_t linear = 0; linear < type.getNumElements(); ++linear) {
    int64_t source = 0;
    for (size_t d = 0; d < inShape.size(); ++d) {
      int64_t coord = (linear / outputStrides[d]) % type.getDimSize(d);
      source += (first[d] + coord * getSteps()[d]) * inputStrides[d];
    }
    sources[linear] = source;
  }
  return gatherElements(*bytes, type, sources,
                        resourceNameHint(adaptor.getInput(), "slice"));
}

/// gather(shape(x), indices) is known when the dimensions it picks are
/// static, even if others are not (a dynamic batch with a static hidden size).
static Attribute foldGatherOfShape(GatherOp op, Attribute indicesAttr) {
  auto shapeOp = op.getInput().getDefiningOp<ShapeOp>();
  std::optional<SmallVector<int64_t>> indices = getConstantIntValues(indicesAttr);
  auto type = cast<RankedTensorType>(op.getType());
  if (!shapeOp || !indices || !type.hasStaticShape() ||
      static_cast<int64_t>(indices->size()) != type.getNumElements())
    return {};
  auto source = shapeOp.getInput().getType();
  SmallVector<int64_t> dims;
  for (int64_t index : *indices) {
    if (index < 0)
      index += source.getRank();
    if (index < 0 || index >= source.getRank() || source.isDynamicDim(index))
      return {};
    dims.push_back(source.getDimSize(index));
  }
  return DenseIntElementsAttr::get(type, dims);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  if (Attribute known = foldGatherOfShape(*this, adaptor.getIndices()))
    return known;
  auto type = cast<RankedTensorType>(getType());
  std::optional<ConstantBytes> bytes = ConstantBytes::get(adaptor.getInput());
  std::optional<SmallVector<int64_t>> indices =
      getConstantIntValues(adaptor.getIndices());
  if (!bytes || !indices || !type.hasStaticShape())
    return {};
  ArrayRef<int64_t> inShape = bytes->getType().getShape();
  int64_t axis = getAxis();
  int64_t axisSize = inShape[axis];
  int64_t inner = ShapedType::getNumElements(inShape.drop_front(axis + 1));
  int64_t outer = ShapedType::getNumElements(inShape.take_front(axis));
  SmallVector<int64_t> sources;
  sources.reserve(type.getNumElements());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t index : *indices) {
      if (index < 0)
        index += axisSize;
      if (index < 0 || index >= axisSize)
        return {};
      for (int64_t i = 0; i < inner; ++i)
        sources.push_back((o * axisSize + index) * inner + i);
    }
  }
  return gatherElements(*bytes, type, sources,
                        resourceNameHint(adaptor.getInput(), "gather"));
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (getInput().getType() == type)
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!dense || !type.hasStaticShape())
    return {};
  if (dense.isSplat())
    return dense.resizeSplat(type);
  std::optional<ConstantBytes> bytes = ConstantBytes::get(dense);
  if (!bytes || type.getNumElements() > kFoldElementLimit)
    return {};
  return gatherElements(*bytes, type,
                        broadcastIndices(bytes->getType().getShape(),
                                         type.getShape()),
                        "expanded");
}
