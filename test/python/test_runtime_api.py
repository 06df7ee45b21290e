"""tessera.load / tessera.Model against the hand-written fake package.

The fake model: inputs x, y float32[batch, 3] and "bias term" float32[3];
outputs sum = x + y + bias + {100, 200, 300} (float32[batch, 3]) and
count = [batch] (int64[1]).
"""

import subprocess
import threading

import numpy as np
import pytest

import tessera
from tessera import Status, TesseraError

WEIGHTS = np.array([100, 200, 300], dtype=np.float32)


def make_inputs(batch, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (batch, 3)).astype(np.float32)
    y = rng.uniform(-1, 1, (batch, 3)).astype(np.float32)
    bias = rng.uniform(-1, 1, 3).astype(np.float32)
    return x, y, bias


def expected(x, y, bias):
    return x + y + bias + WEIGHTS


def check(outputs, x, y, bias):
    assert isinstance(outputs, list) and len(outputs) == 2
    total, count = outputs
    assert total.dtype == np.float32 and total.shape == x.shape
    np.testing.assert_allclose(total, expected(x, y, bias), rtol=1e-6)
    assert count.dtype == np.int64 and count.shape == (1,)
    assert count[0] == x.shape[0]


# Signature.

def test_signature(fake_model):
    assert fake_model.name == "fake"
    assert fake_model.inputs == [
        tessera.TensorInfo("x", np.dtype(np.float32), ("batch", 3)),
        tessera.TensorInfo("y", np.dtype(np.float32), ("batch", 3)),
        tessera.TensorInfo("bias term", np.dtype(np.float32), (3,)),
    ]
    assert fake_model.outputs == [
        tessera.TensorInfo("sum", np.dtype(np.float32), ("batch", 3)),
        tessera.TensorInfo("count", np.dtype(np.int64), (1,)),
    ]
    info = fake_model.inputs[2]
    assert info.name == "bias term" and info.dtype == np.float32
    assert str(fake_model.inputs[0]) == "x: float32[batch,3]"
    assert fake_model.input_index("bias term") == 2
    assert fake_model.input_index("nope") == -1
    assert fake_model.output_index("count") == 1
    assert fake_model.arena_bytes >= 0
    assert "fake" in repr(fake_model)


def test_kernels_and_profile(fake_model):
    assert fake_model.kernels == [
        tessera.KernelInfo("sum_rows", "/sum rows"),
        tessera.KernelInfo("loops", "")]
    fake_model.set_num_threads(1)
    fake_model(*make_inputs(2))
    profile = fake_model.profile()
    assert profile.runs == 0 and profile.run_seconds == 0
    assert [k.seconds for k in profile.kernels] == [0, 0]

    # 100 rows on one thread: the fake's sum waits 20 ms for another.
    fake_model.set_profiling()
    for _ in range(2):
        fake_model(*make_inputs(100))
    profile = fake_model.profile()
    assert profile.runs == 2
    first, second = profile.kernels
    assert (first.kind, first.node) == ("sum_rows", "/sum rows")
    assert first.seconds >= 0.040
    assert second.seconds > 0  # it allocates and writes
    assert first.seconds + second.seconds <= profile.run_seconds

    fake_model.set_profiling(False)
    fake_model(*make_inputs(2))
    assert fake_model.profile().runs == 0


# Calling conventions and values.

@pytest.mark.parametrize("batch", [1, 3])
def test_positional(fake_model, batch):
    x, y, bias = make_inputs(batch)
    check(fake_model(x, y, bias), x, y, bias)


@pytest.mark.parametrize("batch", [1, 3])
def test_by_name(fake_model, batch):
    x, y, bias = make_inputs(batch)
    check(fake_model(y=y, x=x, **{"bias term": bias}), x, y, bias)


@pytest.mark.parametrize("batch", [1, 3])
def test_mixed(fake_model, batch):
    x, y, bias = make_inputs(batch)
    check(fake_model(x, **{"bias term": bias, "y": y}), x, y, bias)


def test_run_dict(fake_model):
    x, y, bias = make_inputs(2)
    result = fake_model.run({"x": x, "y": y, "bias term": bias})
    assert list(result) == ["sum", "count"]
    check([result["sum"], result["count"]], x, y, bias)


def test_python_values_are_converted(fake_model):
    # Lists and scalars take the input's dtype.
    outputs = fake_model([[1, 2, 3]], [[0.5, 0.5, 0.5]], [0, 0, 1])
    np.testing.assert_array_equal(outputs[0], [[101.5, 202.5, 304.5]])
    assert outputs[1][0] == 1


