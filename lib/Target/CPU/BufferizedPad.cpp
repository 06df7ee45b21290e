//===- BufferizedPad.cpp - the fill and copy a tensor.pad bufferizes to ---===//
//
// A padded convolution or pool input reaches the CPU passes as a buffer
// filled with the pad value and the unpadded input copied into its
// interior: two passes over a buffer larger than the input. The runtime's
// window kernels (depthwise, max pool, Winograd, direct) pad as they read
// instead;
// the passes that call them match the pad here and read its source.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::tessera;

namespace {

/// The value of an f32 constant.
std::optional<float> getF32Constant(Value value) {
  FloatAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.getType().isF32())
    return std::nullopt;
  return attr.getValue().convertToFloat();
}

/// Whether `root` is a buffer of its own: an allocation, a global or a
/// function argument, not a value (an scf.if's, a call's) that may be
/// another buffer under a new name.
bool isKnownBuffer(Value root) {
  if (auto argument = dyn_cast<BlockArgument>(root))
    return isa<FunctionOpInterface>(argument.getOwner()->getParentOp());
  return isa_and_nonnull<memref::AllocOp, memref::AllocaOp,
                         memref::GetGlobalOp>(root.getDefiningOp());
}

} // namespace

std::optional<cpu::BufferizedPad>
cpu::matchBufferizedPad(Value padded, Operation *consumer, Value output) {
  // The pad's fill and copy go once the consumer reads the source, so
  // nothing else may see the padded buffer.
  auto paddedType = dyn_cast<MemRefType>(padded.getType());
  if (!padded.getDefiningOp<memref::AllocOp>() || !paddedType ||
      paddedType.getRank() != 4)
    return std::nullopt;
  BufferizedPad pad{};
  for (Operation *user : padded.getUsers()) {
    if (user == consumer)
      continue;
    if (auto map = dyn_cast<linalg::MapOp>(user)) {
      auto yield =
          cast<linalg::YieldOp>(map.getMapper().front().getTerminator());
      std::optional<float> value = getF32Constant(yield.getOperand(0));
      if (pad.fill || !map.getInputs().empty() || map.getInit() != padded ||
          !value)
        return std::nullopt;
      pad.fill = map;
      pad.value = *value;
      continue;
    }
    if (auto fill = dyn_cast<linalg::FillOp>(user)) {
      std::optional<float> value = getF32Constant(fill.getInputs()[0]);
      if (pad.fill || fill.getOutputs()[0] != padded || !value)
        return std::nullopt;
      pad.fill = fill;
      pad.value = *value;
      continue;
    }
    auto subview = dyn_cast<memref::SubViewOp>(user);
    if (!subview)
      return std::nullopt;
    // With stride 1 a window at the pad's offsets is the interior the copy
    // writes, and CSE has made them one subview.
    memref::CopyOp copy;
    for (Operation *op : subview->getUsers()) {
      if (op == consumer)
        continue;
      auto other = dyn_cast<memref::CopyOp>(op);
      if (!other || copy)
        return std::nullopt;
      copy = other;
    }
    if (!copy)
      continue;
    // Only rows and columns are padded: the interior spans every image and
    // channel (the kernels take those counts from their output).
    ArrayRef<int64_t> offsets = subview.getStaticOffsets();
    ArrayRef<int64_t> sizes = subview.getStaticSizes();
    if (pad.copy || copy.getTarget() != subview.getResult() ||
        !subview.hasUnitStride() || offsets[0] != 0 || offsets[1] != 0 ||
        ShapedType::isDynamic(paddedType.getDimSize(0)) ||
        ShapedType::isDynamic(paddedType.getDimSize(1)) ||
        sizes[0] != paddedType.getDimSize(0) ||
        sizes[1] != paddedType.getDimSize(1) ||
        ShapedType::isDynamic(offsets[2]) ||
        ShapedType::isDynamic(offsets[3]) ||
        !isImageWithContiguousRows(copy.getSource()))
      return std::nullopt;
    pad.interior = subview;
    pad.copy = copy;
    pad.source = copy.getSource();
    pad.top = offsets[2];
    pad.left = offsets[3];
  }
  if (!pad.fill || !pad.copy)
    return std::nullopt;
  Block *block = consumer->getBlock();
  if (pad.fill->getBlock() != block || pad.copy->getBlock() != block ||
      !pad.fill->isBeforeInBlock(pad.copy) ||
      !pad.copy->isBeforeInBlock(consumer))
    return std::nullopt;
  // The kernels read whole input rows while they write output rows, so the
  // source must not be (part of) the output's buffer.
  Value sourceRoot = getRootBuffer(pad.source),
        outputRoot = getRootBuffer(output);
  if (sourceRoot == outputRoot)
    return std::nullopt;
  // The consumer reads the source where it read the copy: nothing may
  // write memory in between, except the output (its zero fill) when it is
  // a fresh allocation and the source a buffer of its own, which it then
  // cannot be.
  bool outputApart = outputRoot.getDefiningOp<memref::AllocOp>() &&
                     isKnownBuffer(sourceRoot);
  for (Operation *between = pad.copy->getNextNode(); between != consumer;
       between = between->getNextNode())
    if (mayWriteMemory(between, outputApart ? outputRoot : Value()))
      return std::nullopt;
  return pad;
}

void cpu::eraseBufferizedPad(const BufferizedPad &pad, Value padded) {
  pad.copy->erase();
  pad.interior->erase();
  pad.fill->erase();
  // matchBufferizedPad takes only allocations.
  Operation *allocation = padded.getDefiningOp();
  if (allocation->use_empty())
    allocation->erase();
}
