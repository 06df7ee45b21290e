//===- TesseraConstants.h - constant tensor storage -------------*- C++ -*-===//
//
// Tensor constants come in two storages: `dense<...>` for small values that
// folders compute with (shapes, scalars), and `dense_resource<...>` blobs
// for weights, which are moved around as bytes and never expanded into
// per-element attributes. These helpers give folders one byte-level view of
// both, and pick the storage for a new constant.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESSERA_IR_TESSERACONSTANTS_H
#define TESSERA_DIALECT_TESSERA_IR_TESSERACONSTANTS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include <optional>
#include <vector>

namespace mlir::tessera {

/// Constants with at most this many elements are stored as `dense<...>`.
constexpr int64_t kInlineConstantElements = 64;

/// Bytes per element of `type` in a constant's buffer, or 0 when the type
/// has no byte-addressable layout (i1 and sub-byte types).
int64_t getElementByteSize(Type type);

/// The row-major bytes of a static-shaped constant, splats expanded.
class ConstantBytes {
public:
  /// Returns nullopt for attributes that are neither dense nor dense
  /// resource elements, for dynamic shapes, for element types without a
  /// byte layout, and for resources whose blob is missing.
  static std::optional<ConstantBytes> get(Attribute attr);

  // `data` may point into `owned`: moves keep the heap buffer, copies would not.
  ConstantBytes(ConstantBytes &&) = default;
  ConstantBytes(const ConstantBytes &) = delete;
  ConstantBytes &operator=(const ConstantBytes &) = delete;

  RankedTensorType getType() const { return type; }
  ArrayRef<char> getData() const { return data; }
  int64_t getElementBytes() const { return elementBytes; }

private:
  ConstantBytes(RankedTensorType type, ArrayRef<char> data,
                int64_t elementBytes, std::vector<char> owned);

  RankedTensorType type;
  ArrayRef<char> data;
  int64_t elementBytes;
  std::vector<char> owned;
};

/// A constant attribute for `bytes` (row-major, `type`'s element layout):
/// `dense<...>` when small, otherwise a `dense_resource` blob named after
/// `nameHint` (uniqued by the blob manager).
ElementsAttr makeConstantAttr(RankedTensorType type, ArrayRef<char> bytes,
                              StringRef nameHint);

/// The constant's values as int64 (integers and bool), one per element
/// (splats included), when it is a dense attribute of integer type.
std::optional<SmallVector<int64_t>> getConstantIntValues(Attribute attr);

/// The elements of an f32 constant (dense or dense resource, splats
/// expanded), row-major, or nothing for other attributes and types.
std::optional<std::vector<float>> getConstantF32Values(Attribute attr);

} // namespace mlir::tessera

#endif // TESSERA_DIALECT_TESSERA_IR_TESSERACONSTANTS_H
