"""Stores written in Python: the :class:`Store` base class, the bridge that
turns one into a ``plaudit_store`` table of C callbacks, and
:class:`SQLiteStore` on the standard :mod:`sqlite3` module.

A store keeps bytes in order; it never parses them (docs/storage-format.md).
The engine writes every accepted event's journal record before it reports
the event accepted, writes snapshots on request and, when a store is
attached, rebuilds its state from the latest snapshot plus the journal
after it.  What each method must guarantee is the contract of the C slot of
the same name (include/plaudit/store.h); the essentials are repeated in the
docstrings below.

Exceptions: a method may raise anything.  The bridge catches it before it
can reach C, returns ``PLAUDIT_EUSER`` (or the code of a
:class:`~plaudit.PlauditError` it raised, when that code is one a store may
return: EIO, ENOMEM, ELOCKED, ECORRUPT) with the exception's text as the
store's ``errmsg``, and once the C call has returned, the engine raises the
library's error with your exception as its ``__cause__``.
``KeyboardInterrupt`` and ``SystemExit`` are re-raised as they are.
"""

from __future__ import annotations

import abc
import contextlib
import ctypes
import os
import sqlite3
from typing import Any, Iterable, Iterator, Optional, Union

from . import _lib as L
from . import errors as E

__all__ = ["Store", "SQLiteStore"]

# Codes a store may return (plaudit/store.h); anything else becomes EUSER.
_STORE_CODES = frozenset((E.EUSER, E.EIO, E.ENOMEM, E.ELOCKED, E.ECORRUPT))

_OPTIONAL_SLOTS = ("sync", "journal_cut", "journal_drop")


class Store(abc.ABC):
    """A store written in Python: subclass it and implement the abstract
    methods; the optional ones (:meth:`sync`, :meth:`journal_cut`,
    :meth:`journal_drop`) are only handed to the engine when a subclass
    overrides them (see :meth:`provides`).

    Callbacks run on the thread that called the engine, one at a time.  A
    callback that calls a method of the engine it serves that changes it
    (recording an event, a snapshot, ...) gets :class:`~plaudit.StateError`:
    the engine refuses calls from inside store callbacks, as from inside
    listeners.
    """

    @abc.abstractmethod
    def journal_append(self, seq: int, data: bytes) -> None:
        """Append one journal record (`seq` is its sequence number: 1, 2,
        3, ...).  Written in order after all earlier records; it need not be
        durable until :meth:`sync`.  If it raises, the journal must be as it
        was before the call (undo any partial write), unless it raises
        :class:`~plaudit.CorruptError` (the engine then refuses further
        events until the store is re-attached)."""

    def sync(self) -> None:
        """Make every appended byte durable.  Optional: without it the store
        is taken to be durable after every append."""

    @abc.abstractmethod
    def journal_read(self, from_seq: int) -> Iterable[bytes]:
        """The journal, in order, as an iterable (a list, a generator) of
        bytes chunks (split anywhere; ``[]`` when it is empty).  Anything
        else (None, bytes themselves, a chunk that is not bytes-like) fails
        the attach with :class:`~plaudit.CallbackError` naming the type.  It
        starts at a record boundary: the first record still kept, or a later
        one whose seq is <= `from_seq` (the records before it may be
        skipped).  `from_seq` 1 asks for the whole history (retroactive
        replay): a store that archives dropped records delivers them then."""

    def journal_cut(self, nbytes: int) -> None:
        """Remove the last `nbytes` bytes of the journal (a torn record at
        recovery, or the record of an event whose sync failed).  Optional:
        needed only by stores whose append is not atomic or that sync."""
        raise NotImplementedError

    @abc.abstractmethod
    def snapshot_write(self, seq: int, data: bytes) -> None:
        """Replace the snapshot (it covers the journal up to and including
        record `seq`).  Atomic: after a failure or a crash the store holds
        the old snapshot or the new one, whole.  Durable when it returns."""

    @abc.abstractmethod
    def snapshot_read(self) -> Optional[bytes]:
        """The latest snapshot, or None when there is none."""

    def journal_drop(self, upto_seq: int) -> None:
        """A snapshot covers every record up to and including `upto_seq`:
        they may be discarded (or archived); every later one must be kept.
        Optional: without it the journal only grows."""

    def ack_write(self, seq: int) -> None:
        """Make `seq` the outbox's acknowledged position, durably and
        atomically (optional, with :meth:`ack_read`: without them the
        position is not durable and recovery redelivers more)."""

    def ack_read(self) -> int:
        """The last position :meth:`ack_write` stored (0 when none)."""
        return 0

    def close(self) -> None:
        """The engine lets go of the store (detach, or the engine closed)."""

    def provides(self, slot: str) -> bool:
        """Whether the optional method `slot` ("sync", "journal_cut",
        "journal_drop") is handed to the engine: by default, when the
        subclass overrides it."""
        return getattr(type(self), slot, None) is not getattr(Store, slot)


