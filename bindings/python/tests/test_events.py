"""Recording every event type; outcomes and moments; rejections."""

from __future__ import annotations

import pytest

import plaudit
from plaudit import Event, EventType, MomentKind, Source, Status

from conftest import DAY, T0


def test_action_outcome_and_moments(engine: plaudit.Engine) -> None:
    out = engine.record_action(T0, "alice", "referral.closed")
    assert out.status is Status.ACCEPTED and out.accepted and not out.rejected
    assert out.code == 0 and out.message == ""
    assert out.points == 600  # 500 + first-referral bonus 100
    kinds = [m.kind for m in out.moments]
    assert kinds.count(MomentKind.POINTS) == 2
    assert MomentKind.BADGE in kinds and MomentKind.TIER in kinds
    assert out.n_badges == kinds.count(MomentKind.BADGE)
    assert out.n_tier_changes == kinds.count(MomentKind.TIER)
    pts = [m for m in out.moments if m.kind is MomentKind.POINTS]
    assert (pts[0].source, pts[0].source_id, pts[0].points) == (Source.ACTION, "referral.closed", 500)
    assert (pts[1].source, pts[1].source_id, pts[1].points) == (Source.BONUS, "first-referral", 100)
    badge = next(m for m in out.moments if m.kind is MomentKind.BADGE)
    assert (badge.badge, badge.level, badge.member, badge.ts, badge.leaderboard) == \
        ("first-referral", 1, "alice", T0, None)
    tier = next(m for m in out.moments if m.kind is MomentKind.TIER)
    assert (tier.tier_from, tier.tier_to, tier.promoted) == (None, "bronze", True)


def test_every_event_type(engine: plaudit.Engine) -> None:
    e = engine
    assert e.record_join(T0, "bob").accepted
    with pytest.raises(plaudit.ExistsError):
        e.record_join(T0, "bob")
    e.record_action(T0 + 1, "alice", "forum.answer")
    k = e.record_kudos(T0 + 2, "alice", "bob")
    assert k.points == 5
    km = [m for m in k.moments if m.kind is MomentKind.KUDOS][0]
    assert (km.member, km.to) == ("alice", "bob")
    kp = [m for m in k.moments if m.kind is MomentKind.POINTS][0]
    assert (kp.member, kp.source, kp.source_id) == ("bob", Source.KUDOS, "alice")
    a = e.record_adjust(T0 + 3, "bob", 200, "welcome gift")
    ap = [m for m in a.moments if m.kind is MomentKind.POINTS][0]
    assert (ap.source, ap.source_id, ap.points) == (Source.ADJUST, "welcome gift", 200)
    r = e.record_redeem(T0 + 4, "bob", "mug")
    rm = [m for m in r.moments if m.kind is MomentKind.REDEEM][0]
    assert (rm.reward, rm.cost) == ("mug", 100)
    assert e.member("bob").balance == 105 and e.member("bob").points == 205
    w = e.record_award(T0 + 5, "bob", "mvp")
    wm = [m for m in w.moments if m.kind is MomentKind.BADGE][0]
    assert (wm.badge, wm.times) == ("mvp", 1)
    assert w.points == 10  # bonus
    assert e.record_segment(T0 + 6, "bob", "achiever").accepted
    assert e.member("bob").segment == "achiever" and e.member("bob").segment_pinned
    assert e.record_segment(T0 + 7, "bob", None).accepted
    assert not e.member("bob").segment_pinned
    assert e.record_preferences(T0 + 8, "bob", False).accepted
    assert e.member("bob").leaderboards is False
    assert e.record_preferences(T0 + 9, "bob", True).accepted
    assert e.record_tick(T0 + 10).accepted
    assert e.clock == T0 + 10
    assert e.stats() == plaudit.Stats(accepted=11, duplicates=0, rejected=1)


def test_record_event_struct(engine: plaudit.Engine) -> None:
    evs = [
        Event.join(T0, "carol"),
        Event.action(T0 + 1, "carol", "forum.answer", id="e1"),
        Event.kudos(T0 + 2, "dave", "carol"),
        Event.adjust(T0 + 3, "carol", 40, reason="gift"),
        Event.award(T0 + 4, "carol", "mvp"),
        Event.redeem(T0 + 5, "carol", "donation"),
        Event.segment(T0 + 6, "carol", "socializer"),
        Event.preferences(T0 + 7, "carol", False),
        Event.tick(T0 + 8),
    ]
    for ev in evs:
        assert engine.record(ev).accepted, ev
    assert engine.record(evs[1]).status is Status.DUPLICATE
    assert (engine.member("carol").points, engine.member("carol").balance) == (65, 15)


def test_duplicate_and_conflict(engine: plaudit.Engine) -> None:
    first = engine.record_action(T0, "alice", "forum.answer", id="k1")
    dup = engine.record_action(T0, "alice", "forum.answer", id="k1")
    assert first.accepted and dup.duplicate and dup.status is Status.DUPLICATE
    assert dup.code == 0 and dup.points == 0 and dup.moments == ()
    assert "already accepted" in dup.message
    with pytest.raises(plaudit.ConflictError) as ei:
        engine.record_action(T0, "alice", "event.attended", id="k1")
    assert ei.value.outcome.rejected and ei.value.outcome.code == plaudit.ConflictError.code
    assert engine.stats() == plaudit.Stats(1, 1, 1)


