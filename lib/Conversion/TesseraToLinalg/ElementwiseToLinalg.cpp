//===- ElementwiseToLinalg.cpp - elementwise tessera ops to linalg ---------===//
//
// Every elementwise op becomes one all-parallel linalg.generic over the
// broadcast result; the ops differ only in the scalar body, built here from
// arith and math.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"

#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "llvm/Support/MathExtras.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

bool isUnsignedTensor(Type type) {
  return getElementTypeOrSelf(type).isUnsignedInteger();
}

/// Whether the op computes on unsigned integers (its first operand's type
/// decides: ONNX binary ops have one element type).
bool hasUnsignedOperands(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), isUnsignedTensor);
}

/// `type` with an unsigned element type made signless (same width).
RankedTensorType toSignless(RankedTensorType type) {
  Type element = type.getElementType();
  if (!element.isUnsignedInteger())
    return type;
  return type.clone(IntegerType::get(type.getContext(),
                                     element.getIntOrFloatBitWidth()));
}

/// Elementwise ops whose body depends only on the operands and the op's
/// attributes: `Derived::buildBody` makes the scalar result. arith works on
/// signless integers, so unsigned tensors are bitcast to signless ones
/// around the generic; patterns that set kSupportsUnsigned choose the
/// unsigned arith ops themselves (see hasUnsignedOperands).
template <typename OpTy, typename Derived>
struct ElementwisePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  static constexpr bool kSupportsUnsigned = false;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    bool anyUnsigned =
        llvm::any_of(llvm::concat<const Type>(op->getOperandTypes(),
                                              op->getResultTypes()),
                     isUnsignedTensor);
    if (anyUnsigned && !Derived::kSupportsUnsigned)
      return rewriter.notifyMatchFailure(
          op, "unsigned element types are not lowered for this op yet");
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      auto type = cast<RankedTensorType>(operand.getType());
      operands.push_back(isUnsignedTensor(type)
                             ? tensor::BitcastOp::create(rewriter, loc,
                                                         toSignless(type),
                                                         operand)
                                   .getResult()
                             : operand);
    }
    RankedTensorType signlessResult = toSignless(resultType);
    Value result = createElementwise(
        rewriter, loc, signlessResult, operands,
        [&](OpBuilder &b, Location l, ValueRange args) {
          return Derived::buildBody(b, l, op, args,
                                    signlessResult.getElementType());
        });
    if (signlessResult != resultType)
      result = tensor::BitcastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

#define TESSERA_ELEMENTWISE(OpTy, ...)                                        \
  struct OpTy##Lowering : ElementwisePattern<OpTy, OpTy##Lowering> {           \
    using ElementwisePattern::ElementwisePattern;                              \
    static Value buildBody(OpBuilder &b, Location loc, OpTy op,                \
                           ValueRange args, Type elementType) {                \
      (void)op;                                                                \
      (void)elementType;                                                       \
      Value x = args[0];                                                       \
      (void)x;                                                                 \
      __VA_ARGS__                                                              \
    }                                                                          \
  };

