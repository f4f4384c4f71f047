"""Persistence: the store API, stores written in Python, SQLiteStore, the
file store; failures inside store callbacks; recovery and retroactive
replay."""

from __future__ import annotations

import copy
import gc
import sqlite3
from typing import Any, Iterator, Optional

import pytest

import plaudit
from plaudit import _lib

from conftest import DAY, T0

pytestmark = pytest.mark.skipif(not _lib.has("plaudit_store_attach"), reason="library without the store API")

MEMBERS = ["ada", "grace", "linus", "ken"]
ACTIONS = ["forum.answer", "referral.closed", "event.attended", "review.published"]


def events(n: int, start: int = 0) -> list[plaudit.Event]:
    """A deterministic mix of events with idempotency keys."""
    out = []
    for i in range(start, start + n):
        ts = T0 + i * 3600
        m = MEMBERS[i % len(MEMBERS)]
        if i % 7 == 3:
            out.append(plaudit.Event.kudos(ts, m, MEMBERS[(i + 1) % len(MEMBERS)], id=f"e{i}"))
        else:
            out.append(plaudit.Event.action(ts, m, ACTIONS[i % len(ACTIONS)], id=f"e{i}"))
    return out


def record_all(eng: plaudit.Engine, evs: list[plaudit.Event]) -> None:
    for ev in evs:
        eng.record(ev, check=False)


def reference_digest(program: dict[str, Any], evs: list[plaudit.Event]) -> int:
    with plaudit.Engine(program) as ref:
        record_all(ref, evs)
        return ref.digest()


class MemoryStore(plaudit.Store):
    """A store in memory: records as a list, reads in small chunks (split
    anywhere), and a switchboard of failures."""

    def __init__(self, chunk: int = 7) -> None:
        self.records: list[tuple[int, bytearray]] = []
        self.snap: Optional[tuple[int, bytes]] = None
        self.chunk = chunk
        self.fail: dict[str, int] = {}  # slot -> fail at this (1-based) call
        self.calls: dict[str, int] = {}
        self.exc: BaseException = RuntimeError("injected")
        self.closed = 0
        self.reads: list[int] = []

    def _hit(self, slot: str) -> None:
        n = self.calls[slot] = self.calls.get(slot, 0) + 1
        if self.fail.get(slot) == n:
            raise self.exc

    def journal_append(self, seq: int, data: bytes) -> None:
        self._hit("journal_append")
        self.records.append((seq, bytearray(data)))

    def sync(self) -> None:
        self._hit("sync")

    def journal_read(self, from_seq: int) -> Iterator[bytes]:
        self._hit("journal_read")
        self.reads.append(from_seq)
        blob = b"".join(bytes(r) for _, r in self.records)
        for i in range(0, len(blob), self.chunk):
            yield blob[i:i + self.chunk]

    def journal_cut(self, nbytes: int) -> None:
        self._hit("journal_cut")
        while nbytes:
            seq, r = self.records[-1]
            if len(r) <= nbytes:
                nbytes -= len(r)
                self.records.pop()
            else:
                del r[len(r) - nbytes:]
                nbytes = 0

    def snapshot_write(self, seq: int, data: bytes) -> None:
        self._hit("snapshot_write")
        self.snap = (seq, data)

    def snapshot_read(self) -> Optional[bytes]:
        self._hit("snapshot_read")
        return None if self.snap is None else self.snap[1]

    def journal_drop(self, upto_seq: int) -> None:
        self._hit("journal_drop")
        self.records = [(s, r) for s, r in self.records if s > upto_seq]

    def close(self) -> None:
        self.closed += 1
        self._hit("close")


# ---- the basics -------------------------------------------------------------


