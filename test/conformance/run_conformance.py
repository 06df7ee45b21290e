#!/usr/bin/env python3
"""ONNX conformance runner: every ONNX backend test case through tessera.

  run_conformance.py --bin BUILD/bin --work DIR [--suite node,simple,...]
                     [--jobs N] [--expectations FILE] [--update-expectations]
                     [--results JSON] [--filter REGEX] [CASE...]

Runs the ONNX backend test data (Debian's libonnx-testdata, by default
/usr/share/libonnx-testdata/data/{node,pytorch-converted,pytorch-operator,
simple}). For each case, model.onnx is compiled with tessera-compile into
DIR/<suite>/<case>/model.so, and each test_data_set_* is run through the
package with tessera-run (graph inputs stay run-time inputs) and compared with
its output_*.pb: equal shapes, compatible dtypes, np.allclose(rtol=1e-3,
atol=1e-7, equal_nan=True) for floating point, exact equality otherwise.
tessera-run writes bfloat16 outputs as float32, so they are compared as
floats; the test data stores bfloat16 tensors as UINT16 bit patterns, which
are read as bfloat16 where the model's input or output is bfloat16.

A compile is skipped when neither the model nor the compiler changed: the
stamp DIR/<suite>/<case>/stamp.json holds a key, the sha256 of the model's
bytes and of the size and mtime of tessera-compile and of
libtessera_package_runtime.a, with the compile's outcome (a compile failure
is cached with its message too). Runs may share DIR: each case is locked
while it is compiled and run.

Each case is classified as
  pass         every data set matches;
  unsupported  tessera-compile rejected the model with a clean diagnostic
               (exit status 1 and an "error:" message, whose first line is
               the reason);
  fail         anything else: the compiler crashed, timed out or failed
               inside a pass (an error with MLIR's "see current operation"
               note: a verifier or bufferization failure), the run failed,
               crashed or timed out, or an output does not match.

Prints one line per case that does not pass ("FAIL suite/case: reason",
"SKIP suite/case: reason"), counts per suite and, last,
"N passed, N failed, N skipped" (skipped = unsupported).

With --expectations FILE (one "suite/case" per line for the cases that pass),
exits 1 when a listed case does not pass (REGRESSION) or an unlisted one
passes (UNEXPECTED PASS); --update-expectations rewrites FILE from this run
instead (entries of cases that were not run are kept). --results writes one
JSON record per case: suite, case, status, reason, op_types, opset,
input_dtypes, output_dtypes.
"""
import argparse
import concurrent.futures
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper

DEFAULT_ROOT = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
RTOL, ATOL = 1e-3, 1e-7
RUN_TIMEOUT = 120
COMPILE_TIMEOUT = 600
STAMP_VERSION = 1
DEFAULT_DOMAINS = ("", "ai.onnx")

EXPECTATIONS_HEADER = """\
# ONNX backend test cases (suite/case) that tessera passes: compiled with
# tessera-compile, run with tessera-run, outputs equal to output_*.pb at
# rtol 1e-3, atol 1e-7. test/conformance/conformance.test fails when a listed
# case stops passing or an unlisted one starts to.
# Generated; regenerate with `make conformance-docs`, or
#   python3 test/conformance/run_conformance.py --bin build/bin \\
#     --work build/conformance-cache --update-expectations \\
#     --expectations test/conformance/expected-passes.txt
"""


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def type_name(type_proto):
    """ONNX type name: 'float', 'int64', 'seq(float)', 'optional(...)'."""
    kind = type_proto.WhichOneof("value")
    if kind == "tensor_type" or kind == "sparse_tensor_type":
        elem = getattr(type_proto, kind).elem_type
        name = onnx.TensorProto.DataType.Name(elem).lower()
        return name if kind == "tensor_type" else "sparse(%s)" % name
    if kind == "sequence_type":
        return "seq(%s)" % type_name(type_proto.sequence_type.elem_type)
    if kind == "optional_type":
        return "optional(%s)" % type_name(type_proto.optional_type.elem_type)
    if kind == "map_type":
        key = onnx.TensorProto.DataType.Name(type_proto.map_type.key_type).lower()
        return "map(%s,%s)" % (key, type_name(type_proto.map_type.value_type))
    return kind or "undefined"


