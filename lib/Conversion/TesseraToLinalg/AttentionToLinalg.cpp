//===- AttentionToLinalg.cpp - attention a block of query rows at a time --===//
//
// tessera.attention becomes a loop over blocks of query rows. Each block
// computes its scores ([batch..., rows, Lk]), their softmax and the product
// with V, and writes its rows of the result, so the whole Lq x Lk score
// matrix never exists: a block's scores stay in cache between the two
// products. A block's steps are written as tessera ops on tensor slices,
// which the other patterns of this conversion then lower; the products
// thus take the same linalg form as any matmul and still reach the CPU
// micro-kernel. K is transposed once, before the loop, so that the score
// product reads it with unit stride.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"

#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

namespace {

/// Query rows per block. With BERT-base-like shapes (12 heads, Lk 512) a
/// block's scores take 12 x 32 x 512 x 4 bytes = 768 KiB, which stays in a
/// 1 MiB L2; the products still get 32-row panels, a multiple of the
/// micro-kernel's 8-row register block.
constexpr int64_t kQueryBlockRows = 32;

struct AttentionOpLowering : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value query = op.getQuery(), key = op.getKey(), value = op.getValue();
    Value mask = op.getMask();
    auto queryType = cast<RankedTensorType>(query.getType());
    auto keyType = cast<RankedTensorType>(key.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    int64_t rank = queryType.getRank(), rowDim = rank - 2;
    int64_t queryRows = queryType.getDimSize(rowDim);

    // The mask dimension that runs along the query rows, if it does not
    // broadcast: a block reads its own rows of it.
    std::optional<int64_t> maskRowDim;
    if (mask) {
      auto maskType = cast<RankedTensorType>(mask.getType());
      int64_t dim = maskType.getRank() - 2;
      if (dim >= 0 && maskType.getDimSize(dim) != 1) {
        if (maskType.isDynamicDim(dim))
          return rewriter.notifyMatchFailure(
              op, "mask rows of dynamic size (may broadcast or not)");
        maskRowDim = dim;
      }
    }

    // K^T, once: [batch..., D, Lk].
    Value keyT = TransposeOp::create(rewriter, loc, key,
                                     TransposeOp::getLastTwoSwapped(rank));
    Value scale;
    if (op.getScale().convertToFloat() != 1.0f)
      scale = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(RankedTensorType::get({}, elementType),
                                 rewriter.getFloatAttr(
                                     elementType,
                                     op.getScale().convertToDouble())));

    // Sizes are taken here, outside the loop, so that every buffer a block
    // needs has loop-invariant sizes and can be allocated once.
    SmallVector<OpFoldResult> querySizes = getSizes(rewriter, loc, query);
    SmallVector<OpFoldResult> maskSizes;
    if (maskRowDim)
      maskSizes = getSizes(rewriter, loc, mask);
    SmallVector<OpFoldResult> resultSizes = querySizes;
    resultSizes.back() = tensor::getMixedSize(rewriter, loc, value, rank - 1);
    Value init = createEmpty(rewriter, loc, resultType, resultSizes);

    // Rows [offset, offset + rows) of the result, written into `acc`.
    auto emitBlock = [&](OpBuilder &b, Value acc, OpFoldResult offset,
                         OpFoldResult rows, int64_t staticRows) -> Value {
      auto withRows = [&](RankedTensorType type, int64_t dim) {
        SmallVector<int64_t> shape(type.getShape());
        shape[dim] = staticRows;
        return type.clone(shape);
      };
      // Offsets, sizes and strides of the block's rows along `dim` of a
      // tensor of `sizes`.
      auto blockOf = [&](ArrayRef<OpFoldResult> sizes, int64_t dim) {
        SmallVector<OpFoldResult> offsets(sizes.size(), b.getIndexAttr(0));
        SmallVector<OpFoldResult> blockSizes(sizes);
        offsets[dim] = offset;
        blockSizes[dim] = rows;
        SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
        return std::make_tuple(offsets, blockSizes, strides);
      };
      auto slice = [&](Value source, ArrayRef<OpFoldResult> sizes,
                       int64_t dim, RankedTensorType type) -> Value {
        auto [offsets, blockSizes, strides] = blockOf(sizes, dim);
        return tensor::ExtractSliceOp::create(b, loc, type, source, offsets,
                                              blockSizes, strides);
      };
      RankedTensorType blockQueryType = withRows(queryType, rowDim);
      Value blockQuery = slice(query, querySizes, rowDim, blockQueryType);
      SmallVector<int64_t> scoreShape(blockQueryType.getShape());
      scoreShape.back() = keyType.getDimSize(rowDim);
      auto scoreType = blockQueryType.clone(scoreShape);
      Value scores = MatMulOp::create(b, loc, scoreType, blockQuery, keyT);
      if (scale)
        scores = MulOp::create(b, loc, scoreType, scores, scale);
      if (mask) {
        Value blockMask = mask;
        if (maskRowDim) {
          auto maskType = cast<RankedTensorType>(mask.getType());
          blockMask = slice(mask, maskSizes, *maskRowDim,
                            withRows(maskType, *maskRowDim));
        }
        scores = AddOp::create(b, loc, scoreType, scores, blockMask);
      }
      Value probabilities = SoftmaxOp::create(b, loc, scoreType, scores,
                                              b.getI64IntegerAttr(rank - 1));
      RankedTensorType blockResultType = withRows(resultType, rowDim);
      Value blockResult = MatMulOp::create(b, loc, blockResultType,
                                           probabilities, value);
      auto [offsets, sizes, strides] = blockOf(resultSizes, rowDim);
      return tensor::InsertSliceOp::create(b, loc, blockResult, acc, offsets,
                                           sizes, strides);
    };

    // Whole blocks in a loop, then the rest (of run-time size when Lq is
    // dynamic, possibly empty) as one block after it.
    Value result = init;
    if (!ShapedType::isDynamic(queryRows) && queryRows <= kQueryBlockRows) {
      result = emitBlock(rewriter, init, rewriter.getIndexAttr(0),
                         querySizes[rowDim], queryRows);
    } else {
      Value blockRows =
          arith::ConstantIndexOp::create(rewriter, loc, kQueryBlockRows);
      Value rows = materializeIndex(rewriter, loc, querySizes[rowDim]);
      Value fullRows = arith::MulIOp::create(
          rewriter, loc,
          arith::DivUIOp::create(rewriter, loc, rows, blockRows), blockRows);
      auto loop = scf::ForOp::create(
          rewriter, loc, arith::ConstantIndexOp::create(rewriter, loc, 0),
          fullRows, blockRows, ValueRange{init},
          [&](OpBuilder &b, Location, Value row, ValueRange carried) {
            Value next = emitBlock(b, carried.front(), row,
                                   b.getIndexAttr(kQueryBlockRows),
                                   kQueryBlockRows);
            scf::YieldOp::create(b, loc, next);
          });
      result = loop.getResult(0);
      if (ShapedType::isDynamic(queryRows)) {
        Value rest = arith::SubIOp::create(rewriter, loc, rows, fullRows);
        result = emitBlock(rewriter, result, fullRows, rest,
                           ShapedType::kDynamic);
      } else if (int64_t rest = queryRows % kQueryBlockRows) {
        result = emitBlock(rewriter, result,
                           rewriter.getIndexAttr(queryRows - rest),
                           rewriter.getIndexAttr(rest), rest);
      }
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::tessera::populateAttentionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AttentionOpLowering>(patterns.getContext());
}
