//===- PlanBuffers.cpp - arena planning and heap buffer lifetimes ---------===//

#include "tessera/Codegen/Passes.h"
#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAPLANBUFFERS
#include "tessera/Codegen/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t begin = 0; // position of the alloc in the entry block
  int64_t end = 0;   // position of the last entry-block op using it
  Operation *last = nullptr;
  int64_t bytes = 0;
  int64_t offset = -1;
  bool returned = false;
};

/// The op in `block` that contains `op` (itself or an ancestor).
Operation *getEntryBlockAncestor(Operation *op, Block &block) {
  while (op && op->getBlock() != &block)
    op = op->getParentOp();
  return op;
}

/// Every value that aliases `root` through view-like ops.
SmallVector<Value> collectAliases(Value root) {
  SmallVector<Value> aliases = {root};
  for (size_t i = 0; i < aliases.size(); ++i)
    for (OpOperand &use : aliases[i].getUses())
      if (auto view = dyn_cast<ViewLikeOpInterface>(use.getOwner()))
        if (view.getViewSource() == aliases[i])
          for (Value result : view->getResults())
            aliases.push_back(result);
  return aliases;
}

/// The ops that use a buffer's address taken as an integer
/// (memref.extract_aligned_pointer_as_index of one of its `aliases`, as
/// calls into the runtime pass buffers), through everything computed from
/// it: the buffer must stay live until the last of them, not just the
/// extraction.
SmallVector<Operation *> collectAddressUsers(ArrayRef<Value> aliases) {
  SmallVector<Operation *> users;
  SmallVector<Value> worklist;
  llvm::SmallPtrSet<Operation *, 8> seen;
  for (Value alias : aliases)
    for (Operation *user : alias.getUsers())
      if (isa<memref::ExtractAlignedPointerAsIndexOp>(user))
        worklist.push_back(user->getResult(0));
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (!seen.insert(user).second)
        continue;
      users.push_back(user);
      llvm::append_range(worklist, user->getResults());
    }
  }
  return users;
}

struct PlanBuffersPass
    : public tessera::impl::TesseraPlanBuffersBase<PlanBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    llvm::DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(entry))
      position[&op] = static_cast<int64_t>(i);

    SmallVector<Buffer> buffers;
    WalkResult walk = func.walk([&](memref::AllocOp alloc) {
      if (alloc->getBlock() != &entry) {
        alloc.emitError("tessera-plan-buffers: allocation outside the entry "
                        "block is not supported");
        return WalkResult::interrupt();
      }
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.begin = buffer.end = position[alloc];
      auto extendTo = [&](Operation *op) {
        Operation *user = getEntryBlockAncestor(op, entry);
        if (user && position[user] >= buffer.end) {
          buffer.end = position[user];
          buffer.last = user;
        }
      };
      SmallVector<Value> aliases = collectAliases(alloc.getResult());
      for (Value alias : aliases) {
        for (OpOperand &use : alias.getUses()) {
          if (isa<func::ReturnOp>(use.getOwner()))
            buffer.returned = true;
          if (isa<memref::DeallocOp>(use.getOwner()))
            continue;
          extendTo(use.getOwner());
        }
      }
      for (Operation *user : collectAddressUsers(aliases))
        extendTo(user);
      MemRefType type = alloc.getType();
      if (type.hasStaticShape()) {
        // i1 is stored as one byte per element; index as 8.
        buffer.bytes = type.getNumElements() *
                       std::max<int64_t>(1, getElementByteSize(type.getElementType()));
      }
      buffers.push_back(buffer);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    // Arena placement: largest first, lowest aligned offset free across the
    // buffer's live range.
    SmallVector<Buffer *> planned;
    for (Buffer &buffer : buffers)
      if (!buffer.returned && buffer.alloc.getType().hasStaticShape() &&
          buffer.alloc.getType().getLayout().isIdentity())
        planned.push_back(&buffer);
    llvm::stable_sort(planned, [](Buffer *a, Buffer *b) {
      return a->bytes > b->bytes;
    });
    SmallVector<Buffer *> placed;
    int64_t arenaSize = 0;
    for (Buffer *buffer : planned) {
      SmallVector<std::pair<int64_t, int64_t>> busy;
      for (Buffer *other : placed)
        if (other->begin <= buffer->end && buffer->begin <= other->end)
          busy.push_back({other->offset, other->offset + other->bytes});
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + buffer->bytes <= lo)
          break;
        offset = std::max<int64_t>(offset, llvm::alignTo(hi, kBufferAlignment));
      }
      buffer->offset = offset;
      arenaSize = std::max(arenaSize, offset + buffer->bytes);
      placed.push_back(buffer);
    }

    MLIRContext *ctx = &getContext();
    OpBuilder builder(ctx);
    auto arenaType = MemRefType::get({ShapedType::kDynamic}, builder.getI8Type());
    unsigned index = std::min<unsigned>(arenaArgIndex, func.getNumArguments());
    if (failed(func.insertArgument(index, arenaType, {}, func.getLoc())))
      return signalPassFailure();
    Value arena = func.getArgument(index);

    for (Buffer &buffer : buffers) {
      memref::AllocOp alloc = buffer.alloc;
      if (buffer.offset >= 0) {
        builder.setInsertionPoint(alloc);
        Value offset =
            arith::ConstantIndexOp::create(builder, alloc.getLoc(), buffer.offset);
        Value view = memref::ViewOp::create(builder, alloc.getLoc(),
                                            alloc.getType(), arena, offset,
                                            ValueRange{});
        for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
          if (isa<memref::DeallocOp>(user))
            user->erase();
        alloc.replaceAllUsesWith(view);
        alloc.erase();
        continue;
      }
      if (buffer.returned)
        continue;
      // A heap buffer: freed right after its last use, unless something
      // already frees it.
      bool freed = llvm::any_of(alloc->getUsers(), [](Operation *user) {
        return isa<memref::DeallocOp>(user);
      });
      if (freed)
        continue;
      Operation *last = buffer.last ? buffer.last : alloc.getOperation();
      if (last->hasTrait<OpTrait::IsTerminator>())
        builder.setInsertionPoint(last);
      else
        builder.setInsertionPointAfter(last);
      memref::DeallocOp::create(builder, alloc.getLoc(), alloc);
    }
    func->setAttr(kArenaSizeAttr, builder.getI64IntegerAttr(arenaSize));
  }
};
} // namespace
