"""Arguments crossing into C: NUL bytes, timestamps as datetimes, wrong
types (one conversion for every call), Engine(str), repr, help names and
the built-in bases of the errors."""

from __future__ import annotations

import ctypes
import datetime as dt
import inspect
import pathlib
import pydoc
from typing import Any, Callable

import pytest

import plaudit
from plaudit import Event

from conftest import PROGRAM, T0

UTC = dt.timezone.utc


@pytest.fixture
def eng() -> Any:
    with plaudit.Engine(PROGRAM) as e:
        e.record_action(T0, "alice", "forum.answer")
        e.record_action(T0, "bob", "forum.answer")
        yield e


# ---- NUL bytes ------------------------------------------------------------

NUL_CALLS: list[tuple[str, Callable[[plaudit.Engine], Any]]] = [
    ("member", lambda e: e.record_action(T0 + 1, "alice\x00evil", "forum.answer")),
    ("action", lambda e: e.record_action(T0 + 1, "alice", "forum.answer\x00x")),
    ("id", lambda e: e.record_action(T0 + 1, "alice", "forum.answer", id="k\x00zzz")),
    ("member", lambda e: e.record_action(T0 + 1, b"alice\x00evil", "forum.answer")),
    ("member", lambda e: e.record_join(T0 + 1, "carol\x00")),
    ("to", lambda e: e.record_kudos(T0 + 1, "alice", "bob\x00x")),
    ("from_", lambda e: e.record_kudos(T0 + 1, "alice\x00", "bob")),
    ("reward", lambda e: e.record_redeem(T0 + 1, "alice", "mug\x00")),
    ("badge", lambda e: e.record_award(T0 + 1, "alice", "mvp\x00")),
    ("reason", lambda e: e.record_adjust(T0 + 1, "alice", 5, "goodwill\x00hidden")),
    ("segment", lambda e: e.record_segment(T0 + 1, "alice", "achiever\x00")),
    ("id", lambda e: e.record_preferences(T0 + 1, "alice", False, "p\x00")),
    ("id", lambda e: e.record_tick(T0 + 1, "t\x00")),
    ("member", lambda e: e.record(Event.action(T0 + 1, "alice\x00evil", "forum.answer"))),
    ("member", lambda e: e.record_batch([Event.action(T0 + 1, "alice", "forum.answer"),
                                         Event.action(T0 + 1, "alice\x00evil", "forum.answer")])),
    ("member", lambda e: e.member("alice\x00evil")),
    ("member", lambda e: e.get_member("alice\x00evil")),
    ("action", lambda e: e.action_count("alice", "forum.answer\x00")),
    ("segment", lambda e: e.affinity("alice", "achiever\x00")),
    ("member", lambda e: e.badges("alice\x00")),
    ("member", lambda e: e.progress("alice\x00")),
    ("board", lambda e: e.top("all-time\x00")),
    ("member", lambda e: e.rank("all-time", "alice\x00")),
    ("board", lambda e: e.around("all-time\x00", "alice")),
    ("board", lambda e: e.ranked_count("all-time\x00")),
    ("reward", lambda e: e.reward_stock("mug\x00")),
    ("member", lambda e: e.credential("alice\x00", "helper", issuer_id="https://x", issuer_name="X",
                                      base_url="https://x")),
    ("issuer_name", lambda e: e.credential("alice", "helper", issuer_id="https://x", issuer_name="X\x00",
                                           base_url="https://x")),
    ("path", lambda e: e.file_store("/tmp/x\x00y")),
    ("period", lambda e: plaudit.analytics.enable(e, "week\x00")),
]


@pytest.mark.parametrize("what,call", NUL_CALLS, ids=[f"{i}-{w}" for i, (w, _) in enumerate(NUL_CALLS)])
def test_nul_is_rejected_everywhere(eng: plaudit.Engine, what: str, call: Callable[[plaudit.Engine], Any]) -> None:
    before = eng.digest(), eng.stats(), eng.member_count
    with pytest.raises(plaudit.StringError, match="NUL byte") as ei:
        call(eng)
    assert ei.value.code == plaudit.StringError.code
    assert (what if what != "path" else "dir") in str(ei.value) or what in str(ei.value)
    assert (eng.digest(), eng.stats(), eng.member_count) == before  # nothing recorded, nothing counted
    assert eng.get_member("alice") is not None and eng.action_count("alice", "forum.answer") == 1


