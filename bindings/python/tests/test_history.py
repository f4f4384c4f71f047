"""The points history (spec section 8) from Python: Engine(history=N |
"all"), Engine.history(member, limit=, before=) with its frozen
dataclasses, every cause, paging, the bound, errors, and recovery."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import plaudit
from plaudit import EventType, HistoryEntry, HistoryPage, Source

T = 1767571200 + 12 * 3600  # Monday 2026-01-05 noon UTC

PROGRAM: dict[str, Any] = {
    "format": "plaudit.program/2",
    "actions": [{"id": "answer", "points": 10}],
    "badges": [
        {"id": "first", "when": {"action": "answer", "count": 1}, "bonus": 5},
        {"id": "hero", "manual": True, "bonus": 20},
    ],
    "kudos": {"points": 3},
    "rewards": [{"id": "mug", "cost": 15}],
}


def test_every_cause_newest_first() -> None:
    with plaudit.Engine(PROGRAM, history=50) as e:
        e.record_action(T, "alice", "answer", "a1", ref="post:1")
        e.record_kudos(T + 1, "bob", "alice", "k1")
        e.record_adjust(T + 2, "alice", -2, "spam")
        e.record_redeem(T + 3, "alice", "mug", "r1")
        e.record_award(T + 4, "alice", "hero")
        e.revoke(T + 5, event="a1", reason="deleted")
        page = e.history("alice", limit=10)
        assert isinstance(page, HistoryPage)
        assert page.total == page.kept == 7 and page.next is None
        got = [(h.cause, h.cause_id, h.points, h.balance) for h in page.entries]
        assert got == [
            (Source.REVOKE, "a1", -10, -10),
            (Source.BONUS, "hero", 20, 20),
            (Source.REDEEM, "mug", 0, -15),
            (Source.ADJUST, "spam", -2, -2),
            (Source.KUDOS, "bob", 3, 3),
            (Source.BONUS, "first", 5, 5),
            (Source.ACTION, "answer", 10, 10),
        ]
        first = page.entries[-1]
        assert isinstance(first, HistoryEntry)
        assert (first.seq, first.ts, first.event_type) == (1, T, EventType.ACTION)
        assert (first.event_id, first.event_ref) == ("a1", "post:1")
        rv = page.entries[0]
        assert (rv.revoked_event, rv.revoked_ref, rv.reason, rv.event_type) == ("a1", "post:1", "deleted",
                                                                                EventType.REVOKE)
        # the history adds up to the member
        m = e.member("alice")
        assert sum(h.points for h in page.entries) == m.points
        assert sum(h.balance for h in page.entries) == m.balance
        # frozen
        with pytest.raises(dataclasses.FrozenInstanceError):
            first.points = 1  # type: ignore[misc]
        # the giver's points did not move: nothing for bob
        assert e.history("bob").entries == []


def test_paging_and_bound() -> None:
    with plaudit.Engine(PROGRAM, history=5) as e:
        for i in range(12):
            e.record_action(T + i, "dana", "answer")
        p = e.history("dana", limit=2)
        assert [h.seq for h in p.entries] == [13, 12]  # 12 answers and one bonus
        assert (p.total, p.kept, p.next) == (13, 5, 12)
        p = e.history("dana", limit=2, before=p.next)
        assert [h.seq for h in p.entries] == [11, 10]
        p = e.history("dana", limit=2, before=p.next)
        assert [h.seq for h in p.entries] == [9]  # the oldest kept
        assert p.next is None


def test_all_and_none() -> None:
    with plaudit.Engine(PROGRAM, history=plaudit.HISTORY_ALL) as e:
        for i in range(300):
            e.record_action(T + i, "erin", "answer")
        assert e.history("erin", limit=1).kept == 301
        assert e.history_info()["entries"] == 301
    with plaudit.Engine(PROGRAM) as e:
        e.record_action(T, "erin", "answer")
        with pytest.raises(plaudit.StateError) as ei:
            e.history("erin")
        assert "history_per_member" in str(ei.value)
        assert e.history_info()["per_member"] == 0


def test_bad_input() -> None:
    with plaudit.Engine(PROGRAM, history=10) as e:
        e.record_action(T, "alice", "answer")
        with pytest.raises(plaudit.NotFoundError):
            e.history("nobody")
        with pytest.raises(plaudit.RangeError):
            e.history("alice", limit=0)
        with pytest.raises(plaudit.RangeError):
            e.history("alice", before=-1)
        with pytest.raises(TypeError):
            e.history("alice", limit="3")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            e.history(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        plaudit.Engine(PROGRAM, history="some")
    with pytest.raises(plaudit.RangeError):
        plaudit.Engine(PROGRAM, history=-1)


def test_recovery_gives_the_same_history(tmp_path: Any) -> None:
    def run(e: Any, lo: int, hi: int) -> None:
        for i in range(lo, hi):
            if i % 5 == 4:
                e.record_adjust(T + i, "alice", 1, f"bonus {i}", f"adj{i}")
            else:
                e.record_action(T + i, "alice", "answer", f"a{i}")

    with plaudit.Engine(PROGRAM, history=8) as ref:
        run(ref, 0, 30)
        want = ref.history("alice", limit=100)
    with plaudit.Engine(PROGRAM, history=8) as e:
        e.file_store(tmp_path / "s", sync="never")
        run(e, 0, 15)
        e.snapshot()
        run(e, 15, 30)
    with plaudit.Engine(PROGRAM, history=8) as e:
        rec = e.file_store(tmp_path / "s")
        assert rec.snapshot and rec.replayed > 0
        assert e.history("alice", limit=100) == want
