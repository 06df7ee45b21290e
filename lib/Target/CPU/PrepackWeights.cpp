//===- PrepackWeights.cpp - weights in the micro-kernel's layout ----------===//
//
// The runtime's micro-kernel reads A and B from panels (lib/Runtime/Gemm.c).
// Packing a weight into them on its first use costs the first run, and
// keeps both copies resident. Packing it here costs neither: the copy goes
// into the weights blob, and the runtime finds it through the package's
// `packed` records.
//
//===----------------------------------------------------------------------===//

#include "tessera/Codegen/Passes.h"
#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"
#include "tessera/Runtime/tessera_package_abi.h"
#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir::tessera::cpu {
#define GEN_PASS_DEF_TESSERAPREPACKWEIGHTS
#include "tessera/Target/CPU/Passes.h.inc"
} // namespace mlir::tessera::cpu

using namespace mlir;
using namespace mlir::tessera;

namespace {

/// The byte offset in the weights blob of the weight that `operand` views
/// whole (a view of `blob` through reshapes only), if it does.
std::optional<int64_t> getWholeWeightOffset(Value operand, Value blob) {
  Value value = operand;
  while (Operation *def = value.getDefiningOp()) {
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def)) {
      value = collapse.getSrc();
    } else if (auto expand = dyn_cast<memref::ExpandShapeOp>(def)) {
      value = expand.getSrc();
    } else if (auto view = dyn_cast<memref::ViewOp>(def)) {
      if (view.getSource() != blob)
        return std::nullopt;
      return getConstantIntValue(view.getByteShift());
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

/// A static rows x cols f32 matrix with dense rows, as the micro-kernel is
/// handed it.
std::optional<std::pair<int64_t, int64_t>> getDenseMatrixShape(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape() ||
      !type.getElementType().isF32() || !type.getLayout().isIdentity())
    return std::nullopt;
  return std::make_pair(type.getDimSize(0), type.getDimSize(1));
}

/// Rows of C per micro-kernel call: m, times the batch when B is shared
/// (the runtime then merges the batch into one product, see
/// batched_gemm); nothing when dynamic.
std::optional<int64_t> getProductRows(linalg::GenericOp op,
                                      const tessera::cpu::MatmulLoops &loops) {
  ArrayRef<int64_t> shape =
      cast<MemRefType>(op.getDpsInits()[0].getType()).getShape();
  ArrayRef<int64_t> rowDims = shape.drop_back();
  if (loops.batch && loops.bHasBatch)
    rowDims = rowDims.take_back();
  int64_t rows = 1;
  for (int64_t size : rowDims) {
    if (ShapedType::isDynamic(size))
      return std::nullopt;
    rows *= size;
  }
  return rows;
}

/// `matrix` (rows x cols, row-major) in the `packed` record layout: per
/// block of TESSERA_SGEMM_KC values of k, panels of `panel` rows of A (or
/// columns of B), each holding the block's k values in order; zero past
/// the last row or column.
std::vector<float> packMatrix(ArrayRef<float> matrix, int64_t rows,
                              int64_t cols, int64_t panel, bool isB) {
  int64_t k = isB ? rows : cols, wide = isB ? cols : rows;
  int64_t padded = llvm::alignTo(wide, panel);
  std::vector<float> packed(static_cast<size_t>(padded * k), 0.0f);
  for (int64_t block = 0; block < k; block += TESSERA_SGEMM_KC) {
    int64_t kc = std::min<int64_t>(k - block, TESSERA_SGEMM_KC);
    float *out = packed.data() + block * padded;
    for (int64_t w = 0; w < wide; ++w)
      for (int64_t kk = 0; kk < kc; ++kk) {
        int64_t at = (block + kk) * (isB ? cols : 1) + w * (isB ? 1 : cols);
        out[(w / panel) * panel * kc + kk * panel + w % panel] = matrix[at];
      }
  }
  return packed;
}

struct PrepackWeightsPass
    : public tessera::cpu::impl::TesseraPrepackWeightsBase<PrepackWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (isa == "none")
      return;
    int64_t mr, nr;
    if (isa == "avx512") {
      mr = TESSERA_SGEMM_AVX512_MR;
      nr = TESSERA_SGEMM_AVX512_NR;
    } else if (isa == "avx2") {
      mr = TESSERA_SGEMM_AVX2_MR;
      nr = TESSERA_SGEMM_AVX2_NR;
    } else {
      getOperation().emitError("tessera-prepack-weights: unknown isa '")
          << isa << "' (expected avx512, avx2 or none)";
      return signalPassFailure();
    }
    ModuleOp module = getOperation();
    auto weights = module->getAttrOfType<ArrayAttr>(kWeightsAttr);
    auto offsets = module->getAttrOfType<DenseI64ArrayAttr>(kWeightOffsetsAttr);
    auto size = module->getAttrOfType<IntegerAttr>(kWeightsSizeAttr);
    auto entry = module.lookupSymbol<func::FuncOp>("main");
    if (!weights || !offsets || !size || !entry || entry.isExternal() ||
        entry.getNumArguments() == 0)
      return;
    Value blob = entry.getArgument(0);

