"""One Engine shared by threads: calls are serialized by the engine's lock
(ctypes releases the GIL inside C, so without it two threads would be in
the context at once and corrupt it or crash the interpreter)."""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator, Optional

import plaudit
from plaudit import Event

from conftest import T0

PROGRAM: dict[str, Any] = {
    "format": "plaudit.program/1",
    "actions": [{"id": "post", "points": 3}, {"id": "answer", "points": 10}],
    "tiers": [{"id": "bronze", "min_points": 0}, {"id": "silver", "min_points": 300}],
    "badges": [{"id": "poster", "when": {"action": "post", "count": [5, 50]}}],
    "leaderboards": [{"id": "all-time", "period": "all", "size": 1000}],
}

THREADS = 6
PER_THREAD = 1500
MEMBERS_PER_THREAD = 7


def _events(t: int) -> Iterator[tuple[int, str, str]]:
    """Thread t's events: its own members, ts increasing within one day."""
    for i in range(PER_THREAD):
        yield T0 + i * 50 // PER_THREAD * 60, f"t{t}-m{i % MEMBERS_PER_THREAD}", ("post", "answer")[i % 3 == 0]


def _run(workers: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def wrap(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                start.wait()
                fn()
            except BaseException as e:  # reported by the test
                errors.append(e)
        return run

    ts = [threading.Thread(target=wrap(w)) for w in workers]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return errors


def _reference() -> plaudit.Engine:
    ref = plaudit.Engine(PROGRAM)
    for t in range(THREADS):
        for ts, m, a in _events(t):
            ref.record_action(ts, m, a)
    return ref


def _same_members(eng: plaudit.Engine, ref: plaudit.Engine, extra: int = 0) -> None:
    assert eng.member_count == ref.member_count == THREADS * MEMBERS_PER_THREAD + extra
    for mid in ref.member_ids():
        a, b = eng.member(mid), ref.member(mid)
        assert (a.points, a.tier, a.n_badges, a.distinct_actions) == (b.points, b.tier, b.n_badges, b.distinct_actions)
        assert eng.action_count(mid, "post") == ref.action_count(mid, "post")
        assert eng.badges(mid) == ref.badges(mid)
        assert eng.rank("all-time", mid).score == ref.rank("all-time", mid).score
    assert eng.stats() == ref.stats()


def test_threads_record_and_query_one_engine() -> None:
    moments: list[tuple[str, int]] = []
    eng_box: list[plaudit.Engine] = []

    class Checker(plaudit.Listener):
        # runs inside a call, on the recording thread: the lock is re-entrant
        def on_points(self, m: plaudit.Moment) -> None:
            moments.append((m.member, eng_box[0].member(m.member).points))

    eng = plaudit.Engine(PROGRAM, listener=Checker())
    eng_box.append(eng)
    stop = threading.Event()
    wrong: list[str] = []

    def recorder(t: int) -> Callable[[], None]:
        def run() -> None:
            for ts, m, a in _events(t):
                out = eng.record_action(ts, m, a)
                # the outcome is this call's, not another thread's
                if out.points != (3 if a == "post" else 10) or out.moments[0].member != m:
                    wrong.append(f"{m} {a}: {out}")
        return run

    def batcher() -> None:
        evs = [Event.action(T0 + i, f"batch-m{i % 5}", "post") for i in range(300)]
        for k in range(0, 300, 30):
            res = eng.record_batch(evs[k:k + 30])
            if res.accepted != 30:
                wrong.append(f"batch {k}: {res.codes}")

    running = [THREADS + 1]
    running_lock = threading.Lock()

    def done(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            finally:
                with running_lock:
                    running[0] -= 1
                    if running[0] == 0:
                        stop.set()
        return run

    def querier() -> None:
        n = 0
        while not stop.is_set() or n < 50:
            n += 1
            eng.top("all-time", 20)
            assert eng.member_count <= THREADS * MEMBERS_PER_THREAD + 5
            eng.stats()
            eng.get_member("t0-m1")
            eng.digest()
            doc = eng.export_state()
            assert doc["format"] == "plaudit.state/1"
            repr(eng)

    errors = _run([done(recorder(t)) for t in range(THREADS)] + [done(batcher), querier])
    assert not errors, errors
    assert not wrong, wrong[:5]

    ref = _reference()
    for i in range(300):
        ref.record_action(T0 + i, f"batch-m{i % 5}", "post")
    _same_members(eng, ref, extra=5)
    assert len(moments) == THREADS * PER_THREAD + 300
    assert all(p > 0 for _, p in moments)
    eng.close()
    ref.close()


def test_threads_with_a_python_store_recover_to_the_same_state() -> None:
    from test_store import MemoryStore

    store = MemoryStore()
    eng = plaudit.Engine(PROGRAM, store=store)

    def recorder(t: int) -> Callable[[], None]:
        def run() -> None:
            for k, (ts, m, a) in enumerate(_events(t)):
                eng.record_action(ts, m, a, id=f"{t}-{k}")
                if k % 500 == 0:
                    eng.sync()
        return run

    errors = _run([recorder(t) for t in range(THREADS)])
    assert not errors, errors
    seqs = [seq for seq, _ in store.records]
    assert seqs == sorted(set(seqs)) and len(seqs) == THREADS * PER_THREAD  # one record per event, in order
    digest = eng.digest()
    eng.detach()
    eng.close()
    again = plaudit.Engine(PROGRAM, store=store)
    assert again.recovery.replayed == THREADS * PER_THREAD
    assert again.digest() == digest
    _same_members(again, _reference())
    again.close()


def test_close_while_other_threads_call() -> None:
    eng = plaudit.Engine(PROGRAM)
    closed: list[Optional[BaseException]] = []

    def recorder(member: str) -> Callable[[], None]:
        def run() -> None:
            for i in range(20000):
                try:
                    eng.record_action(T0 + i, member, "post")
                    eng.member(member)
                except plaudit.EngineClosedError:
                    return
        return run

    def closer() -> None:
        while eng.stats().accepted < 100:
            threading.Event().wait(0.001)
        eng.close()
        closed.append(None)

    errors = _run([recorder("a"), recorder("b"), closer])
    assert not errors, errors
    assert closed and eng.closed
    assert repr(eng) == "<plaudit.Engine closed>"


def test_every_public_method_holds_the_lock() -> None:
    """Methods of the Engine's mixins and of modules that extend it too."""
    import inspect
    names = [n for n in dir(plaudit.Engine) if not n.startswith("_")]
    assert len(names) > 60
    for n in names:
        a = inspect.getattr_static(plaudit.Engine, n)
        if isinstance(a, (staticmethod, classmethod)):
            continue
        f = a.fget if isinstance(a, property) else a
        if callable(f):
            assert getattr(f, "_plaudit_serialized", False), n
