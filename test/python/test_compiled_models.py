"""tessera.compile / tessera.load on real packages: the digits CNN of
examples/digits compiled by the real tessera-compile of the build tree.

The model: input image float32[batch, 1, 8, 8], output logits
float32[batch, 10]; the 16 sample images in examples/digits/samples are all
classified correctly (labels.npy).
"""

import shutil
import threading

import numpy as np
import pytest

import tessera
from tessera import Status, TesseraError


@pytest.fixture
def use_compiler(compiler, monkeypatch):
    """Makes tessera.compile run the compiler under test."""
    monkeypatch.setenv("TESSERA_COMPILE", compiler)
    return compiler


@pytest.fixture(scope="session")
def digits_onnx(repo_root):
    return repo_root / "examples" / "digits" / "digits_cnn.onnx"


@pytest.fixture(scope="session")
def samples(repo_root):
    directory = repo_root / "examples" / "digits" / "samples"
    images = np.load(directory / "images.npy")
    labels = np.load(directory / "labels.npy")
    assert images.shape == (16, 1, 8, 8) and images.dtype == np.float32
    return images, labels


@pytest.fixture(scope="session")
def digits_package(compiler, digits_onnx, tmp_path_factory):
    """The digits CNN compiled once, with embedded weights."""
    output = tmp_path_factory.mktemp("digits") / "digits_cnn.so"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TESSERA_COMPILE", compiler)
        path = tessera.compile(digits_onnx, output)
    assert path == str(output)
    return path


@pytest.fixture
def digits(digits_package):
    model = tessera.load(digits_package)
    yield model
    model.close()


def expect_error(status, fragment, function):
    with pytest.raises(TesseraError) as info:
        function()
    assert info.value.status == status, repr(info.value)
    assert fragment in str(info.value), str(info.value)
    return info.value


# Signature and results.

def test_signature(digits):
    assert digits.name == "torch_jit"
    assert digits.inputs == [
        tessera.TensorInfo("image", np.dtype(np.float32), ("batch", 1, 8, 8))]
    assert digits.outputs == [
        tessera.TensorInfo("logits", np.dtype(np.float32), ("batch", 10))]
    assert str(digits.inputs[0]) == "image: float32[batch,1,8,8]"
    assert digits.input_index("image") == 0
    assert digits.output_index("logits") == 0
    assert digits.arena_bytes >= 0


def test_profile_names_the_nodes(digits, samples):
    images, _ = samples
    kinds = [kernel.kind for kernel in digits.kernels]
    assert "sgemm_fused" in kinds or "sgemm" in kinds, kinds
    assert all(kernel.node for kernel in digits.kernels), digits.kernels
    digits.set_profiling()
    for _ in range(3):
        digits(images)
    profile = digits.profile()
    assert profile.runs == 3
    assert len(profile.kernels) == len(digits.kernels)
    total = sum(kernel.seconds for kernel in profile.kernels)
    assert 0 < total <= profile.run_seconds
    assert all(kernel.seconds >= 0 for kernel in profile.kernels)


def test_predictions(digits, samples):
    images, labels = samples
    (logits,) = digits(images)
    assert logits.dtype == np.float32 and logits.shape == (16, 10)
    assert np.isfinite(logits).all()
    np.testing.assert_array_equal(logits.argmax(axis=1), labels)
    # The same by name, through run().
    outputs = digits.run({"image": images})
    assert list(outputs) == ["logits"]
    np.testing.assert_array_equal(outputs["logits"], logits)
    (by_keyword,) = digits(image=images)
    np.testing.assert_array_equal(by_keyword, logits)


def test_batch_sizes_agree(digits, samples):
    images, _ = samples
    (batch16,) = digits(images)
    for i in range(len(images)):
        (single,) = digits(images[i:i + 1])
        assert single.shape == (1, 10)
        np.testing.assert_allclose(single[0], batch16[i], rtol=1e-5,
                                   atol=1e-6)
    (batch5,) = digits(images[3:8])
    np.testing.assert_allclose(batch5, batch16[3:8], rtol=1e-5, atol=1e-6)


def test_empty_batch(digits):
    (logits,) = digits(np.zeros((0, 1, 8, 8), np.float32))
    assert logits.shape == (0, 10) and logits.dtype == np.float32


def test_non_contiguous_input(digits, samples):
    images, labels = samples
    reversed_images = images[::-1]
    assert not reversed_images.flags.c_contiguous
    (logits,) = digits(reversed_images)
    np.testing.assert_array_equal(logits.argmax(axis=1), labels[::-1])


