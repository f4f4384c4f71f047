"""examples/community.py runs, persists, and continues from its database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from conftest import ROOT

SCRIPT = ROOT / "examples" / "community.py"


def test_community_example(tmp_path) -> None:
    db = tmp_path / "c.db"
    env = dict(os.environ)
    r1 = subprocess.run([sys.executable, str(SCRIPT), "--db", str(db), "--days", "5"], capture_output=True,
                        text=True, env=env, timeout=120)
    assert r1.returncode == 0, r1.stderr
    assert "progress:" in r1.stdout and "saved to" in r1.stdout
    n1 = sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()[0]
    assert n1 > 0
    r2 = subprocess.run([sys.executable, str(SCRIPT), "--db", str(db), "--days", "2"], capture_output=True,
                        text=True, env=env, timeout=120)
    assert r2.returncode == 0, r2.stderr
    assert f"restored {n1} events" in r2.stdout
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] > n1
    assert con.execute("SELECT doc FROM state").fetchone()[0].startswith("{")
