//===- DepthwiseToMicrokernel.cpp - window ops on the runtime's kernels ---===//
//
// Depthwise convolutions and max pools share the runtime's window walk
// (lib/Runtime/DepthwiseConv.c), and so the matching of their windows and
// of the pad before them; each has its pass here.
//
// A depthwise convolution reaches this pass as a generic that sums one
// window (a strided subview) of the padded input per kernel tap, after a
// fill of the whole padded buffer and a copy of the input into it. LLVM
// vectorizes the generic along the output row, with gathers when the
// stride is 2, and the pad costs two passes over a buffer larger than the
// input. The runtime's kernel (lib/Runtime/DepthwiseConv.c) reads the
// unpadded input instead, one row at a time, and applies the bias and the
// clamp that fusion put in the generic before its one store.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <limits>

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERADEPTHWISETOMICROKERNEL
#define GEN_PASS_DEF_TESSERAMAXPOOLTOMICROKERNEL
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

/// TESSERA_DEPTHWISE_MAX_KERNEL in tessera_package_abi.h.
constexpr int64_t kMaxKernelExtent = 16;

/// What the runtime call needs from a matched generic.
struct DepthwiseConvolution {
  /// The buffer the taps are windows of.
  Value windowed;
  /// [channels, (1,) kh, kw], dense.
  Value weights;
  /// Indexed by channel alone; null without a bias.
  Value bias;
  int64_t kernelHeight, kernelWidth, strideHeight, strideWidth;
  float lower = -std::numeric_limits<float>::infinity();
  float upper = std::numeric_limits<float>::infinity();
};

/// The terms of the sum `value` (a tree of addf inside `body`).
void collectTerms(Value value, Block &body, SmallVectorImpl<Value> &terms) {
  auto add = value.getDefiningOp<arith::AddFOp>();
  if (add && add->getBlock() == &body) {
    collectTerms(add.getLhs(), body, terms);
    collectTerms(add.getRhs(), body, terms);
    return;
  }
  terms.push_back(value);
}

/// Whether `map`'s results are d1 followed by constants (the channel alone).
bool indexesChannelOnly(AffineMap map) {
  if (map.getNumResults() == 0 || map.getResult(0) != getAffineDimExpr(1, map.getContext()))
    return false;
  return llvm::all_of(map.getResults().drop_front(),
                      [](AffineExpr expr) { return isa<AffineConstantExpr>(expr); });
}

