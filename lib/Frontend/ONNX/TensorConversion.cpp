//===- TensorConversion.cpp - ONNX types and tensors to MLIR ----*- C++ -*-===//

#include "TensorConversion.h"

#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <memory>

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

Type onnx_frontend::convertElementType(MLIRContext *ctx, int32_t dataType) {
  using T = onnx::TensorProto;
  auto signedInt = [&](unsigned width) { return IntegerType::get(ctx, width); };
  auto unsignedInt = [&](unsigned width) {
    return IntegerType::get(ctx, width, IntegerType::Unsigned);
  };
  switch (dataType) {
  case T::FLOAT:
    return Float32Type::get(ctx);
  case T::DOUBLE:
    return Float64Type::get(ctx);
  case T::FLOAT16:
    return Float16Type::get(ctx);
  case T::BFLOAT16:
    return BFloat16Type::get(ctx);
  case T::BOOL:
    return signedInt(1);
  case T::INT8:
    return signedInt(8);
  case T::INT16:
    return signedInt(16);
  case T::INT32:
    return signedInt(32);
  case T::INT64:
    return signedInt(64);
  case T::UINT8:
    return unsignedInt(8);
  case T::UINT16:
    return unsignedInt(16);
  case T::UINT32:
    return unsignedInt(32);
  case T::UINT64:
    return unsignedInt(64);
  default:
    return {};
  }
}

std::string onnx_frontend::dataTypeName(int32_t dataType) {
  if (onnx::TensorProto_DataType_IsValid(dataType))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(dataType));
  return "data type " + std::to_string(dataType);
}

RankedTensorType onnx_frontend::convertTensorType(MLIRContext *ctx,
                                                  const onnx::TypeProto &type) {
  if (!type.has_tensor_type())
    return {};
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  if (!tensor.has_shape())
    return {};
  Type element = convertElementType(ctx, tensor.elem_type());
  if (!element)
    return {};
  SmallVector<int64_t> shape;
  for (const onnx::TensorShapeProto::Dimension &dim : tensor.shape().dim())
    shape.push_back(dim.has_dim_value() && dim.dim_value() >= 0
                        ? dim.dim_value()
                        : ShapedType::kDynamic);
  return RankedTensorType::get(shape, element);
}

