//===- DispatchParallelKernels.cpp - kernels on the runtime's threads -----===//
//
// tessera_parallel_for takes one function signature for every kernel, so
// each parallel kernel gets a task function that unpacks its arguments from
// a struct, and each call site packs them. This runs on the LLVM dialect,
// where every argument is a scalar or a pointer (memref descriptors are
// already expanded), so any kernel's arguments fit one flat struct.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERADISPATCHPARALLELKERNELS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;
using mlir::tessera::cpu::kParallelKernelAttr;

namespace {

constexpr llvm::StringLiteral kParallelFor = "tessera_parallel_for";

/// `kernel`'s arguments without the trailing begin and end, as a struct.
LLVM::LLVMStructType packedArgumentsType(LLVM::LLVMFuncOp kernel) {
  ArrayRef<Type> params = kernel.getFunctionType().getParams();
  return LLVM::LLVMStructType::getLiteral(kernel.getContext(),
                                          params.drop_back(2));
}

/// NAME_task(ptr args, i64 begin, i64 end): kernel(*args..., begin, end).
LLVM::LLVMFuncOp createTask(OpBuilder &builder, LLVM::LLVMFuncOp kernel,
                            SymbolTable &symbols) {
  MLIRContext *context = kernel.getContext();
  Location loc = kernel.getLoc();
  auto pointer = LLVM::LLVMPointerType::get(context);
  auto i64 = builder.getI64Type();
  builder.setInsertionPointAfter(kernel);
  auto task = LLVM::LLVMFuncOp::create(
      builder, loc, (kernel.getSymName() + "_task").str(),
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                  {pointer, i64, i64}),
      LLVM::Linkage::Internal);
  symbols.insert(task);
  Block *entry = task.addEntryBlock(builder);
  builder.setInsertionPointToStart(entry);
  LLVM::LLVMStructType packed = packedArgumentsType(kernel);
  SmallVector<Value> arguments;
  for (auto [index, type] : llvm::enumerate(packed.getBody())) {
    Value field = LLVM::GEPOp::create(
        builder, loc, pointer, packed, entry->getArgument(0),
        ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
    arguments.push_back(LLVM::LoadOp::create(builder, loc, type, field));
  }
  arguments.push_back(entry->getArgument(1));
  arguments.push_back(entry->getArgument(2));
  LLVM::CallOp::create(builder, loc, kernel, arguments);
  LLVM::ReturnOp::create(builder, loc, ValueRange());
  return task;
}

LLVM::LLVMFuncOp getOrDeclareParallelFor(OpBuilder &builder, ModuleOp module) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(kParallelFor))
    return existing;
  MLIRContext *context = module.getContext();
  auto pointer = LLVM::LLVMPointerType::get(context);
  builder.setInsertionPointToStart(module.getBody());
  return LLVM::LLVMFuncOp::create(
      builder, module.getLoc(), kParallelFor,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                  {pointer, pointer, builder.getI64Type()}));
}

/// Replaces `call` (kernel(args..., 0, extent)) by packing the arguments
/// into a stack struct and calling tessera_parallel_for.
void dispatch(OpBuilder &builder, LLVM::CallOp call, LLVM::LLVMFuncOp kernel,
              LLVM::LLVMFuncOp task, LLVM::LLVMFuncOp parallelFor) {
  Location loc = call.getLoc();
  auto pointer = LLVM::LLVMPointerType::get(call.getContext());
  LLVM::LLVMStructType packed = packedArgumentsType(kernel);
  // In the entry block, so that a call inside a loop does not grow the stack.
  auto parent = call->getParentOfType<LLVM::LLVMFuncOp>();
  builder.setInsertionPointToStart(&parent.getBody().front());
  Value one = LLVM::ConstantOp::create(builder, loc, builder.getI64Type(),
                                       builder.getI64IntegerAttr(1));
  Value storage = LLVM::AllocaOp::create(builder, loc, pointer, packed, one);

  builder.setInsertionPoint(call);
  ValueRange operands = call.getArgOperands();
  for (auto [index, value] : llvm::enumerate(operands.drop_back(2))) {
    Value field = LLVM::GEPOp::create(
        builder, loc, pointer, packed, storage,
        ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
    LLVM::StoreOp::create(builder, loc, value, field);
  }
  Value taskAddress = LLVM::AddressOfOp::create(builder, loc, task);
  LLVM::CallOp::create(builder, loc, parallelFor,
                       ValueRange{taskAddress, storage, operands.back()});
  call->erase();
}

struct DispatchParallelKernelsPass
    : public tessera::cpu::impl::TesseraDispatchParallelKernelsBase<
          DispatchParallelKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    OpBuilder builder(&getContext());
    llvm::DenseMap<StringAttr, std::pair<LLVM::LLVMFuncOp, LLVM::LLVMFuncOp>>
        tasks;
    for (auto kernel :
         llvm::make_early_inc_range(module.getOps<LLVM::LLVMFuncOp>())) {
      if (!kernel->removeAttr(kParallelKernelAttr))
        continue;
      if (kernel.getNumArguments() < 2) {
        kernel.emitError("a parallel kernel needs begin and end arguments");
        return signalPassFailure();
      }
      tasks[kernel.getSymNameAttr()] = {kernel,
                                        createTask(builder, kernel, symbols)};
    }
    if (tasks.empty())
      return;
    LLVM::LLVMFuncOp parallelFor = getOrDeclareParallelFor(builder, module);
    SmallVector<LLVM::CallOp> calls;
    module.walk([&](LLVM::CallOp call) {
      if (auto callee = call.getCalleeAttr())
        if (tasks.contains(callee.getAttr()) &&
            call->getParentOfType<LLVM::LLVMFuncOp>().getSymName() !=
                (callee.getValue() + "_task").str())
          calls.push_back(call);
    });
    for (LLVM::CallOp call : calls) {
      auto [kernel, task] = tasks[call.getCalleeAttr().getAttr()];
      dispatch(builder, call, kernel, task, parallelFor);
    }
  }
};

} // namespace
