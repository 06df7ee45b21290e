//===- FusedBodyMatching.cpp - linalg bodies the runtime kernels fuse -----===//
//
// tessera-matmul-to-microkernel and tessera-depthwise-to-microkernel read
// a fused op's body to hand its parts to a runtime kernel: which operand
// a body argument stands for, which buffer an operand views, and the
// clamp. ReLU, ReLU6 and Clip reach the CPU target as arith.maximumf and
// arith.minimumf with constants; the runtime's kernels apply them as
// max(lower, x) then min(upper, x), which return x when it is a NaN, as
// arith.maximumf / minimumf do when the constant is not a NaN.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

/// `x` and the constant when `value` is `op(x, constant)` in either order,
/// with an f32 constant that is not a NaN.
template <typename OpTy>
static std::optional<std::pair<Value, float>> matchWithConstant(Value value) {
  auto op = value.getDefiningOp<OpTy>();
  if (!op)
    return std::nullopt;
  for (auto [constant, other] : {std::pair(op.getRhs(), op.getLhs()),
                                 std::pair(op.getLhs(), op.getRhs())}) {
    FloatAttr attr;
    if (matchPattern(constant, m_Constant(&attr)) && attr.getType().isF32() &&
        !attr.getValue().isNaN())
      return std::make_pair(other, attr.getValue().convertToFloat());
  }
  return std::nullopt;
}

OpOperand *tessera::cpu::getInputOfArgument(linalg::GenericOp op,
                                            Value value) {
  auto argument = dyn_cast<BlockArgument>(value);
  if (!argument || argument.getOwner() != &op.getRegion().front() ||
      argument.getArgNumber() >= op.getNumDpsInputs())
    return nullptr;
  return op.getDpsInputOperand(argument.getArgNumber());
}

Value tessera::cpu::getRootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

Value tessera::cpu::peelConstantClamp(Value value, float &lower, float &upper,
                                      unsigned *peeledOps) {
  if (auto clamp = matchWithConstant<arith::MinimumFOp>(value)) {
    std::tie(value, upper) = *clamp;
    if (peeledOps)
      ++*peeledOps;
  }
  if (auto clamp = matchWithConstant<arith::MaximumFOp>(value)) {
    std::tie(value, lower) = *clamp;
    if (peeledOps)
      ++*peeledOps;
  }
  return value;
}
