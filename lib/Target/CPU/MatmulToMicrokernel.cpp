//===- MatmulToMicrokernel.cpp - matrix products on the micro-kernel ------===//
//
// LLVM's vectorizer on the (m, k, n) loop nest reaches about a third of the
// FMA peak: it reloads and stores C on every k. The runtime's micro-kernel
// keeps a register block of C over a whole k block (lib/Runtime/Gemm.c).
// This pass finds the matrix products among the kernels' generics and hands
// their operands to it as pointers and strides. A product that starts from
// a zero fill of its output (outlined into its kernel just before it) has
// the micro-kernel overwrite the output instead: one pass over C fewer. A
// product followed in its kernel by an in-place bias / residual add and
// clamp (tessera-fuse-product-epilogues and tessera-outline-kernels put
// it there) has the micro-kernel apply them to each block of C as it
// completes it: one more pass fewer.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAMATMULTOMICROKERNEL
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

using tessera::cpu::MatmulLoops;

namespace {

/// Dim positions of `map`'s results, or nothing if any is not a plain dim.
std::optional<SmallVector<unsigned>> dimPositions(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr expr : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return std::nullopt;
    dims.push_back(dim.getPosition());
  }
  return dims;
}

/// Whether the body is `yield out + a * b` (either operand order) in f32.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 3 || yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || !add.getType().isF32())
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1),
        out = body.getArgument(2);
  auto matches = [&](Value product, Value accumulator) {
    auto mul = product.getDefiningOp<arith::MulFOp>();
    return mul && accumulator == out &&
           ((mul.getLhs() == a && mul.getRhs() == b) ||
            (mul.getLhs() == b && mul.getRhs() == a));
  };
  return matches(add.getLhs(), add.getRhs()) ||
         matches(add.getRhs(), add.getLhs());
}

/// Whether `value` is a memref whose last dimension has unit stride.
bool hasContiguousRows(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || type.getRank() < 2 || !type.getElementType().isF32())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

} // namespace

std::optional<MatmulLoops> tessera::cpu::matchMatmul(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 1 ||
      !isMultiplyAccumulate(op))
    return std::nullopt;
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  if (!hasContiguousRows(a) || !hasContiguousRows(b) || !hasContiguousRows(c))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto aDims = dimPositions(maps[0]), bDims = dimPositions(maps[1]),
       cDims = dimPositions(maps[2]);
  if (!aDims || !bDims || !cDims || cDims->size() < 2 || cDims->size() > 3)
    return std::nullopt;
  MatmulLoops loops;
  loops.m = (*cDims)[cDims->size() - 2];
  loops.n = cDims->back();
  if (cDims->size() == 3)
    loops.batch = cDims->front();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto reduction = llvm::find(iterators, utils::IteratorType::reduction);
  loops.k = static_cast<unsigned>(reduction - iterators.begin());
  if (iterators.size() != cDims->size() + 1)
    return std::nullopt;
  // A is ([batch,] m, k) and B ([batch,] k, n).
  auto operandMatches = [&](ArrayRef<unsigned> dims, unsigned row,
                            unsigned col, bool &hasBatch) {
    hasBatch = dims.size() == 3;
    if (dims.size() < 2 || dims.size() > 3 || (hasBatch && !loops.batch) ||
        (hasBatch && dims.front() != *loops.batch))
      return false;
    return dims[dims.size() - 2] == row && dims.back() == col;
  };
  if (!operandMatches(*aDims, loops.m, loops.k, loops.aHasBatch) ||
      !operandMatches(*bDims, loops.k, loops.n, loops.bHasBatch))
    return std::nullopt;
  return loops;
}

