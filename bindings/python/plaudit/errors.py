"""Exceptions: one class per libplaudit error code.

Every negative code a C call returns is raised as the class registered for
it, carrying the code and the library's message (``plaudit_errmsg`` of the
context, or ``plaudit_strerror`` when there is no context).  All of them
derive from :class:`PlauditError`; most also derive from the matching
built-in exception so that ordinary ``except ValueError`` / ``LookupError``
handlers keep working:

- ``ValueError``: InvalidArgumentError, ExistsError, RangeError, UTF8Error,
  StringError, TimeError, ConflictError, SelfKudosError, VersionError,
  ParseError
- ``TypeError``: PlauditTypeError (a wrong argument type, found in Python)
- ``LookupError``: NotFoundError
- ``MemoryError``: NoMemoryError
- ``OSError``: PlauditIOError, LockedError
- ``RuntimeError``: StateError (and EngineClosedError), HistoryError
- ``NotImplementedError``: UnsupportedError

The rule rejections (LimitError, FundsError, StockError, DisabledError),
CallbackError and CorruptError have no built-in counterpart.
"""

from __future__ import annotations

from typing import Any, Optional

OK = 0
EINVAL = -1
ENOMEM = -2
ENOTFOUND = -3
EEXIST = -4
ERANGE = -5
EUTF8 = -6
ESTRING = -7
ETIME = -8
ECONFLICT = -9
ELIMIT = -10
EFUNDS = -11
ESTOCK = -12
ESELF = -13
EDISABLED = -14
ESTATE = -15
EUSER = -16
EIO = -17
ECORRUPT = -18
EVERSION = -19
EPARSE = -20
ELOCKED = -21
EUNSUPPORTED = -22
EHISTORY = -23


class PlauditError(Exception):
    """A libplaudit call failed.

    ``code`` is the negative ``plaudit_error`` value, ``message`` the
    library's detail.  Errors raised by an event call also carry the
    rejected :class:`~plaudit.Outcome` in ``outcome`` (``None`` otherwise).
    """

    code: int = 0

    def __init__(self, code: Optional[int] = None, message: str = "", outcome: Any = None) -> None:
        if code is None:
            code = type(self).code
        self.code = code
        self.message = message
        self.outcome = outcome
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}, {self.message!r})"

    def __reduce__(self) -> Any:
        return (type(self), (self.code, self.message))


class InvalidArgumentError(PlauditError, ValueError):
    """PLAUDIT_EINVAL: NULL, a bad value, the wrong kind."""

    code = EINVAL


class NoMemoryError(PlauditError, MemoryError):
    """PLAUDIT_ENOMEM: an allocation failed; nothing changed."""

    code = ENOMEM


class NotFoundError(PlauditError, LookupError):
    """PLAUDIT_ENOTFOUND: unknown id (rule, member, zone)."""

    code = ENOTFOUND


class ExistsError(PlauditError, ValueError):
    """PLAUDIT_EEXIST: a duplicate id, or the member already exists."""

    code = EEXIST


class RangeError(PlauditError, ValueError):
    """PLAUDIT_ERANGE: a value out of range."""

    code = ERANGE


class UTF8Error(PlauditError, ValueError):
    """PLAUDIT_EUTF8: text that is not valid UTF-8."""

    code = EUTF8


class StringError(PlauditError, ValueError):
    """PLAUDIT_ESTRING: empty or over-long string, control characters, or
    characters not allowed in an id."""

    code = ESTRING


class TimeError(PlauditError, ValueError):
    """PLAUDIT_ETIME: time went backwards."""

    code = ETIME


class ConflictError(PlauditError, ValueError):
    """PLAUDIT_ECONFLICT: an idempotency key reused with other content."""

    code = ECONFLICT


class LimitError(PlauditError):
    """PLAUDIT_ELIMIT: a give cap or a configured limit was hit."""

    code = ELIMIT


