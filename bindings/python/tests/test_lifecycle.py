"""Closing, use after close, context managers, garbage collection."""

from __future__ import annotations

import gc

import pytest

import plaudit
from plaudit import Event

from conftest import T0


def test_close_twice_and_use_after_close(program: dict) -> None:
    e = plaudit.Engine(program)
    e.record_action(T0, "a", "forum.answer")
    assert not e.closed
    e.close()
    e.close()
    assert e.closed
    calls = [
        lambda: e.record_action(T0, "a", "forum.answer"),
        lambda: e.record(Event.tick(T0)),
        lambda: e.record_join(T0, "b"),
        lambda: e.record_kudos(T0, "a", "b"),
        lambda: e.record_redeem(T0, "a", "mug"),
        lambda: e.record_award(T0, "a", "mvp"),
        lambda: e.record_adjust(T0, "a", 1),
        lambda: e.record_segment(T0, "a", None),
        lambda: e.record_preferences(T0, "a", True),
        lambda: e.record_tick(T0),
        lambda: e.record_batch([Event.tick(T0)]),
        lambda: e.record_line('{"ts": 1, "type": "tick"}'),
        lambda: e.parse_event('{"ts": 1, "type": "tick"}'),
        lambda: e.member("a"),
        lambda: e.progress("a"),
        lambda: e.badges("a"),
        lambda: e.action_count("a", "forum.answer"),
        lambda: e.affinity("a", "socializer"),
        lambda: e.member_count,
        lambda: e.member_ids(),
        lambda: e.top("all-time"),
        lambda: e.rank("all-time", "a"),
        lambda: e.around("all-time", "a"),
        lambda: e.ranked_count("all-time"),
        lambda: e.reward_stock("mug"),
        lambda: e.stats(),
        lambda: e.export_state(),
        lambda: e.digest(),
        lambda: e.clock,
        lambda: e.errmsg,
        lambda: e.handle,
        lambda: e.program_info(),
        lambda: e.declare_action("x", 1),
        lambda: e.set_listener(None),
        lambda: e.load_program({"format": "plaudit.program/1"}),
        lambda: e.__enter__(),
    ]
    for call in calls:
        with pytest.raises(plaudit.EngineClosedError) as ei:
            call()
        assert isinstance(ei.value, plaudit.StateError) and ei.value.code == plaudit.StateError.code


def test_context_manager_closes(program: dict) -> None:
    with plaudit.Engine(program) as e:
        e.record_action(T0, "a", "forum.answer")
    assert e.closed
    with pytest.raises(plaudit.EngineClosedError):
        e.member("a")


def test_context_manager_closes_on_error(program: dict) -> None:
    with pytest.raises(RuntimeError):
        with plaudit.Engine(program) as e:
            raise RuntimeError
    assert e.closed


def test_failed_constructor_frees(program: dict) -> None:
    with pytest.raises(plaudit.VersionError):
        plaudit.Engine({"format": "nope"})


def test_many_engines_collected(program: dict) -> None:
    for _ in range(200):
        e = plaudit.Engine(program)
        e.record_action(T0, "a", "forum.answer")
        del e
    gc.collect()


def test_engines_are_independent(program: dict) -> None:
    with plaudit.Engine(program) as a, plaudit.Engine(program) as b:
        a.record_action(T0, "x", "forum.answer")
        assert b.member_count == 0 and a.member_count == 1
