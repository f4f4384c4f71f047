"""The one place where Python values become C arguments.

Every string, timestamp and integer the bindings hand to the library goes
through these helpers, so that every call checks them the same way:

- text (:func:`text`): ``str`` is encoded as UTF-8, ``bytes`` passes as it
  is (the library rejects what is not UTF-8), ``None`` is NULL where the C
  argument may be NULL.  A NUL byte is rejected with :class:`StringError`:
  C would read the string only up to it and silently record something else
  (``"alice\\x00evil"`` as ``"alice"``).
- timestamps (:func:`ts`): an ``int`` (seconds since the epoch) or an
  *aware* :class:`datetime.datetime` (its instant, rounded down to the
  second).  A naive datetime is a :class:`TypeError`: its instant depends on
  a time zone the engine cannot guess.
- integers (:func:`integer`): anything with ``__index__`` (not ``bool``, not
  ``float``), within the range of the C type.

A wrong type raises :class:`PlauditTypeError` (a ``TypeError`` and a
``PlauditError``) naming the argument, never ctypes' bare
``ArgumentError``.
"""

from __future__ import annotations

import datetime as _dt
import operator
import os
from typing import Any, Optional

from . import errors as E

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1
INT_MIN = -(1 << 31)
INT_MAX = (1 << 31) - 1
UINT_MAX = (1 << 32) - 1

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_SECOND = _dt.timedelta(seconds=1)


def _type_error(name: str, want: str, v: Any) -> E.PlauditTypeError:
    return E.PlauditTypeError(E.EINVAL, f"{name}: expected {want}, not {type(v).__name__}")


def _nul(name: str, at: int) -> E.StringError:
    return E.StringError(E.ESTRING, f"{name}: NUL byte at offset {at} (C strings end at NUL)")


def text(v: Any, name: str) -> Optional[bytes]:
    """A C string argument (``const char *``) from str, bytes or None."""
    if v is None:
        return None
    if v.__class__ is str:
        if "\0" in v:
            raise _nul(name, v.index("\0"))
        return v.encode("utf-8", "surrogateescape")
    if v.__class__ is bytes:
        if b"\0" in v:
            raise _nul(name, v.index(b"\0"))
        return v
    if isinstance(v, str):
        return text(str(v), name)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return text(bytes(v), name)
    raise _type_error(name, "str, bytes or None", v)


def required_text(v: Any, name: str) -> bytes:
    """Like :func:`text`, but None is a TypeError too."""
    b = text(v, name)
    if b is None:
        raise _type_error(name, "str or bytes", v)
    return b


def buffer(v: Any, name: str) -> bytes:
    """Text passed with its length (JSON documents, event lines): NUL bytes
    are the library's to report (they are not a truncation there)."""
    if v.__class__ is bytes:
        return v
    if isinstance(v, str):
        return v.encode("utf-8", "surrogateescape")
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    raise _type_error(name, "str or bytes", v)


def path(v: Any, name: str = "path") -> bytes:
    """A file name argument (str, bytes or os.PathLike)."""
    try:
        b = os.fsencode(v)
    except TypeError:
        raise _type_error(name, "str, bytes or os.PathLike", v) from None
    if b"\0" in b:
        raise _nul(name, b.index(b"\0"))
    return b


def integer(v: Any, name: str, lo: int = INT64_MIN, hi: int = INT64_MAX) -> int:
    """An integer argument within [lo, hi]."""
    if v.__class__ is not int:
        if isinstance(v, (bool, float)) or not hasattr(type(v), "__index__"):
            raise _type_error(name, "int", v)
        v = operator.index(v)
    if not lo <= v <= hi:
        raise E.RangeError(E.ERANGE, f"{name}: {v} is out of range ({lo}..{hi})")
    return v


def ts(v: Any, name: str = "ts") -> int:
    """A timestamp argument: int seconds since the epoch, or an aware
    datetime (rounded down to the whole second)."""
    if v.__class__ is int:
        if not INT64_MIN <= v <= INT64_MAX:
            raise E.RangeError(E.ERANGE, f"{name}: {v} is out of range")
        return v
    if isinstance(v, _dt.datetime):
        if v.tzinfo is None or v.tzinfo.utcoffset(v) is None:
            raise E.PlauditTypeError(
                E.EINVAL,
                f"{name}: naive datetime {v.isoformat()} has no time zone, so its instant is ambiguous; "
                "give an aware one (e.g. datetime(..., tzinfo=timezone.utc)) or an int timestamp")
        return (v - _EPOCH) // _SECOND
    if isinstance(v, _dt.date):
        raise _type_error(name, "an int timestamp or an aware datetime (a date has no time)", v)
    if isinstance(v, (bool, float)) or not hasattr(type(v), "__index__"):
        raise _type_error(name, "an int timestamp or an aware datetime", v)
    return integer(v, name)


def opt_ts(v: Any, name: str, none: int) -> int:
    """A timestamp that may be None (given to C as `none`)."""
    return none if v is None else ts(v, name)


def flag(v: Any) -> int:
    """A C boolean (any truth value)."""
    return 1 if v else 0


__all__ = ["text", "required_text", "buffer", "path", "integer", "ts", "opt_ts", "flag"]