/// Matches `op` when it computes, for output (n, c, oh, ow),
/// clamp(sum over (i, j) of window_ij[n, c, oh, ow] * w[c, (0,) i, j]
/// (+ bias[c])), where window_ij is the subview of one buffer at offset
/// (i, j) with strides (sh, sw), and every tap of w appears once.
std::optional<DepthwiseConvolution> matchDepthwise(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 4 || op.getNumParallelLoops() != 4 ||
      op.getNumResults() != 0)
    return std::nullopt;
  Value output = op.getDpsInits()[0];
  if (!tessera::cpu::isImageWithContiguousRows(output) ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value result = yield.getOperand(0);

  DepthwiseConvolution conv;
  result = tessera::cpu::peelConstantClamp(result, conv.lower, conv.upper);
  SmallVector<Value> terms;
  collectTerms(result, body, terms);

  auto inputOf = [&](Value value) {
    return tessera::cpu::getInputOfArgument(op, value);
  };
  // The (i, j) tap a weight operand reads.
  auto weightTap = [&](OpOperand *operand)
      -> std::optional<std::pair<int64_t, int64_t>> {
    AffineMap map = op.getMatchingIndexingMap(operand);
    auto type = dyn_cast<MemRefType>(operand->get().getType());
    if (!type || !memref::isStaticShapeAndContiguousRowMajor(type) ||
        !type.getElementType().isF32() ||
        (type.getRank() != 3 && type.getRank() != 4) ||
        map.getNumResults() != type.getRank() || !indexesChannelOnly(map))
      return std::nullopt;
    if (type.getRank() == 4 &&
        (type.getDimSize(1) != 1 ||
         cast<AffineConstantExpr>(map.getResult(1)).getValue() != 0))
      return std::nullopt;
    int64_t rank = type.getRank();
    return std::make_pair(
        cast<AffineConstantExpr>(map.getResult(rank - 2)).getValue(),
        cast<AffineConstantExpr>(map.getResult(rank - 1)).getValue());
  };

  llvm::SmallDenseSet<std::pair<int64_t, int64_t>> taps;
  for (Value term : terms) {
    if (OpOperand *bias = inputOf(term)) {
      auto type = dyn_cast<MemRefType>(bias->get().getType());
      if (conv.bias || !type || !type.getElementType().isF32() ||
          !indexesChannelOnly(op.getMatchingIndexingMap(bias)) ||
          llvm::any_of(type.getShape().drop_front(),
                       [](int64_t size) { return size != 1; }))
        return std::nullopt;
      conv.bias = bias->get();
      continue;
    }
    auto mul = term.getDefiningOp<arith::MulFOp>();
    if (!mul || mul->getBlock() != &body)
      return std::nullopt;
    OpOperand *lhs = inputOf(mul.getLhs()), *rhs = inputOf(mul.getRhs());
    if (!lhs || !rhs)
      return std::nullopt;
    OpOperand *window = lhs, *weight = rhs;
    std::optional<std::pair<int64_t, int64_t>> tap = weightTap(weight);
    if (!tap) {
      std::swap(window, weight);
      tap = weightTap(weight);
    }
    if (!tap || (conv.weights && conv.weights != weight->get()) ||
        !op.getMatchingIndexingMap(window).isIdentity())
      return std::nullopt;
    conv.weights = weight->get();
    auto subview = window->get().getDefiningOp<memref::SubViewOp>();
    if (!subview || !tessera::cpu::isImageWithContiguousRows(subview.getSource()) ||
        (conv.windowed && conv.windowed != subview.getSource()))
      return std::nullopt;
    conv.windowed = subview.getSource();
    ArrayRef<int64_t> offsets = subview.getStaticOffsets();
    ArrayRef<int64_t> strides = subview.getStaticStrides();
    if (offsets[0] != 0 || offsets[1] != 0 || strides[0] != 1 ||
        strides[1] != 1 || offsets[2] != tap->first ||
        offsets[3] != tap->second || ShapedType::isDynamic(strides[2]) ||
        ShapedType::isDynamic(strides[3]))
      return std::nullopt;
    if (taps.empty()) {
      conv.strideHeight = strides[2];
      conv.strideWidth = strides[3];
    } else if (conv.strideHeight != strides[2] ||
               conv.strideWidth != strides[3]) {
      return std::nullopt;
    }
    if (!taps.insert(*tap).second)
      return std::nullopt;
  }
  if (!conv.weights)
    return std::nullopt;
  auto weightsType = cast<MemRefType>(conv.weights.getType());
  conv.kernelHeight = weightsType.getDimSize(weightsType.getRank() - 2);
  conv.kernelWidth = weightsType.getDimSize(weightsType.getRank() - 1);
  if (conv.kernelHeight > kMaxKernelExtent ||
      conv.kernelWidth > kMaxKernelExtent ||
      static_cast<int64_t>(taps.size()) !=
          conv.kernelHeight * conv.kernelWidth ||
      llvm::any_of(taps, [&](std::pair<int64_t, int64_t> tap) {
        return tap.first < 0 || tap.first >= conv.kernelHeight ||
               tap.second < 0 || tap.second >= conv.kernelWidth;
      }))
    return std::nullopt;
  return conv;
}

/// The bias add and activation of the pad source's producer, when fusion
/// left them as an in-place elementwise op on the source just before the
/// pad: source = min(upper, max(lower, source + bias[c])).
struct InputTransform {
  linalg::GenericOp op;
  Value bias;
  float lower = -std::numeric_limits<float>::infinity();
  float upper = std::numeric_limits<float>::infinity();
};

