//===- TesseraOps.td - tessera graph ops -------------------*- tablegen -*-===//

#ifndef TESSERA_OPS_TD
#define TESSERA_OPS_TD

include "tessera/Dialect/Tessera/IR/TesseraDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Tessera_Tensor : RankedTensorOf<[AnyType]>;
def Tessera_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Tessera_IndexTensor : RankedTensorOf<[I32, I64]>;
def Tessera_ShapeTensor : 1DTensorOf<[I64]>;
def Tessera_BoolTensor : RankedTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Tessera_PadMode : I32EnumAttr<"PadMode", "padding mode", [
    I32EnumAttrCase<"constant", 0>,
    I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::tessera";
}
def Tessera_PadModeAttr : EnumAttr<Tessera_Dialect, Tessera_PadMode, "pad_mode">;

def Tessera_ResizeMode : I32EnumAttr<"ResizeMode", "resize interpolation", [
    I32EnumAttrCase<"nearest", 0>,
    I32EnumAttrCase<"linear", 1>,
    I32EnumAttrCase<"cubic", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::tessera";
}
def Tessera_ResizeModeAttr
    : EnumAttr<Tessera_Dialect, Tessera_ResizeMode, "resize_mode">;

def Tessera_CoordinateTransform
    : I32EnumAttr<"CoordinateTransform", "resize coordinate transformation", [
    I32EnumAttrCase<"half_pixel", 0>,
    I32EnumAttrCase<"pytorch_half_pixel", 1>,
    I32EnumAttrCase<"align_corners", 2>,
    I32EnumAttrCase<"asymmetric", 3>,
    I32EnumAttrCase<"tf_half_pixel_for_nn", 4>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::tessera";
}
def Tessera_CoordinateTransformAttr
    : EnumAttr<Tessera_Dialect, Tessera_CoordinateTransform,
               "coordinate_transform">;

def Tessera_NearestRounding
    : I32EnumAttr<"NearestRounding", "nearest-neighbour rounding", [
    I32EnumAttrCase<"round_prefer_floor", 0>,
    I32EnumAttrCase<"round_prefer_ceil", 1>,
    I32EnumAttrCase<"floor", 2>,
    I32EnumAttrCase<"ceil", 3>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::tessera";
}
def Tessera_NearestRoundingAttr
    : EnumAttr<Tessera_Dialect, Tessera_NearestRounding, "nearest_rounding">;

def Tessera_GridSamplePadding
    : I32EnumAttr<"GridSamplePadding", "grid_sample out-of-range handling", [
    I32EnumAttrCase<"zeros", 0>,
    I32EnumAttrCase<"border", 1>,
    I32EnumAttrCase<"reflection", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::tessera";
}
def Tessera_GridSamplePaddingAttr
    : EnumAttr<Tessera_Dialect, Tessera_GridSamplePadding,
               "grid_sample_padding">;

//===----------------------------------------------------------------------===//
// Shared op shapes
//===----------------------------------------------------------------------===//

// Result types are inferred; a result type that agrees with the inferred
// one wherever both are static is accepted (ONNX may know a size inference
// cannot, and a refined argument leaves results to tessera-infer-shapes).
def Tessera_InferResultTypes : InferTypeOpAdaptorBase<[{
  static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                      ::mlir::TypeRange actual) {
    return ::mlir::tessera::areCompatibleTypes(inferred, actual);
  }
}]>;

// Computes each output element from the operand elements at the same
// (broadcast) position, like Elementwise, but with numpy broadcasting of
// operands of different shapes, which Elementwise's verifier rejects. Fusion
// treats both alike.
def Tessera_BroadcastingElementwise
    : NativeOpTrait<"BroadcastingElementwise"> {
  let cppNamespace = "::mlir::OpTrait::tessera";
}

class Tessera_UnaryOp<string mnemonic, Type tensorType, list<Trait> traits = []>
    : Tessera_Op<mnemonic, traits # [Pure, Elementwise,
                                     SameOperandsAndResultType]> {
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

// `resultElementType` is a C++ expression for the result element type;
// nullptr keeps the operands'.
class Tessera_BinaryOp<string mnemonic, list<Trait> traits = [],
                       string resultElementType = "nullptr">
    : Tessera_Op<mnemonic, traits # [Pure, Tessera_InferResultTypes,
                                     Tessera_BroadcastingElementwise]> {
  let summary = "elementwise `" # mnemonic # "` with numpy broadcasting";
  let arguments = (ins Tessera_Tensor:$lhs, Tessera_Tensor:$rhs);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::mlir::tessera::inferBroadcastType(
          loc, {adaptor.getLhs().getType(), adaptor.getRhs().getType()},
          }] # resultElementType # [{, types);
    }
  }];
}

