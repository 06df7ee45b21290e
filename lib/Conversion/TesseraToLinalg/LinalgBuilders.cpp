//===- LinalgBuilders.cpp - shared builders for the tessera lowering ------===//

#include "LinalgBuilders.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

SmallVector<OpFoldResult> lowering::getSizes(OpBuilder &b, Location loc,
                                             Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

Value lowering::createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                            ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> dynamic;
  for (auto [i, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      dynamic.push_back(materializeIndex(b, loc, sizes[i]));
  return tensor::EmptyOp::create(b, loc, type, dynamic);
}

Value lowering::createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                             ArrayRef<OpFoldResult> sizes, Value value) {
  Value empty = createEmpty(b, loc, type, sizes);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

AffineMap lowering::getBroadcastMap(RankedTensorType operand,
                                    RankedTensorType result) {
  MLIRContext *ctx = operand.getContext();
  int64_t offset = result.getRank() - operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operand.getRank(); ++i) {
    bool broadcasts = operand.getDimSize(i) == 1 &&
                      result.getDimSize(i + offset) != 1;
    exprs.push_back(broadcasts ? getAffineConstantExpr(0, ctx)
                               : getAffineDimExpr(i + offset, ctx));
  }
  return AffineMap::get(result.getRank(), 0, exprs, ctx);
}

SmallVector<OpFoldResult> lowering::getBroadcastSizes(OpBuilder &b,
                                                      Location loc,
                                                      ValueRange operands,
                                                      RankedTensorType result) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < result.getRank(); ++i) {
    if (!result.isDynamicDim(i)) {
      sizes.push_back(b.getIndexAttr(result.getDimSize(i)));
      continue;
    }
    // A dynamic result size comes from an operand whose size there is
    // dynamic too (static non-1 sizes would have made the result static).
    Value source;
    int64_t sourceDim = 0;
    for (Value operand : operands) {
      auto type = cast<RankedTensorType>(operand.getType());
      int64_t dim = i - (result.getRank() - type.getRank());
      if (dim >= 0 && type.isDynamicDim(dim)) {
        source = operand;
        sourceDim = dim;
        break;
      }
    }
    assert(source && "dynamic broadcast size without a dynamic operand");
    sizes.push_back(tensor::DimOp::create(b, loc, source, sourceDim).getResult());
  }
  return sizes;
}

Value lowering::createElementwise(OpBuilder &b, Location loc,
                                  RankedTensorType result, ValueRange operands,
                                  const ScalarBodyBuilder &body) {
  SmallVector<AffineMap> maps;
  for (Value operand : operands)
    maps.push_back(
        getBroadcastMap(cast<RankedTensorType>(operand.getType()), result));
  maps.push_back(b.getMultiDimIdentityMap(result.getRank()));
  Value init =
      createEmpty(b, loc, result, getBroadcastSizes(b, loc, operands, result));
  SmallVector<utils::IteratorType> iterators(result.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{result}, operands, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value value = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, value);
      });
  return generic.getResult(0);
}

Value lowering::createScalar(OpBuilder &b, Location loc, Type type,
                             double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value lowering::createLowest(OpBuilder &b, Location loc, Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(
                                      floatType.getFloatSemantics(), true)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt lowest = width == 1 ? APInt(1, 0) : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, lowest));
}

Value lowering::createHighest(OpBuilder &b, Location loc, Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(
                                      floatType.getFloatSemantics(), false)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt highest = width == 1 ? APInt(1, 1) : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, highest));
}

