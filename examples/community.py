#!/usr/bin/env python3
"""A small web-less "community" on Plaudit's Python bindings.

Members answer questions, attend events, refer customers and thank each
other; the script awards points and badges, prints what each member would be
told (listener callbacks), their progress to the next tier, the leaderboard,
and persists everything in an SQLite database through plaudit.SQLiteStore
(standard sqlite3 module):

- the engine journals every accepted event to the database before it reports
  it accepted (write-ahead), so nothing accepted is lost even if the script
  is killed;
- on start the engine recovers from the database (the latest snapshot plus
  the journal after it), so a second run continues where the first one
  stopped: try running it twice;
- each run ends with a snapshot (fast restarts) and stores the state
  document (spec section 4) in a table of its own, next to the store's.

Events reach the engine a little out of order (a kudos can arrive before
the receiver's own earlier answers, as from several web workers): the
program's reorder window (`reorder_window_s`, 10 minutes) holds each event
and releases them in time order, so none is lost as "time went backwards".
A tick at the end of each day releases what is held, and the script
flushes the window before it reports and shuts down.  Released events'
outcomes reach the listener's on_outcome.

Every recognition moment also waits in the outbox until the script has
"notified" the member and acknowledged it; the acknowledged position is
kept in the database, so a moment is never lost to a crash.

The journal is kept whole (keep_journal), so if you change PROGRAM (say,
forum.answer worth 15 points) the next run replays the whole history under
the new rules: retroactive recalculation.

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
    "format": "plaudit.program/2",
    "name": "Example community",
    "timezone": "Europe/Amsterdam",
    "reorder_window_s": 600,
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

    def on_badge(self, m: Moment) -> None:
        level = f" (level {m.level})" if m.level > 1 else ""
        print(f"  * {m.member} earned the badge {m.badge}{level}")

    def on_tier(self, m: Moment) -> None:
        if m.promoted:
            print(f"  * {m.member} is now {m.tier_to}")

    def on_redeem(self, m: Moment) -> None:
        print(f"  * {m.member} redeemed {m.reward} for {m.cost} points")

    def on_outcome(self, event: plaudit.Event, outcome: plaudit.Outcome) -> None:
        # A held event's outcome, when the reorder window releases it.
        if outcome.rejected:
            print(f"  - rejected {event.type.name.lower()} by {event.member}: {outcome.message}")


def notify(engine: plaudit.Engine) -> int:
    """Deliver what waits in the outbox (here: count it), then acknowledge:
    after a crash, recovery puts back every moment not acknowledged."""
    last = 0
    for m in engine.iter_outbox():
        last = m.seq  # a platform would send the notification here
    if last:
        engine.ack(last)
    return last


def save_state(db: sqlite3.Connection, engine: plaudit.Engine) -> None:
    """The application's own table, in the store's database file."""
    db.execute("CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL, "
               "digest TEXT NOT NULL)")
    db.execute("INSERT OR REPLACE INTO state (id, doc, digest) VALUES (1, ?, ?)",
               (engine.export_state_json(), f"{engine.digest():016x}"))


def record(engine: plaudit.Engine, event: dict) -> plaudit.Outcome | None:
    """Record one event (journaled by the store when accepted)."""
    line = json.dumps(event, separators=(",", ":"))
    try:
        return engine.record_line(line)
    except plaudit.CallbackError:  # the store failed: nothing was applied
        raise
    except plaudit.PlauditError as e:  # rejected at once: nothing changed
        print(f"  - rejected {event.get('type', 'action')} by {event.get('member', event.get('from'))}: {e}")
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description="A small community on Plaudit")
    ap.add_argument("--db", default="community.db")
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    store = plaudit.SQLiteStore(args.db)  # the engine closes it
    with plaudit.Engine(PROGRAM) as engine:
        engine.enable_outbox()  # before the store: recovery refills it
        # Recover before listening: moments of earlier runs were announced then.
        rec = engine.attach_store(store, keep_journal=True)
        how = f"snapshot at #{rec.snapshot_seq} + {rec.replayed} journaled" if rec.snapshot else \
            f"{rec.replayed} journaled"
        if rec.retroactive:
            how += ", replayed under the changed program"
        print(f"restored {rec.last_seq} events ({how}), {engine.member_count} members "
              f"(clock {engine.clock})")
        engine.set_listener(Announcer())
        delivered = notify(engine)
        if delivered:
            print(f"redelivered the moments up to #{delivered} that the last run had not acknowledged")

        rng = random.Random(args.seed + rec.last_seq)
        day0 = (engine.clock or START - DAY) // DAY * DAY + DAY
        for d in range(args.days):
            t = day0 + d * DAY + 9 * 3600
            print(f"day {(t - START) // DAY + 1}:")
            for i, m in enumerate(MEMBERS):
                ts = t + i * 60
                if rng.random() < 0.3:
                    record(engine, {"ts": ts, "member": m, "action": "profile.completed"})
                for _ in range(rng.randrange(0, 6)):
                    ts += 30
                    record(engine, {"ts": ts, "member": m, "action": "forum.answer"})
                if rng.random() < 0.2:
                    record(engine, {"ts": ts + 1, "member": m, "action": "event.attended"})
                if rng.random() < 0.08:
                    record(engine, {"ts": ts + 2, "member": m, "action": "referral.closed"})
                if rng.random() < 0.4:
                    to = rng.choice([x for x in MEMBERS if x != m])
                    record(engine, {"ts": ts + 3, "type": "kudos", "from": m, "to": to})
                balance = engine.member(m).balance if engine.get_member(m) else 0
                if balance >= 800 and engine.reward_stock("hoodie"):
                    record(engine, {"ts": ts + 4, "type": "redeem", "member": m, "reward": "hoodie"})
                elif balance >= 300 and rng.random() < 0.3:
                    record(engine, {"ts": ts + 4, "type": "redeem", "member": m, "reward": "sticker-pack"})
            if (t - START) // DAY % 7 == 6:  # Sunday: the team picks an MVP
                top = engine.top("weekly", 1)
                if top:
                    record(engine, {"ts": t + 12 * 3600, "type": "award", "member": top[0].member,
                                        "badge": "mvp"})
            # A tick every evening: it closes periods and releases what the
            # reorder window holds.
            record(engine, {"ts": t + 14 * 3600, "type": "tick"})
            notify(engine)

        engine.flush()  # shutting down: release everything held
        record(engine, {"ts": engine.clock or START, "type": "tick"})  # bring everyone up to date
        engine.flush()
        notify(engine)

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

        engine.snapshot()  # the next start loads it instead of replaying the journal
        save_state(store.connection, engine)
        # With a reorder window the journal holds every arrival (a tick and
        # the flushes too), not only accepted events.
        n = store.connection.execute("SELECT count(*) FROM plaudit_journal").fetchone()[0]
        print(f"saved to {args.db} ({n} events, state digest {engine.digest():016x})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