class Tessera_CompareOp<string mnemonic>
    : Tessera_BinaryOp<mnemonic, [],
          "::mlir::IntegerType::get(adaptor.getLhs().getContext(), 1)"> {
  let summary = "elementwise `" # mnemonic # "` comparison with numpy "
                "broadcasting; the result is `i1`";
  let results = (outs Tessera_BoolTensor:$output);
}

class Tessera_ReduceOp<string mnemonic>
    : Tessera_Op<mnemonic, [Pure, Tessera_InferResultTypes]> {
  let summary = "`" # mnemonic # "` over `axes`";
  let description = [{
    Reduces `input` over the listed axes (non-negative, sorted, unique). With
    `keepdims` the reduced axes stay as size-1 dimensions.
  }];
  let arguments = (ins Tessera_Tensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($output)
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::mlir::tessera::inferReduceType(
          loc, adaptor.getInput().getType(), adaptor.getAxes(),
          adaptor.getKeepdims(), types);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

def Tessera_ConstantOp : Tessera_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "output"]>]> {
  let summary = "a constant tensor";
  let description = [{
    A constant tensor. Weights imported from a model are
    `dense_resource<...>` attributes backed by the model's own bytes; small
    constants (shapes, scalars) are `dense<...>` so that folders can read
    them.

    ```mlir
    %w = tessera.constant dense_resource<conv1.weight> : tensor<64x3x7x7xf32>
    %s = tessera.constant dense<[1, -1]> : tensor<2xi64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Tessera_ShapeOp : Tessera_Op<"shape", [Pure, Tessera_InferResultTypes]> {
  let summary = "the shape of a tensor as a 1-D i64 tensor";
  let description = [{
    Folds to a constant when the input shape is static.
  }];
  let arguments = (ins Tessera_Tensor:$input);
  let results = (outs Tessera_ShapeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

def Tessera_CastOp : Tessera_Op<"cast", [Pure, Elementwise,
    SameOperandsAndResultShape]> {
  let summary = "elementwise conversion to another element type";
  let description = [{
    Converts each element as ONNX `Cast` does: float to integer truncates
    toward zero, anything to `i1` tests for non-zero.
  }];
  let arguments = (ins Tessera_Tensor:$input);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def Tessera_ReluOp : Tessera_UnaryOp<"relu", Tessera_Tensor> {
  let summary = "max(x, 0)";
}
def Tessera_NegOp : Tessera_UnaryOp<"neg", Tessera_Tensor> {
  let summary = "-x";
  let hasFolder = 1;
}
def Tessera_AbsOp : Tessera_UnaryOp<"abs", Tessera_Tensor> {
  let summary = "|x|";
}
def Tessera_SigmoidOp : Tessera_UnaryOp<"sigmoid", Tessera_FloatTensor> {
  let summary = "1 / (1 + exp(-x))";
}
def Tessera_TanhOp : Tessera_UnaryOp<"tanh", Tessera_FloatTensor> {
  let summary = "hyperbolic tangent";
}
def Tessera_ErfOp : Tessera_UnaryOp<"erf", Tessera_FloatTensor> {
  let summary = "Gauss error function";
}
def Tessera_SqrtOp : Tessera_UnaryOp<"sqrt", Tessera_FloatTensor> {
  let summary = "square root";
}
def Tessera_ReciprocalOp : Tessera_UnaryOp<"reciprocal", Tessera_FloatTensor> {
  let summary = "1 / x";
}
def Tessera_ExpOp : Tessera_UnaryOp<"exp", Tessera_FloatTensor> {
  let summary = "e^x";
}
def Tessera_LogOp : Tessera_UnaryOp<"log", Tessera_FloatTensor> {
  let summary = "natural logarithm";
}
def Tessera_GeluOp : Tessera_UnaryOp<"gelu", Tessera_FloatTensor> {
  let summary = "GELU, erf form: `x * (erf(x / sqrt(2)) + 1) * 0.5`";
  let description = [{
    Formed by `tessera-recognize-ops` from the decomposed graph that
    exporters write (Div, Erf, Add, Mul, Mul); it computes the same
    operations in the same order, so results are unchanged.
  }];
}
def Tessera_GeluTanhOp : Tessera_UnaryOp<"gelu_tanh", Tessera_FloatTensor> {
  let summary = "GELU, tanh form: `0.5 * (x * (1 + tanh(sqrt(2 / pi) * "
                "(x + 0.044715 * x^3))))`";
  let description = [{
    Formed by `tessera-recognize-ops` from what `torch.onnx` writes for
    `gelu(x, approximate='tanh')`; it computes the same operations in the
    same order (x^3 as `x * (x * x)`), so results are unchanged.
  }];
}

def Tessera_HardSwishOp : Tessera_UnaryOp<"hard_swish", Tessera_FloatTensor> {
  let summary = "x * max(0, min(1, x / 6 + 1/2))";
}

def Tessera_LeakyReluOp : Tessera_UnaryOp<"leaky_relu", Tessera_FloatTensor> {
  let summary = "x if x >= 0 else alpha * x";
  let arguments = (ins Tessera_FloatTensor:$input, F32Attr:$alpha);
}
// Unary math functions on floats.
def Tessera_SinOp : Tessera_UnaryOp<"sin", Tessera_FloatTensor> {
  let summary = "sine";
}
def Tessera_CosOp : Tessera_UnaryOp<"cos", Tessera_FloatTensor> {
  let summary = "cosine";
}
def Tessera_TanOp : Tessera_UnaryOp<"tan", Tessera_FloatTensor> {
  let summary = "tangent";
}
def Tessera_AsinOp : Tessera_UnaryOp<"asin", Tessera_FloatTensor> {
  let summary = "arcsine";
}
def Tessera_AcosOp : Tessera_UnaryOp<"acos", Tessera_FloatTensor> {
  let summary = "arccosine";
}
def Tessera_AtanOp : Tessera_UnaryOp<"atan", Tessera_FloatTensor> {
  let summary = "arctangent";
}
def Tessera_SinhOp : Tessera_UnaryOp<"sinh", Tessera_FloatTensor> {
  let summary = "hyperbolic sine";
}
def Tessera_CoshOp : Tessera_UnaryOp<"cosh", Tessera_FloatTensor> {
  let summary = "hyperbolic cosine";
}
def Tessera_AsinhOp : Tessera_UnaryOp<"asinh", Tessera_FloatTensor> {
  let summary = "inverse hyperbolic sine";
}
def Tessera_AcoshOp : Tessera_UnaryOp<"acosh", Tessera_FloatTensor> {
  let summary = "inverse hyperbolic cosine";
}
def Tessera_AtanhOp : Tessera_UnaryOp<"atanh", Tessera_FloatTensor> {
  let summary = "inverse hyperbolic tangent";
}
def Tessera_FloorOp : Tessera_UnaryOp<"floor", Tessera_FloatTensor> {
  let summary = "round down";
}
def Tessera_CeilOp : Tessera_UnaryOp<"ceil", Tessera_FloatTensor> {
  let summary = "round up";
}
def Tessera_RoundOp : Tessera_UnaryOp<"round", Tessera_FloatTensor> {
  let summary = "round half to even";
}
def Tessera_SoftplusOp : Tessera_UnaryOp<"softplus", Tessera_FloatTensor> {
  let summary = "log(1 + e^x)";
}
def Tessera_SoftsignOp : Tessera_UnaryOp<"softsign", Tessera_FloatTensor> {
  let summary = "x / (1 + |x|)";
}
def Tessera_SignOp : Tessera_UnaryOp<"sign", Tessera_Tensor> {
  let summary = "-1, 0 or 1 by the sign of x";
}
def Tessera_NotOp : Tessera_UnaryOp<"not", Tessera_BoolTensor> {
  let summary = "logical not";
}
def Tessera_EluOp : Tessera_UnaryOp<"elu", Tessera_FloatTensor> {
  let summary = "x if x >= 0 else alpha * (e^x - 1)";
  let arguments = (ins Tessera_FloatTensor:$input, F32Attr:$alpha);
}
def Tessera_CeluOp : Tessera_UnaryOp<"celu", Tessera_FloatTensor> {
  let summary = "max(0, x) + min(0, alpha * (e^(x / alpha) - 1))";
  let arguments = (ins Tessera_FloatTensor:$input, F32Attr:$alpha);
}
def Tessera_SeluOp : Tessera_UnaryOp<"selu", Tessera_FloatTensor> {
  let summary = "gamma * (x if x > 0 else alpha * (e^x - 1))";
  let arguments = (ins Tessera_FloatTensor:$input, F32Attr:$alpha,
                       F32Attr:$gamma);
}
def Tessera_ThresholdedReluOp
    : Tessera_UnaryOp<"thresholded_relu", Tessera_FloatTensor> {
  let summary = "x if x > alpha else 0";
  let arguments = (ins Tessera_FloatTensor:$input, F32Attr:$alpha);
}

def Tessera_IsNaNOp : Tessera_Op<"is_nan", [Pure, Elementwise,
    SameOperandsAndResultShape]> {
  let summary = "whether x is NaN";
  let arguments = (ins Tessera_FloatTensor:$input);
  let results = (outs Tessera_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}
def Tessera_IsInfOp : Tessera_Op<"is_inf", [Pure, Elementwise,
    SameOperandsAndResultShape]> {
  let summary = "whether x is an infinity of a selected sign";
  let arguments = (ins Tessera_FloatTensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_positive,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_negative);
  let results = (outs Tessera_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Tessera_HardSigmoidOp
    : Tessera_UnaryOp<"hard_sigmoid", Tessera_FloatTensor> {
  let summary = "max(0, min(1, alpha * x + beta))";
  let arguments = (ins Tessera_FloatTensor:$input, F32Attr:$alpha,
                       F32Attr:$beta);
}
def Tessera_ClipOp : Tessera_UnaryOp<"clip", Tessera_Tensor> {
  let summary = "clamp to [min, max]; an absent bound does not clamp";
  let arguments = (ins Tessera_Tensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let hasVerifier = 1;
}

def Tessera_AddOp : Tessera_BinaryOp<"add", [Commutative]>;
def Tessera_SubOp : Tessera_BinaryOp<"sub">;
def Tessera_MulOp : Tessera_BinaryOp<"mul", [Commutative]>;
def Tessera_DivOp : Tessera_BinaryOp<"div"> {
  let description = [{ Integer division truncates toward zero. }];
}
def Tessera_PowOp : Tessera_BinaryOp<"pow">;
def Tessera_MaxOp : Tessera_BinaryOp<"max", [Commutative]>;
def Tessera_MinOp : Tessera_BinaryOp<"min", [Commutative]>;
def Tessera_EqualOp : Tessera_CompareOp<"equal">;
def Tessera_LessOp : Tessera_CompareOp<"less">;
def Tessera_GreaterOp : Tessera_CompareOp<"greater">;

// Binary ops without folders.
class Tessera_PlainBinaryOp<string mnemonic, list<Trait> traits = []>
    : Tessera_BinaryOp<mnemonic, traits> {
  let hasFolder = 0;
}
class Tessera_PlainCompareOp<string mnemonic> : Tessera_CompareOp<mnemonic> {
  let hasFolder = 0;
}
def Tessera_GreaterEqualOp : Tessera_PlainCompareOp<"greater_equal">;
def Tessera_LessEqualOp : Tessera_PlainCompareOp<"less_equal">;
def Tessera_AndOp : Tessera_PlainBinaryOp<"and", [Commutative]>;
def Tessera_OrOp : Tessera_PlainBinaryOp<"or", [Commutative]>;
def Tessera_XorOp : Tessera_PlainBinaryOp<"xor", [Commutative]>;
def Tessera_BitShiftOp : Tessera_PlainBinaryOp<"bit_shift"> {
  let summary = "logical shift of unsigned integers, left or right";
  let arguments = (ins Tessera_Tensor:$lhs, Tessera_Tensor:$rhs, BoolAttr:$left);
}
def Tessera_ModOp : Tessera_PlainBinaryOp<"mod"> {
  let summary = "remainder: with `fmod` the sign of the dividend (C fmod), "
                "else of the divisor (Python %)";
  let arguments = (ins Tessera_Tensor:$lhs, Tessera_Tensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$fmod);
}

def Tessera_WhereOp : Tessera_Op<"where", [Pure, Tessera_InferResultTypes,
    Tessera_BroadcastingElementwise]> {
  let summary = "select `lhs` where `condition` holds, else `rhs`, with "
                "numpy broadcasting";
  let arguments = (ins Tessera_BoolTensor:$condition, Tessera_Tensor:$lhs,
                       Tessera_Tensor:$rhs);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and neural-network ops
//===----------------------------------------------------------------------===//

def Tessera_MatMulOp : Tessera_Op<"matmul", [Pure, Tessera_InferResultTypes]> {
  let summary = "matrix product with numpy `matmul` semantics";
  let description = [{
    Batched matrix product: leading dimensions broadcast; a 1-D operand is
    promoted to a matrix and the added dimension removed from the result.

    ```mlir
    %y = tessera.matmul %x, %w : (tensor<1x128x256xf32>, tensor<256x1024xf32>) -> tensor<1x128x1024xf32>
    ```
  }];
  let arguments = (ins Tessera_Tensor:$lhs, Tessera_Tensor:$rhs);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Tessera_EinsumOp : Tessera_Op<"einsum", [Pure]> {
  let summary = "Einstein summation over explicitly lettered operands";
  let description = [{
    `equation` is fully explicit: one letter per dimension of each input
    (ellipses already expanded), `->`, and the output's letters. Letters
    missing from the output are summed over; a letter repeated within one
    input takes its diagonal.
    ```mlir
    %c = tessera.einsum %a, %b {equation = "bij,bjk->bik"}
        : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Variadic<Tessera_Tensor>:$inputs, StrAttr:$equation);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, results)
  }];
}

def Tessera_ConvOp : Tessera_Op<"conv", [Pure, Tessera_InferResultTypes]> {
  let summary = "N-D grouped convolution (NCHW, weights OIHW)";
  let description = [{
    Cross-correlation over the spatial dimensions of `input` (N x C x D1 x
    ... x Dn) with `weight` (M x C/group x K1 x ... x Kn), plus an optional
    per-output-channel `bias`. `pads` lists the leading pads of every
    spatial dimension, then the trailing ones; `auto_pad` has already been
    resolved by the importer.

    ```mlir
    %y = tessera.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64,
           pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>}
         : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins Tessera_FloatTensor:$input, Tessera_FloatTensor:$weight,
                       Optional<Tessera_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Tessera_ConvTransposeOp : Tessera_Op<"conv_transpose", [Pure,
    Tessera_InferResultTypes]> {
  let summary = "N-D grouped transposed convolution (weights C x M/group x K...)";
  let description = [{
    The gradient of `tessera.conv` with respect to its input. The output
    size of spatial dimension i is
    `stride[i] * (in[i] - 1) + output_padding[i] + (k[i] - 1) * dilation[i] + 1 - pad_begin[i] - pad_end[i]`.
  }];
  let arguments = (ins Tessera_FloatTensor:$input, Tessera_FloatTensor:$weight,
                       Optional<Tessera_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$output_padding, I64Attr:$group);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Tessera_BatchNormOp : Tessera_Op<"batch_norm", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "inference-mode batch normalization over dimension 1";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, with the four
    per-channel operands broadcast along dimension 1 of `input`.
  }];
  let arguments = (ins Tessera_FloatTensor:$input, Tessera_FloatTensor:$scale,
                       Tessera_FloatTensor:$bias, Tessera_FloatTensor:$mean,
                       Tessera_FloatTensor:$variance, F32Attr:$epsilon);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tessera_LayerNormOp : Tessera_Op<"layer_norm", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "layer normalization over the dimensions from `axis` on";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias` where mean and variance
    are taken over dimensions `axis` ... rank-1; `scale` and the optional
    `bias` broadcast against those dimensions.
  }];
  let arguments = (ins Tessera_FloatTensor:$input, Tessera_FloatTensor:$scale,
                       Optional<Tessera_FloatTensor>:$bias, I64Attr:$axis,
                       F32Attr:$epsilon);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tessera_RmsNormOp : Tessera_Op<"rms_norm", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "RMS normalization over the dimensions from `axis` on";
  let description = [{
    `x * (1 / sqrt(mean(x^2) + epsilon)) * scale`, the mean taken over
    dimensions `axis` ... rank-1; `scale` broadcasts against those
    dimensions. Formed by `tessera-recognize-ops` from the decomposed form
    (LLaMA-style RMSNorm as `torch.onnx` writes it).
  }];
  let arguments = (ins Tessera_FloatTensor:$input, Tessera_FloatTensor:$scale,
                       I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

class Tessera_PoolOp<string mnemonic, dag extraArgs>
    : Tessera_Op<mnemonic, [Pure, Tessera_InferResultTypes]> {
  let arguments = !con((ins Tessera_FloatTensor:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extraArgs);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Tessera_MaxPoolOp : Tessera_PoolOp<"max_pool", (ins)> {
  let summary = "N-D max pooling (NCHW)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::mlir::tessera::inferPoolType(loc, adaptor.getInput().getType(),
          adaptor.getKernelShape(), adaptor.getStrides(), adaptor.getPads(),
          adaptor.getDilations(), adaptor.getCeilMode(), types);
    }
  }];
}

def Tessera_AvgPoolOp : Tessera_PoolOp<"avg_pool",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let summary = "N-D average pooling (NCHW)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::mlir::tessera::inferPoolType(loc, adaptor.getInput().getType(),
          adaptor.getKernelShape(), adaptor.getStrides(), adaptor.getPads(),
          adaptor.getDilations(), adaptor.getCeilMode(), types);
    }
  }];
}

def Tessera_SoftmaxOp : Tessera_Op<"softmax", [Pure,
    SameOperandsAndResultType]> {
  let summary = "softmax along one axis";
  let arguments = (ins Tessera_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Tessera_AttentionOp : Tessera_Op<"attention", [Pure]> {
  let summary = "scaled dot-product attention: softmax(scale * Q K^T + mask) V";
  let description = [{
    `query` is `[batch..., Lq, D]`, `key` `[batch..., Lk, D]` and `value`
    `[batch..., Lk, Dv]`; the result is `[batch..., Lq, Dv]`. The batch
    dimensions (heads, and the batch itself) are the same for all three.
    The optional additive `mask` broadcasts (numpy rules) to the score
    shape `[batch..., Lq, Lk]`; the softmax is over `Lk`.

    `tessera-recognize-attention` forms this op from the MatMul -> scale ->
    (mask Add) -> Softmax -> MatMul chain exporters write. The lowering
    computes it a block of query rows at a time, so that only a
    `[batch..., rows, Lk]` tile of the score matrix ever exists.

    ```mlir
    %o = tessera.attention %q, %k, %v {scale = 1.250000e-01 : f32}
        : (tensor<4x128x64xf32>, tensor<4x128x64xf32>, tensor<4x128x64xf32>)
        -> tensor<4x128x64xf32>
    ```
  }];
  let arguments = (ins Tessera_FloatTensor:$query, Tessera_FloatTensor:$key,
                       Tessera_FloatTensor:$value,
                       Optional<Tessera_FloatTensor>:$mask, F32Attr:$scale);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`,` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tessera_LogSoftmaxOp : Tessera_Op<"log_softmax", [Pure,
    SameOperandsAndResultType]> {
  let summary = "log of softmax along one axis";
  let arguments = (ins Tessera_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Tessera_ReduceSumOp : Tessera_ReduceOp<"reduce_sum">;
def Tessera_ReduceMeanOp : Tessera_ReduceOp<"reduce_mean">;
def Tessera_ReduceMaxOp : Tessera_ReduceOp<"reduce_max">;
def Tessera_ReduceMinOp : Tessera_ReduceOp<"reduce_min">;
def Tessera_ReduceProdOp : Tessera_ReduceOp<"reduce_prod">;

class Tessera_ArgReduceOp<string mnemonic>
    : Tessera_Op<mnemonic, [Pure, Tessera_InferResultTypes]> {
  let summary = "index of the " # mnemonic # " element along `axis` (i64)";
  let description = [{
    Ties go to the first index, or the last with `select_last_index`.
  }];
  let arguments = (ins Tessera_Tensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *ctx, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      ::llvm::SmallVector<::mlir::Type> reduced;
      int64_t axis = adaptor.getAxis();
      if (failed(::mlir::tessera::inferReduceType(
              loc, adaptor.getInput().getType(), ::llvm::ArrayRef<int64_t>(axis),
              adaptor.getKeepdims(), reduced)))
        return ::mlir::failure();
      types.push_back(::mlir::cast<::mlir::RankedTensorType>(reduced[0])
                          .clone(::mlir::IntegerType::get(ctx, 64)));
      return ::mlir::success();
    }
  }];
}
def Tessera_ArgMaxOp : Tessera_ArgReduceOp<"arg_max">;
def Tessera_ArgMinOp : Tessera_ArgReduceOp<"arg_min">;

def Tessera_CumSumOp : Tessera_Op<"cum_sum", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "cumulative sum along `axis`";
  let description = [{
    With `exclusive` each element excludes itself; with `reverse` the sum
    runs from the end.
  }];
  let arguments = (ins Tessera_Tensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Tessera_TriluOp : Tessera_Op<"trilu", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "keep the upper (or lower) triangle of the last two dims";
  let description = [{
    Elements above diagonal `k` (upper) or below it (lower) are kept, the
    rest zeroed; `k` is a scalar i64 tensor, possibly known only at run time.
  }];
  let arguments = (ins Tessera_Tensor:$input, 0DTensorOf<[I64]>:$k,
                       BoolAttr:$upper);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = "$input `,` $k attr-dict `:` type($input) `,` type($k)";
}

//===----------------------------------------------------------------------===//
// Data-dependent shapes
//===----------------------------------------------------------------------===//

def Tessera_NonZeroOp : Tessera_Op<"non_zero", [Pure]> {
  let summary = "coordinates of the non-zero elements";
  let description = [{
    ONNX `NonZero`: a `rank x count` i64 tensor whose column j holds the
    coordinates of the j-th non-zero element of `input` in row-major order.
    `count` is known only at run time, so the second dimension is dynamic.
  }];
  let arguments = (ins Tessera_Tensor:$input);
  let results = (outs 2DTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Tessera_NonMaxSuppressionOp
    : Tessera_Op<"non_max_suppression", [Pure]> {
  let summary = "greedy non-maximum suppression per batch and class";
  let description = [{
    ONNX `NonMaxSuppression`: `boxes` is B x N x 4 (corners y1, x1, y2, x2,
    or with `center_point_box` x_center, y_center, width, height),
    `scores` is B x C x N. Per batch entry and class, boxes scoring above
    `score_threshold` are taken in descending score order (the lower index
    first on ties) unless their IoU with a box already taken exceeds
    `iou_threshold`, at most `max_output_boxes_per_class` of them. The
    result lists (batch, class, box) triples, so its length is only known
    at run time.
  }];
  let arguments = (ins 3DTensorOf<[AnyFloat]>:$boxes,
                       3DTensorOf<[AnyFloat]>:$scores,
                       0DTensorOf<[I64]>:$max_output_boxes_per_class,
                       0DTensorOf<[AnyFloat]>:$iou_threshold,
                       0DTensorOf<[AnyFloat]>:$score_threshold,
                       BoolAttr:$center_point_box);
  let results = (outs 2DTensorOf<[I64]>:$output);
  let assemblyFormat = [{
    $boxes `,` $scores `,` $max_output_boxes_per_class `,` $iou_threshold `,`
    $score_threshold attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tessera_RangeOp : Tessera_Op<"range", [Pure,
    AllTypesMatch<["start", "limit", "delta"]>]> {
  let summary = "start + i * delta for i < ceil((limit - start) / delta)";
  let description = [{
    ONNX `Range` with scalar operands known only at run time: the length
    max(ceil((limit - start) / delta), 0) is computed when the op runs.
  }];
  let arguments = (ins 0DTensorOf<[AnyFloat, AnySignlessInteger]>:$start,
                       0DTensorOf<[AnyFloat, AnySignlessInteger]>:$limit,
                       0DTensorOf<[AnyFloat, AnySignlessInteger]>:$delta);
  let results = (outs 1DTensorOf<[AnyFloat, AnySignlessInteger]>:$output);
  let assemblyFormat = [{
    $start `,` $limit `,` $delta attr-dict `:` type($start) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Tessera_ReshapeOp : Tessera_Op<"reshape", [Pure]> {
  let summary = "view a tensor with another shape";
  let description = [{
    Without `shape`, the result type must be static and hold as many
    elements as the input. With `shape` (a 1-D i64 tensor, one entry per
    result dimension, with ONNX `Reshape` semantics: 0 copies the input
    dimension at the same index, -1 is inferred) the result may have
    dynamic dimensions that are resolved at run time. With `allow_zero`, a
    0 entry is a size of 0 (ONNX `allowzero=1`), as it must be when the
    shape holds exact sizes that may be 0.

    ```mlir
    %0 = tessera.reshape %x : tensor<1x512x1x1xf32> -> tensor<1x512xf32>
    %1 = tessera.reshape %y, %s : tensor<?x512x1x1xf32>, tensor<2xi64> -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins Tessera_Tensor:$input,
                       Optional<Tessera_ShapeTensor>:$shape,
                       DefaultValuedAttr<BoolAttr, "false">:$allow_zero);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $input (`,` $shape^)? attr-dict `:` type($input) (`,` type($shape)^)? `->` type($output)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Tessera_TransposeOp : Tessera_Op<"transpose", [Pure,
    Tessera_InferResultTypes]> {
  let summary = "permute dimensions: output dim i is input dim perm[i]";
  let arguments = (ins Tessera_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The permutation of `rank` dimensions that swaps the last two (a
    /// batch of matrices transposed).
    static ::llvm::SmallVector<int64_t> getLastTwoSwapped(int64_t rank);
  }];
}

def Tessera_ConcatOp : Tessera_Op<"concat", [Pure, Tessera_InferResultTypes]> {
  let summary = "concatenate tensors along `axis`";
  let arguments = (ins Variadic<Tessera_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, results)
  }];
  let hasFolder = 1;
}

def Tessera_SplitOp : Tessera_Op<"split", [Pure]> {
  let summary = "split a tensor along `axis` into pieces of the result sizes";
  let arguments = (ins Tessera_Tensor:$input, I64Attr:$axis);
  let results = (outs Variadic<Tessera_Tensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($outputs)";
  let hasVerifier = 1;
}

def Tessera_SliceOp : Tessera_Op<"slice", [Pure, Tessera_InferResultTypes]> {
  let summary = "strided slice, one start/end/step per dimension";
  let description = [{
    `starts`, `ends` and `steps` have one entry per input dimension with
    ONNX `Slice` semantics: negative starts and ends count from the end and
    are clamped to the dimension; a negative step walks backwards.
  }];
  let arguments = (ins Tessera_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

def Tessera_GatherElementsOp : Tessera_Op<"gather_elements", [Pure]> {
  let summary = "take entries of `input` along `axis` at per-element indices";
  let description = [{
    ONNX `GatherElements`: the result has the shape of `indices`; result
    element i reads `input` at i with coordinate `axis` replaced by
    `indices[i]` (negative indices count from the end).
  }];
  let arguments = (ins Tessera_Tensor:$input, Tessera_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
}

def Tessera_DynamicSliceOp : Tessera_Op<"dynamic_slice", [Pure]> {
  let summary = "strided slice whose starts, axes and steps are known only "
                "at run time";
  let description = [{
    ONNX `Slice` with run-time `starts`, `axes` and `steps` (1-D, same
    length; `axes` may be negative): dimension `axes[i]` starts at
    `starts[i]` (clamped as ONNX does) and advances by `steps[i]`. The
    result sizes come from the result type, which must be static; the ends
    are implied by them.
  }];
  let arguments = (ins Tessera_Tensor:$input, Tessera_IndexTensor:$starts,
                       Tessera_IndexTensor:$axes, Tessera_IndexTensor:$steps);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $starts `,` $axes `,` $steps attr-dict `:` functional-type(operands, results)
  }];
}

def Tessera_GatherNDOp : Tessera_Op<"gather_nd", [Pure]> {
  let summary = "gather slices of `input` addressed by the last dim of `indices`";
  let description = [{
    ONNX `GatherND`: with k = indices.shape[-1], the result has shape
    `indices.shape[:-1] + input.shape[batch_dims + k:]`; the first
    `batch_dims` dimensions are shared by `input` and `indices`.
  }];
  let arguments = (ins Tessera_Tensor:$input, Tessera_IndexTensor:$indices,
                       I64Attr:$batch_dims);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
}

def Tessera_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "how a scatter combines an update with the existing element", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"add", 1>,
    I32EnumAttrCase<"mul", 2>, I32EnumAttrCase<"max", 3>,
    I32EnumAttrCase<"min", 4>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::tessera";
}
def Tessera_ScatterReductionAttr
    : EnumAttr<Tessera_Dialect, Tessera_ScatterReduction, "scatter_reduction">;

def Tessera_ScatterElementsOp : Tessera_Op<"scatter_elements", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "write `updates` into a copy of `input` at per-element indices";
  let description = [{
    ONNX `ScatterElements`: update element i goes to i with coordinate
    `axis` replaced by `indices[i]`. Updates are applied in row-major order.
  }];
  let arguments = (ins Tessera_Tensor:$input, Tessera_IndexTensor:$indices,
                       Tessera_Tensor:$updates, I64Attr:$axis,
                       Tessera_ScatterReductionAttr:$reduction);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
}

def Tessera_ScatterNDOp : Tessera_Op<"scatter_nd", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "write slices of `updates` into a copy of `input`";
  let description = [{
    ONNX `ScatterND`: the last dim of `indices` addresses a slice of
    `input`, which the matching slice of `updates` replaces (or is combined
    with, per `reduction`).
  }];
  let arguments = (ins Tessera_Tensor:$input, Tessera_IndexTensor:$indices,
                       Tessera_Tensor:$updates,
                       Tessera_ScatterReductionAttr:$reduction);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
}

def Tessera_GatherOp : Tessera_Op<"gather", [Pure, Tessera_InferResultTypes]> {
  let summary = "take entries of `input` along `axis` at `indices`";
  let description = [{
    ONNX `Gather`: the result shape is
    `input.shape[:axis] + indices.shape + input.shape[axis+1:]`; negative
    indices count from the end.
  }];
  let arguments = (ins Tessera_Tensor:$input, Tessera_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Tessera_ExpandOp : Tessera_Op<"expand", [Pure]> {
  let summary = "broadcast `input` to `shape` (numpy rules)";
  let arguments = (ins Tessera_Tensor:$input, Tessera_ShapeTensor:$shape);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Tessera_PadOp : Tessera_Op<"pad", [Pure, Tessera_InferResultTypes]> {
  let summary = "pad with a constant, a reflection or the edge value";
  let description = [{
    `pads` lists the leading pad of every dimension, then the trailing ones.
    Negative pads crop.
  }];
  let arguments = (ins Tessera_Tensor:$input, DenseI64ArrayAttr:$pads,
                       Tessera_PadModeAttr:$mode,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Tessera_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Tessera_ResizeOp : Tessera_Op<"resize", [Pure]> {
  let summary = "resample by nearest-neighbour or (multi)linear interpolation";
  let description = [{
    Resizes every dimension of `input` by `scales`. The output sizes are in
    the result type (dynamic dimensions are `floor(in * scale)`). With the
    optional `runtime_scales` operand (one f32 per dimension, known only at
    run time) the coordinate transformation uses those values instead, and
    `scales` only records the output/input size ratios.
  }];
  let arguments = (ins Tessera_FloatTensor:$input,
                       Optional<1DTensorOf<[F32]>>:$runtime_scales,
                       DenseF32ArrayAttr:$scales,
                       Tessera_ResizeModeAttr:$mode,
                       Tessera_CoordinateTransformAttr:$coordinate_transform,
                       Tessera_NearestRoundingAttr:$nearest_rounding,
                       DefaultValuedAttr<F32Attr, "-0.75f">:$cubic_coeff_a,
                       DefaultValuedAttr<BoolAttr, "false">:$exclude_outside);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`,` $runtime_scales^ `:` type($runtime_scales))? attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Tessera_GridSampleOp : Tessera_Op<"grid_sample", [Pure]> {
  let summary = "sample an N x C x H x W input at the points of a grid";
  let description = [{
    ONNX `GridSample` (opset 16): `grid` is N x Ho x Wo x 2 holding (x, y)
    normalized to [-1, 1]; the result N x C x Ho x Wo reads `input` there
    by nearest, bilinear or bicubic (A = -0.75) interpolation.
    `align_corners` maps -1 and 1 to the centres of the corner pixels
    instead of their outer edges; `padding` says what is read outside.
  }];
  let arguments = (ins Tessera_FloatTensor:$input, Tessera_FloatTensor:$grid,
                       Tessera_ResizeModeAttr:$mode,
                       Tessera_GridSamplePaddingAttr:$padding,
                       BoolAttr:$align_corners);
  let results = (outs Tessera_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $grid attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // TESSERA_OPS_TD
