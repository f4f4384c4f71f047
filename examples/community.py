#!/usr/bin/env python3
"""A small web-less "community" on Plaudit's Python bindings.

Members answer questions, attend events, refer customers and thank each
other; the script awards points and badges, prints what each member would be
told (listener callbacks), their progress to the next tier, the leaderboard,
and persists everything in an SQLite database (standard sqlite3 module):

- the program document and every accepted event line go into the database;
- on start the engine is rebuilt by replaying the stored events (so a second
  run continues where the first one stopped: try running it twice);
- the state document (spec section 4) is stored after every run.

    PYTHONPATH=bindings/python /usr/bin/python3 examples/community.py [--db community.db] [--days 7]

PLAUDIT_LIBRARY may name the library file; otherwise a build next to the
bindings (build*/lib/libplaudit.so) or the system's is used.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "python"))

import plaudit  # noqa: E402
from plaudit import Listener, Moment  # noqa: E402

PROGRAM = {
    "format": "plaudit.program/1",
    "name": "Example community",
    "timezone": "Europe/Amsterdam",
    "actions": [
        {"id": "forum.answer", "points": 10, "cap": {"points": 100, "per": "day"}},
        {"id": "event.attended", "points": 25},
        {"id": "referral.closed", "points": 300},
        {"id": "profile.completed", "points": 50, "once": True},
    ],
    "tiers": [
        {"id": "newcomer", "name": "Newcomer", "min_points": 0},
        {"id": "regular", "name": "Regular", "min_points": 300},
        {"id": "champion", "name": "Champion", "min_points": 1000, "min_distinct_actions": 3},
    ],
    "badges": [
        {"id": "helper", "name": "Helper", "when": {"action": "forum.answer", "count": [5, 20, 50]}},
        {"id": "first-referral", "name": "First referral", "when": {"action": "referral.closed", "count": 1},
         "bonus": 50},
        {"id": "streak", "name": "Three days in a row", "when": {"action": "forum.answer", "streak": 3,
                                                                 "per": "day"}},
        {"id": "loved", "name": "Loved", "when": {"kudos_received": 3}},
        {"id": "mvp", "name": "MVP of the week", "manual": True, "bonus": 100},
    ],
    "leaderboards": [{"id": "weekly", "period": "week", "size": 5}, {"id": "all-time", "period": "all"}],
    "kudos": {"points": 5, "give_cap": {"count": 3, "per": "day"}},
    "rewards": [{"id": "sticker-pack", "cost": 100}, {"id": "hoodie", "cost": 800, "stock": 2}],
}

MEMBERS = ["ada", "grace", "linus", "margaret", "ken", "barbara"]
START = 1767225600  # 2026-01-01T00:00:00Z
DAY = 86400


class Announcer(Listener):
    """Prints what a platform would show in its notification feed."""

    def __init__(self) -> None:
        self.quiet = False

    def on_badge(self, m: Moment) -> None:
        if not self.quiet:
            level = f" (level {m.level})" if m.level > 1 else ""
            print(f"  * {m.member} earned the badge {m.badge}{level}")

    def on_tier(self, m: Moment) -> None:
        if not self.quiet and m.promoted:
            print(f"  * {m.member} is now {m.tier_to}")

    def on_redeem(self, m: Moment) -> None:
        if not self.quiet:
            print(f"  * {m.member} redeemed {m.reward} for {m.cost} points")


def open_db(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE IF NOT EXISTS program (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, line TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL,
                                          digest TEXT NOT NULL);
    """)
    return db