TESSERA_ELEMENTWISE(ReluOp, {
  Value zero = createScalar(b, loc, elementType, 0);
  if (isFloat(x))
    return arith::MaximumFOp::create(b, loc, x, zero);
  return arith::MaxSIOp::create(b, loc, x, zero);
})
TESSERA_ELEMENTWISE(NegOp, {
  if (isFloat(x))
    return arith::NegFOp::create(b, loc, x);
  return arith::SubIOp::create(b, loc, createScalar(b, loc, elementType, 0), x);
})
TESSERA_ELEMENTWISE(AbsOp, {
  if (isFloat(x))
    return math::AbsFOp::create(b, loc, x);
  // max(x, -x) rather than math.absi, which convert-math-to-libm rejects.
  return arith::MaxSIOp::create(
      b, loc, x,
      arith::SubIOp::create(b, loc, createScalar(b, loc, elementType, 0), x));
})
TESSERA_ELEMENTWISE(SigmoidOp, {
  Value one = createScalar(b, loc, elementType, 1);
  Value negExp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, negExp));
})
TESSERA_ELEMENTWISE(TanhOp, { return math::TanhOp::create(b, loc, x); })
TESSERA_ELEMENTWISE(ErfOp, { return math::ErfOp::create(b, loc, x); })
TESSERA_ELEMENTWISE(SqrtOp, { return math::SqrtOp::create(b, loc, x); })
TESSERA_ELEMENTWISE(ExpOp, { return math::ExpOp::create(b, loc, x); })
TESSERA_ELEMENTWISE(LogOp, { return math::LogOp::create(b, loc, x); })
TESSERA_ELEMENTWISE(ReciprocalOp, {
  return arith::DivFOp::create(b, loc, createScalar(b, loc, elementType, 1), x);
})
TESSERA_ELEMENTWISE(GeluOp, {
  // The exported graph's order: ((erf(x / sqrt 2) + 1) * x) * 0.5.
  Value scaled = arith::DivFOp::create(
      b, loc, x, createScalar(b, loc, elementType, std::sqrt(2.0)));
  Value erf = math::ErfOp::create(b, loc, scaled);
  Value shifted = arith::AddFOp::create(b, loc, erf,
                                        createScalar(b, loc, elementType, 1));
  Value product = arith::MulFOp::create(b, loc, x, shifted);
  return arith::MulFOp::create(b, loc, product,
                               createScalar(b, loc, elementType, 0.5));
})
TESSERA_ELEMENTWISE(GeluTanhOp, {
  // torch.onnx's order: 0.5 * (x * (1 + tanh(c1 * (x + c2 * (x * (x * x)))))).
  auto scalar = [&](double v) { return createScalar(b, loc, elementType, v); };
  Value cube = arith::MulFOp::create(b, loc, x,
                                     arith::MulFOp::create(b, loc, x, x));
  Value inner = arith::AddFOp::create(
      b, loc, x, arith::MulFOp::create(b, loc, scalar(0.044715), cube));
  Value tanh = math::TanhOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, scalar(std::sqrt(2.0 / llvm::numbers::pi)), inner));
  Value shifted = arith::AddFOp::create(b, loc, scalar(1), tanh);
  return arith::MulFOp::create(b, loc, scalar(0.5),
                               arith::MulFOp::create(b, loc, x, shifted));
})
TESSERA_ELEMENTWISE(HardSwishOp, {
  // x * clamp(x / 6 + 1/2, 0, 1), as ONNX defines it (alpha = 1/6).
  Value scaled = arith::AddFOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, x,
                            createScalar(b, loc, elementType, 1.0 / 6.0)),
      createScalar(b, loc, elementType, 0.5));
  Value clamped = arith::MinimumFOp::create(
      b, loc,
      arith::MaximumFOp::create(b, loc, scaled,
                                createScalar(b, loc, elementType, 0)),
      createScalar(b, loc, elementType, 1));
  return arith::MulFOp::create(b, loc, x, clamped);
})
TESSERA_ELEMENTWISE(LeakyReluOp, {
  Value zero = createScalar(b, loc, elementType, 0);
  Value scaled = arith::MulFOp::create(
      b, loc, x,
      createScalar(b, loc, elementType, op.getAlpha().convertToDouble()));
  Value negative =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(b, loc, negative, scaled, x);
})
TESSERA_ELEMENTWISE(HardSigmoidOp, {
  Value linear = arith::AddFOp::create(
      b, loc,
      arith::MulFOp::create(
          b, loc, x,
          createScalar(b, loc, elementType, op.getAlpha().convertToDouble())),
      createScalar(b, loc, elementType, op.getBeta().convertToDouble()));
  return arith::MinimumFOp::create(
      b, loc,
      arith::MaximumFOp::create(b, loc, linear,
                                createScalar(b, loc, elementType, 0)),
      createScalar(b, loc, elementType, 1));
})
TESSERA_ELEMENTWISE(ClipOp, {
  Value result = x;
  if (std::optional<APFloat> min = op.getMin()) {
    Value bound = createScalar(b, loc, elementType, min->convertToDouble());
    result = isFloat(x) ? Value(arith::MaximumFOp::create(b, loc, result, bound))
                        : Value(arith::MaxSIOp::create(b, loc, result, bound));
  }
  if (std::optional<APFloat> max = op.getMax()) {
    Value bound = createScalar(b, loc, elementType, max->convertToDouble());
    result = isFloat(x) ? Value(arith::MinimumFOp::create(b, loc, result, bound))
                        : Value(arith::MinSIOp::create(b, loc, result, bound));
  }
  return result;
})

