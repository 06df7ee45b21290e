//===- RuntimeCalls.cpp - passing buffers to the package runtime ----------===//
//
// The runtime's kernels (tessera_package_abi.h) take plain C pointers and
// strides, not memref descriptors: a call passes each buffer's first
// element's address.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

using namespace mlir;

Value tessera::cpu::getElementPointer(OpBuilder &builder, Location loc,
                                      Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  auto metadata =
      memref::ExtractStridedMetadataOp::create(builder, loc, buffer);
  Value aligned =
      memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, buffer);
  Value elementBytes = arith::ConstantIndexOp::create(
      builder, loc, type.getElementTypeBitWidth() / 8);
  Value byteOffset =
      arith::MulIOp::create(builder, loc, metadata.getOffset(), elementBytes);
  Value address = arith::AddIOp::create(builder, loc, aligned, byteOffset);
  return LLVM::IntToPtrOp::create(
      builder, loc, LLVM::LLVMPointerType::get(builder.getContext()),
      arith::IndexCastOp::create(builder, loc, builder.getI64Type(), address)
          .getResult());
}

Value tessera::cpu::getBufferOfElementPointer(Value pointer) {
  auto toPointer = pointer.getDefiningOp<LLVM::IntToPtrOp>();
  auto toI64 = toPointer
                   ? toPointer.getArg().getDefiningOp<arith::IndexCastOp>()
                   : arith::IndexCastOp();
  if (!toI64)
    return Value();
  Value address = toI64.getIn();
  // Canonicalized, a static zero offset leaves the aligned pointer alone.
  if (auto aligned =
          address.getDefiningOp<memref::ExtractAlignedPointerAsIndexOp>()) {
    auto type = cast<MemRefType>(aligned.getSource().getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    return succeeded(type.getStridesAndOffset(strides, offset)) && offset == 0
               ? aligned.getSource()
               : Value();
  }
  auto sum = address.getDefiningOp<arith::AddIOp>();
  auto aligned =
      sum ? sum.getLhs().getDefiningOp<memref::ExtractAlignedPointerAsIndexOp>()
          : memref::ExtractAlignedPointerAsIndexOp();
  auto byteOffset = sum ? sum.getRhs().getDefiningOp<arith::MulIOp>()
                        : arith::MulIOp();
  auto metadata =
      byteOffset ? byteOffset.getLhs()
                       .getDefiningOp<memref::ExtractStridedMetadataOp>()
                 : memref::ExtractStridedMetadataOp();
  if (!aligned || !metadata || metadata.getSource() != aligned.getSource() ||
      byteOffset.getLhs() != metadata.getOffset())
    return Value();
  return aligned.getSource();
}

SmallVector<Value> tessera::cpu::getStridesAsI64(OpBuilder &builder,
                                                Location loc, Value buffer) {
  auto metadata =
      memref::ExtractStridedMetadataOp::create(builder, loc, buffer);
  SmallVector<Value> strides;
  for (Value stride : metadata.getStrides())
    strides.push_back(arith::IndexCastOp::create(
        builder, loc, builder.getI64Type(), stride));
  return strides;
}

Value tessera::cpu::getStrideAlongLoop(OpBuilder &builder, Location loc,
                                       AffineMap map, ValueRange strides,
                                       unsigned loop) {
  for (auto [position, expr] : llvm::enumerate(map.getResults()))
    if (auto dim = dyn_cast<AffineDimExpr>(expr); dim &&
                                                  dim.getPosition() == loop)
      return arith::IndexCastOp::create(builder, loc, builder.getI64Type(),
                                        strides[position]);
  return arith::ConstantIntOp::create(builder, loc, builder.getI64Type(), 0);
}

bool tessera::cpu::isImageWithContiguousRows(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  return type && type.getRank() == 4 && type.getElementType().isF32() &&
         succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

LogicalResult tessera::cpu::checkKernelIsa(Operation *op, StringRef pass,
                                           StringRef isa) {
  if (isa == "avx512" || isa == "avx2")
    return success();
  return op->emitError() << pass << ": unknown isa '" << isa
                         << "' (expected avx512, avx2 or none)";
}

func::FuncOp tessera::cpu::getOrDeclareRuntimeFunction(ModuleOp module,
                                                       StringRef name,
                                                       FunctionType type) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder builder(module.getBodyRegion());
  auto declaration =
      func::FuncOp::create(builder, module.getLoc(), name, type);
  declaration.setPrivate();
  return declaration;
}
