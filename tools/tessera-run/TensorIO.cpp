//===- TensorIO.cpp - host tensors, .npy and .pb files ----------*- C++ -*-===//

#include "TensorIO.h"
#include "Package.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace tessera::run;
using llvm::StringRef;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(
      std::make_error_code(std::errc::invalid_argument), message);
}

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

llvm::Expected<int64_t>
tessera::run::countElements(llvm::ArrayRef<int64_t> dims) {
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (dim < 0)
      return makeError("negative dimension " + llvm::Twine(dim));
    if (__builtin_mul_overflow(count, dim, &count))
      return makeError("tensor size overflows");
  }
  return count;
}

llvm::Expected<HostTensor> HostTensor::allocate(tessera_dtype_t dtype,
                                                llvm::ArrayRef<int64_t> dims) {
  const DTypeInfo *info = lookupDType(dtype);
  if (!info)
    return makeError("unsupported element type " + dtypeName(dtype));
  if (dims.size() > TESSERA_MAX_RANK)
    return makeError("rank " + llvm::Twine(dims.size()) +
                     " exceeds TESSERA_MAX_RANK (" +
                     llvm::Twine(TESSERA_MAX_RANK) + ")");
  llvm::Expected<int64_t> count = countElements(dims);
  if (!count)
    return count.takeError();
  int64_t bytes;
  if (__builtin_mul_overflow(*count, int64_t(info->size), &bytes) ||
      bytes > int64_t(SIZE_MAX / 2))
    return makeError("tensor size overflows");
  // Never a null pointer, even for an empty tensor; 64-byte alignment suits
  // any vector width.
  size_t allocation = (size_t(bytes) + 63) / 64 * 64;
  if (allocation == 0)
    allocation = 64;
  void *memory = std::aligned_alloc(64, allocation);
  if (!memory)
    return makeError("out of memory allocating " + llvm::Twine(bytes) +
                     " bytes");
  HostTensor tensor;
  tensor.elementType = dtype;
  tensor.shape.assign(dims.begin(), dims.end());
  tensor.elements = *count;
  tensor.bytes = size_t(bytes);
  tensor.storage.reset(static_cast<uint8_t *>(memory));
  return std::move(tensor);
}

std::string HostTensor::shapeStr() const {
  std::string result = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    result += (i ? "," : "") + std::to_string(shape[i]);
  return result + "]";
}

//===----------------------------------------------------------------------===//
// float16 / bfloat16
//===----------------------------------------------------------------------===//

static uint16_t floatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint16_t sign = (bits >> 16) & 0x8000;
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude >= 0x7f800000) // inf, nan
    return sign | 0x7c00 | (magnitude > 0x7f800000 ? 0x200 : 0);
  if (magnitude >= 0x477ff000) // rounds to >= 65520: overflows to inf
    return sign | 0x7c00;
  if (magnitude < 0x38800000) { // below 2^-14: a subnormal half (or zero)
    float absolute;
    std::memcpy(&absolute, &magnitude, 4);
    // Units of 2^-24; exact scaling, then round to nearest even.
    return sign | uint16_t(std::nearbyint(absolute * 16777216.0f));
  }
  uint32_t half =
      (((magnitude >> 23) - 112) << 10) | ((magnitude >> 13) & 0x3ff);
  uint32_t rest = magnitude & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half; // may carry into the exponent, which is still correct
  return sign | uint16_t(half);
}

static float halfToFloat(uint16_t half) {
  uint32_t sign = uint32_t(half & 0x8000) << 16;
  uint32_t exponent = (half >> 10) & 0x1f;
  uint32_t mantissa = half & 0x3ff;
  if (exponent == 0) {
    float value = std::ldexp(float(mantissa), -24);
    return sign ? -value : value;
  }
  uint32_t bits = exponent == 31
                      ? sign | 0x7f800000 | (mantissa << 13)
                      : sign | ((exponent + 112) << 23) | (mantissa << 13);
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

static uint16_t floatToBFloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7fffffff) > 0x7f800000) // nan: keep it quiet
    return uint16_t((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1);
  return uint16_t(bits >> 16);
}

static float bfloat16ToFloat(uint16_t value) {
  uint32_t bits = uint32_t(value) << 16;
  float result;
  std::memcpy(&result, &bits, 4);
  return result;
}

