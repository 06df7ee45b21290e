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

def TesseraFoldBatchNorm : Pass<"tessera-fold-batch-norm", "func::FuncOp"> {
  let summary = "Fold inference batch normalization and constant per-channel "
                "scales and shifts into the preceding Conv, ConvTranspose or "
                "MatMul";
  let description = [{
    At inference a BatchNormalization is a per-channel affine map,
    `y = x * s + t` with `s = scale / sqrt(var + epsilon)` and
    `t = bias - mean * s`. When `x` is a `tessera.conv` with constant weights
    (and bias, if any) and no other user, the map is folded into them:
    `W'[co] = W[co] * s[co]`, `b'[co] = b[co] * s[co] + t[co]`, and the
    normalization disappears. A `tessera.mul` or `tessera.add`/`tessera.sub`
    of such a convolution by a constant that is per channel (every
    dimension 1 except the channel dimension, or a scalar) folds the same
    way, so chains of them fold one after another.

    The same holds for a `tessera.conv_transpose` (weights `[Cin, Cout /
    group, k...]`, scaled per output channel of each group) and for a
    `tessera.matmul` by a 2-D constant (what Gemm and Linear import to),
    whose channels are the columns of the weights (the last dimension of
    the result; a BatchNormalization folds only into a 2-D result, where
    that is dimension 1). A MatMul has no bias operand: its constant bias
    add is taken along, and re-emitted with the folded bias.

    ```mlir
    %y = tessera.conv %x, %w, %b {...}
    %z = tessera.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32}
    // becomes
    %z = tessera.conv %x, %w_folded, %b_folded {...}
    ```

    The folded weights are new constants; rounding differs from the
    unfolded graph by about one ulp per element.
  }];
  let dependentDialects = ["::mlir::tessera::TesseraDialect"];
}

def TesseraRecognizeOps : Pass<"tessera-recognize-ops", "func::FuncOp"> {
  let summary = "Recognize decomposed LayerNorm, RMSNorm, GELU, Softmax and "
                "attention as single ops";
  let description = [{
    Exporters write LayerNormalization (before opset 17) and GELU as chains
    of primitive ops. This pass matches them and replaces each chain by one
    op, which later passes can see and the lowering computes in one go:

    - LayerNorm: `(d / sqrt(mean(d ^ 2) + eps)) * scale + bias` with
      `d = x - mean(x)`, both means over the same trailing axes with
      `keepdims`, becomes `tessera.layer_norm %x, %scale, %bias {axis,
      epsilon}`. `scale` and `bias` must broadcast against the normalized
      dimensions only.
    - GELU (erf form): `x * (erf(x / sqrt(2)) + 1) * 0.5` (any operand
      order of the commutative ops) becomes `tessera.gelu %x`.
    - GELU (tanh form): `0.5 * (x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 *
      x^3))))`, x^3 as `x * (x * x)` or `x ^ 3`, becomes
      `tessera.gelu_tanh %x`.
    - RMSNorm: `x * (1 / sqrt(mean(x ^ 2) + eps)) * scale` (also with
      `x / sqrt(...)`, `reciprocal(sqrt(...))` or `x * x`) over trailing
      axes becomes `tessera.rms_norm %x, %scale {axis, epsilon}`.
    - Softmax: `exp(x - max(x)) / sum(exp(x - max(x)))` over one axis with
      `keepdims` (or without the max shift, which the op adds) becomes
      `tessera.softmax`.

    - Attention: `MatMul(Softmax(MatMul(Q, Kt) * s [+ mask]), V)` with the
      softmax over the last axis becomes `tessera.attention %q, %k, %v
      [, %mask] {scale}` with `k = transpose(Kt)` over the last two
      dimensions. The scale `s` may be any product of Mul or Div by scalar
      constants applied to Q, Kt or the scores (`torch.onnx` divides Q by
      sqrt(D) for `nn.MultiheadAttention`, and scales both Q and Kt by
      D^-1/4 for `scaled_dot_product_attention`). Q, Kt and V must have one
      rank and the same batch dimensions.

    The intermediate values must have no other users. The GELU op computes
    the same operations in the same order; the LayerNorm op may round
    differently by an ulp or so (it squares by multiplication); attention
    applies the scale to the scores, which rounds differently from scaling
    Q when the scale is not a power of two.
  }];
  let options = [
    Option<"attention", "attention", "bool", /*default=*/"true",
           "Also form tessera.attention (off: LayerNorm and GELU only)">
  ];
  let dependentDialects = ["::mlir::tessera::TesseraDialect"];
}

