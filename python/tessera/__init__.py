"""tessera: run ONNX models compiled ahead of time by tessera-compile.

    import tessera
    path = tessera.compile("model.onnx")           # -> "model.so"
    with tessera.load(path) as model:
        print(model.inputs)                        # [TensorInfo(...), ...]
        (y,) = model(x)                            # list, in output order
        outputs = model.run({"x": x})              # dict, by output name

A Model runs on one context guarded by a lock; for concurrent runs give
each thread its own ``model.create_session()``. Errors from a package are
raised as TesseraError (with ``.status``); compiler failures as
CompileError. Only numpy and the standard library are needed.
"""

from ._abi import ABI_VERSION
from .compiler import compile, find_compiler
from .errors import CompileError, Status, TesseraError
from .model import (KernelInfo, KernelTime, Model, Profile, Session,
                    TensorInfo, load)

__all__ = [
    "ABI_VERSION",
    "CompileError",
    "KernelInfo",
    "KernelTime",
    "Model",
    "Profile",
    "Session",
    "Status",
    "TensorInfo",
    "TesseraError",
    "compile",
    "find_compiler",
    "load",
]
