"""Accuracy of the transcendental functions in compiled packages.

By default tessera computes f32 erf, exp and tanh with MLIR's polynomial
approximations (tessera-approximate-math), which LLVM vectorizes; with
--exact-math it calls libm. Each function runs over a fixed sweep of
float32 inputs and is compared with a float64 reference in units in the
last place (ulp) of the float32 result. The bounds are the documented
ones (docs/user-guide.md, "Transcendental functions"): the measured
maximum rounded up to the next half ulp.
"""

import math

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import tessera

SIZE = 1 << 18

# op: (sweep range, float64 reference, max ulp approximated, max ulp libm)
FUNCTIONS = {
    "Erf": ((-6.0, 6.0), np.vectorize(math.erf), 5.0, 1.0),
    "Exp": ((-87.0, 88.7), np.exp, 4.0, 1.0),
    "Tanh": ((-12.0, 12.0), np.tanh, 5.0, 2.5),
}

SPECIAL = np.float32([0.0, -0.0, np.inf, -np.inf, np.nan])


def sweep(low, high):
    """Evenly spaced values over [low, high] plus magnitudes spread
    log-uniformly from 1e-8 up, both signs, where relative error is hardest
    to keep."""
    rng = np.random.default_rng(1234)
    half = SIZE // 2
    even = np.linspace(low, high, half)
    top = min(-low, high)
    magnitudes = np.exp(rng.uniform(math.log(1e-8), math.log(top), half))
    signs = np.where(rng.integers(0, 2, half) == 1, 1.0, -1.0)
    return np.concatenate([even, signs * magnitudes]).astype(np.float32)


def ulp_errors(got, reference):
    spacing = np.spacing(np.abs(reference).astype(np.float32))
    return np.abs(got.astype(np.float64) - reference) / spacing


@pytest.fixture(scope="module")
def packages(compiler, tmp_path_factory):
    """(op, exact) -> package path, compiled on first use."""
    directory = tmp_path_factory.mktemp("math")
    compiled = {}

    def package(op, exact):
        if (op, exact) not in compiled:
            count = SIZE + len(SPECIAL)
            graph = helper.make_graph(
                [helper.make_node(op, ["x"], ["y"])], op.lower(),
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [count])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, [count])])
            model = helper.make_model(
                graph, opset_imports=[helper.make_opsetid("", 17)])
            path = directory / ("%s.onnx" % op)
            onnx.save(model, str(path))
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("TESSERA_COMPILE", compiler)
                compiled[(op, exact)] = tessera.compile(
                    path, directory / ("%s_%d.so" % (op, exact)),
                    extra_args=["--exact-math"] if exact else [])
        return compiled[(op, exact)]
    return package


def run(package, x):
    with tessera.load(package) as model:
        return model.run({"x": x})["y"]


@pytest.mark.parametrize("exact", [False, True], ids=["approximated", "libm"])
@pytest.mark.parametrize("op", sorted(FUNCTIONS))
def test_ulp_error_within_bound(packages, op, exact):
    (low, high), reference, approximated_bound, libm_bound = FUNCTIONS[op]
    x = sweep(low, high)
    got = run(packages(op, exact), np.concatenate([x, SPECIAL]))
    expected = reference(x.astype(np.float64))
    errors = ulp_errors(got[:SIZE], expected)
    worst = int(np.argmax(errors))
    bound = libm_bound if exact else approximated_bound
    assert errors[worst] <= bound, (
        "%s(%r) = %r, expected %r: %.2f ulp > %.1f" % (
            op, x[worst], got[worst], expected[worst], errors[worst], bound))

    # Special values come out as the C library gives them, the sign of a
    # zero included, except that the approximated erf(-0) is +0.
    with np.errstate(over="ignore", invalid="ignore"):
        special = reference(SPECIAL.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(got[SIZE:], special)
    signed = ~np.isnan(special)
    if op == "Erf" and not exact:
        signed[1] = False
        assert got[SIZE + 1] == 0 and not np.signbit(got[SIZE + 1])
    np.testing.assert_array_equal(np.signbit(got[SIZE:])[signed],
                                  np.signbit(special)[signed])


def test_exp_below_normal_range(packages):
    """Where exp's exact result is subnormal (x < -87.34) the approximation
    may flush it to 0: the error stays below the smallest normal float.
    Above the range (x > 88.72) the result is inf."""
    x = np.float32([-87.5, -90.0, -100.0, -104.0, 88.72, 88.73, 100.0])
    got = run(packages("Exp", False), np.resize(x, SIZE + len(SPECIAL)))[:len(x)]
    tiny = np.finfo(np.float32).tiny
    assert np.all(np.abs(got[:4] - np.exp(x[:4].astype(np.float64))) < tiny)
    assert np.isfinite(got[4]) and np.all(np.isinf(got[5:]))
