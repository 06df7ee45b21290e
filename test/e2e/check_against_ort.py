#!/usr/bin/env python3
"""Compiles an ONNX model with tessera, runs the package with tessera-run and
the model with ONNX Runtime on the same fixed-seed inputs, and compares.

  check_against_ort.py MODEL.onnx --work DIR --bin BUILD/bin
                       [--dim NAME=V ...] [--rtol R] [--atol A]
                       [--threads T] [--runs N]
                       [-- extra tessera-compile args]

Exits non-zero (and says which step failed) on any failure or mismatch.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, what):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    if result.returncode != 0:
        sys.stderr.write("%s failed (exit %d): %s\n%s%s" % (
            what, result.returncode, " ".join(cmd), result.stdout,
            result.stderr))
        sys.exit(1)
    return result.stdout


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--work", required=True)
    parser.add_argument("--bin", required=True, help="directory of tessera tools")
    parser.add_argument("--dim", action="append", default=[])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rtol", default="1e-4")
    parser.add_argument("--atol", default="1e-5")
    parser.add_argument("--threads", type=int, default=1,
                        help="run tessera with this many threads; above 1, "
                             "also check that the outputs are bit for bit "
                             "those of a 1-thread run")
    parser.add_argument("--runs", type=int, default=1,
                        help="run the package this many times in one process "
                             "and compare the last run's outputs; above 1, "
                             "also check that they are bit for bit those of "
                             "a single run (constant weights are packed on "
                             "the first run and reused after it)")
    args = parser.parse_args(argv)

    os.makedirs(args.work, exist_ok=True)
    name = os.path.splitext(os.path.basename(args.model))[0]
    package = os.path.join(args.work, name + ".so")
    run([os.path.join(args.bin, "tessera-compile"), args.model, "-o", package]
        + extra, "tessera-compile")

    inputs_dir = os.path.join(args.work, "inputs")
    dims = []
    for d in args.dim:
        dims += ["--dim", d]
    feeds = run([sys.executable, os.path.join(HERE, "make_inputs.py"),
                 args.model, inputs_dir, "--seed", str(args.seed)] + dims,
                "make_inputs.py").split()

    ort_dir = os.path.join(args.work, "ort")
    run(["node", os.path.join(HERE, "ort_run.js"), args.model, ort_dir] + feeds,
        "ONNX Runtime")
    run_args = []
    for feed in feeds:
        run_args += ["--input", feed]

    def run_tessera(threads, runs=1):
        out_dir = os.path.join(args.work, "tessera-%dt-%dr" % (threads, runs))
        # --bench N: one warm-up run, then N; the outputs are the last run's.
        repeat = ["--bench", str(runs - 1)] if runs > 1 else []
        run([os.path.join(args.bin, "tessera-run"), package, "--output-dir",
             out_dir, "--threads", str(threads)] + repeat + run_args,
            "tessera-run")
        return out_dir

    tessera_dir = run_tessera(args.threads, args.runs)
    sys.stdout.write(run([sys.executable, os.path.join(HERE, "compare_outputs.py"),
                          ort_dir, tessera_dir, "--rtol", args.rtol,
                          "--atol", args.atol], "compare_outputs.py"))
    if args.threads > 1:
        # Threads split only parallel loops, so every sum keeps its order.
        report = run([sys.executable, os.path.join(HERE, "compare_outputs.py"),
                      run_tessera(1), tessera_dir, "--rtol", "0", "--atol", "0"],
                     "compare_outputs.py")
        sys.stdout.write("%d threads against 1 thread: %s" % (args.threads, report))
    if args.runs > 1:
        report = run([sys.executable, os.path.join(HERE, "compare_outputs.py"),
                      run_tessera(args.threads), tessera_dir, "--rtol", "0",
                      "--atol", "0"], "compare_outputs.py")
        sys.stdout.write("run %d against run 1: %s" % (args.runs, report))


if __name__ == "__main__":
    main()
