//===- DataMovementToLinalg.cpp - shape and data-movement ops to tensor ---===//
//
// Ops that only move data become tensor-dialect views where one exists
// (collapse/expand_shape, extract/insert_slice, pad), so that bufferization
// can make them free; the rest (gather, transpose) are index-computing
// linalg ops.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"

#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"


using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

namespace {

struct ConstantOpLowering : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct ShapeOpLowering : OpRewritePattern<ShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ShapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> dims;
    for (OpFoldResult size : getSizes(rewriter, loc, op.getInput()))
      dims.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(),
          materializeIndex(rewriter, loc, size)));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(), dims);
    return success();
  }
};

/// Reshape = collapse to 1-D, then expand to the result: both are views.
/// Dynamic result sizes come from the shape operand with ONNX semantics
/// (0 copies the input size, -1 takes what is left).
struct ReshapeOpLowering : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (inputType == resultType) {
      rewriter.replaceOp(op, input);
      return success();
    }
    if (!resultType.hasStaticShape() && !op.getShape())
      return rewriter.notifyMatchFailure(op, "dynamic result without shape");

    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
    Value total = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (OpFoldResult size : inputSizes)
      total = arith::MulIOp::create(rewriter, loc, total,
                                    materializeIndex(rewriter, loc, size));

    SmallVector<OpFoldResult> resultSizes;
    if (resultType.hasStaticShape()) {
      for (int64_t size : resultType.getShape())
        resultSizes.push_back(rewriter.getIndexAttr(size));
    } else {
      // Requested sizes, with 0 resolved (unless allowed as a size); -1
      // resolved in a second step.
      Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value minusOne = arith::ConstantIndexOp::create(rewriter, loc, -1);
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      SmallVector<Value> requested;
      Value known = one;
      for (int64_t i = 0; i < resultType.getRank(); ++i) {
        Value index = arith::ConstantIndexOp::create(rewriter, loc, i);
        Value size = castToIndex(
            rewriter, loc,
            tensor::ExtractOp::create(rewriter, loc, op.getShape(), index));
        if (i < inputType.getRank() && !op.getAllowZero()) {
          Value isZero = arith::CmpIOp::create(
              rewriter, loc, arith::CmpIPredicate::eq, size, zero);
          size = arith::SelectOp::create(
              rewriter, loc, isZero,
              materializeIndex(rewriter, loc, inputSizes[i]), size);
        }
        requested.push_back(size);
        Value isInferred = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, size, minusOne);
        known = arith::MulIOp::create(
            rewriter, loc, known,
            arith::SelectOp::create(rewriter, loc, isInferred, one, size));
      }
      Value inferred = arith::DivUIOp::create(rewriter, loc, total, known);
      for (int64_t i = 0; i < resultType.getRank(); ++i) {
        if (!resultType.isDynamicDim(i)) {
          resultSizes.push_back(rewriter.getIndexAttr(resultType.getDimSize(i)));
          continue;
        }
        Value isInferred = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, requested[i], minusOne);
        resultSizes.push_back(
            arith::SelectOp::create(rewriter, loc, isInferred, inferred,
                                    requested[i])
                .getResult());
      }
    }

    if (!resultType.hasStaticShape()) {
      // tensor.reshape takes the run-time shape directly (and lowers more
      // robustly than expand_shape into several dynamic sizes).
      SmallVector<Value> shapeValues;
      for (OpFoldResult size : resultSizes)
        shapeValues.push_back(materializeIndex(rewriter, loc, size));
      Value shape = tensor::FromElementsOp::create(rewriter, loc, shapeValues);
      rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, resultType, input,
                                                     shape);
      return success();
    }
    Value flat = input;
    if (inputType.getRank() != 1 && inputType.getRank() != 0) {
      ReassociationIndices all;
      for (int64_t i = 0; i < inputType.getRank(); ++i)
        all.push_back(i);
      int64_t count = inputType.hasStaticShape() ? inputType.getNumElements()
                                                 : ShapedType::kDynamic;
      flat = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get({count}, inputType.getElementType()),
          input, SmallVector<ReassociationIndices>{all});
    }
    Value result;
    if (resultType.getRank() == 0) {
      result = tensor::CollapseShapeOp::create(
          rewriter, loc, resultType, flat, SmallVector<ReassociationIndices>{});
    } else if (inputType.getRank() == 0) {
      result = tensor::ExpandShapeOp::create(
          rewriter, loc, resultType, flat, SmallVector<ReassociationIndices>{},
          resultSizes);
    } else {
      ReassociationIndices all;
      for (int64_t i = 0; i < resultType.getRank(); ++i)
        all.push_back(i);
      if (resultType.getRank() == 1) {
        result = flat.getType() == resultType
                     ? flat
                     : tensor::CastOp::create(rewriter, loc, resultType, flat)
                           .getResult();
      } else {
        result = tensor::ExpandShapeOp::create(
            rewriter, loc, resultType, flat,
            SmallVector<ReassociationIndices>{all}, resultSizes);
      }
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TransposeOpLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, op.getInput());
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : op.getPerm())
      sizes.push_back(inputSizes[p]);
    Value init = createEmpty(rewriter, loc, resultType, sizes);
    auto transpose = linalg::TransposeOp::create(rewriter, loc, op.getInput(),
                                                 init, op.getPerm());
    rewriter.replaceOp(op, transpose->getResult(0));
    return success();
  }
};

