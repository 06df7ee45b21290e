#!/usr/bin/python3
"""Benchmarks tessera packages against ONNX Runtime (see benchmarks/README.md).

    run_benchmarks.py [--bin BUILD/bin] [--work BUILD/bench] [--models LIST]
                      [--threads 1,2] [--rounds 3] [--runs N] [--skip-micro]

In one run it

  1. measures this core's fp32 FMA peak with benchmarks/fma_peak.c (compiled
     here with `cc -O2 -march=native`, plus an AVX2-only variant; the faster
     one is the peak);
  2. exports the models with test/models/export_torch_models.py (cached in
     WORK/models), compiles each with tessera-compile (timed) and writes
     fixed-seed inputs with test/e2e/make_inputs.py;
  3. for every thread count, alternates timing chunks between tessera-run
     --bench and test/e2e/ort_run.js --bench (ONNX Runtime) for --rounds
     rounds and reports the median of the chunk medians;
  4. compares the outputs of both (first round, every thread count) with
     test/e2e/compare_outputs.py's rule (rtol 1e-4, atol 1e-5);
  5. does the same for one-node MatMul / Conv microbenchmarks and reports
     GFLOP/s and the fraction of the FMA peak, both the peak of step 1 and
     (% adj.) the peak measured again just before and after each chunk;
  6. prints a markdown table and writes WORK/bench.md, WORK/bench.json and
     WORK/bench.png.

Progress goes to stderr. Exits 1 if any compile or run failed (the reports
are written anyway), 0 otherwise; output disagreement is reported, not fatal.
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
E2E = os.path.join(REPO, "test", "e2e")
EXPORT_SCRIPT = os.path.join(REPO, "test", "models", "export_torch_models.py")
MAKE_INPUTS = os.path.join(E2E, "make_inputs.py")
ORT_RUN = os.path.join(E2E, "ort_run.js")
FMA_PEAK_C = os.path.join(HERE, "fma_peak.c")

sys.path.insert(0, E2E)
import compare_outputs  # noqa: E402  (test/e2e/compare_outputs.py)

# The models of test/models/export_torch_models.py that are benchmarked.
MODELS = ["resnet18", "mobilenet_v2", "squeezenet1_1", "bert_encoder", "mlp"]

# Microbenchmarks: one-node ONNX models. GEMMs are Y[M,N] = A[M,K] @ B[K,N]
# with A a graph input and B a constant initializer (as model weights are).
MICRO = [
    # name, kind, params, what
    ("gemm_256", "gemm", dict(M=256, N=256, K=256), "square GEMM"),
    ("gemm_1024", "gemm", dict(M=1024, N=1024, K=1024), "square GEMM"),
    ("gemm_4096x4096x1024", "gemm", dict(M=4096, N=4096, K=1024), "large GEMM"),
    ("gemm_mlp_fc1", "gemm", dict(M=1, N=1024, K=784), "MLP first Linear"),
    ("gemm_bert_proj", "gemm", dict(M=128, N=256, K=256),
     "BERT attention projection"),
    ("gemm_bert_ffn1", "gemm", dict(M=128, N=1024, K=256), "BERT FFN up"),
    ("conv_resnet_3x3", "conv",
     dict(N=1, C=64, H=56, W=56, F=64, R=3, S=3, pad=1, stride=1),
     "ResNet-18 layer1 3x3 conv"),
]
MICRO_NAMES = [m[0] for m in MICRO]


def log(msg):
    sys.stderr.write("[bench] %s\n" % msg)
    sys.stderr.flush()


class StepError(Exception):
    pass


def run_cmd(cmd, what, timeout=None):
    """Runs cmd; returns stdout. Raises StepError with the output on failure."""
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise StepError("%s timed out after %s s" % (what, timeout))
    except OSError as e:
        raise StepError("%s: cannot run %s: %s" % (what, cmd[0], e))
    if r.returncode != 0:
        tail = (r.stderr or r.stdout).strip().splitlines()
        raise StepError("%s failed (exit %d): %s" % (
            what, r.returncode, " | ".join(tail[-4:])[:600]))
    return r.stdout


def median(xs):
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------- machine


def machine_info():
    info = {"cpu_model": None, "logical_cpus": os.cpu_count(),
            "platform": platform.platform()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        info["loadavg_start"] = list(os.getloadavg())
    except OSError:
        pass
    try:
        rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain",
                                "--untracked-files=no"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True).stdout.strip()
        info["tessera_git"] = rev + ("+dirty" if dirty else "") if rev else None
    except OSError:
        info["tessera_git"] = None
    return info


def ort_version(ort_dir):
    try:
        with open(os.path.join(ort_dir, "package.json")) as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return None


def run_fma_peak(exe, seconds, trials, label):
    """One fma_peak run: the JSON object on its last line of output."""
    return json.loads(run_cmd([exe, str(seconds), str(trials)],
                              label).strip().splitlines()[-1])


def measure_peak(work, seconds, trials):
    """Compiles and runs fma_peak.c; returns a dict with 'gflops' (or None)."""
    cc = os.environ.get("CC", "cc")
    variants = [("native", ["-march=native"]),
                ("avx2", ["-march=native", "-mno-avx512f"])]
    out = {"source": os.path.relpath(FMA_PEAK_C, REPO), "cc": cc,
           "variants": {}, "gflops": None}
    for name, flags in variants:
        exe = os.path.join(work, "fma_peak_" + name)
        cmd = [cc, "-O2"] + flags + ["-o", exe, FMA_PEAK_C]
        try:
            run_cmd(cmd, "cc fma_peak.c (%s)" % name)
            res = run_fma_peak(exe, seconds, trials, "fma_peak (%s)" % name)
        except (StepError, ValueError, IndexError) as e:
            log("peak: variant %s failed: %s" % (name, e))
            out["variants"][name] = {"error": str(e), "flags": flags}
            continue
        res["flags"] = flags
        out["variants"][name] = res
        log("peak: %s (%s, %d accumulators): %.1f GFLOP/s" % (
            name, res.get("isa"), res.get("accumulators", 0), res["gflops"]))
        if out["gflops"] is None or res["gflops"] > out["gflops"]:
            out["gflops"] = res["gflops"]
            out["best_variant"] = name
            out["best_exe"] = exe
    return out


def adjacent_peak(args):
    """The FMA peak measured now (--adjacent-peak-* trials of the best
    fma_peak variant), or None. On a shared host the core's share drifts by
    5-25% over minutes, so the peak measured at the start can be far from
    the one a microbenchmark ran against; each chunk is rated against the
    mean of the peaks measured just before and just after it."""
    if not args.peak_exe or args.adjacent_peak_trials < 1:
        return None
    try:
        return run_fma_peak(args.peak_exe, args.adjacent_peak_seconds,
                            args.adjacent_peak_trials,
                            "fma_peak (adjacent)")["gflops"]
    except (StepError, ValueError, IndexError, KeyError) as e:
        log("peak: adjacent measurement failed: %s" % e)
        return None


# ---------------------------------------------------------------- models


def export_models(names, model_dir, regen):
    missing = [n for n in names
               if regen or not os.path.isfile(os.path.join(model_dir, n + ".onnx"))]
    if not missing:
        log("models: using cached %s" % model_dir)
        return
    log("models: exporting %s (torch) ..." % ",".join(missing))
    os.makedirs(model_dir, exist_ok=True)
    t0 = time.time()
    # Export into a temporary directory first so a failed export leaves no
    # half-written cache entry.
    tmp = os.path.join(model_dir, ".export")
    shutil.rmtree(tmp, ignore_errors=True)
    run_cmd([sys.executable, EXPORT_SCRIPT, "--out-dir", tmp,
             "--models", ",".join(missing)], "export_torch_models.py")
    for n in missing:
        os.replace(os.path.join(tmp, n + ".onnx"), os.path.join(model_dir, n + ".onnx"))
    shutil.rmtree(tmp, ignore_errors=True)
    log("models: exported in %.1f s" % (time.time() - t0))


def micro_flops(kind, p):
    if kind == "gemm":
        return 2.0 * p["M"] * p["N"] * p["K"]
    oh = (p["H"] + 2 * p["pad"] - p["R"]) // p["stride"] + 1
    ow = (p["W"] + 2 * p["pad"] - p["S"]) // p["stride"] + 1
    return 2.0 * p["N"] * p["F"] * oh * ow * p["C"] * p["R"] * p["S"]


def gflops_of(flops, ms):
    return flops / (ms * 1e-3) * 1e-9


def micro_shape(kind, p):
    if kind == "gemm":
        return "M=%d N=%d K=%d" % (p["M"], p["N"], p["K"])
    return "%dx%dx%dx%d, %d filters %dx%d, pad %d" % (
        p["N"], p["C"], p["H"], p["W"], p["F"], p["R"], p["S"], p["pad"])


def write_micro_model(path, kind, p):
    """Writes a one-node ONNX model (opset 13) for a microbenchmark."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.RandomState(0)
    if kind == "gemm":
        M, N, K = p["M"], p["N"], p["K"]
        bound = 1.0 / math.sqrt(K)  # nn.Linear's init: outputs of order 1
        w = rng.uniform(-bound, bound, (K, N)).astype(np.float32)
        node = helper.make_node("MatMul", ["A", "B"], ["Y"])
        inputs = [helper.make_tensor_value_info("A", TensorProto.FLOAT, [M, K])]
        out_shape = [M, N]
        inits = [numpy_helper.from_array(w, "B")]
    else:
        fan_in = p["C"] * p["R"] * p["S"]
        bound = 1.0 / math.sqrt(fan_in)
        w = rng.uniform(-bound, bound,
                        (p["F"], p["C"], p["R"], p["S"])).astype(np.float32)
        node = helper.make_node("Conv", ["X", "W"], ["Y"],
                                kernel_shape=[p["R"], p["S"]],
                                pads=[p["pad"]] * 4,
                                strides=[p["stride"]] * 2)
        inputs = [helper.make_tensor_value_info(
            "X", TensorProto.FLOAT, [p["N"], p["C"], p["H"], p["W"]])]
        oh = (p["H"] + 2 * p["pad"] - p["R"]) // p["stride"] + 1
        ow = (p["W"] + 2 * p["pad"] - p["S"]) // p["stride"] + 1
        out_shape = [p["N"], p["F"], oh, ow]
        inits = [numpy_helper.from_array(w, "W")]
    graph = helper.make_graph(
        [node], "micro", inputs,
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, out_shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="tessera-bench")
    onnx.checker.check_model(model)
    tmp = path + ".tmp"
    onnx.save(model, tmp)
    os.replace(tmp, path)