def record(engine: plaudit.Engine, db: sqlite3.Connection, event: dict) -> plaudit.Outcome | None:
    """Record one event; store its line only when the engine accepted it."""
    line = json.dumps(event, separators=(",", ":"))
    try:
        out = engine.record_line(line)
    except plaudit.PlauditError as e:  # rejected: nothing changed, nothing stored
        print(f"  - rejected {event.get('type', 'action')} by {event.get('member', event.get('from'))}: {e}")
        return None
    if out.accepted:
        db.execute("INSERT INTO events (line) VALUES (?)", (line,))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description="A small community on Plaudit")
    ap.add_argument("--db", default="community.db")
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    db = open_db(args.db)
    row = db.execute("SELECT doc FROM program").fetchone()
    if row is None:
        db.execute("INSERT INTO program (id, doc) VALUES (1, ?)", (json.dumps(PROGRAM),))
        program = PROGRAM
    else:
        program = json.loads(row[0])

    announcer = Announcer()
    with plaudit.Engine(program, listener=announcer) as engine:
        # Rebuild from the stored events (quietly: those moments were
        # announced in earlier runs).
        announcer.quiet = True
        stored = [r[0] for r in db.execute("SELECT line FROM events ORDER BY seq")]
        problems = engine.replay(stored)
        assert not problems, problems
        announcer.quiet = False
        print(f"restored {len(stored)} events, {engine.member_count} members "
              f"(clock {engine.clock})")

        rng = random.Random(args.seed + len(stored))
        day0 = (engine.clock or START - DAY) // DAY * DAY + DAY
        for d in range(args.days):
            t = day0 + d * DAY + 9 * 3600
            print(f"day {(t - START) // DAY + 1}:")
            for i, m in enumerate(MEMBERS):
                ts = t + i * 60
                if rng.random() < 0.3:
                    record(engine, db, {"ts": ts, "member": m, "action": "profile.completed"})
                for _ in range(rng.randrange(0, 6)):
                    ts += 30
                    record(engine, db, {"ts": ts, "member": m, "action": "forum.answer"})
                if rng.random() < 0.2:
                    record(engine, db, {"ts": ts + 1, "member": m, "action": "event.attended"})
                if rng.random() < 0.08:
                    record(engine, db, {"ts": ts + 2, "member": m, "action": "referral.closed"})
                if rng.random() < 0.4:
                    to = rng.choice([x for x in MEMBERS if x != m])
                    record(engine, db, {"ts": ts + 3, "type": "kudos", "from": m, "to": to})
                balance = engine.member(m).balance if engine.get_member(m) else 0
                if balance >= 800 and engine.reward_stock("hoodie"):
                    record(engine, db, {"ts": ts + 4, "type": "redeem", "member": m, "reward": "hoodie"})
                elif balance >= 300 and rng.random() < 0.3:
                    record(engine, db, {"ts": ts + 4, "type": "redeem", "member": m, "reward": "sticker-pack"})
            if (t - START) // DAY % 7 == 6:  # Sunday: the team picks an MVP
                top = engine.top("weekly", 1)
                if top:
                    record(engine, db, {"ts": t + 12 * 3600, "type": "award", "member": top[0].member,
                                        "badge": "mvp"})

        record(engine, db, {"ts": engine.clock or START, "type": "tick"})  # bring everyone up to date

        print("\nprogress:")
        for m in engine.members():
            p = engine.progress(m.id)
            nxt = f"{p.next_points} points to {p.next_tier}" if p.next_tier else "top tier"
            if p.next_tier and p.next_distinct_actions:
                nxt += f" and {p.next_distinct_actions} more kinds of contribution"
            badges = ", ".join(f"{b.badge}" + (f"x{b.times}" if b.times > 1 else "") + (
                f" L{b.level}" if b.level > 1 else "") for b in engine.badges(m.id)) or "-"
            print(f"  {m.id:9} {m.points:5} pts  balance {m.balance:4}  {m.tier or '-':9} next: {nxt}; "
                  f"badges: {badges}")
            near = [b for b in p.badges if b.level < b.levels and b.next > b.current]
            if near:
                b = min(near, key=lambda b: b.next - b.current)
                print(f"  {'':9} closest badge: {b.badge} ({b.current}/{b.next})")

        print("\nall-time leaderboard:")
        for e in engine.top("all-time", 5):
            print(f"  {e.rank}. {e.member:9} {e.score}")
        me = MEMBERS[-1]
        if engine.get_member(me):
            r = engine.rank("all-time", me)
            around = ", ".join(f"{e.rank}. {e.member}" for e in engine.around("all-time", me, 1))
            print(f"  {me} is #{r.rank} with {r.score} points (around: {around})")
        st = engine.stats()
        print(f"\nevents: {st.accepted} accepted, {st.duplicates} duplicates, {st.rejected} rejected")

        db.execute("INSERT OR REPLACE INTO state (id, doc, digest) VALUES (1, ?, ?)",
                   (engine.export_state_json(), f"{engine.digest():016x}"))
        db.commit()
        print(f"saved to {args.db} (state digest {engine.digest():016x})")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