namespace {

func::FuncOp getOrDeclareMicrokernel(ModuleOp module, StringRef name,
                                     bool withEpilogue) {
  Builder builder(module.getContext());
  Type i64 = builder.getI64Type(), f32 = builder.getF32Type();
  Type pointer = LLVM::LLVMPointerType::get(module.getContext());
  SmallVector<Type> params = {i64, i64, i64, i64, pointer, i64, i64,
                              pointer, i64, i64, pointer, i64, i64, i64};
  if (withEpilogue)
    params.append({pointer, i64, i64, i64, pointer, i64, i64, i64, f32, f32});
  return tessera::cpu::getOrDeclareRuntimeFunction(
      module, name, builder.getFunctionType(params, {}));
}

/// The operand's data pointer, its batch stride (0 without a batch
/// dimension) and its row stride, in elements.
struct OperandView {
  Value pointer, batchStride, rowStride;
};

OperandView describe(OpBuilder &builder, Location loc, Value buffer,
                     bool hasBatch) {
  auto metadata = memref::ExtractStridedMetadataOp::create(builder, loc, buffer);
  Type i64 = builder.getI64Type();
  auto toI64 = [&](Value index) -> Value {
    return arith::IndexCastOp::create(builder, loc, i64, index);
  };
  OperandView view;
  view.pointer = tessera::cpu::getElementPointer(builder, loc, buffer);
  auto strides = metadata.getStrides();
  view.rowStride = toI64(strides[strides.size() - 2]);
  view.batchStride =
      hasBatch ? toI64(strides.front())
               : arith::ConstantIntOp::create(builder, loc, i64, 0).getResult();
  return view;
}

/// TESSERA_SGEMM_OVERWRITE in tessera_package_abi.h.
constexpr int64_t kOverwriteOutput = 1;

/// The epilogue's call arguments: per addend slot, its pointer (null when
/// unused) and its batch, row and column strides, then the bounds.
SmallVector<Value> describeEpilogue(OpBuilder &builder, Location loc,
                                    const tessera::cpu::KernelEpilogue &epilogue,
                                    const MatmulLoops &loops) {
  Type i64 = builder.getI64Type();
  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIntOp::create(builder, loc, i64, value);
  };
  linalg::GenericOp op = epilogue.op;
  unsigned rank = op.getNumLoops();
  SmallVector<Value> arguments;
  for (unsigned slot = 0; slot < 2; ++slot) {
    if (slot >= epilogue.addends.size()) {
      arguments.push_back(LLVM::ZeroOp::create(
          builder, loc, LLVM::LLVMPointerType::get(builder.getContext())));
      arguments.append({constant(0), constant(0), constant(0)});
      continue;
    }
    OpOperand *addend = epilogue.addends[slot];
    Value buffer = addend->get();
    auto metadata =
        memref::ExtractStridedMetadataOp::create(builder, loc, buffer);
    AffineMap map = op.getMatchingIndexingMap(addend);
    // The addend's stride along the output's dimension `loop`.
    auto strideAlong = [&](unsigned loop) {
      return tessera::cpu::getStrideAlongLoop(builder, loc, map,
                                              metadata.getStrides(), loop);
    };
    arguments.push_back(tessera::cpu::getElementPointer(builder, loc, buffer));
    arguments.push_back(loops.batch ? strideAlong(0) : constant(0));
    arguments.push_back(strideAlong(rank - 2));
    arguments.push_back(map.isFunctionOfDim(rank - 1) ? constant(1)
                                                       : constant(0));
  }
  arguments.push_back(arith::ConstantFloatOp::create(
      builder, loc, builder.getF32Type(), APFloat(epilogue.lower)));
  arguments.push_back(arith::ConstantFloatOp::create(
      builder, loc, builder.getF32Type(), APFloat(epilogue.upper)));
  return arguments;
}

void replaceWithCall(linalg::GenericOp op, const MatmulLoops &loops,
                     func::FuncOp microkernel,
                     const std::optional<tessera::cpu::KernelEpilogue> &epilogue) {
  // The epilogue's operands may be defined after the product.
  linalg::GenericOp callSite = epilogue ? epilogue->op : op;
  OpBuilder builder(callSite);
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  Type i64 = builder.getI64Type();
  auto dimOf = [&](Value buffer, int64_t position) -> Value {
    Value size = memref::DimOp::create(builder, loc, buffer, position);
    return arith::IndexCastOp::create(builder, loc, i64, size);
  };
  int64_t cRank = cast<MemRefType>(c.getType()).getRank();
  int64_t aRank = cast<MemRefType>(a.getType()).getRank();
  Value batch = loops.batch ? dimOf(c, 0)
                            : arith::ConstantIntOp::create(builder, loc, i64, 1)
                                  .getResult();
  Value m = dimOf(c, cRank - 2), n = dimOf(c, cRank - 1),
        k = dimOf(a, aRank - 1);
  OperandView av = describe(builder, loc, a, loops.aHasBatch);
  OperandView bv = describe(builder, loc, b, loops.bHasBatch);
  OperandView cv = describe(builder, loc, c, loops.batch.has_value());
  // The micro-kernel's sums start from +0 and never become -0, so
  // overwriting C gives the same bits as adding them to a zero fill.
  linalg::FillOp fill = tessera::cpu::getZeroFillOfOutput(op);
  Value flags = arith::ConstantIntOp::create(builder, loc, i64,
                                             fill ? kOverwriteOutput : 0);
  SmallVector<Value> arguments = {
      batch,        m,           n,          k,          av.pointer,
      av.batchStride, av.rowStride, bv.pointer, bv.batchStride, bv.rowStride,
      cv.pointer,   cv.batchStride, cv.rowStride, flags};
  if (epilogue)
    arguments.append(describeEpilogue(builder, loc, *epilogue, loops));
  func::CallOp::create(builder, loc, microkernel, arguments);
  op->erase();
  if (fill)
    fill->erase();
  if (epilogue)
    epilogue->op->erase();
}

struct MatmulToMicrokernelPass
    : public tessera::cpu::impl::TesseraMatmulToMicrokernelBase<
          MatmulToMicrokernelPass> {
  using Base::Base;

  void runOnOperation() override {
    if (isa == "none")
      return;
    if (failed(tessera::cpu::checkKernelIsa(getOperation(), getArgument(),
                                            isa)))
      return signalPassFailure();
    ModuleOp module = getOperation();
    SmallVector<std::pair<linalg::GenericOp, MatmulLoops>> matches;
    module.walk([&](linalg::GenericOp op) {
      if (std::optional<MatmulLoops> loops = tessera::cpu::matchMatmul(op))
        matches.emplace_back(op, *loops);
    });
    for (auto &[op, loops] : matches) {
      std::optional<tessera::cpu::KernelEpilogue> epilogue =
          tessera::cpu::matchKernelEpilogue(op);
      func::FuncOp microkernel = getOrDeclareMicrokernel(
          module,
          (epilogue ? "tessera_sgemm_fused_" : "tessera_sgemm_") + isa,
          epilogue.has_value());
      replaceWithCall(op, loops, microkernel, epilogue);
    }
  }
};

} // namespace
