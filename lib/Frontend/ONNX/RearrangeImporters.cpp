//===- RearrangeImporters.cpp - ops spelled with reshapes and masks -----===//
//
// ONNX ops that tessera expresses with its existing ops rather than new
// ones: Tile and DepthToSpace/SpaceToDepth are reshape/expand/transpose
// chains; OneHot and EyeLike compare an index grid; PRelu and Shrink are
// selects. All need static shapes where the rearrangement is planned.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"
#include "TensorConversion.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

/// Tile: x (d0 x d1 ...) -> (1 x d0 x 1 x d1 ...) -> expand to
/// (r0 x d0 x r1 x d1 ...) -> (r0*d0 x r1*d1 ...).
static LogicalResult importTile(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  if (!input.hasStaticShape())
    return n.fail("Tile needs a static input shape");
  FailureOr<SmallVector<int64_t>> repeats;
  RankedTensorType declared = n.getStaticDeclaredOutputType(0);
  if (!n.getConstantInts(1) && declared &&
      declared.getRank() == input.getRank()) {
    // Run-time repeats: the model declares the output shape.
    SmallVector<int64_t> fromShape;
    for (int64_t d = 0; d < input.getRank(); ++d)
      fromShape.push_back(input.getDimSize(d) == 0
                              ? 0
                              : declared.getDimSize(d) / input.getDimSize(d));
    repeats = fromShape;
  } else {
    repeats = n.requireConstantInts(1, "repeats");
  }
  if (failed(repeats))
    return failure();
  if (static_cast<int64_t>(repeats->size()) != input.getRank())
    return n.fail("repeats must have one entry per dimension");
  SmallVector<int64_t> spread, tiled, result;
  for (int64_t d = 0; d < input.getRank(); ++d) {
    spread.append({1, input.getDimSize(d)});
    tiled.append({(*repeats)[d], input.getDimSize(d)});
    result.push_back((*repeats)[d] * input.getDimSize(d));
  }
  Type element = input.getElementType();
  Value x = n.create<ReshapeOp>(RankedTensorType::get(spread, element),
                                n.getInput(0), Value());
  x = n.create<ExpandOp>(RankedTensorType::get(tiled, element), x,
                         n.constantInts(tiled));
  n.setResult(0, n.create<ReshapeOp>(RankedTensorType::get(result, element), x,
                                     Value()));
  return success();
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth on N x C x H x W.
static LogicalResult importDepthSpace(NodeImporter &n, bool toSpace) {
  RankedTensorType input = n.getInputType(0);
  if (input.getRank() != 4 || !input.hasStaticShape())
    return n.fail("needs a static 4-D input");
  int64_t b = n.getInt("blocksize", 0);
  if (b <= 0)
    return n.fail("blocksize must be positive");
  int64_t N = input.getDimSize(0), C = input.getDimSize(1),
          H = input.getDimSize(2), W = input.getDimSize(3);
  Type element = input.getElementType();
  OpBuilder &builder = n.getBuilder();
  auto tensorOf = [&](ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, element);
  };
  Value x = n.getInput(0);
  if (toSpace) {
    bool crd = n.getString("mode", "DCR") == "CRD";
    if (C % (b * b) != 0)
      return n.fail("channels must be a multiple of blocksize^2");
    int64_t c = C / (b * b);
    SmallVector<int64_t> split = crd ? SmallVector<int64_t>{N, c, b, b, H, W}
                                     : SmallVector<int64_t>{N, b, b, c, H, W};
    SmallVector<int64_t> perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3}
                                    : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    x = n.create<ReshapeOp>(tensorOf(split), x, Value());
    x = n.create<TransposeOp>(x, builder.getDenseI64ArrayAttr(perm));
    n.setResult(0, n.create<ReshapeOp>(tensorOf({N, c, H * b, W * b}), x,
                                       Value()));
    return success();
  }
  if (H % b != 0 || W % b != 0)
    return n.fail("height and width must be multiples of blocksize");
  x = n.create<ReshapeOp>(tensorOf({N, C, H / b, b, W / b, b}), x, Value());
  x = n.create<TransposeOp>(x, builder.getDenseI64ArrayAttr({0, 3, 5, 1, 2, 4}));
  n.setResult(0, n.create<ReshapeOp>(tensorOf({N, C * b * b, H / b, W / b}), x,
                                     Value()));
  return success();
}

/// EyeLike: ones where column - row == k, in the dtype asked for.
static LogicalResult importEyeLike(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  if (input.getRank() != 2 || !input.hasStaticShape())
    return n.fail("needs a static 2-D input");
  Type element = input.getElementType();
  if (n.hasAttr("dtype")) {
    element = convertElementType(n.getContext(), n.getInt("dtype", 1));
    if (!element)
      return n.fail("unsupported dtype");
  }
  Value rows = n.indexGrid(input.getShape(), 0);
  Value cols = n.indexGrid(input.getShape(), 1);
  Value diagonal = n.create<EqualOp>(
      n.create<SubOp>(cols, rows),
      n.constantScalar(n.getBuilder().getI64Type(), n.getInt("k", 0)));
  n.setResult(0, n.create<CastOp>(input.clone(element), diagonal));
  return success();
}

