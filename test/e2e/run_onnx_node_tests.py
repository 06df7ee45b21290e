#!/usr/bin/env python3
"""Compiles ONNX backend test cases with tessera and checks every data set.

  run_onnx_node_tests.py --bin BUILD/bin --work DIR [--case-list FILE] CASE...

CASE is a directory name under the ONNX test data (default root
/usr/share/libonnx-testdata/data/node). Each case's model.onnx is compiled to
a package; each test_data_set_* is run through tessera-run with the .pb
inputs (inputs stay run-time inputs) and compared with output_*.pb at the
ONNX backend tolerances (rtol 1e-3, atol 1e-7). Prints one line per case
and a closing "N passed, N failed"; exits 1 if any case failed.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

RTOL, ATOL = 1e-3, 1e-7


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def check_case(case_dir, work, bindir):
    model = onnx.load(os.path.join(case_dir, "model.onnx"))
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    outputs = [o.name for o in model.graph.output]
    os.makedirs(work, exist_ok=True)
    package = os.path.join(work, "model.so")
    result = subprocess.run(
        [os.path.join(bindir, "tessera-compile"),
         os.path.join(case_dir, "model.onnx"), "-o", package],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        return "compile failed: " + result.stdout.strip().splitlines()[-1]
    for data_set in sorted(glob.glob(os.path.join(case_dir, "test_data_set_*"))):
        out_dir = os.path.join(work, os.path.basename(data_set))
        args = []
        for i, name in enumerate(inputs):
            args += ["--input", "%s=%s" % (name, os.path.join(data_set, "input_%d.pb" % i))]
        result = subprocess.run(
            [os.path.join(bindir, "tessera-run"), package, "--output-dir", out_dir] + args,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            return "run failed: " + result.stdout.strip().splitlines()[-1]
        for i, name in enumerate(outputs):
            expected_proto = onnx.TensorProto()
            with open(os.path.join(data_set, "output_%d.pb" % i), "rb") as f:
                expected_proto.ParseFromString(f.read())
            expected = numpy_helper.to_array(expected_proto)
            actual = np.load(os.path.join(out_dir, sanitize(name) + ".npy"))
            if actual.shape != expected.shape:
                return "%s: output %s shape %s, expected %s" % (
                    os.path.basename(data_set), name, actual.shape, expected.shape)
            if not np.allclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True):
                err = np.max(np.abs(actual.astype(np.float64) - expected))
                return "%s: output %s differs (max abs err %g)" % (
                    os.path.basename(data_set), name, err)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--root", default="/usr/share/libonnx-testdata/data/node")
    parser.add_argument("--case-list", help="file with one case name per line")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    if args.case_list:
        with open(args.case_list) as f:
            args.cases += [line.strip() for line in f
                           if line.strip() and not line.startswith("#")]
    failed = 0
    # The work is in subprocesses, so threads give real parallelism.
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        errors = list(pool.map(
            lambda case: check_case(os.path.join(args.root, case),
                                    os.path.join(args.work, case), args.bin),
            args.cases))
    for case, error in zip(args.cases, errors):
        if error:
            failed += 1
            print("FAIL %s: %s" % (case, error))
        else:
            print("PASS %s" % case)
    print("%d passed, %d failed" % (len(args.cases) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