_BYTES_LIKE = (bytes, bytearray, memoryview)


def _chunk_bytes(slot: str, chunk: Any) -> bytes:
    """A chunk a read method delivered, as bytes; anything that is not
    bytes-like is a TypeError naming its type (an int would otherwise turn
    into that many zero bytes, which recovery takes for a torn tail)."""
    if chunk.__class__ is bytes:
        return chunk
    if isinstance(chunk, _BYTES_LIKE):
        return bytes(chunk)
    raise TypeError(f"{slot} delivered a chunk of type {type(chunk).__name__}, expected bytes")


def _code_of(e: BaseException) -> int:
    if isinstance(e, E.PlauditError) and e.code in _STORE_CODES:
        return e.code
    return E.EUSER


class _StoreBridge:
    """The ``plaudit_store`` of a Python :class:`Store`: one ctypes callback
    object per slot (kept here, so alive as long as the bridge), and the
    first exception a callback raised since :meth:`take`."""

    def __init__(self, store: Store) -> None:
        if not isinstance(store, Store):
            raise TypeError(f"expected a plaudit.Store, not {type(store).__name__}")
        self.store = store
        self.exc: Optional[BaseException] = None
        self.slot = ""
        self._msg = ctypes.create_string_buffer(1)
        s = L.plaudit_store()
        s.version = L.PLAUDIT_STORE_VERSION
        fns: dict[str, Any] = {
            "journal_append": L.StoreJournalAppendFn(self._journal_append),
            "journal_read": L.StoreJournalReadFn(self._journal_read),
            "snapshot_write": L.StoreSnapshotWriteFn(self._snapshot_write),
            "snapshot_read": L.StoreSnapshotReadFn(self._snapshot_read),
            "errmsg": L.StoreErrmsgFn(self._errmsg),
            "close": L.StoreCloseFn(self._close),
        }
        if store.provides("sync"):
            fns["sync"] = L.StoreSyncFn(self._sync)
        if store.provides("journal_cut"):
            fns["journal_cut"] = L.StoreJournalCutFn(self._journal_cut)
        if store.provides("journal_drop"):
            fns["journal_drop"] = L.StoreJournalDropFn(self._journal_drop)
        if store.provides("ack_write") and store.provides("ack_read"):
            fns["ack_write"] = L.StoreAckWriteFn(self._ack_write)
            fns["ack_read"] = L.StoreAckReadFn(self._ack_read)
        for name, fn in fns.items():
            setattr(s, name, fn)
        self._fns = fns
        self.struct = s

    # -- failures --------------------------------------------------------

    def _fail(self, slot: str, e: BaseException) -> int:
        if self.exc is None:
            self.exc = e
            self.slot = slot
        elif e is not self.exc and self.exc.__context__ is None:
            self.exc.__context__ = e  # a second failure (a cut after a failed sync): keep it visible
        text = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        raw = text.replace("\0", "\\0").encode("utf-8", "replace")[:2000]
        self._msg = ctypes.create_string_buffer(raw)
        return _code_of(e)

    def take(self) -> tuple[Optional[BaseException], str]:
        e, slot = self.exc, self.slot
        self.exc, self.slot = None, ""
        return e, slot

    # -- the slots ---------------------------------------------------------

    def _journal_append(self, seq: int, data: int, n: int, payload: Any) -> int:
        try:
            self.store.journal_append(seq, ctypes.string_at(data, n))
            return 0
        except BaseException as e:  # never let it reach C
            return self._fail("journal_append", e)

    def _sync(self, payload: Any) -> int:
        try:
            self.store.sync()
            return 0
        except BaseException as e:
            return self._fail("sync", e)

    def _feed(self, slot: str, chunks: Iterable[Any], fn: Any, fn_payload: Any) -> int:
        it = iter(chunks)
        try:
            for chunk in it:
                b = _chunk_bytes(slot, chunk)
                if not b:
                    continue
                rc = fn(b, len(b), fn_payload)
                if rc:
                    return rc  # the engine stopped the read: its code, unchanged
            return 0
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    def _journal_read(self, from_seq: int, fn: Any, fn_payload: Any, payload: Any) -> int:
        try:
            chunks = self.store.journal_read(from_seq)
            # Not an iterable of chunks (None, bytes themselves, a str, a
            # number): an error, never an empty or garbled journal that
            # recovery would then cut.
            if chunks is None or isinstance(chunks, (str, *_BYTES_LIKE)) or not hasattr(chunks, "__iter__"):
                raise TypeError(f"journal_read returned {type(chunks).__name__}, expected an iterable of bytes "
                                "chunks (a list or a generator; [] for an empty journal)")
            return self._feed("journal_read", chunks, fn, fn_payload)
        except BaseException as e:
            return self._fail("journal_read", e)

    def _journal_cut(self, nbytes: int, payload: Any) -> int:
        try:
            self.store.journal_cut(nbytes)
            return 0
        except BaseException as e:
            return self._fail("journal_cut", e)

    def _snapshot_write(self, seq: int, data: int, n: int, payload: Any) -> int:
        try:
            self.store.snapshot_write(seq, ctypes.string_at(data, n))
            return 0
        except BaseException as e:
            return self._fail("snapshot_write", e)

    def _snapshot_read(self, fn: Any, fn_payload: Any, payload: Any) -> int:
        try:
            data = self.store.snapshot_read()
            if data is None:
                return 0
            if not isinstance(data, _BYTES_LIKE):
                raise TypeError(f"snapshot_read returned {type(data).__name__}, expected bytes or None")
            return self._feed("snapshot_read", (data,), fn, fn_payload)
        except BaseException as e:
            return self._fail("snapshot_read", e)

    def _journal_drop(self, upto_seq: int, payload: Any) -> int:
        try:
            self.store.journal_drop(upto_seq)
            return 0
        except BaseException as e:
            return self._fail("journal_drop", e)

    def _ack_write(self, seq: int, payload: Any) -> int:
        try:
            self.store.ack_write(seq)
            return 0
        except BaseException as e:
            return self._fail("ack_write", e)

    def _ack_read(self, out: Any, payload: Any) -> int:
        try:
            out[0] = int(self.store.ack_read())
            return 0
        except BaseException as e:
            return self._fail("ack_read", e)

    def _errmsg(self, payload: Any) -> Optional[int]:
        return ctypes.addressof(self._msg) if self._msg.value else None

    def _close(self, payload: Any) -> None:
        try:
            self.store.close()
        except BaseException as e:
            self._fail("close", e)