Value lowering::castToIndex(OpBuilder &b, Location loc, Value value) {
  if (value.getType().isIndex())
    return value;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

Value lowering::materializeIndex(OpBuilder &b, Location loc, OpFoldResult ofr) {
  if (auto value = dyn_cast<Value>(ofr))
    return value;
  return arith::ConstantIndexOp::create(
      b, loc, cast<IntegerAttr>(cast<Attribute>(ofr)).getInt());
}

AffineMap lowering::getKeptDimsMap(MLIRContext *ctx, int64_t rank,
                                   ArrayRef<int64_t> axes) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value lowering::createReduction(OpBuilder &b, Location loc, Value input,
                                ArrayRef<int64_t> axes, Value identity,
                                const CombineBuilder &combine,
                                const ScalarBodyBuilder &map) {
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d)
    iterators.push_back(llvm::is_contained(axes, d)
                            ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  KeptDims kept = getKeptDims(b, loc, input, axes);
  auto resultType = RankedTensorType::get(kept.shape, identity.getType());
  Value init = createFilled(b, loc, resultType, kept.sizes, identity);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 getKeptDimsMap(b.getContext(), rank, axes)};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, ValueRange{input}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value element = map ? map(nested, nestedLoc, args.take_front())
                            : args[0];
        linalg::YieldOp::create(nested, nestedLoc,
                                combine(nested, nestedLoc, args[1], element));
      });
  return generic.getResult(0);
}

Value lowering::expandReducedDims(OpBuilder &b, Location loc, Value reduced,
                                  RankedTensorType keepType,
                                  ArrayRef<int64_t> axes) {
  int64_t rank = keepType.getRank();
  int64_t keptRank = rank - static_cast<int64_t>(axes.size());
  SmallVector<ReassociationIndices> groups;
  if (keptRank > 0) {
    // Each kept dimension leads a group; reduced dimensions join the group
    // of the kept dimension after them (or the last group at the end).
    ReassociationIndices pending;
    for (int64_t d = 0; d < rank; ++d) {
      pending.push_back(d);
      if (!llvm::is_contained(axes, d)) {
        groups.push_back(pending);
        pending.clear();
      }
    }
    groups.back().append(pending.begin(), pending.end());
  }
  return tensor::ExpandShapeOp::create(b, loc, keepType, reduced, groups);
}

Value lowering::createReducedCount(OpBuilder &b, Location loc, Value input,
                                   ArrayRef<int64_t> axes, Type elementType) {
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, input);
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t axis : axes)
    count = arith::MulIOp::create(b, loc, count,
                                  materializeIndex(b, loc, sizes[axis]));
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  if (isa<FloatType>(elementType))
    return arith::SIToFPOp::create(b, loc, elementType, asInt);
  if (elementType.getIntOrFloatBitWidth() < 64)
    return arith::TruncIOp::create(b, loc, elementType, asInt);
  return asInt;
}

Value lowering::createFromIndices(OpBuilder &b, Location loc,
                                  RankedTensorType type,
                                  ArrayRef<OpFoldResult> sizes,
                                  const ScalarBodyBuilder &body) {
  int64_t rank = type.getRank();
  Value init = createEmpty(b, loc, type, sizes);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)}, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange) {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < rank; ++d)
          indices.push_back(linalg::IndexOp::create(nested, nestedLoc, d));
        linalg::YieldOp::create(nested, nestedLoc,
                                body(nested, nestedLoc, indices));
      });
  return generic.getResult(0);
}

KeptDims lowering::getKeptDims(OpBuilder &b, Location loc, Value input,
                               ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, input);
  KeptDims kept;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(axes, d)) {
      kept.shape.push_back(type.getDimSize(d));
      kept.sizes.push_back(sizes[d]);
    }
  return kept;
}

Value lowering::finishReduction(OpBuilder &b, Location loc, Value reduced,
                                RankedTensorType resultType,
                                ArrayRef<int64_t> axes, bool keepdims) {
  Value result = reduced;
  if (keepdims)
    result = expandReducedDims(b, loc, result, resultType, axes);
  if (result.getType() != resultType)
    result = tensor::CastOp::create(b, loc, resultType, result);
  return result;
}

Value lowering::wrapNegativeIndex(OpBuilder &b, Location loc, Value index,
                                  Value size) {
  Value i = castToIndex(b, loc, index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  return arith::SelectOp::create(b, loc, negative,
                                 arith::AddIOp::create(b, loc, i, size), i);
}
