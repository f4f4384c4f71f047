"""Declaring programs: builder calls, dicts, JSON text and files."""

from __future__ import annotations

import json
from typing import Any

import pytest

import plaudit
from plaudit import Engine

from conftest import T0


def test_from_dict_both_paths(program: dict[str, Any], load_path: str) -> None:
    with Engine() as eng:
        eng.load_program(program, use_json=(load_path == "json"))
        info = eng.program_info()
    assert info == plaudit.ProgramInfo(
        name="Acme Advocates", timezone=None, utc_offset_minutes=0, n_actions=6, n_tiers=3, n_badges=9,
        n_segments=2, n_leaderboards=3, n_rewards=2, has_kudos=True, sealed=False)


def test_constructor_forms(program: dict[str, Any], tmp_path: Any) -> None:
    path = tmp_path / "program.json"
    path.write_text(json.dumps(program))
    for eng in (Engine(program), Engine.from_dict(program), Engine.from_json(json.dumps(program)),
                Engine(path), Engine.from_file(path), Engine.from_file(str(path))):
        with eng:
            assert eng.program_info().n_badges == 9


def test_builder_calls() -> None:
    with Engine() as eng:
        eng.set_program_name("built")
        eng.set_timezone("Europe/Amsterdam")
        eng.declare_action("post", 5, cap_points=20, cap_per="day", name="Post", description="A post")
        eng.declare_action("like", 1, cooldown_s=60)
        eng.declare_action("intro", 50, once=True)
        eng.declare_action("survey", 3, cap_count=2, cap_per=plaudit.Period.MONTH)
        eng.declare_tier("newbie")
        eng.declare_tier("pro", min_points=100, min_distinct_actions=2, lifetime=True)
        eng.declare_tier("vip", min_points=50, window="year")
        eng.declare_segment("talker", {"post": 2, "like": 1})
        eng.declare_leaderboard("weekly", "week", size=3)
        eng.declare_leaderboard("talkers", plaudit.Period.ALL, segment="talker")
        eng.declare_badge("poster", {"action": "post", "count": [1, 3]}, bonus=5)
        eng.declare_badge("weekly-poster", {"action": "post", "count": 2, "within": "week"}, repeatable=True)
        eng.declare_badge("streaker", {"action": "post", "streak": 2, "per": "day"})
        eng.declare_badge("pro-badge", {"tier": "pro"})
        eng.declare_badge("podium", {"leaderboard": "weekly", "top": 3})
        eng.declare_badge("hundred", {"points": 100}, hidden=True)
        eng.declare_badge("old", {"tenure_days": 365})
        eng.declare_badge("generous", {"kudos_given": 3})
        eng.declare_badge("loved", {"kudos_received": 3})
        eng.declare_badge("varied", {"distinct_actions": 2})
        eng.declare_badge("hero", name="Hero", image="https://example.org/h.png", criteria="picked")
        eng.declare_badge_raw("raw", criterion="points", thresholds=[10, 20])
        eng.declare_kudos(2, cap_points=10, cap_per="week", give_cap_count=5, give_cap_per="day")
        eng.declare_reward("sticker", 10, name="Sticker")
        eng.declare_reward("hoodie", 500, stock=3)
        info = eng.program_info()
        assert (info.name, info.timezone) == ("built", "Europe/Amsterdam")
        assert (info.n_actions, info.n_tiers, info.n_segments, info.n_leaderboards, info.n_badges,
                info.n_rewards, info.has_kudos) == (4, 3, 1, 2, 12, 2, True)
        eng.set_utc_offset(120)
        info = eng.program_info()
        assert info.timezone is None and info.utc_offset_minutes == 120
        assert eng.reward_stock("hoodie") == 3
        assert eng.reward_stock("sticker") is None


