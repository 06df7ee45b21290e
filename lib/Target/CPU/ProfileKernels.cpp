//===- ProfileKernels.cpp - the runtime's per-kernel timing hooks ---------===//
//
// Every package carries the hooks, so that any package can be profiled
// (tessera-run --profile, tessera_context_set_profiling) without compiling
// it again: a hook that finds profiling off costs one call and one
// thread-local load per kernel, a few dozen per run.
//
//===----------------------------------------------------------------------===//

#include "tessera/Codegen/Passes.h"
#include "tessera/Target/CPU/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAPROFILEKERNELS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kKernelDone = "tessera_profile_kernel_done";

/// "conv3x3_winograd" for "tessera_conv3x3_winograd_avx512", a function the
/// runtime defines: the name without its prefix and ISA suffix (a function
/// of another library, libm's, keeps its name).
StringRef getRuntimeFunctionKind(StringRef callee) {
  if (!callee.consume_front("tessera_"))
    return callee;
  for (StringRef isa : {"_avx512", "_avx2"}) {
    size_t at = callee.find(isa);
    if (at != StringRef::npos)
      return callee.take_front(at);
  }
  return callee;
}

/// The kind of the kernel `call` runs: the function it calls when that is
/// external (the runtime's), else the first external function the outlined
/// body calls, or "loops".
std::string getCallKind(func::CallOp call, SymbolTable &symbols) {
  auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
  if (!callee || callee.isExternal())
    return getRuntimeFunctionKind(call.getCallee()).str();
  std::string found;
  callee.walk([&](func::CallOp inner) {
    auto innerCallee = symbols.lookup<func::FuncOp>(inner.getCallee());
    if (innerCallee && !innerCallee.isExternal())
      return WalkResult::advance();
    found = getRuntimeFunctionKind(inner.getCallee()).str();
    return WalkResult::interrupt();
  });
  return found.empty() ? "loops" : found;
}

void collectNodeNames(Location loc, llvm::SetVector<StringRef> &names) {
  if (auto name = dyn_cast<NameLoc>(loc))
    names.insert(name.getName().getValue());
  else if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations())
      collectNodeNames(part, names);
  else if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    collectNodeNames(callSite.getCallee(), names);
}

/// The [kind, node] label of `op`, a kernel of the entry: a call, or a loop
/// whose body calls kernels (a convolution computed in bands of rows); for
/// a loop, the kinds and nodes of its calls, each once, joined with '+'.
/// Null for an op that runs no kernel.
ArrayAttr getKernelLabel(Operation *op, SymbolTable &symbols, Builder &b) {
  SmallVector<std::string> kinds;
  llvm::SetVector<StringRef> nodes;
  op->walk([&](func::CallOp call) {
    if (call.getCallee() == kKernelDone)
      return;
    std::string kind = getCallKind(call, symbols);
    if (!llvm::is_contained(kinds, kind))
      kinds.push_back(kind);
    collectNodeNames(call.getLoc(), nodes);
  });
  if (kinds.empty())
    return nullptr;
  collectNodeNames(op->getLoc(), nodes);
  return b.getStrArrayAttr({llvm::join(kinds, "+"), llvm::join(nodes, "+")});
}

struct ProfileKernelsPass
    : public tessera::cpu::impl::TesseraProfileKernelsBase<ProfileKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module->hasAttr(tessera::kKernelLabelsAttr))
      return;
    SymbolTable symbols(module);
    OpBuilder builder(&getContext());
    SmallVector<Attribute> labels;
    func::FuncOp kernelDone;
    for (auto entry : module.getOps<func::FuncOp>()) {
      if (entry.isPrivate() || entry.isExternal())
        continue;
      // Early increment: the hook inserted after an op is not visited.
      for (Operation &op :
           llvm::make_early_inc_range(entry.getBody().front())) {
        ArrayAttr label = getKernelLabel(&op, symbols, builder);
        if (!label)
          continue;
        if (!kernelDone)
          kernelDone = tessera::cpu::getOrDeclareRuntimeFunction(
              module, kKernelDone,
              builder.getFunctionType({builder.getI32Type()}, {}));
        builder.setInsertionPointAfter(&op);
        Value index = arith::ConstantIntOp::create(
            builder, op.getLoc(), builder.getI32Type(),
            static_cast<int64_t>(labels.size()));
        func::CallOp::create(builder, op.getLoc(), kernelDone, index);
        labels.push_back(label);
      }
    }
    module->setAttr(tessera::kKernelLabelsAttr, builder.getArrayAttr(labels));
  }
};

} // namespace