/// Appends the little-endian bytes of `value`'s low `bytes` bytes.
static void appendBytes(std::vector<char> &out, uint64_t value, int64_t bytes) {
  for (int64_t i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

/// The bytes of a tensor stored in its typed fields (float_data, ...).
static std::vector<char> typedFieldBytes(const onnx::TensorProto &tensor,
                                         int64_t elementBytes) {
  using T = onnx::TensorProto;
  std::vector<char> out;
  switch (tensor.data_type()) {
  case T::FLOAT:
    for (float v : tensor.float_data()) {
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      appendBytes(out, bits, 4);
    }
    break;
  case T::DOUBLE:
    for (double v : tensor.double_data()) {
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      appendBytes(out, bits, 8);
    }
    break;
  case T::INT64:
    for (int64_t v : tensor.int64_data())
      appendBytes(out, static_cast<uint64_t>(v), 8);
    break;
  case T::UINT32:
  case T::UINT64:
    for (uint64_t v : tensor.uint64_data())
      appendBytes(out, v, elementBytes);
    break;
  default: // int8/16/32, uint8/16, float16 and bfloat16 bits live in int32_data
    for (int32_t v : tensor.int32_data())
      appendBytes(out, static_cast<uint32_t>(v), elementBytes);
    break;
  }
  return out;
}

static int64_t typedFieldCount(const onnx::TensorProto &tensor) {
  return tensor.float_data_size() + tensor.double_data_size() +
         tensor.int32_data_size() + tensor.int64_data_size() +
         tensor.uint64_data_size();
}

namespace {
/// Where a tensor's external bytes are, as the model describes them.
struct ExternalLocation {
  std::string path;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
};
} // namespace

static FailureOr<ExternalLocation>
getExternalLocation(const onnx::TensorProto &tensor, llvm::StringRef baseDir,
                    Location loc) {
  ExternalLocation where;
  std::string location;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      where.offset = std::strtoull(entry.value().c_str(), nullptr, 10);
    else if (entry.key() == "length")
      where.length = std::strtoull(entry.value().c_str(), nullptr, 10);
  }
  if (location.empty())
    return emitError(loc) << "initializer '" << tensor.name()
                          << "' is stored externally but names no location";
  if (llvm::sys::path::is_absolute(location) ||
      llvm::StringRef(location).contains(".."))
    return emitError(loc) << "initializer '" << tensor.name()
                          << "': external data location '" << location
                          << "' must be a relative path inside the model's "
                             "directory";
  llvm::SmallString<256> path(baseDir);
  llvm::sys::path::append(path, location);
  where.path = path.str().str();
  return where;
}

FailureOr<ElementsAttr>
onnx_frontend::convertTensorProto(const onnx::TensorProto &tensor,
                                  llvm::StringRef baseDirectory, Location loc) {
  MLIRContext *ctx = loc.getContext();
  Type element = convertElementType(ctx, tensor.data_type());
  if (!element)
    return emitError(loc) << "tensor '" << tensor.name() << "' has "
                          << dataTypeName(tensor.data_type())
                          << " elements, which tessera does not support";
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has a negative dimension";
  auto type = RankedTensorType::get(shape, element);
  int64_t count = type.getNumElements();

  // Booleans are bit-packed by DenseElementsAttr: build them value by value.
  if (element.isInteger(1)) {
    std::vector<char> bytes =
        tensor.has_raw_data()
            ? std::vector<char>(tensor.raw_data().begin(), tensor.raw_data().end())
            : typedFieldBytes(tensor, 1);
    if (static_cast<int64_t>(bytes.size()) != count)
      return emitError(loc) << "tensor '" << tensor.name() << "' holds "
                            << bytes.size() << " booleans but its shape needs "
                            << count;
    SmallVector<bool> values(bytes.begin(), bytes.end());
    return cast<ElementsAttr>(DenseElementsAttr::get(type, ArrayRef<bool>(values)));
  }

  int64_t elementBytes = getElementByteSize(element);
  uint64_t expected = static_cast<uint64_t>(count) * elementBytes;
  std::string nameHint = tensor.name().empty() ? "constant" : tensor.name();
  auto sizeError = [&](uint64_t actual) {
    return emitError(loc) << "tensor '" << tensor.name() << "' has " << actual
                          << " bytes of data but its shape " << type
                          << " needs " << expected;
  };

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    FailureOr<ExternalLocation> where =
        getExternalLocation(tensor, baseDirectory, loc);
    if (failed(where))
      return failure();
    uint64_t length = where->length.value_or(expected);
    if (length != expected)
      return sizeError(length);
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFileSlice(where->path, length, where->offset);
    if (!buffer)
      return emitError(loc) << "initializer '" << tensor.name()
                            << "': cannot read external data file '"
                            << where->path << "' (offset " << where->offset
                            << ", length " << length
                            << "): " << buffer.getError().message();
    if ((*buffer)->getBufferSize() != length)
      return emitError(loc) << "initializer '" << tensor.name()
                            << "': external data file '" << where->path
                            << "' ends before offset " << where->offset
                            << " + length " << length;
    ArrayRef<char> data((*buffer)->getBufferStart(), length);
    bool aligned = reinterpret_cast<uintptr_t>(data.data()) % elementBytes == 0;
    if (count <= kInlineConstantElements || !aligned)
      return makeConstantAttr(type, data, nameHint);
    // Keep the mapping alive as long as the blob that views it.
    std::shared_ptr<llvm::MemoryBuffer> mapping = std::move(*buffer);
    AsmResourceBlob blob(data, elementBytes,
                         [mapping](void *, size_t, size_t) {},
                         /*dataIsMutable=*/false);
    return cast<ElementsAttr>(
        DenseResourceElementsAttr::get(type, nameHint, std::move(blob)));
  }

  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() != expected)
      return sizeError(raw.size());
    return makeConstantAttr(type, ArrayRef<char>(raw.data(), raw.size()),
                            nameHint);
  }
  if (typedFieldCount(tensor) != count)
    return emitError(loc) << "tensor '" << tensor.name() << "' holds "
                          << typedFieldCount(tensor)
                          << " values but its shape " << type << " needs "
                          << count;
  std::vector<char> bytes = typedFieldBytes(tensor, elementBytes);
  return makeConstantAttr(type, bytes, nameHint);
}