def graph_op_types(graph, ops):
    for node in graph.node:
        if node.domain in DEFAULT_DOMAINS:
            ops.add(node.op_type)
        else:
            ops.add("%s:%s" % (node.domain, node.op_type))
        for attr in node.attribute:
            if attr.HasField("g"):
                graph_op_types(attr.g, ops)
            for sub in attr.graphs:
                graph_op_types(sub, ops)
    return ops


def model_info(model):
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    opset = None
    for imp in model.opset_import:
        if imp.domain in DEFAULT_DOMAINS:
            opset = imp.version
    def elem(v):
        return v.type.tensor_type.elem_type if v.type.HasField("tensor_type") else None
    return {
        "inputs": [i.name for i in inputs],
        "input_elems": [elem(i) for i in inputs],
        "output_elems": [elem(o) for o in model.graph.output],
        "outputs": [o.name for o in model.graph.output],
        "op_types": sorted(graph_op_types(model.graph, set())),
        "opset": opset,
        "input_dtypes": [type_name(i.type) for i in inputs],
        "output_dtypes": [type_name(o.type) for o in model.graph.output],
    }


def file_stamp(path):
    """Size and mtime (not the path: lit and make spell it differently)."""
    try:
        st = os.stat(path)
        return "%d %d" % (st.st_size, st.st_mtime_ns)
    except OSError:
        return "missing"


def compile_key(model_bytes, compiler, runtime_lib):
    h = hashlib.sha256()
    h.update(model_bytes)
    h.update(b"\0" + file_stamp(compiler).encode())
    h.update(b"\0" + file_stamp(runtime_lib).encode())
    h.update(b"\0stamp-version %d" % STAMP_VERSION)
    return h.hexdigest()


