//===- ElementwiseImporters.cpp - unary, binary and select ops --*- C++ -*-===//

#include "NodeImporter.h"
#include "TensorConversion.h"

#include "tessera/Dialect/Tessera/IR/TesseraShapeInference.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

template <typename OpTy>
static LogicalResult importUnary(NodeImporter &n) {
  n.setResult(0, n.create<OpTy>(n.getInput(0)));
  return success();
}

template <typename OpTy>
static LogicalResult importBinary(NodeImporter &n) {
  n.setResult(0, n.create<OpTy>(n.getInput(0), n.getInput(1)));
  return success();
}

/// Max and Min take any number of inputs.
template <typename OpTy>
static LogicalResult importVariadic(NodeImporter &n) {
  Value result = n.getInput(0);
  for (int64_t i = 1; i < n.getNumInputs(); ++i)
    result = n.create<OpTy>(result, n.getInput(i));
  n.setResult(0, result);
  return success();
}

/// Before opset 7 binary ops broadcast only with `broadcast=1`, placing B's
/// dims at `axis` of A (or at the end); numpy rules cover the rest once B is
/// padded with trailing unit dims.
static Value legacyBroadcastOperand(NodeImporter &n) {
  Value rhs = n.getInput(1);
  if (n.getInt("broadcast", 0) == 0 || !n.hasAttr("axis"))
    return rhs;
  RankedTensorType lhsType = n.getInputType(0), rhsType = n.getInputType(1);
  int64_t axis = n.getInt("axis", 0);
  if (axis < 0)
    axis += lhsType.getRank();
  return n.appendUnitDims(rhs, lhsType.getRank() - axis - rhsType.getRank());
}

template <typename OpTy>
static LogicalResult importLegacyBinary(NodeImporter &n) {
  // ONNX shape inference does not check the pre-7 broadcast rules, so a
  // mismatch would only surface in tessera's own type inference.
  Value rhs = legacyBroadcastOperand(n);
  if (!broadcastShapes(n.getInputType(0).getShape(),
                       cast<RankedTensorType>(rhs.getType()).getShape()))
    return n.fail("the operands do not broadcast (opset " +
                  llvm::Twine(n.getOpset()) + " `broadcast`/`axis` rules)");
  n.setResult(0, n.create<OpTy>(n.getInput(0), rhs));
  return success();
}

static LogicalResult importPow(NodeImporter &n) {
  Value base = n.getInput(0), exponent = n.getInput(1);
  auto baseType = cast<RankedTensorType>(base.getType());
  auto expType = cast<RankedTensorType>(exponent.getType());
  // Opset 12+ allows an exponent of another type; compute in the base's.
  if (expType.getElementType() != baseType.getElementType())
    exponent = n.create<CastOp>(expType.clone(baseType.getElementType()),
                                exponent);
  n.setResult(0, n.create<PowOp>(base, exponent));
  return success();
}

static LogicalResult importLeakyRelu(NodeImporter &n) {
  n.setResult(0, n.create<LeakyReluOp>(
                     n.getInput(0),
                     n.getBuilder().getF32FloatAttr(n.getFloat("alpha", 0.01f))));
  return success();
}

static LogicalResult importHardSigmoid(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  n.setResult(0, n.create<HardSigmoidOp>(
                     n.getInput(0), b.getF32FloatAttr(n.getFloat("alpha", 0.2f)),
                     b.getF32FloatAttr(n.getFloat("beta", 0.5f))));
  return success();
}

/// Clip before opset 11 has `min`/`max` attributes; from 11 on they are
/// optional inputs: constants become attributes, run-time bounds a max/min.
static LogicalResult importClip(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  FloatAttr minAttr, maxAttr;
  Value runtimeMin, runtimeMax;
  if (n.getOpset() < 11) {
    if (n.hasAttr("min"))
      minAttr = b.getF64FloatAttr(n.getFloat("min", 0));
    if (n.hasAttr("max"))
      maxAttr = b.getF64FloatAttr(n.getFloat("max", 0));
  } else {
    for (int64_t i : {1, 2}) {
      if (!n.hasInput(i))
        continue;
      std::optional<double> bound = n.getConstantScalar(i);
      if (!bound) {
        (i == 1 ? runtimeMin : runtimeMax) = n.getInput(i);
        continue;
      }
      (i == 1 ? minAttr : maxAttr) = b.getF64FloatAttr(*bound);
    }
  }
  Value result = n.getInput(0);
  if (minAttr || maxAttr)
    result = n.create<ClipOp>(result, minAttr, maxAttr);
  if (runtimeMin)
    result = n.create<MaxOp>(result, runtimeMin);
  if (runtimeMax)
    result = n.create<MinOp>(result, runtimeMax);
  n.setResult(0, result);
  return success();
}