/// Unary ops that are one math-dialect function.
template <typename OpTy, typename MathOp>
struct MathUnaryLowering
    : ElementwisePattern<OpTy, MathUnaryLowering<OpTy, MathOp>> {
  using ElementwisePattern<OpTy,
                           MathUnaryLowering<OpTy, MathOp>>::ElementwisePattern;
  static Value buildBody(OpBuilder &b, Location loc, OpTy, ValueRange args,
                         Type) {
    return MathOp::create(b, loc, args[0]);
  }
};

/// alpha * (e^x - 1), the negative branch of the ELU family.
Value expMinusOne(OpBuilder &b, Location loc, Value x, double alpha) {
  Value em1 = math::ExpM1Op::create(b, loc, x);
  return arith::MulFOp::create(b, loc,
                               createScalar(b, loc, x.getType(), alpha), em1);
}

TESSERA_ELEMENTWISE(SoftplusOp, {
  return math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, x));
})
TESSERA_ELEMENTWISE(SoftsignOp, {
  Value one = createScalar(b, loc, elementType, 1);
  return arith::DivFOp::create(
      b, loc, x,
      arith::AddFOp::create(b, loc, one, math::AbsFOp::create(b, loc, x)));
})
TESSERA_ELEMENTWISE(SignOp, {
  Value zero = createScalar(b, loc, elementType, 0);
  Value one = createScalar(b, loc, elementType, 1);
  Value minusOne = createScalar(b, loc, elementType, -1);
  Value positive, negative;
  if (isFloat(x)) {
    positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    negative = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  } else {
    positive = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, zero);
    negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
  }
  // NaN stays NaN (neither comparison holds, and x is returned).
  Value otherwise = isFloat(x) ? x : zero;
  return arith::SelectOp::create(
      b, loc, positive, one,
      arith::SelectOp::create(b, loc, negative, minusOne, otherwise));
})
TESSERA_ELEMENTWISE(NotOp, {
  return arith::XOrIOp::create(b, loc, x, createScalar(b, loc, elementType, 1));
})
TESSERA_ELEMENTWISE(EluOp, {
  Value zero = createScalar(b, loc, elementType, 0);
  Value negative =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(
      b, loc, negative, expMinusOne(b, loc, x, op.getAlpha().convertToDouble()),
      x);
})
TESSERA_ELEMENTWISE(SeluOp, {
  Value zero = createScalar(b, loc, elementType, 0);
  Value positive =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
  Value branch = arith::SelectOp::create(
      b, loc, positive, x,
      expMinusOne(b, loc, x, op.getAlpha().convertToDouble()));
  return arith::MulFOp::create(
      b, loc,
      createScalar(b, loc, elementType, op.getGamma().convertToDouble()),
      branch);
})
TESSERA_ELEMENTWISE(CeluOp, {
  double alpha = op.getAlpha().convertToDouble();
  Value zero = createScalar(b, loc, elementType, 0);
  Value scaled = arith::DivFOp::create(b, loc, x,
                                       createScalar(b, loc, elementType, alpha));
  return arith::AddFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, x, zero),
      arith::MinimumFOp::create(b, loc, expMinusOne(b, loc, scaled, alpha),
                                zero));
})
TESSERA_ELEMENTWISE(ThresholdedReluOp, {
  Value above = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OGT, x,
      createScalar(b, loc, elementType, op.getAlpha().convertToDouble()));
  return arith::SelectOp::create(b, loc, above, x,
                                 createScalar(b, loc, elementType, 0));
})
TESSERA_ELEMENTWISE(IsNaNOp, {
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
})
TESSERA_ELEMENTWISE(IsInfOp, {
  Type floatType = x.getType();
  const llvm::fltSemantics &semantics =
      cast<FloatType>(floatType).getFloatSemantics();
  Value result = createScalar(b, loc, elementType, 0);
  for (bool negative : {false, true}) {
    if (negative ? !op.getDetectNegative() : !op.getDetectPositive())
      continue;
    Value inf = arith::ConstantOp::create(
        b, loc, b.getFloatAttr(floatType, APFloat::getInf(semantics, negative)));
    result = arith::OrIOp::create(
        b, loc, result,
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, inf));
  }
  return result;
})

