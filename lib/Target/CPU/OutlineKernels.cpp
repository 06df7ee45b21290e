//===- OutlineKernels.cpp - kernels with no-alias buffer arguments --------===//
//
// Buffer planning turns every intermediate into a view of one arena
// argument. LLVM then cannot tell a matmul's output row from its inputs
// (all are offsets from the same pointer) and keeps the loops scalar. The
// facts it lacks are known here: the planner gave each buffer its own byte
// range. Each linalg op becomes a kernel function whose arguments say so
// with `noalias`, which the inliner keeps as alias scopes. Kernels with
// enough work also take a range of one parallel loop, so that the runtime
// can split them over threads.
//
//===----------------------------------------------------------------------===//

#include "tessera/Package/Package.h"
#include "tessera/Runtime/tessera_package_abi.h"
#include "tessera/Target/CPU/CPUTarget.h"
#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/RegionUtils.h"

#include <numeric>

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAOUTLINEKERNELS
#define GEN_PASS_DEF_TESSERAKERNELNOALIASARGS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;
using mlir::tessera::cpu::kNoAliasArgsAttr;
using mlir::tessera::cpu::kParallelKernelAttr;

namespace {


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
      // Views of other elements (index, vectors) have no bit width here;
      // their range stays unknown.
      if (!origin.bytes && type.hasStaticShape() &&
          type.getElementType().isIntOrFloat() &&
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

/// Whether `buffer` is a view of the weights blob: the first of the two
/// byte buffers (weights, arena) that lead the model function's arguments
/// (`main`, or the package's entry once renamed) once
/// tessera-outline-weights and buffer planning have made them.
bool isWeightsView(Value buffer) {
  std::optional<BufferOrigin> origin = traceOrigin(buffer);
  auto arg = origin ? dyn_cast<BlockArgument>(origin->root) : BlockArgument();
  if (!arg || arg.getArgNumber() != 0)
    return false;
  auto function = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
  if (!function || function.getNumArguments() < 2 ||
      (function.getSymName() != "main" &&
       function.getSymName() != tessera::package::kEntryFunctionName))
    return false;
  auto isBytes = [](Type type) {
    auto memref = dyn_cast<MemRefType>(type);
    return memref && memref.getRank() == 1 && memref.isDynamicDim(0) &&
           memref.getElementType().isInteger(8);
  };
  return isBytes(function.getArgument(0).getType()) &&
         isBytes(function.getArgument(1).getType());
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

/// Whether loop 0 of `op` is a batch: parallel and the leading dimension
/// of every operand but scalars, in an op of at least three loops (batched
/// products, and the softmax between attention's two products; not a
/// product with shared weights).
bool isLeadingBatchLoop(linalg::LinalgOp op) {
  if (op.getNumLoops() < 3 ||
      op.getIteratorTypesArray().front() != utils::IteratorType::parallel)
    return false;
  return llvm::all_of(op->getOpOperands(), [&](OpOperand &operand) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    return map.getNumResults() == 0 ||
           map.getResult(0) == getAffineDimExpr(0, op.getContext());
  });
}

/// Whether `call` is a runtime depthwise convolution of one image that
/// splits its channels over the threads (tessera_depthwise_row_granule
/// returns 0 for its constant arguments; an output at an unknown address
/// is taken to start a line, as buffer planning aligns buffers to lines).
bool splitsDepthwiseChannels(func::CallOp call) {
  // Positions in TESSERA_DEPTHWISE_CONV2D_PARAMETERS.
  enum : unsigned {
    kBatch = 0,
    kKernelHeight = 9,
    kKernelWidth = 10,
    kOutput = 13,
    kOutputRowStride = 16,
    kOutputHeight = 17,
    kOutputWidth = 18,
    kStrideHeight = 19,
    kStrideWidth = 20,
  };
  StringRef callee = call.getCallee();
  int64_t vectorWidth = callee == "tessera_depthwise_conv2d_avx512" ? 16
                        : callee == "tessera_depthwise_conv2d_avx2" ? 8
                                                                   : 0;
  if (vectorWidth == 0 || call.getNumOperands() <= kStrideWidth)
    return false;
  auto constant = [&](unsigned position) {
    return getConstantIntValue(call.getOperand(position));
  };
  std::optional<int64_t> batch = constant(kBatch),
                         kernelHeight = constant(kKernelHeight),
                         kernelWidth = constant(kKernelWidth),
                         outputRowStride = constant(kOutputRowStride),
                         outputHeight = constant(kOutputHeight),
                         outputWidth = constant(kOutputWidth),
                         strideHeight = constant(kStrideHeight),
                         strideWidth = constant(kStrideWidth);
  if (!batch || *batch != 1 || !kernelHeight || !kernelWidth ||
      !outputRowStride || !outputHeight || !outputWidth || !strideHeight ||
      !strideWidth)
    return false;
  bool outputStartsLine = true;
  if (Value output =
          tessera::cpu::getBufferOfElementPointer(call.getOperand(kOutput)))
    if (std::optional<BufferOrigin> origin = traceOrigin(output);
        origin && origin->bytes)
      outputStartsLine = origin->bytes->first % 64 == 0;
  return tessera_depthwise_row_granule(
             *kernelHeight, *kernelWidth, *strideHeight, *strideWidth,
             *outputHeight, *outputWidth, *outputRowStride, outputStartsLine,
             vectorWidth) == 0;
}

/// `buffer` without the reshapes that view it whole.
Value stripReshapes(Value buffer) {
  while (Operation *def = buffer.getDefiningOp()) {
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
      break;
    buffer = def->getOperand(0);
  }
  return buffer;
}

/// Whether the first op after `op` (and its in-place `epilogue`, which
/// joins its kernel) that accesses `op`'s output is a runtime depthwise
/// convolution that splits its channels (splitsDepthwiseChannels) and
/// reads that output, whole, as its input (TESSERA_DEPTHWISE_CONV2D_-
/// PARAMETERS' third).
bool feedsDepthwiseConvolution(linalg::LinalgOp op,
                               linalg::GenericOp epilogue) {
  constexpr unsigned kInputArgument = 2;
  if (op.getNumDpsInits() != 1)
    return false;
  Value output = stripReshapes(op.getDpsInits()[0]);
  std::optional<BufferOrigin> outputOrigin = traceOrigin(output);
  auto accesses = [&](Value buffer) {
    return buffer && isa<MemRefType>(buffer.getType()) &&
           mayOverlap(outputOrigin, traceOrigin(buffer));
  };
  for (Operation *next = op->getNextNode(); next; next = next->getNextNode()) {
    if (next == epilogue.getOperation() || isMemoryEffectFree(next))
      continue;
    if (auto call = dyn_cast<func::CallOp>(next)) {
      // A pointer not made from a buffer is taken not to be the output:
      // this only chooses how threads split the product.
      bool readsAsInput = false;
      for (auto [position, operand] : llvm::enumerate(call.getOperands())) {
        Value buffer = isa<LLVM::LLVMPointerType>(operand.getType())
                           ? tessera::cpu::getBufferOfElementPointer(operand)
                           : operand;
        if (!accesses(buffer))
          continue;
        if (position != kInputArgument || stripReshapes(buffer) != output)
          return false;
        readsAsInput = true;
      }
      if (readsAsInput)
        return splitsDepthwiseChannels(call);
      continue;
    }
    WalkResult touched = next->walk([&](Operation *nested) {
      return llvm::any_of(nested->getOperands(), accesses)
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (touched.wasInterrupted())
      return false;
  }
  return false;
}

/// The loop to split `op` over threads along, or nothing when it has fewer
/// than `minIterations` iterations or no suitable loop. A loop qualifies
/// when it is parallel, has an extent of at least 2 and indexes every
/// output it appears in directly, so that the threads' output slices are
/// disjoint. Inputs may use it in a sliding window (h + kh), except the
/// output's contiguous loop: the threads' input slices then overlap by the
/// window's halo, which is only read, and an im2col copy splits its output
/// rows the way the product after it splits its pixels (split along a
/// window's columns, each thread would write part of every output row).
/// For a product, the loop that partitions the larger input wins, unless
/// `splitOutputChannels` (a depthwise convolution reads the output next): then
/// the loop of the output's leading dimension of more than one element
/// (its channels). Otherwise, and on ties, the largest static extent wins,
/// preferring loops other than the output's contiguous one: splitting
/// that one leaves the vectorized innermost loop a run-time trip count.
std::optional<unsigned> chooseParallelLoop(linalg::LinalgOp op,
                                           int64_t minIterations,
                                           bool splitOutputChannels) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t iterations = 1;
  for (int64_t range : ranges)
    iterations = ShapedType::isDynamic(range) || iterations > (1ll << 40)
                     ? (1ll << 40)
                     : iterations * range;
  if (iterations < minIterations || op.getNumDpsInits() == 0)
    return std::nullopt;

  // Batched ops in a loop body (a block of attention's query rows: scores,
  // softmax, product with V) split along their batch, so that each thread
  // keeps the same heads from one op to the next and finds their data in
  // its own cache. Split by the rules below, the products and the softmax
  // split along different loops and each kernel read half of its input
  // from the other core's cache: BERT's attention was slower on 2 threads
  // than on one. (Outside loops, a leading dimension is as often a
  // convolution's channels, whose ops split along rows like their
  // neighbours.)
  constexpr int64_t kMinBatchSplit = 4;
  if (isLeadingBatchLoop(op) && !ShapedType::isDynamic(ranges[0]) &&
      ranges[0] >= kMinBatchSplit && op->getParentOfType<scf::ForOp>())
    return 0u;

  std::optional<unsigned> contiguous;
  AffineMap output = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (output.getNumResults() != 0)
    if (auto dim = dyn_cast<AffineDimExpr>(output.getResults().back()))
      contiguous = dim.getPosition();

  // A product (two inputs and a reduction) is split along the loop that
  // partitions its larger input: each thread reads half of that operand
  // and shares the other. A convolution's im2col columns outweigh its
  // weights in early layers (split the output pixels), the weights
  // outweigh them in late ones (split the channels). Weights count thrice:
  // they come from memory on every run, while the other operand was
  // usually just written into the threads' caches. (MobileNetV2's 14 x 14
  // projections, 576 -> 96 and 384 -> 96 channels, split their pixels
  // with weights counted once or twice: 87-88 and 55-56 us at 2 threads,
  // 79 and 52 split along their channels.)
  constexpr int64_t kWeightsReadCost = 3;
  bool isProduct = op.getNumDpsInputs() == 2 && op.getNumReductionLoops() > 0;
  SmallVector<int64_t> inputCosts;
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto type = dyn_cast<ShapedType>(input->get().getType());
    int64_t cost = isWeightsView(input->get()) ? kWeightsReadCost : 1;
    inputCosts.push_back(!type                   ? 0
                         : type.hasStaticShape() ? cost * type.getNumElements()
                                                 : (1ll << 32));
  }
  auto partitionedElements = [&](unsigned loop) -> int64_t {
    int64_t elements = 0;
    for (auto [input, cost] :
         llvm::zip_equal(op.getDpsInputOperands(), inputCosts))
      if (op.getMatchingIndexingMap(input).isFunctionOfDim(loop))
        elements += cost;
    return elements;
  };
  std::optional<unsigned> best;
  auto score = [&](unsigned loop) {
    // A dynamic extent (a batch or sequence size) is taken to be moderate.
    int64_t extent = ShapedType::isDynamic(ranges[loop]) ? 16 : ranges[loop];
    bool preferred = loop != contiguous && extent >= 8;
    // The output's contiguous loop only when each thread keeps long
    // vectorized rows.
    bool splittable = loop != contiguous ? extent >= 8 : extent >= 64;
    int64_t partitioned =
        isProduct && splittable ? partitionedElements(loop) : 0;
    return std::make_tuple(partitioned, preferred, extent);
  };
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto qualifies = [&](unsigned loop) {
    if (iterators[loop] != utils::IteratorType::parallel ||
        (!ShapedType::isDynamic(ranges[loop]) && ranges[loop] < 2))
      return false;
    return llvm::all_of(op->getOpOperands(), [&](OpOperand &operand) {
      if (loop != contiguous && op.isDpsInput(&operand))
        return true;
      AffineMap map = op.getMatchingIndexingMap(&operand);
      return llvm::all_of(map.getResults(), [&](AffineExpr expr) {
        return !expr.isFunctionOfDim(loop) || isa<AffineDimExpr>(expr);
      });
    });
  };
  // A depthwise convolution splits its channels over the threads in
  // contiguous chunks too (tessera_parallel_for's), so that each thread
  // reads mostly the channels it has just written: exactly those when
  // both count channels in the same groups (see getLineGranule: equal
  // plane sizes, a stride-1 window), else up to a group's channels apart.
  if (splitOutputChannels && isProduct) {
    auto outputType = dyn_cast<ShapedType>(op.getDpsInits()[0].getType());
    for (auto [position, expr] : llvm::enumerate(output.getResults())) {
      if (!outputType || outputType.getDimSize(position) == 1)
        continue;
      auto dim = dyn_cast<AffineDimExpr>(expr);
      if (dim && qualifies(dim.getPosition()))
        return dim.getPosition();
      break;
    }
  }
  for (unsigned loop = 0; loop < iterators.size(); ++loop)
    if (qualifies(loop) && (!best || score(loop) > score(*best)))
      best = loop;
  return best;
}

/// Replaces `op` (inside a kernel) with the same op on the iterations
/// [begin, end) of `loop`.
LogicalResult restrictToRange(OpBuilder &builder, linalg::LinalgOp op,
                              unsigned loop, Value begin, Value end) {
  auto tileable = cast<TilingInterface>(op.getOperation());
  builder.setInsertionPoint(op);
  SmallVector<Range> domain = tileable.getIterationDomain(builder);
  SmallVector<OpFoldResult> offsets, sizes;
  for (auto [index, range] : llvm::enumerate(domain)) {
    offsets.push_back(range.offset);
    sizes.push_back(range.size);
  }
  offsets[loop] = begin;
  sizes[loop] = arith::SubIOp::create(builder, op.getLoc(), end, begin)
                    .getResult();
  FailureOr<TilingResult> tiled =
      tileable.getTiledImplementation(builder, offsets, sizes);
  if (failed(tiled))
    return failure();
  op->erase();
  return success();
}

/// Whether `loop` of `op` indexes its output directly (so that the output
/// slice one thread writes is the one its prologue fill must zero).
std::optional<unsigned> getOutputDimOfLoop(linalg::LinalgOp op,
                                           unsigned loop) {
  return op.getMatchingIndexingMap(op.getDpsInitOperand(0))
      .getResultPosition(getAffineDimExpr(loop, op->getContext()));
}

/// How many iterations of `loop` (of static extent `extent`) each thread's
/// range is a multiple of: enough that every range starts a cache line of
/// each output, so that no line is written by two threads (a line both
/// cores write moves between them on every write: MobileNetV2's 28 x 28
/// products, split at pixel 392, ran slower on 2 threads than on 1). It
/// is 1 when an output's layout or alignment is unknown, or when the
/// extent has fewer than 8 such groups (rounding would then unbalance the
/// threads by more than an eighth).
int64_t getLineGranule(linalg::LinalgOp op, unsigned loop, int64_t extent) {
  if (ShapedType::isDynamic(extent))
    return 1;
  int64_t granule = 1;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    auto type = dyn_cast<MemRefType>(init.get().getType());
    std::optional<unsigned> dim =
        op.getMatchingIndexingMap(&init).getResultPosition(
            getAffineDimExpr(loop, op->getContext()));
    if (!type || !dim)
      return 1;
    int64_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
    SmallVector<int64_t> strides;
    int64_t offset;
    if (elementBytes == 0 || 64 % elementBytes != 0 ||
        failed(type.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(offset) ||
        ShapedType::isDynamic(strides[*dim]))
      return 1;
    // Buffers start on a line (planning aligns them to 64 bytes).
    int64_t perLine = 64 / elementBytes;
    if (offset % perLine != 0)
      return 1;
    granule = std::max(granule,
                       perLine / std::gcd(perLine, std::abs(strides[*dim])));
  }
  return extent >= 8 * granule ? granule : 1;
}

/// Outlines `op`, with its zero-fill `prologue` and in-place `epilogue`
/// when it has them, split over threads along `parallelLoop` (none: run
/// whole by one call).
LogicalResult outlineKernel(linalg::LinalgOp op, linalg::FillOp prologue,
                            linalg::GenericOp epilogue,
                            std::optional<unsigned> parallelLoop,
                            func::FuncOp parent, SymbolTable &symbols,
                            unsigned index) {
  // Constants the body captures are cloned into the kernel; other captured
  // values become arguments after the operands.
  SetVector<Value> arguments(op->getOperands().begin(),
                             op->getOperands().end());
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  if (epilogue) {
    arguments.insert(epilogue->getOperands().begin(),
                     epilogue->getOperands().end());
    getUsedValuesDefinedAbove(epilogue->getRegions(), captured);
  }
  // The prologue's zero is cloned, so that the kernel shows it is a zero.
  if (prologue)
    captured.insert(prologue.getInputs().front());
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
  SmallVector<Type> argumentTypes(TypeRange(arguments.getArrayRef()));
  if (parallelLoop)
    argumentTypes.append(2, builder.getIndexType());
  builder.setInsertionPointAfter(parent);
  auto kernel = func::FuncOp::create(
      builder, loc,
      (parent.getSymName() + "_kernel_" + Twine(index)).str(),
      builder.getFunctionType(argumentTypes, {}));
  kernel.setPrivate();
  // Internal linkage lets LLVM inline a kernel into its one call site.
  kernel->setAttr("llvm.linkage", LLVM::LinkageAttr::get(
                                      builder.getContext(),
                                      LLVM::Linkage::Internal));
  symbols.insert(kernel);
  if (!writesMayOverlap(op, arguments.getArrayRef()) &&
      !(epilogue && writesMayOverlap(epilogue, arguments.getArrayRef())))
    kernel->setAttr(kNoAliasArgsAttr, builder.getUnitAttr());

  Block *entry = kernel.addEntryBlock();
  IRMapping mapping;
  mapping.map(arguments.getArrayRef(),
              entry->getArguments().take_front(arguments.size()));
  builder.setInsertionPointToStart(entry);
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  linalg::LinalgOp fill =
      prologue ? cast<linalg::LinalgOp>(builder.clone(*prologue, mapping))
               : linalg::LinalgOp();
  auto body = cast<linalg::LinalgOp>(builder.clone(*op, mapping));
  linalg::LinalgOp after =
      epilogue ? cast<linalg::LinalgOp>(builder.clone(*epilogue, mapping))
               : linalg::LinalgOp();
  func::ReturnOp::create(builder, loc);

  SmallVector<Value> callArguments(arguments.begin(), arguments.end());
  // The epilogue's operands may be defined after `op`.
  Operation *callSite = epilogue ? epilogue.getOperation() : op.getOperation();
  if (parallelLoop) {
    kernel->setAttr(kParallelKernelAttr, builder.getUnitAttr());
    Value begin = entry->getArgument(arguments.size());
    Value end = entry->getArgument(arguments.size() + 1);
    int64_t extent = op.getStaticLoopRanges()[*parallelLoop];
    int64_t granule = getLineGranule(op, *parallelLoop, extent);
    if (granule > 1) {
      // The range counts granules; the last one may be partial.
      builder.setInsertionPointToStart(entry);
      Value size = arith::ConstantIndexOp::create(builder, loc, granule);
      Value last = arith::ConstantIndexOp::create(builder, loc, extent);
      begin = arith::MulIOp::create(builder, loc, begin, size);
      end = arith::MinSIOp::create(
          builder, loc, arith::MulIOp::create(builder, loc, end, size), last);
    }
    // The epilogue's loops are the output's dimensions.
    std::optional<unsigned> outputDim = getOutputDimOfLoop(op, *parallelLoop);
    if (failed(restrictToRange(builder, body, *parallelLoop, begin, end)) ||
        (fill && failed(restrictToRange(builder, fill, *outputDim, begin,
                                        end))) ||
        (after &&
         failed(restrictToRange(builder, after, *outputDim, begin, end))))
      return op->emitError("cannot split this op over threads along loop ")
             << *parallelLoop;
    builder.setInsertionPoint(callSite);
    Range range = cast<TilingInterface>(op.getOperation())
                      .getIterationDomain(builder)[*parallelLoop];
    if (granule > 1) {
      callArguments.push_back(arith::ConstantIndexOp::create(builder, loc, 0));
      callArguments.push_back(arith::ConstantIndexOp::create(
          builder, loc, llvm::divideCeil(extent, granule)));
    } else {
      callArguments.push_back(
          getValueOrCreateConstantIndexOp(builder, loc, range.offset));
      callArguments.push_back(
          getValueOrCreateConstantIndexOp(builder, loc, range.size));
    }
  }

  if (fill || after) {
    // The fill's, the product's and the epilogue's slices of the output
    // are one view.
    IRRewriter rewriter(builder);
    DominanceInfo dominance;
    eliminateCommonSubExpressions(rewriter, dominance, kernel);
  }

  builder.setInsertionPoint(callSite);
  func::CallOp::create(builder, loc, kernel, callArguments);
  op->erase();
  if (prologue)
    prologue->erase();
  if (epilogue)
    epilogue->erase();
  return success();
}

struct OutlineKernelsPass
    : public tessera::cpu::impl::TesseraOutlineKernelsBase<
          OutlineKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> parents(module.getOps<func::FuncOp>());
    for (func::FuncOp parent : parents) {
      if (parent.isExternal())
        continue;
      SmallVector<linalg::LinalgOp> ops;
      parent.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
      llvm::DenseMap<Operation *, linalg::FillOp> prologues;
      llvm::DenseMap<Operation *, linalg::GenericOp> epilogues;
      // The loop chosen for an op with a prologue or epilogue, reused when
      // it is outlined (the choice searches the ops after it).
      llvm::DenseMap<Operation *, std::optional<unsigned>> parallelLoops;
      llvm::DenseSet<Operation *> fused;
      for (linalg::LinalgOp op : ops) {
        // The fill and the epilogue go into the kernel on the same
        // thread's slice.
        linalg::FillOp fill = tessera::cpu::getZeroFillOfOutput(op);
        linalg::GenericOp epilogue = tessera::cpu::getInPlaceEpilogue(op);
        if (!fill && !epilogue)
          continue;
        std::optional<unsigned> loop = chooseParallelLoop(
            op, minParallelIterations, feedsDepthwiseConvolution(op, epilogue));
        if (loop && !getOutputDimOfLoop(op, *loop))
          continue;
        parallelLoops[op] = loop;
        if (fill) {
          prologues[op] = fill;
          fused.insert(fill);
        }
        if (epilogue) {
          epilogues[op] = epilogue;
          fused.insert(epilogue);
        }
      }
      // The name scheme is what summarizeKernels counts.
      for (auto [index, op] : llvm::enumerate(ops)) {
        if (fused.contains(op))
          continue;
        linalg::GenericOp epilogue = epilogues.lookup(op);
        auto chosen = parallelLoops.find(op);
        std::optional<unsigned> loop =
            chosen != parallelLoops.end()
                ? chosen->second
                : chooseParallelLoop(op, minParallelIterations,
                                     feedsDepthwiseConvolution(op, epilogue));
        if (failed(outlineKernel(op, prologues.lookup(op), epilogue, loop,
                                 parent, symbols, index)))
          return signalPassFailure();
      }
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

linalg::FillOp tessera::cpu::getZeroFillOfOutput(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics())
    return {};
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (isMemoryEffectFree(prev))
      continue;
    auto fill = dyn_cast<linalg::FillOp>(prev);
    if (!fill || !fill.hasPureBufferSemantics() ||
        fill.getOutputs().front() != op.getDpsInits().front() ||
        !matchPattern(fill.getInputs().front(), m_AnyZeroFloat()))
      return {};
    return fill;
  }
  return {};
}

linalg::GenericOp tessera::cpu::getInPlaceEpilogue(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics())
    return {};
  Value output = op.getDpsInits().front();
  Operation *next = op->getNextNode();
  while (next && isMemoryEffectFree(next))
    next = next->getNextNode();
  auto epilogue = dyn_cast_or_null<linalg::GenericOp>(next);
  if (!epilogue || !epilogue.hasPureBufferSemantics() ||
      epilogue.getNumDpsInits() != 1 ||
      epilogue.getDpsInits().front() != output ||
      epilogue.getNumLoops() != epilogue.getNumParallelLoops() ||
      !epilogue.getMatchingIndexingMap(epilogue.getDpsInitOperand(0))
           .isIdentity())
    return {};
  for (OpOperand *input : epilogue.getDpsInputOperands())
    if (input->get() == output &&
        !epilogue.getMatchingIndexingMap(input).isIdentity())
      return {};
  return epilogue;
}