static LogicalResult importCast(NodeImporter &n) {
  int64_t to = n.getInt("to", 0);
  Type element = convertElementType(n.getContext(), to);
  if (!element)
    return n.fail("cannot cast to " + dataTypeName(to));
  RankedTensorType input = n.getInputType(0);
  n.setResult(0, n.create<CastOp>(input.clone(element), n.getInput(0)));
  return success();
}

static LogicalResult importWhere(NodeImporter &n) {
  n.setResult(0, n.create<WhereOp>(n.getInput(0), n.getInput(1), n.getInput(2)));
  return success();
}

/// A unary op with one float attribute `alpha`.
template <typename OpTy>
static OpImportFn importWithAlpha(float defaultAlpha) {
  return [defaultAlpha](NodeImporter &n) -> LogicalResult {
    n.setResult(0, n.create<OpTy>(n.getInput(0),
                                  n.getBuilder().getF32FloatAttr(
                                      n.getFloat("alpha", defaultAlpha))));
    return success();
  };
}

static LogicalResult importSelu(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  n.setResult(0, n.create<SeluOp>(
                     n.getInput(0),
                     b.getF32FloatAttr(n.getFloat("alpha", 1.67326319217681884765625f)),
                     b.getF32FloatAttr(n.getFloat("gamma", 1.05070102214813232421875f))));
  return success();
}

static LogicalResult importIsInf(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  RankedTensorType input = n.getInputType(0);
  n.setResult(0, n.create<IsInfOp>(
                     input.clone(b.getI1Type()), n.getInput(0),
                     b.getBoolAttr(n.getInt("detect_positive", 1) != 0),
                     b.getBoolAttr(n.getInt("detect_negative", 1) != 0)));
  return success();
}

static LogicalResult importIsNaN(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  n.setResult(0, n.create<IsNaNOp>(input.clone(n.getBuilder().getI1Type()),
                                   n.getInput(0)));
  return success();
}

static LogicalResult importMod(NodeImporter &n) {
  bool fmod = n.getInt("fmod", 0) != 0;
  if (!fmod && isa<FloatType>(n.getInputType(0).getElementType()))
    return n.fail("fmod=0 is only defined for integers");
  n.setResult(0, n.create<ModOp>(n.getInput(0), n.getInput(1),
                                 n.getBuilder().getBoolAttr(fmod)));
  return success();
}

/// Mean = Sum / number of inputs.
static LogicalResult importMean(NodeImporter &n) {
  Value sum = n.getInput(0);
  for (int64_t i = 1; i < n.getNumInputs(); ++i)
    sum = n.create<AddOp>(sum, n.getInput(i));
  Type element = getElementTypeOrSelf(sum.getType());
  n.setResult(0, n.create<DivOp>(sum, n.constantScalar(element,
                                                       n.getNumInputs())));
  return success();
}