HostTensor tessera::run::convertFloat32ToBFloat16(const HostTensor &tensor) {
  HostTensor result = llvm::cantFail(
      HostTensor::allocate(TESSERA_DTYPE_BFLOAT16, tensor.dims()));
  auto *in = static_cast<const float *>(tensor.data());
  auto *out = static_cast<uint16_t *>(result.data());
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    out[i] = floatToBFloat16(in[i]);
  return result;
}

HostTensor tessera::run::convertBFloat16ToFloat32(const HostTensor &tensor) {
  HostTensor result = llvm::cantFail(
      HostTensor::allocate(TESSERA_DTYPE_FLOAT32, tensor.dims()));
  auto *in = static_cast<const uint16_t *>(tensor.data());
  auto *out = static_cast<float *>(result.data());
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    out[i] = bfloat16ToFloat(in[i]);
  return result;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

namespace {
/// Just enough of a Python-literal scanner for numpy's header dict.
class HeaderScanner {
public:
  explicit HeaderScanner(StringRef text) : text(text) {}

  /// The text following `'key':` (leading blanks skipped), or "" if absent.
  StringRef valueOf(StringRef key) const {
    for (char quote : {'\'', '"'}) {
      std::string pattern = std::string(1, quote) + key.str() + quote;
      size_t at = text.find(pattern);
      if (at == StringRef::npos)
        continue;
      StringRef rest = text.drop_front(at + pattern.size()).ltrim();
      if (!rest.consume_front(":"))
        return "";
      return rest.ltrim();
    }
    return "";
  }

  static bool parseString(StringRef value, std::string &out) {
    if (value.empty() || (value[0] != '\'' && value[0] != '"'))
      return false;
    size_t end = value.find(value[0], 1);
    if (end == StringRef::npos)
      return false;
    out = value.slice(1, end).str();
    return true;
  }

  static bool parseShape(StringRef value, std::vector<int64_t> &dims) {
    if (!value.consume_front("("))
      return false;
    size_t end = value.find(')');
    if (end == StringRef::npos)
      return false;
    llvm::SmallVector<StringRef> parts;
    value.take_front(end).split(parts, ',');
    for (StringRef part : parts) {
      part = part.trim();
      if (part.empty())
        continue; // "(3,)" and "()"
      part.consume_back("L"); // Python 2 longs
      int64_t dim;
      if (part.getAsInteger(10, dim) || dim < 0)
        return false;
      dims.push_back(dim);
    }
    return true;
  }

private:
  StringRef text;
};
} // namespace

/// Maps a numpy type string ("<f4") to an ABI dtype.
static llvm::Expected<tessera_dtype_t> parseNpyDescr(StringRef descr) {
  char order = descr.empty() ? '?' : descr[0];
  StringRef kindAndSize = descr.empty() ? descr : descr.drop_front();
  static const struct {
    const char *code;
    tessera_dtype_t dtype;
  } codes[] = {
      {"f2", TESSERA_DTYPE_FLOAT16}, {"f4", TESSERA_DTYPE_FLOAT32},
      {"f8", TESSERA_DTYPE_FLOAT64}, {"i1", TESSERA_DTYPE_INT8},
      {"i2", TESSERA_DTYPE_INT16},   {"i4", TESSERA_DTYPE_INT32},
      {"i8", TESSERA_DTYPE_INT64},   {"u1", TESSERA_DTYPE_UINT8},
      {"u2", TESSERA_DTYPE_UINT16},  {"u4", TESSERA_DTYPE_UINT32},
      {"u8", TESSERA_DTYPE_UINT64},  {"b1", TESSERA_DTYPE_BOOL},
  };
  for (const auto &code : codes) {
    if (kindAndSize != code.code)
      continue;
    bool byteSized = kindAndSize.ends_with("1");
    // '=' is native order, which is little-endian on every supported host.
    if (order == '<' || order == '|' || order == '=' ||
        (order == '>' && byteSized))
      return code.dtype;
    if (order == '>')
      return makeError("big-endian data ('" + descr +
                       "') is not supported; save it little-endian "
                       "(array.astype(array.dtype.newbyteorder('<')))");
  }
  return makeError("unsupported dtype '" + descr +
                   "' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)");
}

llvm::Expected<HostTensor> tessera::run::readNpy(StringRef path) {
  auto fail = [&](const llvm::Twine &why) {
    return makeError("'" + path + "': " + why);
  };
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!file)
    return fail("cannot read: " + file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  if (!bytes.starts_with(StringRef("\x93NUMPY", 6)) || bytes.size() < 10)
    return fail("not a .npy file (bad magic string)");
  unsigned major = uint8_t(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = uint8_t(bytes[8]) | size_t(uint8_t(bytes[9])) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("truncated .npy header");
    headerLength = 0;
    for (int i = 3; i >= 0; --i)
      headerLength = headerLength << 8 | uint8_t(bytes[8 + i]);
    headerStart = 12;
  } else {
    return fail("unsupported .npy format version " + llvm::Twine(major));
  }
  if (bytes.size() < headerStart + headerLength)
    return fail("truncated .npy header");
  HeaderScanner header(bytes.substr(headerStart, headerLength));

  std::string descr;
  if (!HeaderScanner::parseString(header.valueOf("descr"), descr))
    return fail("unsupported .npy header: 'descr' is missing or is a "
                "structured type");
  StringRef fortran = header.valueOf("fortran_order");
  if (fortran.starts_with("True"))
    return fail("Fortran-ordered arrays are not supported; save a C-ordered "
                "array (numpy.ascontiguousarray)");
  if (!fortran.starts_with("False"))
    return fail("unsupported .npy header: bad 'fortran_order'");
  std::vector<int64_t> dims;
  if (!HeaderScanner::parseShape(header.valueOf("shape"), dims))
    return fail("unsupported .npy header: bad 'shape'");

  llvm::Expected<tessera_dtype_t> dtype = parseNpyDescr(descr);
  if (!dtype)
    return fail(llvm::toString(dtype.takeError()));
  llvm::Expected<HostTensor> tensor = HostTensor::allocate(*dtype, dims);
  if (!tensor)
    return fail(llvm::toString(tensor.takeError()));
  size_t available = bytes.size() - headerStart - headerLength;
  if (available != tensor->sizeInBytes())
    return fail("holds " + llvm::Twine(available) + " data bytes, but shape " +
                tensor->shapeStr() + " of " + dtypeName(*dtype) + " needs " +
                llvm::Twine(tensor->sizeInBytes()));
  if (tensor->sizeInBytes())
    std::memcpy(tensor->data(), bytes.data() + headerStart + headerLength,
                tensor->sizeInBytes());
  if (*dtype == TESSERA_DTYPE_BOOL) {
    auto *values = static_cast<uint8_t *>(tensor->data());
    for (int64_t i = 0; i < tensor->numElements(); ++i)
      values[i] = values[i] != 0;
  }
  return tensor;
}

llvm::Error tessera::run::writeNpy(StringRef path, const HostTensor &tensor) {
  if (tensor.dtype() == TESSERA_DTYPE_BFLOAT16)
    return writeNpy(path, convertBFloat16ToFloat32(tensor));
  const DTypeInfo *info = lookupDType(tensor.dtype());
  std::string shape = "(";
  for (size_t i = 0; i < tensor.dims().size(); ++i)
    shape += (i ? ", " : "") + std::to_string(tensor.dims()[i]);
  shape += tensor.dims().size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + std::string(info->npyDescr) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so the data starts at a multiple of 64, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write '%s': %s",
                                   path.str().c_str(), ec.message().c_str());
  out << StringRef("\x93NUMPY\x01\x00", 8);
  out << char(header.size() & 0xff) << char(header.size() >> 8);
  out << header;
  out.write(static_cast<const char *>(tensor.data()), tensor.sizeInBytes());
  out.close();
  if (out.has_error()) {
    std::error_code writeError = out.error();
    out.clear_error();
    return llvm::createStringError(writeError, "cannot write '%s': %s",
                                   path.str().c_str(),
                                   writeError.message().c_str());
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// .pb (onnx.TensorProto)
//===----------------------------------------------------------------------===//

/// A callback storing element i of a TensorProto field as a T.
template <typename T> static auto storeAs(void *data) {
  return [data](int64_t i, auto value) {
    static_cast<T *>(data)[i] = static_cast<T>(value);
  };
}

llvm::Expected<HostTensor>
tessera::run::readTensorProto(StringRef path, std::string &protoName) {
  auto fail = [&](const llvm::Twine &why) {
    return makeError("'" + path + "': " + why);
  };
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!file)
    return fail("cannot read: " + file.getError().message());
  onnx::TensorProto proto;
  StringRef bytes = (*file)->getBuffer();
  if (bytes.size() > size_t(INT32_MAX) ||
      !proto.ParseFromArray(bytes.data(), int(bytes.size())))
    return fail("not a serialized onnx.TensorProto");
  protoName = proto.name();
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return fail("tensors with external data are not supported");
  if (proto.has_segment())
    return fail("segmented tensors are not supported");
  int32_t type = proto.data_type();
  if (type == onnx::TensorProto::STRING)
    return fail("string tensors are not supported");
  if (!lookupDType(type))
    return fail("unsupported data_type " + llvm::Twine(type));
  auto dtype = static_cast<tessera_dtype_t>(type);
  std::vector<int64_t> dims(proto.dims().begin(), proto.dims().end());
  llvm::Expected<HostTensor> tensor = HostTensor::allocate(dtype, dims);
  if (!tensor)
    return fail(llvm::toString(tensor.takeError()));
  int64_t count = tensor->numElements();
  void *data = tensor->data();

  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != tensor->sizeInBytes())
      return fail("raw_data holds " + llvm::Twine(raw.size()) +
                  " bytes, but shape " + tensor->shapeStr() + " of " +
                  dtypeName(dtype) + " needs " +
                  llvm::Twine(tensor->sizeInBytes()));
    if (!raw.empty())
      std::memcpy(data, raw.data(), raw.size());
    if (dtype == TESSERA_DTYPE_BOOL)
      for (int64_t i = 0; i < count; ++i)
        static_cast<uint8_t *>(data)[i] = static_cast<uint8_t *>(data)[i] != 0;
    return tensor;
  }

  auto copy = [&](const auto &field, const char *fieldName,
                  auto store) -> llvm::Error {
    if (int64_t(field.size()) != count)
      return fail(llvm::Twine(fieldName) + " holds " +
                  llvm::Twine(field.size()) + " values, but shape " +
                  tensor->shapeStr() + " needs " + llvm::Twine(count));
    for (int64_t i = 0; i < count; ++i)
      store(i, field.Get(int(i)));
    return llvm::Error::success();
  };
  llvm::Error error = llvm::Error::success();
  switch (dtype) {
  case TESSERA_DTYPE_FLOAT32:
    error = copy(proto.float_data(), "float_data", storeAs<float>(data));
    break;
  case TESSERA_DTYPE_FLOAT64:
    error = copy(proto.double_data(), "double_data", storeAs<double>(data));
    break;
  case TESSERA_DTYPE_INT64:
    error = copy(proto.int64_data(), "int64_data", storeAs<int64_t>(data));
    break;
  case TESSERA_DTYPE_UINT32:
    error = copy(proto.uint64_data(), "uint64_data", storeAs<uint32_t>(data));
    break;
  case TESSERA_DTYPE_UINT64:
    error = copy(proto.uint64_data(), "uint64_data", storeAs<uint64_t>(data));
    break;
  case TESSERA_DTYPE_INT32:
    error = copy(proto.int32_data(), "int32_data", storeAs<int32_t>(data));
    break;
  case TESSERA_DTYPE_INT16:
    error = copy(proto.int32_data(), "int32_data", storeAs<int16_t>(data));
    break;
  case TESSERA_DTYPE_INT8:
    error = copy(proto.int32_data(), "int32_data", storeAs<int8_t>(data));
    break;
  case TESSERA_DTYPE_UINT16:
  case TESSERA_DTYPE_FLOAT16: // bit patterns
  case TESSERA_DTYPE_BFLOAT16:
    error = copy(proto.int32_data(), "int32_data", storeAs<uint16_t>(data));
    break;
  case TESSERA_DTYPE_UINT8:
    error = copy(proto.int32_data(), "int32_data", storeAs<uint8_t>(data));
    break;
  case TESSERA_DTYPE_BOOL:
    error = copy(proto.int32_data(), "int32_data",
                 [data](int64_t i, int32_t value) {
                   static_cast<uint8_t *>(data)[i] = value != 0;
                 });
    break;
  }
  if (error)
    return std::move(error);
  return tensor;
}