/// Mod: `fmod` is C's fmod (sign of the dividend); otherwise integers take
/// the sign of the divisor, as Python's %.
struct ModOpLowering : ElementwisePattern<ModOp, ModOpLowering> {
  using ElementwisePattern::ElementwisePattern;
  static constexpr bool kSupportsUnsigned = true;
  static Value buildBody(OpBuilder &b, Location loc, ModOp op, ValueRange args,
                         Type elementType) {
    Value x = args[0], y = args[1];
    if (isFloat(x))
      return arith::RemFOp::create(b, loc, x, y);
    if (hasUnsignedOperands(op))
      return arith::RemUIOp::create(b, loc, x, y);
    Value remainder = arith::RemSIOp::create(b, loc, x, y);
    if (op.getFmod())
      return remainder;
    Value zero = createScalar(b, loc, elementType, 0);
    Value nonZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                          remainder, zero);
    Value signsDiffer = arith::XOrIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, remainder, zero),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, y, zero));
    Value adjust = arith::AndIOp::create(b, loc, nonZero, signsDiffer);
    return arith::SelectOp::create(b, loc, adjust,
                                   arith::AddIOp::create(b, loc, remainder, y),
                                   remainder);
  }
};

struct BitShiftOpLowering : ElementwisePattern<BitShiftOp, BitShiftOpLowering> {
  using ElementwisePattern::ElementwisePattern;
  static constexpr bool kSupportsUnsigned = true;
  static Value buildBody(OpBuilder &b, Location loc, BitShiftOp op,
                         ValueRange args, Type) {
    if (op.getLeft())
      return arith::ShLIOp::create(b, loc, args[0], args[1]);
    return arith::ShRUIOp::create(b, loc, args[0], args[1]);
  }
};

template <typename IntOp, typename OpTy>
struct BitwiseLowering : ElementwisePattern<OpTy, BitwiseLowering<IntOp, OpTy>> {
  using ElementwisePattern<OpTy,
                           BitwiseLowering<IntOp, OpTy>>::ElementwisePattern;
  static Value buildBody(OpBuilder &b, Location loc, OpTy, ValueRange args,
                         Type) {
    return IntOp::create(b, loc, args[0], args[1]);
  }
};

template <typename FloatOp, typename IntOp, typename OpTy,
          typename UnsignedOp = IntOp>
struct ArithBinaryLowering
    : ElementwisePattern<OpTy,
                         ArithBinaryLowering<FloatOp, IntOp, OpTy, UnsignedOp>> {
  using ElementwisePattern<
      OpTy, ArithBinaryLowering<FloatOp, IntOp, OpTy,
                                UnsignedOp>>::ElementwisePattern;
  static constexpr bool kSupportsUnsigned = true;
  static Value buildBody(OpBuilder &b, Location loc, OpTy op, ValueRange args,
                         Type) {
    if (isFloat(args[0]))
      return FloatOp::create(b, loc, args[0], args[1]);
    if (hasUnsignedOperands(op))
      return UnsignedOp::create(b, loc, args[0], args[1]);
    return IntOp::create(b, loc, args[0], args[1]);
  }
};