static LogicalResult importBitShift(NodeImporter &n) {
  std::string direction = n.getString("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return n.fail("direction must be LEFT or RIGHT");
  n.setResult(0, n.create<BitShiftOp>(n.getInput(0), n.getInput(1),
                                      n.getBuilder().getBoolAttr(direction == "LEFT")));
  return success();
}

static LogicalResult importCastLike(NodeImporter &n) {
  Type element = n.getInputType(1).getElementType();
  RankedTensorType input = n.getInputType(0);
  n.setResult(0, n.create<CastOp>(input.clone(element), n.getInput(0)));
  return success();
}

void onnx_frontend::registerElementwiseImporters(OpImporterRegistry &r) {
  r.onOp("Relu", 1, importUnary<ReluOp>);
  r.onOp("Neg", 1, importUnary<NegOp>);
  r.onOp("Abs", 1, importUnary<AbsOp>);
  r.onOp("Sigmoid", 1, importUnary<SigmoidOp>);
  r.onOp("Tanh", 1, importUnary<TanhOp>);
  r.onOp("Erf", 9, importUnary<ErfOp>);
  r.onOp("Sqrt", 1, importUnary<SqrtOp>);
  r.onOp("Reciprocal", 1, importUnary<ReciprocalOp>);
  r.onOp("Exp", 1, importUnary<ExpOp>);
  r.onOp("Log", 1, importUnary<LogOp>);
  r.onOp("HardSwish", 14, importUnary<HardSwishOp>);
  r.onOp("LeakyRelu", 1, importLeakyRelu);
  r.onOp("HardSigmoid", 1, importHardSigmoid);
  r.onOp("Clip", 1, importClip);

  // Before opset 7 the arithmetic ops broadcast only with `broadcast=1`.
  r.onOp("Add", 1, importLegacyBinary<AddOp>);
  r.onOp("Sub", 1, importLegacyBinary<SubOp>);
  r.onOp("Mul", 1, importLegacyBinary<MulOp>);
  r.onOp("Div", 1, importLegacyBinary<DivOp>);
  r.onOp("Pow", 1, importLegacyBinary<PowOp>);
  r.onOp("Add", 7, importBinary<AddOp>);
  r.onOp("Sub", 7, importBinary<SubOp>);
  r.onOp("Mul", 7, importBinary<MulOp>);
  r.onOp("Div", 7, importBinary<DivOp>);
  r.onOp("Pow", 7, importPow);
  r.onOp("Max", 1, importVariadic<MaxOp>);
  r.onOp("Min", 1, importVariadic<MinOp>);
  r.onOp("Equal", 7, importBinary<EqualOp>);
  r.onOp("Less", 7, importBinary<LessOp>);
  r.onOp("Greater", 7, importBinary<GreaterOp>);
  r.onOp("Where", 9, importWhere);
  r.onOp("Cast", 6, importCast);
  r.onOp("CastLike", 15, importCastLike);

  r.onOp("Sin", 7, importUnary<SinOp>);
  r.onOp("Cos", 7, importUnary<CosOp>);
  r.onOp("Tan", 7, importUnary<TanOp>);
  r.onOp("Asin", 7, importUnary<AsinOp>);
  r.onOp("Acos", 7, importUnary<AcosOp>);
  r.onOp("Atan", 7, importUnary<AtanOp>);
  r.onOp("Sinh", 9, importUnary<SinhOp>);
  r.onOp("Cosh", 9, importUnary<CoshOp>);
  r.onOp("Asinh", 9, importUnary<AsinhOp>);
  r.onOp("Acosh", 9, importUnary<AcoshOp>);
  r.onOp("Atanh", 9, importUnary<AtanhOp>);
  r.onOp("Floor", 6, importUnary<FloorOp>);
  r.onOp("Ceil", 6, importUnary<CeilOp>);
  r.onOp("Round", 11, importUnary<RoundOp>);
  r.onOp("Softplus", 1, importUnary<SoftplusOp>);
  r.onOp("Softsign", 1, importUnary<SoftsignOp>);
  r.onOp("Sign", 9, importUnary<SignOp>);
  r.onOp("Not", 1, importUnary<NotOp>);
  r.onOp("Elu", 6, importWithAlpha<EluOp>(1.0f));
  r.onOp("Celu", 12, importWithAlpha<CeluOp>(1.0f));
  r.onOp("Selu", 6, importSelu);
  r.onOp("ThresholdedRelu", 10, importWithAlpha<ThresholdedReluOp>(1.0f));
  r.onOp("IsNaN", 9, importIsNaN);
  r.onOp("IsInf", 10, importIsInf);

  r.onOp("GreaterOrEqual", 12, importBinary<GreaterEqualOp>);
  r.onOp("LessOrEqual", 12, importBinary<LessEqualOp>);
  r.onOp("And", 7, importBinary<AndOp>);
  r.onOp("Or", 7, importBinary<OrOp>);
  r.onOp("Xor", 7, importBinary<XorOp>);
  r.onOp("Mod", 10, importMod);
  r.onOp("BitShift", 11, importBitShift);
  r.onOp("Sum", 1, importVariadic<AddOp>);
  r.onOp("Mean", 1, importMean);
}
