"""Shared fixtures: a program that uses every kind of rule, and engines."""

from __future__ import annotations

import copy
import os
import pathlib
from typing import Any, Iterator

import pytest

import plaudit

ROOT = pathlib.Path(__file__).resolve().parents[3]

# 2026-01-01T00:00:00Z, a Thursday.
T0 = 1767225600
DAY = 86400

PROGRAM: dict[str, Any] = {
    "format": "plaudit.program/1",
    "name": "Acme Advocates",
    "utc_offset_minutes": 0,
    "actions": [
        {"id": "forum.answer", "points": 10, "cap": {"points": 200, "per": "day"}},
        {"id": "referral.closed", "points": 500},
        {"id": "review.published", "points": 100, "cooldown_s": 86400},
        {"id": "profile.completed", "points": 50, "once": True},
        {"id": "event.attended", "points": 20, "name": "Event", "description": "Came to an event"},
        {"id": "post.downvoted", "points": -2},
    ],
    "tiers": [
        {"id": "bronze", "name": "Member", "min_points": 0},
        {"id": "silver", "name": "Contributor", "min_points": 1000},
        {"id": "gold", "min_points": 5000, "min_distinct_actions": 3},
    ],
    "badges": [
        {"id": "first-referral", "when": {"action": "referral.closed", "count": 1}, "bonus": 100},
        {"id": "helper", "when": {"action": "forum.answer", "count": [2, 5, 10]}},
        {"id": "regular", "when": {"action": "forum.answer", "streak": 3, "per": "day"}},
        {"id": "renaissance", "when": {"distinct_actions": 3}},
        {"id": "high-five", "when": {"kudos_received": 2}},
        {"id": "champion", "when": {"tier": "silver"}},
        {"id": "top-contributor", "when": {"leaderboard": "monthly", "top": 2}},
        {"id": "night-owl", "hidden": True, "when": {"action": "event.attended", "count": 1}},
        {"id": "mvp", "manual": True, "bonus": 10, "image": "https://example.org/mvp.png",
         "criteria": "Chosen by the team"},
    ],
    "segments": [
        {"id": "socializer", "weights": {"forum.answer": 1, "event.attended": 3}},
        {"id": "achiever", "weights": {"referral.closed": 5, "review.published": 2}},
    ],
    "leaderboards": [
        {"id": "all-time", "period": "all"},
        {"id": "monthly", "period": "month", "size": 5},
        {"id": "achievers", "period": "quarter", "segment": "achiever"},
    ],
    "kudos": {"points": 5, "give_cap": {"count": 3, "per": "day"}},
    "rewards": [
        {"id": "mug", "cost": 100, "stock": 1},
        {"id": "donation", "cost": 50},
    ],
}


@pytest.fixture
def program() -> dict[str, Any]:
    return copy.deepcopy(PROGRAM)


@pytest.fixture(params=["builder", "json"])
def load_path(request: Any) -> str:
    if request.param == "json" and not plaudit.has_json():
        pytest.skip("library built without the JSON feature")
    return request.param


@pytest.fixture
def engine(program: dict[str, Any]) -> Iterator[plaudit.Engine]:
    eng = plaudit.Engine(program)
    yield eng
    eng.close()


def examples_dir() -> pathlib.Path | None:
    env = os.environ.get("PLAUDIT_EXAMPLES")
    for cand in ([pathlib.Path(env)] if env else []) + [ROOT.parent / "shared" / "spec" / "examples",
                                                         ROOT / "docs" / "examples"]:
        if cand.is_dir() and any(cand.iterdir()):
            return cand.resolve()
    return None
