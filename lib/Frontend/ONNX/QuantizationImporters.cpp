//===- QuantizationImporters.cpp - ONNX linear quantization ops --------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// QLinearMatMul, ConvInteger and QLinearConv, spelled with tessera's
// arithmetic ops exactly as ONNX defines them (round half to even, saturate to the integer type). The
// quantization passes will later replace such chains by integer kernels.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

/// A per-axis parameter (1-D, one entry per slice of `axis`) reshaped to
/// broadcast against a tensor of `rank`; scalars pass through.
static Value alongAxis(NodeImporter &n, Value param, int64_t axis,
                       int64_t rank) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getRank() == 0 || rank <= 1)
    return param;
  if (type.getRank() == 1 && type.getDimSize(0) == 1)
    return n.create<ReshapeOp>(RankedTensorType::get({}, type.getElementType()),
                               param, Value());
  return n.appendUnitDims(param, rank - axis - 1);
}

/// The `axis` attribute, which matters only for per-axis (1-D) scales.
static FailureOr<int64_t> getQuantizationAxis(NodeImporter &n, int64_t rank) {
  RankedTensorType scale = n.getInputType(1);
  if (rank == 0 || scale.getRank() == 0 || scale.getNumElements() == 1)
    return 0;
  return n.normalizeAxis(n.getInt("axis", 1), rank);
}

/// `x` (float) rounded half to even, shifted by `zeroPoint` and saturated
/// to `target`'s range, as `target`.
static Value quantize(NodeImporter &n, Value x, Value zeroPoint,
                      IntegerType target) {
  auto type = cast<RankedTensorType>(x.getType());
  Value q = n.create<RoundOp>(x);
  if (zeroPoint) {
    auto zpType = cast<RankedTensorType>(zeroPoint.getType());
    q = n.create<AddOp>(q, n.create<CastOp>(zpType.clone(type.getElementType()),
                                            zeroPoint));
  }
  unsigned width = target.getWidth();
  double lo = target.isUnsigned() ? 0 : -std::ldexp(1.0, width - 1);
  double hi = target.isUnsigned() ? std::ldexp(1.0, width) - 1
                                  : std::ldexp(1.0, width - 1) - 1;
  OpBuilder &b = n.getBuilder();
  q = n.create<ClipOp>(q, b.getF64FloatAttr(lo), b.getF64FloatAttr(hi));
  return n.create<CastOp>(type.clone(target), q);
}

static LogicalResult importQuantizeLinear(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  int64_t rank = input.getRank();
  FailureOr<int64_t> axis = getQuantizationAxis(n, rank);
  if (failed(axis))
    return failure();
  Value zeroPoint = n.hasInput(2) ? n.getInput(2) : Value();
  auto target = zeroPoint
                    ? dyn_cast<IntegerType>(
                          n.getInputType(2).getElementType())
                    : IntegerType::get(n.getContext(), 8, IntegerType::Unsigned);
  if (!target)
    return n.fail("only integer quantization (int8/uint8/int32...) is supported");
  Value scale = alongAxis(n, n.getInput(1), *axis, rank);
  Value scaled = n.create<DivOp>(n.getInput(0), scale);
  if (zeroPoint)
    zeroPoint = alongAxis(n, zeroPoint, *axis, rank);
  n.setResult(0, quantize(n, scaled, zeroPoint, target));
  return success();
}

static LogicalResult importDequantizeLinear(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  int64_t rank = input.getRank();
  FailureOr<int64_t> axis = getQuantizationAxis(n, rank);
  if (failed(axis))
    return failure();
  Type element = n.getInputType(1).getElementType();
  // Widen before subtracting: uint8 - uint8 would wrap.
  Type wide = IntegerType::get(n.getContext(), 32);
  Value x = n.create<CastOp>(input.clone(wide), n.getInput(0));
  if (n.hasInput(2)) {
    Value zeroPoint = alongAxis(n, n.getInput(2), *axis, rank);
    auto zpType = cast<RankedTensorType>(zeroPoint.getType());
    x = n.create<SubOp>(x, n.create<CastOp>(zpType.clone(wide), zeroPoint));
  }
  x = n.create<CastOp>(cast<RankedTensorType>(x.getType()).clone(element), x);
  n.setResult(0, n.create<MulOp>(x, alongAxis(n, n.getInput(1), *axis, rank)));
  return success();
}