def test_rejection_raises_with_outcome_or_returns_it(engine: plaudit.Engine) -> None:
    engine.record_action(T0, "alice", "forum.answer")
    digest = engine.digest()
    with pytest.raises(plaudit.TimeError) as ei:
        engine.record_action(T0 - 1, "alice", "forum.answer")
    err = ei.value
    assert err.code == -8 and "went backwards" in err.message
    assert err.outcome.status is Status.REJECTED and err.outcome.message == err.message
    out = engine.record_action(T0 - 1, "alice", "forum.answer", check=False)
    assert out.rejected and out.code == -8 and "went backwards" in out.message
    assert engine.digest() == digest  # a rejected call changes nothing


def test_limits_once_cooldown_cap(engine: plaudit.Engine) -> None:
    assert engine.record_action(T0, "a", "profile.completed").points == 50
    assert engine.record_action(T0 + 1, "a", "profile.completed").points == 0
    assert engine.record_action(T0 + 2, "a", "review.published").points == 100
    assert engine.record_action(T0 + 3, "a", "review.published").points == 0
    assert engine.action_count("a", "review.published") == 2
    total = sum(engine.record_action(T0 + 10 + i, "b", "forum.answer").points for i in range(25))
    assert total == 200
    assert engine.record_action(T0 + DAY, "b", "forum.answer").points == 10


def test_str_and_bytes_inputs(engine: plaudit.Engine) -> None:
    engine.record_action(T0, "zoë", "forum.answer")
    engine.record_action(T0, b"zo\xc3\xab", b"forum.answer")
    assert engine.action_count("zoë", "forum.answer") == 2
    with pytest.raises(plaudit.UTF8Error):
        engine.record_action(T0, b"bad\xff", "forum.answer")
    with pytest.raises(TypeError):
        engine.record_action(T0, 42, "forum.answer")  # type: ignore[arg-type]


def test_record_line(engine: plaudit.Engine) -> None:
    out = engine.record_line('{"ts": %d, "member": "alice", "action": "forum.answer", "id": "l1"}\n' % T0)
    assert out.accepted and out.points == 10
    assert engine.record_line(b'{"ts": %d, "member": "alice", "action": "forum.answer", "id": "l1"}\r\n'
                              % T0).duplicate
    out = engine.record_line('{"ts": %d, "type": "kudos", "from": "bob", "to": "alice"}' % (T0 + 1))
    assert out.points == 5
    before = engine.stats()
    for bad in ['{"ts": 1, "member": ', '{"ts": 1.0, "member": "a", "action": "forum.answer"}',
                '{"ts": 1, "ts": 2, "type": "tick"}', '[1]', '{"ts": 1, "type": "tick", "extra": 1}',
                '{"ts": 1, "type": "warp"}', '{"member": "a", "action": "forum.answer"}',
                '{"ts": 1, "type": "tick", "x": NaN}', '{"ts": 1, "type": "join", "member": "\\ud800"}']:
        with pytest.raises((plaudit.ParseError, plaudit.UTF8Error)):
            engine.record_line(bad)
    out = engine.record_line("{", check=False)
    assert out.rejected and out.code == plaudit.ParseError.code
    with pytest.raises((plaudit.UTF8Error, plaudit.ParseError)):
        engine.record_line(b'{"ts": 1, "type": "join", "member": "\xff"}')
    assert engine.stats().rejected == before.rejected + 11
    with pytest.raises(plaudit.NotFoundError):
        engine.record_line("   \n")
    assert engine.stats().rejected == before.rejected + 11  # a blank line is not counted


def test_parse_event(engine: plaudit.Engine) -> None:
    ev = engine.parse_event('{"ts": 5, "type": "adjust", "member": "m", "points": -3, "reason": "r", "id": "x"}')
    assert ev == Event(EventType.ADJUST, 5, "m", None, "x", -3, "r", False)
    ev = engine.parse_event('{"ts": 6, "type": "preferences", "member": "m", "leaderboards": false}')
    assert (ev.type, ev.flag) == (EventType.PREFERENCES, False)
    ev = engine.parse_event('{"ts": 7, "type": "segment", "member": "m", "segment": null}')
    assert ev.target is None
    assert plaudit.parse_line('{"ts": 8, "type": "tick"}') == Event.tick(8)
    with pytest.raises(plaudit.ParseError):
        engine.parse_event('{"ts": 8, "type": "tick", "member": "m"}')
    with pytest.raises(plaudit.NotFoundError):
        engine.parse_event("")
    assert engine.stats().rejected == 0  # parsing records nothing


def test_last_outcome_json(engine: plaudit.Engine) -> None:
    engine.record_action(T0, "alice", "forum.answer")
    if not plaudit.has_json():
        with pytest.raises(plaudit.UnsupportedError):
            engine.last_outcome_json()
    else:
        import json
        doc = json.loads(engine.last_outcome_json())
        assert isinstance(doc, dict)
