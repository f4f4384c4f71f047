"""Python bindings for libplaudit, the embeddable recognition and
gamification engine (points, tiers, badges, leaderboards, kudos, rewards).

Quick start::

    import plaudit

    with plaudit.Engine({"format": "plaudit.program/1",
                         "actions": [{"id": "forum.answer", "points": 10}]}) as eng:
        out = eng.record_action(1767225600, "alice", "forum.answer")
        print(out.points, eng.member("alice").points)

The library is loaded through ctypes when this package is imported: the file
named by ``PLAUDIT_LIBRARY``, else a build next to the package, else the
system's (see :mod:`plaudit._lib`).  Failures raise :class:`PlauditError`
subclasses, one per error code, carrying the library's message.
"""

from __future__ import annotations

from . import _conv, _lib
from .engine import Engine, Listener, has_json
from .errors import (
    ERRORS,
    CallbackError,
    ConflictError,
    CorruptError,
    DisabledError,
    EngineClosedError,
    ExistsError,
    FundsError,
    HistoryError,
    InvalidArgumentError,
    LimitError,
    LockedError,
    NoMemoryError,
    NotFoundError,
    ParseError,
    PlauditError,
    PlauditIOError,
    PlauditTypeError,
    RangeError,
    SelfKudosError,
    StateError,
    StockError,
    StringError,
    TimeError,
    UnsupportedError,
    UTF8Error,
    VersionError,
)
from .events import parse_line
from .store import SQLiteStore, Store
from .live import OutboxInfo, WindowInfo
from . import credential  # noqa: E402,F401  (adds Engine.credential)
from . import analytics  # noqa: E402,F401  (adds Engine.enable_analytics, Engine.analytics)
from .model import (
    BadgeEarned,
    BadgeProgress,
    BatchResult,
    Criterion,
    Event,
    EventType,
    HistoryEntry,
    HistoryPage,
    Member,
    Moment,
    MomentKind,
    Outcome,
    Period,
    Progress,
    ProgramInfo,
    Rank,
    RankEntry,
    Recovery,
    Source,
    Stats,
    Status,
    SyncPolicy,
)

__version__ = "2.0.0"  # = the version in meson.build (tests/test-install.py and test-packaging.py check)

#: The loaded library's version string and number, and its path.
LIBRARY_VERSION: str = _lib.VERSION
LIBRARY_VERSION_NUMBER: int = _lib.VERSION_NUMBER
LIBRARY_PATH: str = _lib.LIBRARY_PATH

DUPLICATE = _lib.PLAUDIT_DUPLICATE
HELD = 2  # PLAUDIT_HELD: an event call whose event the reorder window holds
UNSET = _lib.PLAUDIT_UNSET
MAX_LEVELS = _lib.PLAUDIT_MAX_LEVELS
MAX_VALUE = _lib.PLAUDIT_MAX_VALUE
MAX_TS = _lib.PLAUDIT_MAX_TS
#: ``Engine(history=HISTORY_ALL)``: every member keeps its whole points history.
HISTORY_ALL = "all"


def version() -> str:
    """The library's version, "MAJOR.MINOR.PATCH" (plaudit_version)."""
    return _lib._lib.plaudit_version().decode()


def version_number() -> int:
    """MAJOR * 10000 + MINOR * 100 + PATCH (plaudit_version_number)."""
    return _lib._lib.plaudit_version_number()


def strerror(code: int) -> str:
    """The fixed English text of an error code (plaudit_strerror)."""
    return _lib._lib.plaudit_strerror(code).decode()


def crc32c(data: bytes, crc: int = 0) -> int:
    """CRC-32C (Castagnoli) of `data`, continued from `crc` (plaudit_crc32c):
    the checksum of the storage formats (docs/storage-format.md)."""
    b = bytes(data)
    return _lib._lib.plaudit_crc32c(_conv.integer(crc, "crc", 0, 0xFFFFFFFF), b, len(b))


def period_name(period: Period | int) -> str | None:
    """"day", "week", ...; None for Period.NONE (plaudit_period_name)."""
    p = _lib._lib.plaudit_period_name(_conv.integer(period, "period", _conv.INT_MIN, _conv.INT_MAX))
    return None if p is None else p.decode()


def period_parse(name: str) -> Period:
    """A period from its name; Period.NONE when unknown (plaudit_period_parse)."""
    return Period(_lib._lib.plaudit_period_parse(_conv.required_text(name, "name")))


def event_type_name(t: EventType | int) -> str | None:
    """"action", "join", ...; None for an unknown value (plaudit_event_type_name)."""
    p = _lib._lib.plaudit_event_type_name(_conv.integer(t, "t", _conv.INT_MIN, _conv.INT_MAX))
    return None if p is None else p.decode()


__all__ = [
    "Engine", "Listener", "has_json", "parse_line", "version", "version_number", "strerror",
    "period_name", "period_parse", "event_type_name", "crc32c",
    "BadgeEarned", "BadgeProgress", "BatchResult", "Criterion", "Event", "EventType", "HistoryEntry",
    "HistoryPage", "HISTORY_ALL", "Member", "Moment",
    "MomentKind", "Outcome", "Period", "Progress", "ProgramInfo", "Rank", "RankEntry", "Source", "Stats",
    "Status", "Recovery", "SyncPolicy", "Store", "SQLiteStore", "WindowInfo", "OutboxInfo", "HELD",
    "ERRORS", "PlauditError", "CallbackError", "ConflictError", "CorruptError", "DisabledError",
    "EngineClosedError", "ExistsError", "FundsError", "HistoryError",
    "InvalidArgumentError", "LimitError", "LockedError",
    "NoMemoryError", "NotFoundError", "ParseError", "PlauditIOError", "PlauditTypeError", "RangeError", "SelfKudosError",
    "StateError", "StockError", "StringError", "TimeError", "UnsupportedError", "UTF8Error", "VersionError",
    "LIBRARY_VERSION", "LIBRARY_VERSION_NUMBER", "LIBRARY_PATH", "DUPLICATE", "UNSET", "MAX_LEVELS",
    "MAX_VALUE", "MAX_TS",
]