/// The in-place elementwise op that last writes the pad's source, when it
/// is an input transform the kernel can apply while it lays out rows and
/// nothing but the pad's copy reads the source after it.
std::optional<InputTransform>
matchInputTransform(const tessera::cpu::BufferizedPad &pad) {
  // Only the pad's fill (of the padded buffer), allocations, views and
  // reads may lie between the transform and the copy.
  Operation *writer = pad.copy->getPrevNode();
  for (; writer && !isa<linalg::GenericOp>(writer);
       writer = writer->getPrevNode()) {
    if (writer != pad.fill && tessera::cpu::mayWriteMemory(writer))
      return std::nullopt;
  }
  auto op = dyn_cast_or_null<linalg::GenericOp>(writer);
  if (!op || !op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getDpsInits()[0] != pad.source || op.getNumResults() != 0 ||
      op.getNumLoops() != 4 || op.getNumParallelLoops() != 4 ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  Block &body = op.getRegion().front();
  Value result = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0);
  InputTransform transform;
  transform.op = op;
  result = tessera::cpu::peelConstantClamp(result, transform.lower, transform.upper);
  auto inputOf = [&](Value value) {
    return tessera::cpu::getInputOfArgument(op, value);
  };
  auto isSource = [&](OpOperand *operand) {
    return operand && operand->get() == pad.source &&
           op.getMatchingIndexingMap(operand).isIdentity();
  };
  bool readsSource = false;
  if (isSource(inputOf(result))) {
    readsSource = true;
  } else if (auto add = result.getDefiningOp<arith::AddFOp>();
             add && add->getBlock() == &body) {
    OpOperand *lhs = inputOf(add.getLhs()), *rhs = inputOf(add.getRhs());
    if (isSource(rhs))
      std::swap(lhs, rhs);
    if (isSource(lhs) && rhs) {
      auto type = dyn_cast<MemRefType>(rhs->get().getType());
      readsSource =
          type && type.getElementType().isF32() &&
          indexesChannelOnly(op.getMatchingIndexingMap(rhs)) &&
          llvm::all_of(type.getShape().drop_front(),
                       [](int64_t size) { return size == 1; });
      transform.bias = rhs->get();
    }
  }
  if (!readsSource)
    return std::nullopt;
  // After the transform, only the pad's copy may use the source's memory.
  Block *block = op->getBlock();
  SmallVector<Value> aliases = {tessera::cpu::getRootBuffer(pad.source)};
  for (size_t i = 0; i < aliases.size(); ++i)
    for (Operation *user : aliases[i].getUsers()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == aliases[i]) {
        llvm::append_range(aliases, user->getResults());
        continue;
      }
      Operation *top = block->findAncestorOpInBlock(*user);
      if (!top || (top != op.getOperation() && top != pad.copy &&
                   op->isBeforeInBlock(top)))
        return std::nullopt;
    }
  return transform;
}

/// The zero-filled 1 x 1 convolution (a product of weights [C, K] and a
/// source [N, K, H * W] into [N, C, H * W]) whose output is the pad's
/// source, seen as [N, C, H, W]: an inverted residual block's expansion.
/// The depthwise kernel can compute it band by band instead of reading it
/// (tessera_pointwise_depthwise_conv2d_*).
struct PointwiseProducer {
  linalg::GenericOp product;
  linalg::FillOp fill;
  Value weights, source;
};

