"""Member snapshots, progress, badges, leaderboards, rewards, state."""

from __future__ import annotations

import json

import pytest

import plaudit
from plaudit import Criterion, RankEntry

from conftest import DAY, T0


def test_member_snapshot(engine: plaudit.Engine) -> None:
    engine.record_action(T0, "alice", "forum.answer")
    engine.record_action(T0 + 5, "alice", "event.attended")
    engine.record_kudos(T0 + 6, "bob", "alice")
    m = engine.member("alice")
    assert m == plaudit.Member(
        id="alice", joined=T0, last_ts=T0 + 6, points=35, balance=35, tier="bronze", segment="socializer",
        segment_pinned=False, leaderboards=True, kudos_given=0, kudos_received=1, distinct_actions=2,
        n_badges=1)
    assert engine.member("bob").kudos_given == 1
    with pytest.raises(plaudit.NotFoundError, match="carol"):
        engine.member("carol")
    assert engine.get_member("carol") is None
    assert engine.affinity("alice", "socializer") == 4
    assert engine.affinity("alice", "achiever") == 0
    with pytest.raises(plaudit.NotFoundError):
        engine.affinity("alice", "nope")
    assert engine.action_count("alice", "forum.answer") == 1
    assert engine.action_count("alice", "referral.closed") == 0


def test_badges_and_progress(engine: plaudit.Engine) -> None:
    for i in range(3):
        engine.record_action(T0 + i * DAY, "alice", "forum.answer")
    earned = {b.badge: b for b in engine.badges("alice")}
    assert set(earned) == {"helper", "regular"}
    assert earned["helper"].level == 1 and earned["helper"].times == 1
    assert earned["helper"].first_ts == T0 + DAY
    assert earned["regular"].last_ts == T0 + 2 * DAY
    p = engine.progress("alice")
    assert p.tier == "bronze" and p.next_tier == "silver" and p.next_points == 1000 - 30
    assert p.keep_tier is None and p.keep_points == 0
    by = {b.badge: b for b in p.badges}
    assert "night-owl" not in by  # hidden until earned
    assert by["helper"].criterion is Criterion.ACTION_COUNT
    assert (by["helper"].level, by["helper"].levels, by["helper"].current, by["helper"].next) == (1, 3, 3, 5)
    assert by["renaissance"].criterion is Criterion.DISTINCT_ACTIONS
    assert isinstance(by["helper"].earned_this_period, bool)
    with pytest.raises(plaudit.NotFoundError):
        engine.progress("nobody")
    with pytest.raises(plaudit.NotFoundError):
        engine.badges("nobody")


def test_members_paged(engine: plaudit.Engine) -> None:
    names = [f"m{i:03d}" for i in range(70)]
    for i, n in enumerate(names):
        engine.record_join(T0 + i, n)
    assert engine.member_count == 70
    assert engine.member_ids() == names
    assert engine.member_ids(page=8) == names
    assert engine.member_ids(start=65) == names[65:]
    assert engine.member_ids(start=10, limit=5, page=2) == names[10:15]
    assert engine.member_ids(start=500) == []
    assert [m.id for m in engine.members()][:3] == names[:3]


def test_leaderboards(engine: plaudit.Engine) -> None:
    engine.record_action(T0, "a", "forum.answer")          # 10
    engine.record_action(T0 + 1, "b", "event.attended")    # 20
    engine.record_action(T0 + 2, "c", "forum.answer")      # 10, later than a
    engine.record_action(T0 + 3, "d", "event.attended")    # 20, later than b
    engine.record_preferences(T0 + 4, "e", False)
    engine.record_action(T0 + 5, "e", "referral.closed")   # opted out
    top = engine.top("all-time", 10)
    assert top == [RankEntry("b", 20, 1, T0 + 1), RankEntry("d", 20, 2, T0 + 3),
                   RankEntry("a", 10, 3, T0), RankEntry("c", 10, 4, T0 + 2)]
    assert engine.top("all-time", 2) == top[:2]
    assert engine.top("all-time", 0) == []
    assert engine.ranked_count("all-time") == 4
    assert engine.rank("all-time", "a") == plaudit.Rank(3, 10)
    assert engine.rank("all-time", "e") == plaudit.Rank(0, 600)  # opted out: not ranked
    assert engine.around("all-time", "a", 1) == top[1:4]
    assert engine.around("all-time", "b", 1) == top[:2]
    assert engine.around("all-time", "e", 2) == []
    assert engine.around("all-time", "d", 0) == [top[1]]
    assert engine.ranked_count("achievers") == 0
    with pytest.raises(plaudit.NotFoundError):
        engine.top("nope")
    with pytest.raises(plaudit.NotFoundError):
        engine.rank("all-time", "zed")
    with pytest.raises(plaudit.NotFoundError):
        engine.ranked_count("nope")