/// DynamicQuantizeLinear: uint8 with scale (max(0, max x) - min(0, min x))
/// / 255 and zero point round(-min(0, min x) / scale).
static LogicalResult importDynamicQuantizeLinear(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  RankedTensorType input = n.getInputType(0);
  Type element = input.getElementType();
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < input.getRank(); ++d)
    all.push_back(d);
  Value x = n.getInput(0);
  Value zero = n.constantScalar(element, 0);
  Value hi = n.create<MaxOp>(
      n.create<ReduceMaxOp>(x, b.getDenseI64ArrayAttr(all), b.getBoolAttr(false)),
      zero);
  Value lo = n.create<MinOp>(
      n.create<ReduceMinOp>(x, b.getDenseI64ArrayAttr(all), b.getBoolAttr(false)),
      zero);
  Value scale =
      n.create<DivOp>(n.create<SubOp>(hi, lo), n.constantScalar(element, 255));
  auto u8 = IntegerType::get(n.getContext(), 8, IntegerType::Unsigned);
  Value zeroPoint =
      quantize(n, n.create<DivOp>(n.create<NegOp>(lo), scale), Value(), u8);
  n.setResult(0, quantize(n, n.create<DivOp>(x, scale), zeroPoint, u8));
  n.setResult(1, scale);
  n.setResult(2, zeroPoint);
  return success();
}

/// `x` as i32 minus its zero point (per row of A / per column of B when the
/// zero point is 1-D).
static Value centeredInt32(NodeImporter &n, Value x, Value zeroPoint,
                           bool isLhs) {
  auto type = cast<RankedTensorType>(x.getType());
  Type i32 = IntegerType::get(n.getContext(), 32);
  Value wide = n.create<CastOp>(type.clone(i32), x);
  if (!zeroPoint)
    return wide;
  auto zpType = cast<RankedTensorType>(zeroPoint.getType());
  Value zp = n.create<CastOp>(zpType.clone(i32), zeroPoint);
  if (isLhs && zpType.getRank() == 1 && zpType.getDimSize(0) != 1)
    zp = n.appendUnitDims(zp, 1);
  return n.create<SubOp>(wide, zp);
}

static LogicalResult importMatMulInteger(NodeImporter &n) {
  Value a = centeredInt32(n, n.getInput(0),
                          n.hasInput(2) ? n.getInput(2) : Value(), true);
  Value b = centeredInt32(n, n.getInput(1),
                          n.hasInput(3) ? n.getInput(3) : Value(), false);
  n.setResult(0, n.create<MatMulOp>(a, b));
  return success();
}

/// QLinearMatMul: integer product of the centered operands, rescaled by
/// a_scale * b_scale / y_scale and requantized.
static LogicalResult importQLinearMatMul(NodeImporter &n) {
  Value a = centeredInt32(n, n.getInput(0), n.getInput(2), true);
  Value b = centeredInt32(n, n.getInput(3), n.getInput(5), false);
  Value product = n.create<MatMulOp>(a, b);
  auto productType = cast<RankedTensorType>(product.getType());
  Type element = n.getInputType(1).getElementType();
  Value scaled = n.create<MulOp>(
      n.create<CastOp>(productType.clone(element), product),
      n.create<DivOp>(n.create<MulOp>(n.getInput(1), n.getInput(4)),
                      n.getInput(6)));
  auto target = dyn_cast<IntegerType>(n.getInputType(7).getElementType());
  if (!target)
    return n.fail("y_zero_point must be an integer tensor");
  n.setResult(0, quantize(n, scaled, n.getInput(7), target));
  return success();
}


