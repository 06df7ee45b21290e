//===- FuseProductEpilogues.cpp - a product's consumer onto its output ----===//
//
// A convolution's or Gemm's bias, residual add and activation reach the
// CPU target as one elementwise op right after the matrix product (fusion
// groups them; the product stays an op of its own), usually in place on
// the product's output but through reshapes of it and over collapsed
// loops. As it is, it becomes a kernel of its own that reads the whole
// output back from memory, behind one more fork and join of the thread
// pool. Rewritten onto the product's output view and output loops, it
// goes into the product's kernel on the same thread's slice
// (tessera-outline-kernels), where tessera-matmul-to-microkernel applies
// it to each block of C while the block is in cache.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAFUSEPRODUCTEPILOGUES
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

/// `buffer` with reshapes (which keep the buffer's elements in their
/// row-major order, whatever its strides) looked through.
Value getReshapeSource(Value buffer) {
  while (true) {
    if (auto collapse = buffer.getDefiningOp<memref::CollapseShapeOp>())
      buffer = collapse.getSrc();
    else if (auto expand = buffer.getDefiningOp<memref::ExpandShapeOp>())
      buffer = expand.getSrc();
    else
      return buffer;
  }
}

/// `buffer` with every view looked through, but for `memref.view`: buffer
/// planning's views of the arena at distinct offsets are distinct buffers.
Value getViewRoot(Value buffer) {
  while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>()) {
    if (isa<memref::ViewOp>(view.getOperation()))
      break;
    buffer = view.getViewSource();
  }
  return buffer;
}

bool hasStaticShape(Value buffer) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  return type && type.hasStaticShape();
}

/// Whether `a` and `b` are the same elements in the same order: reshapes of
/// one buffer, which may be a strided part of another (a Concat operand
/// computed in place).
bool isSameElements(Value a, Value b) {
  return hasStaticShape(a) && hasStaticShape(b) &&
         getReshapeSource(a) == getReshapeSource(b) &&
         cast<MemRefType>(a.getType()).getNumElements() ==
             cast<MemRefType>(b.getType()).getNumElements();
}

/// The positions of the extents other than 1.
SmallVector<unsigned> getNonUnitDims(ArrayRef<int64_t> shape) {
  SmallVector<unsigned> dims;
  for (auto [position, extent] : llvm::enumerate(shape))
    if (extent != 1)
      dims.push_back(position);
  return dims;
}

/// For each loop of an epilogue with extents `loops`, the dimension of the
/// product's output it runs over (none for a unit loop), or nothing when the
/// extents do not match the output's. Consecutive loops whose extents
/// multiply to one output dimension run over it together: an epilogue on a
/// strided part of a Concat keeps the 55x55 rows that unit-dim dropping
/// could not collapse for it.
std::optional<SmallVector<std::optional<unsigned>>>
matchLoopsToOutput(ArrayRef<int64_t> loops, ArrayRef<int64_t> outputShape) {
  SmallVector<unsigned> outputDims = getNonUnitDims(outputShape);
  SmallVector<std::optional<unsigned>> dims;
  size_t next = 0;
  int64_t covered = 1;
  for (int64_t extent : loops) {
    if (extent <= 0)
      return std::nullopt;
    if (extent == 1) {
      dims.push_back(std::nullopt);
      continue;
    }
    if (next == outputDims.size())
      return std::nullopt;
    int64_t outputExtent = outputShape[outputDims[next]];
    covered *= extent;
    if (outputExtent % covered != 0)
      return std::nullopt;
    dims.push_back(outputDims[next]);
    if (covered == outputExtent) {
      ++next;
      covered = 1;
    }
  }
  if (next != outputDims.size())
    return std::nullopt;
  return dims;
}

/// The matrix product `op` is an epilogue of, and where it writes.
struct ProductSite {
  linalg::GenericOp product;
  /// The whole output the product writes (in blocks, in a loop).
  Value output;
  /// For a product in a loop: the loop, and the block one iteration
  /// writes (a subview of `output`).
  scf::ForOp loop;
  memref::SubViewOp block;
  /// Per loop of the epilogue, the output dimension it runs over (none for
  /// a unit loop), from matchLoopsToOutput.
  SmallVector<std::optional<unsigned>> loopDims;
};

linalg::GenericOp asMatrixProduct(Operation *op) {
  auto product = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!product || !product.hasPureBufferSemantics() ||
      product.getNumDpsInits() != 1 || !tessera::cpu::matchMatmul(product))
    return {};
  return product;
}

std::optional<int64_t> getConstantIndex(Value value) {
  APInt constant;
  if (!matchPattern(value, m_ConstantInt(&constant)))
    return std::nullopt;
  return constant.getSExtValue();
}