struct PowOpLowering : ElementwisePattern<PowOp, PowOpLowering> {
  using ElementwisePattern::ElementwisePattern;
  static constexpr bool kSupportsUnsigned = true;
  static Value buildBody(OpBuilder &b, Location loc, PowOp op, ValueRange args,
                         Type elementType) {
    Value base = args[0], exponent = args[1];
    if (!isFloat(base)) {
      if (isFloat(exponent))
        exponent = arith::FPToSIOp::create(b, loc, elementType, exponent);
      else if (exponent.getType() != elementType)
        exponent = arith::TruncIOp::create(b, loc, elementType, exponent);
      return math::IPowIOp::create(b, loc, base, exponent);
    }
    if (exponent.getType() != base.getType()) {
      if (isFloat(exponent))
        exponent = arith::ExtFOp::create(b, loc, base.getType(), exponent);
      else if (isUnsignedTensor(op.getRhs().getType()))
        exponent = arith::UIToFPOp::create(b, loc, base.getType(), exponent);
      else
        exponent = arith::SIToFPOp::create(b, loc, base.getType(), exponent);
    }
    return math::PowFOp::create(b, loc, base, exponent);
  }
};

template <arith::CmpFPredicate FloatPred, arith::CmpIPredicate IntPred,
          typename OpTy>
struct CompareLowering
    : ElementwisePattern<OpTy, CompareLowering<FloatPred, IntPred, OpTy>> {
  using ElementwisePattern<
      OpTy, CompareLowering<FloatPred, IntPred, OpTy>>::ElementwisePattern;
  static constexpr bool kSupportsUnsigned = true;
  static Value buildBody(OpBuilder &b, Location loc, OpTy op, ValueRange args,
                         Type) {
    if (isFloat(args[0]))
      return arith::CmpFOp::create(b, loc, FloatPred, args[0], args[1]);
    arith::CmpIPredicate predicate = IntPred;
    if (hasUnsignedOperands(op)) {
      switch (IntPred) {
      case arith::CmpIPredicate::slt: predicate = arith::CmpIPredicate::ult; break;
      case arith::CmpIPredicate::sle: predicate = arith::CmpIPredicate::ule; break;
      case arith::CmpIPredicate::sgt: predicate = arith::CmpIPredicate::ugt; break;
      case arith::CmpIPredicate::sge: predicate = arith::CmpIPredicate::uge; break;
      default: break;
      }
    }
    return arith::CmpIOp::create(b, loc, predicate, args[0], args[1]);
  }
};

struct WhereOpLowering : ElementwisePattern<WhereOp, WhereOpLowering> {
  using ElementwisePattern::ElementwisePattern;
  static Value buildBody(OpBuilder &b, Location loc, WhereOp, ValueRange args,
                         Type) {
    return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
  }
};

/// ONNX Cast: floats truncate toward zero into integers; bools are 0/1 (so
/// they extend unsigned); anything becomes bool by testing for non-zero.
Value convertScalar(OpBuilder &b, Location loc, Value x, Type to,
                    bool fromUnsigned, bool toUnsigned) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (to.isInteger(1)) {
    Value zero = createScalar(b, loc, from, 0);
    if (isa<FloatType>(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, x);
    return arith::TruncFOp::create(b, loc, to, x);
  }
  if (fromFloat) {
    if (toUnsigned)
      return arith::FPToUIOp::create(b, loc, to, x);
    return arith::FPToSIOp::create(b, loc, to, x);
  }
  if (toFloat) {
    if (from.isInteger(1) || fromUnsigned)
      return arith::UIToFPOp::create(b, loc, to, x);
    return arith::SIToFPOp::create(b, loc, to, x);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth)
    return x;
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, x);
  if (from.isInteger(1) || fromUnsigned)
    return arith::ExtUIOp::create(b, loc, to, x);
  return arith::ExtSIOp::create(b, loc, to, x);
}

