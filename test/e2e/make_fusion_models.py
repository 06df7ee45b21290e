"""Writes small ONNX models whose graphs the fusion passes rewrite.

conv_affine.onnx: Conv(+bias) -> BatchNormalization -> Relu -> Conv(no bias)
  -> Mul(per-channel) -> Add(per-channel) -> Sub(scalar) -> Sigmoid * x
  (SiLU) -> Add(residual) -> Clip. Fixed-seed random weights; the
normalization statistics are far from (0, 1) so that a wrong fold shows.

masked_attention.onnx: two-head self-attention over x [batch (dynamic), 40,
  16] in the [N, H, L, D] layout of scaled_dot_product_attention, with the
  1/sqrt(8) scale on the scores and an additive causal mask: MatMul ->
  Mul -> Add -> Softmax -> MatMul, which tessera-recognize-ops turns into
  one tessera.attention. 40 query rows are one 32-row block and a rest.

decomposed_ops.onnx: what torch.onnx (opset 14) writes for
  gelu(x, approximate='tanh'), then x * rsqrt(mean(x^2) + eps) * w (RMSNorm)
  and exp(x - max) / sum(exp(x - max)), node for node.

product_affine.onnx: Gemm -> BatchNormalization -> Relu, and
  ConvTranspose -> BatchNormalization -> Mul(per-channel); every
  normalization and scale folds into the Gemm's or ConvTranspose's weights.

depthwise_convs.onnx: depthwise convolutions, which lower to unrolled
  window taps: 3x3 stride 2 with asymmetric pads, bias and Clip(0, 6) on
  odd sizes; 5x5 dilation 2; 1-D; and a channel multiplier of 2, which
  keeps the window loop nest. Two more have output rows narrower than 8:
  3x3 with asymmetric pads, bias and Clip(0, 6) at batch 2 (on the
  flattened padded plane without the runtime kernels, on the depthwise
  micro-kernel with them), and 3x3 with dilation 2 (flattened either way).

banded_convs.onnx: two 3x3 convolutions whose im2col columns exceed 512 KiB
  and are built in bands of output rows, with a dynamic batch: dilation 2
  (2 bands of 20 rows) and stride 2 with bias (3 bands of 7 rows).

layout_roundtrip.onnx: NCHW -> NHWC transposes around a Sigmoid and an Add,
  and back, as layout-converted models have them; every transpose cancels.

stem_pools.onnx: network stems, each a convolution of 3 channels, Relu and
  a 3x3 stride-2 MaxPool, on a 37 x 41 image: SqueezeNet's (3x3 stride 2,
  bias; the pool with ceil_mode, so its last windows hang over the
  bottom and right edges), ResNet's (7x7 stride 2 pad 3; the pool padded
  by 1), and one whose Relu output is also a graph output (so the pool is
  not its only reader).
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv_affine(rng):
    c_in, c_mid, c_out, size = 3, 8, 8, 10
    inits = {
        "w1": rng.standard_normal((c_mid, c_in, 3, 3)).astype(np.float32) * 0.3,
        "b1": rng.standard_normal(c_mid).astype(np.float32),
        "scale": rng.uniform(0.5, 2.0, c_mid).astype(np.float32),
        "bias": rng.standard_normal(c_mid).astype(np.float32),
        "mean": rng.standard_normal(c_mid).astype(np.float32) * 3,
        "var": rng.uniform(0.2, 4.0, c_mid).astype(np.float32),
        "w2": rng.standard_normal((c_out, c_mid, 1, 1)).astype(np.float32) * 0.3,
        "m": rng.uniform(-2, 2, (c_out, 1, 1)).astype(np.float32),
        "a": rng.standard_normal((1, c_out, 1, 1)).astype(np.float32),
        "s": np.array(0.25, dtype=np.float32),
        "lo": np.array(-1.5, dtype=np.float32),
        "hi": np.array(2.0, dtype=np.float32),
    }
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "scale", "bias", "mean", "var"],
                         ["n1"], epsilon=1e-3),
        helper.make_node("Relu", ["n1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["c2"]),
        helper.make_node("Mul", ["c2", "m"], ["p2"]),
        helper.make_node("Add", ["a", "p2"], ["q2"]),
        helper.make_node("Sub", ["q2", "s"], ["d2"]),
        helper.make_node("Sigmoid", ["d2"], ["g2"]),
        helper.make_node("Mul", ["d2", "g2"], ["silu"]),
        helper.make_node("Add", ["silu", "r1"], ["res"]),
        helper.make_node("Clip", ["res", "lo", "hi"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "conv_affine",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c_in, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c_out, size, size])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def masked_attention(rng):
    seq, embed, heads = 40, 16, 2
    head_dim = embed // heads
    mask = np.triu(np.full((seq, seq), -1e4, dtype=np.float32), k=1)
    inits = {
        "wq": rng.standard_normal((embed, embed)).astype(np.float32) * 0.5,
        "wk": rng.standard_normal((embed, embed)).astype(np.float32) * 0.5,
        "wv": rng.standard_normal((embed, embed)).astype(np.float32) * 0.5,
        "heads_shape": np.array([0, 0, heads, head_dim], dtype=np.int64),
        "embed_shape": np.array([0, 0, embed], dtype=np.int64),
        "scale": np.array(1 / np.sqrt(head_dim), dtype=np.float32),
        "mask": mask,
    }
    nodes = []
    for name in "qkv":
        nodes += [
            helper.make_node("MatMul", ["x", "w" + name], [name + "_proj"]),
            helper.make_node("Reshape", [name + "_proj", "heads_shape"],
                             [name + "_heads"]),
        ]
    nodes += [
        helper.make_node("Transpose", ["q_heads"], ["q"], perm=[0, 2, 1, 3]),
        helper.make_node("Transpose", ["k_heads"], ["k_t"], perm=[0, 2, 3, 1]),
        helper.make_node("Transpose", ["v_heads"], ["v"], perm=[0, 2, 1, 3]),
        helper.make_node("MatMul", ["q", "k_t"], ["scores"]),
        helper.make_node("Mul", ["scores", "scale"], ["scaled"]),
        helper.make_node("Add", ["scaled", "mask"], ["masked"]),
        helper.make_node("Softmax", ["masked"], ["weights"], axis=-1),
        helper.make_node("MatMul", ["weights", "v"], ["context"]),
        helper.make_node("Transpose", ["context"], ["context_t"],
                         perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["context_t", "embed_shape"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "masked_attention",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       ["batch", seq, embed])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                       ["batch", seq, embed])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def decomposed_ops(rng):
    shape = [2, 4, 16]
    scalar = lambda v: np.array(v, dtype=np.float32)
    inits = {
        "three": scalar(3.0), "c2": scalar(0.044715),
        "c1": scalar(np.sqrt(2 / np.pi)), "one": scalar(1.0),
        "half": scalar(0.5), "two": scalar(2.0), "eps": scalar(1e-6),
        "w": rng.uniform(0.5, 1.5, shape[-1]).astype(np.float32),
        "last": np.array([-1], dtype=np.int64),
    }
    nodes = [
        helper.make_node("Mul", ["x", "x"], ["sq"]),
        helper.make_node("Mul", ["x", "sq"], ["cube"]),
        helper.make_node("Mul", ["c2", "cube"], ["cubic"]),
        helper.make_node("Add", ["x", "cubic"], ["inner"]),
        helper.make_node("Mul", ["c1", "inner"], ["scaled"]),
        helper.make_node("Tanh", ["scaled"], ["tanh"]),
        helper.make_node("Add", ["one", "tanh"], ["shifted"]),
        helper.make_node("Mul", ["x", "shifted"], ["product"]),
        helper.make_node("Mul", ["half", "product"], ["gelu"]),
        helper.make_node("Pow", ["gelu", "two"], ["squares"]),
        helper.make_node("ReduceMean", ["squares"], ["mean"], axes=[-1]),
        helper.make_node("Add", ["mean", "eps"], ["shifted_mean"]),
        helper.make_node("Sqrt", ["shifted_mean"], ["root"]),
        helper.make_node("Div", ["one", "root"], ["inverse"]),
        helper.make_node("Mul", ["gelu", "inverse"], ["normalized"]),
        helper.make_node("Mul", ["normalized", "w"], ["rms"]),
        helper.make_node("ReduceMax", ["rms"], ["max"], axes=[-1]),
        helper.make_node("Sub", ["rms", "max"], ["centered"]),
        helper.make_node("Exp", ["centered"], ["exp"]),
        helper.make_node("ReduceSum", ["exp", "last"], ["sum"]),
        helper.make_node("Div", ["exp", "sum"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "decomposed_ops",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def depthwise_convs(rng):
    inits = {
        "w1": rng.standard_normal((8, 1, 3, 3)).astype(np.float32),
        "b1": rng.standard_normal(8).astype(np.float32),
        "lo": np.array(0.0, dtype=np.float32),
        "hi": np.array(6.0, dtype=np.float32),
        "w2": rng.standard_normal((6, 1, 5, 5)).astype(np.float32),
        "w3": rng.standard_normal((4, 1, 3)).astype(np.float32),
        "w4": rng.standard_normal((8, 1, 3, 3)).astype(np.float32),
        "w5": rng.standard_normal((5, 1, 3, 3)).astype(np.float32),
        "b5": rng.standard_normal(5).astype(np.float32),
        "w6": rng.standard_normal((3, 1, 3, 3)).astype(np.float32),
    }
    nodes = [
        helper.make_node("Conv", ["x1", "w1", "b1"], ["c1"], group=8,
                         strides=[2, 2], pads=[0, 1, 1, 2]),
        helper.make_node("Clip", ["c1", "lo", "hi"], ["y1"]),
        helper.make_node("Conv", ["x2", "w2"], ["y2"], group=6,
                         dilations=[2, 2], pads=[4, 4, 4, 4]),
        helper.make_node("Conv", ["x3", "w3"], ["y3"], group=4, pads=[1, 1]),
        helper.make_node("Conv", ["x4", "w4"], ["y4"], group=4, pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["x5", "w5", "b5"], ["c5"], group=5,
                         pads=[1, 0, 2, 1]),
        helper.make_node("Clip", ["c5", "lo", "hi"], ["y5"]),
        helper.make_node("Conv", ["x6", "w6"], ["y6"], group=3,
                         dilations=[2, 2], pads=[2, 2, 2, 2]),
    ]
    graph = helper.make_graph(
        nodes, "depthwise_convs",
        [helper.make_tensor_value_info("x1", TensorProto.FLOAT, [2, 8, 13, 11]),
         helper.make_tensor_value_info("x2", TensorProto.FLOAT, [1, 6, 9, 9]),
         helper.make_tensor_value_info("x3", TensorProto.FLOAT, [1, 4, 20]),
         helper.make_tensor_value_info("x4", TensorProto.FLOAT, [1, 4, 7, 7]),
         helper.make_tensor_value_info("x5", TensorProto.FLOAT, [2, 5, 7, 6]),
         helper.make_tensor_value_info("x6", TensorProto.FLOAT, [1, 3, 6, 7])],
        [helper.make_tensor_value_info("y1", TensorProto.FLOAT, [2, 8, 6, 6]),
         helper.make_tensor_value_info("y2", TensorProto.FLOAT, [1, 6, 9, 9]),
         helper.make_tensor_value_info("y3", TensorProto.FLOAT, [1, 4, 20]),
         helper.make_tensor_value_info("y4", TensorProto.FLOAT, [1, 8, 7, 7]),
         helper.make_tensor_value_info("y5", TensorProto.FLOAT, [2, 5, 8, 5]),
         helper.make_tensor_value_info("y6", TensorProto.FLOAT, [1, 3, 6, 7])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def banded_convs(rng):
    inits = {
        "w1": rng.standard_normal((8, 16, 3, 3)).astype(np.float32) * 0.3,
        "w2": rng.standard_normal((8, 16, 3, 3)).astype(np.float32) * 0.3,
        "b2": rng.standard_normal(8).astype(np.float32),
    }
    nodes = [
        helper.make_node("Conv", ["x1", "w1"], ["y1"], dilations=[2, 2],
                         pads=[2, 2, 2, 2]),
        helper.make_node("Conv", ["x2", "w2", "b2"], ["y2"], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
    ]
    graph = helper.make_graph(
        nodes, "banded_convs",
        [helper.make_tensor_value_info("x1", TensorProto.FLOAT, ["N", 16, 40, 40]),
         helper.make_tensor_value_info("x2", TensorProto.FLOAT, ["N", 16, 41, 41])],
        [helper.make_tensor_value_info("y1", TensorProto.FLOAT, ["N", 8, 40, 40]),
         helper.make_tensor_value_info("y2", TensorProto.FLOAT, ["N", 8, 21, 21])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def layout_roundtrip(rng):
    shape = [1, 3, 4, 5]
    to_nhwc, to_nchw = [0, 2, 3, 1], [0, 3, 1, 2]
    nodes = [
        helper.make_node("Transpose", ["x"], ["x_nhwc"], perm=to_nhwc),
        helper.make_node("Sigmoid", ["x_nhwc"], ["s_nhwc"]),
        helper.make_node("Transpose", ["s_nhwc"], ["s"], perm=to_nchw),
        helper.make_node("Transpose", ["x"], ["x2_nhwc"], perm=to_nhwc),
        helper.make_node("Transpose", ["z"], ["z_nhwc"], perm=to_nhwc),
        helper.make_node("Sub", ["x2_nhwc", "z_nhwc"], ["d_nhwc"]),
        helper.make_node("Transpose", ["d_nhwc"], ["d"], perm=to_nchw),
        helper.make_node("Mul", ["s", "d"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "layout_roundtrip",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def product_affine(rng):
    def norm_params(prefix, channels):
        return {
            prefix + "scale": rng.uniform(0.5, 2.0, channels).astype(np.float32),
            prefix + "bias": rng.standard_normal(channels).astype(np.float32),
            prefix + "mean": rng.standard_normal(channels).astype(np.float32),
            prefix + "var": rng.uniform(0.2, 4.0, channels).astype(np.float32),
        }
    inits = {
        "gw": rng.standard_normal((6, 4)).astype(np.float32),
        "gb": rng.standard_normal(4).astype(np.float32),
        "tw": rng.standard_normal((3, 2, 3, 3)).astype(np.float32) * 0.5,
        "tb": rng.standard_normal(2).astype(np.float32),
        "m": rng.uniform(-2, 2, (2, 1, 1)).astype(np.float32),
        **norm_params("g_", 4), **norm_params("t_", 2),
    }
    params = lambda p: [p + "scale", p + "bias", p + "mean", p + "var"]
    nodes = [
        helper.make_node("Gemm", ["x", "gw", "gb"], ["g"]),
        helper.make_node("BatchNormalization", ["g"] + params("g_"), ["gn"]),
        helper.make_node("Relu", ["gn"], ["y"]),
        helper.make_node("ConvTranspose", ["z", "tw", "tb"], ["t"],
                         strides=[2, 2]),
        helper.make_node("BatchNormalization", ["t"] + params("t_"), ["tn"]),
        helper.make_node("Mul", ["tn", "m"], ["w"]),
    ]
    graph = helper.make_graph(
        nodes, "product_affine",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 3, 5, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [1, 2, 11, 11])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def stem_pools(rng):
    inits = {
        "sw": rng.standard_normal((16, 3, 3, 3)).astype(np.float32) * 0.4,
        "sb": rng.standard_normal(16).astype(np.float32) * 0.2,
        "rw": rng.standard_normal((24, 3, 7, 7)).astype(np.float32) * 0.2,
        "rb": rng.standard_normal(24).astype(np.float32) * 0.2,
        "ow": rng.standard_normal((8, 3, 3, 3)).astype(np.float32) * 0.4,
    }
    nodes = [
        helper.make_node("Conv", ["x", "sw", "sb"], ["s"], strides=[2, 2]),
        helper.make_node("Relu", ["s"], ["sr"]),
        helper.make_node("MaxPool", ["sr"], ["squeeze"], kernel_shape=[3, 3],
                         strides=[2, 2], ceil_mode=1),
        helper.make_node("Conv", ["x", "rw", "rb"], ["r"], strides=[2, 2],
                         pads=[3, 3, 3, 3]),
        helper.make_node("Relu", ["r"], ["rr"]),
        helper.make_node("MaxPool", ["rr"], ["resnet"], kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["x", "ow"], ["o"], strides=[2, 2]),
        helper.make_node("Relu", ["o"], ["stem"]),
        helper.make_node("MaxPool", ["stem"], ["pooled"], kernel_shape=[3, 3],
                         strides=[2, 2]),
    ]
    graph = helper.make_graph(
        nodes, "stem_pools",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 37, 41])],
        [helper.make_tensor_value_info("squeeze", TensorProto.FLOAT,
                                       [1, 16, 9, 10]),
         helper.make_tensor_value_info("resnet", TensorProto.FLOAT,
                                       [1, 24, 10, 11]),
         helper.make_tensor_value_info("stem", TensorProto.FLOAT,
                                       [1, 8, 18, 20]),
         helper.make_tensor_value_info("pooled", TensorProto.FLOAT,
                                       [1, 8, 8, 9])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rng = np.random.default_rng(7)
    for name, build in [("conv_affine", conv_affine),
                        ("masked_attention", masked_attention),
                        ("decomposed_ops", decomposed_ops),
                        ("layout_roundtrip", layout_roundtrip),
                        ("product_affine", product_affine),
                        ("depthwise_convs", depthwise_convs),
                        ("banded_convs", banded_convs),
                        ("stem_pools", stem_pools)]:
        model = build(rng)
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(args.out_dir, name + ".onnx"))


if __name__ == "__main__":
    main()