def test_nul_in_declarations_and_module_functions() -> None:
    with plaudit.Engine() as e:
        with pytest.raises(plaudit.StringError):
            e.declare_action("a\x00b", 1)
        with pytest.raises(plaudit.StringError):
            e.declare_action("a", 1, name="A\x00B")
        with pytest.raises(plaudit.StringError):
            e.set_program_name("x\x00y")
        with pytest.raises(plaudit.StringError):
            e.set_timezone("Europe/Paris\x00")
        with pytest.raises(plaudit.StringError):
            e.declare_segment("s", {"a\x00": 1})
        with pytest.raises(plaudit.StringError):
            e.load_program_file("program.json\x00")
        assert e.program_info().n_actions == 0
    with pytest.raises(plaudit.StringError):
        plaudit.period_parse("week\x00day")
    with pytest.raises(plaudit.StringError):
        plaudit.Engine(tzdir="/usr/share/zoneinfo\x00x")


def test_text_without_nul_still_passes(eng: plaudit.Engine) -> None:
    assert eng.record_action(T0 + 1, "zoë", "forum.answer").accepted
    assert eng.record_action(T0 + 1, bytearray(b"zo\xc3\xab"), "forum.answer").accepted
    assert eng.action_count("zoë", "forum.answer") == 2


# ---- timestamps ------------------------------------------------------------

def test_aware_datetime_is_a_timestamp(eng: plaudit.Engine) -> None:
    t = dt.datetime.fromtimestamp(T0 + 3600, UTC)
    assert eng.record_action(t, "carol", "forum.answer").accepted
    assert eng.member("carol").joined == T0 + 3600
    paris = dt.timezone(dt.timedelta(hours=1))
    t2 = dt.datetime(2026, 1, 1, 3, 0, 0, 999999, tzinfo=paris)  # 02:00:00.999999 UTC
    eng.record_join(t2, "dave")
    assert eng.member("dave").joined == T0 + 7200  # rounded down to the second
    eng.record_kudos(t2, "alice", "dave")
    eng.record_adjust(t2, "dave", 5, "welcome")
    eng.record(Event.action(t2, "dave", "forum.answer"))
    res = eng.record_batch([Event.action(t2, "dave", "forum.answer"), Event.tick(t2)])
    assert res.accepted == 2
    eng.record_tick(dt.datetime(2026, 1, 2, tzinfo=UTC))
    assert eng.clock == T0 + 86400


@pytest.mark.parametrize("call", [
    lambda e, t: e.record_action(t, "alice", "forum.answer"),
    lambda e, t: e.record_join(t, "x"),
    lambda e, t: e.record_tick(t),
    lambda e, t: e.record(Event.action(t, "alice", "forum.answer")),
    lambda e, t: e.record_batch([Event.action(t, "alice", "forum.answer")]),
])
def test_naive_datetime_is_a_type_error_that_says_why(eng: plaudit.Engine, call: Any) -> None:
    before = eng.digest()
    with pytest.raises(TypeError, match="naive datetime.*time zone") as ei:
        call(eng, dt.datetime(2026, 1, 1, 12, 0))
    assert isinstance(ei.value, plaudit.PlauditError) and "ts" in str(ei.value)
    assert eng.digest() == before


def test_analytics_window_as_datetimes() -> None:
    with plaudit.Engine(PROGRAM) as e:
        e.enable_analytics("week")
        e.record_action(T0, "alice", "forum.answer")
        a = e.analytics(dt.datetime(2025, 12, 1, tzinfo=UTC), dt.datetime(2026, 2, 1, tzinfo=UTC))
        assert a.contributions == 1
        with pytest.raises(TypeError, match="start"):
            e.analytics(dt.datetime(2025, 12, 1))


# ---- wrong types: a clear error naming the argument, never ArgumentError -----