def clean_error(output, model_path):
    """The first 'error:' line of a diagnostic, without its 'FILE:L:C: error: '
    prefix. A line ending in ':' takes the indented lines after it along; the
    'the model uses N unsupported operator node(s):' list becomes
    'unsupported ONNX op A (opset N), B (opset M)'."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        m = re.search(r"\berror:\s*(.*)", line)
        if not m:
            continue
        msg = m.group(1).strip()
        follow = []
        for nxt in lines[i + 1:]:
            if not nxt.startswith((" ", "\t")) or not nxt.strip():
                break
            follow.append(nxt.strip())
        if re.search(r"unsupported operator node", msg) and follow:
            ops = []
            for f in follow:
                op = re.match(r"([\w.:]+)\s*\(domain '([^']*)', opset (\d+)\)", f)
                name = f.split()[0]
                if op:
                    name = op.group(1) if op.group(2) in DEFAULT_DOMAINS else "%s:%s" % (
                        op.group(2), op.group(1))
                    name += " (opset %s)" % op.group(3)
                if name not in ops:
                    ops.append(name)
            return "unsupported ONNX op %s" % ", ".join(ops)
        if msg.endswith(":") and follow:
            msg += " " + "; ".join(follow)
        return msg.replace(model_path, "model.onnx")
    return last_line(output)


def last_line(output):
    lines = [l for l in output.strip().splitlines() if l.strip()]
    return lines[-1].strip() if lines else "(no output)"


def describe_exit(returncode):
    if returncode < 0:
        try:
            return "killed by signal %s" % signal.Signals(-returncode).name
        except ValueError:
            return "killed by signal %d" % -returncode
    return "exit status %d" % returncode


def run_tool(cmd, timeout):
    """(returncode or None on timeout, combined output). A missing binary
    (the build replacing it) is retried a few times."""
    for attempt in range(5):
        try:
            result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    timeout=timeout, errors="replace", text=True)
            if result.returncode == 126 or (
                    result.returncode != 0 and "Text file busy" in result.stdout):
                raise OSError(result.stdout)
            return result.returncode, result.stdout
        except subprocess.TimeoutExpired as e:
            out = e.stdout or ""
            if isinstance(out, bytes):
                out = out.decode(errors="replace")
            return None, out
        except OSError as e:
            if attempt == 4:
                return 127, "cannot run %s: %s" % (cmd[0], e)
            time.sleep(2 + 3 * attempt)


def classify_compile(rc, out, model_path):
    """(status, message): status 'ok', 'error' (clean diagnostic), 'crash'."""
    if rc == 0:
        return "ok", ""
    if rc == 1 and "error:" in out:
        if "note: see current operation:" in out:
            # MLIR's note on an error raised inside a pass (a verifier or
            # bufferization failure): the IR tessera built is wrong, not a
            # model tessera knowingly rejects.
            return "crash", "compiler internal error: %s" % clean_error(out, model_path)
        return "error", clean_error(out, model_path)
    return "crash", "compiler crashed (%s): %s" % (describe_exit(rc), last_line(out))


def compile_case(case_dir, work, bindir, model_bytes):
    """(status, message, cached); see classify_compile."""
    compiler = os.path.join(bindir, "tessera-compile")
    runtime_lib = os.path.join(bindir, os.pardir, "lib", "libtessera_package_runtime.a")
    model_path = os.path.join(case_dir, "model.onnx")
    package = os.path.join(work, "model.so")
    stamp_path = os.path.join(work, "stamp.json")
    key = compile_key(model_bytes, compiler, runtime_lib)
    try:
        with open(stamp_path) as f:
            stamp = json.load(f)
        if stamp["key"] == key and (stamp["returncode"] != 0 or os.path.exists(package)):
            return classify_compile(stamp["returncode"], stamp["output"], model_path) + (True,)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for stale in (stamp_path, package):
        if os.path.exists(stale):
            os.remove(stale)
    rc, out = run_tool([compiler, model_path, "-o", package], COMPILE_TIMEOUT)
    if rc is None:
        # Not cached: a timeout may depend on the machine's load.
        return "crash", "compiler timed out after %d s" % COMPILE_TIMEOUT, False
    # The stamp keeps the compiler's exit status and output (the message is
    # derived when it is read). Not written when the tools could not be run
    # or changed while compiling (a rebuild).
    if rc != 127 and compile_key(model_bytes, compiler, runtime_lib) == key:
        tmp = stamp_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"key": key, "returncode": rc, "output": out[-20000:]}, f)
        os.replace(tmp, stamp_path)
    return classify_compile(rc, out, model_path) + (False,)


def load_tensor(path):
    proto = onnx.TensorProto()
    with open(path, "rb") as f:
        proto.ParseFromString(f.read())
    return proto


def bfloat16_input(path, elem, scratch):
    """The ONNX test data stores bfloat16 tensors as UINT16 bit patterns. For
    a bfloat16 model input, writes the same bits as a BFLOAT16 tensor to
    SCRATCH and returns that path; else returns PATH."""
    if elem != onnx.TensorProto.BFLOAT16:
        return path
    proto = load_tensor(path)
    if proto.data_type != onnx.TensorProto.UINT16:
        return path
    proto.data_type = onnx.TensorProto.BFLOAT16
    os.makedirs(os.path.dirname(scratch), exist_ok=True)
    with open(scratch, "wb") as f:
        f.write(proto.SerializeToString())
    return scratch


def load_expected(path, elem):
    """(ONNX data type, array) of an output_N.pb; bfloat16 (also when stored
    as UINT16 bit patterns for a bfloat16 model output) comes as float32."""
    proto = load_tensor(path)
    array = numpy_helper.to_array(proto)
    if elem == onnx.TensorProto.BFLOAT16 and proto.data_type == onnx.TensorProto.UINT16:
        bits = array.astype(np.uint32) << 16
        return onnx.TensorProto.BFLOAT16, bits.view(np.float32)
    return proto.data_type, array


def compare(name, actual, data_type, expected):
    """None if equal, else why not."""
    if actual.shape != expected.shape:
        return "output %s shape %s, expected %s" % (name, actual.shape, expected.shape)
    if data_type == onnx.TensorProto.BFLOAT16:
        compatible = actual.dtype == np.float32
    else:
        compatible = actual.dtype == expected.dtype
    if not compatible:
        return "output %s dtype %s, expected %s" % (
            name, actual.dtype, onnx.TensorProto.DataType.Name(data_type).lower())
    if np.issubdtype(expected.dtype, np.floating) or np.issubdtype(expected.dtype, np.complexfloating):
        if np.allclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True):
            return None
        a = actual.astype(np.float64)
        e = expected.astype(np.float64)
        with np.errstate(invalid="ignore"):
            bad = ~np.isclose(a, e, rtol=RTOL, atol=ATOL, equal_nan=True)
            err = np.abs(a - e)[bad]
            err = np.nanmax(err) if np.any(~np.isnan(err)) else float("nan")
        return "output %s differs in %d of %d values (max abs err %g)" % (
            name, int(bad.sum()), bad.size, err)
    if np.array_equal(actual, expected):
        return None
    bad = actual != expected
    return "output %s differs in %d of %d values" % (name, int(np.sum(bad)), np.size(bad))


def check_case(suite, case, root, work_root, bindir):
    case_dir = os.path.join(root, suite, case)
    work = os.path.join(work_root, suite, case)
    record = {"suite": suite, "case": case, "status": "fail", "reason": ""}
    try:
        model_path = os.path.join(case_dir, "model.onnx")
        with open(model_path, "rb") as f:
            model_bytes = f.read()
        info = model_info(onnx.load_from_string(model_bytes))
        for k in ("op_types", "opset", "input_dtypes", "output_dtypes"):
            record[k] = info[k]
        os.makedirs(work, exist_ok=True)
        # Runs sharing the work directory (make check while the docs are
        # regenerated) take turns on each case: the lock covers the package,
        # its stamp and the output directories.
        with open(os.path.join(work, ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            check_package(case_dir, work, bindir, model_bytes, info, record)
    except Exception as e:  # a broken case must not stop the run
        record.update(status="fail", reason="runner error: %s: %s" % (type(e).__name__, e))
    return record


def check_package(case_dir, work, bindir, model_bytes, info, record):
    """Compiles the case (unless cached) and checks every data set; fills in
    RECORD's status and reason."""
    status, message, record["compile_cached"] = compile_case(
        case_dir, work, bindir, model_bytes)
    if status == "error":
        record.update(status="unsupported", reason=message)
        return
    if status == "crash":
        record["reason"] = message
        return
    package = os.path.join(work, "model.so")
    data_sets = sorted(glob.glob(os.path.join(case_dir, "test_data_set_*")))
    if not data_sets:
        record["reason"] = "no test_data_set_* in the case"
        return
    for data_set in data_sets:
        ds = os.path.basename(data_set)
        out_dir = os.path.join(work, ds)
        shutil.rmtree(out_dir, ignore_errors=True)
        cmd = [os.path.join(bindir, "tessera-run"), package, "--output-dir", out_dir]
        for i, name in enumerate(info["inputs"]):
            path = bfloat16_input(os.path.join(data_set, "input_%d.pb" % i),
                                  info["input_elems"][i],
                                  os.path.join(work, "inputs", ds, "input_%d.pb" % i))
            cmd += ["--input", "%s=%s" % (name, path)]
        rc, out = run_tool(cmd, RUN_TIMEOUT)
        if rc is None:
            record["reason"] = "%s: run timed out after %d s" % (ds, RUN_TIMEOUT)
            return
        if rc != 0:
            what = "run failed" if rc == 1 else "run crashed (%s)" % describe_exit(rc)
            # Paths in the message, relative to the case or work directory.
            msg = last_line(out).replace(case_dir + os.sep, "").replace(work + os.sep, "")
            record["reason"] = "%s: %s: %s" % (ds, what, msg)
            return
        for i, name in enumerate(info["outputs"]):
            data_type, expected = load_expected(
                os.path.join(data_set, "output_%d.pb" % i), info["output_elems"][i])
            npy = os.path.join(out_dir, sanitize(name) + ".npy")
            if not os.path.exists(npy):
                record["reason"] = "%s: output %s not written" % (ds, name)
                return
            error = compare(name, np.load(npy, allow_pickle=False), data_type, expected)
            if error:
                record["reason"] = "%s: %s" % (ds, error)
                return
    record.update(status="pass", reason="")