/// The pointwise producer of `pad`'s source, when only the pad and its
/// input transform read what it writes, and nothing but they writes
/// memory between the product and `conv` (so that `conv` may read the
/// product's operands instead).
std::optional<PointwiseProducer>
matchPointwiseProducer(const tessera::cpu::BufferizedPad &pad,
                       const std::optional<InputTransform> &transform,
                       linalg::GenericOp conv) {
  // Smaller products stay in the cores' L2 between the two kernels, and
  // the generated product is then the faster (MobileNetV2's 7 x 7, 160 ->
  // 960 channels: 111 us apart, 164-177 us fused, 1 thread; its 56 x 56, 24
  // -> 144: 212 us apart, 181-201 us fused, 2 threads).
  constexpr int64_t kMinFusedBytes = 1 << 20;
  auto expand = pad.source.getDefiningOp<memref::ExpandShapeOp>();
  if (!expand || !expand.getSrc().getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  Value product = expand.getSrc();
  auto productType = cast<MemRefType>(product.getType());
  if (!productType.hasStaticShape() ||
      productType.getNumElements() * 4 < kMinFusedBytes)
    return std::nullopt;
  SmallVector<ReassociationIndices> groups = expand.getReassociationIndices();
  if (groups.size() != 3 || groups[0] != ReassociationIndices{0} ||
      groups[1] != ReassociationIndices{1} ||
      groups[2] != ReassociationIndices{2, 3})
    return std::nullopt;
  auto isPadOrTransform = [&](Operation *op) {
    return op == pad.fill || op == pad.copy ||
           (transform && op == transform->op);
  };
  if (!llvm::all_of(expand->getUsers(), isPadOrTransform))
    return std::nullopt;
  PointwiseProducer producer;
  for (Operation *user : product.getUsers()) {
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (user == expand.getOperation() || isa<memref::DeallocOp, linalg::FillOp>(user))
      continue;
    if (!generic || producer.product || generic.getNumDpsInits() != 1 ||
        generic.getDpsInits()[0] != product)
      return std::nullopt;
    producer.product = generic;
  }
  if (!producer.product || producer.product->getBlock() != conv->getBlock())
    return std::nullopt;
  producer.fill = tessera::cpu::getZeroFillOfOutput(producer.product);
  std::optional<tessera::cpu::MatmulLoops> loops =
      tessera::cpu::matchMatmul(producer.product);
  if (!producer.fill || !loops || loops->batch != 0u || loops->m != 1 ||
      loops->n != 2 || loops->aHasBatch || !loops->bHasBatch)
    return std::nullopt;
  // Every other user of the product's buffer is that fill.
  for (Operation *user : product.getUsers())
    if (isa<linalg::FillOp>(user) && user != producer.fill.getOperation())
      return std::nullopt;
  for (Operation *op = producer.product->getNextNode(); op != conv;
       op = op->getNextNode())
    if (!op || (!isPadOrTransform(op) && tessera::cpu::mayWriteMemory(op)))
      return std::nullopt;
  producer.weights = producer.product.getDpsInputs()[0];
  producer.source = producer.product.getDpsInputs()[1];
  // The call reads the product's operands while it writes the output
  // (apart, the product had read them all before the convolution wrote).
  Value output = tessera::cpu::getRootBuffer(conv.getDpsInits()[0]);
  if (tessera::cpu::getRootBuffer(producer.source) == output ||
      tessera::cpu::getRootBuffer(producer.weights) == output)
    return std::nullopt;
  return producer;
}

/// Erases `generic` and the window subviews nothing else reads.
void eraseWithWindows(linalg::GenericOp generic) {
  SmallVector<Value> windows(generic.getDpsInputs());
  generic->erase();
  for (Value window : windows)
    if (auto subview = window.getDefiningOp<memref::SubViewOp>())
      if (subview->use_empty())
        subview->erase();
}

void replaceWithCall(linalg::GenericOp op, const DepthwiseConvolution &conv,
                     StringRef variant, bool fusePointwise) {
  ModuleOp module = op->getParentOfType<ModuleOp>();
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Type i64 = builder.getI64Type(), f32 = builder.getF32Type();
  Type pointer = LLVM::LLVMPointerType::get(builder.getContext());

  std::optional<tessera::cpu::BufferizedPad> pad =
      tessera::cpu::matchBufferizedPad(conv.windowed, op, op.getDpsInits()[0]);
  std::optional<InputTransform> transform =
      pad ? matchInputTransform(*pad) : std::nullopt;
  std::optional<PointwiseProducer> producer =
      pad && fusePointwise ? matchPointwiseProducer(*pad, transform, op)
                           : std::nullopt;
  Value input = pad ? pad->source : conv.windowed;
  Value output = op.getDpsInits()[0];

  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIntOp::create(builder, loc, i64, value);
  };
  auto floatConstant = [&](float value) -> Value {
    return arith::ConstantOp::create(builder, loc, f32,
                                     builder.getF32FloatAttr(value));
  };
  auto toI64 = [&](Value index) -> Value {
    return arith::IndexCastOp::create(builder, loc, i64, index);
  };
  auto dim = [&](Value buffer, int64_t position) {
    return toI64(memref::DimOp::create(builder, loc, buffer, position));
  };
  auto strides = [&](Value buffer) {
    return tessera::cpu::getStridesAsI64(builder, loc, buffer);
  };

  SmallVector<Value> outputStrides = strides(output);
  Value bias = conv.bias ? tessera::cpu::getElementPointer(builder, loc,
                                                           conv.bias)
                         : LLVM::ZeroOp::create(builder, loc, pointer);
  Value biasStride = conv.bias ? strides(conv.bias).front() : constant(0);
  SmallVector<Value> arguments = {dim(output, 0), dim(output, 1)};
  if (producer) {
    // The product's source and weights stand for the input.
    SmallVector<Value> sourceStrides = strides(producer->source);
    arguments.append(
        {tessera::cpu::getElementPointer(builder, loc, producer->source),
         sourceStrides[0], sourceStrides[1], dim(producer->source, 1),
         tessera::cpu::getElementPointer(builder, loc, producer->weights),
         strides(producer->weights).front()});
  } else {
    SmallVector<Value> inputStrides = strides(input);
    arguments.append({tessera::cpu::getElementPointer(builder, loc, input),
                      inputStrides[0], inputStrides[1], inputStrides[2]});
  }
  // A fused product's buffer is static (and goes away with its views).
  auto inputType = cast<MemRefType>(input.getType());
  arguments.append({
      producer ? constant(inputType.getDimSize(2)) : dim(input, 2),
      producer ? constant(inputType.getDimSize(3)) : dim(input, 3),
      tessera::cpu::getElementPointer(builder, loc, conv.weights),
      constant(conv.kernelHeight),
      constant(conv.kernelWidth),
      bias,
      biasStride,
      tessera::cpu::getElementPointer(builder, loc, output),
      outputStrides[0],
      outputStrides[1],
      outputStrides[2],
      dim(output, 2),
      dim(output, 3),
      constant(conv.strideHeight),
      constant(conv.strideWidth),
      constant(pad ? pad->top : 0),
      constant(pad ? pad->left : 0),
      floatConstant(pad ? pad->value : 0.0f),
      floatConstant(conv.lower),
      floatConstant(conv.upper),
      transform && transform->bias
          ? tessera::cpu::getElementPointer(builder, loc, transform->bias)
          : LLVM::ZeroOp::create(builder, loc, pointer).getResult(),
      transform && transform->bias ? strides(transform->bias).front()
                                   : constant(0),
      floatConstant(transform ? transform->lower
                              : -std::numeric_limits<float>::infinity()),
      floatConstant(transform ? transform->upper
                              : std::numeric_limits<float>::infinity())});
  SmallVector<Type> types = llvm::to_vector(ValueRange(arguments).getTypes());
  func::FuncOp kernel = tessera::cpu::getOrDeclareRuntimeFunction(
      module,
      ((producer ? "tessera_pointwise_depthwise_conv2d_"
                 : "tessera_depthwise_conv2d_") +
       variant)
          .str(),
      builder.getFunctionType(types, {}));
  func::CallOp::create(builder, loc, kernel, arguments);

  eraseWithWindows(op);
  if (transform)
    transform->op->erase();
  if (pad)
    tessera::cpu::eraseBufferizedPad(*pad, conv.windowed);
  if (producer) {
    // The product's buffer, now only viewed and freed, goes too.
    Value buffer = producer->product.getDpsInits()[0];
    producer->product->erase();
    producer->fill->erase();
    SmallVector<Operation *> rest(buffer.getUsers());
    for (Operation *user : rest)
      if (auto view = dyn_cast<memref::ExpandShapeOp>(user); view &&
          view->use_empty())
        view->erase();
    if (llvm::all_of(buffer.getUsers(),
                     [](Operation *user) { return isa<memref::DeallocOp>(user); })) {
      SmallVector<Operation *> deallocs(buffer.getUsers());
      for (Operation *dealloc : deallocs)
        dealloc->erase();
      buffer.getDefiningOp()->erase();
    }
  }
}

