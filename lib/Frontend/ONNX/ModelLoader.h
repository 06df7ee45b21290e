//===- ModelLoader.h - read, validate and shape-infer a model ---*- C++ -*-===//

#ifndef TESSERA_LIB_FRONTEND_ONNX_MODELLOADER_H
#define TESSERA_LIB_FRONTEND_ONNX_MODELLOADER_H

#include "tessera/Frontend/ONNX/Importer.h"

#include "mlir/IR/Location.h"

#include "onnx/onnx_pb.h"

namespace mlir::tessera::onnx_frontend {

/// Parses `buffer` into `model` (external data relative to
/// `baseDirectory`), checks opsets and op support, specializes
/// input shapes from `options` and runs ONNX shape inference (with data
/// propagation). Errors are emitted at `loc`.
LogicalResult loadModel(llvm::StringRef buffer, llvm::StringRef sourceName,
                        llvm::StringRef baseDirectory,
                        const ImportOptions &options, Location loc,
                        onnx::ModelProto &model);

/// The model's opset of the default domain (0 when it imports none).
int64_t getDefaultOpset(const onnx::ModelProto &model);

} // namespace mlir::tessera::onnx_frontend

#endif // TESSERA_LIB_FRONTEND_ONNX_MODELLOADER_H