/// Whether iteration `iv` of `loop` writes `block` = output[..., iv * k +
/// [0, size), ...] with size = step * k, and the iterations cover the
/// output's dimension exactly: every element once.
bool tilesOutput(scf::ForOp loop, memref::SubViewOp block, Value output) {
  std::optional<int64_t> lower = getConstantIndex(loop.getLowerBound()),
                         upper = getConstantIndex(loop.getUpperBound()),
                         step = getConstantIndex(loop.getStep());
  auto outputType = cast<MemRefType>(output.getType());
  if (block.getSource() != output || !lower || !upper || !step ||
      *lower != 0 || *step <= 0 || *upper % *step != 0 ||
      !block.hasUnitStride() || block.getType().getRank() != outputType.getRank())
    return false;
  std::optional<unsigned> tiled;
  for (auto [dim, offset, size] :
       llvm::enumerate(block.getMixedOffsets(), block.getMixedSizes())) {
    std::optional<int64_t> staticSize = getConstantIntValue(size);
    if (!staticSize)
      return false;
    if (isConstantIntValue(offset, 0) &&
        *staticSize == outputType.getDimSize(dim))
      continue;
    if (tiled)
      return false;
    tiled = dim;
    // offset = iv * k (or iv: k = 1).
    auto value = dyn_cast<Value>(offset);
    int64_t k = 1;
    if (value && value != loop.getInductionVar()) {
      auto multiply = value.getDefiningOp<arith::MulIOp>();
      if (!multiply)
        return false;
      Value factor = multiply.getRhs();
      if (multiply.getLhs() != loop.getInductionVar()) {
        factor = multiply.getLhs();
        if (multiply.getRhs() != loop.getInductionVar())
          return false;
      }
      std::optional<int64_t> constant = getConstantIndex(factor);
      if (!constant)
        return false;
      k = *constant;
    }
    if (!value || *staticSize != *step * k ||
        *upper * k != outputType.getDimSize(dim))
      return false;
  }
  return true;
}