# ---------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------

_CHUNK = 256 * 1024  # journal rows are delivered in chunks of about this size


class SQLiteStore(Store):
    """A store in an SQLite database, on the standard :mod:`sqlite3` module.

    Two tables (names prefixed with `table_prefix`): ``journal`` (one row
    per record: seq, data, archived) and ``snapshot`` (one row).  Every
    callback is one transaction, so each is atomic: an append that fails
    leaves no row, a snapshot is replaced whole or not at all.

    `path` is a file name (or ``":memory:"``, for tests).  The database is
    opened in WAL mode with exclusive locking: a second store (from this or
    any other process) on the same file raises :class:`~plaudit.LockedError`
    while this one is open.  Use :attr:`connection` for tables of your own.

    `synchronous`: ``"FULL"`` (default) makes every commit durable, so the
    store has no `sync` and the engine's sync policy does not matter;
    ``"NORMAL"`` commits without fsync (a crash of the process still loses
    nothing; power loss may lose the last commits) and :meth:`sync` forces
    a checkpoint, so the engine's sync policy decides how often to pay for
    durability.

    `archive`: journal_drop marks compacted records archived instead of
    deleting them, and a retroactive replay (the program changed) reads
    them back, as the file store's ``archive`` option does.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"], *, synchronous: str = "FULL", archive: bool = False,
                 table_prefix: str = "plaudit_", timeout: float = 0.0) -> None:
        sync_mode = synchronous.upper()
        if sync_mode not in ("FULL", "NORMAL", "EXTRA"):
            raise ValueError(f"synchronous: expected FULL, EXTRA or NORMAL, not {synchronous!r}")
        if not table_prefix.replace("_", "").isalnum() or table_prefix[:1].isdigit():
            raise ValueError(f"table_prefix {table_prefix!r}: letters, digits and _ only")
        self.path = os.fspath(path)
        self.synchronous = sync_mode
        self.archive = archive
        self._j = table_prefix + "journal"
        self._s = table_prefix + "snapshot"
        self._a = table_prefix + "ack"
        self._db: Optional[sqlite3.Connection] = None
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=timeout)
        try:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={sync_mode}")
            db.execute("BEGIN IMMEDIATE")  # takes (and, exclusive, keeps) the write lock
            db.execute(f"CREATE TABLE IF NOT EXISTS {self._j} (seq INTEGER PRIMARY KEY, data BLOB NOT NULL, "
                       "archived INTEGER NOT NULL DEFAULT 0)")
            db.execute(f"CREATE TABLE IF NOT EXISTS {self._s} (id INTEGER PRIMARY KEY CHECK (id = 1), "
                       "seq INTEGER NOT NULL, data BLOB NOT NULL)")
            db.execute(f"CREATE TABLE IF NOT EXISTS {self._a} (id INTEGER PRIMARY KEY CHECK (id = 1), "
                       "seq INTEGER NOT NULL)")
            db.execute("COMMIT")
        except sqlite3.OperationalError as e:
            db.close()
            if "locked" in str(e) or "busy" in str(e):
                raise E.LockedError(E.ELOCKED, f"{self.path}: the database is locked by another store ({e})") from e
            raise E.PlauditIOError(E.EIO, f"{self.path}: {e}") from e
        except BaseException:
            db.close()
            raise
        self._db = db

    # -- helpers -------------------------------------------------------------

    @property
    def connection(self) -> sqlite3.Connection:
        """The store's connection (autocommit), for the application's own
        tables.  Leave the store's tables to the engine."""
        if self._db is None:
            raise E.StateError(E.ESTATE, f"{self.path}: the store is closed")
        return self._db

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self.connection
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # nothing of a failed callback stays
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:  # pragma: no cover - SQLite rolled back itself
                    pass
            raise

    def _checkpoint(self) -> None:
        busy, _, _ = self.connection.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
        if busy:
            raise E.PlauditIOError(E.EIO, f"{self.path}: checkpoint could not complete (busy)")

    # -- the store -------------------------------------------------------------

    def provides(self, slot: str) -> bool:
        if slot == "sync":
            return self.synchronous == "NORMAL"
        return True

    def journal_append(self, seq: int, data: bytes) -> None:
        with self._tx() as db:
            db.execute(f"INSERT INTO {self._j} (seq, data) VALUES (?, ?)", (seq, data))

    def sync(self) -> None:
        self._checkpoint()

    def journal_read(self, from_seq: int) -> Iterator[bytes]:
        # Records before from_seq are covered by the snapshot: start at
        # from_seq (or the first kept record); archived ones only when the
        # whole history is asked for.
        cur = self.connection.execute(
            f"SELECT data FROM {self._j} WHERE seq >= ? AND (archived = 0 OR ? <= 1) ORDER BY seq",
            (from_seq, from_seq))
        try:
            parts: list[bytes] = []
            size = 0
            while True:
                rows = cur.fetchmany(1024)
                if not rows:
                    break
                for (data,) in rows:
                    parts.append(data)
                    size += len(data)
                    if size >= _CHUNK:
                        yield b"".join(parts)
                        parts, size = [], 0
            if parts:
                yield b"".join(parts)
        finally:
            cur.close()

    def journal_cut(self, nbytes: int) -> None:
        with self._tx() as db:
            left = nbytes
            rows = db.execute(f"SELECT seq, length(data) FROM {self._j} WHERE archived = 0 ORDER BY seq DESC")
            for seq, n in rows.fetchall():
                if left <= 0:
                    break
                if n <= left:
                    db.execute(f"DELETE FROM {self._j} WHERE seq = ?", (seq,))
                    left -= n
                else:
                    db.execute(f"UPDATE {self._j} SET data = substr(data, 1, ?) WHERE seq = ?", (n - left, seq))
                    left = 0
            if left > 0:
                raise E.PlauditIOError(E.EIO, f"journal_cut: {nbytes} bytes asked, the journal holds "
                                              f"{nbytes - left}")

    def snapshot_write(self, seq: int, data: bytes) -> None:
        with self._tx() as db:
            db.execute(f"INSERT OR REPLACE INTO {self._s} (id, seq, data) VALUES (1, ?, ?)", (seq, data))
        if self.synchronous == "NORMAL":
            self._checkpoint()  # durable when it returns

    def snapshot_read(self) -> Optional[bytes]:
        row = self.connection.execute(f"SELECT data FROM {self._s} WHERE id = 1").fetchone()
        return None if row is None else bytes(row[0])

    def ack_write(self, seq: int) -> None:
        with self._tx() as db:
            db.execute(f"INSERT OR REPLACE INTO {self._a} (id, seq) VALUES (1, ?)", (seq,))

    def ack_read(self) -> int:
        row = self.connection.execute(f"SELECT seq FROM {self._a} WHERE id = 1").fetchone()
        return 0 if row is None else int(row[0])

    def journal_drop(self, upto_seq: int) -> None:
        with self._tx() as db:
            if self.archive:
                db.execute(f"UPDATE {self._j} SET archived = 1 WHERE seq <= ? AND archived = 0", (upto_seq,))
            else:
                db.execute(f"DELETE FROM {self._j} WHERE seq <= ?", (upto_seq,))

    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()

    # -- inspection ------------------------------------------------------------

    def journal_records(self, *, archived: bool = False) -> int:
        """Number of journal rows kept (with `archived`, archived ones too)."""
        q = f"SELECT count(*) FROM {self._j}" + ("" if archived else " WHERE archived = 0")
        return self.connection.execute(q).fetchone()[0]

    def snapshot_seq(self) -> Optional[int]:
        """The seq the stored snapshot covers, None without one."""
        row = self.connection.execute(f"SELECT seq FROM {self._s} WHERE id = 1").fetchone()
        return None if row is None else row[0]

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r}, synchronous={self.synchronous!r}, archive={self.archive})"