def test_non_contiguous_inputs(fake_model):
    x, y, bias = make_inputs(4)
    wide = np.zeros((4, 6), np.float32)
    wide[:, ::2] = x
    strided = wide[:, ::2]
    fortran = np.asfortranarray(y)
    assert not strided.flags.c_contiguous and not fortran.flags.c_contiguous
    check(fake_model(strided, fortran, bias), x, y, bias)


def test_big_endian_input_is_accepted(fake_model):
    x, y, bias = make_inputs(2)
    check(fake_model(x.astype(">f4"), y, bias), x, y, bias)


def test_outputs_are_copies(fake_model):
    x, y, bias = make_inputs(2, seed=1)
    first = fake_model(x, y, bias)
    saved = [array.copy() for array in first]
    fake_model(*make_inputs(2, seed=2))
    for array, copy in zip(first, saved):
        np.testing.assert_array_equal(array, copy)
    assert first[0].flags.owndata and first[0].flags.writeable


def test_context_reuse(fake_model):
    # One context, many runs with changing symbolic dimensions.
    for seed, batch in enumerate([3, 1, 5, 1, 3]):
        x, y, bias = make_inputs(batch, seed)
        total, count = fake_model(x, y, bias)
        assert total.shape == (batch, 3) and count[0] == batch
        np.testing.assert_allclose(total, expected(x, y, bias), rtol=1e-6)


def test_empty_batch(fake_model):
    x, y, bias = make_inputs(0)
    total, count = fake_model(x, y, bias)
    assert total.shape == (0, 3) and total.dtype == np.float32
    assert count[0] == 0


def test_set_num_threads(fake_model):
    fake_model.set_num_threads(2)
    x, y, bias = make_inputs(2)
    check(fake_model(x, y, bias), x, y, bias)


# Errors: each names the input at fault.

def expect_error(status, fragment, call):
    with pytest.raises(TesseraError) as info:
        call()
    assert info.value.status == status, repr(info.value)
    assert fragment in str(info.value), str(info.value)
    return info.value


def test_wrong_dtype(fake_model):
    x, y, bias = make_inputs(2)
    error = expect_error(Status.DTYPE_MISMATCH, "bias term",
                         lambda: fake_model(x, y, bias.astype(np.float64)))
    assert isinstance(error.status, int)
    expect_error(Status.DTYPE_MISMATCH, "'y'",
                 lambda: fake_model(x, y.astype(np.int32), bias))


def test_unsupported_numpy_dtype(fake_model):
    x, y, bias = make_inputs(2)
    expect_error(Status.DTYPE_MISMATCH, "'x'",
                 lambda: fake_model(x.astype(np.complex64), y, bias))


def test_wrong_rank(fake_model):
    x, y, bias = make_inputs(2)
    expect_error(Status.SHAPE_MISMATCH, "bias term",
                 lambda: fake_model(x, y, bias.reshape(1, 3)))
    expect_error(Status.SHAPE_MISMATCH, "'x'",
                 lambda: fake_model(x.reshape(6), y, bias))


def test_wrong_static_dim(fake_model):
    x, y, bias = make_inputs(2)
    expect_error(Status.SHAPE_MISMATCH, "bias term",
                 lambda: fake_model(x, y, np.zeros(4, np.float32)))
    expect_error(Status.SHAPE_MISMATCH, "'y'",
                 lambda: fake_model(x, np.zeros((2, 4), np.float32), bias))


def test_symbol_disagreement(fake_model):
    x, _, bias = make_inputs(2)
    _, y, _ = make_inputs(3)
    expect_error(Status.SHAPE_MISMATCH, "batch",
                 lambda: fake_model(x, y, bias))


def test_missing_input(fake_model):
    x, y, _ = make_inputs(2)
    expect_error(Status.MISSING_INPUT, "'bias term'", lambda: fake_model(x, y))
    expect_error(Status.MISSING_INPUT, "'y'",
                 lambda: fake_model.run({"x": x, "bias term": [0, 0, 0]}))


def test_unknown_input(fake_model):
    x, y, bias = make_inputs(2)
    error = expect_error(Status.INVALID_ARGUMENT, "'bias_term'",
                         lambda: fake_model(x, y, bias_term=bias))
    assert "'bias term'" in str(error)  # lists the real inputs


def test_input_given_twice(fake_model):
    x, y, bias = make_inputs(2)
    expect_error(Status.INVALID_ARGUMENT, "'x'",
                 lambda: fake_model(x, y, bias, x=x))


