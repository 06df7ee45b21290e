//===- FuseDirectConvMaxPool.cpp - a stem and its pool in one call --------===//
//
// A network's stem (a direct convolution, lib/Runtime/DirectConv.c) is
// usually followed by a max pool that is the only reader of its output.
// That output is the largest buffer of the network (64 x 111 x 111 for
// SqueezeNet, 3 MiB), written through memory and read back at once; the
// runtime's fused kernel keeps the rows each pooled row needs in L2
// instead. Both calls already exist here (tessera-max-pool-to-microkernel
// and tessera-conv-to-microkernel made them), so the match is on the
// calls and the buffer between them.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAFUSEDIRECTCONVMAXPOOL
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kDirectPrefix = "tessera_conv2d_direct_";
constexpr llvm::StringLiteral kPoolPrefix = "tessera_max_pool2d_";
constexpr llvm::StringLiteral kFusedPrefix =
    "tessera_conv2d_direct_max_pool2d_";

// Argument positions (tessera_package_abi.h).
// TESSERA_DIRECT_CONV2D_PARAMETERS: TESSERA_DIRECT_CONV2D_INPUT_PARAMETERS
// (channels .. weights), then the output (pointer, channel and row
// strides, height, width), addends, bounds.
constexpr unsigned kDirectFilters = 1, kDirectWeights = 13, kDirectOutput = 14,
                   kDirectOutputHeight = 17, kDirectOutputWidth = 18,
                   kDirectAddends = 19, kDirectArguments = 29;
// TESSERA_MAX_POOL2D_PARAMETERS.
constexpr unsigned kPoolBatch = 0, kPoolInput = 2, kPoolKernelHeight = 8,
                   kPoolKernelWidth = 9, kPoolOutput = 10,
                   kPoolOutputChannelStride = 12, kPoolOutputRowStride = 13,
                   kPoolOutputHeight = 14, kPoolOutputWidth = 15,
                   kPoolStrideHeight = 16, kPoolStrideWidth = 17,
                   kPoolPadTop = 18, kPoolPadLeft = 19, kPoolPadValue = 20,
                   kPoolLower = 21, kPoolUpper = 22, kPoolArguments = 23;

/// The instruction set of `callee` when it is `prefix`<isa>, or "".
StringRef getIsa(StringRef callee, StringRef prefix) {
  if (!callee.consume_front(prefix) || (callee != "avx512" && callee != "avx2"))
    return "";
  return callee;
}

/// Whether everything derived from `buffer` (its metadata, the pointers,
/// strides and sizes made from it) ends in `first` or `second`, or frees
/// it.
bool onlyCallsUse(Value buffer, Operation *first, Operation *second) {
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (user == first || user == second)
        continue;
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user);
          dealloc && dealloc.getMemref() == buffer)
        continue;
      // What getElementPointer and the calls' strides and sizes are made
      // of; anything else (a return, a view, another reader) keeps the
      // buffer.
      if (!isa<memref::ExtractStridedMetadataOp,
               memref::ExtractAlignedPointerAsIndexOp, memref::DimOp,
               arith::IndexCastOp, arith::MulIOp, arith::AddIOp,
               LLVM::IntToPtrOp>(user))
        return false;
      llvm::append_range(worklist, user->getResults());
    }
  }
  return true;
}

/// Erases the ops of `ops` that nothing uses any more (deallocations
/// too), until none is left to erase: users go before the ops they use.
void eraseUnused(SetVector<Operation *> ops) {
  for (bool erased = true; erased;) {
    erased = false;
    for (Operation *op : llvm::make_early_inc_range(ops))
      if (isa<memref::DeallocOp>(op) || isOpTriviallyDead(op)) {
        ops.remove(op);
        op->erase();
        erased = true;
      }
  }
}

/// The ops that made `call`'s operands, and those derived from `buffer`
/// (its metadata, some of which nothing used before either): what the
/// erased calls alone used (see onlyCallsUse), with the buffer itself.
SetVector<Operation *> getDefinitionsOf(ValueRange operands, Value buffer) {
  SetVector<Operation *> ops;
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty())
    for (Operation *user : worklist.pop_back_val().getUsers())
      if (ops.insert(user))
        llvm::append_range(worklist, user->getResults());
  SmallVector<Value> defined(operands);
  while (!defined.empty())
    if (Operation *def = defined.pop_back_val().getDefiningOp();
        def && ops.insert(def))
      llvm::append_range(defined, def->getOperands());
  if (Operation *allocation = buffer.getDefiningOp())
    ops.insert(allocation);
  return ops;
}

/// Whether a pool's batch is 1: a constant, or the batch of its output
/// buffer (`output`, its pointer argument), static.
bool isOneImage(Value batch, Value output) {
  if (matchPattern(batch, m_One()))
    return true;
  Value buffer = tessera::cpu::getBufferOfElementPointer(output);
  auto type = buffer ? dyn_cast<MemRefType>(buffer.getType()) : MemRefType();
  return type && type.getRank() == 4 && type.getDimSize(0) == 1;
}