def test_concurrent_sessions(digits, samples):
    images, _ = samples
    (expected,) = digits(images)
    results, errors = [None] * 4, []

    def work(index):
        try:
            with digits.create_session() as session:
                for _ in range(20):
                    (logits,) = session(images)
                results[index] = logits
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    for logits in results:
        np.testing.assert_array_equal(logits, expected)


# Errors from the package, raised as TesseraError.

def test_wrong_dtype(digits, samples):
    images, _ = samples
    error = expect_error(Status.DTYPE_MISMATCH, "'image'",
                         lambda: digits(images.astype(np.float64)))
    assert "expected float32, got float64" in str(error)


def test_wrong_rank(digits, samples):
    images, _ = samples
    error = expect_error(Status.SHAPE_MISMATCH, "'image'",
                         lambda: digits(images[0]))
    assert "rank 3, expected 4" in str(error)


def test_wrong_static_dim(digits):
    error = expect_error(Status.SHAPE_MISMATCH, "'image'",
                         lambda: digits(np.zeros((1, 1, 9, 8), np.float32)))
    assert "dimension 2 is 9, expected 8" in str(error)


def test_missing_input(digits):
    expect_error(Status.MISSING_INPUT, "'image'", lambda: digits())
    expect_error(Status.MISSING_INPUT, "'image'", lambda: digits.run({}))


def test_unknown_input_name(digits, samples):
    images, _ = samples
    error = expect_error(Status.INVALID_ARGUMENT, "'images'",
                         lambda: digits(images=images))
    assert "'image'" in str(error)  # lists the real inputs


def test_errors_leave_the_model_usable(digits, samples):
    images, labels = samples
    with pytest.raises(TesseraError):
        digits(images.astype(np.float64))
    with pytest.raises(TesseraError):
        digits()
    (logits,) = digits(images)
    np.testing.assert_array_equal(logits.argmax(axis=1), labels)


# tessera.compile.

def test_compile_error_carries_the_compilers_message(tmp_path, use_compiler):
    model = tmp_path / "garbage.onnx"
    model.write_bytes(b"this is not an ONNX model\n")
    output = tmp_path / "garbage.so"
    with pytest.raises(tessera.CompileError) as info:
        tessera.compile(model, output)
    error = info.value
    assert error.returncode == 1
    assert "cannot parse" in error.stderr and "garbage.onnx" in error.stderr
    assert "cannot parse" in str(error)
    assert error.command[0] == use_compiler
    assert not output.exists()


def test_compile_missing_model(tmp_path, use_compiler):
    with pytest.raises(tessera.CompileError, match="cannot read"):
        tessera.compile(tmp_path / "nowhere.onnx", tmp_path / "nowhere.so")


def test_external_weights(tmp_path, use_compiler, digits_onnx, samples,
                          digits_package):
    images, labels = samples
    output = tmp_path / "digits_cnn.so"
    assert tessera.compile(digits_onnx, output, weights="external",
                           emit_header=True) == str(output)
    weights = tmp_path / "digits_cnn.weights"
    assert weights.stat().st_size > 0
    assert "#define DIGITS_CNN_INPUT_IMAGE 0" in (
        tmp_path / "digits_cnn.h").read_text()
    with tessera.load(digits_package) as embedded:
        (expected,) = embedded(images)
    with tessera.load(output) as model:
        (logits,) = model(images)
    np.testing.assert_array_equal(logits, expected)
    np.testing.assert_array_equal(logits.argmax(axis=1), labels)

    # The weights file elsewhere, given with weights_path.
    moved = tmp_path / "elsewhere.bin"
    shutil.move(weights, moved)
    with tessera.load(output, weights_path=moved) as model:
        (logits,) = model(images)
    np.testing.assert_array_equal(logits, expected)

    # Without it: a clean error naming the file.
    error = expect_error(Status.IO, "digits_cnn.weights",
                         lambda: tessera.load(output))
    assert "cannot open the weights file" in str(error)


def test_input_shapes(tmp_path, use_compiler, digits_onnx, samples):
    images, labels = samples
    output = tessera.compile(digits_onnx, tmp_path / "digits_b4.so",
                             input_shapes={"image": (4, 1, 8, 8)})
    with tessera.load(output) as model:
        assert model.inputs[0].shape == (4, 1, 8, 8)
        assert model.outputs[0].shape == (4, 10)
        (logits,) = model(images[:4])
        np.testing.assert_array_equal(logits.argmax(axis=1), labels[:4])
        expect_error(Status.SHAPE_MISMATCH, "dimension 0 is 1, expected 4",
                     lambda: model(images[:1]))
