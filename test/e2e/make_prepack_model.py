"""Writes prepack_products.onnx: matrix products whose weights
tessera-prepack-weights packs ahead of time, split over two threads both
where each thread's part starts on a panel boundary (the runtime reads the
prepacked copy) and where it does not (the runtime packs that part itself).

- Conv 8 -> 12 channels, 3x3, then Conv 12 -> 40, 1x1, on 20x20: weights
  as A, each thread a range of the 400 pixels.
- MatMul of 160 rows by a 48x200 weight: B is packed (at least 128 rows);
  the 200 columns split 100 + 100, and 100 is not a multiple of a panel.
- Conv 64 -> 96, 1x1, on 4x4: the weight outweighs the 16 pixels, so the
  96 output channels split 48 + 48, a panel boundary.

And prepack_gemv.onnx: a batch-1 MatMul by a 300 x 96 weight, plus a bias
and a ReLU (a Linear layer at batch 1): B of a product of one row, packed
only in place of the weight, which 96 columns allow. Two K blocks; the 96
columns split 48 + 48 over two threads, mid-panel for AVX-512.
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
    rng = np.random.default_rng(7)
    inits = {
        "w1": rng.standard_normal((12, 8, 3, 3)).astype(np.float32) * 0.3,
        "w2": rng.standard_normal((40, 12, 1, 1)).astype(np.float32) * 0.3,
        "wm": rng.standard_normal((48, 200)).astype(np.float32) * 0.2,
        "w4": rng.standard_normal((96, 64, 1, 1)).astype(np.float32) * 0.2,
    }
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["y"]),
        helper.make_node("MatMul", ["h", "wm"], ["m"]),
        helper.make_node("Conv", ["s", "w4"], ["z"]),
    ]
    graph = helper.make_graph(
        nodes, "prepack_products",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 20, 20]),
         helper.make_tensor_value_info("h", TensorProto.FLOAT, [160, 48]),
         helper.make_tensor_value_info("s", TensorProto.FLOAT, [1, 64, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 40, 20, 20]),
         helper.make_tensor_value_info("m", TensorProto.FLOAT, [160, 200]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 96, 4, 4])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(args.out_dir, "prepack_products.onnx"))

    gemv_inits = {
        "wg": rng.standard_normal((300, 96)).astype(np.float32) * 0.1,
        "bg": rng.standard_normal((96,)).astype(np.float32) * 0.1,
    }
    gemv = helper.make_graph(
        [helper.make_node("MatMul", ["v", "wg"], ["p"]),
         helper.make_node("Add", ["p", "bg"], ["q"]),
         helper.make_node("Relu", ["q"], ["g"])],
        "prepack_gemv",
        [helper.make_tensor_value_info("v", TensorProto.FLOAT, [1, 300])],
        [helper.make_tensor_value_info("g", TensorProto.FLOAT, [1, 96])],
        [numpy_helper.from_array(v, k) for k, v in gemv_inits.items()])
    model = helper.make_model(gemv, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(args.out_dir, "prepack_gemv.onnx"))


if __name__ == "__main__":
    main()