/// What the max pool call needs from a matched generic (or pair).
struct MaxPool {
  /// The buffer the taps are windows of.
  Value windowed;
  int64_t kernelHeight = 0, kernelWidth = 0, strideHeight = 1,
          strideWidth = 1;
  float lower = -std::numeric_limits<float>::infinity();
  float upper = std::numeric_limits<float>::infinity();
  /// The generic that reads `windowed` first: the matched one, or the
  /// column pass that a row pass (the matched one) reads.
  linalg::GenericOp first;
};

/// The operands of the maximumf tree `value` (inside `body`).
void collectMaxTerms(Value value, Block &body, SmallVectorImpl<Value> &terms) {
  auto max = value.getDefiningOp<arith::MaximumFOp>();
  if (max && max->getBlock() == &body) {
    collectMaxTerms(max.getLhs(), body, terms);
    collectMaxTerms(max.getRhs(), body, terms);
    return;
  }
  terms.push_back(value);
}

/// Matches `op` when it computes, for output (n, c, oh, ow), the max over
/// a kh x kw rectangle of taps (i, j) of window_ij[n, c, oh, ow] (the
/// subview of one buffer at offset (i, j) with strides (sh, sw)), then an
/// optional constant clamp: the form the MaxPool lowering leaves.
std::optional<MaxPool> matchMaxWindow(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 4 || op.getNumParallelLoops() != 4 ||
      op.getNumResults() != 0 ||
      !tessera::cpu::isImageWithContiguousRows(op.getDpsInits()[0]) ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  Block &body = op.getRegion().front();
  MaxPool pool;
  pool.first = op;
  Value result = tessera::cpu::peelConstantClamp(
      cast<linalg::YieldOp>(body.getTerminator()).getOperand(0), pool.lower,
      pool.upper);
  SmallVector<Value> terms;
  collectMaxTerms(result, body, terms);
  if (terms.size() < 2)
    return std::nullopt;
  llvm::SmallDenseSet<std::pair<int64_t, int64_t>> taps;
  for (Value term : terms) {
    OpOperand *window = tessera::cpu::getInputOfArgument(op, term);
    if (!window || !op.getMatchingIndexingMap(window).isIdentity())
      return std::nullopt;
    auto subview = window->get().getDefiningOp<memref::SubViewOp>();
    if (!subview ||
        !tessera::cpu::isImageWithContiguousRows(subview.getSource()) ||
        !cast<MemRefType>(subview.getType()).getElementType().isF32() ||
        (pool.windowed && pool.windowed != subview.getSource()))
      return std::nullopt;
    pool.windowed = subview.getSource();
    ArrayRef<int64_t> offsets = subview.getStaticOffsets();
    ArrayRef<int64_t> strides = subview.getStaticStrides();
    if (offsets[0] != 0 || offsets[1] != 0 || strides[0] != 1 ||
        strides[1] != 1 || ShapedType::isDynamic(offsets[2]) ||
        ShapedType::isDynamic(offsets[3]) || offsets[2] < 0 ||
        offsets[3] < 0 ||
        ShapedType::isDynamic(strides[2]) || ShapedType::isDynamic(strides[3]))
      return std::nullopt;
    if (taps.empty()) {
      pool.strideHeight = strides[2];
      pool.strideWidth = strides[3];
    } else if (pool.strideHeight != strides[2] ||
               pool.strideWidth != strides[3]) {
      return std::nullopt;
    }
    if (!taps.insert({offsets[2], offsets[3]}).second)
      return std::nullopt;
    pool.kernelHeight = std::max(pool.kernelHeight, offsets[2] + 1);
    pool.kernelWidth = std::max(pool.kernelWidth, offsets[3] + 1);
  }
  if (pool.kernelHeight > kMaxKernelExtent ||
      pool.kernelWidth > kMaxKernelExtent ||
      static_cast<int64_t>(taps.size()) !=
          pool.kernelHeight * pool.kernelWidth)
    return std::nullopt;
  return pool;
}

