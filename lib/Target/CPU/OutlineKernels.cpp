//===- OutlineKernels.cpp - kernels with no-alias buffer arguments --------===//
//
// Buffer planning turns every intermediate into a view of one arena
// argument. LLVM then cannot tell a matmul's output row from its inputs
// (all are offsets from the same pointer) and keeps the loops scalar. The
// facts it lacks are known here: the planner gave each buffer its own byte
// range. Each linalg op becomes a kernel function whose arguments say so
// with `noalias`, which the inliner keeps as alias scopes.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAOUTLINEKERNELS
#define GEN_PASS_DEF_TESSERAKERNELNOALIASARGS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kNoAliasArgsAttr = "tessera.noalias_args";

/// Where a buffer's memory lies: inside `root`, within `bytes` when known.
struct BufferOrigin {
  Value root;
  std::optional<std::pair<int64_t, int64_t>> bytes;
};

/// Follows `buffer` through view-like ops to the function argument,
/// allocation or global it is a view of. A `memref.view` with a constant
/// shift and a static shape (what buffer planning emits) bounds the range.
/// Returns no root when the origin is something else (a loop-carried
/// buffer, a call result), which may alias anything.
std::optional<BufferOrigin> traceOrigin(Value buffer) {
  BufferOrigin origin;
  Value current = buffer;
  while (auto view = current.getDefiningOp<ViewLikeOpInterface>()) {
    if (auto byteView = dyn_cast<memref::ViewOp>(view.getOperation())) {
      APInt shift;
      MemRefType type = byteView.getType();
      if (!origin.bytes && type.hasStaticShape() &&
          matchPattern(byteView.getByteShift(), m_ConstantInt(&shift))) {
        int64_t begin = shift.getSExtValue();
        int64_t size =
            type.getNumElements() *
            static_cast<int64_t>(
                llvm::divideCeil(type.getElementTypeBitWidth(), 8));
        origin.bytes = std::make_pair(begin, begin + size);
      }
    }
    current = view.getViewSource();
  }
  auto arg = dyn_cast<BlockArgument>(current);
  bool isFunctionArgument =
      arg && isa<FunctionOpInterface>(arg.getOwner()->getParentOp()) &&
      arg.getOwner()->isEntryBlock();
  bool isAllocation = current.getDefiningOp<memref::AllocOp>() ||
                      current.getDefiningOp<memref::AllocaOp>() ||
                      current.getDefiningOp<memref::GetGlobalOp>();
  if (!isFunctionArgument && !isAllocation)
    return std::nullopt;
  origin.root = current;
  return origin;
}

bool mayOverlap(const std::optional<BufferOrigin> &a,
                const std::optional<BufferOrigin> &b) {
  if (!a || !b)
    return true;
  if (a->root != b->root)
    return false;
  if (!a->bytes || !b->bytes)
    return true;
  return a->bytes->first < b->bytes->second &&
         b->bytes->first < a->bytes->second;
}

/// Whether a buffer `op` writes may overlap another buffer it accesses.
/// The same SSA value used twice is one kernel argument and does not count.
bool writesMayOverlap(linalg::LinalgOp op, ArrayRef<Value> arguments) {
  llvm::SmallDenseMap<Value, std::optional<BufferOrigin>> origins;
  for (Value value : arguments)
    if (isa<MemRefType>(value.getType()))
      origins[value] = traceOrigin(value);
  for (OpOperand &init : op.getDpsInitsMutable()) {
    Value written = init.get();
    if (!isa<MemRefType>(written.getType()))
      continue;
    for (auto &[other, origin] : origins)
      if (other != written && mayOverlap(origins[written], origin))
        return true;
  }
  return false;
}

void outlineKernel(linalg::LinalgOp op, func::FuncOp parent,
                   SymbolTable &symbols, unsigned index) {
  // Constants the body captures are cloned into the kernel; other captured
  // values become arguments after the operands.
  SetVector<Value> arguments(op->getOperands().begin(),
                             op->getOperands().end());
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  SmallVector<Operation *> constants;
  for (Value value : captured) {
    Operation *def = value.getDefiningOp();
    if (def && matchPattern(value, m_Constant()))
      constants.push_back(def);
    else
      arguments.insert(value);
  }

  Location loc = op.getLoc();
  OpBuilder builder(parent->getContext());
  builder.setInsertionPointAfter(parent);
  auto kernel = func::FuncOp::create(
      builder, loc,
      (parent.getSymName() + "_kernel_" + Twine(index)).str(),
      builder.getFunctionType(TypeRange(arguments.getArrayRef()), {}));
  kernel.setPrivate();
  // Internal linkage lets LLVM inline a kernel into its one call site.
  kernel->setAttr("llvm.linkage", LLVM::LinkageAttr::get(
                                      builder.getContext(),
                                      LLVM::Linkage::Internal));
  symbols.insert(kernel);
  if (!writesMayOverlap(op, arguments.getArrayRef()))
    kernel->setAttr(kNoAliasArgsAttr, builder.getUnitAttr());

  Block *entry = kernel.addEntryBlock();
  IRMapping mapping;
  mapping.map(arguments.getArrayRef(), entry->getArguments());
  builder.setInsertionPointToStart(entry);
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  builder.clone(*op, mapping);
  func::ReturnOp::create(builder, loc);

  builder.setInsertionPoint(op);
  func::CallOp::create(builder, loc, kernel, arguments.getArrayRef());
  op->erase();
}

struct OutlineKernelsPass
    : public tessera::cpu::impl::TesseraOutlineKernelsBase<
          OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> parents(module.getOps<func::FuncOp>());
    for (func::FuncOp parent : parents) {
      if (parent.isExternal())
        continue;
      SmallVector<linalg::LinalgOp> ops;
      parent.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
      for (auto [index, op] : llvm::enumerate(ops))
        outlineKernel(op, parent, symbols, index);
    }
  }
};

struct KernelNoAliasArgsPass
    : public tessera::cpu::impl::TesseraKernelNoAliasArgsBase<
          KernelNoAliasArgsPass> {
  void runOnOperation() override {
    getOperation().walk([](LLVM::LLVMFuncOp func) {
      if (!func->removeAttr(kNoAliasArgsAttr))
        return;
      for (auto [index, type] :
           llvm::enumerate(func.getFunctionType().getParams()))
        if (isa<LLVM::LLVMPointerType>(type))
          func.setArgAttr(index, LLVM::LLVMDialect::getNoAliasAttrName(),
                          UnitAttr::get(func.getContext()));
    });
  }
};

} // namespace
