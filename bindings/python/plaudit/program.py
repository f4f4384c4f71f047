"""Program documents ("plaudit.program/1", spec section 2) declared through
the builder calls, for libraries built without the JSON feature and for
programs built as Python dicts.

:func:`declare_program` checks the document's shape as the C loader does
(unknown keys, wrong types: :class:`~plaudit.ParseError` naming the JSON
path) and declares its rules in the order the C API needs: actions, tiers,
segments, leaderboards, badges, kudos, rewards.  A declaration that the
library rejects raises its error with the item's JSON path in front of the
library's message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from . import errors as E

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Engine

FORMAT = "plaudit.program/1"
FORMATS = {"plaudit.program/1": 1, "plaudit.program/2": 2}

_TOP_KEYS = {"format", "name", "timezone", "utc_offset_minutes", "actions", "tiers", "badges",
             "segments", "leaderboards", "kudos", "rewards"}
# keys a format 2 document may carry besides those
_TOP_KEYS_2 = _TOP_KEYS | {"reorder_window_s", "campaigns"}
_DISPLAY = {"name", "description"}
_ACTION_KEYS = {"id", "points", "once", "cooldown_s", "cap"} | _DISPLAY
_CAP_KEYS = {"points", "count", "per"}
_TIER_KEYS = {"id", "min_points", "min_distinct_actions", "min_tenure_days", "lifetime", "window"} | _DISPLAY
_SEGMENT_KEYS = {"id", "weights"} | _DISPLAY
_BOARD_KEYS = {"id", "period", "segment", "size"} | _DISPLAY
_BADGE_KEYS = {"id", "when", "bonus", "hidden", "repeatable", "manual", "image", "criteria"} | _DISPLAY
_WHEN_KEYS = {"action", "count", "streak", "within", "per", "distinct_actions", "points", "tenure_days",
              "kudos_received", "kudos_given", "tier", "leaderboard", "top"}
_KUDOS_KEYS = {"points", "cap", "give_cap"}
_GIVE_CAP_KEYS = {"count", "per"}
_REWARD_KEYS = {"id", "cost", "stock"} | _DISPLAY
# format 2 adds these keys
_TIER_KEYS_2 = _TIER_KEYS | {"benefits"}
_BOARD_KEYS_2 = _BOARD_KEYS | {"by", "from", "until"}
_BADGE_KEYS_2 = _BADGE_KEYS | {"from", "until"}
_CAMPAIGN_KEYS = {"id", "from", "until", "actions", "percent"} | _DISPLAY


def _fail(path: str, what: str) -> E.ParseError:
    return E.ParseError(E.EPARSE, f"{path}: {what}")


def _obj(v: Any, path: str, keys: set[str]) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise _fail(path, "expected an object")
    for k in v:
        if k not in keys:
            raise _fail(f"{path}.{k}" if path else str(k), "unknown key")
    return v


def _list(v: Any, path: str) -> list:
    if not isinstance(v, (list, tuple)):
        raise _fail(path, "expected an array")
    return list(v)


def _int(v: Any, path: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _fail(path, "expected an integer")
    return v


def _bool(v: Any, path: str) -> bool:
    if not isinstance(v, bool):
        raise _fail(path, "expected true or false")
    return v


def _str(v: Any, path: str) -> str:
    if not isinstance(v, str):
        raise _fail(path, "expected a string")
    return v


def _opt(d: Mapping[str, Any], key: str, conv: Callable[[Any, str], Any], path: str, default: Any = None) -> Any:
    if key not in d:
        return default
    return conv(d[key], f"{path}.{key}")


def _display(d: Mapping[str, Any], path: str) -> dict[str, Optional[str]]:
    return {"name": _opt(d, "name", _str, path), "description": _opt(d, "description", _str, path)}


def _threshold(v: Any, path: str) -> list[int]:
    if isinstance(v, (list, tuple)):
        return [_int(x, f"{path}[{i}]") for i, x in enumerate(v)]
    return [_int(v, path)]


def _at(path: str, fn: Callable[[], Any]) -> Any:
    """Run one declaration; put the JSON path in front of its error."""
    try:
        return fn()
    except E.PlauditError as e:
        raise type(e)(e.code, f"{path}: {e.message}") from None


def _part(c: Any, path: str) -> dict[str, Any]:
    """One criterion of a challenge as a plaudit_criterion_def dict."""
    if isinstance(c, Mapping) and "all" in c:
        raise _fail(f"{path}.all", "all cannot be nested")
    if isinstance(c, Mapping) and "leaderboard" in c:
        raise _fail(f"{path}.leaderboard", "a leaderboard criterion cannot be in all")
    w = parse_when(c, path)
    th = w.pop("thresholds", None)
    if th is not None:
        key = "count" if w["criterion"] == "action_count" else "streak" if w["criterion"] == "action_streak" \
            else w["criterion"]
        if isinstance(c.get(key), (list, tuple)):
            raise _fail(f"{path}.{key}", "a criterion inside all has a single threshold")
        w["threshold"] = th[0]
    return w


def parse_when(when: Mapping[str, Any], path: str = "when", version: int = 1) -> dict[str, Any]:
    """A badge's `when` object as the keyword arguments of
    :meth:`Engine.declare_badge_raw` (criterion, action, thresholds, ...)."""
    w = _obj(when, path, _WHEN_KEYS | ({"all"} if version >= 2 else set()))
    keys = set(w)
    out: dict[str, Any] = {}
    if "all" in keys:
        if keys != {"all"}:
            raise _fail(path, "holds more than one criterion")
        parts = _list(w["all"], f"{path}.all")
        out["criterion"] = "all"
        out["all"] = [_part(c, f"{path}.all[{i}]") for i, c in enumerate(parts)]
        return out
    if "action" in keys:
        out["action"] = _str(w["action"], f"{path}.action")
        if "streak" in keys:
            if keys - {"action", "streak", "per"} or "per" not in keys:
                raise _fail(path, "a streak needs exactly action, streak and per")
            out["criterion"] = "action_streak"
            out["thresholds"] = _threshold(w["streak"], f"{path}.streak")
            out["per"] = _str(w["per"], f"{path}.per")
        else:
            if keys - {"action", "count", "within"} or "count" not in keys:
                raise _fail(path, "an action count needs action, count and optionally within")
            out["criterion"] = "action_count"
            out["thresholds"] = _threshold(w["count"], f"{path}.count")
            if "within" in keys:
                out["within"] = _str(w["within"], f"{path}.within")
        return out
    if "leaderboard" in keys:
        if keys != {"leaderboard", "top"}:
            raise _fail(path, "a leaderboard criterion needs exactly leaderboard and top")
        out["criterion"] = "leaderboard"
        out["leaderboard"] = _str(w["leaderboard"], f"{path}.leaderboard")
        out["top"] = _int(w["top"], f"{path}.top")
        return out
    if "tier" in keys:
        if keys != {"tier"}:
            raise _fail(path, "a tier criterion holds only tier")
        out["criterion"] = "tier"
        out["tier"] = _str(w["tier"], f"{path}.tier")
        return out
    for k in ("distinct_actions", "points", "tenure_days", "kudos_received", "kudos_given"):
        if k in keys:
            if keys != {k}:
                raise _fail(path, f"a {k} criterion holds only {k}")
            out["criterion"] = k
            out["thresholds"] = _threshold(w[k], f"{path}.{k}")
            return out
    raise _fail(path, "exactly one criterion is needed")


def _cap(d: Mapping[str, Any], path: str) -> dict[str, Any]:
    c = _obj(d, path, _CAP_KEYS)
    if "per" not in c:
        raise _fail(path, "a cap needs per")
    if "points" not in c and "count" not in c:
        raise _fail(path, "a cap needs points or count")
    return {
        "cap_points": _opt(c, "points", _int, path),
        "cap_count": _opt(c, "count", _int, path),
        "cap_per": _str(c["per"], f"{path}.per"),
    }


def declare_program(engine: "Engine", doc: Mapping[str, Any]) -> None:
    """Declare every rule of a program document on `engine` (builder calls).

    Not atomic by itself: :meth:`Engine.load_program` runs it on a scratch
    engine first so that a bad document loads nothing."""
    if not isinstance(doc, Mapping):
        d = _obj(doc, "", _TOP_KEYS)
    fmt = _str(doc["format"], "format") if "format" in doc else None
    if fmt is None:
        raise _fail("format", "missing")
    if fmt not in FORMATS:
        raise E.VersionError(E.EVERSION, f'format: "{fmt}" is not supported (expected "plaudit.program/1" or '
                                         f'"plaudit.program/2")')
    version = FORMATS[fmt]
    d = _obj(doc, "", _TOP_KEYS_2 if version == 2 else _TOP_KEYS)
    _at("format", lambda: engine.set_program_format(version))
    if "name" in d:
        name = _str(d["name"], "name")
        _at("name", lambda: engine.set_program_name(name))
    if "timezone" in d and "utc_offset_minutes" in d:
        raise _fail("utc_offset_minutes", "give timezone or utc_offset_minutes, not both")
    if "timezone" in d:
        zone = _str(d["timezone"], "timezone")
        _at("timezone", lambda: engine.set_timezone(zone))
    if "utc_offset_minutes" in d:
        minutes = _int(d["utc_offset_minutes"], "utc_offset_minutes")
        _at("utc_offset_minutes", lambda: engine.set_utc_offset(minutes))
    if "reorder_window_s" in d:
        window = _int(d["reorder_window_s"], "reorder_window_s")
        _at("reorder_window_s", lambda: engine.set_reorder_window(window))

    for i, a in enumerate(_list(d.get("actions", []), "actions")):
        p = f"actions[{i}]"
        a = _obj(a, p, _ACTION_KEYS)
        if "points" not in a:
            raise _fail(f"{p}.points", "missing")
        kw: dict[str, Any] = dict(_display(a, p))
        kw["once"] = _opt(a, "once", _bool, p, False)
        kw["cooldown_s"] = _opt(a, "cooldown_s", _int, p, 0)
        if "cap" in a:
            kw.update(_cap(a["cap"], f"{p}.cap"))
        aid, pts = _str(a.get("id"), f"{p}.id"), _int(a["points"], f"{p}.points")
        _at(p, lambda: engine.declare_action(aid, pts, **kw))

    for i, c in enumerate(_list(d.get("campaigns", []), "campaigns")):
        p = f"campaigns[{i}]"
        c = _obj(c, p, _CAMPAIGN_KEYS)
        for k in ("id", "from", "until", "percent"):
            if k not in c:
                raise _fail(f"{p}.{k}", "missing")
        ckw: dict[str, Any] = dict(_display(c, p))
        if "actions" in c:
            acts = [_str(x, f"{p}.actions[{j}]") for j, x in enumerate(_list(c["actions"], f"{p}.actions"))]
            if not acts:
                raise _fail(f"{p}.actions", "expected a non-empty list of action ids")
            ckw["actions"] = acts
        cid, cf, cu, cp = (_str(c["id"], f"{p}.id"), _int(c["from"], f"{p}.from"), _int(c["until"], f"{p}.until"),
                           _int(c["percent"], f"{p}.percent"))
        _at(p, lambda: engine.declare_campaign(cid, cf, cu, cp, **ckw))

    for i, t in enumerate(_list(d.get("tiers", []), "tiers")):
        p = f"tiers[{i}]"
        t = _obj(t, p, _TIER_KEYS_2 if version == 2 else _TIER_KEYS)
        kw = dict(_display(t, p))
        if "benefits" in t:
            kw["benefits"] = [_str(x, f"{p}.benefits[{j}]") for j, x in enumerate(_list(t["benefits"], f"{p}.benefits"))]
        for k in ("min_points", "min_distinct_actions", "min_tenure_days"):
            kw[k] = _opt(t, k, _int, p, 0)
        kw["lifetime"] = _opt(t, "lifetime", _bool, p, False)
        kw["window"] = _opt(t, "window", _str, p)
        tid = _str(t.get("id"), f"{p}.id")
        _at(p, lambda: engine.declare_tier(tid, **kw))

    for i, s in enumerate(_list(d.get("segments", []), "segments")):
        p = f"segments[{i}]"
        s = _obj(s, p, _SEGMENT_KEYS)
        w = _obj(s.get("weights"), f"{p}.weights", set(s.get("weights") or ()))
        weights = {k: _int(v, f"{p}.weights.{k}") for k, v in w.items()}
        sid, disp = _str(s.get("id"), f"{p}.id"), _display(s, p)
        _at(p, lambda: engine.declare_segment(sid, weights, **disp))

    for i, b in enumerate(_list(d.get("leaderboards", []), "leaderboards")):
        p = f"leaderboards[{i}]"
        b = _obj(b, p, _BOARD_KEYS_2 if version == 2 else _BOARD_KEYS)
        kw = dict(_display(b, p))
        if "by" in b:
            kw["by"] = _str(b["by"], f"{p}.by")
            if kw["by"] not in ("member", "team"):
                raise _fail(f"{p}.by", f'"{kw["by"]}" is not member or team')
        kw["from_"] = _opt(b, "from", _int, p)
        kw["until"] = _opt(b, "until", _int, p)
        kw["segment"] = _opt(b, "segment", _str, p)
        kw["size"] = _opt(b, "size", _int, p, 10)
        bid, per = _str(b.get("id"), f"{p}.id"), _str(b.get("period"), f"{p}.period")
        _at(p, lambda: engine.declare_leaderboard(bid, per, **kw))

    for i, g in enumerate(_list(d.get("badges", []), "badges")):
        p = f"badges[{i}]"
        g = _obj(g, p, _BADGE_KEYS_2 if version == 2 else _BADGE_KEYS)
        kw = dict(_display(g, p))
        kw["from_"] = _opt(g, "from", _int, p)
        kw["until"] = _opt(g, "until", _int, p)
        kw["image"] = _opt(g, "image", _str, p)
        kw["criteria"] = _opt(g, "criteria", _str, p)
        kw["bonus"] = _opt(g, "bonus", _int, p, 0)
        kw["hidden"] = _opt(g, "hidden", _bool, p, False)
        kw["repeatable"] = _opt(g, "repeatable", _bool, p, False)
        manual = _opt(g, "manual", _bool, p, False)
        if "when" in g and manual:
            raise _fail(f"{p}.manual", "a manual badge has no when")
        if "when" not in g and not manual:
            raise _fail(f"{p}.when", "missing (or give \"manual\": true)")
        if "when" in g:
            kw.update(parse_when(g["when"], f"{p}.when", version))
        gid = _str(g.get("id"), f"{p}.id")
        _at(p, lambda: engine.declare_badge_raw(gid, **kw))

    if "kudos" in d:
        p = "kudos"
        k = _obj(d["kudos"], p, _KUDOS_KEYS)
        if "points" not in k:
            raise _fail(f"{p}.points", "missing")
        kw = {}
        if "cap" in k:
            kw.update(_cap(k["cap"], f"{p}.cap"))
        if "give_cap" in k:
            gc = _obj(k["give_cap"], f"{p}.give_cap", _GIVE_CAP_KEYS)
            if "count" not in gc or "per" not in gc:
                raise _fail(f"{p}.give_cap", "needs count and per")
            kw["give_cap_count"] = _int(gc["count"], f"{p}.give_cap.count")
            kw["give_cap_per"] = _str(gc["per"], f"{p}.give_cap.per")
        kp = _int(k["points"], f"{p}.points")
        _at(p, lambda: engine.declare_kudos(kp, **kw))

    for i, r in enumerate(_list(d.get("rewards", []), "rewards")):
        p = f"rewards[{i}]"
        r = _obj(r, p, _REWARD_KEYS)
        if "cost" not in r:
            raise _fail(f"{p}.cost", "missing")
        kw = dict(_display(r, p))
        kw["stock"] = _opt(r, "stock", _int, p)
        rid, cost = _str(r.get("id"), f"{p}.id"), _int(r["cost"], f"{p}.cost")
        _at(p, lambda: engine.declare_reward(rid, cost, **kw))