struct CastOpLowering : ElementwisePattern<CastOp, CastOpLowering> {
  using ElementwisePattern::ElementwisePattern;
  static constexpr bool kSupportsUnsigned = true;
  static Value buildBody(OpBuilder &b, Location loc, CastOp op,
                         ValueRange args, Type elementType) {
    return convertScalar(b, loc, args[0], elementType,
                         isUnsignedTensor(op.getInput().getType()),
                         isUnsignedTensor(op.getType()));
  }
};

} // namespace

void mlir::tessera::populateElementwiseToLinalgPatterns(
    RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReluOpLowering, NegOpLowering, AbsOpLowering, SigmoidOpLowering,
               TanhOpLowering, ErfOpLowering, SqrtOpLowering, ExpOpLowering,
               LogOpLowering, ReciprocalOpLowering, HardSwishOpLowering,
               GeluOpLowering, GeluTanhOpLowering,
               LeakyReluOpLowering, HardSigmoidOpLowering, ClipOpLowering,
               PowOpLowering, WhereOpLowering, CastOpLowering>(ctx);
  patterns.add<ArithBinaryLowering<arith::AddFOp, arith::AddIOp, AddOp>,
               ArithBinaryLowering<arith::SubFOp, arith::SubIOp, SubOp>,
               ArithBinaryLowering<arith::MulFOp, arith::MulIOp, MulOp>,
               ArithBinaryLowering<arith::DivFOp, arith::DivSIOp, DivOp,
                                   arith::DivUIOp>,
               ArithBinaryLowering<arith::MaximumFOp, arith::MaxSIOp, MaxOp,
                                   arith::MaxUIOp>,
               ArithBinaryLowering<arith::MinimumFOp, arith::MinSIOp, MinOp,
                                   arith::MinUIOp>>(
      ctx);
  patterns.add<
      CompareLowering<arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq,
                      EqualOp>,
      CompareLowering<arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                      LessOp>,
      CompareLowering<arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt,
                      GreaterOp>,
      CompareLowering<arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge,
                      GreaterEqualOp>,
      CompareLowering<arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle,
                      LessEqualOp>>(ctx);
  patterns.add<MathUnaryLowering<SinOp, math::SinOp>,
               MathUnaryLowering<CosOp, math::CosOp>,
               MathUnaryLowering<TanOp, math::TanOp>,
               MathUnaryLowering<AsinOp, math::AsinOp>,
               MathUnaryLowering<AcosOp, math::AcosOp>,
               MathUnaryLowering<AtanOp, math::AtanOp>,
               MathUnaryLowering<SinhOp, math::SinhOp>,
               MathUnaryLowering<CoshOp, math::CoshOp>,
               MathUnaryLowering<AsinhOp, math::AsinhOp>,
               MathUnaryLowering<AcoshOp, math::AcoshOp>,
               MathUnaryLowering<AtanhOp, math::AtanhOp>,
               MathUnaryLowering<FloorOp, math::FloorOp>,
               MathUnaryLowering<CeilOp, math::CeilOp>,
               MathUnaryLowering<RoundOp, math::RoundEvenOp>>(ctx);
  patterns.add<SoftplusOpLowering, SoftsignOpLowering, SignOpLowering,
               NotOpLowering, EluOpLowering, SeluOpLowering, CeluOpLowering,
               ThresholdedReluOpLowering, IsNaNOpLowering, IsInfOpLowering,
               ModOpLowering, BitShiftOpLowering,
               BitwiseLowering<arith::AndIOp, AndOp>,
               BitwiseLowering<arith::OrIOp, OrOp>,
               BitwiseLowering<arith::XOrIOp, XorOp>>(ctx);
}