def test_sqlite_store_restart_recovers_exact_digest(tmp_path, program) -> None:
    path = tmp_path / "p.db"
    evs = events(40)
    with plaudit.Engine(program, store=plaudit.SQLiteStore(path)) as eng:
        assert eng.recovery == plaudit.Recovery(False, 0, False, 0, 0, 0, 0, 0, 0, 0, 0)
        assert isinstance(eng.store, plaudit.SQLiteStore)
        record_all(eng, evs)
        digest, state = eng.digest(), eng.export_state_json()
        accepted = eng.stats().accepted
    assert digest == reference_digest(program, evs)
    con = sqlite3.connect(path)  # the store is closed: anyone may read the file
    n = con.execute("SELECT count(*) FROM plaudit_journal").fetchone()[0]
    con.close()
    assert n == accepted  # only accepted events are journaled

    with plaudit.Engine(program) as eng:
        rec = eng.attach_store(plaudit.SQLiteStore(path))
        assert rec.records == rec.replayed == rec.accepted == n
        assert rec.last_seq == n and not rec.snapshot and not rec.retroactive and rec.torn_bytes == 0
        assert eng.digest() == digest
        assert eng.export_state_json() == state
        # continues: the next event gets the next seq, duplicates stay duplicates
        assert eng.record(evs[0]).status is plaudit.Status.DUPLICATE
        eng.record_action(T0 + 100 * DAY, "ada", "forum.answer", "later")
        d2 = eng.digest()
    with plaudit.Engine(program, store=plaudit.SQLiteStore(path)) as eng:
        assert eng.recovery.last_seq == n + 1
        assert eng.digest() == d2


def test_snapshot_more_events_restart(tmp_path, program) -> None:
    path = tmp_path / "p.db"
    evs = events(60)
    store = plaudit.SQLiteStore(path)
    with plaudit.Engine(program, store=store) as eng:
        record_all(eng, evs[:30])
        eng.snapshot()
        snap_seq = store.snapshot_seq()
        assert snap_seq == eng.stats().accepted
        assert store.journal_records() == 0  # compacted
        record_all(eng, evs[30:])
        digest = eng.digest()
        tail = store.journal_records()
        assert tail > 0
    with plaudit.Engine(program, store=plaudit.SQLiteStore(path)) as eng:
        rec = eng.recovery
        assert rec.snapshot and rec.snapshot_seq == snap_seq and not rec.retroactive
        assert rec.replayed == tail and rec.last_seq == snap_seq + tail
        assert eng.digest() == digest == reference_digest(program, evs)
        eng.snapshot()  # snapshot again, then restart from the snapshot alone
    with plaudit.Engine(program, store=plaudit.SQLiteStore(path)) as eng:
        assert eng.recovery.snapshot and eng.recovery.replayed == 0
        assert eng.digest() == digest


def test_file_store(tmp_path, program) -> None:
    d = tmp_path / "fs"
    evs = events(30)
    with plaudit.Engine(program) as eng:
        rec = eng.file_store(d, segment_bytes=512)
        assert rec.records == 0 and eng.store == "file"
        record_all(eng, evs[:20])
        eng.snapshot()
        record_all(eng, evs[20:])
        digest = eng.digest()
        with plaudit.Engine(program) as other:
            with pytest.raises(plaudit.LockedError):
                other.file_store(d)
            assert other.store is None
    assert (d / "snapshot").is_file()
    with plaudit.Engine(program) as eng:
        rec = eng.file_store(d, create=False)
        assert rec.snapshot and eng.digest() == digest
    with plaudit.Engine(program) as eng:
        with pytest.raises(plaudit.NotFoundError):
            eng.file_store(tmp_path / "missing", create=False)


def test_sqlite_store_is_locked_while_open(tmp_path) -> None:
    path = tmp_path / "p.db"
    with plaudit.SQLiteStore(path) as s:
        with pytest.raises(plaudit.LockedError):
            plaudit.SQLiteStore(path)
        assert s.journal_records() == 0
    plaudit.SQLiteStore(path).close()  # released on close


def test_store_lifecycle_errors(tmp_path, program) -> None:
    with plaudit.Engine(program) as eng:
        with pytest.raises(plaudit.StateError):
            eng.sync()
        with pytest.raises(plaudit.StateError):
            eng.snapshot()
        eng.detach()  # no store: nothing happens
        eng.record_action(T0, "ada", "forum.answer")
        with pytest.raises(plaudit.StateError):  # after the first event
            eng.attach_store(MemoryStore())
        assert eng.store is None
    with plaudit.Engine(program) as eng:
        with pytest.raises(plaudit.InvalidArgumentError):
            eng.attach_store(MemoryStore(), sync="sometimes")
        with pytest.raises(TypeError):
            eng.attach_store(object())  # type: ignore[arg-type]
        store = MemoryStore()
        eng.attach_store(store)
        with pytest.raises(plaudit.StateError):
            eng.attach_store(MemoryStore())
        eng.record_action(T0, "ada", "forum.answer")
        assert len(store.records) == 1
        eng.detach()
        assert store.closed == 1 and eng.store is None
        eng.record_action(T0 + 1, "ada", "forum.answer")  # no longer journaled
        assert len(store.records) == 1
    assert store.closed == 1  # closed once


