"""Error codes: one exception class per code, the library's message, and a
real trigger for every code the public API can produce here."""

from __future__ import annotations

import pickle
import re
from typing import Any, Callable

import pytest

import plaudit
from plaudit import errors as E

from conftest import ROOT, T0


def header_codes() -> dict[str, int]:
    text = (ROOT / "include" / "plaudit.h").read_text()
    body = text[text.index("typedef enum plaudit_error"):]
    body = body[:body.index("} plaudit_error;")]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"PLAUDIT_(E[A-Z0-9]+)\s*=\s*(-?\d+)", body)}


def test_every_code_has_a_class() -> None:
    codes = header_codes()
    assert len(codes) >= 22
    for name, value in codes.items():
        assert getattr(E, name) == value, name
        cls = E.ERRORS[value]
        assert cls.code == value and issubclass(cls, plaudit.PlauditError)
    assert len(set(E.ERRORS.values())) == len(E.ERRORS)


def test_strerror_for_every_code() -> None:
    for code in E.ERRORS:
        assert plaudit.strerror(code) not in ("", "unknown error")
    assert plaudit.strerror(-999) == "unknown error"


def test_from_code_and_unknown_code() -> None:
    e = E.from_code(-5, "too big")
    assert type(e) is plaudit.RangeError and e.code == -5 and str(e) == "too big" and e.outcome is None
    u = E.from_code(-99, "new")
    assert type(u) is plaudit.PlauditError and u.code == -99
    assert isinstance(plaudit.NotFoundError(), LookupError)
    assert isinstance(plaudit.RangeError(), ValueError)
    assert isinstance(plaudit.NoMemoryError(), MemoryError)
    assert isinstance(plaudit.PlauditIOError(), OSError)
    assert plaudit.NotFoundError().code == -3
    r = pickle.loads(pickle.dumps(plaudit.FundsError(-11, "poor")))
    assert type(r) is plaudit.FundsError and (r.code, r.message) == (-11, "poor")
    assert "FundsError" in repr(r)


PROG = {
    "format": "plaudit.program/1",
    "actions": [{"id": "a", "points": 10}],
    "badges": [{"id": "m", "manual": True}],
    "kudos": {"points": 1, "give_cap": {"count": 1, "per": "day"}},
    "rewards": [{"id": "r", "cost": 5, "stock": 1}, {"id": "big", "cost": 1000}],
}


def _engine(**kw: Any) -> plaudit.Engine:
    return plaudit.Engine(PROG, **kw)


def _noprogram_kudos() -> None:
    with plaudit.Engine({"format": "plaudit.program/1", "actions": [{"id": "a", "points": 1}]}) as e:
        e.record_kudos(T0, "x", "y")


def _stock() -> None:
    with _engine() as e:
        e.record_action(T0, "x", "a")
        e.record_redeem(T0, "x", "r")
        e.record_redeem(T0, "x", "r")


def _limit_give_cap() -> None:
    with _engine() as e:
        e.record_kudos(T0, "x", "y")
        e.record_kudos(T0 + 1, "x", "z")


def _limit_members() -> None:
    with _engine(max_members=1) as e:
        e.record_join(T0, "x")
        e.record_join(T0, "y")


def _conflict() -> None:
    with _engine() as e:
        e.record_action(T0, "x", "a", id="k")
        e.record_action(T0, "y", "a", id="k")


def _time() -> None:
    with _engine() as e:
        e.record_action(T0, "x", "a")
        e.record_action(T0 - 1, "x", "a")


def _sealed() -> None:
    with _engine() as e:
        e.record_action(T0, "x", "a")
        e.declare_action("b", 1)


def _load_sealed() -> None:
    # A second load before the first event replaces the program; after it,
    # the program is sealed.
    with _engine() as e:
        e.load_program(PROG)
        e.record_action(T0, "x", "a")
        e.load_program(PROG)


def _version() -> None:
    with plaudit.Engine() as e:
        e.load_program({"format": "plaudit.program/9"})


def _parse() -> None:
    with _engine() as e:
        e.record_line("{{")


def _utf8() -> None:
    with _engine() as e:
        e.record_action(T0, b"\xc3\x28", "a")


def _io() -> None:
    import tempfile
    with _engine() as e, tempfile.TemporaryDirectory() as d:
        e.load_program_file(d)


def _corrupt_tz() -> None:
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "Bad"))
        with open(os.path.join(d, "Bad", "Zone"), "wb") as f:
            f.write(b"TZif2" + b"\x00" * 10)
        with plaudit.Engine(tzdir=d) as e:
            e.set_timezone("Bad/Zone")


TRIGGERS: list[tuple[type, Callable[[], Any]]] = [
    (plaudit.InvalidArgumentError, lambda: _engine().record(plaudit.Event(99, T0))),  # type: ignore[arg-type]
    (plaudit.NotFoundError, lambda: _engine().record_action(T0, "x", "nope")),
    (plaudit.ExistsError, lambda: _engine().declare_action("a", 1)),
    (plaudit.RangeError, lambda: _engine().record_action(plaudit.MAX_TS + 1, "x", "a")),
    (plaudit.UTF8Error, _utf8),
    (plaudit.StringError, lambda: _engine().record_action(T0, "", "a")),
    (plaudit.TimeError, _time),
    (plaudit.ConflictError, _conflict),
    (plaudit.LimitError, _limit_give_cap),
    (plaudit.LimitError, _limit_members),
    (plaudit.FundsError, lambda: _engine().record_redeem(T0, "x", "big")),
    (plaudit.StockError, _stock),
    (plaudit.SelfKudosError, lambda: _engine().record_kudos(T0, "x", "x")),
    (plaudit.DisabledError, _noprogram_kudos),
    (plaudit.StateError, _sealed),
    (plaudit.StateError, _load_sealed),
    (plaudit.PlauditIOError, _io),
    (plaudit.CorruptError, _corrupt_tz),
    (plaudit.VersionError, _version),
    (plaudit.ParseError, _parse),
]


@pytest.mark.parametrize("cls, trigger", TRIGGERS, ids=lambda x: getattr(x, "__name__", ""))
def test_real_triggers(cls: type, trigger: Callable[[], Any]) -> None:
    with pytest.raises(cls) as ei:
        trigger()
    err = ei.value
    assert type(err) is cls or (cls is plaudit.StateError and isinstance(err, cls))
    assert err.code == cls.code
    assert err.message and err.message != plaudit.strerror(err.code) or cls in (plaudit.InvalidArgumentError,)


def test_ctx_new_errors_use_strerror() -> None:
    with pytest.raises(plaudit.RangeError) as ei:
        plaudit.Engine(idempotency_retention_s=-5)
    assert str(ei.value) == plaudit.strerror(-5)


def test_callback_and_unsupported_codes() -> None:
    assert plaudit.CallbackError.code == -16
    assert plaudit.UnsupportedError.code == -22
    assert plaudit.LockedError.code == -21
    assert plaudit.NoMemoryError.code == -2
