//===- ConvToMicrokernel.cpp - convolutions on the runtime's kernels ------===//
//
// Two kinds of convolution do better on a kernel of their own than as
// im2col and a matrix product:
// - 3x3 stride-1 ones, by Winograd F(2x2, 3x3) or F(4x4, 3x3): 4 or 2.25
//   multiply-adds per output, channel and filter instead of 9, plus
//   transforms. The runtime's kernel (lib/Runtime/WinogradConv.c) runs the
//   16 or 36 per-point products on the GEMM micro-kernel and keeps each
//   weight tensor's transform; on ResNet-18's 3x3 layers F(2x2, 3x3) took
//   0.53-0.74 of im2col + GEMM's time (AVX-512).
// - Those of few input channels (a network's stem), directly
//   (lib/Runtime/DirectConv.c): their windows (27 values for 3 channels,
//   3x3) are too short for the micro-kernel to amortize its blocks, and
//   im2col would copy each input value 9 times through L2.
// The Conv lowering leaves these convolutions whole, as
// linalg.conv_2d_nchw_fchw, when the target asks for it; this pass
// replaces each one, its zero fill and its in-place epilogue with one
// call. When the padded input is a zero pad only the convolution reads,
// the call reads the pad's source and pads as it reads, and the pad's
// fill and copy go.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Runtime/tessera_package_abi.h"

#include <cmath>

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERACONVTOMICROKERNEL
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;

namespace {

/// The runtime kernel that computes a convolution.
enum class ConvolutionKernel { Winograd, Direct };

/// Which kernel computes `op`, or why none does. Both take fp32 NCHW on
/// buffers, undilated, with weights stored whole ([F][C][KH][KW],
/// contiguous), unit-stride rows, static channels and spatial sizes, and a
/// zero fill of the output just before. The direct kernel (when `direct`)
/// takes the shapes isDirectConvolutionShape accepts (a stem's);
/// Winograd 3x3 windows of stride 1 on an input of exactly (OH + 2) x
/// (OW + 2) (already padded).
FailureOr<ConvolutionKernel> chooseKernel(linalg::Conv2DNchwFchwOp op,
                                          linalg::FillOp fill, bool direct,
                                          std::string &whyNot) {
  static_assert(tessera::kDirectConvolutionMaxChannels == 4 &&
                    TESSERA_SGEMM_KC == 256,
                "the refusal below names these limits");
  auto refuse = [&](const Twine &reason) {
    whyNot = reason.str();
    return failure();
  };
  if (!op.hasPureBufferSemantics())
    return refuse("not on buffers");
  if (!llvm::all_of(op.getDilations().getValues<int64_t>(),
                    [](int64_t d) { return d == 1; }))
    return refuse("dilated");
  Value input = op.getDpsInputs()[0], weights = op.getDpsInputs()[1],
        output = op.getDpsInits()[0];
  auto weightsType = cast<MemRefType>(weights.getType());
  if (!weightsType.getElementType().isF32() ||
      !memref::isStaticShapeAndContiguousRowMajor(weightsType))
    return refuse("weights are not contiguous f32 [F][C][KH][KW]");
  if (!tessera::cpu::isImageWithContiguousRows(input) ||
      !tessera::cpu::isImageWithContiguousRows(output))
    return refuse("input or output rows are not contiguous f32");
  auto inputType = cast<MemRefType>(input.getType());
  auto outputType = cast<MemRefType>(output.getType());
  for (int64_t dim : {1, 2, 3})
    if (inputType.isDynamicDim(dim) || outputType.isDynamicDim(dim))
      return refuse("dynamic channels or spatial sizes");
  if (!fill)
    return refuse("output is not zero-filled just before");
  SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
  if (direct && tessera::isDirectConvolutionShape(
                    weightsType.getDimSize(1), weightsType.getDimSize(2),
                    weightsType.getDimSize(3), strides, TESSERA_SGEMM_KC))
    return ConvolutionKernel::Direct;
  if (!llvm::all_of(strides, [](int64_t s) { return s == 1; }) ||
      weightsType.getDimSize(2) != 3 || weightsType.getDimSize(3) != 3)
    return refuse(direct ? "neither 3x3 of stride 1 (Winograd) nor of at "
                           "most 4 input channels, strides of at most 2 "
                           "and 256 window values (direct)"
                         : "not 3x3 of stride 1 (Winograd; the direct "
                           "kernel is off)");
  if (inputType.getDimSize(2) != outputType.getDimSize(2) + 2 ||
      inputType.getDimSize(3) != outputType.getDimSize(3) + 2)
    return refuse("input is not the output's size plus the window");
  return ConvolutionKernel::Winograd;
}

/// The zero pad that made `op`'s input, when the kernel can pad in its
/// place.
std::optional<tessera::cpu::BufferizedPad>
matchZeroPad(linalg::Conv2DNchwFchwOp op) {
  std::optional<tessera::cpu::BufferizedPad> pad =
      tessera::cpu::matchBufferizedPad(op.getDpsInputs()[0], op,
                                       op.getDpsInits()[0]);
  // The kernel pads with +0.0; another value would change the sums. It
  // takes the source's height and width as constants.
  if (!pad || pad->value != 0.0f || std::signbit(pad->value) ||
      !cast<MemRefType>(pad->source.getType()).hasStaticShape())
    return std::nullopt;
  return pad;
}

/// Replaces `op`, its fill, epilogue and pad by a call of `kernel`, whose
/// parameters are TESSERA_WINOGRAD_CONV3X3_PARAMETERS with `window` (the
/// direct kernel's window sizes and strides) after the pads.
void replaceWithCall(linalg::Conv2DNchwFchwOp op, linalg::FillOp fill,
                     std::optional<tessera::cpu::KernelEpilogue> epilogue,
                     std::optional<tessera::cpu::BufferizedPad> pad,
                     func::FuncOp kernel, ArrayRef<int64_t> window) {
  // The epilogue's operands may be defined after the convolution.
  OpBuilder builder(epilogue ? epilogue->op.getOperation()
                             : op.getOperation());
  Location loc = op.getLoc();
  Type i64 = builder.getI64Type(), f32 = builder.getF32Type();
  Type pointer = LLVM::LLVMPointerType::get(builder.getContext());
  Value padded = op.getDpsInputs()[0], weights = op.getDpsInputs()[1],
        output = op.getDpsInits()[0];
  Value input = pad ? pad->source : padded;

  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIntOp::create(builder, loc, i64, value);
  };
  auto floatConstant = [&](float value) -> Value {
    return arith::ConstantOp::create(builder, loc, f32,
                                     builder.getF32FloatAttr(value));
  };
  auto strides = [&](Value buffer) {
    return tessera::cpu::getStridesAsI64(builder, loc, buffer);
  };
  auto inputType = cast<MemRefType>(input.getType());
  auto outputType = cast<MemRefType>(output.getType());
  auto weightsType = cast<MemRefType>(weights.getType());

