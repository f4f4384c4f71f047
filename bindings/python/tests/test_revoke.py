"""ref and revoke (spec section 5) from Python: ref= on the event calls,
Engine.revoke by id and by ref, the REVOKE moment and on_revoke, batches,
the Python event reader, errors."""

from __future__ import annotations

from typing import Any

import pytest

import plaudit
from plaudit import Event, EventType, MomentKind, Source

T = 1767571200  # Monday 2026-01-05 00:00 UTC

PROGRAM: dict[str, Any] = {
    "format": "plaudit.program/2",
    "actions": [
        {"id": "answer", "points": 10, "cap": {"points": 25, "per": "day"}},
        {"id": "post", "points": 50},
    ],
    "badges": [{"id": "mvp", "manual": True, "bonus": 20}],
    "leaderboards": [{"id": "all", "period": "all"}],
    "kudos": {"points": 5, "give_cap": {"count": 1, "per": "week"}},
    "rewards": [{"id": "mug", "cost": 40, "stock": 1}],
}


@pytest.fixture
def eng() -> Any:
    with plaudit.Engine(PROGRAM) as e:
        yield e


def test_revoke_by_id_takes_points_and_cap_back(eng: Any) -> None:
    eng.record_action(T, "alice", "answer", "a1")
    eng.record_action(T + 1, "alice", "answer", "a2", ref="thread:1")
    eng.record_action(T + 2, "alice", "answer", "a3")
    assert eng.member("alice").points == 25
    out = eng.revoke(T + 3, event="a2", reason="duplicate")
    assert out.points == -10
    rv = out.moments[0]
    assert rv.kind is MomentKind.REVOKE
    assert (rv.member, rv.revoked_event, rv.revoked_ref) == ("alice", "a2", "thread:1")
    assert rv.revoked_type is EventType.ACTION and rv.revoked_ts == T + 1
    assert (rv.points, rv.balance) == (-10, -10)
    pts = out.moments[1]
    assert pts.kind is MomentKind.POINTS and pts.source is Source.REVOKE and pts.source_id == "a2"
    assert pts.revoked_ref == "thread:1"
    eng.record_action(T + 4, "alice", "answer")  # the cap's room is back
    assert eng.member("alice").points == 25
    with pytest.raises(plaudit.NotFoundError):
        eng.revoke(T + 5, event="a2")  # already revoked
    with pytest.raises(plaudit.NotFoundError):
        eng.revoke(T + 5, ref="no-such-ref")


def test_revoke_by_ref_every_kind(eng: Any) -> None:
    eng.record_action(T, "bob", "post", ref="t:9")
    eng.record_kudos(T + 1, "carol", "bob", "k1", ref="t:9")
    eng.record_award(T + 2, "dave", "mvp", ref="t:9")
    eng.record_adjust(T + 3, "erin", 7, "thanks", ref="t:9")
    eng.record_action(T + 4, "frank", "post")
    eng.record_redeem(T + 5, "frank", "mug", ref="t:9")
    assert eng.reward_stock("mug") == 0
    seen: list[tuple[str, str]] = []

    class L(plaudit.Listener):
        def on_revoke(self, m: plaudit.Moment) -> None:
            seen.append((m.member, m.revoked_type.name))

    eng.set_listener(L())
    out = eng.revoke(T + 10, ref="t:9", reason="gone", id="rv-1")
    assert seen == [("bob", "ACTION"), ("carol", "KUDOS"), ("dave", "AWARD"), ("erin", "ADJUST"), ("frank", "REDEEM")]
    kinds = [m for m in out.moments if m.kind is MomentKind.REVOKE]
    assert kinds[1].to == "bob"
    assert (kinds[2].badge, kinds[2].times) == ("mvp", 0)
    assert (kinds[4].reward, kinds[4].cost, kinds[4].balance) == ("mug", 40, 40)
    assert eng.member("bob").points == 0
    assert eng.member("dave").points == 0 and eng.badges("dave") == []
    assert eng.member("frank").balance == 50 and eng.reward_stock("mug") == 1
    state = eng.export_state()
    assert state["format"] == "plaudit.state/2"
    assert state["members"]["dave"]["badges"] == {}
    # the revoke's own id: the same revoke again is a duplicate
    assert eng.revoke(T + 10, ref="t:9", reason="gone", id="rv-1").duplicate
    eng.record_kudos(T + 11, "carol", "erin")  # carol's give cap got its kudos back


def test_revoke_arguments(eng: Any) -> None:
    with pytest.raises(TypeError):
        eng.revoke(T, event="x", ref="y")
    with pytest.raises(TypeError):
        eng.revoke(T)
    eng.record_join(T, "zed", "j1")
    with pytest.raises(plaudit.InvalidArgumentError):
        eng.revoke(T + 1, event="j1")  # a join cannot be revoked
    with pytest.raises(plaudit.StringError):
        eng.record_action(T + 1, "zed", "post", ref="x" * 129)
    out = eng.revoke(T + 1, event="nope", check=False)
    assert out.status is plaudit.Status.REJECTED and out.code == plaudit.errors.ENOTFOUND


def test_format_1_knows_no_ref() -> None:
    doc = dict(PROGRAM, format="plaudit.program/1")
    with plaudit.Engine(doc) as e:
        with pytest.raises(plaudit.VersionError):
            e.record_action(T, "a", "post", ref="r")
        e.record_action(T, "a", "post", "p1")
        with pytest.raises(plaudit.VersionError):
            e.revoke(T + 1, event="p1")


def test_batch_and_reader(eng: Any) -> None:
    lines = [
        '{"ts": %d, "member": "amy", "action": "post", "id": "p1", "ref": "r"}' % T,
        '{"ts": %d, "type": "revoke", "ref": "r", "reason": "spam"}' % (T + 1),
    ]
    evs = [plaudit.parse_line(x) for x in lines]
    assert evs[0].ref == "r"
    assert evs[1] == Event.revoke(T + 1, ref="r", reason="spam")
    res = eng.record_batch(evs + [Event.action(T + 2, "amy", "post", "p2", ref="s"), Event.revoke(T + 3, event="p2")])
    assert res.codes == [0, 0, 0, 0]
    assert eng.member("amy").points == 0
    with pytest.raises(plaudit.ParseError):
        plaudit.parse_line('{"ts": 1, "type": "revoke", "event": "a", "ref": "b"}')
    with pytest.raises(plaudit.ParseError):
        plaudit.parse_line('{"ts": 1, "type": "join", "member": "a", "ref": "b"}')
    assert eng.record_line(lines[0]).duplicate


def test_analytics_count_revocations() -> None:
    with plaudit.Engine(PROGRAM) as e:
        e.enable_analytics()
        e.record_action(T, "amy", "post", "p1")
        e.record_action(T + 1, "amy", "post", "p2")
        e.revoke(T + 2, event="p1")
        a = e.analytics()
        assert a.contributions == 1
        assert a.revocations == 1
