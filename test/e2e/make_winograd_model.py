"""Writes winograd_convs.onnx and winograd_convs_4x4.onnx: 3x3 stride-1
convolutions that tessera computes by Winograd on the runtime's kernel,
with the epilogues it folds into the kernel's output transform, on odd
sizes and a batch of 2 (a loop of calls). With --winograd-tile=4x4 the
kernel takes F(4x4, 3x3) for winograd_convs_4x4.onnx's maps (input 27 x
30: every map at least 24 x 24) and still F(2x2, 3x3) for
winograd_convs.onnx's (input 15 x 21).

- 12 -> 20 channels on H x W, pads 1, bias, Relu;
- 20 -> 20, pads 1, bias, plus the previous output as a residual, Relu;
- 20 -> 24, no pads (H - 2 x W - 2 out), no bias, Clip(0, 6);
- 24 -> 40, asymmetric pads (top 0, left 2, bottom 1, right 0), bias;
- a 3x3 stride-2 convolution of the first output (im2col, for contrast),
  added to a global average of the last: the output mixes both paths.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save_model(path, height, width, rng):

    def weight(*shape):
        fan_in = int(np.prod(shape[1:]))
        return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)

    def bias(n):
        return (rng.standard_normal(n) * 0.1).astype(np.float32)

    inits = {
        "w1": weight(20, 12, 3, 3), "b1": bias(20),
        "w2": weight(20, 20, 3, 3), "b2": bias(20),
        "w3": weight(24, 20, 3, 3),
        "w4": weight(40, 24, 3, 3), "b4": bias(40),
        "ws": weight(40, 20, 3, 3), "bs": bias(40),
        "lo": np.array(0.0, np.float32), "hi": np.array(6.0, np.float32),
    }
    pad1 = [1, 1, 1, 1]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=pad1),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=pad1),
        helper.make_node("Add", ["c2", "r1"], ["s2"]),
        helper.make_node("Relu", ["s2"], ["r2"]),
        helper.make_node("Conv", ["r2", "w3"], ["c3"]),
        helper.make_node("Clip", ["c3", "lo", "hi"], ["r3"]),
        helper.make_node("Conv", ["r3", "w4", "b4"], ["c4"], pads=[0, 2, 1, 0]),
        helper.make_node("GlobalAveragePool", ["c4"], ["g"]),
        helper.make_node("Conv", ["r1", "ws", "bs"], ["s"], pads=pad1,
                         strides=[2, 2]),
        helper.make_node("Add", ["s", "g"], ["y"]),
    ]
    strided = [(height - 1) // 2 + 1, (width - 1) // 2 + 1]
    graph = helper.make_graph(
        nodes, "winograd_convs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       [2, 12, height, width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 40] + strided),
         helper.make_tensor_value_info("c4", TensorProto.FLOAT,
                                       [2, 40, height - 3, width - 2])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    save_model(os.path.join(args.out_dir, "winograd_convs.onnx"), 15, 21, rng)
    save_model(os.path.join(args.out_dir, "winograd_convs_4x4.onnx"), 27, 30,
               rng)


if __name__ == "__main__":
    main()
