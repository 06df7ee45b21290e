#!/usr/bin/env python3
"""Copies ONNX node test cases with every input but the first turned into an
initializer (from test_data_set_0), for ops whose shape-defining inputs
tessera needs at compile time (Resize scales/sizes, Pad pads).

  fold_shape_inputs.py --out DIR CASE...
"""
import argparse
import glob
import os
import shutil

import onnx

ROOT = "/usr/share/libonnx-testdata/data/node"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--root", default=ROOT)
    parser.add_argument("cases", nargs="+")
    args = parser.parse_args()
    for case in args.cases:
        src = os.path.join(args.root, case)
        dst = os.path.join(args.out, case)
        shutil.rmtree(dst, ignore_errors=True)
        os.makedirs(os.path.join(dst, "test_data_set_0"))
        model = onnx.load(os.path.join(src, "model.onnx"))
        data_set = sorted(glob.glob(os.path.join(src, "test_data_set_*")))[0]
        inputs = list(model.graph.input)
        for i, graph_input in enumerate(inputs[1:], 1):
            tensor = onnx.TensorProto()
            with open(os.path.join(data_set, "input_%d.pb" % i), "rb") as f:
                tensor.ParseFromString(f.read())
            tensor.name = graph_input.name
            model.graph.initializer.append(tensor)
        del model.graph.input[1:]
        onnx.save(model, os.path.join(dst, "model.onnx"))
        for pb in ["input_0.pb"] + [os.path.basename(p) for p in
                                    glob.glob(os.path.join(data_set, "output_*.pb"))]:
            shutil.copy(os.path.join(data_set, pb),
                        os.path.join(dst, "test_data_set_0", pb))


if __name__ == "__main__":
    main()