WRONG_TYPES: list[tuple[str, Callable[[plaudit.Engine], Any]]] = [
    ("ts", lambda e: e.record_action("2026-01-01", "alice", "forum.answer")),
    ("ts", lambda e: e.record_action(1767225600.5, "alice", "forum.answer")),
    ("ts", lambda e: e.record_action(dt.date(2026, 1, 1), "alice", "forum.answer")),
    ("ts", lambda e: e.record_join(None, "x")),
    ("member", lambda e: e.record_action(T0, 42, "forum.answer")),
    ("points", lambda e: e.record_adjust(T0, "alice", "5")),
    ("points", lambda e: e.record_adjust(T0, "alice", 5.0)),
    ("ts", lambda e: e.record(Event.action("now", "alice", "forum.answer"))),
    ("member", lambda e: e.record(Event.action(T0, ["alice"], "forum.answer"))),  # type: ignore[arg-type]
    ("event 1", lambda e: e.record_batch([Event.action(T0, "alice", "forum.answer"), ("not", "an event")])),
    ("event 0: ts", lambda e: e.record_batch([Event.action(1.5, "alice", "forum.answer")])),
    ("n", lambda e: e.top("all-time", "3")),
    ("k", lambda e: e.around("all-time", "alice", 1.0)),
    ("start", lambda e: e.member_ids("0")),
    ("minutes", lambda e: e.set_utc_offset("60")),
    ("segment_bytes", lambda e: e.file_store("/tmp/never-created-plaudit", segment_bytes="big")),
    ("line", lambda e: e.record_line(42)),
]


@pytest.mark.parametrize("what,call", WRONG_TYPES, ids=[f"{i}-{w}" for i, (w, _) in enumerate(WRONG_TYPES)])
def test_wrong_type_names_the_argument(eng: plaudit.Engine, what: str, call: Callable[[plaudit.Engine], Any]) -> None:
    before = eng.digest()
    with pytest.raises(TypeError) as ei:
        call(eng)
    assert not isinstance(ei.value, ctypes.ArgumentError)
    assert isinstance(ei.value, plaudit.PlauditError) and isinstance(ei.value, plaudit.PlauditTypeError)
    assert what in str(ei.value), str(ei.value)
    assert eng.digest() == before


def test_out_of_range_integers(eng: plaudit.Engine) -> None:
    with pytest.raises(plaudit.RangeError, match="points"):
        eng.record_adjust(T0, "alice", 1 << 64)
    with pytest.raises(plaudit.RangeError, match="ts"):
        eng.record_action(1 << 63, "alice", "forum.answer")
    with pytest.raises(plaudit.RangeError, match="max_members"):
        plaudit.Engine(max_members=-1)


def test_declarations_name_bad_arguments() -> None:
    with plaudit.Engine() as e:
        with pytest.raises(TypeError, match="points"):
            e.declare_action("a", "10")
        with pytest.raises(TypeError, match="cap_points"):
            e.declare_action("a", 10, cap_points=1.5)
        with pytest.raises(TypeError, match="thresholds\\[1\\]"):
            e.declare_badge_raw("b", criterion="points", thresholds=[1, "2"])
        with pytest.raises(TypeError, match="min_points"):
            e.declare_tier("t", min_points=None)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="cost"):
            e.declare_reward("r", "5")  # type: ignore[arg-type]
        assert e.program_info().n_actions == 0


# ---- Engine(str) -----------------------------------------------------------

def test_engine_with_a_file_name_says_to_pass_a_path(tmp_path: pathlib.Path, monkeypatch: Any) -> None:
    import json
    f = tmp_path / "program.json"
    f.write_text(json.dumps(PROGRAM))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError, match=r"pass pathlib\.Path\('program\.json'\)"):
        plaudit.Engine("program.json")
    with pytest.raises(TypeError, match="names a file"):
        plaudit.Engine(str(f))
    with plaudit.Engine(f) as e:  # a Path loads the file
        assert e.program_info().name == "Acme Advocates"
    with plaudit.Engine(pathlib.Path("program.json")) as e:
        assert e.program_info().n_actions == len(PROGRAM["actions"])
    with plaudit.Engine(json.dumps(PROGRAM)) as e:  # JSON text still loads
        assert e.program_info().n_actions == len(PROGRAM["actions"])
    with pytest.raises(plaudit.ParseError, match="pass a pathlib.Path"):
        plaudit.Engine("missing.json")  # not JSON, not a file: the parse error says what a str is


