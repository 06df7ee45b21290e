//===- Importer.h - ONNX to tessera IR --------------------------*- C++ -*-===//
//
// The ONNX frontend: reads a model (binary protobuf with optional external
// data, or ONNX's textual syntax), runs ONNX shape inference, and builds a
// module holding one `func.func @main` of tessera ops.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_ONNX_IMPORTER_H
#define TESSERA_FRONTEND_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::tessera::onnx_frontend {

/// The newest default-domain opset the importers know.
constexpr int64_t kMaxSupportedOpset = 17;

struct ImportOptions {
  /// Replaces the declared shape of the named graph inputs; this is how
  /// symbolic dimensions get specialized. A `?` (ShapedType::kDynamic) entry
  /// keeps that dimension as declared.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
};

/// Parses `NAME=D0xD1x...` (a dimension may be `?`) into `options`.
/// Returns an error message, or an empty string on success.
std::string addInputShape(llvm::StringRef spec, ImportOptions &options);

/// Imports the model at `path`. Textual models are recognized by the
/// `.onnxtxt` extension or a leading `<`. Errors are reported through the
/// context's diagnostic handler and name the model element at fault.
OwningOpRef<ModuleOp> importModelFile(MLIRContext *context,
                                      llvm::StringRef path,
                                      const ImportOptions &options);

/// Imports a model held in memory. External data is looked up relative to
/// `baseDirectory`; `sourceName` names the model in diagnostics.
OwningOpRef<ModuleOp> importModelBuffer(MLIRContext *context,
                                        llvm::StringRef buffer,
                                        llvm::StringRef sourceName,
                                        llvm::StringRef baseDirectory,
                                        const ImportOptions &options);

/// Registers the dialects imported modules use.
void registerImporterDialects(DialectRegistry &registry);

} // namespace mlir::tessera::onnx_frontend

#endif // TESSERA_FRONTEND_ONNX_IMPORTER_H
