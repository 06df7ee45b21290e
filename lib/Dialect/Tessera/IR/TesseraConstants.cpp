//===- TesseraConstants.cpp - constant tensor storage -----------*- C++ -*-===//

#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;
using namespace mlir::tessera;

int64_t mlir::tessera::getElementByteSize(Type type) {
  unsigned bits = 0;
  if (auto intType = dyn_cast<IntegerType>(type))
    bits = intType.getWidth();
  else if (auto floatType = dyn_cast<FloatType>(type))
    bits = floatType.getWidth();
  else if (isa<IndexType>(type))
    bits = 64;
  if (bits < 8 || bits % 8 != 0)
    return 0;
  return bits / 8;
}

ConstantBytes::ConstantBytes(RankedTensorType type, ArrayRef<char> data,
                             int64_t elementBytes, std::vector<char> owned)
    : type(type), data(data), elementBytes(elementBytes),
      owned(std::move(owned)) {
  if (!this->owned.empty())
    this->data = ArrayRef<char>(this->owned.data(), this->owned.size());
}

std::optional<ConstantBytes> ConstantBytes::get(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(elements.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  int64_t elementBytes = getElementByteSize(type.getElementType());
  if (elementBytes == 0)
    return std::nullopt;
  size_t totalBytes = type.getNumElements() * elementBytes;

  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != totalBytes)
      return std::nullopt;
    return ConstantBytes(type, blob->getData(), elementBytes, {});
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  ArrayRef<char> raw = dense.getRawData();
  if (!dense.isSplat())
    return ConstantBytes(type, raw, elementBytes, {});
  std::vector<char> expanded(totalBytes);
  for (size_t offset = 0; offset < totalBytes; offset += elementBytes)
    std::memcpy(expanded.data() + offset, raw.data(), elementBytes);
  if (expanded.empty())
    return ConstantBytes(type, {}, elementBytes, {});
  return ConstantBytes(type, {}, elementBytes, std::move(expanded));
}

ElementsAttr mlir::tessera::makeConstantAttr(RankedTensorType type,
                                             ArrayRef<char> bytes,
                                             StringRef nameHint) {
  if (type.getNumElements() <= kInlineConstantElements) {
    bool detectedSplat = false;
    assert(DenseElementsAttr::isValidRawBuffer(type, bytes, detectedSplat));
    (void)detectedSplat;
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  }
  int64_t elementBytes = getElementByteSize(type.getElementType());
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      bytes, std::max<int64_t>(elementBytes, alignof(std::max_align_t)));
  return DenseResourceElementsAttr::get(type, nameHint, std::move(blob));
}

std::optional<SmallVector<int64_t>>
mlir::tessera::getConstantIntValues(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  bool isUnsigned = dense.getElementType().isUnsignedInteger();
  SmallVector<int64_t> values;
  values.reserve(dense.getNumElements());
  for (const APInt &value : dense.getValues<APInt>())
    values.push_back(isUnsigned || value.getBitWidth() == 1
                         ? static_cast<int64_t>(value.getZExtValue())
                         : value.getSExtValue());
  return values;
}

std::optional<std::vector<float>>
mlir::tessera::getConstantF32Values(Attribute attr) {
  std::optional<ConstantBytes> bytes = ConstantBytes::get(attr);
  if (!bytes || !bytes->getType().getElementType().isF32())
    return std::nullopt;
  ArrayRef<char> data = bytes->getData();
  std::vector<float> values(data.size() / sizeof(float));
  std::memcpy(values.data(), data.data(), values.size() * sizeof(float));
  return values;
}
