//===- Linker.cpp - link a package shared library -------------------------===//

#include "tessera/Package/Package.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::package;

LogicalResult package::linkSharedLibrary(StringRef objectPath,
                                         StringRef runtimeArchive,
                                         StringRef outputPath,
                                         std::string &error) {
  // Linking is left to the system driver, which knows where libc and the
  // startup files live; code generation itself never leaves the process.
  std::string driverName = "cc";
  if (const char *env = std::getenv("TESSERA_LINKER"))
    driverName = env;
  llvm::ErrorOr<std::string> driver = llvm::sys::findProgramByName(driverName);
  if (!driver) {
    error = "cannot find the linker driver '" + driverName +
            "' (set TESSERA_LINKER to a C compiler driver)";
    return failure();
  }
  if (!llvm::sys::fs::exists(runtimeArchive)) {
    error = "cannot find the package runtime '" + runtimeArchive.str() +
            "' (set TESSERA_RUNTIME_LIBRARY)";
    return failure();
  }
  std::string errorFile;
  SmallString<128> errorPath;
  if (llvm::sys::fs::createTemporaryFile("tessera-link", "txt", errorPath)) {
    error = "cannot create a temporary file";
    return failure();
  }
  SmallVector<StringRef> args = {*driver,
                                 "-shared",
                                 "-o",
                                 outputPath,
                                 objectPath,
                                 "-Wl,--whole-archive",
                                 runtimeArchive,
                                 "-Wl,--no-whole-archive",
                                 "-Wl,--no-undefined",
                                 "-Wl,-z,noexecstack",
                                 "-lm",
                                 "-ldl",
                                 "-lpthread"};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(errorPath),
                                          StringRef(errorPath)};
  int status = llvm::sys::ExecuteAndWait(*driver, args, std::nullopt,
                                         redirects, 0, 0, &errorFile);
  if (status != 0) {
    auto output = llvm::MemoryBuffer::getFile(errorPath);
    error = "linking '" + outputPath.str() + "' failed";
    if (!errorFile.empty())
      error += ": " + errorFile;
    if (output && !(*output)->getBuffer().empty())
      error += ":\n" + (*output)->getBuffer().str();
  }
  llvm::sys::fs::remove(errorPath);
  return success(status == 0);
}