tessera::cpu::KernelSummary tessera::cpu::summarizeKernels(ModuleOp module) {
  KernelSummary summary;
  module.walk([&](Operation *op) {
    if (auto func = dyn_cast<LLVM::LLVMFuncOp>(op)) {
      StringRef name = func.getSymName();
      size_t at = name.rfind("_kernel_");
      unsigned index;
      if (at != StringRef::npos &&
          !name.drop_front(at + strlen("_kernel_")).getAsInteger(10, index))
        ++summary.kernels;
    } else if (auto call = dyn_cast<LLVM::CallOp>(op)) {
      std::optional<StringRef> callee = call.getCallee();
      if (callee && *callee == "tessera_parallel_for")
        ++summary.parallelKernels;
      else if (callee && callee->starts_with("tessera_sgemm_")) {
        ++summary.microkernelCalls;
        if (callee->starts_with("tessera_sgemm_fused_"))
          ++summary.fusedEpilogues;
      }
      else if (callee && callee->starts_with("tessera_depthwise_conv2d_"))
        ++summary.depthwiseCalls;
      else if (callee &&
               callee->starts_with("tessera_pointwise_depthwise_conv2d_")) {
        ++summary.depthwiseCalls;
        ++summary.pointwiseDepthwiseCalls;
      }
      else if (callee && callee->starts_with("tessera_max_pool2d_"))
        ++summary.maxPoolCalls;
      else if (callee && callee->starts_with("tessera_conv3x3_winograd_"))
        ++summary.winogradCalls;
      else if (callee &&
               callee->starts_with("tessera_conv2d_direct_max_pool2d_")) {
        ++summary.directConvolutionCalls;
        ++summary.maxPoolCalls;
        ++summary.fusedMaxPools;
      } else if (callee && callee->starts_with("tessera_conv2d_direct_"))
        ++summary.directConvolutionCalls;
    }
  });
  return summary;
}
