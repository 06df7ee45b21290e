//===- Package.h - a dlopen()ed tessera model package -----------*- C++ -*-===//
//
// tessera-run talks to a package only through the C ABI of
// tessera_runtime.h: the functions are resolved with dlsym, so the tool links
// nothing of the compiler or the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TOOLS_TESSERA_RUN_PACKAGE_H
#define TESSERA_TOOLS_TESSERA_RUN_PACKAGE_H

#include "tessera/Runtime/tessera_runtime.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera::run {

// Every function of the ABI, as X(suffix-after-"tessera_").
#define TESSERA_RUN_ABI_FUNCTIONS(X)                                           \
  X(abi_version)                                                               \
  X(last_error)                                                                \
  X(model_load)                                                                \
  X(model_free)                                                                \
  X(model_name)                                                                \
  X(model_num_inputs)                                                          \
  X(model_num_outputs)                                                         \
  X(model_input_info)                                                          \
  X(model_output_info)                                                         \
  X(model_input_index)                                                         \
  X(model_output_index)                                                        \
  X(model_arena_bytes)                                                         \
  X(model_num_kernels)                                                         \
  X(model_kernel_info)                                                         \
  X(context_create)                                                            \
  X(context_free)                                                              \
  X(context_set_num_threads)                                                   \
  X(context_set_input)                                                         \
  X(context_run)                                                               \
  X(context_get_output)                                                        \
  X(context_set_profiling)                                                     \
  X(context_get_profile)

/// The ABI functions of one loaded package.
struct PackageABI {
#define TESSERA_RUN_DECLARE(fn) decltype(&::tessera_##fn) fn = nullptr;
  TESSERA_RUN_ABI_FUNCTIONS(TESSERA_RUN_DECLARE)
#undef TESSERA_RUN_DECLARE
};

/// A package opened with dlopen(RTLD_NOW | RTLD_LOCAL). The library stays
/// loaded for the lifetime of the object.
class Package {
public:
  /// Opens the shared library at `path` (made absolute first) and resolves
  /// every ABI function. Fails with a message naming the file when it cannot
  /// be loaded or lacks a function ("not a tessera package").
  static llvm::Expected<std::unique_ptr<Package>> open(llvm::StringRef path);
  ~Package();

  const PackageABI &abi() const { return functions; }
  const std::string &path() const { return absolutePath; }

  /// tessera_last_error(), or a placeholder when the package reported none.
  std::string lastError() const;

private:
  Package() = default;
  void *handle = nullptr;
  std::string absolutePath;
  PackageABI functions;
};

/// "TESSERA_ERROR_SHAPE_MISMATCH" etc.
const char *statusName(tessera_status_t status);

/// Properties of an element type; null for codes outside the ABI.
struct DTypeInfo {
  tessera_dtype_t dtype;
  const char *name;     // "float32"
  unsigned size;        // bytes per element
  const char *npyDescr; // "<f4"; null where numpy has no type (bfloat16)
};
const DTypeInfo *lookupDType(int32_t dtype);
/// Like lookupDType, but never null: unknown codes get "dtype(N)", size 0.
std::string dtypeName(int32_t dtype);

/// A model signature entry, copied out of the package.
struct TensorSpec {
  std::string name;
  tessera_dtype_t dtype;
  std::vector<int64_t> dims;                   // -1: symbolic
  std::vector<std::optional<std::string>> dimNames; // symbol or none
  /// "float32[batch,3]" ("?" for an anonymous dynamic dimension).
  std::string str() const;
};

} // namespace tessera::run

#endif // TESSERA_TOOLS_TESSERA_RUN_PACKAGE_H
