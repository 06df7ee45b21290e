"""ctypes declarations of the package C ABI (include/tessera/Runtime/
tessera_runtime.h) and the mapping between its element types and numpy's.

Internal: use tessera.load() and tessera.Model.
"""

import ctypes
import os

import numpy as np

from .errors import Status, TesseraError

ABI_VERSION = 2  # TESSERA_ABI_VERSION
MAX_RANK = 16  # TESSERA_MAX_RANK

# tessera_dtype_t (ONNX TensorProto.DataType numbering).
FLOAT32 = 1
UINT8 = 2
INT8 = 3
UINT16 = 4
INT16 = 5
INT32 = 6
INT64 = 7
BOOL = 9
FLOAT16 = 10
FLOAT64 = 11
UINT32 = 12
UINT64 = 13
BFLOAT16 = 16

DTYPE_NAMES = {
    FLOAT32: "float32", UINT8: "uint8", INT8: "int8", UINT16: "uint16",
    INT16: "int16", INT32: "int32", INT64: "int64", BOOL: "bool",
    FLOAT16: "float16", FLOAT64: "float64", UINT32: "uint32",
    UINT64: "uint64", BFLOAT16: "bfloat16",
}

# numpy has no bfloat16: such tensors travel as uint16 arrays of raw bits.
_TO_NUMPY = {
    FLOAT32: np.dtype(np.float32), UINT8: np.dtype(np.uint8),
    INT8: np.dtype(np.int8), UINT16: np.dtype(np.uint16),
    INT16: np.dtype(np.int16), INT32: np.dtype(np.int32),
    INT64: np.dtype(np.int64), BOOL: np.dtype(np.bool_),
    FLOAT16: np.dtype(np.float16), FLOAT64: np.dtype(np.float64),
    UINT32: np.dtype(np.uint32), UINT64: np.dtype(np.uint64),
    BFLOAT16: np.dtype(np.uint16),
}
_FROM_NUMPY = {dtype: code for code, dtype in _TO_NUMPY.items()
               if code != BFLOAT16}


def to_numpy_dtype(code):
    """The numpy dtype of tessera dtype `code`; None if unknown."""
    return _TO_NUMPY.get(code)


def from_numpy_dtype(dtype, expected=None):
    """The tessera dtype code of numpy `dtype` (native byte order), or None.

    A uint16 array feeds a bfloat16 input (`expected` == BFLOAT16) as raw
    bits, as does an ml_dtypes.bfloat16 array.
    """
    if dtype.name == "bfloat16" and dtype.itemsize == 2:
        return BFLOAT16
    code = _FROM_NUMPY.get(dtype)
    if code == UINT16 and expected == BFLOAT16:
        return BFLOAT16
    return code


def dtype_name(code):
    return DTYPE_NAMES.get(code, "dtype(%d)" % code)


def float32_to_bfloat16_bits(array):
    """Rounds float32 values to bfloat16 (nearest even); uint16 raw bits."""
    array = np.ascontiguousarray(array, dtype=np.float32)
    bits = array.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(array)
    if nan.any():
        rounded[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)
    return rounded


class TensorInfoStruct(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int),
        ("rank", ctypes.c_int32),
        ("dims", ctypes.POINTER(ctypes.c_int64)),
        ("dim_names", ctypes.POINTER(ctypes.c_char_p)),
    ]


class KernelInfoStruct(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_char_p),
        ("node", ctypes.c_char_p),
    ]


class ProfileStruct(ctypes.Structure):
    _fields_ = [
        ("runs", ctypes.c_int64),
        ("run_ns", ctypes.c_int64),
        ("num_kernels", ctypes.c_int32),
        ("kernel_ns", ctypes.POINTER(ctypes.c_int64)),
    ]


class TensorStruct(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int),
        ("rank", ctypes.c_int32),
        ("dims", ctypes.c_int64 * MAX_RANK),
    ]


_c_status = ctypes.c_int
_c_model = ctypes.c_void_p
_c_context = ctypes.c_void_p

