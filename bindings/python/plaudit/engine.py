"""The Engine: one plaudit_ctx with a Pythonic API over the whole C API.

Ownership: the Engine owns its context and frees it in :meth:`close` (also
on ``with`` exit and, as a last resort, when garbage collected).  Everything
it returns is a copy: strings are ``str``, structs are dataclasses, so
nothing refers to context-owned C memory after a call returns.

Threads: an Engine may be shared by threads.  Like the C context, it runs
one call at a time: every public method (and property) holds the engine's
lock for the whole call, so calls from several threads run one after the
other (ctypes releases the GIL inside C, so without it two threads would be
in the context at once).  The lock is re-entrant (an RLock) because
listeners and Python stores run inside a call, on the calling thread, and
may query the engine; a listener that waits for another thread that uses
the same engine deadlocks.  Separate engines do not share a lock.
"""

from __future__ import annotations

import ctypes
import datetime
import functools
import json
import os
import threading
import weakref
from struct import error as struct_error
from ctypes import byref, c_char_p, c_int, c_int64, c_size_t, c_uint64, c_void_p
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence, Union

from . import _conv as C
from . import _lib as L
from . import errors as E
from . import events as _events
from . import program as _program
from .store import Store, _StoreBridge
from .live import LiveMixin
from .model import (
    BadgeEarned,
    BadgeProgress,
    BatchResult,
    Criterion,
    Event,
    EventType,
    HistoryEntry,
    HistoryPage,
    LeaderboardInfo,
    Member,
    Moment,
    PartProgress,
    MomentKind,
    Outcome,
    PeriodLike,
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

lib = L._lib
_UNSET = L.PLAUDIT_UNSET

# Function pointers looked up once (the hot paths use these module globals).
_record = lib.plaudit_record
_record_action = lib.plaudit_record_action
_record_join = lib.plaudit_record_join
_record_kudos = lib.plaudit_record_kudos
_record_redeem = lib.plaudit_record_redeem
_record_award = lib.plaudit_record_award
_record_adjust = lib.plaudit_record_adjust
_record_segment = lib.plaudit_record_segment
_record_preferences = lib.plaudit_record_preferences
_record_tick = lib.plaudit_record_tick
_program_update = lib.plaudit_program_update
_record_batch = lib.plaudit_record_batch
_errmsg = lib.plaudit_errmsg

_STATUS = (Status.ACCEPTED, Status.DUPLICATE, Status.REJECTED, Status.HELD)
_KINDS = tuple(MomentKind)
_SOURCES = tuple(Source)
_CRITERIA = tuple(Criterion)

StrLike = Union[str, bytes]
# A timestamp: int seconds since the epoch, or an aware datetime (_conv.ts).
TsLike = Union[int, "datetime.datetime"]
PathLike = Union[str, bytes, "os.PathLike[str]"]

_CRITERION_NAMES = {
    "manual": Criterion.MANUAL,
    "action_count": Criterion.ACTION_COUNT,
    "action_streak": Criterion.ACTION_STREAK,
    "distinct_actions": Criterion.DISTINCT_ACTIONS,
    "points": Criterion.POINTS,
    "tenure_days": Criterion.TENURE_DAYS,
    "kudos_received": Criterion.KUDOS_RECEIVED,
    "kudos_given": Criterion.KUDOS_GIVEN,
    "tier": Criterion.TIER,
    "leaderboard": Criterion.LEADERBOARD,
    "all": Criterion.ALL,
}

_LISTENER_METHODS = ("on_points", "on_badge", "on_tier", "on_redeem", "on_kudos", "on_revoke")
_EVENT_TYPES = tuple(EventType)


# Every argument crosses into C through the helpers of _conv (one place
# that rejects NUL bytes, wrong types and naive datetimes).
_text = C.text
_ts = C.ts
_int = C.integer


def _dec(b: Optional[bytes]) -> Optional[str]:
    return None if b is None else b.decode("utf-8", "surrogateescape")


def _period(p: PeriodLike) -> int:
    """A period as its C value, from a Period, an int or a name."""
    if p is None:
        return 0
    if isinstance(p, str):
        if not p:
            return 0
        v = lib.plaudit_period_parse(_text(p, "period"))
        if v == 0:
            raise E.InvalidArgumentError(E.EINVAL, f"unknown period \"{p}\"")
        return v
    return _int(p, "period", 0, C.INT_MAX)


def _opt_int(v: Optional[int], name: str) -> int:
    return _UNSET if v is None else _int(v, name)


def _period_name(v: int) -> Optional[str]:
    n = lib.plaudit_period_name(v) if v else None
    return n.decode() if n else None


_BOARD_BY = {"member": 0, "team": 1}


def _moment(m: Any) -> Moment:
    """Copy a plaudit_moment into a Moment (only the fields of its kind)."""
    kind = m.kind
    member = m.member
    mo = Moment(_KINDS[kind], m.ts, member.decode() if member is not None else "")
    mo.seq = m.seq
    mo.redelivered = bool(m.redelivered)
    if kind == 0:  # POINTS
        mo.points = m.points
        mo.source = _SOURCES[m.source]
        mo.source_id = _dec(m.source_id)
        if m.source == 4:  # REVOKE
            mo.revoked_event = _dec(m.revoked_event)
            mo.revoked_ref = _dec(m.revoked_ref)
    elif kind == 1:  # BADGE
        mo.badge = _dec(m.badge)
        mo.level = m.level
        mo.times = m.times
        mo.leaderboard = _dec(m.leaderboard)
    elif kind == 2:  # TIER
        mo.tier_from = _dec(m.tier_from)
        mo.tier_to = _dec(m.tier_to)
        mo.promoted = bool(m.promoted)
    elif kind == 3:  # REDEEM
        mo.reward = _dec(m.reward)
        mo.cost = m.cost
    elif kind == 4:  # KUDOS
        mo.to = _dec(m.to)
    elif kind == 5:  # REVOKE
        mo.to = _dec(m.to)
        mo.points = m.points
        mo.balance = m.balance
        mo.revoked_event = _dec(m.revoked_event)
        mo.revoked_ref = _dec(m.revoked_ref)
        mo.revoked_type = _EVENT_TYPES[m.revoked_type]
        mo.revoked_ts = m.revoked_ts
        mo.badge = _dec(m.badge)
        mo.times = m.times
        mo.reward = _dec(m.reward)
        mo.cost = m.cost
    return mo


def _outcome(rc: int, out: L.plaudit_outcome) -> Outcome:
    """Copy a filled plaudit_outcome (moments included)."""
    if rc == 0:
        n = out.n_moments
        if n:
            ms = out.moments
            moments = tuple([_moment(ms[i]) for i in range(n)])
        else:
            moments = ()
        return Outcome(Status.ACCEPTED, 0, "", out.points, moments, out.n_badges, out.n_tier_changes, out.arrival)
    msg = out.message
    o = Outcome(_STATUS[out.status], out.code, msg.decode("utf-8", "replace") if msg else "")
    o.arrival = out.arrival
    if rc == 2:  # PLAUDIT_HELD
        o.message = ""
    return o


def _take_string(ctx: int, p: c_void_p, n: c_size_t) -> str:
    """Copy and free a `char **` result of the library."""
    try:
        return ctypes.string_at(p.value, n.value).decode("utf-8") if p.value else ""
    finally:
        lib.plaudit_free(ctx, p)


# ---- packing event arrays for batches ------------------------------------
#
# Initialising a ctypes struct array from tuples costs about 2 us per event,
# several times what the engine spends on it.  On CPython the array is packed
# with the struct module instead: a bytes object's data sits at a fixed
# offset from its id(), measured here against ctypes itself; the bytes objects
# are kept referenced (`keep`) for the whole C call.  Anywhere that cannot be
# verified, the portable tuple initialisation is used.

def _bytes_data_offset() -> Optional[int]:
    import platform
    if platform.python_implementation() != "CPython":
        return None
    offs = set()
    for b in (b"x", b"plaudit", bytes(range(1, 200))):
        offs.add(ctypes.cast(c_char_p(b), c_void_p).value - id(b))  # type: ignore[operator]
    return offs.pop() if len(offs) == 1 else None


def _event_packer() -> Optional[Any]:
    import struct
    off = _bytes_data_offset()
    if off is None:
        return None
    S = struct.Struct("@iqPPPqPiPP")
    F = L.plaudit_event
    want = [F.type.offset, F.ts.offset, F.id.offset, F.member.offset, F.target.offset, F.points.offset,
            F.reason.offset, F.flag.offset, F.ref.offset, F.document.offset]
    # the struct module's native layout must be the ctypes (= C) layout
    probe = S.pack(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
    if S.size > ctypes.sizeof(F):
        return None
    c = F.from_buffer_copy(probe + bytes(ctypes.sizeof(F) - S.size))
    if (c.type, c.ts, c.points, c.flag) != (1, 2, 6, 8) or want[0] != 0:
        return None
    if [S.pack(*[0] * i, 1, *[0] * (9 - i)).find(b"\x01") for i in range(10)] != want:
        return None
    return S, off


_PACKER = _event_packer()


def _pack_events(events: Sequence[Event]) -> tuple[Any, Any]:
    """A plaudit_event array for `events`, and what must stay alive while C
    reads it."""
    n = len(events)
    Arr = L.plaudit_event * n
    if _PACKER is None:
        arr = Arr(*[_event_fields(e, i) for i, e in enumerate(events)])
        return arr, None
    S, off = _PACKER
    size = ctypes.sizeof(L.plaudit_event)
    buf = bytearray(size * n)
    pack = S.pack_into
    cache: dict[Any, bytes] = {}  # str -> its UTF-8 bytes (also keeps them alive)
    keep: list[bytes] = []

    def addr(v: Any) -> int:
        b = cache.get(v)
        if b is None:
            b = _text(v, "string")
            if b is None:
                return 0
            cache[v] = b
        return id(b) + off

    try:
        for i, e in enumerate(events):
            v = e.member
            mp = 0 if v is None else (id(cache[v]) + off if v in cache else addr(v))
            v = e.target
            tp = 0 if v is None else (id(cache[v]) + off if v in cache else addr(v))
            ip = 0 if e.id is None else addr(e.id)
            rp = 0 if e.reason is None else addr(e.reason)
            fp = 0 if e.ref is None else addr(e.ref)
            dp = 0 if e.document is None else addr(e.document)
            t = e.ts
            pack(buf, i * size, e.type, t if t.__class__ is int else _ts(t, "ts"), ip, mp, tp, e.points, rp,
                 e.flag, fp, dp)
    except (struct_error, AttributeError, E.PlauditError) as ex:
        # name the event and the field: check it alone
        _event_fields(events[i], i)
        raise E.PlauditTypeError(E.EINVAL, f"event {i}: {ex}") from None
    keep.append(cache)  # type: ignore[arg-type]
    return Arr.from_buffer(buf), (keep, buf)


def _event_fields(e: Event, i: Optional[int] = None) -> tuple:
    """The plaudit_event fields of `e`, each checked (TypeError, RangeError,
    StringError naming the field, and the event's index in a batch)."""
    at = "event" if i is None else f"event {i}"
    if not isinstance(e, Event):
        raise C._type_error(at, "plaudit.Event", e)
    return (_int(e.type, f"{at}: type", C.INT_MIN, C.INT_MAX), _ts(e.ts, f"{at}: ts"),
            _text(e.id, f"{at}: id"), _text(e.member, f"{at}: member"), _text(e.target, f"{at}: target"),
            _int(e.points, f"{at}: points"), _text(e.reason, f"{at}: reason"), C.flag(e.flag),
            _text(e.ref, f"{at}: ref"), _text(e.document, f"{at}: document"))


def _locks_itself(fn: Any) -> Any:
    """Mark a method that holds the engine's lock itself (left alone by
    _serialize_class)."""
    fn._plaudit_serialized = True
    return fn


class Listener:
    """Base class for recognition listeners: override the moments you want.

    Each method gets a :class:`Moment` (a copy: keep it as long as you like).
    Listeners run after the event has been applied; they may query the
    engine, but recording, declaring or changing the listener from inside
    one raises :class:`StateError`.  An exception raised by a listener does
    not undo the event: it is kept, the remaining moments are still
    delivered, and once the C call has returned the event call raises
    :class:`CallbackError` (its ``__cause__`` is your exception and its
    ``outcome`` the accepted outcome).
    """

    def on_points(self, moment: Moment) -> None:
        """Points awarded (net, non-zero)."""

    def on_badge(self, moment: Moment) -> None:
        """A badge level unlocked, or a badge earned again."""

    def on_tier(self, moment: Moment) -> None:
        """A tier promotion or demotion."""

    def on_redeem(self, moment: Moment) -> None:
        """A reward redeemed."""

    def on_kudos(self, moment: Moment) -> None:
        """Kudos given."""

    def on_revoke(self, moment: Moment) -> None:
        """An earlier event revoked (format 2): ``revoked_event`` /
        ``revoked_ref`` say which, ``points`` / ``balance`` what was taken
        back, ``badge`` / ``times`` a manual award dropped, ``reward`` /
        ``cost`` a refund."""

    def on_outcome(self, event: Event, outcome: Outcome) -> None:
        """The outcome of an event the reorder window held (its call
        returned a held outcome), now that it is released: accepted,
        duplicate or rejected.  Called after the moment methods of its
        moments.  For a line held although invalid, `event` has only its
        ts."""


class Engine(LiveMixin):
    """A Plaudit engine (one ``plaudit_ctx``).

    ``Engine(program)`` creates a context and, when `program` is given,
    loads it: a dict (the spec's program document), a JSON string, or a
    path (:class:`os.PathLike`).  Options: `tzdir` (the time-zone database
    folder; default the system's), `idempotency_retention_s` (0 keeps every
    event id), `max_members` (0: unlimited), `max_member_bytes` (the most
    state a program may give each member, 0: the library's default of
    64 KiB; see :meth:`member_state_bytes`), `history` (how many of its
    newest points history entries each member keeps: 0, the default, keeps
    none; ``"all"`` (:data:`plaudit.HISTORY_ALL`) every one; see
    :meth:`history`), `listener`.

    Use it as a context manager, or call :meth:`close`.
    """

    _ctx: Optional[int]

    def __init__(
        self,
        program: Union[Mapping[str, Any], str, "os.PathLike[str]", None] = None,
        *,
        tzdir: Optional[str] = None,
        idempotency_retention_s: int = 0,
        max_members: int = 0,
        max_member_bytes: int = 0,
        history: Union[int, str] = 0,
        listener: Any = None,
        store: Optional[Store] = None,
    ) -> None:
        self._ctx = None
        self._lock = threading.RLock()  # one call at a time (see the module's doc)
        self._keep: dict[str, Any] = {}  # ctypes objects C may call or read
        self._cb_exc: Optional[BaseException] = None
        self._sbridge: Optional[_StoreBridge] = None  # the attached Python store's bridge
        self._store_obj: Any = None  # what attach_store was given ("file" for the file store)
        self._in_cb = 0
        self._tzdir = tzdir
        opts = L.plaudit_options()
        opts.version = L.PLAUDIT_OPTIONS_VERSION
        opts.tzdir = C.path(tzdir, "tzdir") if tzdir is not None else None
        opts.idempotency_retention_s = _int(idempotency_retention_s, "idempotency_retention_s")
        opts.max_members = _int(max_members, "max_members", 0, C.UINT64_MAX)
        opts.max_member_bytes = _int(max_member_bytes, "max_member_bytes", 0, C.UINT64_MAX)
        if isinstance(history, str):
            if history != "all":
                raise ValueError(f"history must be a count of entries per member or \"all\", not {history!r}")
            opts.history_per_member = ctypes.c_size_t(-1).value  # PLAUDIT_HISTORY_ALL
        else:
            opts.history_per_member = _int(history, "history", 0, ctypes.c_size_t(-1).value)
        h = c_void_p()
        lib.plaudit_ctx_new(byref(h), byref(opts))
        self._ctx = h.value
        self._out = L.plaudit_outcome()
        self._outp = byref(self._out)
        try:
            if listener is not None:
                self.set_listener(listener)
            if program is not None:
                if isinstance(program, Mapping):
                    self.load_program(program)
                elif isinstance(program, os.PathLike):
                    self.load_program_file(program)
                elif isinstance(program, (str, bytes)):
                    self._load_text(program)
                else:
                    raise E.PlauditTypeError(
                        E.EINVAL, f"program: expected a dict, JSON text or a pathlib.Path, not {type(program).__name__}")
            if store is not None:
                self.attach_store(store)
        except BaseException:
            self.close()
            raise

    def _load_text(self, text: StrLike) -> None:
        """`Engine(str)`: a str or bytes program is JSON text, never a file
        name.  One that is not JSON and names an existing file is refused
        with a TypeError that says to pass a pathlib.Path (loading it would
        make the meaning of a str depend on the files around)."""
        head = text.lstrip()[:1]
        if head not in ("{", b"{"):
            try:
                is_file = len(text) < 4096 and os.path.isfile(text)
            except (ValueError, TypeError, OSError):
                is_file = False
            if is_file:
                raise E.PlauditTypeError(
                    E.EINVAL, f"program: {text!r} names a file, but a str program is JSON text; "
                    f"pass pathlib.Path({text!r}) (or use Engine.from_file) to load the file")
        try:
            self.load_program_json(text)
        except E.ParseError as e:
            if head not in ("{", b"{"):
                e.message += " (a str program is JSON text; to load a file, pass a pathlib.Path)"
                e.args = (e.message,)
            raise

    def __repr__(self) -> str:
        if self._ctx is None:
            return "<plaudit.Engine closed>"
        info = self.program_info()
        parts = [f"program={info.name!r}" if info.name else "program=None",
                 f"members={self.member_count}", f"clock={self.clock}"]
        st = self._store_obj
        if st is not None:
            parts.append("store=" + (st if isinstance(st, str) else type(st).__name__))
        if info.sealed:
            parts.append("sealed")
        return f"<plaudit.Engine {' '.join(parts)}>"

    # -- life -------------------------------------------------------------

    @classmethod
    def from_file(cls, path: PathLike, **options: Any) -> "Engine":
        """An engine with the program document at `path`."""
        eng = cls(**options)
        try:
            eng.load_program_file(path)
        except BaseException:
            eng.close()
            raise
        return eng

    @classmethod
    def from_json(cls, text: StrLike, **options: Any) -> "Engine":
        """An engine with the program document `text`."""
        return cls(text, **options)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], **options: Any) -> "Engine":
        """An engine with the program document `doc` (decoded JSON)."""
        return cls(doc, **options)

    def close(self) -> None:
        """Free the context.  Closing twice is fine; any other call after
        close raises :class:`EngineClosedError`.

        With a store attached, it is detached first (synced and closed).  If
        that fails, the context is freed all the same and the error raised
        (events the sync policy had not synced yet may not be durable)."""
        err: Optional[BaseException] = None
        if self._ctx is not None and self._store_obj is not None:
            try:
                self.detach()
            except BaseException as e:
                err = e
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            lib.plaudit_ctx_free(ctx)
        self._keep.clear()
        self._sbridge = None
        self._store_obj = None
        if err is not None:
            raise err

    @property
    def closed(self) -> bool:
        return self._ctx is None

    def __enter__(self) -> "Engine":
        self._h()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # A last resort: close() or `with` is the way to free a context.
        if getattr(self, "_ctx", None) is not None:
            try:
                self.close()
            except Exception:  # pragma: no cover - interpreter shutdown
                pass

    def _h(self) -> int:
        ctx = self._ctx
        if ctx is None:
            raise E.EngineClosedError(E.ESTATE, "the engine is closed")
        return ctx

    @property
    def handle(self) -> int:
        """The raw ``plaudit_ctx *`` (for other ctypes code)."""
        return self._h()

    @property
    def errmsg(self) -> str:
        """plaudit_errmsg: the detail of the last failure ("" after a success)."""
        return (_errmsg(self._h()) or b"").decode("utf-8", "replace")

    @property
    def errcode(self) -> int:
        """plaudit_errcode: the code of the last failure (0 after a success)."""
        return lib.plaudit_errcode(self._h())

    # -- declaring a program ----------------------------------------------

    def load_program(self, doc: Mapping[str, Any], *, use_json: Optional[bool] = None) -> None:
        """Load a program document given as a dict (spec section 2).

        With the library's JSON feature (and `use_json` not False) the
        document goes through ``plaudit_program_load_json``; otherwise it is
        declared with the builder calls, checked first on a scratch engine so
        that, as with the C loader, an invalid document loads nothing."""
        ctx = self._h()
        if use_json is None:
            use_json = has_json()
        if use_json:
            text = json.dumps(doc, ensure_ascii=False).encode("utf-8")
            lib.plaudit_program_load_json(ctx, text, len(text))
            return
        info = self.program_info()
        if info.n_actions or info.n_tiers or info.n_badges or info.n_segments or info.n_leaderboards \
                or info.n_rewards or info.has_kudos:
            raise E.StateError(E.ESTATE, "a program is already declared")
        if info.sealed:
            raise E.StateError(E.ESTATE, "the program is sealed once events are recorded")
        with Engine(tzdir=self._tzdir) as scratch:
            _program.declare_program(scratch, doc)
        _program.declare_program(self, doc)

    def load_program_json(self, text: StrLike, *, use_json: Optional[bool] = None) -> None:
        """Load a program document given as JSON text."""
        ctx = self._h()
        if use_json is None:
            use_json = has_json()
        if use_json:
            b = C.buffer(text, "text")
            lib.plaudit_program_load_json(ctx, b, len(b))
            return
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise E.ParseError(E.EPARSE, f"program is not JSON: {e}") from None
        self.load_program(doc, use_json=False)

    def load_program_file(self, path: PathLike, *, use_json: Optional[bool] = None) -> None:
        """Load the program document in the file at `path`."""
        ctx = self._h()
        if use_json is None:
            use_json = has_json()
        if use_json:
            lib.plaudit_program_load_file(ctx, C.path(path))
            return
        C.path(path)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError as e:
            raise E.NotFoundError(E.ENOTFOUND, f"{os.fsdecode(path)}: {e.strerror}") from None
        except OSError as e:
            raise E.PlauditIOError(E.EIO, f"{os.fsdecode(path)}: {e.strerror}") from None
        self.load_program_json(data, use_json=False)

    def export_program_json(self) -> str:
        """The program as a JSON document (plaudit_program_export_json)."""
        ctx = self._h()
        p, n = c_void_p(), c_size_t()
        lib.plaudit_program_export_json(ctx, byref(p), byref(n))
        return _take_string(ctx, p, n)

    def set_program_format(self, format: int) -> None:
        """1 (plaudit.program/1, the default) or 2 (plaudit.program/2):
        format 2 enables the rules and events new in version 2 of the spec
        and the plaudit.state/2 document (plaudit_program_set_format)."""
        lib.plaudit_program_set_format(self._h(), _int(format, "format", C.INT_MIN, C.INT_MAX))

    def set_program_name(self, name: str) -> None:
        lib.plaudit_program_set_name(self._h(), _text(name, "name"))

    def set_utc_offset(self, minutes: int) -> None:
        """Local time as a fixed offset from UTC, in minutes."""
        lib.plaudit_program_set_utc_offset(self._h(), _int(minutes, "minutes", C.INT_MIN, C.INT_MAX))

    def set_timezone(self, zone: str) -> None:
        """Local time from an IANA zone, read now from the tz database."""
        lib.plaudit_program_set_timezone(self._h(), _text(zone, "zone"))

    def declare_action(
        self,
        id: str,
        points: int,
        *,
        once: bool = False,
        cooldown_s: int = 0,
        cap_points: Optional[int] = None,
        cap_count: Optional[int] = None,
        cap_per: PeriodLike = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> None:
        """Declare an action (plaudit_action_declare)."""
        d = L.plaudit_action_def(
            L.PLAUDIT_ACTION_DEF_VERSION, _text(id, "id"), _text(name, "name"), _text(description, "description"),
            _int(points, "points"), C.flag(once), _int(cooldown_s, "cooldown_s"), _opt_int(cap_points, "cap_points"),
            _opt_int(cap_count, "cap_count"), _period(cap_per))
        lib.plaudit_action_declare(self._h(), byref(d))

    def declare_tier(
        self,
        id: str,
        *,
        min_points: int = 0,
        min_distinct_actions: int = 0,
        min_tenure_days: int = 0,
        lifetime: bool = False,
        window: PeriodLike = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
        benefits: Sequence[str] = (),
    ) -> None:
        """Declare a tier, lowest first (plaudit_tier_declare).  `benefits`
        (format 2): display strings of what the tier gives."""
        n = len(benefits)
        bs = (c_char_p * max(n, 1))(*[_text(b, f"benefits[{j}]") for j, b in enumerate(benefits)])
        d = L.plaudit_tier_def(
            L.PLAUDIT_TIER_DEF_VERSION, _text(id, "id"), _text(name, "name"), _text(description, "description"),
            _int(min_points, "min_points"), _int(min_distinct_actions, "min_distinct_actions"),
            _int(min_tenure_days, "min_tenure_days"), C.flag(lifetime), _period(window), n,
            ctypes.cast(bs, ctypes.POINTER(c_char_p)))
        lib.plaudit_tier_declare(self._h(), byref(d))

    def declare_segment(
        self,
        id: str,
        weights: Mapping[str, int],
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> None:
        """Declare a motivation segment: affinity = sum of weight x
        occurrences of each action (plaudit_segment_declare)."""
        n = len(weights)
        actions = (c_char_p * max(n, 1))(*[_text(k, "weights key") for k in weights])
        ws = (c_int64 * max(n, 1))(*[_int(v, f"weights[{k!r}]") for k, v in weights.items()])
        d = L.plaudit_segment_def(
            L.PLAUDIT_SEGMENT_DEF_VERSION, _text(id, "id"), _text(name, "name"), _text(description, "description"), n,
            ctypes.cast(actions, ctypes.POINTER(c_char_p)), ctypes.cast(ws, ctypes.POINTER(c_int64)))
        lib.plaudit_segment_declare(self._h(), byref(d))

    def declare_leaderboard(
        self,
        id: str,
        period: PeriodLike,
        *,
        segment: Optional[str] = None,
        size: int = 10,
        name: Optional[str] = None,
        description: Optional[str] = None,
        by: str = "member",
        from_: Optional[int] = None,
        until: Optional[int] = None,
    ) -> None:
        """Declare a leaderboard (plaudit_leaderboard_declare).  Format 2:
        `by` "team" for a team board; `from_` and `until` for a season."""
        if by not in _BOARD_BY:
            raise E.InvalidArgumentError(E.EINVAL, f"by must be \"member\" or \"team\", not {by!r}")
        d = L.plaudit_leaderboard_def(
            L.PLAUDIT_LEADERBOARD_DEF_VERSION, _text(id, "id"), _text(name, "name"), _text(description, "description"),
            _period(period), _text(segment, "segment"), _int(size, "size", 0, C.UINT_MAX), _BOARD_BY[by],
            _opt_int(from_, "from_"), _opt_int(until, "until"))
        lib.plaudit_leaderboard_declare(self._h(), byref(d))

    def declare_badge(
        self,
        id: str,
        when: Optional[Mapping[str, Any]] = None,
        *,
        bonus: int = 0,
        hidden: bool = False,
        repeatable: bool = False,
        name: Optional[str] = None,
        description: Optional[str] = None,
        image: Optional[str] = None,
        criteria: Optional[str] = None,
    ) -> None:
        """Declare a badge.  `when` is the spec's criterion object
        (``{"action": "forum.answer", "count": [10, 50]}``,
        ``{"points": 1000}``, ``{"leaderboard": "monthly", "top": 3}``, ...);
        ``None`` declares a manual badge, given by award events."""
        kw = _program.parse_when(when) if when is not None else {}
        self.declare_badge_raw(id, bonus=bonus, hidden=hidden, repeatable=repeatable, name=name,
                               description=description, image=image, criteria=criteria, **kw)

    def declare_badge_raw(
        self,
        id: str,
        *,
        criterion: Union[Criterion, str, int] = Criterion.MANUAL,
        action: Optional[str] = None,
        within: PeriodLike = None,
        per: PeriodLike = None,
        thresholds: Sequence[int] = (),
        tier: Optional[str] = None,
        leaderboard: Optional[str] = None,
        top: int = 0,
        bonus: int = 0,
        hidden: bool = False,
        repeatable: bool = False,
        name: Optional[str] = None,
        description: Optional[str] = None,
        image: Optional[str] = None,
        criteria: Optional[str] = None,
        from_: Optional[int] = None,
        until: Optional[int] = None,
        all: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """Declare a badge field for field as plaudit_badge_def.  Format 2:
        `from_` / `until` date the badge; criterion "all" takes `all`, a
        list of dicts with the fields of plaudit_criterion_def (criterion,
        action, within, per, threshold, tier)."""
        if isinstance(criterion, str):
            try:
                criterion = _CRITERION_NAMES[criterion]
            except KeyError:
                raise E.InvalidArgumentError(E.EINVAL, f"unknown criterion \"{criterion}\"") from None
        n = len(thresholds)
        th = (c_int64 * max(n, 1))(*[_int(t, f"thresholds[{i}]") for i, t in enumerate(thresholds)])
        subs = (L.plaudit_criterion_def * max(len(all), 1))()
        keep = []  # the encoded strings live as long as the call
        for i, c in enumerate(all):
            crit = c.get("criterion", "manual")
            if isinstance(crit, str):
                if crit not in _CRITERION_NAMES:
                    raise E.InvalidArgumentError(E.EINVAL, f"unknown criterion \"{crit}\"")
                crit = _CRITERION_NAMES[crit]
            a, t = _text(c.get("action"), f"all[{i}].action"), _text(c.get("tier"), f"all[{i}].tier")
            keep += [a, t]
            subs[i] = L.plaudit_criterion_def(int(crit), a, _period(c.get("within")), _period(c.get("per")),
                                              _int(c.get("threshold", 0), f"all[{i}].threshold"), t)
        d = L.plaudit_badge_def(
            L.PLAUDIT_BADGE_DEF_VERSION, _text(id, "id"), _text(name, "name"), _text(description, "description"),
            _text(image, "image"), _text(criteria, "criteria"),
            int(criterion), _text(action, "action"), _period(within), _period(per), n,
            ctypes.cast(th, ctypes.POINTER(c_int64)), _text(tier, "tier"), _text(leaderboard, "leaderboard"),
            _int(top, "top", 0, C.UINT_MAX), _int(bonus, "bonus"), C.flag(hidden), C.flag(repeatable),
            _opt_int(from_, "from_"), _opt_int(until, "until"), len(all),
            ctypes.cast(subs, ctypes.POINTER(L.plaudit_criterion_def)))
        lib.plaudit_badge_declare(self._h(), byref(d))

    def declare_campaign(
        self,
        id: str,
        from_: int,
        until: int,
        percent: int,
        *,
        actions: Optional[Sequence[str]] = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> None:
        """Format 2: a campaign, points * percent / 100 for the listed
        actions (None: every action) from `from_` until `until`
        (plaudit_campaign_declare)."""
        acts = list(actions or ())
        arr = (c_char_p * max(len(acts), 1))(*[_text(a, f"actions[{j}]") for j, a in enumerate(acts)])
        d = L.plaudit_campaign_def(L.PLAUDIT_CAMPAIGN_DEF_VERSION, _text(id, "id"), _text(name, "name"),
                                   _text(description, "description"), _int(from_, "from_"), _int(until, "until"),
                                   len(acts), ctypes.cast(arr, ctypes.POINTER(c_char_p)), _int(percent, "percent"))
        lib.plaudit_campaign_declare(self._h(), byref(d))

    def declare_kudos(
        self,
        points: int,
        *,
        cap_points: Optional[int] = None,
        cap_count: Optional[int] = None,
        cap_per: PeriodLike = None,
        give_cap_count: Optional[int] = None,
        give_cap_per: PeriodLike = None,
    ) -> None:
        """Declare the kudos section (plaudit_kudos_declare)."""
        d = L.plaudit_kudos_def(
            L.PLAUDIT_KUDOS_DEF_VERSION, _int(points, "points"), _opt_int(cap_points, "cap_points"),
            _opt_int(cap_count, "cap_count"), _period(cap_per), _opt_int(give_cap_count, "give_cap_count"),
            _period(give_cap_per))
        lib.plaudit_kudos_declare(self._h(), byref(d))

    def declare_reward(
        self,
        id: str,
        cost: int,
        *,
        stock: Optional[int] = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> None:
        """Declare a reward; `stock` None is unlimited (plaudit_reward_declare)."""
        d = L.plaudit_reward_def(
            L.PLAUDIT_REWARD_DEF_VERSION, _text(id, "id"), _text(name, "name"), _text(description, "description"),
            _int(cost, "cost"), _opt_int(stock, "stock"))
        lib.plaudit_reward_declare(self._h(), byref(d))

    def program_info(self) -> ProgramInfo:
        """What the program declares (plaudit_program_info_get)."""
        i = L.plaudit_program_info()
        lib.plaudit_program_info_get(self._h(), byref(i))
        return ProgramInfo(_dec(i.name), _dec(i.timezone), i.utc_offset_minutes, i.n_actions, i.n_tiers,
                           i.n_badges, i.n_segments, i.n_leaderboards, i.n_rewards, bool(i.has_kudos),
                           bool(i.sealed))

    def member_state_bytes(self) -> int:
        """The fixed state the program gives every member, in bytes
        (plaudit_program_member_bytes): what `max_member_bytes` bounds."""
        n = c_uint64()
        lib.plaudit_program_member_bytes(self._h(), byref(n))
        return n.value

    # -- listeners ----------------------------------------------------------

    def set_listener(self, listener: Any) -> None:
        """Set the listener (an object with any of on_points, on_badge,
        on_tier, on_redeem, on_kudos; see :class:`Listener`), or remove it
        with None.  Only the methods a :class:`Listener` subclass overrides
        cost a crossing back into Python."""
        ctx = self._h()
        if listener is None:
            lib.plaudit_listener_set(ctx, None)
            self._keep.pop("listener", None)
            return
        s = L.plaudit_listener()
        s.version = L.PLAUDIT_LISTENER_VERSION
        keep = []
        for name in _LISTENER_METHODS:
            fn = getattr(listener, name, None)
            if fn is None or getattr(type(listener), name, None) is getattr(Listener, name):
                continue
            cb = L.MomentFn(self._trampoline(fn))
            setattr(s, name, cb)
            keep.append(cb)
        fn = getattr(listener, "on_outcome", None)
        if fn is not None and getattr(type(listener), "on_outcome", None) is not getattr(Listener, "on_outcome"):
            cb = L.OutcomeFn(self._outcome_trampoline(fn))
            s.on_outcome = cb
            keep.append(cb)
        lib.plaudit_listener_set(ctx, byref(s))
        # C copied the struct; the function objects must live as long as C
        # may call them: until replaced, removed, or the engine is closed.
        self._keep["listener"] = (listener, keep)

    def _trampoline(self, fn: Any) -> Any:
        wself = weakref.ref(self)

        def moment_cb(mp: Any, payload: Any) -> None:
            eng = wself()
            if eng is None:  # pragma: no cover - the engine is being freed
                return
            eng._in_cb += 1
            try:
                fn(_moment(mp[0]))
            except BaseException as e:  # never let it reach C
                if eng._cb_exc is None:
                    eng._cb_exc = e
            finally:
                eng._in_cb -= 1

        return moment_cb

    def _outcome_trampoline(self, fn: Any) -> Any:
        wself = weakref.ref(self)

        def outcome_cb(evp: Any, outp: Any, payload: Any) -> None:
            eng = wself()
            if eng is None:  # pragma: no cover - the engine is being freed
                return
            eng._in_cb += 1
            try:
                ev, out = evp[0], outp[0]
                event = Event(EventType(ev.type), ev.ts, _dec(ev.member), _dec(ev.target), _dec(ev.id), ev.points,
                              _dec(ev.reason), bool(ev.flag), _dec(ev.ref), _dec(ev.document))
                rc = 0 if out.status == 0 else 1 if out.status == 1 else out.code
                fn(event, _outcome(rc, out))
            except BaseException as e:  # never let it reach C
                if eng._cb_exc is None:
                    eng._cb_exc = e
            finally:
                eng._in_cb -= 1

        return outcome_cb

    def _raise_callback(self, outcome: Optional[Outcome]) -> None:
        e, self._cb_exc = self._cb_exc, None
        assert e is not None
        if not isinstance(e, Exception):  # KeyboardInterrupt, SystemExit
            raise e
        raise E.CallbackError(E.EUSER, f"listener raised {type(e).__name__}: {e}", outcome) from e

    # -- events -------------------------------------------------------------

    def _finish(self, rc: int, out: L.plaudit_outcome, check: bool) -> Outcome:
        o = _outcome(rc, out)
        if rc < 0 and self._sbridge is not None and self._sbridge.exc is not None:
            # A Python store failed the event (nothing was applied): raise
            # even with check=False, with the store's exception as the cause.
            self._raise_store(E.from_code(rc, o.message or _errmsg_code(rc), o))
        if self._cb_exc is not None:
            self._raise_callback(o)
        if rc < 0 and check:
            raise E.from_code(rc, o.message or _errmsg_code(rc), o)
        return o

    def _out_for_call(self) -> tuple[L.plaudit_outcome, Any]:
        # A listener recording (which fails with ESTATE) must not overwrite
        # the outer call's outcome: nested calls get their own struct.
        if self._in_cb:
            o = L.plaudit_outcome()
            return o, byref(o)
        return self._out, self._outp

    def record(self, event: Event, *, check: bool = True) -> Outcome:
        """Record one :class:`Event` (plaudit_record).

        Returns the :class:`Outcome`.  A rejected event raises the error of
        its code (the outcome is on the exception's ``outcome``) unless
        `check` is False, in which case the rejected outcome is returned.  A
        duplicate (same id, same content) is not an error."""
        ctx = self._h()
        ev = L.plaudit_event(*_event_fields(event))
        out, outp = self._out_for_call()
        return self._finish(_record(ctx, byref(ev), outp), out, check)

    def _record_ref(self, ev: Event, check: bool) -> Outcome:
        return self.record(ev, check=check)

    @_locks_itself
    def record_action(self, ts: TsLike, member: StrLike, action: StrLike, id: Optional[StrLike] = None, *,
                      ref: Optional[StrLike] = None, check: bool = True) -> Outcome:
        """`member` did `action` at `ts` (plaudit_record_action).  `ref`
        (format 2): the object it is about, what :meth:`revoke` matches."""
        if ref is not None:
            return self._record_ref(Event(EventType.ACTION, ts, member, action, id, ref=ref), check)  # type: ignore[arg-type]
        # The hot path: holds the lock itself (one frame less than serialized).
        if ts.__class__ is not int:
            ts = _ts(ts)
        m, a, i = _text(member, "member"), _text(action, "action"), _text(id, "id")
        with self._lock:
            ctx = self._ctx
            if ctx is None:
                self._h()
            out, outp = (self._out, self._outp) if not self._in_cb else self._out_for_call()
            rc = _record_action(ctx, ts, m, a, i, outp)
            return self._finish(rc, out, check)

    def record_join(self, ts: TsLike, member: StrLike, id: Optional[StrLike] = None, *,
                    check: bool = True) -> Outcome:
        """`member` joins at `ts` (plaudit_record_join)."""
        ctx = self._h()
        out, outp = self._out_for_call()
        return self._finish(_record_join(ctx, _ts(ts), _text(member, "member"), _text(id, "id"), outp), out, check)

    def record_kudos(self, ts: TsLike, from_: StrLike, to: StrLike, id: Optional[StrLike] = None, *,
                     ref: Optional[StrLike] = None, check: bool = True) -> Outcome:
        """`from_` gives kudos to `to` (plaudit_record_kudos)."""
        if ref is not None:
            return self._record_ref(Event(EventType.KUDOS, ts, from_, to, id, ref=ref), check)  # type: ignore[arg-type]
        ctx = self._h()
        out, outp = self._out_for_call()
        return self._finish(_record_kudos(ctx, _ts(ts), _text(from_, "from_"), _text(to, "to"), _text(id, "id"), outp), out, check)

    def record_redeem(self, ts: TsLike, member: StrLike, reward: StrLike, id: Optional[StrLike] = None, *,
                      ref: Optional[StrLike] = None, check: bool = True) -> Outcome:
        """`member` redeems `reward` (plaudit_record_redeem)."""
        if ref is not None:
            return self._record_ref(Event(EventType.REDEEM, ts, member, reward, id, ref=ref), check)  # type: ignore[arg-type]
        ctx = self._h()
        out, outp = self._out_for_call()
        return self._finish(_record_redeem(ctx, _ts(ts), _text(member, "member"), _text(reward, "reward"), _text(id, "id"), outp), out, check)

    def record_award(self, ts: TsLike, member: StrLike, badge: StrLike, id: Optional[StrLike] = None, *,
                     ref: Optional[StrLike] = None, check: bool = True) -> Outcome:
        """Give `member` the manual `badge` (plaudit_record_award)."""
        if ref is not None:
            return self._record_ref(Event(EventType.AWARD, ts, member, badge, id, ref=ref), check)  # type: ignore[arg-type]
        ctx = self._h()
        out, outp = self._out_for_call()
        return self._finish(_record_award(ctx, _ts(ts), _text(member, "member"), _text(badge, "badge"), _text(id, "id"), outp), out, check)

    def record_adjust(self, ts: TsLike, member: StrLike, points: TsLike, reason: Optional[StrLike] = None,
                      id: Optional[StrLike] = None, *, ref: Optional[StrLike] = None,
                      check: bool = True) -> Outcome:
        """Adjust `member`'s points by `points` (plaudit_record_adjust)."""
        if ref is not None:
            return self._record_ref(Event(EventType.ADJUST, ts, member, None, id, points, reason, ref=ref),  # type: ignore[arg-type]
                                    check)
        ctx = self._h()
        out, outp = self._out_for_call()
        rc = _record_adjust(ctx, _ts(ts), _text(member, "member"), _int(points, "points"), _text(reason, "reason"), _text(id, "id"), outp)
        return self._finish(rc, out, check)

    def record_segment(self, ts: TsLike, member: StrLike, segment: Optional[StrLike], id: Optional[StrLike] = None,
                       *, check: bool = True) -> Outcome:
        """Pin `member` to `segment`; None returns it to inference
        (plaudit_record_segment)."""
        ctx = self._h()
        out, outp = self._out_for_call()
        return self._finish(_record_segment(ctx, _ts(ts), _text(member, "member"), _text(segment, "segment"), _text(id, "id"), outp), out, check)

    def record_preferences(self, ts: TsLike, member: StrLike, leaderboards: bool, id: Optional[StrLike] = None, *,
                           check: bool = True) -> Outcome:
        """Show (True) or hide `member` on leaderboards
        (plaudit_record_preferences)."""
        ctx = self._h()
        out, outp = self._out_for_call()
        rc = _record_preferences(ctx, _ts(ts), _text(member, "member"), int(bool(leaderboards)), _text(id, "id"), outp)
        return self._finish(rc, out, check)

    def record_tick(self, ts: TsLike, id: Optional[StrLike] = None, *, check: bool = True) -> Outcome:
        """Move the clock to `ts`: close periods, re-evaluate every member
        (plaudit_record_tick)."""
        ctx = self._h()
        out, outp = self._out_for_call()
        return self._finish(_record_tick(ctx, _ts(ts), _text(id, "id"), outp), out, check)

    def revoke(self, ts: TsLike, *, event: Optional[StrLike] = None, ref: Optional[StrLike] = None,
               reason: Optional[StrLike] = None, id: Optional[StrLike] = None, check: bool = True) -> Outcome:
        """Revoke (format 2, spec section 5) the event whose id is `event`,
        or every event carrying `ref` (exactly one of the two), at `ts`
        (plaudit_record_revoke).  The outcome has one ``MomentKind.REVOKE``
        moment per revoked event.  `id` is the revoke's own idempotency
        key.  A revoke that matches nothing raises NotFoundError."""
        ctx = self._h()
        if (event is None) == (ref is None):
            raise TypeError("revoke() takes exactly one of event= and ref=")
        out, outp = self._out_for_call()
        rc = lib.plaudit_record_revoke(ctx, _ts(ts), _text(event, "event"), _text(ref, "ref"), _text(reason, "reason"),
                                       _text(id, "id"), outp)
        return self._finish(rc, out, check)

    def record_revoke(self, ts: TsLike, *, event: Optional[StrLike] = None, ref: Optional[StrLike] = None,
                      reason: Optional[StrLike] = None, id: Optional[StrLike] = None,
                      check: bool = True) -> Outcome:
        """The same as :meth:`revoke`."""
        return self.revoke(ts, event=event, ref=ref, reason=reason, id=id, check=check)

    def record_team(self, ts: TsLike, member: StrLike, team: Optional[StrLike], id: Optional[StrLike] = None, *,
                    check: bool = True) -> Outcome:
        """Format 2: put `member` in `team`, or (None) out of its team
        (plaudit_record_team)."""
        ctx = self._h()
        out, outp = self._out_for_call()
        rc = lib.plaudit_record_team(ctx, _ts(ts), _text(member, "member"), _text(team, "team"), _text(id, "id"), outp)
        return self._finish(rc, out, check)

    def update_program(self, ts: TsLike, program: Union[Mapping[str, Any], str, "os.PathLike[str]"],
                       id: Optional[StrLike] = None, *, check: bool = True) -> Outcome:
        """From `ts` on, `program` is the program, and what members earned
        stays (the program event of spec section 7; plaudit_program_update).

        `program` is a dict (the program document), a JSON string or a path
        (:class:`os.PathLike`) to a program file.  The clock moves to `ts`
        under the old program first.  Rejected (raising, unless `check` is
        False) when the document does not load (the message names the JSON
        path under ``program``), when `ts` is earlier than the clock, or when
        it changes the time zone, the UTC offset or the reorder window."""
        if isinstance(program, os.PathLike):
            with open(os.fspath(program), encoding="utf-8") as f:
                text = f.read()
        elif isinstance(program, str):
            text = program
        else:
            text = _events.program_text(dict(program))
        ctx = self._h()
        out, outp = self._out_for_call()
        return self._finish(_program_update(ctx, _ts(ts), _text(text, "program"), _text(id, "id"), outp), out, check)

    def record_batch(self, events: Sequence[Event]) -> BatchResult:
        """Record many events in one crossing (plaudit_record_batch).

        Each event is its own transaction, exactly as if recorded one by
        one; a rejected event does not stop the batch and does not raise:
        its code is in the result (``codes[i]``: 0 accepted, 1 duplicate,
        negative rejected).  Moments reach the listener only.  A failure of
        the batch itself (a bad argument, a store failure) raises."""
        ctx = self._h()
        n = len(events)
        if n == 0:
            return BatchResult([], 0)
        arr, keep = _pack_events(events)
        codes = (c_int * n)()
        done = c_size_t()
        try:
            _record_batch(ctx, arr, n, codes, byref(done))
            del keep  # the strings the array points to lived until here
        except E.PlauditError as err:
            # A store failure stops the batch: events before it stay
            # recorded (err.batch tells which), the failing one is not.
            k = done.value
            err.batch = BatchResult(codes[:k], k)  # type: ignore[attr-defined]
            self._raise_store(err)
        finally:
            if self._cb_exc is not None:
                self._raise_callback(None)
        k = done.value
        return BatchResult(codes[:k], k)

    def record_line(self, line: StrLike, *, check: bool = True) -> Outcome:
        """Parse and record one event line (spec section 3).

        Uses the library's reader (plaudit_record_json) when it has the JSON
        feature; otherwise the line is read in Python with the same rules.  A
        malformed line is rejected with ParseError (or UTF8Error) and counted
        in the stats' rejected; a blank line raises NotFoundError ("nothing
        to record") and is not counted.  With check=False rejections are
        returned as outcomes instead."""
        ctx = self._h()
        out, outp = self._out_for_call()
        if _HAS_RECORD_JSON:
            b = C.buffer(line, "line")
            return self._finish(lib.plaudit_record_json(ctx, b, len(b), outp), out, check)
        try:
            ev = _events.parse_line(line)
        except E.PlauditError as e:
            if not isinstance(e, E.NotFoundError):
                # Count it as the library's reader would: an event the
                # library rejects for its type counts once in `rejected`.
                bad = L.plaudit_event()
                bad.type = -1
                _record(ctx, byref(bad), None)
            if check:
                raise
            return Outcome(Status.REJECTED, e.code, e.message)
        return self.record(ev, check=check)

    def parse_event(self, line: StrLike) -> Event:
        """Parse one event line into an :class:`Event` without recording it
        (plaudit_event_parse, or the Python reader without JSON)."""
        ctx = self._h()
        if not _HAS_EVENT_PARSE:
            return _events.parse_line(line)
        b = C.buffer(line, "line")
        ev = L.plaudit_event()
        lib.plaudit_event_parse(ctx, b, len(b), byref(ev))
        return Event(EventType(ev.type), ev.ts, _dec(ev.member), _dec(ev.target), _dec(ev.id), ev.points,
                     _dec(ev.reason), bool(ev.flag), _dec(ev.ref), _dec(ev.document))

    def last_outcome_json(self) -> str:
        """The outcome of the last event call on this engine as one line of
        JSON (plaudit_outcome_json); valid until the next event call."""
        ctx = self._h()
        p, n = c_void_p(), c_size_t()
        lib.plaudit_outcome_json(ctx, self._outp, byref(p), byref(n))
        return _take_string(ctx, p, n)

    # -- persistence ----------------------------------------------------------

    def _raise_store(self, err: Optional[E.PlauditError], sb: Optional[_StoreBridge] = None) -> None:
        """After a C call that may have run store callbacks: raise `err`
        (the library's error) with the Python store's exception as its
        cause; or, when the call succeeded but a callback that cannot fail
        it raised (close), a CallbackError.  Without either, return."""
        if sb is None:
            sb = self._sbridge
        exc, slot = sb.take() if sb is not None else (None, "")
        if exc is None:
            if err is not None:
                raise err
            return
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
            raise exc
        if err is None:
            err = E.CallbackError(E.EUSER, f"store {slot} raised {type(exc).__name__}: {exc}")
        raise err from exc

    def _store_call(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except E.PlauditError as err:
            self._raise_store(err)
        self._raise_store(None)

    def attach_store(
        self,
        store: Union[Store, L.plaudit_store],
        *,
        sync: Union[SyncPolicy, str, int] = SyncPolicy.ALWAYS,
        sync_every_n: int = 0,
        sync_every_ms: int = 0,
        keep_journal: bool = False,
    ) -> Recovery:
        """Attach a store and recover from it (plaudit_store_attach).

        `store` is a :class:`Store` (written in Python, e.g.
        :class:`SQLiteStore`) or a filled ``plaudit_store`` struct.  The
        program must be declared and no event recorded yet; the program is
        sealed.  Returns the :class:`Recovery` report (also
        :attr:`recovery`).  On success the engine owns the store and closes
        it on :meth:`detach` or :meth:`close`; on failure the engine keeps an
        empty state and the store is not closed (the caller still owns it).

        `sync`: "always" (every accepted event is synced before the call
        returns), "batch" (every `sync_every_n` events or `sync_every_ms`
        milliseconds, checked when an event arrives), "group" (group commit
        on the file store's sync thread: calls never wait for a sync; see
        :meth:`journal_seq` and :meth:`wait_durable`) or "never" (only
        :meth:`sync`, :meth:`snapshot`, :meth:`detach`).  `keep_journal`:
        snapshots never drop journal records, so that a changed program can
        still be replayed over the whole history (retroactive
        recalculation)."""
        ctx = self._h()
        opts = _store_options(sync, sync_every_n, sync_every_ms, keep_journal)
        if self._store_obj is not None:
            raise E.StateError(E.ESTATE, "a store is already attached")
        if isinstance(store, L.plaudit_store):
            bridge, struct = None, store
        else:
            bridge = _StoreBridge(store)
            struct = bridge.struct
        self._sbridge = bridge
        try:
            self._store_call(lib.plaudit_store_attach, ctx, byref(struct), byref(opts))
        except BaseException:
            self._sbridge = None
            raise
        # C copied the struct; the callbacks must live as long as C may call
        # them: until detached or the engine is closed.
        self._keep["store"] = bridge
        self._store_obj = store
        return self.recovery

    def file_store(
        self,
        dir: PathLike,
        *,
        create: bool = True,
        archive: bool = False,
        segment_bytes: int = 0,
        sync: Union[SyncPolicy, str, int] = SyncPolicy.ALWAYS,
        sync_every_n: int = 0,
        sync_every_ms: int = 0,
        keep_journal: bool = False,
    ) -> Recovery:
        """Open the library's file store in directory `dir`
        (plaudit_file_store_open) and attach it (see :meth:`attach_store`).

        `create` creates the directory if missing; `archive` moves
        compacted journal segments to ``archive/`` (and reads them back for
        a retroactive replay); `segment_bytes` rolls to a new journal
        segment after that size (0: 64 MiB).  A directory another engine
        (any process) holds open raises :class:`LockedError`."""
        ctx = self._h()
        if self._store_obj is not None:
            raise E.StateError(E.ESTATE, "a store is already attached")
        opts = _store_options(sync, sync_every_n, sync_every_ms, keep_journal)
        flags = (L.PLAUDIT_FILE_STORE_CREATE if create else 0) | (L.PLAUDIT_FILE_STORE_ARCHIVE if archive else 0)
        st = L.plaudit_store()
        lib.plaudit_file_store_open(ctx, byref(st), C.path(dir, "dir"), flags,
                                    _int(segment_bytes, "segment_bytes", 0, C.UINT64_MAX))
        try:
            lib.plaudit_store_attach(ctx, byref(st), byref(opts))
        except BaseException:
            lib.plaudit_store_close(byref(st))  # not owned by the context after a failed attach
            raise
        self._store_obj = "file"
        return self.recovery

    @property
    def store(self) -> Any:
        """The attached store: the :class:`Store` or struct given to
        :meth:`attach_store`, ``"file"`` for :meth:`file_store`, or None."""
        self._h()
        return self._store_obj

    @property
    def recovery(self) -> Recovery:
        """The report of the last successful attach (plaudit_store_recovery_get;
        all zeros without a store)."""
        r = L.plaudit_recovery()
        if L.has("plaudit_store_recovery_get_version"):
            lib.plaudit_store_recovery_get_version(self._h(), byref(r), 2)
        else:  # an older library: version 1 of the struct
            lib.plaudit_store_recovery_get(self._h(), byref(r))
        changed: dict[str, list[str]] = {}
        if r.changed_members and L.has("plaudit_store_recovery_change"):
            who, what = c_char_p(), ctypes.c_uint()
            names = ((1, "tier"), (2, "badges"), (4, "points"), (8, "balance"), (16, "member"))
            for i in range(r.changed_members):
                lib.plaudit_store_recovery_change(self._h(), i, byref(who), byref(what))
                changed[(who.value or b"").decode()] = [n for bit, n in names if what.value & bit]
        return Recovery(bool(r.snapshot), r.snapshot_seq, bool(r.retroactive), r.records, r.skipped, r.replayed,
                        r.accepted, r.rejected, r.duplicates, r.torn_bytes, r.last_seq, r.torn_records,
                        r.damaged_records, changed, r.arrivals)

    def sync(self) -> None:
        """Make every journaled event durable now (plaudit_store_sync).
        StateError without a store."""
        self._store_call(lib.plaudit_store_sync, self._h())

    def journal_seq(self) -> int:
        """The sequence number of the last journal record (right after an
        event call that journaled its event: that event's record)
        (plaudit_store_journal_seq).  StateError without a store."""
        v = ctypes.c_uint64()
        lib.plaudit_store_journal_seq(self._h(), byref(v))
        return v.value

    def durable_seq(self) -> int:
        """The last journal record known durable (plaudit_store_durable_seq;
        with sync="group" any thread may ask).  StateError without a store."""
        v = ctypes.c_uint64()
        lib.plaudit_store_durable_seq(self._h(), byref(v))
        return v.value

    def wait_durable(self, seq: int) -> None:
        """Return once journal record `seq` is durable
        (plaudit_store_wait_durable).  With sync="group" (the file store's
        sync thread) another thread may wait while this one records; a
        failed background sync raises IOError_ (its detail comes with the
        next event's error).  Otherwise it syncs if needed."""
        lib.plaudit_store_wait_durable(self._h(), seq)

    def snapshot(self) -> None:
        """Write a snapshot of the whole state (after syncing the journal)
        and, unless keep_journal, let the store drop the journal records it
        covers (plaudit_store_snapshot).  The state is unchanged either way.
        StateError without a store."""
        self._store_call(lib.plaudit_store_snapshot, self._h())

    def detach(self) -> None:
        """Sync and let go of the store (plaudit_store_detach), which is
        closed.  The engine keeps its state in memory and stops journaling.
        If the sync fails the store stays attached and the error is raised.
        Without a store, nothing happens."""
        ctx = self._h()
        try:
            lib.plaudit_store_detach(ctx)
        except E.PlauditError as err:
            self._raise_store(err)  # the store stays attached
        # C let go of the store: so do we (also when only its close raised).
        sb = self._sbridge
        self._keep.pop("store", None)
        self._sbridge = None
        self._store_obj = None
        self._raise_store(None, sb)

    # -- queries ------------------------------------------------------------

    @property
    def clock(self) -> Optional[int]:
        """The newest accepted ts, or None before the first accepted event."""
        c = lib.plaudit_clock(self._h())
        return None if c < 0 else c

    def member(self, member: StrLike) -> Member:
        """A snapshot of `member` (NotFoundError when unknown)."""
        i = L.plaudit_member_info()
        lib.plaudit_member_get(self._h(), _text(member, "member"), byref(i))
        return Member(_dec(i.id) or "", i.joined, i.last_ts, i.points, i.balance, _dec(i.tier), _dec(i.segment),
                      bool(i.segment_pinned), bool(i.leaderboards), i.kudos_given, i.kudos_received,
                      i.distinct_actions, i.n_badges, _dec(i.team))

    def get_member(self, member: StrLike) -> Optional[Member]:
        """Like :meth:`member`, None for an unknown member."""
        try:
            return self.member(member)
        except E.NotFoundError:
            return None

    def action_count(self, member: StrLike, action: StrLike) -> int:
        """All-time occurrences of `action` by `member`."""
        v = c_uint64()
        lib.plaudit_member_action_count(self._h(), _text(member, "member"), _text(action, "action"), byref(v))
        return v.value

    def affinity(self, member: StrLike, segment: StrLike) -> int:
        """`member`'s affinity to `segment`."""
        v = c_int64()
        lib.plaudit_member_affinity(self._h(), _text(member, "member"), _text(segment, "segment"), byref(v))
        return v.value

    def badges(self, member: StrLike) -> list[BadgeEarned]:
        """The badges `member` earned, in declaration order."""
        p = ctypes.POINTER(L.plaudit_badge_earned)()
        n = c_size_t()
        lib.plaudit_member_badges(self._h(), _text(member, "member"), byref(p), byref(n))
        return [BadgeEarned(b.badge.decode(), b.level, b.times, b.first_ts, b.last_ts)
                for b in (p[i] for i in range(n.value))]

    def history(self, member: StrLike, limit: int = 20, before: Optional[int] = None) -> HistoryPage:
        """A page of `member`'s points history, newest first ("why do I
        have 270 points?"): up to `limit` entries older than the entry
        number `before` (None: from the newest).  Pass the page's ``next``
        as `before` for the next one.  Needs ``Engine(history=...)``
        (:class:`StateError` otherwise); :class:`NotFoundError` for an
        unknown member, :class:`RangeError` for a limit below 1."""
        limit = _int(limit, "limit", 1, 1 << 20)
        b = 0 if before is None else _int(before, "before", 1, C.UINT64_MAX)
        m = _text(member, "member")
        arr = (L.plaudit_history_entry * limit)()
        n, nxt, total, kept = c_size_t(), c_uint64(), c_uint64(), c_uint64()
        with self._lock:
            lib.plaudit_member_history(self._h(), m, b, limit, arr, byref(n), byref(nxt))
            lib.plaudit_member_history_count(self._h(), m, byref(total), byref(kept))
            entries = [HistoryEntry(e.seq, e.ts, e.points, e.balance, Source(e.cause), _dec(e.cause_id),
                                    EventType(e.event_type), _dec(e.event_id), _dec(e.event_ref), _dec(e.reason),
                                    _dec(e.revoked_event), _dec(e.revoked_ref))
                       for e in (arr[i] for i in range(n.value))]
        return HistoryPage(entries, nxt.value or None, total.value, kept.value)

    def history_info(self) -> dict[str, int]:
        """The points history's figures: ``per_member`` (the option, 0:
        off), ``entries`` kept for every member, ``bytes`` they use."""
        i = L.plaudit_history_info()
        lib.plaudit_history_info_get(self._h(), byref(i))
        return {"per_member": i.per_member, "entries": i.entries, "bytes": i.bytes}

    def progress(self, member: StrLike) -> Progress:
        """`member`'s progress towards the next tier and badges."""
        g = L.plaudit_progress()
        lib.plaudit_member_progress(self._h(), _text(member, "member"), byref(g))

        def parts(b: Any) -> list[PartProgress]:
            return [PartProgress(_CRITERIA[p.criterion], _dec(p.action), _dec(p.tier), _period_name(p.within),
                                 p.current, p.target, bool(p.met)) for p in (b.parts[j] for j in range(b.n_parts))]

        def opt_ts(v: int) -> Optional[int]:
            return None if v == L.PLAUDIT_UNSET else v

        badges = [BadgeProgress(b.badge.decode(), _CRITERIA[b.criterion], b.level, b.levels, b.current, b.next,
                                bool(b.earned_this_period), opt_ts(getattr(b, "from")), opt_ts(b.until), parts(b))
                  for b in (g.badges[i] for i in range(g.n_badges))]
        return Progress(_dec(g.tier), _dec(g.next_tier), g.next_points, g.next_distinct_actions,
                        g.next_tenure_days, _dec(g.keep_tier), g.keep_points, badges,
                        [g.benefits[i].decode() for i in range(g.n_benefits)],
                        [g.next_benefits[i].decode() for i in range(g.n_next_benefits)])

    # -- format 2: teams, boards, benefits ------------------------------------

    def team_ids(self) -> list[str]:
        """Teams in the order they were first named (plaudit_team_list)."""
        ctx = self._h()
        total = lib.plaudit_team_count(ctx)
        buf = (c_char_p * max(total, 1))()
        n, nxt = c_size_t(), c_uint64()
        lib.plaudit_team_list(ctx, 0, total, buf, byref(n), byref(nxt))
        return [buf[i].decode() for i in range(n.value)]

    def team_members(self, team: StrLike) -> int:
        """How many members are in `team` now."""
        v = c_uint64()
        lib.plaudit_team_members(self._h(), _text(team, "team"), byref(v))
        return v.value

    def leaderboard_info(self, board: StrLike) -> LeaderboardInfo:
        """What `board` is: period, by, season range, frozen, count."""
        i = L.plaudit_leaderboard_info()
        lib.plaudit_leaderboard_info_get(self._h(), _text(board, "board"), byref(i))
        f, u = getattr(i, "from"), i.until
        return LeaderboardInfo(_dec(i.id) or "", _dec(i.name), _period_name(i.period) or "",
                               "team" if i.by == 1 else "member", _dec(i.segment),
                               None if f == L.PLAUDIT_UNSET else f, None if u == L.PLAUDIT_UNSET else u,
                               bool(i.frozen), i.count)

    def tier_benefits(self, tier: StrLike) -> list[str]:
        """A tier's benefits (format 2)."""
        p = ctypes.POINTER(c_char_p)()
        n = c_size_t()
        lib.plaudit_tier_benefits(self._h(), _text(tier, "tier"), byref(p), byref(n))
        return [p[i].decode() for i in range(n.value)]

    @property
    def member_count(self) -> int:
        """Number of members."""
        return lib.plaudit_member_count(self._h())

    def member_ids(self, start: int = 0, limit: Optional[int] = None, *, page: int = 256) -> list[str]:
        """Member ids in creation order from index `start` (paged calls of
        plaudit_member_list)."""
        ctx = self._h()
        start = _int(start, "start", 0, C.UINT64_MAX)
        limit = None if limit is None else _int(limit, "limit", 0, C.INT64_MAX)
        page = _int(page, "page", 1, 1 << 20)
        ids: list[str] = []
        buf = (c_char_p * page)()
        n, nxt = c_size_t(), c_uint64()
        while limit is None or len(ids) < limit:
            want = page if limit is None else min(page, limit - len(ids))
            lib.plaudit_member_list(ctx, start, want, buf, byref(n), byref(nxt))
            ids.extend(buf[i].decode() for i in range(n.value))
            if n.value == 0 or nxt.value <= start:
                break
            start = nxt.value
        return ids

    def members(self) -> Iterator[Member]:
        """Every member's snapshot, in creation order."""
        for mid in self.member_ids():
            yield self.member(mid)

    # -- leaderboards -------------------------------------------------------

    @staticmethod
    def _entries(arr: Any, n: int) -> list[RankEntry]:
        return [RankEntry(e.member.decode(), e.score, e.rank, e.ts) for e in (arr[i] for i in range(n))]

    def top(self, board: StrLike, n: int = 10) -> list[RankEntry]:
        """Up to `n` entries from the top of `board`."""
        n = _int(n, "n", 0, 1 << 24)
        arr = (L.plaudit_rank_entry * max(n, 1))()
        k = c_size_t()
        lib.plaudit_leaderboard_top(self._h(), _text(board, "board"), n, arr, byref(k))
        return self._entries(arr, k.value)

    def rank(self, board: StrLike, member: StrLike) -> Rank:
        """`member`'s rank (0 when not ranked) and score on `board`."""
        r, s = c_uint64(), c_int64()
        lib.plaudit_leaderboard_rank(self._h(), _text(board, "board"), _text(member, "member"), byref(r), byref(s))
        return Rank(r.value, s.value)

    def around(self, board: StrLike, member: StrLike, k: int = 2) -> list[RankEntry]:
        """`member` and up to `k` entries above and below it (empty when
        not ranked)."""
        k = _int(k, "k", 0, 1 << 23)
        arr = (L.plaudit_rank_entry * (2 * k + 1))()
        n = c_size_t()
        lib.plaudit_leaderboard_around(self._h(), _text(board, "board"), _text(member, "member"), k, arr, byref(n))
        return self._entries(arr, n.value)

    def ranked_count(self, board: StrLike) -> int:
        """Number of members ranked on `board`."""
        v = c_uint64()
        lib.plaudit_leaderboard_count(self._h(), _text(board, "board"), byref(v))
        return v.value

    # -- rewards ------------------------------------------------------------

    def reward_stock(self, reward: StrLike) -> Optional[int]:
        """Stock left of `reward`; None when unlimited."""
        v = c_int64()
        lib.plaudit_reward_stock(self._h(), _text(reward, "reward"), byref(v))
        return None if v.value == _UNSET else v.value

    # -- state --------------------------------------------------------------

    def stats(self) -> Stats:
        """Accepted, duplicate and rejected counts."""
        s = L.plaudit_stats()
        lib.plaudit_stats_get(self._h(), byref(s))
        return Stats(s.accepted, s.duplicates, s.rejected)

    def export_state_json(self) -> str:
        """The final-state document ("plaudit.state/1"), byte-exact."""
        ctx = self._h()
        p, n = c_void_p(), c_size_t()
        lib.plaudit_state_export(ctx, byref(p), byref(n))
        return _take_string(ctx, p, n)

    def rule_sentence(self, kind: str, id: StrLike) -> str:
        """A rule in words: kind "badge", "campaign", "leaderboard" or
        "tier" (plaudit_rule_sentence)."""
        ctx = self._h()
        p, n = c_void_p(), c_size_t()
        lib.plaudit_rule_sentence(ctx, _text(kind, "kind"), _text(id, "id"), byref(p), byref(n))
        return _take_string(ctx, p, n)

    def export_state(self) -> dict[str, Any]:
        """The final-state document, decoded."""
        return json.loads(self.export_state_json())

    def digest(self) -> int:
        """A 64-bit digest of the whole state (diagnostic counters left out)."""
        return lib.plaudit_state_digest(self._h())


def serialized(fn: Any) -> Any:
    """Run ``fn(engine, ...)`` holding the engine's lock (the first argument
    is the engine: a method's self, or an engine given to a module function).
    A ctypes ArgumentError (a value the bindings did not convert) becomes a
    PlauditTypeError naming the call."""
    if getattr(fn, "_plaudit_serialized", False):
        return fn

    @functools.wraps(fn)
    def call(engine: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            lock = engine._lock
        except AttributeError:
            raise C._type_error(f"{fn.__name__}: engine", "plaudit.Engine", engine) from None
        with lock:
            try:
                return fn(engine, *args, **kwargs)
            except ctypes.ArgumentError as e:
                raise E.PlauditTypeError(E.EINVAL, f"{fn.__name__}: {e}") from None

    call._plaudit_serialized = True  # type: ignore[attr-defined]
    return call


# Dunder methods that are calls on the engine (the others are the object's).
_SERIALIZED_DUNDERS = ("__enter__", "__exit__", "__repr__")


def _serialize_class(cls: type) -> None:
    """Wrap every public method and property of `cls`, its mixins' included
    (wrapped on `cls`, the mixins left as they are), with :func:`serialized`."""
    attrs: dict[str, Any] = {}
    for base in reversed(cls.__mro__[:-1]):  # object's are the object's
        attrs.update(vars(base))
    for name, v in list(attrs.items()):
        if name.startswith("_") and name not in _SERIALIZED_DUNDERS:
            continue
        if isinstance(v, property):
            setattr(cls, name, property(serialized(v.fget), v.fset and serialized(v.fset), None, v.__doc__))
        elif isinstance(v, (staticmethod, classmethod)) or not callable(v):
            continue
        else:
            setattr(cls, name, serialized(v))


_serialize_class(Engine)
_serialize_class(LiveMixin)


def add_method(name: str, fn: Any, doc: Optional[str] = None) -> None:
    """Add `fn(self, ...)` to Engine as method `name`, as if written in the
    class: serialized, and named `name` (``Engine.name``) with its doc for
    help() and tracebacks.  Used by modules that extend the Engine at import
    (analytics, credential)."""
    fn.__name__ = name
    fn.__qualname__ = f"Engine.{name}"
    if doc is not None:
        fn.__doc__ = doc
    setattr(Engine, name, serialized(fn))


_SYNC_NAMES = {"always": SyncPolicy.ALWAYS, "batch": SyncPolicy.BATCH, "never": SyncPolicy.NEVER,
               "group": SyncPolicy.GROUP}


def _store_options(sync: Union[SyncPolicy, str, int], every_n: int, every_ms: int,
                   keep_journal: bool) -> L.plaudit_store_options:
    if isinstance(sync, str):
        try:
            policy = _SYNC_NAMES[sync.lower()]
        except KeyError:
            raise E.InvalidArgumentError(E.EINVAL, f"unknown sync policy \"{sync}\" (always, batch, never, group)") \
                from None
    else:
        policy = SyncPolicy(int(sync))
    for name, v in (("sync_every_n", every_n), ("sync_every_ms", every_ms)):
        if not 0 <= int(v) <= 0xFFFFFFFF:
            raise E.RangeError(E.ERANGE, f"{name} must be in 0..4294967295, not {v}")
    return L.plaudit_store_options(L.PLAUDIT_STORE_OPTIONS_VERSION, int(policy), int(every_n), int(every_ms),
                                   int(bool(keep_journal)))


def _errmsg_code(code: int) -> str:
    return (lib.plaudit_strerror(code) or b"").decode()


_HAS_RECORD_JSON = L.has("plaudit_record_json") and bool(lib.plaudit_has_json())
_HAS_EVENT_PARSE = L.has("plaudit_event_parse") and bool(lib.plaudit_has_json())


def has_json() -> bool:
    """True when the library has the JSON feature (plaudit_has_json)."""
    return bool(lib.plaudit_has_json())
