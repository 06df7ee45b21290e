"""Exceptions raised by the tessera Python API."""

import enum

__all__ = ["Status", "TesseraError", "CompileError"]


class Status(enum.IntEnum):
    """tessera_status_t of tessera_runtime.h."""

    OK = 0
    INVALID_ARGUMENT = 1  # null pointer, index out of range, bad call
    SHAPE_MISMATCH = 2  # wrong rank or dimension
    DTYPE_MISMATCH = 3  # wrong element type
    MISSING_INPUT = 4  # run before every input was set
    IO = 5  # external weights unreadable
    OUT_OF_MEMORY = 6
    ABI_MISMATCH = 7
    INTERNAL = 8


class TesseraError(Exception):
    """An error reported by a model package (or found before calling it).

    ``status`` is the tessera_status_t code (a :class:`Status` where the
    code is known, else a plain int); ``str(error)`` is the message, usually
    tessera_last_error().
    """

    def __init__(self, status, message):
        try:
            status = Status(status)
        except ValueError:
            status = int(status)
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self):
        return self.message

    def __repr__(self):
        status = self.status
        name = status.name if isinstance(status, Status) else status
        return "TesseraError(%s, %r)" % (name, self.message)


class CompileError(Exception):
    """tessera-compile failed (or could not be found).

    The message includes the compiler's stderr. ``returncode`` is its exit
    status (None when it did not run), ``stderr`` its error output and
    ``command`` the command line.
    """

    def __init__(self, message, returncode=None, stderr="", command=()):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr
        self.command = list(command)
