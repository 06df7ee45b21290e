"""Driving the tessera-compile executable."""

import os
import shutil
import subprocess

from .errors import CompileError

__all__ = ["compile", "find_compiler"]

# <repo>/python/tessera/compiler.py -> <repo>
_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def find_compiler():
    """The tessera-compile to run: $TESSERA_COMPILE, else
    <repo>/build/bin/tessera-compile next to this package's source tree,
    else the one on PATH. Raises CompileError if there is none."""
    override = os.environ.get("TESSERA_COMPILE")
    if override:
        if not os.path.isfile(override) or not os.access(override, os.X_OK):
            raise CompileError(
                "TESSERA_COMPILE is '%s', which is not an executable file"
                % override)
        return override
    built = os.path.join(_REPO_ROOT, "build", "bin", "tessera-compile")
    if os.path.isfile(built) and os.access(built, os.X_OK):
        return built
    found = shutil.which("tessera-compile")
    if found:
        return found
    raise CompileError(
        "cannot find tessera-compile: set TESSERA_COMPILE to its path, build "
        "it in %s, or put it on PATH" % os.path.join(_REPO_ROOT, "build"))


def _shape_text(name, dims):
    if isinstance(dims, str):
        return dims
    parts = []
    for dim in dims:
        if dim is None or dim == "?" or (isinstance(dim, int) and dim < 0):
            parts.append("?")
        elif isinstance(dim, int) or hasattr(dim, "__index__"):
            parts.append(str(int(dim)))
        else:
            raise ValueError("input_shapes[%r]: bad dimension %r (use an int, "
                             "or None for a symbolic dimension)" % (name, dim))
    return "x".join(parts)


def compile(model_path, output=None, *, input_shapes=None, weights="embedded",
            target_cpu=None, emit_header=False, extra_args=()):
    """Compiles an ONNX model into a package with tessera-compile.

    Runs ``tessera-compile MODEL -o OUTPUT [--input-shape NAME=D0xD1...]...
    [--weights=external] [--target-cpu=CPU] [--emit-header] EXTRA_ARGS...``.

    model_path: the .onnx (or .onnxtxt) model.
    output: the package to write; default: model_path with its suffix
        replaced by ".so".
    input_shapes: {input name: sequence of ints} fixing input shapes; None
        (or -1) keeps a dimension symbolic. A str value is passed verbatim.
    weights: "embedded" (in the .so) or "external" (a weights file beside it).
    target_cpu: the CPU to generate code for (--target-cpu).
    emit_header: also write a C header declaring the package's signature.
    extra_args: more tessera-compile arguments, appended as given.

    Returns the output path. Raises CompileError with the compiler's stderr
    if it fails.
    """
    model_path = os.fspath(model_path)
    if output is None:
        output = os.path.splitext(model_path)[0] + ".so"
    output = os.fspath(output)
    if weights not in ("embedded", "external"):
        raise ValueError("weights must be 'embedded' or 'external', not %r"
                         % (weights,))
    if isinstance(extra_args, str):
        raise TypeError("extra_args must be a sequence of arguments, not a "
                        "str")

    command = [find_compiler(), model_path, "-o", output]
    for name, dims in (input_shapes or {}).items():
        command += ["--input-shape", "%s=%s" % (name, _shape_text(name, dims))]
    if weights == "external":
        command.append("--weights=external")
    if target_cpu:
        command.append("--target-cpu=%s" % target_cpu)
    if emit_header:
        command.append("--emit-header")
    command += [os.fspath(arg) for arg in extra_args]

    try:
        completed = subprocess.run(command, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True,
                                   errors="replace")
    except OSError as error:
        raise CompileError("cannot run %s: %s" % (command[0], error),
                           command=command) from None
    if completed.returncode != 0:
        stderr = completed.stderr.strip()
        raise CompileError(
            "tessera-compile failed on '%s' (exit status %d)%s"
            % (model_path, completed.returncode,
               ":\n" + stderr if stderr else ""),
            returncode=completed.returncode, stderr=completed.stderr,
            command=command)
    if not os.path.exists(output):
        raise CompileError(
            "tessera-compile exited successfully but wrote no '%s'" % output,
            returncode=0, stderr=completed.stderr, command=command)
    return output
