#!/usr/bin/python3
"""Write fixed-seed random .npy inputs for an ONNX model's graph inputs.

    make_inputs.py MODEL.onnx OUT_DIR --seed S [--dim NAME=V ...]
                   [--int-high H] [--default-dim V]

For every graph input that is not an initializer, writes
OUT_DIR/<sanitized input name>.npy (characters outside [A-Za-z0-9_.-] become
'_') and prints "NAME=PATH" (one per line) for use on ort_run.js / tessera-run
command lines.

Values: float inputs are standard normal (cast to the input's float type);
integer inputs are uniform in [0, --int-high) (default 100); bool inputs are
uniform 0/1. Symbolic or unknown dimensions are taken from --dim NAME=V
(NAME is the dim_param); a dim without a --dim value is an error unless
--default-dim is given.  Inputs are generated in graph order from one
numpy RandomState(seed), so the same seed always gives the same files.
"""

import argparse
import os
import re
import sys

import numpy as np
import onnx
from onnx import TensorProto

FLOAT_TYPES = {
    TensorProto.FLOAT: np.float32,
    TensorProto.DOUBLE: np.float64,
    TensorProto.FLOAT16: np.float16,
}
INT_TYPES = {
    TensorProto.INT8: np.int8,
    TensorProto.INT16: np.int16,
    TensorProto.INT32: np.int32,
    TensorProto.INT64: np.int64,
    TensorProto.UINT8: np.uint8,
    TensorProto.UINT16: np.uint16,
    TensorProto.UINT32: np.uint32,
    TensorProto.UINT64: np.uint64,
}


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def parse_dims(items, ap):
    dims = {}
    for it in items or []:
        name, sep, val = it.partition("=")
        if not sep or not name:
            ap.error("--dim expects NAME=V, got %r" % it)
        try:
            dims[name] = int(val)
        except ValueError:
            ap.error("--dim %s: %r is not an integer" % (name, val))
        if dims[name] < 0:
            ap.error("--dim %s: must be >= 0" % name)
    return dims


def input_shape(vi, dims, default_dim):
    shape = []
    for i, d in enumerate(vi.type.tensor_type.shape.dim):
        if d.HasField("dim_value"):
            shape.append(d.dim_value)
        elif d.HasField("dim_param") and d.dim_param in dims:
            shape.append(dims[d.dim_param])
        elif default_dim is not None:
            shape.append(default_dim)
        else:
            what = ("symbolic dim %r" % d.dim_param) if d.HasField("dim_param") \
                else "unknown dim"
            raise SystemExit("make_inputs: input %r dim %d is a %s; pass --dim %s=V"
                             % (vi.name, i, what,
                                d.dim_param if d.HasField("dim_param") else "NAME"))
    return shape


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--dim", action="append", metavar="NAME=V",
                    help="value for a symbolic dimension (repeatable)")
    ap.add_argument("--default-dim", type=int, default=None,
                    help="value for symbolic dims not given with --dim")
    ap.add_argument("--int-high", type=int, default=100,
                    help="integer inputs are drawn from [0, INT_HIGH) (default 100)")
    args = ap.parse_args(argv)
    dims = parse_dims(args.dim, ap)

    # Only the graph structure is needed; skip loading external data.
    model = onnx.load(args.model, load_external_data=False)
    inits = {t.name for t in model.graph.initializer}
    inits |= {t.name for t in model.graph.sparse_initializer}
    rng = np.random.RandomState(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)
    used = set()
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        if not vi.type.HasField("tensor_type"):
            raise SystemExit("make_inputs: input %r is not a tensor" % vi.name)
        elem = vi.type.tensor_type.elem_type
        shape = input_shape(vi, dims, args.default_dim)
        if elem in FLOAT_TYPES:
            arr = rng.standard_normal(shape).astype(FLOAT_TYPES[elem])
        elif elem in INT_TYPES:
            arr = rng.randint(0, args.int_high, size=shape).astype(INT_TYPES[elem])
        elif elem == TensorProto.BOOL:
            arr = rng.randint(0, 2, size=shape).astype(np.bool_)
        else:
            raise SystemExit("make_inputs: input %r has unsupported element type %s"
                             % (vi.name, TensorProto.DataType.Name(elem)))
        base = sanitize(vi.name)
        if base in used:
            raise SystemExit("make_inputs: two inputs sanitize to %r" % base)
        used.add(base)
        path = os.path.join(args.out_dir, base + ".npy")
        np.save(path, np.asarray(arr))  # (ascontiguousarray would make 0-d arrays 1-d)
        print("%s=%s" % (vi.name, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
