//===- SlicesThroughReshapes.cpp - parts computed in place through reshapes ===//
//
// Upstream eliminate-empty-tensors follows only same-typed values from an
// inserted part back to its tensor.empty, and places the replacement only
// where the destination already exists. A 1x1 convolution is a matrix
// product on a collapsed view whose result is expanded back, and a Concat's
// destination is created after its operands, so a convolution feeding a
// Concat was computed into a buffer of its own and then copied into its part
// (SqueezeNet: 88 us of copies per run at one thread, and at two threads the
// copies split the channels while the products around them split the pixels,
// so every consumer read lines the other core had written).
//
//===----------------------------------------------------------------------===//

#include "tessera/Codegen/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERASLICESTHROUGHRESHAPES
#include "tessera/Codegen/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;

namespace {

/// How an inserted part is computed from a tensor.empty: the use of the empty
/// tensor that starts the chain, and the reshapes on the way, the one nearest
/// the insertion first.
struct ChainFromEmpty {
  OpOperand *emptyUse = nullptr;
  SmallVector<Operation *> reshapes;
};

/// Whether all uses of `value` are in one op: the next link of a chain (an
/// elementwise epilogue running in place reads its operand as input and
/// destination).
bool hasOneUser(Value value) {
  Operation *user = nullptr;
  for (Operation *op : value.getUsers()) {
    if (user && op != user)
      return false;
    user = op;
  }
  return user != nullptr;
}

/// Follows `value` back through destinations tied to results (linalg ops,
/// loops' iteration arguments) and static reshapes to the tensor.empty it is
/// computed in. Every value on the way must feed only the next link, so that
/// giving the chain another starting tensor changes nothing else.
std::optional<ChainFromEmpty> traceToEmpty(Value value) {
  ChainFromEmpty chain;
  while (true) {
    if (!hasOneUser(value))
      return std::nullopt;
    auto result = dyn_cast<OpResult>(value);
    if (!result)
      return std::nullopt;
    Operation *def = result.getOwner();
    OpOperand *tied = nullptr;
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def)) {
      if (!cast<ShapedType>(def->getOperand(0).getType()).hasStaticShape() ||
          !cast<ShapedType>(value.getType()).hasStaticShape())
        return std::nullopt;
      chain.reshapes.push_back(def);
      tied = &def->getOpOperand(0);
    } else if (auto dps = dyn_cast<DestinationStyleOpInterface>(def)) {
      tied = dps.getTiedOpOperand(result);
    } else if (auto loop = dyn_cast<LoopLikeOpInterface>(def)) {
      tied = loop.getTiedLoopInit(result);
    }
    if (!tied)
      return std::nullopt;
    if (tied->get().getDefiningOp<tensor::EmptyOp>()) {
      chain.emptyUse = tied;
      return chain;
    }
    value = tied->get();
  }
}

/// Builds, at the builder's insertion point, the part of `insert`'s
/// destination that it fills, reshaped back to the type the chain starts
/// with.
Value buildStartingPart(OpBuilder &builder, tensor::InsertSliceOp insert,
                        ArrayRef<Operation *> reshapes) {
  Location loc = insert.getLoc();
  Value part = tensor::ExtractSliceOp::create(
      builder, loc, insert.getSourceType(), insert.getDest(),
      insert.getMixedOffsets(), insert.getMixedSizes(),
      insert.getMixedStrides());
  for (Operation *reshape : reshapes) {
    Type sourceType = reshape->getOperand(0).getType();
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(reshape))
      part = tensor::CollapseShapeOp::create(
          builder, loc, sourceType, part, expand.getReassociationIndices());
    else
      part = tensor::ExpandShapeOp::create(
          builder, loc, sourceType, part,
          cast<tensor::CollapseShapeOp>(reshape).getReassociationIndices());
  }
  return part;
}

/// Whether `value` is, or can be made, available before `anchor`: it
/// dominates it, or it is an operand-less tensor.empty or an insertion of
/// available values later in `anchor`'s block, to be moved up to `anchor`
/// (a Concat's destination is created after its operands, and its later
/// operands are inserted into the result of the earlier ones). The ops to
/// move are appended to `moves`, operands first.
bool canMakeAvailableBefore(Value value, Operation *anchor,
                            DominanceInfo &dominance,
                            SetVector<Operation *> &moves) {
  if (dominance.properlyDominates(value, anchor))
    return true;
  Operation *def = value.getDefiningOp();
  if (!def || def->getBlock() != anchor->getBlock() ||
      !isa<tensor::EmptyOp, tensor::InsertSliceOp>(def))
    return false;
  if (moves.contains(def))
    return true;
  for (Value operand : def->getOperands())
    if (!canMakeAvailableBefore(operand, anchor, dominance, moves))
      return false;
  moves.insert(def);
  return true;
}

struct SlicesThroughReshapesPass
    : public tessera::impl::TesseraSlicesThroughReshapesBase<
          SlicesThroughReshapesPass> {
  void runOnOperation() override {
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation().walk(
        [&](tensor::InsertSliceOp insert) { inserts.push_back(insert); });
    DominanceInfo dominance(getOperation());
    OpBuilder builder(&getContext());
    for (tensor::InsertSliceOp insert : inserts) {
      std::optional<ChainFromEmpty> chain = traceToEmpty(insert.getSource());
      // Without a reshape, eliminate-empty-tensors handles the chain.
      if (!chain || chain->reshapes.empty())
        continue;
      Operation *anchor = chain->emptyUse->getOwner();
      SetVector<Operation *> moves;
      if (!llvm::all_of(insert->getOperands().drop_front(), [&](Value value) {
            return canMakeAvailableBefore(value, anchor, dominance, moves);
          }))
        continue;
      for (Operation *op : moves)
        op->moveBefore(anchor);
      builder.setInsertionPoint(anchor);
      Operation *empty = chain->emptyUse->get().getDefiningOp();
      chain->emptyUse->set(buildStartingPart(builder, insert, chain->reshapes));
      if (empty->use_empty())
        empty->erase();
    }
  }
};

} // namespace