//===----------------------------------------------------------------------===//
// Random data and printing
//===----------------------------------------------------------------------===//

namespace {
/// SplitMix64: tiny, fast and identical on every platform (unlike the
/// standard library's distributions).
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  float nextFloat() { return float(next() >> 40) * 0x1p-23f - 1.0f; }
  double nextDouble() { return double(next() >> 11) * 0x1p-52 - 1.0; }
};
} // namespace

void tessera::run::fillRandom(HostTensor &tensor, uint64_t seed) {
  SplitMix64 rng{seed};
  int64_t count = tensor.numElements();
  void *data = tensor.data();
  auto fillInts = [&](auto *values) {
    using T = std::remove_pointer_t<decltype(values)>;
    for (int64_t i = 0; i < count; ++i)
      values[i] = T(rng.next() % 10);
  };
  switch (tensor.dtype()) {
  case TESSERA_DTYPE_FLOAT32:
    for (int64_t i = 0; i < count; ++i)
      static_cast<float *>(data)[i] = rng.nextFloat();
    break;
  case TESSERA_DTYPE_FLOAT64:
    for (int64_t i = 0; i < count; ++i)
      static_cast<double *>(data)[i] = rng.nextDouble();
    break;
  case TESSERA_DTYPE_FLOAT16:
    for (int64_t i = 0; i < count; ++i)
      static_cast<uint16_t *>(data)[i] = floatToHalf(rng.nextFloat());
    break;
  case TESSERA_DTYPE_BFLOAT16:
    for (int64_t i = 0; i < count; ++i)
      static_cast<uint16_t *>(data)[i] = floatToBFloat16(rng.nextFloat());
    break;
  case TESSERA_DTYPE_BOOL:
    for (int64_t i = 0; i < count; ++i)
      static_cast<uint8_t *>(data)[i] = rng.next() >> 63;
    break;
  case TESSERA_DTYPE_UINT8:
    fillInts(static_cast<uint8_t *>(data));
    break;
  case TESSERA_DTYPE_INT8:
    fillInts(static_cast<int8_t *>(data));
    break;
  case TESSERA_DTYPE_UINT16:
    fillInts(static_cast<uint16_t *>(data));
    break;
  case TESSERA_DTYPE_INT16:
    fillInts(static_cast<int16_t *>(data));
    break;
  case TESSERA_DTYPE_INT32:
    fillInts(static_cast<int32_t *>(data));
    break;
  case TESSERA_DTYPE_UINT32:
    fillInts(static_cast<uint32_t *>(data));
    break;
  case TESSERA_DTYPE_INT64:
    fillInts(static_cast<int64_t *>(data));
    break;
  case TESSERA_DTYPE_UINT64:
    fillInts(static_cast<uint64_t *>(data));
    break;
  }
}

