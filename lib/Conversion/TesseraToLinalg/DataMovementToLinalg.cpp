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

#include "mlir/Dialect/Math/IR/Math.h"

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
      // Requested sizes, with 0 resolved; -1 resolved in a second step.
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
        if (i < inputType.getRank()) {
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

/// Resize: each output element computes its source coordinate per
/// dimension (coordinate_transform), then takes the nearest element or
/// interpolates between the two neighbours of every resized dimension.
struct ResizeOpLowering : OpRewritePattern<ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ResizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = inputType.getRank();
    if (llvm::any_of(resultType.getShape().drop_front(1),
                     ShapedType::isDynamic) ||
        llvm::any_of(inputType.getShape().drop_front(1), ShapedType::isDynamic) ||
        inputType.getDimSize(0) != resultType.getDimSize(0))
      return rewriter.notifyMatchFailure(
          op, "needs static sizes outside the batch dimension");
    ArrayRef<float> scales = op.getScales();
    Value runtimeScales = op.getRuntimeScales();
    Type elementType = inputType.getElementType();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(rewriter.getIndexAttr(resultType.getDimSize(d)));
    if (inputType.isDynamicDim(0))
      sizes[0] = tensor::getMixedSize(rewriter, loc, input, 0);
    SmallVector<int64_t> resized;
    for (int64_t d = 0; d < rank; ++d)
      if (inputType.getDimSize(d) != resultType.getDimSize(d) ||
          scales[d] != 1.0f || runtimeScales)
        resized.push_back(d);
    bool linear = op.getMode() == ResizeMode::linear;
    bool cubic = op.getMode() == ResizeMode::cubic;
    CoordinateTransform transform = op.getCoordinateTransform();
    NearestRounding rounding = op.getNearestRounding();
    Value result = createFromIndices(
        rewriter, loc, resultType, sizes,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          auto f32 = b.getF32Type();
          auto constF = [&](double v) {
            return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v))
                .getResult();
          };
          SmallVector<Value> base;
          for (int64_t d = 0; d < rank; ++d)
            base.push_back(linalg::IndexOp::create(b, l, d));
          // Per resized dim: low index, high index, weight of the high one.
          SmallVector<Value> lowIndex, highIndex, weight;
          SmallVector<SmallVector<Value>> cubicTaps, cubicWeights;
          for (int64_t d : resized) {
            int64_t in = inputType.getDimSize(d), out = resultType.getDimSize(d);
            Value x = arith::SIToFPOp::create(
                b, l, f32,
                arith::IndexCastOp::create(b, l, b.getI64Type(), base[d]));
            Value scale = constF(scales[d]);
            if (runtimeScales)
              scale = tensor::ExtractOp::create(
                  b, l, runtimeScales,
                  ValueRange{arith::ConstantIndexOp::create(b, l, d)});
            Value source;
            switch (transform) {
            case CoordinateTransform::half_pixel:
            case CoordinateTransform::pytorch_half_pixel:
              source = arith::SubFOp::create(
                  b, l,
                  arith::DivFOp::create(b, l,
                                        arith::AddFOp::create(b, l, x, constF(0.5)),
                                        scale),
                  constF(0.5));
              if (transform == CoordinateTransform::pytorch_half_pixel &&
                  out == 1)
                source = constF(0);
              break;
            case CoordinateTransform::align_corners: {
              // ONNX takes the resized length as in * scale, unrounded.
              if (runtimeScales) {
                Value resizedLength =
                    arith::MulFOp::create(b, l, constF(double(in)), scale);
                Value ratio = arith::DivFOp::create(
                    b, l, constF(double(in - 1)),
                    arith::SubFOp::create(b, l, resizedLength, constF(1)));
                Value isOne = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OEQ, resizedLength, constF(1));
                source = arith::SelectOp::create(
                    b, l, isOne, constF(0), arith::MulFOp::create(b, l, x, ratio));
                break;
              }
              double resizedLength = double(in) * double(scales[d]);
              source = resizedLength == 1.0
                           ? constF(0)
                           : arith::MulFOp::create(
                                 b, l, x,
                                 constF(double(in - 1) / (resizedLength - 1.0)))
                                 .getResult();
              break;
            }
            case CoordinateTransform::asymmetric:
              source = arith::DivFOp::create(b, l, x, scale);
              break;
            case CoordinateTransform::tf_half_pixel_for_nn:
              source = arith::DivFOp::create(
                  b, l, arith::AddFOp::create(b, l, x, constF(0.5)), scale);
              break;
            }
            Value last = arith::ConstantIndexOp::create(b, l, in - 1);
            Value zeroIdx = arith::ConstantIndexOp::create(b, l, 0);
            auto toIndex = [&](Value v) {
              Value i = arith::IndexCastOp::create(
                  b, l, b.getIndexType(),
                  arith::FPToSIOp::create(b, l, b.getI64Type(), v));
              return arith::MinSIOp::create(
                         b, l, arith::MaxSIOp::create(b, l, i, zeroIdx), last)
                  .getResult();
            };
            if (!linear && !cubic) {
              Value rounded;
              switch (rounding) {
              case NearestRounding::floor:
                rounded = math::FloorOp::create(b, l, source);
                break;
              case NearestRounding::ceil:
                rounded = math::CeilOp::create(b, l, source);
                break;
              case NearestRounding::round_prefer_floor:
                // x.5 goes down: ceil(x - 0.5).
                rounded = math::CeilOp::create(
                    b, l, arith::SubFOp::create(b, l, source, constF(0.5)));
                break;
              case NearestRounding::round_prefer_ceil:
                rounded = math::FloorOp::create(
                    b, l, arith::AddFOp::create(b, l, source, constF(0.5)));
                break;
              }
              lowIndex.push_back(toIndex(rounded));
              continue;
            }
            if (cubic) {
              // Four taps floor-1 .. floor+2 with Keys' cubic weights
              // (coefficient A); with exclude_outside, taps outside the
              // input get weight 0 and the rest are renormalized.
              Value floor = math::FloorOp::create(b, l, source);
              Value t = arith::SubFOp::create(b, l, source, floor);
              double A = op.getCubicCoeffA().convertToDouble();
              auto weightAt = [&](Value dist) {
                // |d| <= 1: (A+2)|d|^3 - (A+3)|d|^2 + 1
                // 1 < |d| < 2: A|d|^3 - 5A|d|^2 + 8A|d| - 4A
                Value d2 = arith::MulFOp::create(b, l, dist, dist);
                Value d3 = arith::MulFOp::create(b, l, d2, dist);
                Value near = arith::AddFOp::create(
                    b, l,
                    arith::SubFOp::create(
                        b, l, arith::MulFOp::create(b, l, constF(A + 2), d3),
                        arith::MulFOp::create(b, l, constF(A + 3), d2)),
                    constF(1));
                Value far = arith::SubFOp::create(
                    b, l,
                    arith::AddFOp::create(
                        b, l,
                        arith::SubFOp::create(
                            b, l, arith::MulFOp::create(b, l, constF(A), d3),
                            arith::MulFOp::create(b, l, constF(5 * A), d2)),
                        arith::MulFOp::create(b, l, constF(8 * A), dist)),
                    constF(4 * A));
                Value isNear = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OLE, dist, constF(1));
                return arith::SelectOp::create(b, l, isNear, near, far)
                    .getResult();
              };
              SmallVector<Value> taps, weights;
              Value total = constF(0);
              for (int64_t j = -1; j <= 2; ++j) {
                Value position =
                    arith::AddFOp::create(b, l, floor, constF(double(j)));
                Value dist = math::AbsFOp::create(
                    b, l, arith::SubFOp::create(b, l, t, constF(double(j))));
                Value w = weightAt(dist);
                if (op.getExcludeOutside()) {
                  Value inside = arith::AndIOp::create(
                      b, l,
                      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE,
                                            position, constF(0)),
                      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE,
                                            position, constF(double(in - 1))));
                  w = arith::SelectOp::create(b, l, inside, w, constF(0));
                }
                total = arith::AddFOp::create(b, l, total, w);
                taps.push_back(toIndex(position));
                weights.push_back(w);
              }
              if (op.getExcludeOutside())
                for (Value &w : weights)
                  w = arith::DivFOp::create(b, l, w, total);
              cubicTaps.push_back(taps);
              cubicWeights.push_back(weights);
              continue;
            }
            Value floor = math::FloorOp::create(b, l, source);
            lowIndex.push_back(toIndex(floor));
            highIndex.push_back(
                toIndex(arith::AddFOp::create(b, l, floor, constF(1))));
            Value w = arith::SubFOp::create(b, l, source, floor);
            if (elementType != f32)
              w = arith::ExtFOp::create(b, l, elementType, w);
            weight.push_back(w);
          }
          if (cubic) {
            // Sum over every combination of taps (4 per resized dim).
            Value sum;
            unsigned combinations = 1u << (2 * resized.size());
            for (unsigned c = 0; c < combinations; ++c) {
              SmallVector<Value> coords = base;
              Value w = constF(1);
              for (auto [k, d] : llvm::enumerate(resized)) {
                unsigned tap = (c >> (2 * k)) & 3;
                coords[d] = cubicTaps[k][tap];
                w = arith::MulFOp::create(b, l, w, cubicWeights[k][tap]);
              }
              Value v = tensor::ExtractOp::create(b, l, input, coords);
              if (elementType != f32)
                w = arith::ExtFOp::create(b, l, elementType, w);
              Value term = arith::MulFOp::create(b, l, v, w);
              sum = sum ? Value(arith::AddFOp::create(b, l, sum, term)) : term;
            }
            return sum;
          }
          auto read = [&](unsigned corner) {
            SmallVector<Value> coords = base;
            for (auto [k, d] : llvm::enumerate(resized))
              coords[d] = (linear && (corner >> k) & 1) ? highIndex[k]
                                                        : lowIndex[k];
            return tensor::ExtractOp::create(b, l, input, coords).getResult();
          };
          if (!linear)
            return read(0);
          // Interpolate one resized dimension at a time.
          SmallVector<Value> values;
          for (unsigned corner = 0; corner < (1u << resized.size()); ++corner)
            values.push_back(read(corner));
          for (size_t k = 0; k < resized.size(); ++k) {
            SmallVector<Value> next;
            for (size_t j = 0; j < values.size(); j += 2) {
              Value diff = arith::SubFOp::create(b, l, values[j + 1], values[j]);
              next.push_back(arith::AddFOp::create(
                  b, l, values[j], arith::MulFOp::create(b, l, diff, weight[k])));
            }
            values = next;
          }
          return values[0];
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
               PadOpLowering, ResizeOpLowering, GatherElementsOpLowering,
               TriluOpLowering>(patterns.getContext());
}
