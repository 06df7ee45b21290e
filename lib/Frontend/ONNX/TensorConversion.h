//===- TensorConversion.h - ONNX types and tensors to MLIR ------*- C++ -*-===//

#ifndef TESSERA_LIB_FRONTEND_ONNX_TENSORCONVERSION_H
#define TESSERA_LIB_FRONTEND_ONNX_TENSORCONVERSION_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"

#include "onnx/onnx_pb.h"

#include <string>

namespace mlir::tessera::onnx_frontend {

/// The MLIR element type of an ONNX `TensorProto::DataType`, or null for
/// types tessera does not handle (strings, complex).
Type convertElementType(MLIRContext *context, int32_t dataType);

/// The name of an ONNX data type, for messages ("FLOAT", "INT64", ...).
std::string dataTypeName(int32_t dataType);

/// The ranked tensor type of an ONNX `TypeProto`; symbolic or unknown
/// dimensions become `?`. Null when the type is not a tensor of known rank
/// and handled element type.
RankedTensorType convertTensorType(MLIRContext *context,
                                   const onnx::TypeProto &type);

/// Converts a tensor's data into a constant attribute. Tensors with
/// `data_location: EXTERNAL` are read from files relative to
/// `baseDirectory` (memory-mapped, never copied element by element). Errors
/// are emitted at `loc` and name the tensor.
FailureOr<ElementsAttr> convertTensorProto(const onnx::TensorProto &tensor,
                                           llvm::StringRef baseDirectory,
                                           Location loc);

} // namespace mlir::tessera::onnx_frontend

#endif // TESSERA_LIB_FRONTEND_ONNX_TENSORCONVERSION_H
