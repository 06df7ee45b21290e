//===- Package.cpp - a dlopen()ed tessera model package ---------*- C++ -*-===//

#include "Package.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <dlfcn.h>

using namespace tessera::run;

llvm::Expected<std::unique_ptr<Package>> Package::open(llvm::StringRef path) {
  llvm::SmallString<256> absolute(path);
  if (std::error_code ec = llvm::sys::fs::make_absolute(absolute))
    return llvm::createStringError(ec, "cannot resolve '%s': %s",
                                   path.str().c_str(), ec.message().c_str());
  llvm::sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  if (!llvm::sys::fs::exists(absolute))
    return llvm::createStringError(
        std::make_error_code(std::errc::no_such_file_or_directory),
        "cannot open package '%s': no such file", path.str().c_str());
  if (llvm::sys::fs::is_directory(absolute))
    return llvm::createStringError(
        std::make_error_code(std::errc::is_a_directory),
        "cannot open package '%s': it is a directory", path.str().c_str());

  std::unique_ptr<Package> package(new Package);
  package->absolutePath = std::string(absolute);
  dlerror();
  package->handle =
      dlopen(package->absolutePath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!package->handle) {
    const char *why = dlerror();
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        "'%s' is not a tessera package: cannot load it as a shared library "
        "(%s)",
        path.str().c_str(), why ? why : "unknown dlopen error");
  }

  // A package of another ABI may lack functions of this one: say which ABI
  // it has rather than which function it lacks.
  auto abiVersion = reinterpret_cast<decltype(&::tessera_abi_version)>(
      dlsym(package->handle, "tessera_abi_version"));
  int32_t packageAbi = abiVersion ? abiVersion() : TESSERA_ABI_VERSION;
  if (packageAbi != TESSERA_ABI_VERSION)
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        "'%s' was built for tessera ABI version %d, but tessera-run speaks "
        "version %d; recompile the model",
        path.str().c_str(), int(packageAbi), TESSERA_ABI_VERSION);

#define TESSERA_RUN_RESOLVE(fn)                                                \
  {                                                                            \
    void *symbol = dlsym(package->handle, "tessera_" #fn);                     \
    if (!symbol)                                                               \
      return llvm::createStringError(                                          \
          std::make_error_code(std::errc::invalid_argument),                   \
          "'%s' is not a tessera package: it does not export "                 \
          "'tessera_" #fn "'",                                                 \
          path.str().c_str());                                                 \
    package->functions.fn =                                                    \
        reinterpret_cast<decltype(package->functions.fn)>(symbol);             \
  }
  TESSERA_RUN_ABI_FUNCTIONS(TESSERA_RUN_RESOLVE)
#undef TESSERA_RUN_RESOLVE
  return std::move(package);
}

Package::~Package() {
  if (handle)
    dlclose(handle);
}

std::string Package::lastError() const {
  const char *message = functions.last_error ? functions.last_error() : nullptr;
  if (!message || !*message)
    return "(the package gave no error message)";
  return message;
}

const char *tessera::run::statusName(tessera_status_t status) {
  switch (status) {
  case TESSERA_OK:
    return "TESSERA_OK";
  case TESSERA_ERROR_INVALID_ARGUMENT:
    return "TESSERA_ERROR_INVALID_ARGUMENT";
  case TESSERA_ERROR_SHAPE_MISMATCH:
    return "TESSERA_ERROR_SHAPE_MISMATCH";
  case TESSERA_ERROR_DTYPE_MISMATCH:
    return "TESSERA_ERROR_DTYPE_MISMATCH";
  case TESSERA_ERROR_MISSING_INPUT:
    return "TESSERA_ERROR_MISSING_INPUT";
  case TESSERA_ERROR_IO:
    return "TESSERA_ERROR_IO";
  case TESSERA_ERROR_OUT_OF_MEMORY:
    return "TESSERA_ERROR_OUT_OF_MEMORY";
  case TESSERA_ERROR_ABI_MISMATCH:
    return "TESSERA_ERROR_ABI_MISMATCH";
  case TESSERA_ERROR_INTERNAL:
    return "TESSERA_ERROR_INTERNAL";
  }
  return "unknown status";
}

static const DTypeInfo dtypeTable[] = {
    {TESSERA_DTYPE_FLOAT32, "float32", 4, "<f4"},
    {TESSERA_DTYPE_UINT8, "uint8", 1, "|u1"},
    {TESSERA_DTYPE_INT8, "int8", 1, "|i1"},
    {TESSERA_DTYPE_UINT16, "uint16", 2, "<u2"},
    {TESSERA_DTYPE_INT16, "int16", 2, "<i2"},
    {TESSERA_DTYPE_INT32, "int32", 4, "<i4"},
    {TESSERA_DTYPE_INT64, "int64", 8, "<i8"},
    {TESSERA_DTYPE_BOOL, "bool", 1, "|b1"},
    {TESSERA_DTYPE_FLOAT16, "float16", 2, "<f2"},
    {TESSERA_DTYPE_FLOAT64, "float64", 8, "<f8"},
    {TESSERA_DTYPE_UINT32, "uint32", 4, "<u4"},
    {TESSERA_DTYPE_UINT64, "uint64", 8, "<u8"},
    {TESSERA_DTYPE_BFLOAT16, "bfloat16", 2, nullptr},
};

const DTypeInfo *tessera::run::lookupDType(int32_t dtype) {
  for (const DTypeInfo &info : dtypeTable)
    if (info.dtype == dtype)
      return &info;
  return nullptr;
}

std::string tessera::run::dtypeName(int32_t dtype) {
  if (const DTypeInfo *info = lookupDType(dtype))
    return info->name;
  return "dtype(" + std::to_string(dtype) + ")";
}

std::string TensorSpec::str() const {
  std::string result = dtypeName(dtype) + "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      result += ",";
    if (dims[i] >= 0)
      result += std::to_string(dims[i]);
    else if (dimNames[i])
      result += *dimNames[i];
    else
      result += "?";
  }
  return result + "]";
}
