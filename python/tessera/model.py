"""Loading and running compiled tessera model packages."""

import ctypes
import os
import threading
from typing import List, NamedTuple, Optional, Tuple, Union

import numpy as np

from . import _abi
from .errors import Status, TesseraError

__all__ = ["TensorInfo", "Model", "Session", "load"]


class TensorInfo(NamedTuple):
    """The declared signature of one model input or output.

    ``shape`` holds an int per static dimension, the symbol's name (str) per
    named dynamic dimension ("batch") and None per anonymous dynamic one.
    bfloat16 tensors, which numpy lacks, have dtype uint16 (raw bits).
    """

    name: str
    dtype: np.dtype
    shape: Tuple[Union[int, str, None], ...]

    def __str__(self):
        dims = ",".join("?" if d is None else str(d) for d in self.shape)
        return "%s: %s[%s]" % (self.name, self.dtype, dims)


class KernelInfo(NamedTuple):
    """One kernel of a model's runs, in run order: ``kind`` is the runtime
    kernel it calls ("sgemm_fused", "conv3x3_winograd", ...) or "loops",
    ``node`` the ONNX node(s) it computes, joined with "+" ("" when
    unknown)."""

    kind: str
    node: str


class KernelTime(NamedTuple):
    """A kernel and its time summed over the profiled runs."""

    kind: str
    node: str
    seconds: float


class Profile(NamedTuple):
    """What a profiling session measured since profiling was set: the runs,
    their summed time, and each kernel's (in run order). A kernel's time
    runs from the end of the one before it (or the start of the run) to
    its own end."""

    runs: int
    run_seconds: float
    kernels: List[KernelTime]


