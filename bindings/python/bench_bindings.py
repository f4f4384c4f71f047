#!/usr/bin/env python3
"""Single vs batch recording from Python.

Records the same stream of action events (N members, the program's actions)
once with one ``Engine.record_action`` call per event and once with
``Engine.record_batch`` in chunks, on fresh engines, and prints events/s for
each and the ratio.  Both runs must end in the same state digest.

    PLAUDIT_LIBRARY=build/lib/libplaudit.so PYTHONPATH=bindings/python \\
        /usr/bin/python3 bindings/python/bench_bindings.py [--events 200000] [--chunk 4096]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import plaudit  # noqa: E402
from plaudit import Event  # noqa: E402

PROGRAM = {
    "format": "plaudit.program/1",
    "actions": [
        {"id": "forum.answer", "points": 10, "cap": {"points": 200, "per": "day"}},
        {"id": "review.published", "points": 100, "cooldown_s": 86400},
        {"id": "event.attended", "points": 20},
        {"id": "post.downvoted", "points": -2},
    ],
    "tiers": [{"id": "bronze", "min_points": 0}, {"id": "silver", "min_points": 1000}],
    "badges": [
        {"id": "helper", "when": {"action": "forum.answer", "count": [10, 50, 250]}},
        {"id": "regular", "when": {"action": "forum.answer", "streak": 4, "per": "week"}},
    ],
    "leaderboards": [{"id": "all-time", "period": "all"}, {"id": "monthly", "period": "month"}],
}
ACTIONS = [a["id"] for a in PROGRAM["actions"]]
T0 = 1767225600


def stream(n: int, members: int) -> list[tuple[int, str, str]]:
    # deterministic, spread over ~a year, time non-decreasing
    ids = [f"member-{i}" for i in range(members)]
    out = []
    x = 12345
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append((T0 + i * 157, ids[x % members], ACTIONS[(x >> 8) % len(ACTIONS)]))
    return out


def run_single(evs: list[tuple[int, str, str]]) -> tuple[float, int]:
    with plaudit.Engine(PROGRAM) as eng:
        rec = eng.record_action
        t = time.perf_counter()
        for ts, m, a in evs:
            rec(ts, m, a)
        dt = time.perf_counter() - t
        return dt, eng.digest()


def run_batch(evs: list[tuple[int, str, str]], chunk: int) -> tuple[float, int]:
    with plaudit.Engine(PROGRAM) as eng:
        t = time.perf_counter()
        for i in range(0, len(evs), chunk):
            res = eng.record_batch([Event(plaudit.EventType.ACTION, ts, m, a) for ts, m, a in evs[i:i + chunk]])
            assert res.n_done == min(chunk, len(evs) - i)
        dt = time.perf_counter() - t
        return dt, eng.digest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=200000)
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--chunk", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=3, help="best of R runs")
    args = ap.parse_args()
    evs = stream(args.events, args.members)
    single = min(run_single(evs) for _ in range(args.repeat))
    batch = min(run_batch(evs, args.chunk) for _ in range(args.repeat))
    if single[1] != batch[1]:
        print("digests differ between single and batch recording", file=sys.stderr)
        return 1
    s_rate = args.events / single[0]
    b_rate = args.events / batch[0]
    print(f"libplaudit {plaudit.LIBRARY_VERSION} ({plaudit.LIBRARY_PATH})")
    print(f"events: {args.events}, members: {args.members}, batch chunk: {args.chunk}, best of {args.repeat}")
    print(f"single (record_action per event): {s_rate:12,.0f} events/s")
    print(f"batch  (record_batch):            {b_rate:12,.0f} events/s")
    print(f"ratio batch/single: {b_rate / s_rate:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