struct ConcatOpLowering : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    int64_t rank = resultType.getRank();
    SmallVector<OpFoldResult> sizes = getSizes(rewriter, loc, op.getInputs()[0]);
    Value total = arith::ConstantIndexOp::create(rewriter, loc, 0);
    for (Value input : op.getInputs())
      total = arith::AddIOp::create(
          rewriter, loc, total,
          materializeIndex(rewriter, loc,
                           tensor::getMixedSize(rewriter, loc, input, axis)));
    sizes[axis] = total;
    for (int64_t d = 0; d < rank; ++d)
      if (!resultType.isDynamicDim(d))
        sizes[d] = rewriter.getIndexAttr(resultType.getDimSize(d));
    Value result = createEmpty(rewriter, loc, resultType, sizes);
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value input : op.getInputs()) {
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = offset;
      SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets, inputSizes, strides);
      offset = arith::AddIOp::create(
                   rewriter, loc, materializeIndex(rewriter, loc, offset),
                   materializeIndex(rewriter, loc, inputSizes[axis]))
                   .getResult();
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitOpLowering : OpRewritePattern<SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SplitOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, op.getInput());
    int64_t rank = static_cast<int64_t>(inputSizes.size());
    SmallVector<Value> results;
    int64_t offset = 0;
    for (Value result : op.getOutputs()) {
      auto type = cast<RankedTensorType>(result.getType());
      if (type.isDynamicDim(axis))
        return rewriter.notifyMatchFailure(op, "dynamic split size");
      SmallVector<OpFoldResult> sizes = inputSizes;
      sizes[axis] = rewriter.getIndexAttr(type.getDimSize(axis));
      if (type.getDimSize(axis) == 0) {
        // An empty piece reads nothing (and its offset may equal the size,
        // which extract_slice rejects).
        results.push_back(createEmpty(rewriter, loc, type, sizes));
        continue;
      }
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, type, op.getInput(), offsets, sizes, strides));
      offset += type.getDimSize(axis);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// ONNX Slice with clamping. Positive steps become a strided