# ---------------------------------------------------------------- timing


class Case:
    """One model (or microbenchmark) to compile, time and check."""

    def __init__(self, name, onnx_path, work):
        self.name = name
        self.onnx = onnx_path
        self.dir = os.path.join(work, "cases", name)
        self.package = os.path.join(self.dir, name + ".so")
        self.feeds = []
        self.est_tessera_ms = None
        self.est_ort_ms = None
        self.record = {"name": name, "onnx": onnx_path, "results": []}


def compile_case(case, args):
    os.makedirs(case.dir, exist_ok=True)
    if os.path.exists(case.package):
        os.remove(case.package)
    cmd = [os.path.join(args.bin, "tessera-compile"), case.onnx, "-o",
           case.package] + args.compile_arg
    t0 = time.time()
    run_cmd(cmd, "tessera-compile")
    dt = time.time() - t0
    case.record["compile_s"] = round(dt, 3)
    case.record["package_bytes"] = os.path.getsize(case.package)
    log("%s: compiled in %.2f s (%.1f MB)" % (
        case.name, dt, case.record["package_bytes"] / 1e6))


def make_case_inputs(case, seed):
    out = run_cmd([sys.executable, MAKE_INPUTS, case.onnx,
                   os.path.join(case.dir, "inputs"), "--seed", str(seed)],
                  "make_inputs.py")
    case.feeds = [l.strip() for l in out.splitlines() if l.strip()]


