//===- ElementwiseImporters.cpp - unary, binary and select ops --*- C++ -*-===//

#include "NodeImporter.h"
#include "TensorConversion.h"

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
/// optional inputs, which tessera needs as constants.
static LogicalResult importClip(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  FloatAttr minAttr, maxAttr;
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
      if (!bound)
        return n.fail(llvm::Twine(i == 1 ? "min" : "max") +
                      " must be a compile-time scalar constant");
      (i == 1 ? minAttr : maxAttr) = b.getF64FloatAttr(*bound);
    }
  }
  n.setResult(0, n.create<ClipOp>(n.getInput(0), minAttr, maxAttr));
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

  // Opsets before 7 broadcast through a `broadcast` attribute; not handled.
  r.onOp("Add", 7, importBinary<AddOp>);
  r.onOp("Sub", 7, importBinary<SubOp>);
  r.onOp("Mul", 7, importBinary<MulOp>);
  r.onOp("Div", 7, importBinary<DivOp>);
  r.onOp("Pow", 7, importPow);
  r.onOp("Max", 8, importVariadic<MaxOp>);
  r.onOp("Min", 8, importVariadic<MinOp>);
  r.onOp("Equal", 7, importBinary<EqualOp>);
  r.onOp("Less", 7, importBinary<LessOp>);
  r.onOp("Greater", 7, importBinary<GreaterOp>);
  r.onOp("Where", 9, importWhere);
  r.onOp("Cast", 6, importCast);
}
