"""Writes small ONNX models whose graphs the fusion passes rewrite.

conv_affine.onnx: Conv(+bias) -> BatchNormalization -> Relu -> Conv(no bias)
  -> Mul(per-channel) -> Add(per-channel) -> Sub(scalar) -> Sigmoid * x
  (SiLU) -> Add(residual) -> Clip. Fixed-seed random weights; the
normalization statistics are far from (0, 1) so that a wrong fold shows.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rng = np.random.default_rng(7)
    model = conv_affine(rng)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(args.out_dir, "conv_affine.onnx"))


if __name__ == "__main__":
    main()
