"""Writes depthwise_convs.onnx: depthwise convolutions in the shapes
tessera-depthwise-to-microkernel hands to the runtime's kernel, each fed by
a pad the kernel absorbs, on a batch of 2 with 8 channels.

- A 1x1 convolution with bias and Clip(0, 6) first, as in MobileNetV2's
  blocks: the kernel applies that bias and clamp to its input rows.
- 3x3, stride 1, pads 1, bias, then Clip(0, 6) (MobileNet's ReLU6).
- 3x3, stride 2, pads (0, 0, 1, 1) (TensorFlow's SAME), no bias, then Relu.
- 5x5, stride 1, pads 2, bias, nothing after.
- 3x3, stride 2, pads 1, bias, on the model input itself (its own output).
The output widths (19, 9, 9, 10) leave partial vectors.

And expansions.onnx: MobileNet's inverted residual blocks at a size where
tessera-depthwise-to-microkernel computes the 1x1 expansion inside the
depthwise kernel (2 x 96 x 58 x 56 products, over 1 MiB): 12 -> 96
channels with bias and Clip(0, 6), then a 3x3 depthwise convolution at
stride 1 (pads 1, bias, Clip) and, on a second expansion of the same
input, at stride 2 (SAME pads, no bias, Relu).
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save_model(out_dir, name, nodes, x_shape, output_shapes, inits):
    """Checks and writes NAME.onnx: `nodes` on float input x, float outputs
    by name and shape, initializers by name (opset 13)."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, v)
         for k, v in output_shapes.items()],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out_dir, name + ".onnx"))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    c = 8

    def weight(k):
        return rng.standard_normal((c, 1, k, k)).astype(np.float32) * 0.4

    inits = {
        "wp": rng.standard_normal((c, c, 1, 1)).astype(np.float32) * 0.4,
        "bp": rng.standard_normal(c).astype(np.float32),
        "w1": weight(3), "b1": rng.standard_normal(c).astype(np.float32),
        "w2": weight(3),
        "w3": weight(5), "b3": rng.standard_normal(c).astype(np.float32),
        "w4": weight(3), "b4": rng.standard_normal(c).astype(np.float32),
        "lo": np.array(0.0, np.float32), "hi": np.array(6.0, np.float32),
    }
    nodes = [
        helper.make_node("Conv", ["x", "wp", "bp"], ["cp"]),
        helper.make_node("Clip", ["cp", "lo", "hi"], ["p"]),
        helper.make_node("Conv", ["p", "w1", "b1"], ["c1"], group=c,
                         pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["c1", "lo", "hi"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], group=c,
                         strides=[2, 2], pads=[0, 0, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("Conv", ["r2", "w3", "b3"], ["y"], group=c,
                         pads=[2, 2, 2, 2]),
        helper.make_node("Conv", ["x", "w4", "b4"], ["z"], group=c,
                         strides=[2, 2], pads=[1, 1, 1, 1]),
    ]
    save_model(args.out_dir, "depthwise_convs", nodes, [2, c, 17, 19],
               {"y": [2, c, 8, 9], "z": [2, c, 9, 10]}, inits)

    e = 96
    inits = {
        "we1": rng.standard_normal((e, 12, 1, 1)).astype(np.float32) * 0.3,
        "be1": rng.standard_normal(e).astype(np.float32),
        "we2": rng.standard_normal((e, 12, 1, 1)).astype(np.float32) * 0.3,
        "be2": rng.standard_normal(e).astype(np.float32),
        "wd1": rng.standard_normal((e, 1, 3, 3)).astype(np.float32) * 0.4,
        "bd1": rng.standard_normal(e).astype(np.float32),
        "wd2": rng.standard_normal((e, 1, 3, 3)).astype(np.float32) * 0.4,
        "lo": np.array(0.0, np.float32), "hi": np.array(6.0, np.float32),
    }
    nodes = [
        helper.make_node("Conv", ["x", "we1", "be1"], ["e1"]),
        helper.make_node("Clip", ["e1", "lo", "hi"], ["a1"]),
        helper.make_node("Conv", ["a1", "wd1", "bd1"], ["d1"], group=e,
                         pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["d1", "lo", "hi"], ["y"]),
        helper.make_node("Conv", ["x", "we2", "be2"], ["e2"]),
        helper.make_node("Clip", ["e2", "lo", "hi"], ["a2"]),
        helper.make_node("Conv", ["a2", "wd2"], ["d2"], group=e,
                         strides=[2, 2], pads=[0, 0, 1, 1]),
        helper.make_node("Relu", ["d2"], ["z"]),
    ]
    save_model(args.out_dir, "expansions", nodes, [2, 12, 58, 56],
               {"y": [2, e, 58, 56], "z": [2, e, 29, 28]}, inits)


if __name__ == "__main__":
    main()
