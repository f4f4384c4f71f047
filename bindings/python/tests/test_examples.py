"""The spec's worked examples: program.json + events.jsonl -> expected.json."""

from __future__ import annotations

import json
import pathlib

import pytest

import plaudit

from conftest import examples_dir

EXAMPLES = examples_dir()
CASES = sorted(p for p in EXAMPLES.iterdir() if (p / "program.json").is_file()) if EXAMPLES else []


@pytest.mark.skipif(not CASES, reason="spec examples not found (set PLAUDIT_EXAMPLES)")
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_example(case: pathlib.Path, load_path: str) -> None:
    use_json = load_path == "json"
    with plaudit.Engine() as eng:
        eng.load_program_file(case / "program.json", use_json=use_json)
        with open(case / "events.jsonl", "rb") as f:
            errors = eng.replay(f)
        state = eng.export_state()
    expected = json.loads((case / "expected.json").read_text())
    assert state == expected
    assert len(errors) == expected["stats"]["rejected"]
    assert all(isinstance(err, plaudit.PlauditError) and err.message for _, err in errors)


@pytest.mark.skipif(not CASES, reason="spec examples not found (set PLAUDIT_EXAMPLES)")
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_example_through_batch(case: pathlib.Path) -> None:
    """Parsed in Python, recorded in one batch: the same state, bar the
    malformed lines (which never reach the batch)."""
    events, malformed = [], 0
    for line in (case / "events.jsonl").read_bytes().splitlines():
        if plaudit.events.is_blank(line):
            continue
        try:
            events.append(plaudit.parse_line(line))
        except plaudit.PlauditError:
            malformed += 1
    released = []

    class Released(plaudit.Listener):
        def on_outcome(self, event, outcome):
            released.append(outcome)

    with plaudit.Engine(json.loads((case / "program.json").read_text()), listener=Released()) as eng:
        res = eng.record_batch(events)
        eng.flush()  # the end of the input releases what a reorder window holds
        state = eng.export_state()
    expected = json.loads((case / "expected.json").read_text())
    expected["stats"]["rejected"] -= malformed
    assert state == expected
    assert res.rejected + sum(o.rejected for o in released) == expected["stats"]["rejected"]
