//===- Passes.td - tessera graph passes --------------------*- tablegen -*-===//

#ifndef TESSERA_TRANSFORMS_PASSES_TD
#define TESSERA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TesseraInferShapes : Pass<"tessera-infer-shapes", "func::FuncOp"> {
  let summary = "Refine result types from operand types, in program order";
  let description = [{
    Recomputes the result type of every op that infers one and keeps it
    when it is more static than the type in the IR (a `?` becomes a known
    size); then updates the function's result types. Run it after
    something makes argument types more static, such as specializing a
    symbolic batch dimension.

    Before (after the argument became `tensor<4x8xf32>`):
    ```mlir
    func.func @f(%x: tensor<4x8xf32>) -> tensor<?x8xf32> {
      %0 = tessera.relu %x : tensor<4x8xf32>
      %1 = tessera.add %0, %0 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
      return %1 : tensor<?x8xf32>
    }
    ```
    After:
    ```mlir
    func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
      %0 = tessera.relu %x : tensor<4x8xf32>
      %1 = tessera.add %0, %0 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
      return %1 : tensor<4x8xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::tessera::TesseraDialect"];
}

#endif // TESSERA_TRANSFORMS_PASSES_TD