/// Whether `buffer` is one dense image that `direct` writes whole: the
/// pool's call reads it with its own metadata, which the fused call
/// replaces by the convolution's filters and output size.
bool isWholeOutput(Value buffer, func::CallOp direct) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || type.getRank() != 4 || !type.hasStaticShape() ||
      !type.getLayout().isIdentity() || type.getDimSize(0) != 1)
    return false;
  std::optional<int64_t> filters =
      getConstantIntValue(direct.getOperand(kDirectFilters));
  std::optional<int64_t> height =
      getConstantIntValue(direct.getOperand(kDirectOutputHeight));
  std::optional<int64_t> width =
      getConstantIntValue(direct.getOperand(kDirectOutputWidth));
  return filters == type.getDimSize(1) && height == type.getDimSize(2) &&
         width == type.getDimSize(3);
}

/// The pool call that is the only reader of `direct`'s output, when the
/// two can be one call.
func::CallOp matchPool(func::CallOp direct, StringRef isa) {
  Value output =
      tessera::cpu::getBufferOfElementPointer(direct.getOperand(kDirectOutput));
  if (!output || !output.getDefiningOp<memref::AllocOp>() ||
      !isWholeOutput(output, direct))
    return func::CallOp();
  func::CallOp pool;
  for (Operation *op = direct->getNextNode(); op; op = op->getNextNode()) {
    auto call = dyn_cast<func::CallOp>(op);
    if (call && getIsa(call.getCallee(), kPoolPrefix) == isa &&
        call.getNumOperands() == kPoolArguments &&
        tessera::cpu::getBufferOfElementPointer(call.getOperand(kPoolInput)) ==
            output) {
      pool = call;
      break;
    }
    // The fused call runs in the pool's place: nothing in between may
    // write what the convolution reads.
    if (tessera::cpu::mayWriteMemory(op))
      return func::CallOp();
  }
  if (!pool ||
      !isOneImage(pool.getOperand(kPoolBatch), pool.getOperand(kPoolOutput)) ||
      !onlyCallsUse(output, direct, pool))
    return func::CallOp();
  return pool;
}

struct FuseDirectConvMaxPoolPass
    : public tessera::cpu::impl::TesseraFuseDirectConvMaxPoolBase<
          FuseDirectConvMaxPoolPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::CallOp> directs;
    module.walk([&](func::CallOp call) {
      if (!getIsa(call.getCallee(), kDirectPrefix).empty() &&
          call.getNumOperands() == kDirectArguments)
        directs.push_back(call);
    });
    for (func::CallOp direct : directs) {
      StringRef instructionSet = getIsa(direct.getCallee(), kDirectPrefix);
      func::CallOp pool = matchPool(direct, instructionSet);
      if (!pool)
        continue;
      // TESSERA_DIRECT_CONV2D_MAX_POOL2D_PARAMETERS.
      SmallVector<Value> arguments(
          direct.getOperands().take_front(kDirectWeights + 1));
      arguments.append({direct.getOperand(kDirectOutputHeight),
                        direct.getOperand(kDirectOutputWidth)});
      llvm::append_range(arguments,
                         direct.getOperands().drop_front(kDirectAddends));
      for (unsigned position :
           {kPoolKernelHeight, kPoolKernelWidth, kPoolStrideHeight,
            kPoolStrideWidth, kPoolPadTop, kPoolPadLeft, kPoolPadValue,
            kPoolOutput, kPoolOutputChannelStride, kPoolOutputRowStride,
            kPoolOutputHeight, kPoolOutputWidth, kPoolLower, kPoolUpper})
        arguments.push_back(pool.getOperand(position));
      OpBuilder builder(pool);
      func::FuncOp fused = tessera::cpu::getOrDeclareRuntimeFunction(
          module, (kFusedPrefix + instructionSet).str(),
          builder.getFunctionType(ValueRange(arguments).getTypes(), {}));
      // Both nodes' names, for the kernel profile's label.
      func::CallOp::create(
          builder,
          builder.getFusedLoc({direct.getLoc(), pool.getLoc()}), fused,
          arguments);
      Value output = tessera::cpu::getBufferOfElementPointer(
          direct.getOperand(kDirectOutput));
      SmallVector<Value> operands(direct.getOperands());
      llvm::append_range(operands, pool.getOperands());
      SetVector<Operation *> definitions = getDefinitionsOf(operands, output);
      definitions.remove(direct);
      definitions.remove(pool);
      direct->erase();
      pool->erase();
      eraseUnused(std::move(definitions));
    }
    // Declarations left without calls.
    for (func::FuncOp function :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (function.isDeclaration() &&
          (!getIsa(function.getSymName(), kDirectPrefix).empty() ||
           !getIsa(function.getSymName(), kPoolPrefix).empty()) &&
          SymbolTable::symbolKnownUseEmpty(function, module))
        function.erase();
  }
};

} // namespace