    SmallVector<Attribute> newWeights(weights.begin(), weights.end());
    SmallVector<int64_t> newOffsets(offsets.asArrayRef());
    int64_t blobBytes = size.getInt();
    SmallVector<Attribute> records;
    // One copy per weight and role, however many products use it.
    llvm::DenseSet<std::pair<int64_t, int64_t>> packedAlready;
    MLIRContext *context = &getContext();

    auto prepack = [&](Value operand, bool isB) {
      std::optional<int64_t> source = getWholeWeightOffset(operand, blob);
      std::optional<std::pair<int64_t, int64_t>> shape =
          getDenseMatrixShape(operand);
      if (!source || !shape || !packedAlready.insert({*source, isB ? 1 : 0}).second)
        return;
      auto [rows, cols] = *shape;
      const int64_t *slot = llvm::find(offsets.asArrayRef(), *source);
      if (slot == offsets.asArrayRef().end())
        return;
      std::optional<std::vector<float>> values =
          getConstantF32Values(weights[slot - offsets.asArrayRef().begin()]);
      if (!values || static_cast<int64_t>(values->size()) != rows * cols)
        return;
      int64_t panel = isB ? nr : mr;
      std::vector<float> packed = packMatrix(*values, rows, cols, panel, isB);
      auto type = RankedTensorType::get(
          {static_cast<int64_t>(packed.size())}, Float32Type::get(context));
      ArrayRef<char> bytes(reinterpret_cast<const char *>(packed.data()),
                           packed.size() * sizeof(float));
      newWeights.push_back(makeConstantAttr(type, bytes, "packed_weight"));
      newOffsets.push_back(blobBytes);
      records.push_back(DenseI64ArrayAttr::get(
          context, {isB ? 1 : 0, panel, *source, /*ld=*/cols, rows, cols,
                    blobBytes}));
      blobBytes = static_cast<int64_t>(
          llvm::alignTo(blobBytes + static_cast<int64_t>(bytes.size()),
                        kBufferAlignment));
    };

    entry.walk([&](linalg::GenericOp op) {
      std::optional<tessera::cpu::MatmulLoops> loops =
          tessera::cpu::matchMatmul(op);
      if (!loops)
        return;
      // The runtime packs neither operand of products with fewer rows than
      // a register block, and B only for products with enough rows.
      std::optional<int64_t> rows = getProductRows(op, *loops);
      if (rows && *rows < mr)
        return;
      if (!loops->aHasBatch)
        prepack(op.getDpsInputs()[0], /*isB=*/false);
      if (!loops->bHasBatch &&
          (!rows || *rows >= TESSERA_SGEMM_PACK_B_MIN_ROWS))
        prepack(op.getDpsInputs()[1], /*isB=*/true);
    });
    if (records.empty())
      return;
    OpBuilder builder(context);
    module->setAttr(kWeightsAttr, builder.getArrayAttr(newWeights));
    module->setAttr(kWeightOffsetsAttr, builder.getDenseI64ArrayAttr(newOffsets));
    module->setAttr(kWeightsSizeAttr, builder.getI64IntegerAttr(blobBytes));
    module->setAttr(kPackedWeightsAttr, builder.getArrayAttr(records));
  }
};

} // namespace