def test_callbacks_survive_gc(program) -> None:
    store = MemoryStore()
    eng = plaudit.Engine(program)
    eng.attach_store(store)
    del store
    gc.collect()
    record_all(eng, events(10))
    gc.collect()
    eng.snapshot()
    s = eng.store
    eng.close()
    assert s.closed == 1 and s.snap is not None


def test_sync_policies(program) -> None:
    for policy, kw, want in (("always", {}, 12), ("never", {}, 0), ("batch", {"sync_every_n": 4}, 3),
                             (plaudit.SyncPolicy.BATCH, {"sync_every_n": 6}, 2)):
        store = MemoryStore()
        with plaudit.Engine(program) as eng:
            eng.attach_store(store, sync=policy, **kw)
            for i in range(12):
                eng.record_action(T0 + i, "ada", "event.attended")
            assert store.calls.get("sync", 0) == want, policy
            eng.sync()
            assert store.calls["sync"] == want + 1


def test_group_commit_and_durability(tmp_path, program) -> None:
    import threading
    d = str(tmp_path / "group")
    with plaudit.Engine(program) as eng:
        eng.file_store(d, sync="group")
        assert eng.journal_seq() == 0
        seen: list[int] = []
        for i in range(50):
            eng.record_action(T0 + i, "ada", "event.attended")
            seq = eng.journal_seq()
            assert seq == i + 1
            # another thread waits while this one goes on recording
            t = threading.Thread(target=lambda s=seq: (eng.wait_durable(s), seen.append(s)))
            t.start()
            t.join()
        assert seen == list(range(1, 51))
        assert eng.durable_seq() >= 50
        with pytest.raises(plaudit.InvalidArgumentError):
            eng.wait_durable(51)
        digest = eng.digest()
    with plaudit.Engine(program) as eng:
        eng.file_store(d, sync="group")
        assert eng.digest() == digest and eng.durable_seq() == 50
    # a store of callbacks: group syncs on the calling thread, as always
    store = MemoryStore()
    with plaudit.Engine(program) as eng:
        eng.attach_store(store, sync="group")
        eng.record_action(T0, "ada", "event.attended")
        assert store.calls.get("sync", 0) == 1 and eng.durable_seq() == 1


def test_memory_store_chunks_and_torn_record(program) -> None:
    store = MemoryStore(chunk=5)
    evs = events(20)
    with plaudit.Engine(program) as eng:
        eng.attach_store(store)
        record_all(eng, evs)
        digest = eng.digest()
    n = len(store.records)
    store.records.append((n + 1, bytearray(store.records[-1][1][:13])))  # a torn append
    store.closed = 0
    with plaudit.Engine(program) as eng:
        rec = eng.attach_store(store)
        assert rec.torn_bytes == 13 and rec.last_seq == n
        assert rec.torn_records == 1 and rec.damaged_records == 0
        assert store.calls["journal_cut"] == 1 and len(store.records) == n
        assert eng.digest() == digest


