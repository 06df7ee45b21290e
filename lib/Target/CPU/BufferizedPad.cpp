//===- BufferizedPad.cpp - the fill and copy a tensor.pad bufferizes to ---===//
//
// A padded convolution or pool input reaches the CPU passes as a buffer
// filled with the pad value and the unpadded input copied into its
// interior: two passes over a buffer larger than the input. The runtime's
// window kernels (depthwise, max pool, Winograd) pad as they read instead;
// the passes that call them match the pad here and read its source.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

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

/// Whether `op` may write or free memory of the buffer `root` (writes
/// through values whose root is another buffer cannot reach it).
bool mayWriteBuffer(Operation *op, Value root) {
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return !isMemoryEffectFree(op);
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [&](const MemoryEffects::EffectInstance &e) {
    if (!isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect()))
      return false;
    Value value = e.getValue();
    return !value || cpu::getRootBuffer(value) == root;
  });
}

} // namespace

std::optional<cpu::BufferizedPad>
cpu::matchBufferizedPad(Value padded, Operation *consumer, Value output) {
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
    ArrayRef<int64_t> offsets = subview.getStaticOffsets();
    if (pad.copy || copy.getTarget() != subview.getResult() ||
        !subview.hasUnitStride() || offsets[0] != 0 || offsets[1] != 0 ||
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
  // The consumer reads the source where it read the copy: nothing may
  // write the source in between (an output's zero fill may come there).
  Value sourceRoot = getRootBuffer(pad.source);
  for (Operation *between = pad.copy->getNextNode(); between != consumer;
       between = between->getNextNode())
    if (mayWriteBuffer(between, sourceRoot))
      return std::nullopt;
  // The kernels read whole input rows while they write output rows, so the
  // source must not be (part of) the output's buffer.
  if (sourceRoot == getRootBuffer(output))
    return std::nullopt;
  return pad;
}

void cpu::eraseBufferizedPad(const BufferizedPad &pad, Value padded) {
  pad.copy->erase();
  pad.interior->erase();
  pad.fill->erase();
  if (Operation *allocation = padded.getDefiningOp())
    if (isa<memref::AllocOp>(allocation) && allocation->use_empty())
      allocation->erase();
}
