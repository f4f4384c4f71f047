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
    con = sqlite3.connect(db)
    n1 = con.execute("SELECT count(*) FROM plaudit_journal").fetchone()[0]
    digest1 = con.execute("SELECT digest FROM state").fetchone()[0]
    assert con.execute("SELECT seq FROM plaudit_snapshot").fetchone()[0] == n1
    con.close()
    assert n1 > 0 and f"saved to {db} ({n1} events, state digest {digest1})" in r1.stdout
    r2 = subprocess.run([sys.executable, str(SCRIPT), "--db", str(db), "--days", "2"], capture_output=True,
                        text=True, env=env, timeout=120)
    assert r2.returncode == 0, r2.stderr
    # recovered from the snapshot the first run ended with
    assert f"restored {n1} events (snapshot at #{n1} + 0 journaled), " in r2.stdout
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM plaudit_journal").fetchone()[0] > n1  # keep_journal
    assert con.execute("SELECT doc FROM state").fetchone()[0].startswith("{")
    con.close()
