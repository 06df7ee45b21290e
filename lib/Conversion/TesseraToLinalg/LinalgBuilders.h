//===- LinalgBuilders.h - shared builders for the tessera lowering -*- C++ -*-===//
//
// The pieces every tessera-to-linalg pattern needs: run-time sizes of
// dynamic dimensions, destination tensors, numpy-broadcasting indexing maps
// and elementwise linalg.generic ops.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_CONVERSION_TESSERATOLINALG_LINALGBUILDERS_H
#define TESSERA_LIB_CONVERSION_TESSERATOLINALG_LINALGBUILDERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#include <functional>

namespace mlir::tessera::lowering {

using ScalarBodyBuilder =
    std::function<Value(OpBuilder &, Location, ValueRange args)>;

/// The sizes of `tensor`: attributes for static dims, `tensor.dim` values
/// for dynamic ones.
SmallVector<OpFoldResult> getSizes(OpBuilder &b, Location loc, Value tensor);

/// A `tensor.empty` of `type` whose dynamic sizes are taken from `sizes`
/// (one entry per dimension; static entries are ignored).
Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes);

/// A tensor of `type` and `sizes` filled with `value`.
Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> sizes, Value value);

/// The map reading `operand` (right-aligned, numpy rules) inside a loop nest
/// over `result`: a static size-1 dimension broadcasts, anything else is
/// taken to match the result.
AffineMap getBroadcastMap(RankedTensorType operand, RankedTensorType result);

/// The run-time sizes of the numpy broadcast of `operands` into `result`.
SmallVector<OpFoldResult> getBroadcastSizes(OpBuilder &b, Location loc,
                                            ValueRange operands,
                                            RankedTensorType result);

/// An all-parallel linalg.generic computing `result` from broadcast
/// `operands` with `body` (which receives one scalar per operand).
Value createElementwise(OpBuilder &b, Location loc, RankedTensorType result,
                        ValueRange operands, const ScalarBodyBuilder &body);

using CombineBuilder =
    std::function<Value(OpBuilder &, Location, Value acc, Value element)>;

/// Reduces `input` over the sorted `axes` with `combine`, starting from
/// `identity`; the reduced dimensions are dropped from the result. `map`,
/// when given, transforms each element before it is combined.
Value createReduction(OpBuilder &b, Location loc, Value input,
                      ArrayRef<int64_t> axes, Value identity,
                      const CombineBuilder &combine,
                      const ScalarBodyBuilder &map = nullptr);

/// The map that reads a tensor of the kept (non-`axes`) dimensions inside a
/// loop nest over all `rank` dimensions.
AffineMap getKeptDimsMap(MLIRContext *ctx, int64_t rank,
                         ArrayRef<int64_t> axes);

/// `reduced` (the result of createReduction) with the reduced dimensions
/// re-inserted as size 1, giving `keepType`.
Value expandReducedDims(OpBuilder &b, Location loc, Value reduced,
                        RankedTensorType keepType, ArrayRef<int64_t> axes);

/// The number of elements `axes` of `input` span, as a scalar of
/// `elementType`.
Value createReducedCount(OpBuilder &b, Location loc, Value input,
                         ArrayRef<int64_t> axes, Type elementType);

/// A tensor of `type` and `sizes` whose every element is computed by `body`
/// from its indices (one per dimension): gathers, mirrored or clamped reads,
/// interpolation.
Value createFromIndices(OpBuilder &b, Location loc, RankedTensorType type,
                        ArrayRef<OpFoldResult> sizes,
                        const ScalarBodyBuilder &body);

/// A scalar constant of `type` (float or integer) with `value`.
Value createScalar(OpBuilder &b, Location loc, Type type, double value);

/// The lowest/highest value of a float or integer element type (-inf/+inf
/// for floats): the identities of max and min.
Value createLowest(OpBuilder &b, Location loc, Type type);
Value createHighest(OpBuilder &b, Location loc, Type type);

/// `index` (any integer type) as an index, negative values counted back
/// from `size` (ONNX's convention for gather/scatter indices and starts).
Value wrapNegativeIndex(OpBuilder &b, Location loc, Value index, Value size);

/// The shape and run-time sizes of `input` without the dimensions in `axes`.
struct KeptDims {
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
};
KeptDims getKeptDims(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes);

/// A reduced value (reduced dims dropped) shaped as `resultType`: the
/// reduced dims re-inserted with `keepdims`, then cast to refine.
Value finishReduction(OpBuilder &b, Location loc, Value reduced,
                      RankedTensorType resultType, ArrayRef<int64_t> axes,
                      bool keepdims);

/// `value` converted to `index` (from any integer width).
Value castToIndex(OpBuilder &b, Location loc, Value value);

/// An OpFoldResult as a Value of index type.
Value materializeIndex(OpBuilder &b, Location loc, OpFoldResult ofr);

} // namespace mlir::tessera::lowering

#endif // TESSERA_LIB_CONVERSION_TESSERATOLINALG_LINALGBUILDERS_H