def tessera_chunk(case, args, threads, runs, out_dir=None):
    cmd = [os.path.join(args.bin, "tessera-run"), case.package,
           "--threads", str(threads), "--bench", str(runs), "--json"]
    for f in case.feeds:
        cmd += ["--input", f]
    if out_dir:
        shutil.rmtree(out_dir, ignore_errors=True)
        cmd += ["--output-dir", out_dir]
    res = json.loads(run_cmd(cmd, "tessera-run"))
    return {k: res[k] for k in ("median_ms", "min_ms", "mean_ms", "max_ms",
                                "runs", "warmup_runs") if k in res}


def ort_chunk(case, args, threads, runs, out_dir):
    warmup = max(2, runs // 10)
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = ["node", ORT_RUN, case.onnx, out_dir, "--threads", str(threads),
           "--bench", str(runs), "--warmup", str(warmup), "--json"]
    if args.ort_dir:
        cmd += ["--ort-dir", args.ort_dir]
    cmd += case.feeds
    res = json.loads(run_cmd(cmd, "ONNX Runtime (ort_run.js)").strip().splitlines()[-1])
    b = dict(res["bench"])
    b["warmup_runs"] = warmup
    b["load_ms"] = res.get("load_ms")
    return b


def runs_for(est_ms, target_s, lo, hi):
    if est_ms is None or est_ms <= 0:
        return lo
    return int(max(lo, min(hi, math.ceil(target_s * 1000.0 / est_ms))))


def max_abs_err(exp, act):
    if exp.shape != act.shape or exp.size == 0:
        return None if exp.shape != act.shape else 0.0
    if exp.dtype == np.bool_ or not np.issubdtype(exp.dtype, np.number):
        return float(np.count_nonzero(exp != act))
    e = exp.astype(np.float64)
    a = act.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(a - e)
    d[np.isnan(e) & np.isnan(a)] = 0.0
    d[np.isinf(e) & (a == e)] = 0.0
    d = np.where(np.isnan(d), np.inf, d)
    return float(d.max())


def check_agreement(ort_dir, tessera_dir, rtol, atol):
    """Compares every ORT output with tessera's (compare_outputs.py's rule)."""
    names = sorted(f[:-4] for f in os.listdir(ort_dir) if f.endswith(".npy"))
    ok_all, worst, msgs = bool(names), 0.0, []
    for n in names:
        ep, ap = os.path.join(ort_dir, n + ".npy"), os.path.join(tessera_dir, n + ".npy")
        if not os.path.isfile(ap):
            ok_all = False
            worst = None
            msgs.append("%s: missing in tessera outputs" % n)
            continue
        exp, act = np.load(ep, allow_pickle=False), np.load(ap, allow_pickle=False)
        ok, msg = compare_outputs.compare(n, exp, act, rtol, atol)
        err = max_abs_err(exp, act)
        ok_all = ok_all and ok
        if err is None or worst is None:
            worst = None
        else:
            worst = max(worst, err)
        msgs.append("%s %s: %s" % ("OK" if ok else "FAIL", n, msg))
    return ok_all, worst, msgs


def time_case(case, args, threads, rounds, flops=None):
    """Alternates tessera / ORT chunks; returns the result record.

    Without --runs/--ort-runs, a case's first call starts with a calibration
    pair (tessera 1 run, ORT 5 runs) that sizes the chunks and is not counted,
    unless tessera is slower than --slow-seconds per run: then the calibration
    pair is the only sample. The first pair at each thread count writes the
    outputs that are compared.
    """
    rec = {"threads": threads, "tessera": None, "ort": None, "ratio": None,
           "max_abs_err": None, "agree": None}
    t_chunks, o_chunks, errors = [], [], []
    out_t = os.path.join(case.dir, "out-t%d" % threads, "tessera")
    out_o = os.path.join(case.dir, "out-t%d" % threads, "ort")
    scratch_o = os.path.join(case.dir, "out-t%d" % threads, "ort-scratch")
    written = [False]
    # Microbenchmarks: each chunk is rated against the peaks measured just
    # before and just after it (adjacent_peak); a chunk's "after" is the
    # next one's "before", across rounds too, unless that chunk failed.
    before = [None]

    def pair(n_t, n_o, label):
        first = not written[0]
        parts = []

        def timed(engine, title, runs, run_chunk):
            # An engine that failed once is not run again for this case.
            if engine in errors:
                return None
            try:
                if flops and before[0] is None:
                    before[0] = adjacent_peak(args)
                chunk = run_chunk()
                parts.append("%s %s ms (x%d)" % (title, fmt_ms(chunk["median_ms"]), runs))
                if flops:
                    after = adjacent_peak(args)
                    if before[0] and after:
                        chunk["adjacent_peaks_gflops"] = [before[0], after]
                        chunk["adjacent_peak_fraction"] = (
                            gflops_of(flops, chunk["median_ms"]) /
                            (threads * (before[0] + after) / 2))
                        parts[-1] += " %.1f%% of %.1f-%.1f GFLOP/s" % (
                            100 * chunk["adjacent_peak_fraction"],
                            min(before[0], after), max(before[0], after))
                    before[0] = after
                return chunk
            except (StepError, ValueError, KeyError) as e:
                before[0] = None
                errors.append(engine)
                rec[engine + "_error"] = str(e)
                log("%s: %s" % (case.name, e))
                return None

        tc = timed("tessera", "tessera", n_t, lambda: tessera_chunk(
            case, args, threads, n_t, out_t if first else None))
        oc = timed("ort", "ORT", n_o, lambda: ort_chunk(
            case, args, threads, n_o, out_o if first else scratch_o))
        written[0] = True
        log("%s threads=%d %s: %s" % (case.name, threads, label, ", ".join(parts)))
        return tc, oc

    need_t = case.est_tessera_ms is None and not args.runs
    need_o = case.est_ort_ms is None and not args.ort_runs
    if need_t or need_o:
        tc, oc = pair(args.runs or 1, args.ort_runs or 5, "calibration")
        if tc:
            case.est_tessera_ms = tc["median_ms"]
        if oc:
            case.est_ort_ms = oc["median_ms"]
        if case.est_tessera_ms is not None and not args.runs and \
                case.est_tessera_ms > args.slow_seconds * 1000.0:
            log("%s: tessera takes %.1f s per run (> --slow-seconds %g): the "
                "calibration run is the only sample" % (
                    case.name, case.est_tessera_ms / 1000.0, args.slow_seconds))
            t_chunks += [tc] if tc else []
            o_chunks += [oc] if oc else []
            rounds = 0
    elif case.est_tessera_ms is not None and not args.runs and \
            case.est_tessera_ms > args.slow_seconds * 1000.0:
        rounds = 1  # slow: one round at the other thread counts
    for r in range(rounds):
        if len(errors) == 2:
            break
        n_t = args.runs or runs_for(case.est_tessera_ms, args.chunk_seconds, 1, 100)
        n_o = args.ort_runs or runs_for(case.est_ort_ms, args.ort_chunk_seconds, 5, 500)
        tc, oc = pair(n_t, n_o, "round %d/%d" % (r + 1, rounds))
        t_chunks += [tc] if tc else []
        o_chunks += [oc] if oc else []
    shutil.rmtree(scratch_o, ignore_errors=True)
    rec["rounds"] = max(len(t_chunks), len(o_chunks))

    def summarize(chunks):
        if not chunks:
            return None
        out = {"median_ms": median([c["median_ms"] for c in chunks]),
               "min_ms": min(c["min_ms"] for c in chunks),
               "timed_runs": sum(c["runs"] for c in chunks),
               "chunks": chunks}
        fractions = [c["adjacent_peak_fraction"] for c in chunks
                     if "adjacent_peak_fraction" in c]
        if fractions:
            out["adjacent_peak_fraction"] = median(fractions)
        return out

    rec["tessera"] = summarize(t_chunks)
    rec["ort"] = summarize(o_chunks)
    if rec["tessera"] and rec["ort"]:
        rec["ratio"] = rec["tessera"]["median_ms"] / rec["ort"]["median_ms"]
        ok, err, msgs = check_agreement(out_o, out_t, args.rtol, args.atol)
        rec["agree"], rec["max_abs_err"], rec["compare"] = ok, err, msgs
        if not ok:
            log("%s threads=%d: outputs DISAGREE: %s" % (
                case.name, threads, "; ".join(m for m in msgs if not m.startswith("OK"))))
    if flops:
        for side in ("tessera", "ort"):
            s = rec[side]
            if s:
                s["gflops"] = gflops_of(flops, s["median_ms"])
                if args.peak:
                    s["peak_fraction"] = s["gflops"] / (args.peak * threads)
    return rec


def run_case(case, args, thread_list, rounds, flops=None):
    """Inputs, compile and timing for one case; fills case.record."""
    rec = case.record
    try:
        make_case_inputs(case, args.seed)
        compile_case(case, args)
    except StepError as e:
        rec["error"] = str(e)
        log("%s: %s" % (case.name, e))
        return False
    ok = True
    for t in thread_list:
        res = time_case(case, args, t, rounds, flops)
        rec["results"].append(res)
        ok = ok and "tessera_error" not in res and "ort_error" not in res
    return ok


# ---------------------------------------------------------------- reports


def fmt_ms(x):
    if x is None:
        return "-"
    return "%.3f" % x if x < 10 else ("%.1f" % x if x < 1000 else "%.0f" % x)


def fmt_err(x):
    return "-" if x is None else "%.2e" % x


def fmt_agree(res):
    if res.get("agree") is None:
        return "-"
    return "yes" if res["agree"] else "**NO**"


def failure_text(rec, res=None):
    if rec.get("error"):
        return "compile failed" if "tessera-compile" in rec["error"] else "failed"
    if res is not None:
        if res.get("tessera_error"):
            return "run failed"
        if res.get("ort_error"):
            return "ORT failed"
    return None


def markdown(report):
    m = report["machine"]
    peak = report["peak"].get("gflops")
    lines = ["# tessera benchmarks", ""]
    lines.append("- date: %s" % report["date"])
    lines.append("- CPU: %s (%s logical CPUs), load average at start %s" % (
        m.get("cpu_model"), m.get("logical_cpus"),
        " ".join("%.2f" % x for x in m.get("loadavg_start", []))))
    lines.append("- tessera: %s; ONNX Runtime %s (onnxruntime-node, CPU EP)" % (
        m.get("tessera_git"), report.get("ort_version")))
    if peak:
        v = report["peak"]["variants"].get(report["peak"].get("best_variant"), {})
        lines.append("- measured single-core fp32 FMA peak: %.1f GFLOP/s (%s, "
                     "benchmarks/fma_peak.c)" % (peak, v.get("isa")))
    adjacent = [p for rec in report["micro"] for res in rec["results"]
                for side in ("tessera", "ort") if res[side]
                for c in res[side]["chunks"]
                for p in c.get("adjacent_peaks_gflops", [])]
    if adjacent:
        lines.append("- the same peak measured around each microbenchmark chunk "
                     "(%% adj.): %.1f-%.1f GFLOP/s" % (min(adjacent), max(adjacent)))
    s = report["settings"]
    lines.append("- timing: alternating rounds of one tessera-run chunk and one "
                 "ONNX Runtime chunk per thread count (up to %d for models, %d for "
                 "microbenchmarks); ms = median of the chunk medians; outputs "
                 "compared at rtol %g, atol %g" % (
                     s["rounds"], s["micro_rounds"], s["rtol"], s["atol"]))
    lines.append("")
    if report["models"]:
        lines += ["## Models", "",
                  "| model | threads | tessera ms | ORT ms | ratio tessera/ORT "
                  "| max abs err | agree |",
                  "|---|---:|---:|---:|---:|---:|:---:|"]
        for rec in report["models"]:
            if not rec["results"]:
                lines.append("| %s | - | %s | - | - | - | - |" % (
                    rec["name"], failure_text(rec)))
            for res in rec["results"]:
                t = res["tessera"]["median_ms"] if res["tessera"] else None
                o = res["ort"]["median_ms"] if res["ort"] else None
                tt = fmt_ms(t) if t is not None else (failure_text(rec, res) or "-")
                lines.append("| %s | %d | %s | %s | %s | %s | %s |" % (
                    rec["name"], res["threads"], tt, fmt_ms(o),
                    "%.2f" % res["ratio"] if res["ratio"] else "-",
                    fmt_err(res["max_abs_err"]), fmt_agree(res)))
        lines += ["", "Compile times (tessera-compile, wall clock):", "",
                  "| case | compile s | package MB |", "|---|---:|---:|"]
        for rec in report["models"] + report["micro"]:
            if "compile_s" in rec:
                lines.append("| %s | %.2f | %.1f |" % (
                    rec["name"], rec["compile_s"], rec["package_bytes"] / 1e6))
            else:
                lines.append("| %s | %s | - |" % (rec["name"], failure_text(rec) or "-"))
        lines.append("")
    if report["micro"]:
        lines += ["## Microbenchmarks", "",
                  "GFLOP/s = 2*M*N*K (GEMM) or 2*N*F*OH*OW*C*R*S (conv) / median "
                  "time; % peak = GFLOP/s / (threads * measured single-core peak); "
                  "% adj. = the median over chunks of each chunk's GFLOP/s / (threads "
                  "* the mean of the single-core peaks measured just before and just "
                  "after it), which a host whose load drifts skews less. "
                  "A 3x3 stride-1 convolution runs as Winograd F(2x2, 3x3) in "
                  "tessera (16 products per 2x2 tile and channel pair instead of "
                  "36), so its % peak, counted in direct-convolution flops, can "
                  "exceed 100%.", "",
                  "| benchmark | shape | MFLOP | threads | tessera ms | tessera GFLOP/s "
                  "| tessera % peak | tessera % adj. | ORT ms | ORT GFLOP/s | ORT % peak "
                  "| ORT % adj. | max abs err | agree |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"]
        for rec in report["micro"]:
            if not rec["results"]:
                lines.append("| %s | %s | %.1f | - | %s | - | - | - | - | - | - | - | - | - |" % (
                    rec["name"], rec["shape"], rec["flops"] / 1e6, failure_text(rec)))
            for res in rec["results"]:
                cells = []
                for side in ("tessera", "ort"):
                    s = res[side]
                    if s:
                        cells += [fmt_ms(s["median_ms"]), "%.2f" % s["gflops"]] + [
                            "%.1f%%" % (100 * s[key]) if s.get(key) is not None
                            else "-"
                            for key in ("peak_fraction", "adjacent_peak_fraction")]
                    else:
                        cells += [failure_text(rec, res) or "-", "-", "-", "-"]
                lines.append("| %s | %s | %.1f | %d | %s | %s | %s |" % (
                    rec["name"], rec["shape"], rec["flops"] / 1e6, res["threads"],
                    " | ".join(cells), fmt_err(res["max_abs_err"]), fmt_agree(res)))
        lines.append("")
    return "\n".join(lines)


def plot(report, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is not installed (python3-matplotlib): no %s" % path)
        return False
    panels = []
    mrows = [(r["name"], res) for r in report["models"] for res in r["results"]]
    if mrows:
        panels.append(("models", mrows))
    urows = [(r["name"], res) for r in report["micro"] for res in r["results"]]
    if urows:
        panels.append(("micro", urows))
    if not panels:
        return False
    fig, axes = plt.subplots(len(panels), 1, figsize=(11, 4.5 * len(panels)),
                             squeeze=False)
    peak = report["peak"].get("gflops")
    for ax, (kind, rows) in zip(axes[:, 0], panels):
        labels = ["%s\n%dt" % (n, res["threads"]) for n, res in rows]
        x = np.arange(len(rows))
        key = "median_ms" if kind == "models" else "gflops"
        for off, side, color in ((-0.2, "tessera", "tab:blue"),
                                 (0.2, "ort", "tab:orange")):
            vals = [res[side][key] if res[side] else np.nan for _, res in rows]
            bars = ax.bar(x + off, vals, 0.4, label="tessera" if side == "tessera"
                          else "ONNX Runtime", color=color)
            for b, v in zip(bars, vals):
                if not np.isnan(v):
                    ax.annotate("%.3g" % v, (b.get_x() + b.get_width() / 2, v),
                                ha="center", va="bottom", fontsize=7)
        ax.set_xlim(-0.7, len(rows) - 0.3)
        ax.set_xticks(x)
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_yscale("log")
        vals = [res[side][key] for _, res in rows for side in ("tessera", "ort")
                if res[side] and res[side][key] > 0]
        if vals:
            top = max(vals + ([peak] if kind == "micro" and peak else []))
            ax.set_ylim(min(vals) / 3, top * 3)
        if kind == "models":
            ax.set_ylabel("latency, ms (log; lower is better)")
            ax.set_title("Model latency, batch 1 (median)")
        else:
            ax.set_ylabel("GFLOP/s (log; higher is better)")
            ax.set_title("Microbenchmarks")
            if peak:
                ax.axhline(peak, color="tab:red", linestyle="--", linewidth=1,
                           label="measured 1-core FMA peak %.0f GFLOP/s" % peak)
        ax.legend(fontsize=8)
        ax.grid(axis="y", which="both", alpha=0.3)
    fig.suptitle("tessera vs ONNX Runtime %s on %s" % (
        report.get("ort_version") or "", report["machine"].get("cpu_model")), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ---------------------------------------------------------------- main


def parse_list(text, allowed, what, ap):
    if text.strip().lower() in ("", "none"):
        return []
    if text.strip().lower() == "all":
        return list(allowed)
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in allowed]
    if bad:
        ap.error("unknown %s: %s (choose from %s)" % (what, ", ".join(bad),
                                                      ", ".join(allowed)))
    return names


def parse_threads(text, ap):
    try:
        ts = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        ap.error("--threads expects a comma-separated list of integers")
    if not ts or any(t < 1 for t in ts):
        ap.error("--threads values must be >= 1")
    return ts


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Benchmark tessera-compiled packages against ONNX Runtime "
        "(models and GEMM/conv microbenchmarks), check that their outputs agree, "
        "and write WORK/bench.md, WORK/bench.json and WORK/bench.png.",
        epilog="Quick run: run_benchmarks.py --models mlp --threads 1 --rounds 2 "
        "--micro gemm_256,gemm_mlp_fc1.  Timing: for each thread count, --rounds "
        "rounds alternate one tessera-run --bench chunk and one ONNX Runtime "
        "chunk; each tool reports a chunk median and the table shows the median "
        "of those. The first tessera chunk of a case times a single run and "
        "sizes the later chunks to about --chunk-seconds. See benchmarks/README.md.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"),
                    help="directory with tessera-compile and tessera-run")
    ap.add_argument("--work", default=os.path.join(REPO, "build", "bench"),
                    help="work directory (model cache, packages, outputs, reports)")
    ap.add_argument("--models", default="all",
                    help="comma-separated models, 'all' or 'none'; from: "
                    + ",".join(MODELS))
    ap.add_argument("--micro", default="all",
                    help="comma-separated microbenchmarks, 'all' or 'none'; from: "
                    + ",".join(MICRO_NAMES))
    ap.add_argument("--skip-micro", action="store_true",
                    help="no microbenchmarks (same as --micro none)")
    ap.add_argument("--threads", default="1,2",
                    help="thread counts for the models (--threads of both tools)")
    ap.add_argument("--micro-threads", default="1",
                    help="thread counts for the microbenchmarks")
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternating tessera/ORT rounds per model and thread count")
    ap.add_argument("--micro-rounds", type=int, default=3,
                    help="alternating rounds per microbenchmark and thread count")
    ap.add_argument("--runs", type=int, default=0,
                    help="timed tessera runs per chunk (0: sized from the first "
                    "chunk to about --chunk-seconds, between 1 and 100)")
    ap.add_argument("--ort-runs", type=int, default=0,
                    help="timed ORT runs per chunk (0: about --ort-chunk-seconds, "
                    "between 5 and 500)")
    ap.add_argument("--chunk-seconds", type=float, default=2.0,
                    help="target length of a tessera timing chunk")
    ap.add_argument("--ort-chunk-seconds", type=float, default=1.0,
                    help="target length of an ORT timing chunk")
    ap.add_argument("--slow-seconds", type=float, default=15.0,
                    help="a case whose tessera run takes longer than this gets "
                    "one round only")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--seed", type=int, default=0, help="make_inputs.py seed")
    ap.add_argument("--regen-models", action="store_true",
                    help="re-export the torch models even if cached")
    ap.add_argument("--peak-seconds", type=float, default=0.3,
                    help="length of one fma_peak trial")
    ap.add_argument("--peak-trials", type=int, default=5,
                    help="fma_peak trials (the best counts)")
    ap.add_argument("--adjacent-peak-seconds", type=float, default=0.1,
                    help="length of one fma_peak trial before and after each "
                    "microbenchmark chunk")
    ap.add_argument("--adjacent-peak-trials", type=int, default=3,
                    help="fma_peak trials before and after each microbenchmark "
                    "chunk (the best counts; 0: none, and %% adj. shows -)")
    ap.add_argument("--ort-dir", default=None,
                    help="onnxruntime-node package (default: ort_run.js's, "
                    "build/ort/node_modules/onnxruntime-node)")
    ap.add_argument("--compile-arg", action="append", default=[],
                    help="extra tessera-compile argument (repeatable), e.g. "
                    "--compile-arg=--target-cpu=znver4")
    args = ap.parse_args(argv)

    model_names = parse_list(args.models, MODELS, "model", ap)
    micro_names = [] if args.skip_micro else parse_list(args.micro, MICRO_NAMES,
                                                         "microbenchmark", ap)
    threads = parse_threads(args.threads, ap)
    micro_threads = parse_threads(args.micro_threads, ap)
    for opt in ("rounds", "micro_rounds"):
        if getattr(args, opt) < 1:
            ap.error("--%s must be >= 1" % opt.replace("_", "-"))
    if args.adjacent_peak_trials < 0 or args.adjacent_peak_trials > 1000 or \
            args.adjacent_peak_seconds <= 0:
        ap.error("--adjacent-peak-trials must be in 0..1000 and "
                 "--adjacent-peak-seconds > 0")
    if args.runs < 0 or args.ort_runs < 0:
        ap.error("--runs / --ort-runs must be >= 0")
    args.bin = os.path.abspath(args.bin)
    args.work = os.path.abspath(args.work)
    for tool in ("tessera-compile", "tessera-run"):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            ap.error("%s not found in %s (build first: make build)" % (tool, args.bin))
    if shutil.which("node") is None:
        ap.error("node is not on PATH (needed for ONNX Runtime, test/e2e/ort_run.js)")
    ort_dir = args.ort_dir or os.path.join(REPO, "build", "ort", "node_modules",
                                           "onnxruntime-node")
    if not os.path.isdir(ort_dir):
        ap.error("onnxruntime-node not found at %s (make deps, or --ort-dir)" % ort_dir)
    os.makedirs(args.work, exist_ok=True)

    t_start = time.time()
    report = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "ort_version": ort_version(ort_dir),
        "settings": {k: v for k, v in vars(args).items()},
        "peak": {}, "models": [], "micro": [],
    }
    report["settings"].update(models=model_names, micro=micro_names,
                              threads=threads, micro_threads=micro_threads)
    la = report["machine"].get("loadavg_start")
    if la and la[0] > 0.5:
        log("warning: load average is %.2f; other work on this machine skews "
            "the timings (and the FMA peak)" % la[0])

    log("peak: measuring single-core fp32 FMA throughput ...")
    report["peak"] = measure_peak(args.work, args.peak_seconds, args.peak_trials)
    args.peak = report["peak"].get("gflops")
    # The executable is for adjacent_peak, not for the report.
    args.peak_exe = report["peak"].pop("best_exe", None)

    failed = False
    if model_names:
        model_dir = os.path.join(args.work, "models")
        try:
            export_models(model_names, model_dir, args.regen_models)
        except StepError as e:
            log(str(e))
            for n in model_names:
                report["models"].append({"name": n, "error": str(e), "results": []})
            model_names, failed = [], True
        for n in model_names:
            case = Case(n, os.path.join(model_dir, n + ".onnx"), args.work)
            failed |= not run_case(case, args, threads, args.rounds)
            report["models"].append(case.record)

    if micro_names:
        micro_dir = os.path.join(args.work, "micro")
        os.makedirs(micro_dir, exist_ok=True)
        for name, kind, p, what in MICRO:
            if name not in micro_names:
                continue
            path = os.path.join(micro_dir, name + ".onnx")
            if not os.path.isfile(path):
                write_micro_model(path, kind, p)
            case = Case(name, path, args.work)
            flops = micro_flops(kind, p)
            case.record.update(kind=kind, params=p, what=what, flops=flops,
                               shape=micro_shape(kind, p))
            failed |= not run_case(case, args, micro_threads, args.micro_rounds, flops)
            report["micro"].append(case.record)

    try:
        report["machine"]["loadavg_end"] = list(os.getloadavg())
    except OSError:
        pass
    report["elapsed_s"] = round(time.time() - t_start, 1)
    md = markdown(report)
    md += "\nTotal benchmark time: %.0f s.\n" % report["elapsed_s"]
    with open(os.path.join(args.work, "bench.md"), "w") as f:
        f.write(md)
    with open(os.path.join(args.work, "bench.json"), "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    png = os.path.join(args.work, "bench.png")
    has_png = plot(report, png)
    sys.stdout.write(md)
    log("wrote %s, %s%s" % (os.path.join(args.work, "bench.md"),
                            os.path.join(args.work, "bench.json"),
                            ", " + png if has_png else ""))
    if failed:
        log("some compiles or runs FAILED (see the tables and bench.json)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
