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

/// Where `value`, a view of a weight, is read: the operands it reaches
/// through reshapes.
void collectReads(Value value, SmallVectorImpl<OpOperand *> &reads) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (isa<memref::CollapseShapeOp, memref::ExpandShapeOp>(user))
      collectReads(user->getResult(0), reads);
    else
      reads.push_back(&use);
  }
}

/// A weight the products read as a whole matrix operand.
struct PackableWeight {
  int64_t rows, cols;
  bool isB;
  /// The product operands that read it so; another role or shape makes the
  /// weight `mixed`.
  llvm::SmallPtrSet<OpOperand *, 4> operands;
  bool mixed = false;
  /// Whether only products of fewer rows than a register block read it.
  bool smallProductsOnly = true;
};

struct PrepackWeightsPass
    : public tessera::cpu::impl::TesseraPrepackWeightsBase<PrepackWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (isa == "none")
      return;
    if (failed(tessera::cpu::checkKernelIsa(getOperation(), getArgument(),
                                            isa)))
      return signalPassFailure();
    bool avx512 = isa == "avx512";
    int64_t mr = avx512 ? TESSERA_SGEMM_AVX512_MR : TESSERA_SGEMM_AVX2_MR;
    int64_t nr = avx512 ? TESSERA_SGEMM_AVX512_NR : TESSERA_SGEMM_AVX2_NR;
    ModuleOp module = getOperation();
    auto weights = module->getAttrOfType<ArrayAttr>(kWeightsAttr);
    auto offsets = module->getAttrOfType<DenseI64ArrayAttr>(kWeightOffsetsAttr);
    auto size = module->getAttrOfType<IntegerAttr>(kWeightsSizeAttr);
    auto entry = module.lookupSymbol<func::FuncOp>("main");
    if (!weights || !offsets || !size || !entry || entry.isExternal() ||
        entry.getNumArguments() == 0)
      return;
    Value blob = entry.getArgument(0);

    // The weights each product reads whole as A or B, in program order.
    llvm::MapVector<int64_t, PackableWeight> packable;
    auto addOperand = [&](OpOperand &operand, bool isB, bool smallProduct) {
      std::optional<int64_t> source = getWholeWeightOffset(operand.get(), blob);
      std::optional<std::pair<int64_t, int64_t>> shape =
          getDenseMatrixShape(operand.get());
      if (!source || !shape)
        return;
      auto [it, inserted] = packable.try_emplace(
          *source, PackableWeight{shape->first, shape->second, isB, {}});
      PackableWeight &weight = it->second;
      weight.smallProductsOnly &= smallProduct;
      if (weight.isB != isB || weight.rows != shape->first ||
          weight.cols != shape->second)
        weight.mixed = true;
      weight.operands.insert(&operand);
    };
    entry.walk([&](linalg::GenericOp op) {
      std::optional<tessera::cpu::MatmulLoops> loops =
          tessera::cpu::matchMatmul(op);
      if (!loops)
        return;
      // The runtime packs neither operand of products with fewer rows than
      // a register block, and B only for products with enough rows. A
      // packed B still serves products of fewer rows than a register
      // block (their threads' parts of B are contiguous there), but only
      // in place of the weight: see smallProductsOnly below.
      std::optional<int64_t> rows = getProductRows(op, *loops);
      bool smallProduct = rows && *rows < mr;
      if (!loops->aHasBatch && !smallProduct)
        addOperand(*op.getDpsInputOperand(0), /*isB=*/false,
                   /*smallProduct=*/false);
      if (!loops->bHasBatch &&
          (!rows || smallProduct || *rows >= TESSERA_SGEMM_PACK_B_MIN_ROWS))
        addOperand(*op.getDpsInputOperand(1), /*isB=*/true, smallProduct);
    });
    if (packable.empty())
      return;

    // Every read of each weight, to tell which are read only as packed.
    llvm::DenseMap<int64_t, SmallVector<OpOperand *>> reads;
    entry.walk([&](memref::ViewOp view) {
      if (view.getSource() != blob)
        return;
      if (std::optional<int64_t> offset =
              getConstantIntValue(view.getByteShift()))
        collectReads(view.getResult(), reads[*offset]);
    });

    SmallVector<Attribute> newWeights(weights.begin(), weights.end());
    SmallVector<int64_t> newOffsets(offsets.asArrayRef());
    int64_t blobBytes = size.getInt();
    SmallVector<Attribute> records;
    MLIRContext *context = &getContext();
    for (auto &[source, weight] : packable) {
      if (weight.mixed)
        continue;
      const int64_t *slot = llvm::find(offsets.asArrayRef(), source);
      if (slot == offsets.asArrayRef().end())
        continue;
      size_t index = slot - offsets.asArrayRef().begin();
      int64_t panel = weight.isB ? nr : mr;
      // A weight that nothing reads but the products given its packed copy
      // is replaced by the copy when that is as big (whole panels).
      bool readOnlyPacked = llvm::all_of(reads[source], [&](OpOperand *read) {
        return weight.operands.contains(read);
      });
      bool replaces =
          readOnlyPacked &&
          (weight.isB ? weight.cols : weight.rows) % panel == 0;
      // A product of a few rows reads each value of B once per row, in
      // place as fast as packed when one thread reads all of it: a copy
      // beside the weight would grow the package for the threads' sake
      // only (MobileNetV2's classifier, 1280 x 1000: 5.1 MB).
      if (weight.smallProductsOnly && !replaces)
        continue;
      std::optional<std::vector<float>> values =
          getConstantF32Values(weights[index]);
      if (!values ||
          static_cast<int64_t>(values->size()) != weight.rows * weight.cols)
        continue;
      std::vector<float> packed =
          packMatrix(*values, weight.rows, weight.cols, panel, weight.isB);
      auto type = RankedTensorType::get({static_cast<int64_t>(packed.size())},
                                        Float32Type::get(context));
      ArrayRef<char> bytes(reinterpret_cast<const char *>(packed.data()),
                           packed.size() * sizeof(float));
      Attribute packedAttr = makeConstantAttr(type, bytes, "packed_weight");
      int64_t packedOffset = blobBytes;
      if (replaces) {
        newWeights[index] = packedAttr;
        packedOffset = source;
      } else {
        newWeights.push_back(packedAttr);
        newOffsets.push_back(blobBytes);
        blobBytes = static_cast<int64_t>(
            llvm::alignTo(blobBytes + static_cast<int64_t>(bytes.size()),
                          kBufferAlignment));
      }
      records.push_back(DenseI64ArrayAttr::get(
          context, {weight.isB ? 1 : 0, panel, source, /*ld=*/weight.cols,
                    weight.rows, weight.cols, packedOffset}));
    }
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
