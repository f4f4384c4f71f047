"""Format 2 rules from Python: teams and team boards, campaigns, challenges
and their progress, dated badges, seasons, tier benefits, rules in words;
the same through the JSON loader and through the builder calls."""

from __future__ import annotations

import pytest

import plaudit

T = 1767571200  # Monday 5 January 2026, UTC
DAY = 86400

DOC = {
    "format": "plaudit.program/2",
    "actions": [{"id": "post", "name": "Post", "points": 10, "cap": {"points": 25, "per": "day"}},
                {"id": "review", "points": 50}],
    "tiers": [{"id": "bronze", "min_points": 0}, {"id": "silver", "min_points": 100, "benefits": ["Swag pack"]}],
    "kudos": {"points": 5},
    "badges": [
        {"id": "sprint", "repeatable": True, "bonus": 10,
         "when": {"all": [{"action": "post", "count": 2, "within": "week"}, {"kudos_received": 1}]}},
        {"id": "launch", "from": T + DAY, "until": T + 3 * DAY, "when": {"action": "post", "count": 2}},
        {"id": "podium", "bonus": 20, "when": {"leaderboard": "season", "top": 1}},
    ],
    "leaderboards": [{"id": "accounts", "period": "all", "by": "team"},
                     {"id": "season", "period": "all", "from": T, "until": T + 7 * DAY}],
    "campaigns": [{"id": "boost", "from": T + DAY, "until": T + 2 * DAY, "actions": ["post"], "percent": 300}],
}


@pytest.mark.parametrize("use_json", [True, False])
def test_teams_campaign_challenge_season(use_json: bool) -> None:
    if use_json and not plaudit.has_json():
        pytest.skip("built without JSON")
    e = plaudit.Engine()
    e.load_program(DOC, use_json=use_json)
    e.record_team(T, "alice", "acme")
    e.record_action(T + 60, "alice", "post")
    e.record_kudos(T + 120, "bob", "alice")
    p = e.progress("alice")
    sprint = next(b for b in p.badges if b.badge == "sprint")
    assert sprint.criterion == plaudit.Criterion.ALL
    assert [(x.action, x.current, x.target, x.met) for x in sprint.parts] == [("post", 1, 2, False),
                                                                             (None, 1, 1, True)]
    assert sprint.parts[0].within == "week"
    assert p.next_benefits == ["Swag pack"]
    out = e.record_action(T + DAY, "alice", "post")  # 300%, cut to the cap; the challenge holds
    assert out.points == 25 + 10
    assert e.member("alice").team == "acme"
    assert e.member("bob").team is None
    assert e.rank("accounts", "acme").score == 50
    assert e.team_ids() == ["acme"]
    assert e.team_members("acme") == 1
    launch = next(b for b in e.progress("alice").badges if b.badge == "launch")
    assert (launch.from_, launch.until, launch.current) == (T + DAY, T + 3 * DAY, 1)
    e.record_action(T + 7 * DAY, "carol", "post")  # the season closes
    info = e.leaderboard_info("season")
    assert info.frozen and info.by == "member" and info.from_ == T
    assert e.leaderboard_info("accounts").by == "team"
    assert [x.member for x in e.top("season")] == ["alice"]
    assert e.member("alice").points == 50 + 20
    assert "double" not in e.rule_sentence("campaign", "boost")
    assert e.rule_sentence("campaign", "boost").startswith("triple points for Post, 6 January 2026") or \
        e.rule_sentence("campaign", "boost").startswith("triple points for Post, on 6 January 2026")
    assert e.tier_benefits("silver") == ["Swag pack"]
    e.record_team(T + 7 * DAY + 1, "alice", None)
    assert e.member("alice").team is None
    s = e.export_state()
    assert s["format"] == "plaudit.state/2"
    assert s["leaderboards"]["accounts"] == [["acme", 50 + 20]]
    with pytest.raises(plaudit.NotFoundError):
        e.rank("accounts", "nobody")
    e.close()


def test_load_errors_name_the_path() -> None:
    bad = dict(DOC, campaigns=[{"id": "x", "from": 5, "until": 5, "percent": 200}])
    for use_json in ([True, False] if plaudit.has_json() else [False]):
        e = plaudit.Engine()
        with pytest.raises(plaudit.PlauditError, match=r"campaigns\[0\]"):
            e.load_program(bad, use_json=use_json)
        e.close()
    v1 = {"format": "plaudit.program/1", "leaderboards": [{"id": "t", "period": "all", "by": "team"}]}
    e = plaudit.Engine()
    with pytest.raises(plaudit.ParseError, match="unknown key"):
        e.load_program(v1, use_json=False)
    e.close()
