//===- FuseOps.cpp - the tessera-fuse-ops pass ----------------------------===//
//
// Groups are decided on the tessera graph, where producers, users and
// shapes are plain, and realized after lowering (tessera-fuse-linalg-groups).
// Elementwise chains and reductions fed by them become one loop nest. A conv
// or matmul heads a group of its elementwise consumers (its epilogue): the
// epilogue becomes one loop nest together with the conv's own bias add, but
// the product itself is still a separate loop nest that writes its result
// (the micro-kernel has no epilogue yet).
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Tessera/IR/TesseraOps.h"
#include "tessera/Dialect/Tessera/Transforms/FusionGroups.h"
#include "tessera/Dialect/Tessera/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAFUSEOPS
#include "tessera/Dialect/Tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {

enum class FusionKind { Elementwise, Reduction, Complex, Opaque };

FusionKind classify(Operation *op) {
  if (op->hasTrait<OpTrait::Elementwise>() ||
      op->hasTrait<OpTrait::tessera::BroadcastingElementwise>())
    return op->getNumResults() == 1 ? FusionKind::Elementwise
                                    : FusionKind::Opaque;
  if (isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp,
          SoftmaxOp, LogSoftmaxOp, LayerNormOp, RmsNormOp>(op))
    return FusionKind::Reduction;
  if (headsEpilogueGroup(op))
    return FusionKind::Complex;
  return FusionKind::Opaque;
}

struct Group {
  int64_t firstPosition;
  SmallVector<Operation *> ops;
  bool acceptsConsumers = true;
};

struct FuseOpsPass : public tessera::impl::TesseraFuseOpsBase<FuseOpsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &body = func.getBody().front();
    llvm::DenseMap<Operation *, int64_t> position;
    for (auto [index, op] : llvm::enumerate(body))
      position[&op] = static_cast<int64_t>(index);

    std::vector<Group> groups;
    llvm::DenseMap<Operation *, size_t> groupOf;
    for (Operation &op : body) {
      op.removeAttr(kFusionGroupAttr);
      FusionKind kind = classify(&op);
      if (kind == FusionKind::Complex && !fuseEpilogues)
        continue;
      if (kind == FusionKind::Opaque ||
          (kind == FusionKind::Reduction && !fuseReductions))
        continue;
      std::optional<size_t> chosen;
      for (Value operand : op.getOperands()) {
        if (kind == FusionKind::Complex)
          break; // heads its own group
        Operation *producer = operand.getDefiningOp();
        auto found = producer ? groupOf.find(producer) : groupOf.end();
        if (found == groupOf.end())
          continue;
        if (canJoin(op, kind, operand, groups[found->second], groupOf,
                    found->second, position)) {
          chosen = found->second;
          break;
        }
      }
      if (!chosen) {
        chosen = groups.size();
        groups.push_back({position[&op], {}, true});
      }
      groups[*chosen].ops.push_back(&op);
      groupOf[&op] = *chosen;
      if (kind == FusionKind::Reduction)
        groups[*chosen].acceptsConsumers = false;
    }

    Builder builder(&getContext());
    int64_t id = 0;
    for (Group &group : groups) {
      if (group.ops.size() < 2)
        continue;
      for (Operation *op : group.ops)
        op->setAttr(kFusionGroupAttr, builder.getI64IntegerAttr(id));
      ++id;
    }
  }

  bool canJoin(Operation &op, FusionKind kind, Value operand,
               const Group &group,
               const llvm::DenseMap<Operation *, size_t> &groupOf,
               size_t groupIndex,
               const llvm::DenseMap<Operation *, int64_t> &position) const {
    if (!group.acceptsConsumers || group.ops.size() >= maxGroupSize)
      return false;
    // No other user: fusing must not leave the value to be computed again
    // (or written anyway) for someone else.
    if (llvm::any_of(operand.getUsers(),
                     [&](Operation *user) { return user != &op; }))
      return false;
    if (kind == FusionKind::Reduction) {
      if (op.getOperand(0) != operand)
        return false;
    } else if (cast<ShapedType>(operand.getType()).getShape() !=
               cast<ShapedType>(op.getResult(0).getType()).getShape()) {
      return false; // broadcast to a larger shape: work would be repeated
    }
    for (Value other : op.getOperands()) {
      Operation *def = other.getDefiningOp();
      if (!def || matchPattern(other, m_Constant()))
        continue;
      auto member = groupOf.find(def);
      if (member != groupOf.end() && member->second == groupIndex)
        continue;
      // With single-user links a group is a chain that only its last op
      // leaves, so nothing outside can depend on it yet; this guards the
      // no-cycle property should the joining rules ever allow more.
      if (position.lookup(def) >= group.firstPosition)
        return false;
    }
    return true;
  }
};

} // namespace
