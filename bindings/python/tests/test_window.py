"""The reorder window and the outbox from Python: held outcomes, on_outcome,
flush, the window's figures, Engine.replay with a window, the outbox
(iterate, acknowledge, full), and redelivery after recovery from SQLite and
the file store."""

from __future__ import annotations

import pytest

import plaudit
from plaudit import Status

T = 1767225600

PROGRAM = {
    "format": "plaudit.program/2",
    "reorder_window_s": 120,
    "actions": [{"id": "post", "points": 10}],
    "kudos": {"points": 5},
    "leaderboards": [{"id": "all-time", "period": "all"}],
}


class Released(plaudit.Listener):
    def __init__(self) -> None:
        self.outcomes: list[tuple[plaudit.Event, plaudit.Outcome]] = []
        self.points: list[plaudit.Moment] = []

    def on_points(self, moment: plaudit.Moment) -> None:
        self.points.append(moment)

    def on_outcome(self, event: plaudit.Event, outcome: plaudit.Outcome) -> None:
        self.outcomes.append((event, outcome))


@pytest.mark.parametrize("builder", [False, True])
def test_held_released_in_order(builder: bool) -> None:
    lis = Released()
    eng = plaudit.Engine(listener=lis)
    eng.load_program(PROGRAM, use_json=not builder)
    with eng:
        assert eng.window().window_s == 120
        o = eng.record_action(T, "alice", "post")
        assert o.held and o.status is Status.HELD and o.arrival == 1
        assert eng.record_kudos(T + 100, "bob", "alice").held
        assert eng.record_action(T + 50, "alice", "post").held  # late: held, not rejected
        assert eng.held == 3 and eng.high_water == T + 100
        assert eng.record_action(T + 200, "bob", "post").held  # releases T and T+50
        assert [o.arrival for _, o in lis.outcomes] == [1, 3]
        assert all(o.accepted for _, o in lis.outcomes)
        assert [e.member for e, _ in lis.outcomes] == ["alice", "alice"]
        # older than H - W: decided in its own call, not through on_outcome
        with pytest.raises(plaudit.TimeError):
            eng.record_action(T + 10, "alice", "post")
        eng.flush()
        assert eng.held == 0
        assert [o.arrival for _, o in lis.outcomes] == [1, 3, 2, 4]
        assert eng.member("alice").points == 25
        assert [m.seq for m in lis.points] == sorted(m.seq for m in lis.points)
        assert eng.stats().rejected == 1


def test_replay_reports_released_lines() -> None:
    with plaudit.Engine(PROGRAM) as eng:
        errs = eng.replay([
            f'{{"ts": {T}, "member": "a", "action": "post"}}',
            f'{{"ts": {T + 5}, "member": "a", "action": "nope"}}',  # held, rejected at release
            f'{{"ts": {T + 300}, "member": "b", "action": "post"}}',
            '{"ts": ',  # malformed: at once
        ])
        assert [(n, type(e).__name__) for n, e in errs] == [(2, "NotFoundError"), (4, "ParseError")]
        assert eng.held == 0  # replay flushes at the end
        assert eng.stats().accepted == 2


def test_outbox() -> None:
    with plaudit.Engine(PROGRAM) as eng:
        with pytest.raises(plaudit.StateError):
            eng.outbox()
        eng.enable_outbox(3)
        eng.record_adjust(T, "a", 5, "hi")
        eng.record_action(T + 200, "b", "post")  # releases the adjustment
        eng.flush()
        ms = eng.outbox()
        assert [m.seq for m in ms] == [1, 2] and ms[0].source_id == "hi" and not ms[0].redelivered
        assert [m.seq for m in eng.outbox(after=1)] == [2]
        eng.record_action(T + 300, "c", "post")
        eng.flush()  # 3 pending: full
        with pytest.raises(plaudit.LimitError):
            eng.record_action(T + 400, "d", "post")
        assert eng.outbox_info().refused == 1
        eng.ack(2)
        assert [m.seq for m in eng.iter_outbox(batch=1)] == [3]
        with pytest.raises(plaudit.RangeError):
            eng.ack(99)
        assert eng.record_action(T + 400, "d", "post").held
        info = eng.outbox_info()
        assert info.enabled and info.acked == 2 and info.last_seq == 3 and info.pending == 1


@pytest.mark.parametrize("kind", ["sqlite", "file"])
def test_redelivered_after_recovery(tmp_path, kind: str) -> None:
    def open_engine() -> plaudit.Engine:
        eng = plaudit.Engine(PROGRAM)
        eng.enable_outbox()
        if kind == "sqlite":
            eng.attach_store(plaudit.SQLiteStore(tmp_path / "s.db"))
        else:
            eng.file_store(tmp_path / "fs", create=True)
        return eng

    eng = open_engine()
    for i in range(6):
        eng.record_action(T + 100 * i, f"m{i % 3}", "post")
    held = eng.held
    assert held > 0
    first = eng.outbox()
    assert len(first) >= 3
    eng.ack(first[1].seq)
    want = [(m.seq, m.member, m.points) for m in eng.outbox()]
    digest = eng.digest()
    eng.close()  # as good as a crash: the store is durable
    eng = open_engine()
    try:
        assert eng.digest() == digest and eng.held == held  # the held events came back
        rec = eng.recovery
        assert rec.arrivals == 6 and rec.accepted == 0  # every record an arrival, decided at release
        got = eng.outbox()
        assert [(m.seq, m.member, m.points) for m in got] == want
        assert all(m.redelivered for m in got)
        eng.flush()
        assert eng.held == 0
    finally:
        eng.close()


def test_batch_counts_held() -> None:
    with plaudit.Engine(PROGRAM) as eng:
        res = eng.record_batch([
            plaudit.Event.action(T, "alice", "post"),
            plaudit.Event.action(T + 10, "bob", "post"),
            plaudit.Event.action(T + 300, "cy", "post"),  # releases the two above
            plaudit.Event.action(T - 5, "alice", "post"),  # older than H - W: decided now, rejected
        ])
        assert res.codes[:3] == [plaudit.HELD] * 3
        assert res.held == 3 and res.accepted == 0 and res.rejected == 1
        assert eng.held == 1  # cy's, until the flush
        eng.flush()
        assert eng.member("cy").points == 10
