#!/usr/bin/python3
"""Compare same-named .npy files in two directories (expected vs actual).

    compare_outputs.py EXPECTED_DIR ACTUAL_DIR --rtol R --atol A [--names n1,n2]

Without --names, every *.npy in EXPECTED_DIR is compared. A name may be given
with or without the .npy suffix; it is sanitized like ort_run.js does
(characters outside [A-Za-z0-9_.-] become '_'). For each output prints one
line: OK/FAIL, shape, dtype, max abs err, max rel err (|a-e| / |e|, over
finite elements with e != 0) and the worst element (largest |a-e| - rtol*|e|).
Passes when shapes and dtypes match and numpy.allclose(actual, expected,
rtol, atol, equal_nan=True) holds. Exits 1 on any mismatch or missing file,
0 otherwise.
"""

import argparse
import glob
import os
import re
import sys

import numpy as np


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def compare(name, exp, act, rtol, atol):
    """Returns (ok, message)."""
    if exp.shape != act.shape:
        return False, "shape mismatch: expected %s, got %s" % (exp.shape, act.shape)
    if exp.dtype != act.dtype:
        return False, "dtype mismatch: expected %s, got %s" % (exp.dtype, act.dtype)
    shape = "x".join(map(str, exp.shape)) or "scalar"
    if exp.size == 0:
        return True, "%s %s (empty)" % (shape, exp.dtype)
    if exp.dtype == np.bool_ or not np.issubdtype(exp.dtype, np.number):
        bad = exp != act
        n = int(np.count_nonzero(bad))
        worst = ""
        if n:
            idx = np.unravel_index(int(np.argmax(bad)), exp.shape)
            worst = " first diff at %s: expected %r, got %r" % (
                tuple(int(i) for i in idx), exp[idx].item(), act[idx].item())
        return n == 0, "%s %s %d/%d elements differ%s" % (shape, exp.dtype, n, exp.size, worst)

    e = exp.astype(np.float64)
    a = act.astype(np.float64)
    ok = bool(np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True))
    nan_same = np.isnan(e) & np.isnan(a)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a - e)
        diff[nan_same] = 0.0
        diff[np.isinf(e) & (a == e)] = 0.0
    diff = np.where(np.isnan(diff), np.inf, diff)  # NaN vs number: infinitely off
    max_abs = float(diff.max())
    nz = (e != 0) & np.isfinite(e)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(nz, diff / np.abs(np.where(nz, e, 1.0)), 0.0)
    max_rel = float(rel.max()) if nz.any() else 0.0
    with np.errstate(invalid="ignore"):
        excess = diff - rtol * np.abs(np.nan_to_num(e, posinf=0.0, neginf=0.0))
    wi = np.unravel_index(int(np.argmax(excess)), exp.shape)
    nbad = int(np.count_nonzero(~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)))
    msg = ("%s %s max_abs_err %.3g max_rel_err %.3g worst at %s: expected %.7g, got %.7g"
           % (shape, exp.dtype, max_abs, max_rel, tuple(int(i) for i in wi),
              e[wi], a[wi]))
    if not ok:
        msg += " (%d/%d elements out of tolerance)" % (nbad, exp.size)
    return ok, msg


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("expected_dir")
    ap.add_argument("actual_dir")
    ap.add_argument("--rtol", type=float, required=True)
    ap.add_argument("--atol", type=float, required=True)
    ap.add_argument("--names", default=None,
                    help="comma-separated output names (default: all in EXPECTED_DIR)")
    args = ap.parse_args(argv)

    for d in (args.expected_dir, args.actual_dir):
        if not os.path.isdir(d):
            print("compare_outputs: no such directory: %s" % d)
            return 1
    if args.names is not None:
        names = [n.strip() for n in args.names.split(",") if n.strip()]
        names = [sanitize(n[:-4] if n.endswith(".npy") else n) for n in names]
    else:
        names = sorted(os.path.basename(p)[:-4]
                       for p in glob.glob(os.path.join(args.expected_dir, "*.npy")))
    if not names:
        print("compare_outputs: nothing to compare (no .npy in %s)" % args.expected_dir)
        return 1

    failures = 0
    for name in names:
        ep = os.path.join(args.expected_dir, name + ".npy")
        ap_ = os.path.join(args.actual_dir, name + ".npy")
        missing = [p for p in (ep, ap_) if not os.path.isfile(p)]
        if missing:
            print("FAIL %s: missing %s" % (name, ", ".join(missing)))
            failures += 1
            continue
        try:
            exp = np.load(ep, allow_pickle=False)
            act = np.load(ap_, allow_pickle=False)
        except Exception as e:  # noqa: BLE001 - report any load error
            print("FAIL %s: cannot load: %s" % (name, e))
            failures += 1
            continue
        ok, msg = compare(name, exp, act, args.rtol, args.atol)
        print("%s %s: %s" % ("OK  " if ok else "FAIL", name, msg))
        failures += 0 if ok else 1
    print("%d/%d outputs match (rtol %g, atol %g)" % (
        len(names) - failures, len(names), args.rtol, args.atol))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
