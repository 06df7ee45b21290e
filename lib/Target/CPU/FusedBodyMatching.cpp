//===- FusedBodyMatching.cpp - linalg bodies the runtime kernels fuse -----===//
//
// tessera-matmul-to-microkernel, tessera-depthwise-to-microkernel and
// tessera-conv-to-microkernel read a fused op's body to hand its parts to a
// runtime kernel: which operand a body argument stands for, which buffer
// an operand views (and whether an op may write it), the clamp, and a product's in-place epilogue. ReLU, ReLU6 and Clip reach the CPU target as arith.maximumf and
// arith.minimumf with constants; the runtime's kernels apply them as
// max(lower, x) then min(upper, x), which return x when it is a NaN, as
// arith.maximumf / minimumf do when the constant is not a NaN.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
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

bool tessera::cpu::mayWriteMemory(Operation *op, Value exemptRoot) {
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return !isMemoryEffectFree(op);
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [&](const MemoryEffects::EffectInstance &e) {
    if (!isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect()))
      return false;
    Value value = e.getValue();
    return !exemptRoot || !value || !isa<MemRefType>(value.getType()) ||
           getRootBuffer(value) != exemptRoot;
  });
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

namespace {

/// The stride of `buffer`'s dimension `position` when static.
std::optional<int64_t> getStaticStride(Value buffer, unsigned position) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(cast<MemRefType>(buffer.getType())
                 .getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(strides[position]))
    return std::nullopt;
  return strides[position];
}

/// Whether the addend `operand` indexes each loop of `op` (the output's
/// dimensions) at most once, by a plain dim or element 0, with the
/// output's contiguous dimension, if at all, at unit stride.
bool isEpilogueAddend(linalg::GenericOp op, OpOperand *operand) {
  auto type = dyn_cast<MemRefType>(operand->get().getType());
  if (!type || !type.getElementType().isF32())
    return false;
  AffineMap map = op.getMatchingIndexingMap(operand);
  llvm::SmallBitVector seen(map.getNumDims());
  for (auto [position, expr] : llvm::enumerate(map.getResults())) {
    if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
      if (constant.getValue() != 0)
        return false;
      continue;
    }
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || seen.test(dim.getPosition()))
      return false;
    seen.set(dim.getPosition());
    if (dim.getPosition() + 1 == map.getNumDims() &&
        getStaticStride(operand->get(), position) != 1)
      return false;
  }
  return true;
}

/// Whether `addend` is known not to overlap `output`: the micro-kernel
/// applies the epilogue to each block of C as soon as it is complete, so
/// an addend that reads C would see some blocks before and some after.
/// Distinct arguments of a kernel that tessera-outline-kernels marked
/// no-alias are distinct memory; so are distinct allocations.
bool isApartFromOutput(Value addend, Value output) {
  Value addendRoot = tessera::cpu::getRootBuffer(addend),
        outputRoot = tessera::cpu::getRootBuffer(output);
  if (addendRoot == outputRoot)
    return false;
  auto isAllocation = [](Value root) {
    return root.getDefiningOp<memref::AllocOp>() ||
           root.getDefiningOp<memref::AllocaOp>();
  };
  if (isAllocation(addendRoot) || isAllocation(outputRoot))
    return true;
  auto argument = dyn_cast<BlockArgument>(addendRoot);
  auto kernel = argument ? dyn_cast<FunctionOpInterface>(
                               argument.getOwner()->getParentOp())
                         : FunctionOpInterface();
  return kernel && isa<BlockArgument>(outputRoot) &&
         kernel->hasAttr(tessera::cpu::kNoAliasArgsAttr);
}

} // namespace

std::optional<tessera::cpu::KernelEpilogue>
tessera::cpu::matchKernelEpilogue(linalg::LinalgOp product) {
  Value output = product.getDpsInits().front();
  linalg::GenericOp op = getInPlaceEpilogue(product);
  if (!op)
    return std::nullopt;
  Block &body = op.getRegion().front();
  Value outputArgument = body.getArgument(op.getNumDpsInputs());
  // A term of the sum is the output's element (its block argument, or an
  // input's that reads the output at the same element) or an addend.
  auto operandOf = [&](Value value) {
    return getInputOfArgument(op, value);
  };
  auto isOutputElement = [&](Value value) {
    if (value == outputArgument)
      return true;
    OpOperand *input = operandOf(value);
    return input && input->get() == output &&
           op.getMatchingIndexingMap(input).isIdentity();
  };

  KernelEpilogue epilogue;
  epilogue.op = op;
  unsigned ops = 1; // the yield
  Value value = peelConstantClamp(
      cast<linalg::YieldOp>(body.getTerminator()).getOperand(0),
      epilogue.lower, epilogue.upper, &ops);
  while (!isOutputElement(value)) {
    auto add = value.getDefiningOp<arith::AddFOp>();
    if (!add || add->getBlock() != &body || epilogue.addends.size() == 2)
      return std::nullopt;
    // (x + addend) or (addend + x): the same sum either way.
    OpOperand *addend = operandOf(add.getRhs());
    value = add.getLhs();
    if (!addend || isOutputElement(add.getRhs())) {
      addend = operandOf(add.getLhs());
      value = add.getRhs();
      if (!addend || isOutputElement(add.getLhs()))
        return std::nullopt;
    }
    if (!isApartFromOutput(addend->get(), output) ||
        !isEpilogueAddend(op, addend))
      return std::nullopt;
    epilogue.addends.insert(epilogue.addends.begin(), addend);
    ++ops;
  }
  if (body.getOperations().size() != ops)
    return std::nullopt;
  return epilogue;
}

