//===- TesseraDialect.td - tessera graph dialect -----------*- tablegen -*-===//

#ifndef TESSERA_DIALECT_TD
#define TESSERA_DIALECT_TD

include "mlir/IR/OpBase.td"

def Tessera_Dialect : Dialect {
  let name = "tessera";
  let cppNamespace = "::mlir::tessera";
  let summary = "Tensor-level graph IR of the tessera ONNX compiler";
  let description = [{
    The `tessera` dialect is the graph IR on which tessera's graph passes
    (quantization, auto-batching, fusion, device partitioning) run. Values
    are ranked tensors in SSA form; weights are constants held as dense
    resource attributes so that large models are never copied element by
    element.

    The op set is deliberately small. The ONNX importer normalizes ONNX's
    many spellings into it: `Flatten`, `Squeeze` and `Unsqueeze` become
    `tessera.reshape`; `GlobalAveragePool` becomes `tessera.reduce_mean`;
    `Gemm` becomes `tessera.matmul` plus `tessera.add`; `Identity` and
    inference-mode `Dropout` disappear; `ConstantOfShape` becomes a constant
    or a `tessera.expand` of a scalar.

    Every op infers its result types from its operands and attributes where
    that is possible, and accepts a result type that refines the inferred
    one (a static dimension where inference could only say `?`), so that
    shape facts known from ONNX's own shape inference are kept.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

class Tessera_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tessera_Dialect, mnemonic, traits>;

#endif // TESSERA_DIALECT_TD
