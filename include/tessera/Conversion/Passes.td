//===- Passes.td - tessera conversion passes ---------------*- tablegen -*-===//

#ifndef TESSERA_CONVERSION_PASSES_TD
#define TESSERA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTesseraToLinalg : Pass<"tessera-convert-to-linalg", "func::FuncOp"> {
  let summary = "Lower tessera ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every `tessera` op into upstream MLIR on tensors: elementwise
    ops and broadcasting become `linalg.generic` ops with broadcasting
    indexing maps, matmuls (numpy semantics: batch broadcasting, 1-D operands)
    become contraction `linalg.generic` ops,
    convolutions and pooling become `linalg.generic` windows over a padded
    input (any rank, groups, strides and dilations), reductions become
    reducing `linalg.generic` ops, and data movement becomes `tensor` ops
    (`tensor.extract_slice`, `tensor.insert_slice`, `tensor.pad`,
    `tensor.collapse_shape`/`expand_shape`, `tensor.reshape`) or index
    computing `linalg.generic` bodies (`gather`, `resize`).

    Dynamic dimensions stay dynamic: result sizes are computed from
    `tensor.dim` of the operands at run time. An op that cannot be lowered
    is reported with the reason and the pass fails.

    Before:
    ```mlir
    %0 = tessera.add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    ```
    After:
    ```mlir
    %c0 = arith.constant 0 : index
    %d0 = tensor.dim %x, %c0 : tensor<?x4xf32>
    %e = tensor.empty(%d0) : tensor<?x4xf32>
    %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                          affine_map<(d0, d1) -> (d1)>,
                                          affine_map<(d0, d1) -> (d0, d1)>],
                         iterator_types = ["parallel", "parallel"]}
        ins(%x, %b : tensor<?x4xf32>, tensor<4xf32>) outs(%e : tensor<?x4xf32>) {
    ^bb0(%a: f32, %c: f32, %out: f32):
      %s = arith.addf %a, %c : f32
      linalg.yield %s : f32
    } -> tensor<?x4xf32>
    ```
  }];
  let options = [
    Option<"winogradConvolutions", "winograd-convolutions", "bool",
           /*default=*/"false",
           "Lower fp32 3x3 stride-1 ungrouped 2-D convolutions with static "
           "channels and spatial sizes to linalg.conv_2d_nchw_fchw on the "
           "padded input, for a target that computes them by Winograd "
           "(tessera-conv-to-microkernel), instead of im2col and a matrix "
           "product">,
    Option<"directConvolutions", "direct-convolutions", "bool",
           /*default=*/"false",
           "Likewise fp32 undilated ungrouped 2-D convolutions of at most 4 "
           "input channels, strides of at most 2 and 256 window values (a "
           "network's stem), for a target with a direct kernel for them "
           "(tessera-conv-to-microkernel); these take precedence">,
    Option<"flatNarrowDepthwise", "flat-narrow-depthwise", "bool",
           /*default=*/"true",
           "Lower unit-stride depthwise convolutions whose output rows are "
           "narrower than 8 on each channel's flattened padded plane (whole "
           "vectors per loop); off for a target whose depthwise micro-kernel "
           "(tessera-depthwise-to-microkernel) takes the window taps: then "
           "the ones it can take (fp32, undilated, at most "
           "TESSERA_DEPTHWISE_MAX_KERNEL taps per side, only a Relu or Clip "
           "in their fusion group) keep them">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect",
    "::mlir::affine::AffineDialect", "::mlir::scf::SCFDialect",
    "::mlir::bufferization::BufferizationDialect"
  ];
}

def TesseraFuseLinalgGroups
    : Pass<"tessera-fuse-linalg-groups", "func::FuncOp"> {
  let summary = "Fuse the linalg ops of each fusion group into one loop nest";
  let description = [{
    `tessera-convert-to-linalg` copies each op's `tessera.fusion_group`
    (set by `tessera-fuse-ops`) onto the linalg ops it lowers to. This pass
    fuses a `linalg.generic` producer into its `linalg.generic` consumer
    (upstream `linalg::fuseElementwiseOps`) when both carry the same group
    and the producer has no other user, until no such pair is left: each
    group's elementwise chain, and a reduction with the chain that feeds
    it, becomes one generic whose intermediates are never materialized.
    Ops without a group are left alone.

    ```mlir
    %1 = linalg.generic ... ins(%0) { sigmoid } {tessera.fusion_group = 0 : i64}
    %2 = linalg.generic ... ins(%0, %1) { mul } {tessera.fusion_group = 0 : i64}
    // becomes
    %2 = linalg.generic ... ins(%0) { sigmoid; mul } {tessera.fusion_group = 0 : i64}
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // TESSERA_CONVERSION_PASSES_TD
