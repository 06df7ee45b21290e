//===- ConstantClamp.cpp - the clamp the runtime kernels fuse -------------===//
//
// ReLU, ReLU6 and Clip reach the CPU target as arith.maximumf and
// arith.minimumf with constants inside a linalg body. The runtime's
// kernels apply them as max(lower, x) then min(upper, x), which return x
// when it is a NaN, as arith.maximumf / minimumf do when the constant is
// not a NaN.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/IR/Matchers.h"

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