/// tensor.extract_slice; a negative step reads through an index-computing
/// linalg.generic.
struct SliceOpLowering : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
    SmallVector<Value> starts, sizes;
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t d = 0; d < rank; ++d) {
      Value dim = materializeIndex(rewriter, loc, inputSizes[d]);
      int64_t step = op.getSteps()[d];
      auto clampBound = [&](int64_t bound, bool isEnd) -> Value {
        // Negative bounds count from the end; then clamp to [0, dim] for
        // positive steps and [-1, dim - 1] for negative ones.
        Value v;
        if (bound < 0) {
          int64_t clamped = std::max<int64_t>(bound, -(int64_t(1) << 62));
          v = arith::AddIOp::create(
              rewriter, loc, dim,
              arith::ConstantIndexOp::create(rewriter, loc, clamped));
        } else {
          v = arith::ConstantIndexOp::create(
              rewriter, loc, std::min<int64_t>(bound, int64_t(1) << 62));
        }
        // ONNX: starts clamp to [0, dim - 1] and ends to [-1, dim - 1] for
        // negative steps.
        Value lo = (step > 0 || !isEnd)
                       ? zero
                       : arith::ConstantIndexOp::create(rewriter, loc, -1);
        Value hi = step > 0 ? dim : arith::SubIOp::create(rewriter, loc, dim, one);
        return arith::MinSIOp::create(rewriter, loc,
                                      arith::MaxSIOp::create(rewriter, loc, v, lo),
                                      hi);
      };
      Value start = clampBound(op.getStarts()[d], false);
      Value end = clampBound(op.getEnds()[d], true);
      // size = max(0, ceil((end - start) / step))
      Value stepV = arith::ConstantIndexOp::create(rewriter, loc, step);
      Value diff = arith::SubIOp::create(rewriter, loc, end, start);
      Value size = arith::CeilDivSIOp::create(rewriter, loc, diff, stepV);
      size = arith::MaxSIOp::create(rewriter, loc, size, zero);
      starts.push_back(start);
      sizes.push_back(size);
    }
    SmallVector<OpFoldResult> sizeOfrs;
    for (int64_t d = 0; d < rank; ++d)
      sizeOfrs.push_back(resultType.isDynamicDim(d)
                             ? OpFoldResult(sizes[d])
                             : rewriter.getIndexAttr(resultType.getDimSize(d)));
    bool anyNegative = llvm::any_of(op.getSteps(), [](int64_t s) { return s < 0; });
    if (!anyNegative) {
      SmallVector<OpFoldResult> offsets(starts.begin(), starts.end());
      SmallVector<OpFoldResult> strides;
      for (int64_t s : op.getSteps())
        strides.push_back(rewriter.getIndexAttr(s));
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, resultType, input, offsets, sizeOfrs, strides);
      return success();
    }
    Value result = createFromIndices(
        rewriter, loc, resultType, sizeOfrs,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(b, l, d);
            Value stepV = arith::ConstantIndexOp::create(b, l, op.getSteps()[d]);
            indices.push_back(arith::AddIOp::create(
                b, l, starts[d], arith::MulIOp::create(b, l, i, stepV)));
          }
          return tensor::ExtractOp::create(b, l, input, indices);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherOpLowering : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = op.getInput(), indices = op.getIndices();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    int64_t axis = op.getAxis();
    int64_t indexRank = indicesType.getRank();
    int64_t rank = resultType.getRank();
    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> indexSizes = getSizes(rewriter, loc, indices);
    SmallVector<OpFoldResult> sizes(inputSizes.begin(),
                                    inputSizes.begin() + axis);
    sizes.append(indexSizes);
    sizes.append(inputSizes.begin() + axis + 1, inputSizes.end());
    Value init = createEmpty(rewriter, loc, resultType, sizes);
    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < indexRank; ++i)
      indexExprs.push_back(getAffineDimExpr(axis + i, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, indexExprs, ctx),
                                   rewriter.getMultiDimIdentityMap(rank)};
    Value axisSize = materializeIndex(rewriter, loc, inputSizes[axis]);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{indices},
        ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value index = wrapNegativeIndex(b, l, args[0], axisSize);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < axis; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          coords.push_back(index);
          for (int64_t d = axis + indexRank; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          linalg::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, input, coords).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GatherElementsOpLowering : OpRewritePattern<GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherElementsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput(), indices = op.getIndices();
    int64_t axis = op.getAxis();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value axisSize = tensor::DimOp::create(rewriter, loc, input, axis);
    Value result = createFromIndices(
        rewriter, loc, resultType, getSizes(rewriter, loc, indices),
        [&](OpBuilder &b, Location l, ValueRange position) -> Value {
          Value index = wrapNegativeIndex(
              b, l, tensor::ExtractOp::create(b, l, indices, position), axisSize);
          SmallVector<Value> coords(position.begin(), position.end());
          coords[axis] = index;
          return tensor::ExtractOp::create(b, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Trilu: keep element (.., i, j) when j - i >= k (upper) or j - i <= k
/// (lower); k is read at run time.
struct TriluOpLowering : OpRewritePattern<TriluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TriluOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    Value k = castToIndex(rewriter, loc,
                          tensor::ExtractOp::create(rewriter, loc, op.getK(),
                                                    ValueRange{}));
    bool upper = op.getUpper();
    Type elementType = type.getElementType();
    Value result = createFromIndices(
        rewriter, loc, type, getSizes(rewriter, loc, input),
        [&](OpBuilder &b, Location l, ValueRange position) -> Value {
          Value offset = arith::SubIOp::create(b, l, position[rank - 1],
                                               position[rank - 2]);
          Value keep = arith::CmpIOp::create(
              b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
              offset, k);
          Value x = tensor::ExtractOp::create(b, l, input, position);
          return arith::SelectOp::create(b, l, keep, x,
                                         createScalar(b, l, elementType, 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ExpandOpLowering : OpRewritePattern<ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ExpandOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = resultType.getRank();
    int64_t offset = rank - inputType.getRank();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (!resultType.isDynamicDim(d)) {
        sizes.push_back(rewriter.getIndexAttr(resultType.getDimSize(d)));
        continue;
      }
      // max(shape[d], input dim) covers both directions of broadcasting.
      Value requested = castToIndex(
          rewriter, loc,
          tensor::ExtractOp::create(
              rewriter, loc, op.getShape(),
              ValueRange{arith::ConstantIndexOp::create(rewriter, loc, d)}));
      if (d >= offset) {
        Value inputSize =
            tensor::DimOp::create(rewriter, loc, op.getInput(), d - offset);
        requested = arith::MaxSIOp::create(rewriter, loc, requested, inputSize);
      }
      sizes.push_back(requested);
    }
    SmallVector<AffineMap> maps = {getBroadcastMap(inputType, resultType),
                                   rewriter.getMultiDimIdentityMap(rank)};
    Value init = createEmpty(rewriter, loc, resultType, sizes);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{op.getInput()},
        ValueRange{init}, maps, iterators,
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Pad: negative pads crop first; constant padding is tensor.pad; edge and
/// reflect padding read the input through clamped or mirrored indices.
struct PadOpLowering : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = inputType.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (llvm::any_of(pads, [](int64_t p) { return p < 0; })) {
      SmallVector<OpFoldResult> sizes = getSizes(rewriter, loc, input);
      SmallVector<OpFoldResult> offsets, cropped;
      SmallVector<int64_t> shape;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t front = std::max<int64_t>(0, -pads[d]);
        int64_t back = std::max<int64_t>(0, -pads[rank + d]);
        offsets.push_back(rewriter.getIndexAttr(front));
        Value size = arith::SubIOp::create(
            rewriter, loc, materializeIndex(rewriter, loc, sizes[d]),
            arith::ConstantIndexOp::create(rewriter, loc, front + back));
        int64_t dim = inputType.getDimSize(d);
        shape.push_back(ShapedType::isDynamic(dim) ? dim : dim - front - back);
        cropped.push_back(ShapedType::isDynamic(dim)
                              ? OpFoldResult(size)
                              : rewriter.getIndexAttr(shape.back()));
      }
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      inputType = inputType.clone(shape);
      input = tensor::ExtractSliceOp::create(rewriter, loc, inputType, input,
                                             offsets, cropped, strides);
    }
    SmallVector<int64_t> low, high;
    for (int64_t d = 0; d < rank; ++d) {
      low.push_back(std::max<int64_t>(0, pads[d]));
      high.push_back(std::max<int64_t>(0, pads[rank + d]));
    }
    Type elementType = inputType.getElementType();
    if (op.getMode() == PadMode::constant) {
      SmallVector<OpFoldResult> lowOfr, highOfr;
      for (int64_t d = 0; d < rank; ++d) {
        lowOfr.push_back(rewriter.getIndexAttr(low[d]));
        highOfr.push_back(rewriter.getIndexAttr(high[d]));
      }
      Value value = createScalar(rewriter, loc, elementType,
                                 op.getValue().convertToDouble());
      rewriter.replaceOpWithNewOp<tensor::PadOp>(op, resultType, input, lowOfr,
                                                 highOfr, value,
                                                 /*nofold=*/false);
      return success();
    }

    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (!resultType.isDynamicDim(d)) {
        sizes.push_back(rewriter.getIndexAttr(resultType.getDimSize(d)));
        continue;
      }
      sizes.push_back(arith::AddIOp::create(
                          rewriter, loc,
                          materializeIndex(rewriter, loc, inputSizes[d]),
                          arith::ConstantIndexOp::create(rewriter, loc,
                                                         low[d] + high[d]))
                          .getResult());
    }
    bool reflect = op.getMode() == PadMode::reflect;
    Value result = createFromIndices(
        rewriter, loc, resultType, sizes,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = arith::SubIOp::create(
                b, l, linalg::IndexOp::create(b, l, d),
                arith::ConstantIndexOp::create(b, l, low[d]));
            Value last = arith::SubIOp::create(
                b, l, materializeIndex(b, l, inputSizes[d]),
                arith::ConstantIndexOp::create(b, l, 1));
            if (reflect) {
              // Mirror around the first and last element (no repeat).
              Value negated = arith::SubIOp::create(b, l, zero, i);
              i = arith::MaxSIOp::create(b, l, i, negated);
              Value mirrored = arith::SubIOp::create(
                  b, l, arith::AddIOp::create(b, l, last, last), i);
              i = arith::MinSIOp::create(b, l, i, mirrored);
            }
            i = arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, i, zero),
                                       last);
            coords.push_back(i);
          }
          return tensor::ExtractOp::create(b, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::tessera::populateDataMovementToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConstantOpLowering, ShapeOpLowering, ReshapeOpLowering,
               TransposeOpLowering, ConcatOpLowering, SplitOpLowering,
               SliceOpLowering, GatherOpLowering, ExpandOpLowering,
               PadOpLowering, GatherElementsOpLowering,
               TriluOpLowering>(patterns.getContext());
}