def test_leaderboard_close_badge(engine: plaudit.Engine) -> None:
    engine.record_action(T0, "a", "event.attended")
    engine.record_action(T0 + 1, "b", "forum.answer")
    out = engine.record_tick(T0 + 40 * DAY)  # January closes
    got = [(m.member, m.badge, m.leaderboard) for m in out.moments if m.kind is plaudit.MomentKind.BADGE]
    assert ("a", "top-contributor", "monthly") in got and ("b", "top-contributor", "monthly") in got
    assert engine.top("monthly") == []


def test_rewards(engine: plaudit.Engine) -> None:
    assert engine.reward_stock("mug") == 1
    assert engine.reward_stock("donation") is None
    with pytest.raises(plaudit.NotFoundError):
        engine.reward_stock("yacht")
    engine.record_adjust(T0, "a", 300)
    engine.record_redeem(T0 + 1, "a", "mug")
    assert engine.reward_stock("mug") == 0
    with pytest.raises(plaudit.StockError):
        engine.record_redeem(T0 + 2, "a", "mug")
    with pytest.raises(plaudit.FundsError):
        engine.record_redeem(T0 + 2, "b", "donation")


def test_state_export_and_digest(engine: plaudit.Engine) -> None:
    d0 = engine.digest()
    st = engine.export_state()
    assert st["format"] == "plaudit.state/1" and st["clock"] is None and st["members"] == {}
    assert engine.clock is None
    engine.record_action(T0, "alice", "forum.answer")
    text = engine.export_state_json()
    assert text.endswith("\n") and json.loads(text)["members"]["alice"]["points"] == 10
    assert engine.clock == T0
    d1 = engine.digest()
    assert d1 != d0 and 0 <= d1 < 2**64
    with pytest.raises(plaudit.TimeError):
        engine.record_action(T0 - 5, "alice", "forum.answer")
    assert engine.digest() == d1
    assert engine.export_state()["stats"]["rejected"] == 1


def test_digest_independent_of_engine(program: dict) -> None:
    def run() -> int:
        with plaudit.Engine(program) as e:
            e.record_action(T0, "x", "forum.answer")
            e.record_kudos(T0 + 1, "y", "x")
            return e.digest()
    assert run() == run()


def test_errmsg_and_errcode(engine: plaudit.Engine) -> None:
    with pytest.raises(plaudit.NotFoundError):
        engine.member("ghost")
    assert engine.errcode == plaudit.NotFoundError.code
    assert "ghost" in engine.errmsg
    engine.member_count  # noqa: B018 - a call that does not reset the message is fine
    engine.record_action(T0, "alice", "forum.answer")
    assert engine.errcode == 0 and engine.errmsg == ""


def test_options() -> None:
    prog = {"format": "plaudit.program/1", "actions": [{"id": "a", "points": 1}]}
    with plaudit.Engine(prog, max_members=2) as e:
        e.record_action(T0, "m1", "a")
        e.record_action(T0, "m2", "a")
        with pytest.raises(plaudit.LimitError):
            e.record_action(T0, "m3", "a")
    with plaudit.Engine(prog, idempotency_retention_s=10) as e:
        e.record_action(T0, "m1", "a", id="k")
        assert e.record_action(T0, "m1", "a", id="k").duplicate
        e.record_action(T0 + 100, "m1", "a")
        assert e.record_action(T0 + 100, "m1", "a", id="k").accepted  # forgotten
    with pytest.raises(plaudit.RangeError):
        plaudit.Engine(idempotency_retention_s=-1)
    with plaudit.Engine(tzdir="/nonexistent") as e:
        with pytest.raises(plaudit.PlauditError):
            e.set_timezone("Europe/Amsterdam")

