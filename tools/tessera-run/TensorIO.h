//===- TensorIO.h - host tensors, .npy and .pb files ------------*- C++ -*-===//
//
// The tensors tessera-run feeds to and reads from a package: dense,
// row-major, 64-byte aligned. Read from numpy .npy files or ONNX TensorProto
// .pb files (as in ONNX's test suite), filled with reproducible random data,
// and written back as .npy.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TOOLS_TESSERA_RUN_TENSORIO_H
#define TESSERA_TOOLS_TESSERA_RUN_TENSORIO_H

#include "tessera/Runtime/tessera_runtime.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace tessera::run {

class HostTensor {
public:
  /// Allocates (uninitialized) storage for `dims` elements of `dtype`.
  /// Fails when the size overflows or `dtype` is not an ABI type.
  static llvm::Expected<HostTensor> allocate(tessera_dtype_t dtype,
                                             llvm::ArrayRef<int64_t> dims);

  tessera_dtype_t dtype() const { return elementType; }
  llvm::ArrayRef<int64_t> dims() const { return shape; }
  int64_t numElements() const { return elements; }
  size_t sizeInBytes() const { return bytes; }
  void *data() { return storage.get(); }
  const void *data() const { return storage.get(); }
  /// "[2,3]"
  std::string shapeStr() const;

private:
  struct Free {
    void operator()(void *p) const { std::free(p); }
  };
  tessera_dtype_t elementType = TESSERA_DTYPE_FLOAT32;
  std::vector<int64_t> shape;
  int64_t elements = 0;
  size_t bytes = 0;
  std::unique_ptr<uint8_t, Free> storage;
};

/// Product of `dims` (each >= 0), or an error on a negative size or overflow.
llvm::Expected<int64_t> countElements(llvm::ArrayRef<int64_t> dims);

/// Reads a .npy file: format version 1, 2 or 3, little-endian or
/// byte-sized elements, C order; element types f2 f4 f8 i1 i2 i4 i8 u1 u2 u4
/// u8 b1.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);

/// Reads a serialized onnx.TensorProto (raw_data or the typed fields).
/// `protoName` receives the tensor's name field.
llvm::Expected<HostTensor> readTensorProto(llvm::StringRef path,
                                           std::string &protoName);

/// Writes `tensor` as a version-1 .npy file. bfloat16, which numpy lacks, is
/// widened to float32.
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

/// Fills `tensor` from a generator seeded with `seed`: floats uniform in
/// [-1, 1), integers uniform in [0, 10), bools 0 or 1.
void fillRandom(HostTensor &tensor, uint64_t seed);

/// Converts a float32 tensor to bfloat16 (round to nearest even).
HostTensor convertFloat32ToBFloat16(const HostTensor &tensor);
/// Converts a bfloat16 tensor to float32 (exact).
HostTensor convertBFloat16ToFloat32(const HostTensor &tensor);

/// Element `index` of `data` as a double (bools and integers exactly where
/// representable), for printing.
double elementAsDouble(tessera_dtype_t dtype, const void *data, int64_t index);
/// The first `count` elements, formatted: "[101, 202.5, ...]".
std::string formatValues(tessera_dtype_t dtype, const void *data,
                         int64_t numElements, int64_t count);

} // namespace tessera::run

#endif // TESSERA_TOOLS_TESSERA_RUN_TENSORIO_H
