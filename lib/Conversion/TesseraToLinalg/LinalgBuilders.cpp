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
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> keptShape;
  SmallVector<OpFoldResult> keptSizes;
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, input);
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced) {
      keptShape.push_back(inputType.getDimSize(d));
      keptSizes.push_back(sizes[d]);
    }
  }
  auto resultType =
      RankedTensorType::get(keptShape, identity.getType());
  Value init = createFilled(b, loc, resultType, keptSizes, identity);
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
