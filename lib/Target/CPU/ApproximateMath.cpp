//===- ApproximateMath.cpp - vectorizable transcendental functions -------===//
//
// A libm call in a loop body keeps LLVM's loop vectorizer off that loop:
// GELU's erf and softmax's exp then run one element at a time. MLIR's
// polynomial approximations are plain arith/math.fma code with selects
// instead of branches, which vectorizes; see the pass description for
// their accuracy.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAAPPROXIMATEMATH
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {
/// The approximations are built on math.fma and math.floor, which
/// convert-math-to-libm (it runs before convert-math-to-llvm, so that erf
/// and tanh reach libm) would turn into calls to fmaf and floorf: the LLVM
/// intrinsics are single instructions.
template <typename MathOp, typename IntrinsicOp>
struct MathToLLVMIntrinsic : OpRewritePattern<MathOp> {
  using OpRewritePattern<MathOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(MathOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<FloatType, VectorType>(op.getType()))
      return failure();
    rewriter.replaceOpWithNewOp<IntrinsicOp>(op, op->getOperands());
    return success();
  }
};

/// Whether `op` computes on f32 scalars or vectors (the approximations also
/// take f16, whose accuracy is not measured: those stay for libm, on f32).
bool isF32(Operation *op) {
  return op->getNumResults() == 1 &&
         getElementTypeOrSelf(op->getResult(0).getType()).isF32();
}

struct ApproximateMathPass
    : public tessera::cpu::impl::TesseraApproximateMathBase<
          ApproximateMathPass> {
  using Base::Base;

  void runOnOperation() override {
    // The f32 functions populateMathPolynomialApproximationPatterns
    // approximates; a name outside it is a typo, not a no-op.
    static constexpr llvm::StringLiteral kApproximable[] = {
        "acos", "asin", "atan", "atan2", "cbrt", "cos",  "erf",  "erfc",
        "exp",  "expm1", "log", "log1p", "log2", "sin",  "tanh"};
    llvm::StringSet<> names;
    for (const std::string &name : functions) {
      if (!llvm::is_contained(kApproximable, name)) {
        getOperation()->emitError()
            << "tessera-approximate-math: no polynomial approximation of '"
            << name << "' (known: "
            << llvm::join(ArrayRef<llvm::StringLiteral>(kApproximable), ", ")
            << ")";
        return signalPassFailure();
      }
      names.insert("math." + name);
    }
    SmallVector<Operation *> targets;
    getOperation()->walk([&](Operation *op) {
      if (isa<math::FmaOp, math::FloorOp>(op) ||
          (names.contains(op->getName().getStringRef()) && isF32(op)))
        targets.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [&](StringRef name) { return names.contains(name); });
    patterns.add<MathToLLVMIntrinsic<math::FmaOp, LLVM::FMAOp>,
                 MathToLLVMIntrinsic<math::FloorOp, LLVM::FFloorOp>>(
        &getContext());
    // The ops the approximations create (fma, floor) are rewritten as well.
    if (failed(applyOpPatternsGreedily(targets, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
