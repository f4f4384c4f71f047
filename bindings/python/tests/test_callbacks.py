"""Listeners written in Python: delivery, exceptions, re-entrancy, lifetime."""

from __future__ import annotations

import gc
from typing import Any

import pytest

import plaudit
from plaudit import Event, Listener, Moment, MomentKind

from conftest import T0


class Recorder(Listener):
    def __init__(self) -> None:
        self.got: list[Moment] = []

    def on_points(self, m: Moment) -> None:
        self.got.append(m)

    def on_badge(self, m: Moment) -> None:
        self.got.append(m)

    def on_tier(self, m: Moment) -> None:
        self.got.append(m)

    def on_redeem(self, m: Moment) -> None:
        self.got.append(m)

    def on_kudos(self, m: Moment) -> None:
        self.got.append(m)


def test_moments_delivered_in_outcome_order(engine: plaudit.Engine) -> None:
    rec = Recorder()
    engine.set_listener(rec)
    out = engine.record_action(T0, "alice", "referral.closed")
    assert rec.got == list(out.moments)
    rec.got.clear()
    engine.record_kudos(T0 + 1, "bob", "alice")
    engine.record_redeem(T0 + 2, "alice", "mug")
    kinds = [m.kind for m in rec.got]
    assert MomentKind.KUDOS in kinds and MomentKind.REDEEM in kinds


def test_only_overridden_methods_and_duck_typing(engine: plaudit.Engine) -> None:
    class OnlyBadges(Listener):
        def __init__(self) -> None:
            self.badges: list[str] = []

        def on_badge(self, m: Moment) -> None:
            self.badges.append(m.badge or "")

    lst = OnlyBadges()
    engine.set_listener(lst)
    assert len(engine._keep["listener"][1]) == 1  # one C callback installed
    engine.record_action(T0, "a", "referral.closed")
    assert lst.badges == ["first-referral"]

    class Duck:
        def __init__(self) -> None:
            self.n = 0

        def on_points(self, m: Moment) -> None:
            self.n += 1

    duck = Duck()
    engine.set_listener(duck)
    engine.record_action(T0 + 1, "a", "forum.answer")
    assert duck.n == 1 and lst.badges == ["first-referral"]
    engine.set_listener(None)
    engine.record_action(T0 + 2, "a", "forum.answer")
    assert duck.n == 1


def test_constructor_listener(program: dict) -> None:
    rec = Recorder()
    with plaudit.Engine(program, listener=rec) as e:
        e.record_action(T0, "a", "forum.answer")
    assert [m.kind for m in rec.got][0] is MomentKind.POINTS


def test_exception_in_listener_is_reraised_after_the_event(engine: plaudit.Engine) -> None:
    calls: list[str] = []

    class Boom(Listener):
        def on_points(self, m: Moment) -> None:
            calls.append(f"points:{m.points}")
            raise RuntimeError("listener broke")

        def on_badge(self, m: Moment) -> None:
            calls.append("badge")

    engine.set_listener(Boom())
    with pytest.raises(plaudit.CallbackError) as ei:
        engine.record_action(T0, "alice", "referral.closed")
    err = ei.value
    assert err.code == -16 and isinstance(err.__cause__, RuntimeError) and err.original is err.__cause__
    assert "listener broke" in str(err)
    # the event stays accepted; later moments were still delivered
    assert err.outcome is not None and err.outcome.accepted and err.outcome.points == 600
    assert calls == ["points:500", "badge", "points:100"]
    assert engine.member("alice").points == 600
    assert engine.stats().accepted == 1
    # the engine is fine afterwards: the next event works (listener still raising)
    engine.set_listener(None)
    assert engine.record_action(T0 + 1, "alice", "forum.answer").accepted


def test_base_exception_in_listener_propagates_as_is(engine: plaudit.Engine) -> None:
    class Stop(Listener):
        def on_points(self, m: Moment) -> None:
            raise KeyboardInterrupt

    engine.set_listener(Stop())
    with pytest.raises(KeyboardInterrupt):
        engine.record_action(T0, "alice", "forum.answer")
    assert engine.member("alice").points == 10


def test_reentrancy(engine: plaudit.Engine) -> None:
    seen: dict[str, Any] = {}

    class Nosy(Listener):
        def on_points(self, m: Moment) -> None:
            # queries are allowed
            seen["member"] = engine.member(m.member)
            seen["rank"] = engine.rank("all-time", m.member)
            seen["progress"] = engine.progress(m.member)
            seen["state"] = engine.export_state()
            # changes are not
            for name, call in [
                ("record", lambda: engine.record_action(m.ts, "other", "forum.answer")),
                ("record_event", lambda: engine.record(Event.tick(m.ts))),
                ("batch", lambda: engine.record_batch([Event.tick(m.ts)])),
                ("declare", lambda: engine.declare_action("late", 1)),
                ("listener", lambda: engine.set_listener(None)),
            ]:
                try:
                    call()
                except plaudit.StateError as e:
                    seen[name] = e.code
            if "line" not in seen:
                try:
                    engine.record_line('{"ts": %d, "type": "tick"}' % m.ts)
                except plaudit.StateError as e:
                    seen["line"] = e.code

    engine.set_listener(Nosy())
    out = engine.record_action(T0, "alice", "forum.answer")
    # the outer outcome was not overwritten by the nested rejected calls
    assert out.accepted and out.points == 10 and len(out.moments) >= 1
    assert seen["member"].points == 10 and seen["rank"].rank == 1
    assert seen["state"]["members"]["alice"]["points"] == 10
    for name in ("record", "record_event", "batch", "declare", "listener", "line"):
        assert seen[name] == plaudit.StateError.code, name
    assert engine.get_member("other") is None
    assert engine.stats().accepted == 1


def test_uncaught_state_error_in_listener(engine: plaudit.Engine) -> None:
    class Bad(Listener):
        def on_points(self, m: Moment) -> None:
            engine.record_tick(m.ts)

    engine.set_listener(Bad())
    with pytest.raises(plaudit.CallbackError) as ei:
        engine.record_action(T0, "alice", "forum.answer")
    assert isinstance(ei.value.__cause__, plaudit.StateError)
    assert engine.member("alice").points == 10


def test_callbacks_kept_alive(program: dict) -> None:
    got: list[int] = []

    class L(Listener):
        def on_points(self, m: Moment) -> None:
            got.append(m.points)

    e = plaudit.Engine(program)
    e.set_listener(L())  # no other reference to the listener or its callbacks
    gc.collect()
    for i in range(50):
        e.record_action(T0 + i, f"m{i}", "forum.answer")
        if i % 10 == 0:
            gc.collect()
    assert got == [10] * 50
    e.close()


def test_engine_collected_with_listener(program: dict) -> None:
    import weakref

    class L(Listener):
        def on_points(self, m: Moment) -> None:
            pass

    e = plaudit.Engine(program, listener=L())
    ref = weakref.ref(e)
    del e
    assert ref() is None  # no reference cycle through the callbacks