class _Closeable:
    """`with` support and release on garbage collection for objects with
    a close() method."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class _ModelCore:
    """A loaded tessera_model_t* and its signature, shared by a Model and its
    sessions. The model is freed when the Model and every session made from
    it have been closed (contexts must not outlive their model); sessions
    hold this object rather than the Model, so that no reference cycle
    delays that."""

    def __init__(self, lib, pointer):
        self.lib = lib
        self.pointer = pointer
        self._users = 1
        self._lock = threading.Lock()
        name = lib.model_name(pointer)
        self.name = name.decode("utf-8", "replace") if name else ""
        self.arena_bytes = int(lib.model_arena_bytes(pointer))
        self.inputs, self.input_codes = self._read_signature(
            lib.model_num_inputs, lib.model_input_info)
        self.outputs, self.output_codes = self._read_signature(
            lib.model_num_outputs, lib.model_output_info)
        self.input_indices = {info.name: i
                              for i, info in enumerate(self.inputs)}
        self.kernels = []
        for index in range(lib.model_num_kernels(pointer)):
            info = _abi.KernelInfoStruct()
            status = lib.model_kernel_info(pointer, index, ctypes.byref(info))
            if status != Status.OK:
                raise lib.error(status)
            self.kernels.append(KernelInfo(
                *(field.decode("utf-8", "replace") if field else ""
                  for field in (info.kind, info.node))))

    def _read_signature(self, count_fn, info_fn):
        infos, codes = [], []
        for index in range(count_fn(self.pointer)):
            info = _abi.TensorInfoStruct()
            status = info_fn(self.pointer, index, ctypes.byref(info))
            if status != Status.OK:
                raise self.lib.error(status)
            name = info.name.decode("utf-8", "replace") if info.name else ""
            shape = []
            for d in range(info.rank):
                dim = info.dims[d]
                if dim >= 0:
                    shape.append(int(dim))
                else:
                    symbol = info.dim_names[d] if info.dim_names else None
                    shape.append(symbol.decode("utf-8", "replace")
                                 if symbol else None)
            dtype = _abi.to_numpy_dtype(info.dtype)
            if dtype is None:
                raise TesseraError(
                    Status.INTERNAL, "'%s' has an unknown element type %d"
                    % (name, info.dtype))
            infos.append(TensorInfo(name, dtype, tuple(shape)))
            codes.append(info.dtype)
        return infos, codes

    def input_list(self):
        return ", ".join("'%s'" % info.name for info in self.inputs) or "(none)"

    def acquire(self):
        with self._lock:
            if self._users == 0:
                raise TesseraError(Status.INVALID_ARGUMENT,
                                   "the model has been closed")
            self._users += 1

    def release(self):
        with self._lock:
            self._users -= 1
            if self._users == 0 and self.pointer:
                self.lib.model_free(self.pointer)
                self.pointer = None


_MISSING = object()


class Session(_Closeable):
    """One execution context of a model, for use by one thread at a time.

    Sessions of the same model run concurrently; each guards itself with a
    lock, so sharing one between threads is safe but serializes the runs.
    Call it like the model: ``session(*arrays, **named) -> list`` or
    ``session.run({name: array}) -> dict``. Made by
    :meth:`Model.create_session`.
    """

    def __init__(self, core):
        core.acquire()
        self._core = core
        self._lib = core.lib
        self._lock = threading.Lock()
        self._context = None
        context = ctypes.c_void_p()
        status = self._lib.context_create(core.pointer, ctypes.byref(context))
        if status != Status.OK:
            error = self._lib.error(status)
            self._core = None
            core.release()
            raise error
        self._context = context
        self.name = core.name
        self.inputs = core.inputs
        self.outputs = core.outputs
        self.kernels = core.kernels

    def set_profiling(self, enabled=True):
        """Times each kernel of the later runs (or stops, with False); the
        counters start from zero either way. See :meth:`profile`."""
        with self._lock:
            self._check_open()
            status = self._lib.context_set_profiling(self._context,
                                                     1 if enabled else 0)
            if status != Status.OK:
                raise self._lib.error(status)

    def profile(self):
        """The :class:`Profile` of the runs since :meth:`set_profiling`."""
        with self._lock:
            self._check_open()
            counters = _abi.ProfileStruct()
            status = self._lib.context_get_profile(self._context,
                                                   ctypes.byref(counters))
            if status != Status.OK:
                raise self._lib.error(status)
            count = min(counters.num_kernels, len(self.kernels))
            return Profile(
                int(counters.runs), counters.run_ns * 1e-9,
                [KernelTime(kernel.kind, kernel.node,
                            counters.kernel_ns[i] * 1e-9)
                 for i, kernel in enumerate(self.kernels[:count])])

    def set_num_threads(self, num_threads):
        """Threads a run of this session may use (0: TESSERA_NUM_THREADS
        or 1)."""
        with self._lock:
            self._check_open()
            status = self._lib.context_set_num_threads(self._context,
                                                       int(num_threads))
            if status != Status.OK:
                raise self._lib.error(status)

    def __call__(self, /, *arrays, **named_arrays):
        """Runs the model; returns the outputs (copies) in output order.

        Inputs go positionally in input order, by name, or both. ndarrays
        must have the input's dtype (they are made C-contiguous, never cast);
        other values (lists, scalars) are converted to it.
        """
        return self._run(self._collect(arrays, named_arrays))

    def run(self, feeds):
        """Runs the model on ``feeds`` (input name -> value); returns a dict
        output name -> array."""
        if not isinstance(feeds, dict):
            raise TypeError("run() takes a dict of input name -> array")
        for name in feeds:
            if not isinstance(name, str):
                raise TesseraError(Status.INVALID_ARGUMENT,
                                   "input names must be str, got %r" % (name,))
        results = self._run(self._collect((), feeds))
        return {info.name: value
                for info, value in zip(self.outputs, results)}

    def close(self):
        """Frees the context. Idempotent."""
        with self._lock:
            if self._context is not None:
                self._lib.context_free(self._context)
                self._context = None
            if self._core is not None:
                self._core.release()
                self._core = None

    def __repr__(self):
        state = "" if self._context is not None else " (closed)"
        return "<tessera.Session of %r%s>" % (self.name, state)

    # Implementation.

    def _check_open(self):
        if self._context is None:
            raise TesseraError(Status.INVALID_ARGUMENT,
                               "the session has been closed")

    def _collect(self, arrays, named):
        """Orders the given values by input; errors name the input."""
        inputs = self.inputs
        if len(arrays) > len(inputs):
            raise TesseraError(
                Status.INVALID_ARGUMENT,
                "%d inputs given positionally, but the model has %d: %s"
                % (len(arrays), len(inputs), self._core.input_list()))
        values = list(arrays) + [_MISSING] * (len(inputs) - len(arrays))
        for name, value in named.items():
            index = self._core.input_indices.get(name)
            if index is None:
                raise TesseraError(
                    Status.INVALID_ARGUMENT,
                    "unknown input '%s'; the model's inputs are %s"
                    % (name, self._core.input_list()))
            if values[index] is not _MISSING:
                raise TesseraError(
                    Status.INVALID_ARGUMENT,
                    "input '%s' is given twice (positionally and by name)"
                    % name)
            values[index] = value
        missing = [info.name for info, value in zip(inputs, values)
                   if value is _MISSING]
        if missing:
            raise TesseraError(
                Status.MISSING_INPUT,
                "missing input%s %s" % ("s" if len(missing) > 1 else "",
                                        ", ".join("'%s'" % m for m in missing)))
        return values

    def _prepare(self, index, value):
        """The C-contiguous ndarray and tessera dtype code to bind."""
        info = self.inputs[index]
        expected = self._core.input_codes[index]
        if isinstance(value, np.ndarray):
            array = value
            if not array.dtype.isnative:
                array = array.astype(array.dtype.newbyteorder("="))
            code = _abi.from_numpy_dtype(array.dtype, expected)
            if code is None:
                raise TesseraError(
                    Status.DTYPE_MISMATCH,
                    "input '%s': numpy dtype %s has no tessera equivalent "
                    "(the input is %s)" % (info.name, array.dtype,
                                           _abi.dtype_name(expected)))
        else:
            try:
                if expected == _abi.BFLOAT16:
                    array = _abi.float32_to_bfloat16_bits(value)
                else:
                    array = np.asarray(value, dtype=info.dtype)
            except (TypeError, ValueError) as error:
                raise TesseraError(
                    Status.INVALID_ARGUMENT,
                    "input '%s': cannot convert %s to %s: %s"
                    % (info.name, type(value).__name__,
                       _abi.dtype_name(expected), error)) from None
            code = expected
        if not (array.flags.c_contiguous and array.flags.aligned):
            array = np.array(array, order="C", copy=True)
        if array.ndim > _abi.MAX_RANK:
            raise TesseraError(
                Status.SHAPE_MISMATCH,
                "input '%s': rank %d exceeds the maximum of %d"
                % (info.name, array.ndim, _abi.MAX_RANK))
        return array, code

    def _run(self, values):
        with self._lock:
            self._check_open()
            lib = self._lib
            context = self._context
            # The runtime reads the bound arrays during the run: keep them
            # (and their dims) alive until it returns.
            bound = []
            for index, value in enumerate(values):
                array, code = self._prepare(index, value)
                dims = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
                bound.append((array, dims))
                status = lib.context_set_input(
                    context, index, ctypes.c_void_p(array.ctypes.data), dims,
                    array.ndim, code)
                if status != Status.OK:
                    raise lib.error(status, self.inputs[index].name)
            status = lib.context_run(context)
            if status != Status.OK:
                raise lib.error(status)
            results = [self._fetch(index)
                       for index in range(len(self.outputs))]
            del bound
            return results

    def _fetch(self, index):
        tensor = _abi.TensorStruct()
        status = self._lib.context_get_output(self._context, index,
                                              ctypes.byref(tensor))
        if status != Status.OK:
            raise self._lib.error(status)
        name = self.outputs[index].name
        dtype = _abi.to_numpy_dtype(tensor.dtype)
        if dtype is None or not 0 <= tensor.rank <= _abi.MAX_RANK:
            raise TesseraError(
                Status.INTERNAL,
                "output '%s': the package returned dtype %d, rank %d"
                % (name, tensor.dtype, tensor.rank))
        shape = tuple(tensor.dims[i] for i in range(tensor.rank))
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if count == 0:
            return np.empty(shape, dtype)
        if not tensor.data:
            raise TesseraError(Status.INTERNAL,
                               "output '%s' has no data" % name)
        # Copy out: the context reuses its buffers on the next run.
        buffer = (ctypes.c_char * (count * dtype.itemsize)).from_address(
            tensor.data)
        return np.frombuffer(buffer, dtype=dtype).reshape(shape).copy()


class Model(_Closeable):
    """A loaded model package (see :func:`load`).

    ``model(*arrays, **named)`` runs it on a context owned by the model and
    guarded by a lock, so a model may be called from several threads (one
    run at a time); :meth:`create_session` gives independent contexts that
    run concurrently.
    """

    def __init__(self, path, weights_path=None):
        self._core = None
        self._session = None
        self._session_lock = threading.Lock()
        lib = _abi.Library(path)
        self.path = lib.path
        pointer = ctypes.c_void_p()
        weights = None if weights_path is None else \
            os.fsencode(os.path.abspath(os.fspath(weights_path)))
        status = lib.model_load(_abi.ABI_VERSION, weights,
                                ctypes.byref(pointer))
        if status != Status.OK:
            raise lib.error(status)
        try:
            core = _ModelCore(lib, pointer)
        except BaseException:
            lib.model_free(pointer)
            raise
        self._core = core
        #: The model's name (the ONNX graph name).
        self.name = core.name
        #: Bytes of intermediate-tensor arena each context allocates.
        self.arena_bytes = core.arena_bytes
        #: The inputs' signature, a list of TensorInfo in input order.
        self.inputs = core.inputs
        #: The outputs' signature, a list of TensorInfo in output order.
        self.outputs = core.outputs
        #: The kernels of a run, a list of KernelInfo in run order.
        self.kernels = core.kernels

    def _live_core(self):
        core = self._core
        if core is None:
            raise TesseraError(Status.INVALID_ARGUMENT,
                               "the model has been closed")
        return core

    def _default_session(self):
        with self._session_lock:
            if self._session is None:
                self._session = Session(self._live_core())
            return self._session

    def input_index(self, name):
        """The index of input `name`, or -1."""
        for index, info in enumerate(self.inputs):
            if info.name == name:
                return index
        return -1

    def output_index(self, name):
        """The index of output `name`, or -1."""
        for index, info in enumerate(self.outputs):
            if info.name == name:
                return index
        return -1

    def __call__(self, /, *arrays, **named_arrays):
        """Runs the model; see :meth:`Session.__call__`."""
        return self._default_session()(*arrays, **named_arrays)

    def run(self, feeds):
        """Runs the model on ``feeds`` (name -> value); returns name ->
        array."""
        return self._default_session().run(feeds)

    def set_num_threads(self, num_threads):
        """Threads a run of the model's own context may use."""
        self._default_session().set_num_threads(num_threads)

    def set_profiling(self, enabled=True):
        """Times each kernel of the model's own context's later runs; see
        :meth:`Session.set_profiling`."""
        self._default_session().set_profiling(enabled)

    def profile(self):
        """The :class:`Profile` of the model's own context's runs."""
        return self._default_session().profile()

    def create_session(self):
        """A new, independent context for concurrent use (close it when
        done, or use it in a ``with`` block)."""
        return Session(self._live_core())

    def close(self):
        """Frees the model's context and, once every session made from it
        is closed too, the model. Idempotent."""
        with self._session_lock:
            session, self._session = self._session, None
            core, self._core = self._core, None
        if session is not None:
            session.close()
        if core is not None:
            core.release()

    def __repr__(self):
        return "<tessera.Model %r inputs=[%s] outputs=[%s]>" % (
            self.name, ", ".join(map(str, self.inputs)),
            ", ".join(map(str, self.outputs)))


def load(path, *, weights_path=None):
    """Loads the model package at `path` (a .so written by tessera-compile).

    `weights_path` overrides where a package compiled with
    --weights=external finds its weights file.
    """
    return Model(path, weights_path=weights_path)
