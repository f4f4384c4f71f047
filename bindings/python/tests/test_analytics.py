"""Program analytics through the bindings: the hand-worked history of
tests/test-analytics.c (see the comments there), and the errors."""

from __future__ import annotations

import json

import pytest

import plaudit
from plaudit import analytics

JAN, FEB, MAR = 1767225600, 1769904000, 1772323200

PROGRAM = {
    "format": "plaudit.program/1",
    "actions": [{"id": "a", "points": 10}, {"id": "b", "points": 5}],
    "tiers": [{"id": "t0", "min_points": 0}, {"id": "t1", "min_points": 100}],
    "segments": [{"id": "s", "weights": {"a": 1}}],
    "badges": [{"id": "g", "when": {"action": "a", "count": 3}}],
    "kudos": {"points": 1},
    "rewards": [{"id": "r", "cost": 10}],
}

HISTORY = [
    {"ts": JAN, "member": "alice", "action": "a"},
    {"ts": JAN + 100, "member": "alice", "action": "b"},
    {"ts": JAN + 200, "type": "join", "member": "bob"},
    {"ts": JAN + 300, "member": "carol", "action": "a"},
    {"ts": FEB, "member": "alice", "action": "a"},
    {"ts": FEB + 100, "member": "alice", "action": "a"},
    {"ts": FEB + 200, "type": "kudos", "from": "bob", "to": "carol"},
    {"ts": FEB + 300, "member": "dave", "action": "a"},
    {"ts": FEB + 400, "type": "redeem", "member": "alice", "reward": "r"},
    {"ts": MAR, "member": "carol", "action": "a"},
]


def engine(**opts):
    e = plaudit.Engine(PROGRAM)
    e.enable_analytics(**opts)
    for ev in HISTORY:
        e.record_line(json.dumps(ev))
    return e


def test_all_time() -> None:
    with engine() as e:
        a = e.analytics()
        assert (a.members, a.participants, a.contributions) == (4, 3, 7)
        assert a.participation_rate == pytest.approx(0.75)
        assert (a.repeat_participants, a.diverse_participants) == (2, 1)
        assert a.tenure_avg_days == pytest.approx(50.5) and a.tenure_median_days == 58
        assert a.tiers == {"t0": 4, "t1": 0, None: 0}
        assert a.segments == {"s": 3, None: 1}
        assert (a.rewards_redeemed, a.points_redeemed) == (1, 10)
        assert a.gini == pytest.approx(100 / 396)
        assert a.lorenz[0] == 0 and a.lorenz[-1] == pytest.approx(1)
        assert a.never_recognized == 1
        assert a.quiet == [analytics.QuietContributor("dave", 1, None)] and a.quiet_total == 1
        assert [p.label for p in a.periods] == ["2026-01", "2026-02", "2026-03"]
        assert [p.participants for p in a.periods] == [2, 2, 1]


def test_window_and_quiet_days() -> None:
    with engine(quiet_days=1, period="month") as e:
        feb = analytics.get(e, FEB, MAR)
        assert (feb.members, feb.participants, feb.contributions) == (4, 2, 3)
        assert feb.gini == pytest.approx(1 / 6)
        assert feb.first_period == feb.last_period == "2026-02"
        allt = e.analytics()
        assert allt.quiet == [analytics.QuietContributor("carol", 1, FEB + 200)]


def test_errors() -> None:
    with plaudit.Engine(PROGRAM) as e:
        with pytest.raises(plaudit.StateError):
            e.analytics()
        with pytest.raises(plaudit.InvalidArgumentError):
            e.enable_analytics(period="all")
        with pytest.raises(plaudit.RangeError):
            e.enable_analytics(quiet_days=0)
        e.record_line(json.dumps(HISTORY[0]))
        with pytest.raises(plaudit.StateError):
            e.enable_analytics()
    with engine() as e:
        with pytest.raises(plaudit.RangeError):
            e.analytics(MAR, FEB)


def test_teams() -> None:
    """Format 2: the figures by team (tests/test-analytics.c test_teams)."""
    e = plaudit.Engine()
    e.load_program({"format": "plaudit.program/2", "actions": [{"id": "a", "points": 10}],
                    "kudos": {"points": 1}}, use_json=False)
    with e:
        e.enable_analytics()
        e.record_team(JAN, "alice", "red")
        e.record_team(JAN, "bob", "red")
        e.record_team(JAN, "carol", "blue")
        for ts, m in ((100, "alice"), (200, "bob"), (300, "bob"), (400, "carol")):
            e.record_action(JAN + ts, m, "a")
        e.record_kudos(JAN + 600, "bob", "alice")
        a = e.analytics()
        assert [t.team for t in a.teams] == ["red", "blue", None]
        red, blue, none = a.teams
        assert (red.members, red.participants, red.contributions, red.points) == (2, 2, 3, 31)
        assert red.gini == pytest.approx(18 / 124)
        assert (red.never_recognized, red.never_recognized_rate) == (1, pytest.approx(0.5))
        assert (blue.members, blue.participants, blue.points, blue.gini) == (1, 1, 10, 0)
        assert (none.members, none.participants) == (0, 0)
    with engine() as v1:
        assert v1.analytics().teams == []