/// OneHot: values[1] where the index grid along `axis` equals the
/// (wrapped) index, values[0] elsewhere. depth must be a constant.
static LogicalResult importOneHot(NodeImporter &n) {
  RankedTensorType indices = n.getInputType(0);
  int64_t rank = indices.getRank() + 1;
  FailureOr<int64_t> axis = n.normalizeAxis(n.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  int64_t size;
  if (std::optional<double> depth = n.getConstantScalar(1))
    size = static_cast<int64_t>(*depth);
  else if (RankedTensorType declared = n.getStaticDeclaredOutputType(0))
    size = declared.getDimSize(*axis); // run-time depth, declared output
  else
    return n.fail("depth (input 1) must be a compile-time constant or the "
                  "output shape declared");
  OpBuilder &b = n.getBuilder();
  // Indices as i64, negative ones wrapped, with a unit dim at `axis`.
  Value index = n.getInput(0);
  if (indices.getElementType() != b.getI64Type())
    index = n.create<CastOp>(indices.clone(b.getI64Type()), index);
  Value depthValue = n.constantScalar(b.getI64Type(), size);
  Value negative = n.create<LessOp>(index, n.constantScalar(b.getI64Type(), 0));
  index = n.create<WhereOp>(negative, n.create<AddOp>(index, depthValue), index);
  SmallVector<int64_t> expandedShape(indices.getShape());
  expandedShape.insert(expandedShape.begin() + *axis, 1);
  SmallVector<int64_t> sources;
  for (int64_t d = 0; d < rank; ++d)
    sources.push_back(d == *axis ? -1 : (d < *axis ? d : d - 1));
  index = n.reshapeWithDims(index, expandedShape, sources);
  SmallVector<int64_t> gridShape(rank, 1);
  gridShape[*axis] = size;
  Value hot = n.create<EqualOp>(index, n.indexGrid(gridShape, *axis));
  // values = [off, on]
  Value values = n.getInput(2);
  RankedTensorType valuesType = n.getInputType(2);
  auto scalarType = RankedTensorType::get({}, valuesType.getElementType());
  Value off = n.create<GatherOp>(scalarType, values,
                                 n.constantScalar(b.getI64Type(), 0),
                                 b.getI64IntegerAttr(0));
  Value on = n.create<GatherOp>(scalarType, values,
                                n.constantScalar(b.getI64Type(), 1),
                                b.getI64IntegerAttr(0));
  n.setResult(0, n.create<WhereOp>(hot, on, off));
  return success();
}

static LogicalResult importPRelu(NodeImporter &n) {
  Value x = n.getInput(0), slope = n.getInput(1);
  RankedTensorType input = n.getInputType(0), slopeType = n.getInputType(1);
  Type element = input.getElementType();
  // Before opset 7 a 1-D slope of size C is per channel (dimension 1).
  if (n.getOpset() < 7 && slopeType.getRank() == 1 && input.getRank() > 2 &&
      slopeType.getDimSize(0) != 1)
    slope = n.appendUnitDims(slope, input.getRank() - 2);
  Value negative = n.create<LessOp>(x, n.constantScalar(element, 0));
  n.setResult(0, n.create<WhereOp>(negative, n.create<MulOp>(x, slope), x));
  return success();
}

/// Shrink: x + bias below -lambd, x - bias above lambd, else 0.
static LogicalResult importShrink(NodeImporter &n) {
  Value x = n.getInput(0);
  Type element = n.getInputType(0).getElementType();
  double lambd = n.getFloat("lambd", 0.5f), bias = n.getFloat("bias", 0.0f);
  Value below = n.create<LessOp>(x, n.constantScalar(element, -lambd));
  Value above = n.create<GreaterOp>(x, n.constantScalar(element, lambd));
  Value zero = n.constantScalar(element, 0);
  Value result = n.create<WhereOp>(
      above, n.create<SubOp>(x, n.constantScalar(element, bias)), zero);
  n.setResult(0, n.create<WhereOp>(
                     below, n.create<AddOp>(x, n.constantScalar(element, bias)),
                     result));
  return success();
}

/// Range: start + i * delta for i < length. A length that follows from
/// constant inputs (or the declared output shape) gives a static result;
/// otherwise the length is computed at run time.
static LogicalResult importRange(NodeImporter &n) {
  Type element = n.getInputType(0).getElementType();
  int64_t length = -1;
  std::optional<double> start = n.getConstantScalar(0),
                        limit = n.getConstantScalar(1),
                        delta = n.getConstantScalar(2);
  if (start && limit && delta && *delta != 0)
    length = std::max<int64_t>(
        0, static_cast<int64_t>(std::ceil((*limit - *start) / *delta)));
  else if (RankedTensorType declared = n.getStaticDeclaredOutputType(0))
    length = declared.getDimSize(0);
  if (length < 0) {
    SmallVector<Value> scalars;
    for (int64_t i = 0; i < 3; ++i) {
      if (n.getInputType(i).getNumElements() != 1)
        return n.fail("start, limit and delta must be scalars");
      scalars.push_back(n.create<ReshapeOp>(
          RankedTensorType::get({}, element), n.getInput(i), Value()));
    }
    n.setResult(0, n.create<RangeOp>(
                       RankedTensorType::get({ShapedType::kDynamic}, element),
                       scalars[0], scalars[1], scalars[2]));
    return success();
  }
  auto type = RankedTensorType::get({length}, element);
  Value steps = n.create<CastOp>(type, n.indexGrid({length}, 0));
  n.setResult(0, n.create<AddOp>(n.create<MulOp>(steps, n.getInput(2)),
                                 n.getInput(0)));
  return success();
}

/// Hann, Hamming and Blackman windows: sums of cosines of 2*pi*k*n/N, a
/// constant once the length is known (from a constant input or the
/// declared output).
static OpImportFn importWindow(std::vector<double> coefficients) {
  return [coefficients](NodeImporter &n) -> LogicalResult {
    int64_t size;
    if (std::optional<double> value = n.getConstantScalar(0))
      size = static_cast<int64_t>(*value);
    else if (RankedTensorType declared = n.getStaticDeclaredOutputType(0))
      size = declared.getDimSize(0);
    else
      return n.fail("the window size must be a constant or the output shape "
                    "declared");
    bool periodic = n.getInt("periodic", 1) != 0;
    double period = periodic ? size : size - 1;
    Type element = convertElementType(n.getContext(),
                                      n.getInt("output_datatype", 1));
    if (!element || !isa<FloatType>(element))
      return n.fail("output_datatype must be a float type");
    SmallVector<double> values;
    for (int64_t i = 0; i < size; ++i) {
      double v = 0;
      for (auto [k, c] : llvm::enumerate(coefficients))
        v += (k % 2 ? -1.0 : 1.0) * c *
             std::cos(2.0 * M_PI * double(k) * double(i) / period);
      values.push_back(v);
    }
    auto type = RankedTensorType::get({size}, element);
    SmallVector<APFloat> floats;
    for (double v : values) {
      APFloat f(v);
      bool lost;
      f.convert(cast<FloatType>(element).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      floats.push_back(f);
    }
    n.setResult(0, n.create<ConstantOp>(
                       cast<ElementsAttr>(DenseElementsAttr::get(type, floats))));
    return success();
  };
}

/// LRN: x / (bias + alpha / size * sum of x^2 over a window of channels)^beta;
/// the window sum is an average pool (counting padding) times `size` over
/// the channels laid out as a spatial dim.
static LogicalResult importLRN(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  if (input.getRank() < 3 || !input.hasStaticShape())
    return n.fail("LRN needs a static N x C x ... input");
  OpBuilder &b = n.getBuilder();
  Type element = input.getElementType();
  int64_t size = n.getInt("size", 0);
  if (size <= 0)
    return n.fail("size must be positive");
  int64_t N = input.getDimSize(0), C = input.getDimSize(1);
  int64_t rest = input.getNumElements() / (N * C);
  Value x = n.getInput(0);
  Value squares = n.create<MulOp>(x, x);
  auto planeType = RankedTensorType::get({N, 1, C, rest}, element);
  Value planes = n.create<ReshapeOp>(planeType, squares, Value());
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  Value averaged = n.create<AvgPoolOp>(
      planes, b.getDenseI64ArrayAttr({size, 1}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({before, 0, after, 0}),
      b.getDenseI64ArrayAttr({1, 1}), b.getBoolAttr(false), b.getBoolAttr(true));
  Value sums = n.create<ReshapeOp>(input, averaged, Value());
  // alpha / size * (size * average) = alpha * average
  Value scaled = n.create<MulOp>(
      sums, n.constantScalar(element, n.getFloat("alpha", 1e-4f)));
  Value base = n.create<AddOp>(scaled,
                               n.constantScalar(element, n.getFloat("bias", 1.0f)));
  Value denominator = n.create<PowOp>(
      base, n.constantScalar(element, n.getFloat("beta", 0.75f)));
  n.setResult(0, n.create<DivOp>(x, denominator));
  return success();
}

void onnx_frontend::registerRearrangeImporters(OpImporterRegistry &r) {
  r.onOp("Range", 11, importRange);
  r.onOp("HannWindow", 17, importWindow({0.5, 0.5}));
  r.onOp("HammingWindow", 17, importWindow({25.0 / 46.0, 21.0 / 46.0}));
  r.onOp("BlackmanWindow", 17, importWindow({0.42, 0.5, 0.08}));
  r.onOp("LRN", 1, importLRN);
  r.onOp("Tile", 6, importTile);
  r.onOp("DepthToSpace", 1,
         [](NodeImporter &n) { return importDepthSpace(n, true); });
  r.onOp("SpaceToDepth", 1,
         [](NodeImporter &n) { return importDepthSpace(n, false); });
  r.onOp("EyeLike", 9, importEyeLike);
  r.onOp("OneHot", 9, importOneHot);
  r.onOp("PRelu", 6, importPRelu);
  r.onOp("Shrink", 9, importShrink);
}