# name: (restype, argtypes)
_FUNCTIONS = {
    "tessera_abi_version": (ctypes.c_int32, []),
    "tessera_last_error": (ctypes.c_char_p, []),
    "tessera_model_load": (_c_status, [ctypes.c_int32, ctypes.c_char_p,
                                       ctypes.POINTER(_c_model)]),
    "tessera_model_free": (None, [_c_model]),
    "tessera_model_name": (ctypes.c_char_p, [_c_model]),
    "tessera_model_num_inputs": (ctypes.c_int32, [_c_model]),
    "tessera_model_num_outputs": (ctypes.c_int32, [_c_model]),
    "tessera_model_input_info": (_c_status, [
        _c_model, ctypes.c_int32, ctypes.POINTER(TensorInfoStruct)]),
    "tessera_model_output_info": (_c_status, [
        _c_model, ctypes.c_int32, ctypes.POINTER(TensorInfoStruct)]),
    "tessera_model_input_index": (ctypes.c_int32, [_c_model, ctypes.c_char_p]),
    "tessera_model_output_index": (ctypes.c_int32, [_c_model, ctypes.c_char_p]),
    "tessera_model_arena_bytes": (ctypes.c_int64, [_c_model]),
    "tessera_model_num_kernels": (ctypes.c_int32, [_c_model]),
    "tessera_model_kernel_info": (_c_status, [
        _c_model, ctypes.c_int32, ctypes.POINTER(KernelInfoStruct)]),
    "tessera_context_create": (_c_status, [_c_model,
                                           ctypes.POINTER(_c_context)]),
    "tessera_context_free": (None, [_c_context]),
    "tessera_context_set_num_threads": (_c_status, [_c_context,
                                                    ctypes.c_int32]),
    "tessera_context_set_input": (_c_status, [
        _c_context, ctypes.c_int32, ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_int64), ctypes.c_int32, ctypes.c_int]),
    "tessera_context_run": (_c_status, [_c_context]),
    "tessera_context_get_output": (_c_status, [
        _c_context, ctypes.c_int32, ctypes.POINTER(TensorStruct)]),
    "tessera_context_set_profiling": (_c_status, [_c_context,
                                                  ctypes.c_int32]),
    "tessera_context_get_profile": (_c_status, [
        _c_context, ctypes.POINTER(ProfileStruct)]),
}


class Library:
    """A dlopen()ed package with every ABI function resolved and typed.

    Attributes are the functions without their "tessera_" prefix:
    ``lib.model_load(...)``.
    """

    def __init__(self, path):
        self.path = os.path.abspath(os.fspath(path))
        if not os.path.exists(self.path):
            raise FileNotFoundError(
                "no such tessera package: '%s'" % os.fspath(path))
        try:
            self._dll = ctypes.CDLL(self.path,
                                    mode=os.RTLD_NOW | os.RTLD_LOCAL)
        except OSError as error:
            raise TesseraError(
                Status.INVALID_ARGUMENT,
                "'%s' is not a tessera package: cannot load it as a shared "
                "library (%s)" % (self.path, error)) from None
        # A package of another ABI may lack functions of this one: say
        # which ABI it has rather than which function it lacks.
        version_function = getattr(self._dll, "tessera_abi_version", None)
        if version_function is not None:
            version_function.restype, version_function.argtypes = \
                _FUNCTIONS["tessera_abi_version"]
            version = version_function()
            if version != ABI_VERSION:
                raise TesseraError(
                    Status.ABI_MISMATCH,
                    "'%s' was built for tessera ABI version %d, but this "
                    "tessera module speaks version %d; recompile the model"
                    % (self.path, version, ABI_VERSION))
        for name, (restype, argtypes) in _FUNCTIONS.items():
            try:
                function = getattr(self._dll, name)
            except AttributeError:
                raise TesseraError(
                    Status.INVALID_ARGUMENT,
                    "'%s' is not a tessera package: it does not export '%s'"
                    % (self.path, name)) from None
            function.restype = restype
            function.argtypes = argtypes
            # tessera_last_error is wrapped by the last_error() method.
            attribute = name[len("tessera_"):]
            if attribute == "last_error":
                attribute = "_last_error"
            setattr(self, attribute, function)

    def last_error(self):
        """tessera_last_error() of the calling thread, decoded."""
        message = self._last_error()
        if not message:
            return "(the package gave no error message)"
        return message.decode("utf-8", "replace")

    def error(self, status, input_name=None):
        """A TesseraError for a failed call, with the thread's last error.

        Must be called on the thread that made the failing call, right after
        it. With `input_name`, the message is prefixed with "input 'NAME': "
        unless it already names the input.
        """
        message = self.last_error()
        if input_name is not None and ("'%s'" % input_name) not in message \
                and ('"%s"' % input_name) not in message:
            message = "input '%s': %s" % (input_name, message)
        return TesseraError(status, message)