/// A separable max pool (see the MaxPool lowering) is a row pass, `pool`
/// (1 x kw taps with strides (1, sw)), over the buffer a column pass (kh x
/// 1 taps, strides (sh, 1)) writes for it alone: both as one kh x kw
/// window of the column pass's input, when nothing else writes memory
/// between them. The column pass then goes with the row pass.
void mergeColumnPass(MaxPool &pool) {
  if (pool.kernelHeight != 1 || pool.strideHeight != 1)
    return;
  auto allocation = pool.windowed.getDefiningOp<memref::AllocOp>();
  if (!allocation)
    return;
  linalg::GenericOp column;
  for (Operation *user : allocation->getUsers()) {
    if (isa<memref::DeallocOp>(user))
      continue;
    if (auto subview = dyn_cast<memref::SubViewOp>(user)) {
      if (llvm::any_of(subview->getUsers(), [&](Operation *reader) {
            return reader != pool.first.getOperation();
          }) ||
          !llvm::is_contained(pool.first.getDpsInputs(), subview.getResult()))
        return;
      continue;
    }
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (!generic || column || generic.getNumDpsInits() != 1 ||
        generic.getDpsInits()[0] != pool.windowed)
      return;
    column = generic;
  }
  std::optional<MaxPool> columns = column ? matchMaxWindow(column) : std::nullopt;
  if (!columns || columns->kernelWidth != 1 || columns->strideWidth != 1 ||
      columns->lower != -std::numeric_limits<float>::infinity() ||
      columns->upper != std::numeric_limits<float>::infinity() ||
      column->getBlock() != pool.first->getBlock() ||
      !column->isBeforeInBlock(pool.first))
    return;
  for (Operation *between = column->getNextNode(); between != pool.first;
       between = between->getNextNode())
    if (tessera::cpu::mayWriteMemory(between))
      return;
  pool.windowed = columns->windowed;
  pool.kernelHeight = columns->kernelHeight;
  pool.strideHeight = columns->strideHeight;
  pool.first = column;
}

