"""Writes binary models for import-errors.test: one with external data, one
whose external file is missing, a truncated one, and one whose output is a
sequence."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]
w = numpy_helper.from_array(np.arange(64 * 64, dtype=np.float32).reshape(64, 64), "w")
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "g",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])], [w])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8

onnx.save_model(model, os.path.join(out, "external.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
with open(os.path.join(out, "external.onnx"), "rb") as f:
    data = f.read()
with open(os.path.join(out, "missing-external.onnx"), "wb") as f:
    f.write(data.replace(b"weights.bin", b"nothere.bin"))

embedded = onnx.load(os.path.join(out, "external.onnx"))
raw = embedded.SerializeToString()
with open(os.path.join(out, "truncated.onnx"), "wb") as f:
    f.write(raw[: len(raw) // 2])

# A sequence as a graph output: sequences are supported inside a graph only.
seq_graph = helper.make_graph(
    [helper.make_node("SequenceConstruct", ["a", "b"], ["s"])], "g",
    [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2]),
     helper.make_tensor_value_info("b", TensorProto.FLOAT, [2])],
    [helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, [2])])
seq_model = helper.make_model(seq_graph, opset_imports=[helper.make_opsetid("", 13)])
seq_model.ir_version = 8
onnx.save(seq_model, os.path.join(out, "sequence-output.onnx"))