double tessera::run::elementAsDouble(tessera_dtype_t dtype, const void *data,
                                     int64_t index) {
  switch (dtype) {
  case TESSERA_DTYPE_FLOAT32:
    return static_cast<const float *>(data)[index];
  case TESSERA_DTYPE_FLOAT64:
    return static_cast<const double *>(data)[index];
  case TESSERA_DTYPE_FLOAT16:
    return halfToFloat(static_cast<const uint16_t *>(data)[index]);
  case TESSERA_DTYPE_BFLOAT16:
    return bfloat16ToFloat(static_cast<const uint16_t *>(data)[index]);
  case TESSERA_DTYPE_BOOL:
  case TESSERA_DTYPE_UINT8:
    return static_cast<const uint8_t *>(data)[index];
  case TESSERA_DTYPE_INT8:
    return static_cast<const int8_t *>(data)[index];
  case TESSERA_DTYPE_UINT16:
    return static_cast<const uint16_t *>(data)[index];
  case TESSERA_DTYPE_INT16:
    return static_cast<const int16_t *>(data)[index];
  case TESSERA_DTYPE_INT32:
    return static_cast<const int32_t *>(data)[index];
  case TESSERA_DTYPE_UINT32:
    return static_cast<const uint32_t *>(data)[index];
  case TESSERA_DTYPE_INT64:
    return double(static_cast<const int64_t *>(data)[index]);
  case TESSERA_DTYPE_UINT64:
    return double(static_cast<const uint64_t *>(data)[index]);
  }
  return 0;
}

std::string tessera::run::formatValues(tessera_dtype_t dtype, const void *data,
                                       int64_t numElements, int64_t count) {
  std::string result;
  llvm::raw_string_ostream os(result);
  os << "[";
  int64_t shown = std::min(numElements, count);
  for (int64_t i = 0; i < shown; ++i) {
    if (i)
      os << ", ";
    switch (dtype) {
    case TESSERA_DTYPE_INT64:
      os << static_cast<const int64_t *>(data)[i];
      break;
    case TESSERA_DTYPE_UINT64:
      os << static_cast<const uint64_t *>(data)[i];
      break;
    case TESSERA_DTYPE_BOOL:
      os << (static_cast<const uint8_t *>(data)[i] ? "true" : "false");
      break;
    default:
      os << llvm::format("%g", elementAsDouble(dtype, data, i));
      break;
    }
  }
  if (numElements > shown)
    os << (shown ? ", " : "") << "...";
  os << "]";
  return result;
}