/// Replaces `op` (and the column pass and pad it absorbs) by a call of
/// tessera_max_pool2d_<variant>.
void replaceWithMaxPoolCall(linalg::GenericOp op, MaxPool pool,
                            StringRef variant) {
  ModuleOp module = op->getParentOfType<ModuleOp>();
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Type i64 = builder.getI64Type(), f32 = builder.getF32Type();
  std::optional<tessera::cpu::BufferizedPad> pad =
      tessera::cpu::matchBufferizedPad(pool.windowed, pool.first,
                                       pool.first.getDpsInits()[0]);
  Value input = pad ? pad->source : pool.windowed;
  Value output = op.getDpsInits()[0];
  // The kernel reads whole input rows while it writes output rows.
  if (tessera::cpu::getRootBuffer(input) == tessera::cpu::getRootBuffer(output))
    return;
  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIntOp::create(builder, loc, i64, value);
  };
  auto floatConstant = [&](float value) -> Value {
    return arith::ConstantOp::create(builder, loc, f32,
                                     builder.getF32FloatAttr(value));
  };
  auto dim = [&](Value buffer, int64_t position) -> Value {
    return arith::IndexCastOp::create(
        builder, loc, i64, memref::DimOp::create(builder, loc, buffer, position));
  };
  SmallVector<Value> inputStrides =
      tessera::cpu::getStridesAsI64(builder, loc, input);
  SmallVector<Value> outputStrides =
      tessera::cpu::getStridesAsI64(builder, loc, output);
  SmallVector<Value> arguments = {
      dim(output, 0), dim(output, 1),
      tessera::cpu::getElementPointer(builder, loc, input), inputStrides[0],
      inputStrides[1], inputStrides[2], dim(input, 2), dim(input, 3),
      constant(pool.kernelHeight), constant(pool.kernelWidth),
      tessera::cpu::getElementPointer(builder, loc, output), outputStrides[0],
      outputStrides[1], outputStrides[2], dim(output, 2), dim(output, 3),
      constant(pool.strideHeight), constant(pool.strideWidth),
      constant(pad ? pad->top : 0), constant(pad ? pad->left : 0),
      floatConstant(pad ? pad->value : -std::numeric_limits<float>::infinity()),
      floatConstant(pool.lower), floatConstant(pool.upper)};
  SmallVector<Type> types = llvm::to_vector(ValueRange(arguments).getTypes());
  func::FuncOp kernel = tessera::cpu::getOrDeclareRuntimeFunction(
      module, ("tessera_max_pool2d_" + variant).str(),
      builder.getFunctionType(types, {}));
  func::CallOp::create(builder, loc, kernel, arguments);

  eraseWithWindows(op);
  if (pool.first != op) {
    Value columns = pool.first.getDpsInits()[0];
    eraseWithWindows(pool.first);
    Operation *allocation = columns.getDefiningOp();
    for (Operation *user : llvm::make_early_inc_range(columns.getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    if (allocation && allocation->use_empty())
      allocation->erase();
  }
  if (pad)
    tessera::cpu::eraseBufferizedPad(*pad, pool.windowed);
}

struct DepthwiseToMicrokernelPass
    : public tessera::cpu::impl::TesseraDepthwiseToMicrokernelBase<
          DepthwiseToMicrokernelPass> {
  using Base::Base;

  void runOnOperation() override {
    if (isa == "none")
      return;
    if (failed(tessera::cpu::checkKernelIsa(getOperation(), getArgument(),
                                            isa)))
      return signalPassFailure();
    SmallVector<std::pair<linalg::GenericOp, DepthwiseConvolution>> matches;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<DepthwiseConvolution> conv = matchDepthwise(op))
        matches.emplace_back(op, *conv);
    });
    for (auto &[op, conv] : matches)
      replaceWithCall(op, conv, isa, fusePointwise);
  }
};

struct MaxPoolToMicrokernelPass
    : public tessera::cpu::impl::TesseraMaxPoolToMicrokernelBase<
          MaxPoolToMicrokernelPass> {
  using Base::Base;

  void runOnOperation() override {
    if (isa == "none")
      return;
    if (failed(tessera::cpu::checkKernelIsa(getOperation(), getArgument(),
                                            isa)))
      return signalPassFailure();
    SmallVector<std::pair<linalg::GenericOp, MaxPool>> matches;
    getOperation().walk([&](linalg::GenericOp op) {
      std::optional<MaxPool> pool = matchMaxWindow(op);
      if (!pool)
        return;
      // A column pass is taken with the row pass that reads it.
      if (pool->kernelWidth == 1 && pool->strideWidth == 1 &&
          pool->lower == -std::numeric_limits<float>::infinity() &&
          pool->upper == std::numeric_limits<float>::infinity())
        return;
      mergeColumnPass(*pool);
      matches.emplace_back(op, *pool);
    });
    for (auto &[op, pool] : matches)
      replaceWithMaxPoolCall(op, pool, isa);
  }
};

} // namespace
