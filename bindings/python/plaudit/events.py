"""Event lines (spec section 3) read in Python.

Used by :meth:`Engine.record_line` when the loaded library was built without
the JSON feature (``plaudit_record_json`` is then unavailable); with it, the
library's own reader is used and this module is not involved.  The rules are
the spec's: one JSON object per line, no repeated keys, no NaN, no lone
surrogates, integers that are JSON integers, exactly the keys of the type.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Union

from . import errors as E
from .model import Event, EventType

_COMMON = {"ts", "type", "id"}
# type -> (keys besides ts/type/id, required ones)
_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "action": ({"member", "action"}, {"member", "action"}),
    "join": ({"member"}, {"member"}),
    "kudos": ({"from", "to"}, {"from", "to"}),
    "redeem": ({"member", "reward"}, {"member", "reward"}),
    "award": ({"member", "badge"}, {"member", "badge"}),
    "adjust": ({"member", "points", "reason"}, {"member", "points"}),
    "segment": ({"member", "segment"}, {"member", "segment"}),
    "preferences": ({"member", "leaderboards"}, {"member", "leaderboards"}),
    "tick": (set(), set()),
    "program": ({"program"}, {"program"}),
    "team": ({"member", "team"}, {"member", "team"}),
}
# format 2 (the library's reader decides whether the program allows them)
_KEYS_V2: dict[str, tuple[set[str], set[str]]] = {
    "revoke": ({"event", "ref", "reason"}, set()),
    "team": ({"member", "team"}, {"member", "team"}),
}
_REF_TYPES = {"action", "kudos", "redeem", "award", "adjust"}


class _Dup(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for k, v in pairs:
        if k in d:
            raise _Dup(k)
        d[k] = v
    return d


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _bad(what: str) -> E.ParseError:
    return E.ParseError(E.EPARSE, what)


def _check_text(s: str, what: str) -> None:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise E.UTF8Error(E.EUTF8, f"{what}: a lone surrogate is not UTF-8") from None


def _walk_text(v: Any, what: str) -> None:
    if isinstance(v, str):
        _check_text(v, what)
    elif isinstance(v, dict):
        for k, x in v.items():
            _check_text(k, what)
            _walk_text(x, what)
    elif isinstance(v, list):
        for x in v:
            _walk_text(x, what)


def is_blank(line: Union[str, bytes]) -> bool:
    return not (line.strip() if isinstance(line, str) else line.strip())


def parse_line(line: Union[str, bytes]) -> Event:
    """Parse one event line into an :class:`Event`.

    Raises ParseError (or UTF8Error) for a malformed line, and
    NotFoundError ("nothing to record") for a blank one, as
    ``plaudit_event_parse`` does."""
    if isinstance(line, bytes):
        if line.endswith(b"\n"):
            line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise E.UTF8Error(E.EUTF8, f"line is not valid UTF-8 (byte {e.start})") from None
    else:
        text = line
        if text.endswith("\n"):
            text = text[:-1]
        if text.endswith("\r"):
            text = text[:-1]
        _check_text(text, "line")
    if not text.strip():
        raise E.NotFoundError(E.ENOTFOUND, "nothing to record")
    try:
        obj = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except _Dup as e:
        raise _bad(f"repeated key \"{e.args[0]}\"") from None
    except (ValueError, RecursionError) as e:
        raise _bad(f"not JSON: {e}") from None
    if not isinstance(obj, dict):
        raise _bad("an event is a JSON object")
    _walk_text(obj, "line")
    return event_from_dict(obj)


def _int(v: Any, key: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _bad(f"{key}: expected an integer")
    return v


def _str(v: Any, key: str) -> str:
    if not isinstance(v, str):
        raise _bad(f"{key}: expected a string")
    return v


def event_from_dict(obj: dict[str, Any]) -> Event:
    """An event object (already decoded JSON) as an :class:`Event`."""
    if "ts" not in obj:
        raise _bad("ts: missing")
    ts = _int(obj["ts"], "ts")
    type_name = _str(obj["type"], "type") if "type" in obj else "action"
    spec = _KEYS.get(type_name) or _KEYS_V2.get(type_name)
    if spec is None:
        raise _bad(f"type: unknown event type \"{type_name}\"")
    allowed, required = spec
    if type_name in _REF_TYPES:
        allowed = allowed | {"ref"}
    for k in obj:
        if k not in _COMMON and k not in allowed:
            raise _bad(f"{k}: unknown key for a {type_name} event")
    for k in required:
        if k not in obj:
            raise _bad(f"{k}: missing")
    eid: Optional[str] = _str(obj["id"], "id") if "id" in obj else None
    t = EventType[type_name.upper()]
    ref: Optional[str] = _str(obj["ref"], "ref") if "ref" in obj else None
    if t is EventType.REVOKE:
        if ("event" in obj) == ("ref" in obj):
            raise _bad("a revoke event takes exactly one of \"event\" and \"ref\"")
        reason = _str(obj["reason"], "reason") if "reason" in obj else None
        target = _str(obj["event"], "event") if "event" in obj else None
        return Event(t, ts, None, target, eid, reason=reason, ref=ref)
    ev = _event_v1(t, ts, obj, eid)
    ev.ref = ref
    return ev


def _event_v1(t: EventType, ts: int, obj: dict[str, Any], eid: Optional[str]) -> Event:
    if t is EventType.ACTION:
        return Event(t, ts, _str(obj["member"], "member"), _str(obj["action"], "action"), eid)
    if t is EventType.JOIN:
        return Event(t, ts, _str(obj["member"], "member"), None, eid)
    if t is EventType.KUDOS:
        return Event(t, ts, _str(obj["from"], "from"), _str(obj["to"], "to"), eid)
    if t is EventType.REDEEM:
        return Event(t, ts, _str(obj["member"], "member"), _str(obj["reward"], "reward"), eid)
    if t is EventType.AWARD:
        return Event(t, ts, _str(obj["member"], "member"), _str(obj["badge"], "badge"), eid)
    if t is EventType.ADJUST:
        reason = _str(obj["reason"], "reason") if "reason" in obj else None
        return Event(t, ts, _str(obj["member"], "member"), None, eid, _int(obj["points"], "points"), reason)
    if t is EventType.SEGMENT:
        seg = obj["segment"]
        return Event(t, ts, _str(obj["member"], "member"), None if seg is None else _str(seg, "segment"), eid)
    if t is EventType.PREFERENCES:
        flag = obj["leaderboards"]
        if not isinstance(flag, bool):
            raise _bad("leaderboards: expected true or false")
        return Event(t, ts, _str(obj["member"], "member"), None, eid, flag=flag)
    if t is EventType.TEAM:
        team = obj["team"]
        return Event(t, ts, _str(obj["member"], "member"), None if team is None else _str(team, "team"), eid)
    if t is EventType.PROGRAM:
        doc = obj["program"]
        if not isinstance(doc, dict):
            raise _bad("program: expected a program document (a JSON object)")
        return Event(t, ts, None, None, eid, document=program_text(doc))
    return Event(t, ts, None, None, eid)


def program_text(doc: dict[str, Any]) -> str:
    """A program document as the event reader keeps it: compact JSON with
    sorted keys (so that key order does not change an event's content)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
