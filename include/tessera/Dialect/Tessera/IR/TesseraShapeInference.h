//===- TesseraShapeInference.h - result-type rules --------------*- C++ -*-===//
//
// The result-type rules shared by several tessera ops (broadcasting,
// reductions, pooling windows). Each returns failure with a diagnostic at
// `loc` (when given) if the operands cannot produce a result.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESSERA_IR_TESSERASHAPEINFERENCE_H
#define TESSERA_DIALECT_TESSERA_IR_TESSERASHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/TypeRange.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace mlir::tessera {

/// True when every `actual` type equals the `inferred` one, except that a
/// dimension `?` in `inferred` may be static in `actual`.
bool areRefinedTypes(TypeRange inferred, TypeRange actual);

/// True when the types agree wherever both are static (same element types
/// and ranks): the result-type check of ops, which accepts a result that is
/// more or less static than what inference says.
bool areCompatibleTypes(TypeRange inferred, TypeRange actual);

/// True when two dimension sizes are both static and differ.
inline bool areConflictingDims(int64_t a, int64_t b) {
  return a != ShapedType::kDynamic && b != ShapedType::kDynamic && a != b;
}

/// Numpy broadcasting of `operands`' shapes; the element type is
/// `elementType` or, when null, the last operand's (which must then agree
/// with the others).
LogicalResult inferBroadcastType(std::optional<Location> loc,
                                 TypeRange operands, Type elementType,
                                 SmallVectorImpl<Type> &results);

/// Broadcast two shapes (numpy rules, `ShapedType::kDynamic` for unknown);
/// nullopt when they are incompatible.
std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs);

LogicalResult inferReduceType(std::optional<Location> loc, Type input,
                              ArrayRef<int64_t> axes, bool keepdims,
                              SmallVectorImpl<Type> &results);

/// Output size of one sliding-window dimension (conv and pooling).
int64_t slidingWindowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                int64_t padBegin, int64_t padEnd,
                                int64_t dilation, bool ceilMode);

LogicalResult inferPoolType(std::optional<Location> loc, Type input,
                            ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                            bool ceilMode, SmallVectorImpl<Type> &results);

} // namespace mlir::tessera

#endif // TESSERA_DIALECT_TESSERA_IR_TESSERASHAPEINFERENCE_H
