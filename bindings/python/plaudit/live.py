"""Live ingestion: the reorder window (spec section 6) and the outbox of
recognition moments (section 8), as methods of :class:`~plaudit.Engine`.

With a program's ``reorder_window_s`` W > 0, every event call holds the
event and returns an outcome with ``status`` :attr:`Status.HELD` (its
``arrival`` number says which one it is); events are released in time order
once an arrival lifts the highest ts seen to their ts + W, and the outcome
of a released event reaches the listener's ``on_outcome``.  Call
:meth:`flush` when the input ends or on shutdown.

The outbox keeps every moment until it is acknowledged::

    engine.enable_outbox()          # before the first event and the store
    ...
    for m in engine.outbox():       # pending moments, oldest first
        notify(m)
        engine.ack(m.seq)
"""

from __future__ import annotations

from ctypes import POINTER, byref, c_size_t
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional, Union

from . import _conv as C
from . import _lib as L
from . import errors as E
from . import events as _events
from .model import Moment

__all__ = ["WindowInfo", "OutboxInfo", "LiveMixin"]

lib = L._lib


@dataclass(frozen=True, slots=True)
class WindowInfo:
    """plaudit_window_info: the reorder window now."""

    window_s: int      # W (0: no window)
    held: int          # events held now
    high_water: int    # H, the highest ts held so far (-1: none)
    arrivals: int      # events held so far
    ready: int         # due events a failed allocation kept back
    oldest_ts: int     # smallest ts held now (-1: none)


@dataclass(frozen=True, slots=True)
class OutboxInfo:
    """plaudit_outbox_info."""

    enabled: bool
    pending: int
    acked: int
    last_seq: int
    max_pending: int
    redelivered: int
    refused: int
    bytes: int


class _ReplayListener:
    """Forwards moments to the user's listener and catches released
    outcomes for :meth:`LiveMixin.replay`."""

    def __init__(self, user: Any, sink: list) -> None:
        self._user = user
        self._sink = sink
        for name in ("on_points", "on_badge", "on_tier", "on_redeem", "on_kudos"):
            fn = getattr(user, name, None) if user is not None else None
            if fn is not None:
                setattr(self, name, fn)

    def on_outcome(self, event: Any, outcome: Any) -> None:
        self._sink.append(outcome)
        fn = getattr(self._user, "on_outcome", None) if self._user is not None else None
        if fn is not None:
            fn(event, outcome)


class LiveMixin:
    """Reorder-window and outbox methods of :class:`~plaudit.Engine`."""

    # -- the reorder window -------------------------------------------------

    def set_reorder_window(self, seconds: int) -> None:
        """Declare the reorder window W in seconds (format 2; 0..86400;
        plaudit_program_set_reorder_window)."""
        lib.plaudit_program_set_reorder_window(self._h(), C.integer(seconds, "seconds"))

    def flush(self) -> None:
        """Release every held event in order of ts, then arrival
        (plaudit_flush); their outcomes go to the listener's on_outcome."""
        lib.plaudit_flush(self._h())
        if self._cb_exc is not None:
            self._raise_callback(None)

    def window(self) -> WindowInfo:
        """The reorder window: W, events held now, H, ... (plaudit_window_info_get)."""
        i = L.plaudit_window_info()
        lib.plaudit_window_info_get(self._h(), byref(i))
        return WindowInfo(i.window_s, i.held, i.high_water, i.arrivals, i.ready, i.oldest_ts)

    @property
    def held(self) -> int:
        """How many events the reorder window holds now."""
        return self.window().held

    @property
    def high_water(self) -> int:
        """H: the highest ts held so far (-1 before the first)."""
        return self.window().high_water

    def replay(self, lines: Iterable[Union[str, bytes]]) -> list[tuple[int, E.PlauditError]]:
        """Record event lines as ``plaudit replay`` does, then release what
        the reorder window holds: rejected and malformed lines are counted
        and listed as (line number, error), a held line by its own number
        when it is released; blank lines skipped.  Exceptions of listeners
        still propagate."""
        errors: list[tuple[int, E.PlauditError]] = []
        released: list = []
        user = self._keep.get("listener", (None,))[0]
        lines_of: dict[int, int] = {}
        self.set_listener(_ReplayListener(user, released))

        def drain() -> None:
            for o in released:
                if o.rejected:
                    errors.append((lines_of.get(o.arrival, 0), E.from_code(o.code, o.message, o)))
            released.clear()

        try:
            for i, line in enumerate(lines, 1):
                if _events.is_blank(line):
                    continue
                try:
                    o = self.record_line(line, check=True)
                    if o.arrival:
                        lines_of[o.arrival] = i
                except E.CallbackError:
                    raise
                except E.PlauditError as e:
                    if e.outcome is not None and e.outcome.arrival:
                        lines_of[e.outcome.arrival] = i
                    errors.append((i, e))
                drain()
            self.flush()
            drain()
        finally:
            self.set_listener(user)
        return errors

    # -- the outbox ---------------------------------------------------------

    def enable_outbox(self, max_pending: int = 0) -> None:
        """Keep every moment in the outbox until acknowledged, at most
        `max_pending` (0: 1048576; when full, an event is refused with
        LimitError until moments are acknowledged).  Before the first event
        and before attaching a store (plaudit_outbox_enable)."""
        lib.plaudit_outbox_enable(self._h(), C.integer(max_pending, "max_pending", 0, C.UINT64_MAX))

    def outbox(self, after: int = 0, limit: Optional[int] = None) -> list[Moment]:
        """The pending moments with seq > `after`, oldest first (at most
        `limit`), as copies (plaudit_outbox_read)."""
        from .engine import _moment

        p = POINTER(L.plaudit_moment)()
        n = c_size_t()
        lib.plaudit_outbox_read(self._h(), C.integer(after, "after", 0, C.UINT64_MAX),
                                (1 << 62) if limit is None else C.integer(limit, "limit", 0, 1 << 62), byref(p), byref(n))
        return [_moment(p[i]) for i in range(n.value)]

    def iter_outbox(self, batch: int = 1024) -> Iterator[Moment]:
        """Every pending moment, oldest first, read `batch` at a time."""
        after = 0
        while True:
            ms = self.outbox(after, batch)
            if not ms:
                return
            yield from ms
            after = ms[-1].seq

    def ack(self, upto: int) -> None:
        """Acknowledge every moment with seq <= `upto` (durably, with a store
        that has ack slots; plaudit_outbox_ack)."""
        lib.plaudit_outbox_ack(self._h(), C.integer(upto, "upto", 0, C.UINT64_MAX))

    def outbox_info(self) -> OutboxInfo:
        """plaudit_outbox_info_get."""
        i = L.plaudit_outbox_info()
        lib.plaudit_outbox_info_get(self._h(), byref(i))
        return OutboxInfo(bool(i.enabled), i.pending, i.acked, i.last_seq, i.max_pending, i.redelivered, i.refused,
                          i.bytes)
