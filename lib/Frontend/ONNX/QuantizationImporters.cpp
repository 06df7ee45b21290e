//===- QuantizationImporters.cpp - ONNX linear quantization ops --------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger
// and QLinearMatMul, spelled with tessera's arithmetic ops exactly as ONNX
// defines them (round half to even, saturate to the integer type). The
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

void onnx_frontend::registerQuantizationImporters(OpImporterRegistry &r) {
  r.onOp("QuantizeLinear", 10, importQuantizeLinear);
  r.onOp("DequantizeLinear", 10, importDequantizeLinear);
  r.onOp("DynamicQuantizeLinear", 11, importDynamicQuantizeLinear);
  r.onOp("MatMulInteger", 10, importMatMulInteger);
  r.onOp("QLinearMatMul", 10, importQLinearMatMul);
}