  // A batch element's operands are the batch's first element's, each
  // moved by its stride along the batch (0 for per-channel addends).
  struct Operand {
    Value base, batchStride;
  };
  auto operand = [&](Value buffer, Value batchStride) {
    return Operand{tessera::cpu::getElementPointer(builder, loc, buffer),
                   batchStride};
  };
  SmallVector<Value> inputStrides = strides(input);
  SmallVector<Value> outputStrides = strides(output);
  Operand inputOperand = operand(input, inputStrides[0]);
  Operand outputOperand = operand(output, outputStrides[0]);
  // Per addend slot: the operand, then its channel, row and column
  // strides (along the epilogue's loops, which are the output's).
  SmallVector<Operand, 2> addends;
  SmallVector<SmallVector<Value, 3>, 2> addendStrides;
  for (unsigned slot = 0; slot < 2; ++slot) {
    if (!epilogue || slot >= epilogue->addends.size()) {
      addends.push_back(
          {LLVM::ZeroOp::create(builder, loc, pointer), constant(0)});
      addendStrides.push_back({constant(0), constant(0), constant(0)});
      continue;
    }
    OpOperand *addend = epilogue->addends[slot];
    AffineMap map = epilogue->op.getMatchingIndexingMap(addend);
    auto metadata =
        memref::ExtractStridedMetadataOp::create(builder, loc, addend->get());
    auto strideAlong = [&](unsigned loop) {
      return tessera::cpu::getStrideAlongLoop(builder, loc, map,
                                              metadata.getStrides(), loop);
    };
    addends.push_back(operand(addend->get(), strideAlong(0)));
    addendStrides.push_back({strideAlong(1), strideAlong(2),
                             map.isFunctionOfDim(3) ? constant(1)
                                                    : constant(0)});
  }
  Value weightsPointer =
      tessera::cpu::getElementPointer(builder, loc, weights);
  float lower = epilogue ? epilogue->lower
                         : -std::numeric_limits<float>::infinity();
  float upper = epilogue ? epilogue->upper
                         : std::numeric_limits<float>::infinity();
  Value lowerValue = floatConstant(lower), upperValue = floatConstant(upper);

