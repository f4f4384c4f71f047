"""The program event (spec section 7) from Python: Engine.update_program
with a dict, JSON text or a path; rejections; Event.program in batches."""

from __future__ import annotations

import json
import pathlib

import pytest

import plaudit

T0 = 1767614400  # Monday 5 January 2026, 12:00 UTC

V1 = {"format": "plaudit.program/2",
      "actions": [{"id": "answer", "points": 10}, {"id": "survey", "points": 5}],
      "badges": [{"id": "helper", "when": {"action": "answer", "count": [2, 4]}}],
      "leaderboards": [{"id": "monthly", "period": "month"}]}
V2 = {"format": "plaudit.program/2",
      "actions": [{"id": "answer", "points": 20}],
      "badges": [{"id": "helper", "when": {"action": "answer", "count": [2, 3]}}],
      "leaderboards": [{"id": "monthly", "period": "month"}, {"id": "weekly", "period": "week"}]}


def _engine() -> plaudit.Engine:
    eng = plaudit.Engine(V1)
    eng.record_action(T0, "alice", "answer")
    eng.record_action(T0 + 1, "alice", "answer")
    eng.record_action(T0 + 2, "alice", "survey")
    return eng


@pytest.mark.parametrize("how", ["dict", "str", "path"])
def test_update_program(how: str, tmp_path: pathlib.Path) -> None:
    with _engine() as eng:
        if how == "dict":
            arg: object = V2
        elif how == "str":
            arg = json.dumps(V2)
        else:
            arg = tmp_path / "v2.json"
            arg.write_text(json.dumps(V2))
        out = eng.update_program(T0 + 10, arg)  # type: ignore[arg-type]
        assert out.status == plaudit.Status.ACCEPTED
        assert eng.record_action(T0 + 11, "alice", "answer").points == 20
        with pytest.raises(plaudit.PlauditError):
            eng.record_action(T0 + 12, "alice", "survey")
        state = eng.export_state()
        alice = state["members"]["alice"]
        assert alice["points"] == 45
        assert alice["badges"] == {"helper": 2}
        assert state["leaderboards"]["monthly"] == [["alice", 45]]
        assert state["leaderboards"]["weekly"] == [["alice", 20]]


def test_rejected_program_event_names_the_path() -> None:
    with _engine() as eng:
        bad = dict(V2, badges=[{"id": "x", "when": {"action": "nope", "count": 1}}])
        with pytest.raises(plaudit.PlauditError) as ei:
            eng.update_program(T0 + 10, bad)
        assert str(ei.value).endswith('program.badges[0].when.action: unknown action "nope"')
        with pytest.raises(plaudit.PlauditError):
            eng.update_program(T0 - 1, V2)
        with pytest.raises(plaudit.PlauditError):
            eng.update_program(T0 + 10, dict(V2, utc_offset_minutes=60))
        out = eng.update_program(T0 + 10, dict(V2, utc_offset_minutes=60), check=False)
        assert out.code != 0
        assert eng.export_state()["stats"]["accepted"] == 3


def test_program_event_in_a_batch_and_a_line() -> None:
    with _engine() as eng:
        line = json.dumps({"ts": T0 + 10, "type": "program", "id": "p2", "program": V2})
        ev = plaudit.parse_line(line)
        assert ev.type == plaudit.EventType.PROGRAM
        res = eng.record_batch([ev, plaudit.Event.action(T0 + 11, "bob", "answer")])
        assert res.codes == [0, 0]
        # the same line again is a duplicate (same content)
        assert eng.record_line(line).status == plaudit.Status.DUPLICATE
        assert eng.export_state()["members"]["bob"]["points"] == 20


def test_retroactive_replay_reports_what_it_changed(tmp_path: pathlib.Path) -> None:
    with plaudit.Engine(V1) as eng:
        eng.file_store(tmp_path / "st", keep_journal=True)
        eng.record_action(T0, "alice", "answer")
        eng.record_action(T0 + 1, "bob", "survey")
        eng.update_program(T0 + 10, V2)
        eng.record_action(T0 + 11, "alice", "answer")
        eng.snapshot()
    # the same history under another initial program: answers worth 11
    v1b = json.loads(json.dumps(V1))
    v1b["actions"][0]["points"] = 11
    with plaudit.Engine(v1b) as eng:
        rec = eng.file_store(tmp_path / "st", keep_journal=True)
        assert rec.retroactive
        assert rec.changed == {"alice": ["points", "balance"]}
        assert eng.export_state()["members"]["alice"]["points"] == 31