def test_too_many_positional(fake_model):
    x, y, bias = make_inputs(2)
    expect_error(Status.INVALID_ARGUMENT, "4 inputs",
                 lambda: fake_model(x, y, bias, bias))


def test_unconvertible_value(fake_model):
    x, y, _ = make_inputs(2)
    expect_error(Status.INVALID_ARGUMENT, "bias term",
                 lambda: fake_model(x, y, ["a", "b", "c"]))


def test_error_leaves_model_usable(fake_model):
    x, y, bias = make_inputs(2)
    with pytest.raises(TesseraError):
        fake_model(x, y, bias.astype(np.float64))
    with pytest.raises(TesseraError):
        fake_model(x, y)
    check(fake_model(x, y, bias), x, y, bias)


# Concurrency.

def test_concurrent_sessions(fake_model):
    failures = []

    def worker(index):
        try:
            with fake_model.create_session() as session:
                for iteration in range(50):
                    batch = 1 + (index + iteration) % 5
                    x, y, bias = make_inputs(batch,
                                             seed=index * 1000 + iteration)
                    check(session(x, y, bias), x, y, bias)
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures


def test_shared_model_from_threads(fake_model):
    # The model's own context is guarded by a lock.
    failures = []

    def worker(index):
        try:
            for iteration in range(30):
                x, y, bias = make_inputs(1 + index, seed=iteration)
                check(fake_model(x, y, bias), x, y, bias)
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures


def test_session_interface(fake_model):
    with fake_model.create_session() as session:
        assert session.inputs == fake_model.inputs
        assert session.outputs == fake_model.outputs
        session.set_num_threads(1)
        x, y, bias = make_inputs(3)
        check(session(x, y=y, **{"bias term": bias}), x, y, bias)
        result = session.run({"x": x, "y": y, "bias term": bias})
        check([result["sum"], result["count"]], x, y, bias)
    with pytest.raises(TesseraError, match="closed"):
        session(x, y, bias)


# Lifetime.

def test_close_and_with(fake_package_path):
    with tessera.load(fake_package_path) as model:
        x, y, bias = make_inputs(2)
        check(model(x, y, bias), x, y, bias)
    with pytest.raises(TesseraError, match="closed"):
        model(x, y, bias)
    with pytest.raises(TesseraError, match="closed"):
        model.create_session()
    model.close()  # idempotent


def test_session_outlives_closed_model(fake_package_path):
    model = tessera.load(fake_package_path)
    session = model.create_session()
    model.close()
    x, y, bias = make_inputs(2)
    check(session(x, y, bias), x, y, bias)
    session.close()


def test_two_loads_are_independent(fake_package_path):
    with tessera.load(fake_package_path) as first, \
            tessera.load(fake_package_path) as second:
        x, y, bias = make_inputs(2)
        check(first(x, y, bias), x, y, bias)
        check(second(x, y, bias), x, y, bias)


def test_weights_path(build_dir, tmp_path):
    # The external-weights variant reads its addend {100,200,300} from a file.
    weights = tmp_path / "w.bin"
    np.array([1, 2, 3], np.float32).tofile(weights)
    package = build_dir / "test" / "Runtime" / \
        "libtessera_fake_package_external.so"
    with tessera.load(package, weights_path=weights) as model:
        x, y, bias = make_inputs(2)
        total, count = model(x, y, bias)
        np.testing.assert_allclose(total, x + y + bias + [1, 2, 3], rtol=1e-6)
    with pytest.raises(TesseraError) as info:
        tessera.load(package, weights_path=tmp_path / "nowhere.bin")
    assert info.value.status == Status.IO
    assert "nowhere.bin" in str(info.value)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        tessera.load(tmp_path / "missing.so")
    bogus = tmp_path / "bogus.so"
    bogus.write_text("not a shared library\n")
    with pytest.raises(TesseraError, match="not a tessera package"):
        tessera.load(bogus)


def test_other_abi_is_refused_by_version(tmp_path):
    # A package of ABI 1 lacks the kernel profile's functions; the version
    # is what the error names.
    source = tmp_path / "old_abi.c"
    source.write_text("int tessera_abi_version(void) { return 1; }\n")
    package = tmp_path / "old_abi.so"
    subprocess.run(["cc", "-shared", "-fPIC", str(source), "-o",
                    str(package)], check=True)
    with pytest.raises(TesseraError) as info:
        tessera.load(package)
    assert info.value.status == Status.ABI_MISMATCH
    assert "built for tessera ABI version 1" in str(info.value)
    assert "speaks version %d" % tessera.ABI_VERSION in str(info.value)
