#!/usr/bin/python3
"""tessera demo: compile the digits CNN ahead of time, load it, classify digits.

    /usr/bin/python3 examples/digits/run_demo.py [--model M.onnx]
        [--samples DIR] [--output OUT.so] [--runs N]

Steps: compile the ONNX model to a shared library with tessera.compile
(printing the compile time), load it with tessera.load, print its signature,
classify the 16 bundled sample images as one batch, print the predictions and
the accuracy, then measure latency (batch 1: median/min over --runs runs after
warm-up; batch 16: median).

Exits non-zero if compiling, loading or running fails, if the outputs have
the wrong shape, or if accuracy on the samples is below 0.75 (so a broken
compiler shows up as a failed `make demo`).
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "python"))

MIN_ACCURACY = 0.75
NUM_CLASSES = 10


def fail(msg, code=1):
    print("run_demo: error: %s" % msg, file=sys.stderr)
    sys.exit(code)


def fmt_shape(shape):
    if shape is None:
        return "?"
    return "[" + ", ".join("?" if d is None or (isinstance(d, int) and d < 0)
                           else str(d) for d in shape) + "]"


def fmt_info(info):
    name = getattr(info, "name", "?")
    dtype = getattr(info, "dtype", "?")
    dtype = getattr(dtype, "name", dtype)  # numpy dtype -> "float32"
    return "%s: %s %s" % (name, dtype, fmt_shape(getattr(info, "shape", None)))


def as_outputs(result):
    """model(...) returns a list of arrays; be lenient about a bare array."""
    if isinstance(result, np.ndarray):
        return [result]
    return [np.asarray(r) for r in result]


def time_runs(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times)


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=os.path.join(HERE, "digits_cnn.onnx"),
                    help="ONNX model (default: examples/digits/digits_cnn.onnx)")
    ap.add_argument("--samples", default=os.path.join(HERE, "samples"),
                    help="directory with images.npy and labels.npy")
    ap.add_argument("--output",
                    default=os.path.join(REPO, "build", "examples", "digits_cnn.so"),
                    help="compiled library (default: build/examples/digits_cnn.so)")
    ap.add_argument("--runs", type=int, default=200,
                    help="timed batch-1 runs (default 200)")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    try:
        import tessera
    except Exception as e:  # noqa: BLE001 - any import failure is fatal here
        fail("cannot import the tessera Python package from %s: %s"
             % (os.path.join(REPO, "python"), e))

    try:
        images = np.load(os.path.join(args.samples, "images.npy")).astype(np.float32)
        labels = np.load(os.path.join(args.samples, "labels.npy")).astype(np.int64)
    except OSError as e:
        fail("cannot read samples: %s" % e)
    if images.ndim != 4 or labels.shape != (images.shape[0],):
        fail("samples have unexpected shapes: images %s, labels %s"
             % (images.shape, labels.shape))
    n = images.shape[0]

    # 1. Compile.
    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)
    print("compiling %s" % os.path.relpath(args.model))
    t0 = time.perf_counter()
    try:
        lib = tessera.compile(args.model, output=args.output)
    except Exception as e:  # noqa: BLE001
        fail("compilation failed: %s" % e)
    compile_s = time.perf_counter() - t0
    lib = str(lib)
    size = os.path.getsize(lib) if os.path.exists(lib) else 0
    print("  -> %s (%.1f KiB) in %.2f s" % (os.path.relpath(lib), size / 1024.0, compile_s))

    # 2. Load and show the signature.
    try:
        model = tessera.load(lib)
        inputs, outputs = list(model.inputs), list(model.outputs)
    except Exception as e:  # noqa: BLE001
        fail("cannot load %s: %s" % (lib, e))
    print("signature:")
    for info in inputs:
        print("  input  %s" % fmt_info(info))
    for info in outputs:
        print("  output %s" % fmt_info(info))

    # 3. Classify the samples as one batch.
    try:
        result = as_outputs(model(images))
    except Exception as e:  # noqa: BLE001
        fail("inference failed: %s" % e)
    if len(result) < 1:
        fail("model returned no outputs")
    logits = result[0]
    if logits.shape != (n, NUM_CLASSES):
        fail("logits have shape %s, expected %s" % (logits.shape, (n, NUM_CLASSES)))
    if not np.all(np.isfinite(logits)):
        fail("logits contain NaN/Inf")
    pred = logits.argmax(axis=1)
    prob = softmax(logits.astype(np.float64)).max(axis=1)
    correct = pred == labels
    print("predictions (batch of %d):" % n)
    for i in range(n):
        print("  sample %2d: predicted %d (label %d)  p=%.2f%s"
              % (i, pred[i], labels[i], prob[i], "" if correct[i] else "  <-- wrong"))
    acc = float(correct.mean())
    print("accuracy on the samples: %d/%d = %.4f" % (int(correct.sum()), n, acc))

    # 4. Latency.
    one = np.ascontiguousarray(images[:1])
    try:
        med1, min1 = time_runs(lambda: model(one), args.runs, warmup=20)
        med16, _ = time_runs(lambda: model(images), max(10, args.runs // 4), warmup=5)
    except Exception as e:  # noqa: BLE001
        fail("inference failed while timing: %s" % e)
    print("latency: batch 1 median %.4f ms, min %.4f ms (%d runs); "
          "batch %d median %.4f ms" % (med1, min1, args.runs, n, med16))

    if acc < MIN_ACCURACY:
        fail("accuracy %.4f is below %.2f: the compiled model is wrong"
             % (acc, MIN_ACCURACY))
    print("demo OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