/// The product whose output the elementwise `op` (on buffers) reads and
/// writes in place, element for element, when `op` directly follows it or
/// the loop whose iterations compute its output block by block (a banded
/// convolution: each iteration's last write is its product's block, and
/// nothing else in the loop touches the output or `op`'s other operands).
std::optional<ProductSite> getProductOfInPlaceEpilogue(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  Operation *previous = op->getPrevNode();
  while (previous && isMemoryEffectFree(previous))
    previous = previous->getPrevNode();
  ProductSite site;
  if (auto loop = dyn_cast_or_null<scf::ForOp>(previous)) {
    Operation *last = loop.getBody()->getTerminator()->getPrevNode();
    while (last && isMemoryEffectFree(last))
      last = last->getPrevNode();
    site.product = asMatrixProduct(last);
    if (!site.product)
      return std::nullopt;
    site.block = site.product.getDpsInits()
                     .front()
                     .getDefiningOp<memref::SubViewOp>();
    if (!site.block || site.block->getBlock() != loop.getBody())
      return std::nullopt;
    site.loop = loop;
    site.output = site.block.getSource();
    if (!tilesOutput(loop, site.block, site.output))
      return std::nullopt;
  } else {
    site.product = asMatrixProduct(previous);
    if (!site.product)
      return std::nullopt;
    site.output = site.product.getDpsInits().front();
  }
  Value output = site.output;
  if (!isSameElements(op.getDpsInits().front(), output))
    return std::nullopt;
  // The body's loop indices would change meaning on the output's loops.
  if (!op.getBody()->getOps<linalg::IndexOp>().empty())
    return std::nullopt;
  std::optional<SmallVector<std::optional<unsigned>>> loopDims =
      matchLoopsToOutput(
          cast<MemRefType>(op.getDpsInits().front().getType()).getShape(),
          cast<MemRefType>(output.getType()).getShape());
  if (!loopDims)
    return std::nullopt;
  site.loopDims = std::move(*loopDims);
  llvm::SmallBitVector sharedLoops(site.loopDims.size());
  for (auto [loop, dim] : llvm::enumerate(site.loopDims))
    sharedLoops[loop] = dim && llvm::count(site.loopDims, dim) > 1;
  // A reader of the output must read the element being written; other
  // operands must be other buffers, read by loops that each run over an
  // output dimension of their own.
  Value outputSource = getReshapeSource(output);
  SmallVector<Value> otherRoots;
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (getReshapeSource(input->get()) == outputSource) {
      if (!isSameElements(input->get(), output) ||
          !op.getMatchingIndexingMap(input).isIdentity())
        return std::nullopt;
    } else if (getViewRoot(input->get()) == getViewRoot(output)) {
      return std::nullopt;
    } else {
      AffineMap map = op.getMatchingIndexingMap(input);
      for (unsigned loop : sharedLoops.set_bits())
        if (map.isFunctionOfDim(loop))
          return std::nullopt;
      otherRoots.push_back(getViewRoot(input->get()));
    }
  }
  if (!site.loop)
    return site;
  // In the loop, only the product and a fill of its block may touch the
  // output, and nothing may write the epilogue's other operands.
  Value outputRoot = getViewRoot(output);
  auto touches = [&](Operation *nested, ArrayRef<Value> roots) {
    return llvm::any_of(nested->getOperands(), [&](Value operand) {
      return isa<MemRefType>(operand.getType()) &&
             llvm::is_contained(roots, getViewRoot(operand));
    });
  };
  WalkResult walk = site.loop.getBody()->walk([&](Operation *nested) {
    if (nested == site.block.getOperation() ||
        nested == site.product.getOperation())
      return WalkResult::advance();
    if (auto fill = dyn_cast<linalg::FillOp>(nested))
      if (fill.getOutputs().front() == site.block.getResult())
        return WalkResult::advance();
    if (touches(nested, outputRoot))
      return WalkResult::interrupt();
    if (!isMemoryEffectFree(nested) && touches(nested, otherRoots))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return std::nullopt;
  return site;
}

/// Moves the side-effect-free op defining `value`, and those its operands
/// need, before `point` when they are after it in its block.
void hoistDefinitionBefore(Value value, Operation *point) {
  Operation *definition = value.getDefiningOp();
  if (!definition || definition->getBlock() != point->getBlock() ||
      definition->isBeforeInBlock(point))
    return;
  for (Value operand : definition->getOperands())
    hoistDefinitionBefore(operand, point);
  definition->moveBefore(point);
}

/// `op` over the product's output loops, with the product's whole output
/// view in place of every view of it; in the product's loop, on each
/// iteration's block, when there is one.
void rewriteOntoProductOutput(RewriterBase &rewriter, linalg::GenericOp op,
                              ProductSite site) {
  MLIRContext *context = op.getContext();
  Value output = site.output;
  ArrayRef<int64_t> outputShape = cast<MemRefType>(output.getType()).getShape();
  auto outputRank = static_cast<unsigned>(outputShape.size());
  // Loop i becomes the output dimension it runs over; a unit loop indexes
  // element 0. (Loops sharing a dimension index only the output itself.)
  SmallVector<AffineExpr> replacements;
  for (std::optional<unsigned> dim : site.loopDims)
    replacements.push_back(dim ? getAffineDimExpr(*dim, context)
                               : getAffineConstantExpr(0, context));
  Value outputSource = getReshapeSource(output);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(outputRank, context);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (getReshapeSource(input->get()) == outputSource) {
      inputs.push_back(output);
      maps.push_back(identity);
      continue;
    }
    inputs.push_back(input->get());
    maps.push_back(op.getMatchingIndexingMap(input).replaceDimsAndSymbols(
        replacements, {}, outputRank, 0));
  }
  maps.push_back(identity);
  if (site.loop) {
    // The operands' views, made after the loop, are needed in it.
    for (Value input : inputs)
      hoistDefinitionBefore(input, site.loop);
    SetVector<Value> captured;
    getUsedValuesDefinedAbove(op.getRegion(), captured);
    for (Value value : captured)
      hoistDefinitionBefore(value, site.loop);
  }
  rewriter.setInsertionPoint(op);
  auto whole = linalg::GenericOp::create(
      rewriter, op.getLoc(), TypeRange{}, inputs, ValueRange{output}, maps,
      SmallVector<utils::IteratorType>(outputRank,
                                       utils::IteratorType::parallel));
  rewriter.inlineRegionBefore(op.getRegion(), whole.getRegion(),
                              whole.getRegion().end());
  rewriter.eraseOp(op);
  if (!site.loop)
    return;
  // Each iteration applies it to its block right after the product.
  rewriter.setInsertionPointAfter(site.product);
  FailureOr<TilingResult> tiled =
      cast<TilingInterface>(whole.getOperation())
          .getTiledImplementation(rewriter, site.block.getMixedOffsets(),
                                  site.block.getMixedSizes());
  assert(succeeded(tiled) && "a generic on buffers tiles");
  (void)tiled;
  rewriter.eraseOp(whole);
}

struct FuseProductEpiloguesPass
    : public tessera::cpu::impl::TesseraFuseProductEpiloguesBase<
          FuseProductEpiloguesPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, ProductSite>> epilogues;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<ProductSite> site = getProductOfInPlaceEpilogue(op))
        epilogues.emplace_back(op, *site);
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, site] : epilogues)
      rewriteOntoProductOutput(rewriter, op, site);
  }
};

} // namespace