def read_expectations(path):
    entries = set()
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    entries.add(line)
    return entries


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of tessera-compile and tessera-run")
    parser.add_argument("--work", required=True, help="persistent work directory (packages, stamps)")
    parser.add_argument("--root", default=DEFAULT_ROOT, help="ONNX test data root (default %(default)s)")
    parser.add_argument("--suite", default=",".join(SUITES),
                        help="comma-separated suites (default %(default)s)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--expectations", help="file of suite/case lines expected to pass")
    parser.add_argument("--update-expectations", action="store_true",
                        help="rewrite --expectations from this run")
    parser.add_argument("--results", help="write per-case results as JSON")
    parser.add_argument("--filter", help="only cases whose suite/case matches REGEX (re.search)")
    parser.add_argument("cases", nargs="*", metavar="CASE",
                        help="suite/case or case (looked up in the selected suites)")
    args = parser.parse_args()
    if args.update_expectations and not args.expectations:
        parser.error("--update-expectations needs --expectations FILE")

    suites = [s for s in args.suite.split(",") if s]
    for s in suites:
        if not os.path.isdir(os.path.join(args.root, s)):
            parser.error("no suite %s under %s" % (s, args.root))
    all_cases = [(s, c) for s in suites for c in sorted(os.listdir(os.path.join(args.root, s)))
                 if os.path.isfile(os.path.join(args.root, s, c, "model.onnx"))]
    selected = all_cases
    if args.cases:
        wanted = set(args.cases)
        selected = [(s, c) for s, c in all_cases if c in wanted or "%s/%s" % (s, c) in wanted]
        found = {c for _, c in selected} | {"%s/%s" % sc for sc in selected}
        missing = sorted(wanted - found)
        if missing:
            parser.error("no such case(s): %s" % ", ".join(missing))
    if args.filter:
        rx = re.compile(args.filter)
        selected = [(s, c) for s, c in selected if rx.search("%s/%s" % (s, c))]

    start = time.time()
    # The work is in subprocesses, so threads give real parallelism.
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(
            lambda sc: check_case(sc[0], sc[1], args.root, args.work, args.bin), selected))
    elapsed = time.time() - start

    for r in results:
        if r["status"] == "fail":
            print("FAIL %s/%s: %s" % (r["suite"], r["case"], r["reason"]))
        elif r["status"] == "unsupported":
            print("SKIP %s/%s: %s" % (r["suite"], r["case"], r["reason"]))

    exit_code = 0
    if args.expectations:
        expected = read_expectations(args.expectations)
        ran = {"%s/%s" % (r["suite"], r["case"]): r for r in results}
        passing = {k for k, r in ran.items() if r["status"] == "pass"}
        if args.update_expectations:
            entries = (expected - set(ran)) | passing
            with open(args.expectations, "w") as f:
                f.write(EXPECTATIONS_HEADER)
                for e in sorted(entries):
                    f.write(e + "\n")
            print("wrote %s (%d passing cases)" % (args.expectations, len(entries)))
        else:
            for k in sorted(expected & set(ran)):
                if k not in passing:
                    print("REGRESSION %s: %s" % (k, ran[k]["reason"]))
                    exit_code = 1
            for k in sorted(passing - expected):
                print("UNEXPECTED PASS %s \u2014 add it to %s (run with --update-expectations)"
                      % (k, os.path.basename(args.expectations)))
                exit_code = 1

    if args.results:
        os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1)
            f.write("\n")

    totals = {"pass": 0, "fail": 0, "unsupported": 0}
    for s in suites:
        counts = {"pass": 0, "fail": 0, "unsupported": 0}
        for r in results:
            if r["suite"] == s:
                counts[r["status"]] += 1
        for k in totals:
            totals[k] += counts[k]
        if sum(counts.values()):
            print("%s: %d passed, %d failed, %d skipped (of %d)" % (
                s, counts["pass"], counts["fail"], counts["unsupported"], sum(counts.values())))
    cached = sum(1 for r in results if r.get("compile_cached"))
    print("%d cases in %.1f s (%d compiles cached)" % (len(results), elapsed, cached))
    print("%d passed, %d failed, %d skipped" % (
        totals["pass"], totals["fail"], totals["unsupported"]))
    sys.stdout.flush()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