def test_declaration_errors() -> None:
    with Engine() as eng:
        eng.declare_action("a", 1)
        with pytest.raises(plaudit.ExistsError, match="duplicate"):
            eng.declare_action("a", 1)
        with pytest.raises(plaudit.StringError):
            eng.declare_action("Bad Id", 1)
        with pytest.raises(plaudit.RangeError):
            eng.declare_action("b", 10**10)
        with pytest.raises(plaudit.NotFoundError):
            eng.declare_badge("x", {"action": "nope", "count": 1})
        with pytest.raises(plaudit.RangeError):
            eng.set_utc_offset(5000)
        with pytest.raises(plaudit.NotFoundError):
            eng.set_timezone("Mars/Olympus_Mons")
        with pytest.raises(plaudit.InvalidArgumentError, match="unknown period"):
            eng.declare_tier("t", window="fortnight")
        with pytest.raises(plaudit.InvalidArgumentError, match="unknown criterion"):
            eng.declare_badge_raw("y", criterion="vibes")
        with pytest.raises(plaudit.ParseError):
            eng.declare_badge("z", {"action": "a"})
        # nothing above was added
        assert eng.program_info().n_actions == 1
        assert eng.program_info().n_badges == 0


def test_declaring_after_first_event_is_a_state_error() -> None:
    with Engine() as eng:
        eng.declare_action("a", 1)
        eng.record_action(T0, "m", "a")
        assert eng.program_info().sealed
        with pytest.raises(plaudit.StateError, match="sealed"):
            eng.declare_action("b", 1)
        with pytest.raises(plaudit.StateError):
            eng.load_program({"format": "plaudit.program/1"}, use_json=False)


@pytest.mark.parametrize("doc, cls, where", [
    ({"format": "plaudit.program/3"}, plaudit.VersionError, "format"),
    ({"name": "no format"}, plaudit.ParseError, "format"),
    ({"format": "plaudit.program/1", "colour": "red"}, plaudit.ParseError, "colour"),
    ({"format": "plaudit.program/1", "actions": [{"id": "a", "points": "1"}]}, plaudit.ParseError,
     "actions[0].points"),
    ({"format": "plaudit.program/1", "actions": [{"id": "a", "points": 1, "cap": {"points": 1}}]},
     plaudit.ParseError, "actions[0].cap"),
    ({"format": "plaudit.program/1", "actions": [{"id": "a", "points": 1}],
      "badges": [{"id": "b", "when": {"action": "forum.anser", "count": 1}}]}, plaudit.NotFoundError,
     "badges[0]"),
    ({"format": "plaudit.program/1", "actions": [{"id": "a", "points": 1}, {"id": "a", "points": 2}]},
     plaudit.ExistsError, "actions[1]"),
    ({"format": "plaudit.program/1", "timezone": "Nowhere/Atlantis"}, plaudit.NotFoundError, "timezone"),
])
def test_program_errors_name_the_path_and_load_nothing(doc: dict, cls: type, where: str, load_path: str) -> None:
    with Engine() as eng:
        with pytest.raises(cls) as ei:
            eng.load_program(doc, use_json=(load_path == "json"))
        assert str(ei.value).startswith(where), str(ei.value)
        info = eng.program_info()
        assert (info.n_actions, info.n_badges) == (0, 0)


def test_program_json_errors(load_path: str, tmp_path: Any) -> None:
    use_json = load_path == "json"
    with Engine() as eng:
        with pytest.raises(plaudit.ParseError):
            eng.load_program_json("{not json", use_json=use_json)
        with pytest.raises(plaudit.NotFoundError):
            eng.load_program_file("/nonexistent/program.json", use_json=use_json)
        with pytest.raises(plaudit.PlauditIOError):
            eng.load_program_file(tmp_path, use_json=use_json)  # a folder
        with pytest.raises(TypeError):
            Engine(42)  # type: ignore[arg-type]


def test_program_export_json(program: dict[str, Any]) -> None:
    with Engine(program) as eng:
        if not plaudit.has_json():
            with pytest.raises(plaudit.UnsupportedError):
                eng.export_program_json()
            return
        text = eng.export_program_json()
        with Engine.from_json(text) as again:
            assert again.program_info() == eng.program_info()


def test_member_state_bytes_and_its_limit() -> None:
    doc = {"format": "plaudit.program/1",
           "leaderboards": [{"id": f"b{i}", "period": "day"} for i in range(4000)]}
    with pytest.raises(plaudit.LimitError, match="bytes of state per member.*max_member_bytes"):
        Engine(doc)
    with Engine(doc, max_member_bytes=200_000) as eng:
        n = eng.member_state_bytes()
        assert 4000 * 24 < n < 4000 * 24 + 1024
    with Engine({"format": "plaudit.program/1", "actions": [{"id": "a", "points": 1}]}) as eng:
        assert 0 < eng.member_state_bytes() < 1024