/// Input `input` of a quantized conv as f64 minus its zero point (input
/// `zeroPoint`; per output channel when 1-D). f64 holds 8-bit products and
/// their sums exactly, so the conv that follows is exact integer math.
static Value centeredFloat64(NodeImporter &n, int64_t input,
                             int64_t zeroPoint) {
  Type f64 = Float64Type::get(n.getContext());
  RankedTensorType type = n.getInputType(input);
  Value x = n.create<CastOp>(type.clone(f64), n.getInput(input));
  if (!n.hasInput(zeroPoint))
    return x;
  Value zp = n.getInput(zeroPoint);
  auto zpType = cast<RankedTensorType>(zp.getType());
  zp = n.create<CastOp>(zpType.clone(f64), zp);
  // M -> M x 1 x ... x 1 against the M x C x k... weight.
  if (zpType.getRank() == 1 && zpType.getDimSize(0) != 1)
    zp = n.appendUnitDims(zp, type.getRank() - 1);
  return n.create<SubOp>(x, zp);
}

/// ConvInteger: (x - x_zero_point) conv (w - w_zero_point) as int32.
static LogicalResult importConvInteger(NodeImporter &n) {
  FailureOr<Value> conv = buildConv(n, centeredFloat64(n, 0, 2),
                                    centeredFloat64(n, 1, 3), Value());
  if (failed(conv))
    return failure();
  auto type = cast<RankedTensorType>(conv->getType());
  n.setResult(0, n.create<CastOp>(
                     type.clone(IntegerType::get(n.getContext(), 32)), *conv));
  return success();
}

/// QLinearConv: the integer conv of the centered operands plus the int32
/// bias, rescaled by x_scale * w_scale / y_scale (w_scale per output
/// channel when 1-D) and requantized.
static LogicalResult importQLinearConv(NodeImporter &n) {
  Value bias;
  if (n.hasInput(8)) {
    RankedTensorType biasType = n.getInputType(8);
    bias = n.create<CastOp>(biasType.clone(Float64Type::get(n.getContext())),
                            n.getInput(8));
  }
  FailureOr<Value> conv = buildConv(n, centeredFloat64(n, 0, 2),
                                    centeredFloat64(n, 3, 5), bias);
  if (failed(conv))
    return failure();
  auto convType = cast<RankedTensorType>(conv->getType());
  Type element = n.getInputType(1).getElementType();
  Value wScale = n.getInput(4);
  auto wScaleType = cast<RankedTensorType>(wScale.getType());
  if (wScaleType.getRank() == 1 && wScaleType.getDimSize(0) != 1)
    wScale = n.appendUnitDims(wScale, convType.getRank() - 2);
  Value scaled = n.create<MulOp>(
      n.create<CastOp>(convType.clone(element), *conv),
      n.create<DivOp>(n.create<MulOp>(n.getInput(1), wScale), n.getInput(6)));
  auto target = dyn_cast<IntegerType>(n.getInputType(7).getElementType());
  if (!target)
    return n.fail("y_zero_point must be an integer tensor");
  n.setResult(0, quantize(n, scaled, n.getInput(7), target));
  return success();
}

void onnx_frontend::registerQuantizationImporters(OpImporterRegistry &r) {
  r.onOp("QuantizeLinear", 10, importQuantizeLinear);
  r.onOp("DequantizeLinear", 10, importDequantizeLinear);
  r.onOp("DynamicQuantizeLinear", 11, importDynamicQuantizeLinear);
  r.onOp("MatMulInteger", 10, importMatMulInteger);
  r.onOp("QLinearMatMul", 10, importQLinearMatMul);
  r.onOp("ConvInteger", 10, importConvInteger);
  r.onOp("QLinearConv", 10, importQLinearConv);
}
