"""plaudit_record_batch from Python."""

from __future__ import annotations

import pytest

import plaudit
from plaudit import Event, Listener, Moment

from conftest import T0


def test_batch_equals_one_by_one(program: dict) -> None:
    events = []
    for i in range(300):
        m = f"m{i % 17}"
        events.append(Event.action(T0 + i, m, ["forum.answer", "event.attended", "referral.closed"][i % 3],
                                   id=f"e{i}" if i % 5 == 0 else None))
        if i % 7 == 0:
            events.append(Event.kudos(T0 + i, m, f"m{(i + 1) % 17}"))
        if i % 50 == 0:
            events.append(Event.tick(T0 + i))
    events.append(Event.action(T0 + 1, "m0", "forum.answer"))          # backwards: rejected
    events.append(Event.action(T0 + 999, "m0", "forum.answer", id="e0"))  # conflict
    events.append(Event.action(T0, "m0", "forum.answer", id="e0"))       # duplicate
    events.append(Event.redeem(T0 + 999, "m1", "nope"))                  # unknown reward
    with plaudit.Engine(program) as a, plaudit.Engine(program) as b:
        res = a.record_batch(events)
        codes = [b.record(e, check=False) for e in events]
        assert res.n_done == len(events)
        expected = [0 if o.accepted else 1 if o.duplicate else o.code for o in codes]
        assert res.codes == expected
        assert res.rejected == sum(1 for c in expected if c < 0) and res.rejected >= 3
        assert res.duplicates >= 1 and res.accepted == expected.count(0)
        assert a.digest() == b.digest()
        assert a.export_state_json() == b.export_state_json()


def test_batch_empty_and_listener(program: dict) -> None:
    got: list[Moment] = []

    class Rec(Listener):
        def on_points(self, m: Moment) -> None:
            got.append(m)

    with plaudit.Engine(program, listener=Rec()) as e:
        assert e.record_batch([]) == plaudit.BatchResult([], 0)
        e.record_batch([Event.action(T0, "a", "forum.answer"), Event.action(T0 + 1, "b", "forum.answer")])
        assert [m.member for m in got] == ["a", "b"]


def test_batch_listener_exception(program: dict) -> None:
    class Boom(Listener):
        def on_points(self, m: Moment) -> None:
            raise ValueError("nope")

    with plaudit.Engine(program, listener=Boom()) as e:
        with pytest.raises(plaudit.CallbackError) as ei:
            e.record_batch([Event.action(T0 + i, "a", "forum.answer") for i in range(5)])
        assert isinstance(ei.value.__cause__, ValueError)
        assert e.member("a").points == 50  # the whole batch was applied
        assert e.stats().accepted == 5


def test_batch_bad_input(engine: plaudit.Engine) -> None:
    with pytest.raises(TypeError):
        engine.record_batch([Event.action(T0, 5, "x")])  # type: ignore[arg-type]
    res = engine.record_batch([Event(99, T0)])  # type: ignore[arg-type]
    assert res.codes == [plaudit.InvalidArgumentError.code]
