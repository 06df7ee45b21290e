"""tessera.compile's command line, with a stand-in for tessera-compile.

TESSERA_COMPILE points at a script that records its arguments and writes
the output file (or fails), so these tests need no real compiler.
"""

import json
import os
import sys

import pytest

import tessera

FAKE_COMPILER = r'''#!%(python)s
import json, sys
args = sys.argv[1:]
with open(%(log)r, "w") as log:
    json.dump(args, log)
if "--fail" in args:
    sys.stderr.write("net.onnx: error: node 'Conv_0': bad attribute\n")
    sys.exit(1)
if "--no-output" not in args:
    with open(args[args.index("-o") + 1], "w") as out:
        out.write("package")
'''


@pytest.fixture
def fake_compiler(tmp_path, monkeypatch):
    log = tmp_path / "args.json"
    script = tmp_path / "fake-tessera-compile"
    script.write_text(FAKE_COMPILER % {"python": sys.executable,
                                       "log": str(log)})
    script.chmod(0o755)
    monkeypatch.setenv("TESSERA_COMPILE", str(script))

    def arguments():
        return json.loads(log.read_text())
    return arguments


def test_defaults(tmp_path, fake_compiler):
    model = tmp_path / "net.onnx"
    output = tessera.compile(model)
    assert output == str(tmp_path / "net.so")
    assert os.path.exists(output)
    assert fake_compiler() == [str(model), "-o", str(tmp_path / "net.so")]


def test_all_options(tmp_path, fake_compiler):
    output = tessera.compile(
        str(tmp_path / "net.onnx"), tmp_path / "out.so",
        input_shapes={"x": (1, 3, 224, 224), "ids": [None, 128],
                      "mask": [-1, "?"]},
        weights="external", target_cpu="znver4", emit_header=True,
        extra_args=["--no-graph-passes"])
    assert output == str(tmp_path / "out.so")
    assert fake_compiler() == [
        str(tmp_path / "net.onnx"), "-o", str(tmp_path / "out.so"),
        "--input-shape", "x=1x3x224x224",
        "--input-shape", "ids=?x128",
        "--input-shape", "mask=?x?",
        "--weights=external", "--target-cpu=znver4", "--emit-header",
        "--no-graph-passes"]


def test_failure_carries_stderr(tmp_path, fake_compiler):
    with pytest.raises(tessera.CompileError) as info:
        tessera.compile(tmp_path / "net.onnx", extra_args=["--fail"])
    assert "bad attribute" in str(info.value)
    assert info.value.returncode == 1
    assert "Conv_0" in info.value.stderr


def test_missing_output_is_an_error(tmp_path, fake_compiler):
    with pytest.raises(tessera.CompileError, match="wrote no"):
        tessera.compile(tmp_path / "net.onnx", extra_args=["--no-output"])


def test_bad_arguments(tmp_path, fake_compiler):
    with pytest.raises(ValueError):
        tessera.compile(tmp_path / "net.onnx", weights="inline")
    with pytest.raises(ValueError):
        tessera.compile(tmp_path / "net.onnx", input_shapes={"x": [1.5]})


def test_bad_compiler_override(tmp_path, monkeypatch):
    monkeypatch.setenv("TESSERA_COMPILE", str(tmp_path / "nowhere"))
    with pytest.raises(tessera.CompileError, match="TESSERA_COMPILE"):
        tessera.compile(tmp_path / "net.onnx")