def TesseraCancelTransposes
    : Pass<"tessera-cancel-transposes", "func::FuncOp"> {
  let summary = "Turn data-free transposes into reshapes and bring "
                "transpose pairs together so that they cancel";
  let description = [{
    A transpose is a copy once lowered; a reshape is a view.

    - A `tessera.transpose` with static shapes that only moves dimensions of
      size 1 (the others keep their order) becomes a `tessera.reshape`;
      reshape chains then merge (`reshape(reshape(x))` folds). `torch.onnx`
      writes such transposes around sequence-first attention on a batch of
      one.
    - Transposes sink towards the results through elementwise ops:
      `f(transpose(x, p))` for a unary `f` (when the transpose has no other
      user) becomes `transpose(f(x), p)`, and `f(transpose(a, p),
      transpose(b, p))` for a binary `f` of same-shaped operands becomes
      `transpose(f(a, b), p)`. Transposes on one path thus meet, and
      compose into one, or into none when they cancel (a layout change to
      NHWC and back around activations and residual adds).

    The transpose folder composes `transpose(transpose(x))` into one.
  }];
  let dependentDialects = ["::mlir::tessera::TesseraDialect"];
}

def TesseraFuseOps : Pass<"tessera-fuse-ops", "func::FuncOp"> {
  let summary = "Form fusion groups: chains of elementwise ops and "
                "reductions with their elementwise producers";
  let description = [{
    Walks the function's ops in order and puts an op into the group of one
    of its producers when it can run in the same loop nest: the op is
    elementwise (with or without broadcasting) or, with `fuse-reductions`,
    a reduction (reduce_*, softmax, log_softmax, layer_norm), and

    - the producer's group still accepts consumers (a reduction closes it);
    - the producer's result has no other user, so fusing writes nothing
      that someone else reads and computes nothing twice;
    - the producer's result is not broadcast to a larger shape by the op
      (no duplicated work);
    - every other operand of the op is defined before the group's first op
      or inside the group (so the group can run as one step: no cycles);
    - the group has fewer than `max-group-size` ops.

    With `fuse-epilogues`, a conv or matmul heads a group that its
    elementwise consumers join by the same rules (its epilogue: bias,
    residual add, activation). The product itself still writes its result;
    the epilogue runs as one loop nest together with the conv's own bias
    add. All other ops stand alone. Members of a
    group of two or more ops get `tessera.fusion_group = N` (numbered per
    function in program order); `tessera-fuse-linalg-groups` later fuses
    each group's linalg ops into one loop nest. `tessera-compile
    --fusion-report` lists the groups and `--emit=dot` draws them.

    ```mlir
    %1 = tessera.sigmoid %0 {tessera.fusion_group = 0 : i64} : tensor<8xf32>
    %2 = tessera.mul %0, %1 {tessera.fusion_group = 0 : i64} : ...
    ```
  }];
  let options = [
    Option<"maxGroupSize", "max-group-size", "unsigned", /*default=*/"16",
           "Most ops in one group">,
    Option<"fuseReductions", "fuse-reductions", "bool", /*default=*/"true",
           "Let reductions join their elementwise producers' groups">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Let conv and matmul head groups of their elementwise consumers">,
  ];
  let dependentDialects = ["::mlir::tessera::TesseraDialect"];
}

#endif // TESSERA_TRANSFORMS_PASSES_TD