# ---- repr and help -----------------------------------------------------------

def test_repr(tmp_path: pathlib.Path) -> None:
    e = plaudit.Engine(PROGRAM)
    assert repr(e) == "<plaudit.Engine program='Acme Advocates' members=0 clock=None>"
    e.record_action(T0, "alice", "forum.answer")
    e.record_action(T0 + 5, "bob", "forum.answer")
    assert repr(e) == f"<plaudit.Engine program='Acme Advocates' members=2 clock={T0 + 5} sealed>"
    e.close()
    assert repr(e) == "<plaudit.Engine closed>"
    with plaudit.Engine(PROGRAM) as f:
        f.file_store(tmp_path / "store")
        assert repr(f) == "<plaudit.Engine program='Acme Advocates' members=0 clock=None store=file sealed>"
    assert repr(plaudit.Engine()) == "<plaudit.Engine program=None members=0 clock=None>"


@pytest.mark.parametrize("name", ["enable_analytics", "analytics", "credential", "record_action", "member",
                                  "clock"])
def test_methods_show_their_real_names(name: str) -> None:
    attr = inspect.getattr_static(plaudit.Engine, name)
    fn = attr.fget if isinstance(attr, property) else attr
    if name != "clock":
        assert fn.__name__ == name and fn.__qualname__ == f"Engine.{name}"
        assert fn.__doc__ and len(fn.__doc__) > 40
        params = list(inspect.signature(fn).parameters)
        assert params[0] == "self"
    text = pydoc.render_doc(plaudit.Engine, renderer=pydoc.plaintext)
    assert f"{name} = " not in text  # pydoc writes "name = other_name(...)" for a misnamed function
    assert f" |  {name}(" in text or f" |  {name}\n" in text


def test_help_documents_the_lock() -> None:
    from plaudit import engine
    assert "RLock" in (engine.__doc__ or "") and "thread" in (engine.__doc__ or "")


# ---- error classes and the built-in exceptions ---------------------------------

@pytest.mark.parametrize("cls,base", [
    (plaudit.NotFoundError, LookupError),
    (plaudit.RangeError, ValueError),
    (plaudit.StringError, ValueError),
    (plaudit.UTF8Error, ValueError),
    (plaudit.InvalidArgumentError, ValueError),
    (plaudit.ExistsError, ValueError),
    (plaudit.ParseError, ValueError),
    (plaudit.TimeError, ValueError),
    (plaudit.ConflictError, ValueError),
    (plaudit.SelfKudosError, ValueError),
    (plaudit.VersionError, ValueError),
    (plaudit.NoMemoryError, MemoryError),
    (plaudit.PlauditIOError, OSError),
    (plaudit.LockedError, OSError),
    (plaudit.StateError, RuntimeError),
    (plaudit.EngineClosedError, RuntimeError),
    (plaudit.HistoryError, RuntimeError),
    (plaudit.UnsupportedError, NotImplementedError),
    (plaudit.PlauditTypeError, TypeError),
])
def test_errors_subclass_the_builtins(cls: type, base: type) -> None:
    assert issubclass(cls, plaudit.PlauditError) and issubclass(cls, base)
    e = cls(cls.code, "detail")
    assert str(e) == "detail" and e.code == cls.code


def test_builtin_handlers_catch_real_errors(eng: plaudit.Engine) -> None:
    with pytest.raises(LookupError):
        eng.member("nobody")
    with pytest.raises(ValueError):
        eng.record_kudos(T0 + 2, "alice", "alice")
    with pytest.raises(ValueError):
        eng.record_action(T0 - 100, "alice", "forum.answer")  # time went backwards
    with pytest.raises(ValueError):
        eng.record_action(T0 + 2, "alice", "x\x00")