def test_damaged_last_record_is_told_from_a_torn_one(program) -> None:
    store = MemoryStore()
    with plaudit.Engine(program) as eng:
        eng.attach_store(store)
        record_all(eng, events(9))
        before_last = eng.digest()
        record_all(eng, events(1, start=9))
    n = len(store.records)
    last = store.records[-1][1]
    last[len(last) // 2] ^= 0x01  # one flipped bit in a complete, synced record
    with plaudit.Engine(program) as eng:
        rec = eng.attach_store(store)
        assert rec.damaged_records == 1 and rec.torn_records == 0 and rec.torn_bytes == len(last)
        assert rec.last_seq == n - 1 and eng.digest() == before_last


# ---- failures inside Python callbacks ------------------------------------------


@pytest.mark.parametrize("k", [1, 5, 9])
def test_failing_append_raises_keeps_state_and_retry_applies_once(tmp_path, program, k) -> None:
    class Flaky(plaudit.SQLiteStore):
        calls = 0

        def journal_append(self, seq: int, data: bytes) -> None:
            Flaky.calls += 1
            if Flaky.calls == k:
                raise OSError(28, "No space left on device")
            super().journal_append(seq, data)

    path = tmp_path / "f.db"
    evs = [plaudit.Event.action(T0 + i * 60, MEMBERS[i % 4], "forum.answer", id=f"k{i}") for i in range(12)]
    with plaudit.Engine(program, store=Flaky(path)) as eng:
        for ev in evs[:k - 1]:
            eng.record(ev)
        before, stats = eng.digest(), eng.stats()
        with pytest.raises(plaudit.CallbackError) as ei:
            eng.record(evs[k - 1])
        err = ei.value
        assert err.code == plaudit.errors.EUSER
        assert isinstance(err.__cause__, OSError)
        assert "store journal_append failed" in str(err) and "No space left on device" in str(err)
        assert "No space left on device" in eng.errmsg
        assert err.outcome.status is plaudit.Status.REJECTED
        assert eng.digest() == before and eng.stats().accepted == stats.accepted
        # the retry with the same key applies once
        assert eng.record(evs[k - 1]).status is plaudit.Status.ACCEPTED
        assert eng.record(evs[k - 1]).status is plaudit.Status.DUPLICATE
        for ev in evs[k:]:
            eng.record(ev)
        digest = eng.digest()
    assert digest == reference_digest(program, evs)
    with plaudit.Engine(program, store=plaudit.SQLiteStore(path)) as eng:
        assert eng.digest() == digest
        assert eng.recovery.records == len(evs)


def test_failing_append_with_check_false_still_raises(program) -> None:
    store = MemoryStore()
    store.fail["journal_append"] = 1
    with plaudit.Engine(program, store=store) as eng:
        with pytest.raises(plaudit.CallbackError):
            eng.record_action(T0, "ada", "forum.answer", check=False)
        # a rule rejection with check=False is still an outcome
        out = eng.record_action(T0, "ada", "no.such.action", check=False)
        assert out.status is plaudit.Status.REJECTED
        assert eng.record_action(T0, "ada", "forum.answer").accepted


def test_store_error_codes_pass_through(program) -> None:
    store = MemoryStore()
    store.exc = plaudit.CorruptError(plaudit.errors.ECORRUPT, "half a record written")
    store.fail["journal_append"] = 2
    with plaudit.Engine(program, store=store) as eng:
        eng.record_action(T0, "ada", "forum.answer", "a")
        with pytest.raises(plaudit.CorruptError) as ei:
            eng.record_action(T0 + 1, "ada", "forum.answer", "b")
        assert ei.value.__cause__ is store.exc
        # the engine refuses further events until the store is re-attached
        with pytest.raises(plaudit.PlauditIOError):
            eng.record_action(T0 + 2, "ada", "forum.answer", "c")
        digest = eng.digest()
    assert store.closed == 1
    with plaudit.Engine(program, store=store) as eng:
        assert eng.digest() == digest
        eng.record_action(T0 + 2, "ada", "forum.answer", "c")


def test_keyboard_interrupt_in_callback_is_reraised_as_is(program) -> None:
    store = MemoryStore()
    store.exc = KeyboardInterrupt()
    store.fail["journal_append"] = 2
    with plaudit.Engine(program, store=store) as eng:
        eng.record_action(T0, "ada", "forum.answer")
        before = eng.digest()
        with pytest.raises(KeyboardInterrupt):
            eng.record_action(T0 + 1, "ada", "forum.answer")
        assert eng.digest() == before
        eng.record_action(T0 + 1, "ada", "forum.answer")


def test_failing_sync_takes_the_record_back(program) -> None:
    store = MemoryStore()
    store.fail["sync"] = 3
    with plaudit.Engine(program, store=store) as eng:
        eng.record_action(T0, "ada", "forum.answer", "a")
        eng.record_action(T0 + 1, "ada", "forum.answer", "b")
        before = eng.digest()
        with pytest.raises(plaudit.CallbackError) as ei:
            eng.record_action(T0 + 2, "ada", "forum.answer", "c")
        assert "store sync failed" in str(ei.value) and isinstance(ei.value.__cause__, RuntimeError)
        assert eng.digest() == before and len(store.records) == 2
        eng.record_action(T0 + 2, "ada", "forum.answer", "c")
        assert [s for s, _ in store.records] == [1, 2, 3]


def test_failing_batch_stops_at_the_store_failure(program) -> None:
    store = MemoryStore()
    store.fail["journal_append"] = 6
    evs = events(10)
    with plaudit.Engine(program, store=store) as eng:
        with pytest.raises(plaudit.CallbackError) as ei:
            eng.record_batch(evs)
        done = ei.value.batch.n_done  # type: ignore[attr-defined]
        assert ei.value.batch.accepted == 5 and isinstance(ei.value.__cause__, RuntimeError)
        assert eng.digest() == reference_digest(program, evs[:done])
        res = eng.record_batch(evs[done:])
        assert res.n_done == len(evs) - done
        assert eng.digest() == reference_digest(program, evs)


def test_failing_snapshot_write_and_drop(program) -> None:
    store = MemoryStore()
    store.fail["snapshot_write"] = 1
    store.fail["journal_drop"] = 1
    with plaudit.Engine(program, store=store) as eng:
        record_all(eng, events(10))
        before = eng.digest()
        with pytest.raises(plaudit.CallbackError) as ei:
            eng.snapshot()
        assert "snapshot_write" in str(ei.value) and store.snap is None
        with pytest.raises(plaudit.CallbackError) as ei:
            eng.snapshot()  # written, but the drop failed: nothing lost
        assert "journal_drop" in str(ei.value) and "nothing is lost" in str(ei.value)
        assert store.snap is not None and len(store.records) == 10
        eng.snapshot()
        assert store.records == []
        assert eng.digest() == before
    with plaudit.Engine(program, store=store) as eng:
        assert eng.recovery.snapshot and eng.digest() == before


def test_failing_read_at_attach(program) -> None:
    store = MemoryStore()
    with plaudit.Engine(program, store=store) as eng:
        record_all(eng, events(5))
    for slot in ("snapshot_read", "journal_read"):
        store.calls.clear()
        store.fail = {slot: 1}
        store.closed = 0
        with plaudit.Engine(program) as eng:
            with pytest.raises(plaudit.CallbackError) as ei:
                eng.attach_store(store)
            assert f"store {slot} failed" in str(ei.value) and isinstance(ei.value.__cause__, RuntimeError)
            assert eng.store is None and eng.member_count == 0
        assert store.closed == 0  # not owned after a failed attach
    store.fail = {}
    with plaudit.Engine(program, store=store) as eng:
        assert eng.member_count > 0


def test_failing_close(program) -> None:
    store = MemoryStore()
    store.fail["close"] = 1
    eng = plaudit.Engine(program, store=store)
    eng.record_action(T0, "ada", "forum.answer")
    with pytest.raises(plaudit.CallbackError) as ei:
        eng.detach()
    assert "store close raised" in str(ei.value) and eng.store is None
    eng.close()
    store2 = MemoryStore()
    store2.fail["close"] = 1
    eng = plaudit.Engine(program, store=store2)
    with pytest.raises(plaudit.CallbackError):
        eng.close()  # detached and freed all the same
    assert eng.closed and store2.closed == 1


# ---- retroactive replay ----------------------------------------------------------


def changed(program: dict[str, Any]) -> dict[str, Any]:
    p = copy.deepcopy(program)
    p["actions"][0]["points"] = 25  # forum.answer: 10 -> 25
    p["actions"][1]["points"] = 400  # referral.closed: 500 -> 400
    return p


def test_retroactive_replay_with_keep_journal(tmp_path, program) -> None:
    path = tmp_path / "r.db"
    evs = events(50)
    with plaudit.Engine(program) as eng:
        eng.attach_store(plaudit.SQLiteStore(path), keep_journal=True)
        record_all(eng, evs[:30])
        eng.snapshot()
        record_all(eng, evs[30:])
        old = eng.digest()
    new_program = changed(program)
    with plaudit.Engine(new_program) as eng:
        rec = eng.attach_store(plaudit.SQLiteStore(path), keep_journal=True)
        assert rec.retroactive and not rec.snapshot and rec.replayed == rec.records
        assert eng.digest() != old
        assert eng.digest() == reference_digest(new_program, evs)
        with plaudit.Engine(new_program) as ref:
            record_all(ref, evs)
            assert eng.member("ada").points == ref.member("ada").points
            assert eng.top("all-time", 5) == ref.top("all-time", 5)
        eng.snapshot()
        new = eng.digest()
    with plaudit.Engine(new_program, store=plaudit.SQLiteStore(path)) as eng:
        assert eng.recovery.snapshot and not eng.recovery.retroactive
        assert eng.digest() == new


def test_retroactive_replay_from_archive(tmp_path, program) -> None:
    path = tmp_path / "a.db"
    evs = events(30)
    with plaudit.Engine(program, store=plaudit.SQLiteStore(path, archive=True)) as eng:
        record_all(eng, evs[:20])
        eng.snapshot()  # compacts: rows are archived, not deleted
        assert eng.store.journal_records() == 0 and eng.store.journal_records(archived=True) > 0
        record_all(eng, evs[20:])
    new_program = changed(program)
    with plaudit.Engine(new_program, store=plaudit.SQLiteStore(path, archive=True)) as eng:
        assert eng.recovery.retroactive
        assert eng.digest() == reference_digest(new_program, evs)


def test_history_error_after_compaction(tmp_path, program) -> None:
    path = tmp_path / "h.db"
    evs = events(30)
    with plaudit.Engine(program, store=plaudit.SQLiteStore(path)) as eng:
        record_all(eng, evs[:20])
        eng.snapshot()  # drops the journal
        record_all(eng, evs[20:])
        digest = eng.digest()
    store = plaudit.SQLiteStore(path)
    with plaudit.Engine(changed(program)) as eng:
        with pytest.raises(plaudit.HistoryError) as ei:
            eng.attach_store(store)
        assert ei.value.code == plaudit.errors.EHISTORY and "keep_journal" in str(ei.value)
        assert eng.store is None and eng.member_count == 0
    # the caller still owns the store: attach it with the program that wrote it
    with plaudit.Engine(program, store=store) as eng:
        assert eng.digest() == digest


def test_sqlite_synchronous_normal(tmp_path, program) -> None:
    path = tmp_path / "n.db"
    evs = events(20)
    store = plaudit.SQLiteStore(path, synchronous="NORMAL")
    assert store.provides("sync")
    assert not plaudit.SQLiteStore(":memory:").provides("sync")
    with plaudit.Engine(program) as eng:
        eng.attach_store(store, sync="batch", sync_every_n=8)
        record_all(eng, evs)
        eng.snapshot()
        digest = eng.digest()
    with plaudit.Engine(program, store=plaudit.SQLiteStore(path, synchronous="NORMAL")) as eng:
        assert eng.digest() == digest
    with pytest.raises(ValueError):
        plaudit.SQLiteStore(path, synchronous="OFF")


def test_sqlite_journal_cut(tmp_path) -> None:
    with plaudit.SQLiteStore(tmp_path / "c.db") as s:
        s.journal_append(1, b"a" * 10)
        s.journal_append(2, b"b" * 10)
        s.journal_cut(13)
        assert b"".join(s.journal_read(1)) == b"a" * 7
        with pytest.raises(plaudit.PlauditIOError):
            s.journal_cut(100)
        assert b"".join(s.journal_read(1)) == b"a" * 7  # a failed callback changes nothing


def test_crc32c() -> None:
    assert plaudit.crc32c(b"123456789") == 0xE3069283
    assert plaudit.crc32c(b"6789", plaudit.crc32c(b"12345")) == 0xE3069283


@pytest.mark.skipif(not _lib.has("plaudit_analytics_get"), reason="library without analytics")
def test_analytics_see_replayed_journal(tmp_path, program) -> None:
    """Enabled before attaching, the recorder sees the journal a recovery
    replays: the figures equal those of the engine that lived through it."""
    path = tmp_path / "an.db"
    evs = events(40)
    with plaudit.Engine(program) as live:
        live.enable_analytics(period="week")
        live.attach_store(plaudit.SQLiteStore(path), keep_journal=True)
        record_all(live, evs)
        want = live.analytics()
    with plaudit.Engine(program) as eng:
        eng.enable_analytics(period="week")
        eng.attach_store(plaudit.SQLiteStore(path), keep_journal=True)
        assert eng.analytics() == want
        assert want.contributions > 0 and want.members == len(MEMBERS)
        eng.snapshot()
    with plaudit.Engine(program) as eng:  # from a snapshot: only what follows it
        eng.enable_analytics(period="week")
        eng.attach_store(plaudit.SQLiteStore(path), keep_journal=True)
        assert eng.recovery.snapshot and eng.analytics().contributions == 0


# ---- misbehaving stores -------------------------------------------------------------

@pytest.mark.parametrize("bad, type_name", [
    (None, "NoneType"), (5, "int"), (b"\x01\x02", "bytes"), ("text", "str"),
    ([3], "int"), ([b"", None], "NoneType"), ([bytearray(b"x"), "y"], "str"),
])
def test_journal_read_of_the_wrong_type_is_an_error(program, bad, type_name) -> None:
    store = MemoryStore()
    with plaudit.Engine(program, store=store) as eng:
        record_all(eng, events(5))
    kept = [(s, bytes(r)) for s, r in store.records]

    class Bad(MemoryStore):
        def journal_read(self, from_seq: int) -> Any:
            return bad

    wrong = Bad()
    wrong.records = [(s, bytearray(r)) for s, r in kept]
    with plaudit.Engine(program) as eng:
        with pytest.raises(plaudit.CallbackError) as ei:
            eng.attach_store(wrong)
        assert ei.value.code == plaudit.errors.EUSER
        assert "store journal_read failed" in str(ei.value) and type_name in str(ei.value)
        assert isinstance(ei.value.__cause__, TypeError)
        assert eng.store is None and eng.member_count == 0
    # nothing was cut or dropped
    assert [(s, bytes(r)) for s, r in wrong.records] == kept


def test_snapshot_read_of_the_wrong_type_is_an_error(program) -> None:
    class Bad(MemoryStore):
        def snapshot_read(self) -> Any:
            return [1, 2, 3]

    with plaudit.Engine(program) as eng:
        with pytest.raises(plaudit.CallbackError, match="snapshot_read returned list"):
            eng.attach_store(Bad())


def test_store_callback_calling_the_engine_is_refused(program) -> None:
    """A journal_append that records an event would journal two records
    under one sequence number: the engine refuses the inner call."""
    class Reentrant(MemoryStore):
        eng: Optional[plaudit.Engine] = None
        errors: list[BaseException] = []

        def journal_append(self, seq: int, data: bytes) -> None:
            super().journal_append(seq, data)
            if self.eng is not None:
                try:
                    self.eng.record_action(T0 + 10 ** 6, "intruder", "forum.answer")
                except plaudit.PlauditError as e:
                    self.errors.append(e)

    store = Reentrant()
    store.errors = []
    with plaudit.Engine(program, store=store) as eng:
        store.eng = eng
        record_all(eng, events(6))
        store.eng = None
        digest = eng.digest()
        assert eng.member_count == len(MEMBERS)
    assert len(store.errors) == 6
    assert all(isinstance(e, plaudit.StateError) and "store callback" in str(e) for e in store.errors)
    seqs = [s for s, _ in store.records]
    assert seqs == list(range(1, len(seqs) + 1))
    with plaudit.Engine(program, store=store) as eng:
        assert eng.digest() == digest


def test_event_fields_its_type_does_not_use_are_refused(tmp_path, program) -> None:
    """A tick with a 66,000-byte member used to be accepted and journaled
    with a 16-bit length; every later attach then failed."""
    d = tmp_path / "s"
    with plaudit.Engine(program) as eng:
        eng.file_store(d)
        eng.record_action(T0, "ada", "forum.answer")
        with pytest.raises(plaudit.InvalidArgumentError, match="a tick event takes no member"):
            eng.record(plaudit.Event(plaudit.EventType.TICK, T0 + 1, member="y" * 66000))
        digest = eng.digest()
    with plaudit.Engine(program) as eng:
        eng.file_store(d, create=False)
        assert eng.digest() == digest
