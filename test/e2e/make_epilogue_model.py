"""Writes product_epilogues.onnx: convolutions and a Gemm whose bias,
residual add and activation tessera applies as the matrix-product
micro-kernel's epilogue.

- 3x3 convolution, 16 channels on 48 x 48 (im2col built band by band),
  bias, Relu: the epilogue runs on each band's block.
- The same, plus the block's input as a residual, then Relu.
- A downsampling block: 3x3 stride 2 convolution + bias + Relu, 3x3
  convolution + bias, plus a 1x1 stride 2 convolution of the block input
  (the residual add writes over that one's output), then Relu.
- Gemm with bias over the flattened features, then Clip(-0.5, 0.5).
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(5)

    def weight(*shape):
        fan_in = int(np.prod(shape[1:]))
        return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)

    def bias(n):
        return (rng.standard_normal(n) * 0.1).astype(np.float32)

    inits = {
        "w1": weight(16, 16, 3, 3), "b1": bias(16),
        "w2": weight(16, 16, 3, 3), "b2": bias(16),
        "w3": weight(32, 16, 3, 3), "b3": bias(32),
        "w4": weight(32, 32, 3, 3), "b4": bias(32),
        "wd": weight(32, 16, 1, 1), "bd": bias(32),
        "wg": weight(10, 32 * 24 * 24) * 0.3, "bg": bias(10),
        "lo": np.array(-0.5, np.float32), "hi": np.array(0.5, np.float32),
    }
    pad1 = [1, 1, 1, 1]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=pad1),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=pad1),
        helper.make_node("Add", ["c2", "x"], ["s1"]),
        helper.make_node("Relu", ["s1"], ["r2"]),
        helper.make_node("Conv", ["r2", "w3", "b3"], ["c3"], pads=pad1,
                         strides=[2, 2]),
        helper.make_node("Relu", ["c3"], ["r3"]),
        helper.make_node("Conv", ["r3", "w4", "b4"], ["c4"], pads=pad1),
        helper.make_node("Conv", ["r2", "wd", "bd"], ["d"], strides=[2, 2]),
        helper.make_node("Add", ["c4", "d"], ["s2"]),
        helper.make_node("Relu", ["s2"], ["y"]),
        helper.make_node("Flatten", ["y"], ["f"]),
        helper.make_node("Gemm", ["f", "wg", "bg"], ["g"], transB=1),
        helper.make_node("Clip", ["g", "lo", "hi"], ["z"]),
    ]
    graph = helper.make_graph(
        nodes, "product_epilogues",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 48, 48])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 10])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(args.out_dir, "product_epilogues.onnx"))


if __name__ == "__main__":
    main()