class FundsError(PlauditError):
    """PLAUDIT_EFUNDS: balance below the reward's cost."""

    code = EFUNDS


class StockError(PlauditError):
    """PLAUDIT_ESTOCK: reward out of stock."""

    code = ESTOCK


class SelfKudosError(PlauditError, ValueError):
    """PLAUDIT_ESELF: kudos to oneself."""

    code = ESELF


class DisabledError(PlauditError):
    """PLAUDIT_EDISABLED: a feature the program does not declare."""

    code = EDISABLED


class StateError(PlauditError, RuntimeError):
    """PLAUDIT_ESTATE: the call is not allowed now (declaring after the first
    event, changing the engine from inside a listener, a closed engine)."""

    code = ESTATE


class EngineClosedError(StateError):
    """The engine was closed; its handle is gone (code PLAUDIT_ESTATE)."""


class CallbackError(PlauditError):
    """PLAUDIT_EUSER: a Python callback (listener or store) raised.

    The original exception is ``__cause__`` (and ``original``).  For a
    store callback the C call failed and changed nothing; for a listener the
    event stays accepted (listeners run after the event is applied and cannot
    fail it) and ``outcome`` holds its outcome.
    """

    code = EUSER

    @property
    def original(self) -> Optional[BaseException]:
        return self.__cause__


class PlauditIOError(PlauditError, OSError):
    """PLAUDIT_EIO: an operating-system I/O call failed."""

    code = EIO

    def __init__(self, code: Optional[int] = None, message: str = "", outcome: Any = None) -> None:
        PlauditError.__init__(self, code, message, outcome)

    def __str__(self) -> str:
        return self.message


class CorruptError(PlauditError):
    """PLAUDIT_ECORRUPT: stored data failed its checks."""

    code = ECORRUPT


class VersionError(PlauditError, ValueError):
    """PLAUDIT_EVERSION: an unknown struct or format version."""

    code = EVERSION


class ParseError(PlauditError, ValueError):
    """PLAUDIT_EPARSE: malformed JSON or event line."""

    code = EPARSE


class LockedError(PlauditError, OSError):
    """PLAUDIT_ELOCKED: the store is locked by another process."""

    code = ELOCKED

    def __init__(self, code: Optional[int] = None, message: str = "", outcome: Any = None) -> None:
        PlauditError.__init__(self, code, message, outcome)

    def __str__(self) -> str:
        return self.message


class UnsupportedError(PlauditError, NotImplementedError):
    """PLAUDIT_EUNSUPPORTED: the library was built without the feature (or
    is older than the function)."""

    code = EUNSUPPORTED


class HistoryError(PlauditError, RuntimeError):
    """PLAUDIT_EHISTORY: a retroactive replay (the program changed) needs
    journal records that a snapshot compacted away."""

    code = EHISTORY


class PlauditTypeError(PlauditError, TypeError):
    """An argument of the wrong type (code PLAUDIT_EINVAL), raised by the
    bindings before the call reaches C; the message names the argument."""

    code = EINVAL


# code -> class
ERRORS: dict[int, type[PlauditError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        NoMemoryError,
        NotFoundError,
        ExistsError,
        RangeError,
        UTF8Error,
        StringError,
        TimeError,
        ConflictError,
        LimitError,
        FundsError,
        StockError,
        SelfKudosError,
        DisabledError,
        StateError,
        CallbackError,
        PlauditIOError,
        CorruptError,
        VersionError,
        ParseError,
        LockedError,
        UnsupportedError,
        HistoryError,
    )
}


def from_code(code: int, message: str = "", outcome: Any = None) -> PlauditError:
    """The exception for a negative code (a plain PlauditError for a code
    these bindings do not know yet: codes are only ever added)."""
    cls = ERRORS.get(code, PlauditError)
    return cls(code, message, outcome)


__all__ = [name for name in dir() if name.endswith("Error")] + ["ERRORS", "from_code"]