  auto emitCall = [&](OpBuilder &b, Value batchIndex) {
    // Element `batchIndex` of each operand (the operand itself for batch 0).
    auto at = [&](const Operand &operand) -> Value {
      if (!batchIndex)
        return operand.base;
      Value offset = arith::MulIOp::create(b, loc, batchIndex,
                                           operand.batchStride);
      return LLVM::GEPOp::create(b, loc, pointer, f32, operand.base,
                                 ValueRange{offset});
    };
    SmallVector<Value> arguments = {
        constant(weightsType.getDimSize(1)),
        constant(weightsType.getDimSize(0)),
        at(inputOperand),
        inputStrides[1],
        inputStrides[2],
        constant(inputType.getDimSize(2)),
        constant(inputType.getDimSize(3)),
        constant(pad ? pad->top : 0),
        constant(pad ? pad->left : 0)};
    for (int64_t value : window)
      arguments.push_back(constant(value));
    arguments.append({weightsPointer,
        at(outputOperand),
        outputStrides[1],
        outputStrides[2],
        constant(outputType.getDimSize(2)),
        constant(outputType.getDimSize(3))});
    for (unsigned slot = 0; slot < 2; ++slot) {
      arguments.push_back(at(addends[slot]));
      llvm::append_range(arguments, addendStrides[slot]);
    }
    arguments.append({lowerValue, upperValue});
    func::CallOp::create(b, loc, kernel, arguments);
  };
  if (outputType.getDimSize(0) == 1) {
    emitCall(builder, Value());
  } else {
    Value batch = arith::IndexCastOp::create(
        builder, loc, i64, memref::DimOp::create(builder, loc, output, 0));
    scf::ForOp::create(builder, loc, constant(0), batch, constant(1),
                       ValueRange{},
                       [&](OpBuilder &b, Location, Value index, ValueRange) {
                         emitCall(b, index);
                         scf::YieldOp::create(b, loc);
                       });
  }
  op->erase();
  fill->erase();
  if (epilogue)
    epilogue->op->erase();
  if (pad)
    tessera::cpu::eraseBufferizedPad(*pad, padded);
}

struct ConvToMicrokernelPass
    : public tessera::cpu::impl::TesseraConvToMicrokernelBase<
          ConvToMicrokernelPass> {
  using Base::Base;

  void runOnOperation() override {
    if (isa == "none")
      return;
    if (failed(tessera::cpu::checkKernelIsa(getOperation(), getArgument(),
                                            isa)))
      return signalPassFailure();
    ModuleOp module = getOperation();
    if (winogradTile != "2x2" && winogradTile != "4x4") {
      module.emitError() << getArgument() << ": winograd-tile must be 2x2 "
                         << "or 4x4, not '" << winogradTile << "'";
      return signalPassFailure();
    }
    SmallVector<linalg::Conv2DNchwFchwOp> convolutions;
    module.walk([&](linalg::Conv2DNchwFchwOp op) {
      convolutions.push_back(op);
    });
    for (linalg::Conv2DNchwFchwOp op : convolutions) {
      linalg::FillOp fill = tessera::cpu::getZeroFillOfOutput(op);
      std::string whyNot;
      FailureOr<ConvolutionKernel> kernel =
          chooseKernel(op, fill, direct, whyNot);
      if (failed(kernel)) {
        // It still lowers (to loops), correct but slow: say so.
        op.emitWarning() << getArgument()
                         << ": left as loops, not a convolution kernel: "
                         << whyNot;
        continue;
      }
      std::optional<tessera::cpu::KernelEpilogue> epilogue =
          tessera::cpu::matchKernelEpilogue(op);
      if (*kernel == ConvolutionKernel::Winograd) {
        replaceWithCall(op, fill, epilogue, matchZeroPad(op),
                        getWinogradKernel(module), {});
        continue;
      }
      auto weightsType = cast<MemRefType>(op.getDpsInputs()[1].getType());
      SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
      replaceWithCall(op, fill, epilogue, matchZeroPad(op),
                      getDirectKernel(module),
                      {weightsType.getDimSize(2), weightsType.getDimSize(3),
                       strides[0], strides[1]});
    }
  }

private:
  /// The kernel's declaration: TESSERA_WINOGRAD_CONV3X3_PARAMETERS in
  /// tessera_package_abi.h (channels, filters; the input, its channel and
  /// row strides, height, width and pads; the weights; the output, its
  /// strides and size; two addends; the bounds), with `windowParameters`
  /// i64 values after the pads.
  func::FuncOp getKernel(ModuleOp module, StringRef name,
                         unsigned windowParameters) {
    Builder b(&getContext());
    Type i64 = b.getI64Type(), f32 = b.getF32Type();
    Type pointer = LLVM::LLVMPointerType::get(&getContext());
    SmallVector<Type> parameters = {i64, i64, pointer, i64, i64,
                                    i64, i64, i64,     i64};
    parameters.append(windowParameters, i64);
    parameters.append({pointer, pointer, i64, i64, i64, i64});
    for (int slot = 0; slot < 2; ++slot)
      parameters.append({pointer, i64, i64, i64});
    parameters.append({f32, f32});
    return tessera::cpu::getOrDeclareRuntimeFunction(
        module, (name + isa).str(), b.getFunctionType(parameters, {}));
  }
  func::FuncOp getWinogradKernel(ModuleOp module) {
    return getKernel(module,
                     winogradTile == "4x4" ? "tessera_conv3x3_winograd_4x4_"
                                           : "tessera_conv3x3_winograd_",
                     0);
  }
  /// TESSERA_DIRECT_CONV2D_PARAMETERS: the window's height, width and
  /// strides after the pads.
  func::FuncOp getDirectKernel(ModuleOp module) {
    return getKernel(module, "tessera_conv2d_direct_", 4);
  }
};

} // namespace
