//===- Passes.h - CPU target passes -----------------------------*- C++ -*-===//

#ifndef TESSERA_TARGET_CPU_PASSES_H
#define TESSERA_TARGET_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

#include <limits>

namespace mlir::tessera::cpu {

/// Marks set by tessera-outline-kernels on the kernels it creates and
/// consumed on the LLVM dialect (tessera-kernel-noalias-args,
/// tessera-dispatch-parallel-kernels).
constexpr llvm::StringLiteral kNoAliasArgsAttr = "tessera.noalias_args";
constexpr llvm::StringLiteral kParallelKernelAttr = "tessera.parallel_kernel";

/// The linalg.fill of zero into exactly the output of a reduction `op` on
/// buffers that `op` directly follows (only side-effect-free ops, such as
/// views and index arithmetic, between the two), if any.
/// tessera-outline-kernels puts it into `op`'s kernel;
/// tessera-matmul-to-microkernel then folds the pair into one call that
/// overwrites the output.
linalg::FillOp getZeroFillOfOutput(linalg::LinalgOp op);

/// The elementwise op that directly follows the reduction `op` on buffers
/// (only side-effect-free ops between) and works in place on exactly its
/// output, over the output's dimensions (as tessera-fuse-product-epilogues
/// leaves a product's bias and activation), if any.
/// tessera-outline-kernels puts it into `op`'s kernel;
/// tessera-matmul-to-microkernel applies it in the micro-kernel when it
/// can.
linalg::GenericOp getInPlaceEpilogue(linalg::LinalgOp op);

/// The loops of a matrix product and where each operand has them: C is
/// ([batch,] m, n), A ([batch,] m, k) and B ([batch,] k, n).
struct MatmulLoops {
  std::optional<unsigned> batch;
  unsigned m, n, k;
  bool aHasBatch, bHasBatch;
};

/// The loops of `op` when it is an fp32 matrix product on buffers whose
/// rows are contiguous, the form tessera-matmul-to-microkernel hands to the
/// runtime's micro-kernel (and tessera-prepack-weights packs weights for).
std::optional<MatmulLoops> matchMatmul(linalg::GenericOp op);

/// The input operand whose block argument `value` is in `op`'s body (null
/// for anything else, the output's argument included).
OpOperand *getInputOfArgument(linalg::GenericOp op, Value value);

/// The buffer `value` is a view of (through every view-like op).
Value getRootBuffer(Value value);

/// Whether `op` may write or free memory (reads and fresh allocations may
/// not), other than through views of `exemptRoot` (a root buffer; null:
/// none is exempt).
bool mayWriteMemory(Operation *op, Value exemptRoot = Value());

/// Peels `min(upper, max(lower, x))` (either part optional, constants that
/// are not NaNs, on either side) off `value`, setting the bounds it finds
/// and counting the ops in `peeledOps`; returns x. This is the clamp the
/// runtime's kernels apply (ReLU, ReLU6, Clip).
Value peelConstantClamp(Value value, float &lower, float &upper,
                        unsigned *peeledOps = nullptr);

/// The in-place epilogue of a product or convolution in the terms of the
/// runtime's kernels that apply one (tessera_sgemm_fused_*,
/// tessera_conv3x3_winograd_*, tessera_conv2d_direct_*): min(upper, max(lower, (out + addends[0]) +
/// addends[1])), with at most two addends.
struct KernelEpilogue {
  linalg::GenericOp op;
  SmallVector<OpOperand *, 2> addends;
  float lower = -std::numeric_limits<float>::infinity();
  float upper = std::numeric_limits<float>::infinity();
};

/// getInPlaceEpilogue(`op`) when it is such an epilogue: each addend is an
/// f32 buffer that indexes each output dimension at most once (by a plain
/// dim or element 0), the contiguous one, if at all, at unit stride, and
/// is known not to overlap the output (the kernels apply the epilogue to
/// each block of the output as they complete it).
std::optional<KernelEpilogue> matchKernelEpilogue(linalg::LinalgOp op);

/// The address of `buffer`'s first element (its aligned pointer plus its
/// offset) as an LLVM pointer: how calls into the package runtime pass
/// buffers.
Value getElementPointer(OpBuilder &builder, Location loc, Value buffer);

/// The buffer whose getElementPointer `pointer` is, if it is one.
Value getBufferOfElementPointer(Value pointer);

/// `buffer`'s strides, in elements, as i64 call arguments.
SmallVector<Value> getStridesAsI64(OpBuilder &builder, Location loc,
                                   Value buffer);

/// The i64 stride, in elements, of an operand along loop `loop` of the op
/// whose indexing map for it is `map`, given the operand buffer's index
/// `strides` (memref.extract_strided_metadata's): a zero constant when no
/// result of `map` is that loop. How a runtime kernel is told where an
/// epilogue's addend moves as the output does.
Value getStrideAlongLoop(OpBuilder &builder, Location loc, AffineMap map,
                         ValueRange strides, unsigned loop);

/// Whether `value` is a rank-4 f32 memref (an NCHW image) whose rows have
/// unit stride: what the runtime's convolution kernels take, with any
/// batch, channel and row strides.
bool isImageWithContiguousRows(Value value);

/// How a tensor.pad bufferized: `fill` (a linalg.fill or a linalg.map
/// yielding a constant) writes `value` over all of the padded NCHW image,
/// then `copy` writes `source` into its `interior`, whose rows and columns
/// start at (top, left).
struct BufferizedPad {
  Operation *fill;
  memref::SubViewOp interior;
  memref::CopyOp copy;
  Value source;
  float value;
  int64_t top, left;
};

/// The pad that produced `padded` for `consumer` (which writes `output`),
/// when the consumer can read the pad's source in its place (a runtime
/// window kernel that pads as it reads): `padded` is an allocation padded
/// along rows and columns only, every other use of it is the pad's, the
/// consumer's or a window (subview) only the consumer uses, the source is
/// not part of `output`'s buffer, and nothing between the copy and the
/// consumer may write memory except `output` (when it is a fresh
/// allocation and the source a buffer of its own).
std::optional<BufferizedPad> matchBufferizedPad(Value padded,
                                                Operation *consumer,
                                                Value output);

/// Erases the pad a call now reads through: its copy, interior view, fill
/// and, once unused, the `padded` buffer.
void eraseBufferizedPad(const BufferizedPad &pad, Value padded);

/// Whether `isa` names a variant of the runtime's kernels (avx512 or
/// avx2); emits "PASS: unknown isa ..." on `op` otherwise. "none" is for
/// the caller to handle before.
LogicalResult checkKernelIsa(Operation *op, StringRef pass, StringRef isa);

/// The private declaration of the runtime function `name` in `module`,
/// added with `type` when missing.
func::FuncOp getOrDeclareRuntimeFunction(ModuleOp module, StringRef name,
                                         FunctionType type);

#define GEN_PASS_DECL
#include "tessera/Target/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tessera/Target/CPU/Passes.h.inc"

} // namespace mlir::tessera::cpu

#endif // TESSERA_TARGET_CPU_PASSES_H
