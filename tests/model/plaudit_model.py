#!/usr/bin/python3
"""plaudit_model.py - a reference model of the program and event formats,
written from docs of the spec (program-format.md) alone, to check the engine
against it.  Standard library only.

    plaudit_model.py PROGRAM.json EVENTS.jsonl   -> prints the state document

Scope: fixed UTC offsets only (`utc_offset_minutes`; a `timezone` is refused).
The program is assumed valid (the generator only writes valid ones); events
are validated as the spec says.
"""
import datetime
import json
import sys

TS_MAX = 1 << 37
I64_MAX = (1 << 63) - 1
I64_MIN = -(1 << 63)
KINDS = ("day", "week", "month", "quarter", "year", "all")
EVENT_KEYS_V1 = {
    "action": ({"member", "action"}, set()),
    "join": ({"member"}, set()),
    "kudos": ({"from", "to"}, set()),
    "redeem": ({"member", "reward"}, set()),
    "award": ({"member", "badge"}, set()),
    "adjust": ({"member", "points"}, {"reason"}),
    "segment": ({"member", "segment"}, set()),
    "preferences": ({"member", "leaderboards"}, set()),
    "tick": (set(), set()),
}
REF_TYPES = {"action", "kudos", "award", "adjust", "redeem"}


class Reject(Exception):
    pass


def sat(v):
    return max(I64_MIN, min(I64_MAX, v))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def has_control(s):
    return any(ord(c) <= 0x1F or 0x7F <= ord(c) <= 0x9F for c in s)


def ok_text(s, maxlen, minlen=1):
    if not isinstance(s, str):
        return False
    try:
        n = len(s.encode("utf-8"))
    except UnicodeEncodeError:
        return False
    return minlen <= n <= maxlen and not has_control(s)


def thresholds(v):
    return list(v) if isinstance(v, list) else [v]


class Period:
    def __init__(self, offset_min):
        self.off = offset_min * 60

    def key(self, kind, ts):
        if kind == "all":
            return 0
        days = (ts + self.off) // 86400
        if kind == "day":
            return days
        if kind == "week":
            return (days + 3) // 7
        d = datetime.date(1970, 1, 1) + datetime.timedelta(days=days)
        if kind == "month":
            return d.year * 12 + d.month - 1
        if kind == "quarter":
            return d.year * 4 + (d.month - 1) // 3
        return d.year

    def span(self, kind, key):
        """[start, end) in UTC seconds of period `key` of `kind`."""
        if kind == "all":
            return (0, TS_MAX + 1)
        if kind == "day":
            d0, d1 = key, key + 1
        elif kind == "week":
            d0, d1 = key * 7 - 3, key * 7 + 4
        else:
            if kind == "month":
                y, m0, n = key // 12, key % 12, 1
            elif kind == "quarter":
                y, m0, n = key // 4, (key % 4) * 3, 3
            else:
                y, m0, n = key, 0, 12
            a = datetime.date(y, m0 + 1, 1)
            m1 = m0 + n
            b = datetime.date(y + m1 // 12, m1 % 12 + 1, 1)
            e = datetime.date(1970, 1, 1)
            d0, d1 = (a - e).days, (b - e).days
        return (d0 * 86400 - self.off, d1 * 86400 - self.off)


class Tracker:
    """A per-period counter: the counts of one period, reset when it moves."""
    __slots__ = ("key", "points", "count")

    def __init__(self):
        self.key = None
        self.points = 0
        self.count = 0

    def at(self, key):
        if self.key != key:
            self.key, self.points, self.count = key, 0, 0
        return self


class Member:
    def __init__(self, mid, ts):
        self.id = mid
        self.joined = ts
        self.last = ts
        self.points = 0
        self.balance = 0
        self.tier = None           # tier index or None
        self.lifetime = set()      # lifetime tier ids whose criteria held
        self.pts_ts = ts           # when points last changed
        self.qual = {}             # tier id -> last qualified period key
        self.window = {}           # kind -> Tracker (net points)
        self.counts = {}           # action -> all-time count
        self.within = {}           # (action, kind) -> Tracker
        self.streak = {}           # (action, kind) -> [last key, run]
        self.caps = {}             # action -> Tracker
        self.last_earn = {}        # action -> ts of last earning occurrence
        self.kudos_given = 0
        self.kudos_received = 0
        self.kcap = Tracker()      # kudos cap (receiver)
        self.gcap = Tracker()      # give cap (giver)
        self.badges = {}           # badge id -> level / times
        self.rep_period = {}       # repeatable badge -> period key last earned
        self.pinned = False
        self.pin = None
        self.optout = False
        self.team = None
        self.dated = {}            # badge id -> count in range (dated badges)


class Board:
    def __init__(self, d, index):
        self.d = d
        self.id = d["id"]
        self.period = d.get("period", "all")
        self.size = d.get("size", 10)
        self.segment = d.get("segment")
        self.by = d.get("by", "member")
        self.frm = d.get("from")
        self.until = d.get("until")
        self.index = index
        self.key = None
        self.scores = {}           # member or team id -> [score, last change ts]
        self.frozen = False
        self.frozen_rank = []
        self.uid = None            # the same board across program events

    @property
    def dated(self):
        return self.frm is not None

    def in_range(self, ts):
        return not self.dated or self.frm <= ts < self.until


class Model:
    def __init__(self, program):
        self.load(program)
        self.clock = None
        self.members = {}
        self.ids = {}              # idempotency key -> canonical content
        self.stats = {"accepted": 0, "duplicates": 0, "rejected": 0}
        self.stock = {r["id"]: r["stock"] for r in self.rewards if "stock" in r}
        self.stock_gen = {rid: 0 for rid in self.stock}
        self.gens = 0
        self.revocable = []        # records of accepted revocable events
        self.by_id = {}
        self.errors = []
        self.board_uids = 0
        for b in self.boards:
            self.board_uids += 1
            b.uid = self.board_uids
        self.dated_gen = {}
        # action id -> how many times a program event dropped its counts
        # (a revoke takes back only from the count that counted the event)
        self.count_gen = {}
        self.window_s = program.get("reorder_window_s", 0) if self.v2 else 0
        self.held = []             # (ts, arrival, event, line number)
        self.arrivals = 0
        self.high = None           # H: the highest ts held so far
        self.accepted_types = {}   # for the checker's coverage figures
        self.closes = 0            # leaderboard badges given at a close

    # ---- program -----------------------------------------------------
    def load(self, p):
        self.p = p
        self.v2 = p.get("format") == "plaudit.program/2"
        if "timezone" in p:
            raise SystemExit("model: timezone not supported")
        self.per = Period(p.get("utc_offset_minutes", 0))
        self.actions = {a["id"]: a for a in p.get("actions", [])}
        self.action_order = [a["id"] for a in p.get("actions", [])]
        self.tiers = p.get("tiers", [])
        self.tier_index = {t["id"]: i for i, t in enumerate(self.tiers)}
        self.badges = p.get("badges", [])
        self.badge_map = {b["id"]: b for b in self.badges}
        self.segments = p.get("segments", [])
        self.segment_ids = {s["id"] for s in self.segments}
        self.boards = [Board(b, i) for i, b in enumerate(p.get("leaderboards", []))]
        self.board_map = {b.id: b for b in self.boards}
        self.kudos = p.get("kudos")
        self.rewards = p.get("rewards", [])
        self.reward_map = {r["id"]: r for r in self.rewards}
        self.campaigns = p.get("campaigns", [])
        self.window_kinds = sorted({t["window"] for t in self.tiers if "window" in t})

    # ---- helpers -----------------------------------------------------
    def pk(self, kind, ts):
        return self.per.key(kind, ts)

    def member(self, mid, ts, create):
        m = self.members.get(mid)
        if m is None and create is not None:
            m = Member(mid, ts)
            create.append(m)
        return m

    def segment_of(self, m):
        if m.pinned:
            return m.pin
        best, bv = None, 0
        for s in self.segments:
            v = sum(w * m.counts.get(a, 0) for a, w in s["weights"].items())
            if v > bv:
                best, bv = s["id"], v
        return best

    def ranking(self, b):
        rows = []
        for who, (score, t) in b.scores.items():
            if score <= 0:
                continue
            if b.by == "member":
                m = self.members[who]
                if m.optout:
                    continue
                if b.segment is not None and self.segment_of(m) != b.segment:
                    continue
            rows.append((-score, t, who.encode("utf-8"), who, score))
        rows.sort()
        return [(r[3], r[4]) for r in rows]

    # ---- awarding ----------------------------------------------------
    def award(self, m, delta, ts, rec=None):
        """Award delta at ts under the floor; returns the amount applied."""
        d = delta
        if m.points + d < 0:
            d = -m.points
        d = sat(m.points + d) - m.points
        m.points += d
        if d:
            m.pts_ts = ts
        m.balance = max(0, sat(m.balance + d))
        for k in self.window_kinds:
            tr = m.window.setdefault(k, Tracker()).at(self.pk(k, ts))
            tr.points = sat(tr.points + d)
            if rec is not None:
                rec["windows"].append((k, tr, tr.key))
        self.board_add(m, d, ts, ts, m.team, rec=rec)
        return d

    def board_add(self, m, d, ts, event_ts, team, only_current_of=None, rec=None):
        """Add d stamped ts to every board whose current period holds event_ts."""
        for b in self.boards:
            if b.frozen:
                continue
            if b.by == "member":
                who = m.id
            else:
                if team is None:
                    continue
                who = team
            if b.period == "all" and not b.dated and b.by == "member":
                e = b.scores.setdefault(who, [0, ts])
                if e[0] != m.points:
                    e[0], e[1] = m.points, ts
                continue
            if d == 0:
                continue
            if not b.in_range(event_ts):
                continue
            if b.key is None or self.pk(b.period, event_ts) != b.key:
                continue
            if only_current_of is not None and b.uid not in only_current_of:
                continue
            if rec is not None:
                rec["boards"].add(b.uid)
            e = b.scores.setdefault(who, [0, ts])
            e[0] = sat(e[0] + d)
            e[1] = ts

    # ---- evaluation --------------------------------------------------
    def tier_holds(self, m, i, ts):
        t = self.tiers[i]
        ok = True
        if "window" in t:
            tr = m.window.get(t["window"])
            key = self.pk(t["window"], ts)
            net = tr.points if tr is not None and tr.key == key else 0
            ok = net >= t.get("min_points", 0)
        else:
            ok = m.points >= t.get("min_points", 0)
        distinct = sum(1 for a, c in m.counts.items() if c > 0)
        ok = ok and distinct >= t.get("min_distinct_actions", 0)
        ok = ok and (ts - m.joined) // 86400 >= t.get("min_tenure_days", 0)
        if "window" in t:
            key = self.pk(t["window"], ts)
            if ok:
                m.qual[t["id"]] = key
            q = m.qual.get(t["id"])
            return q is not None and (q == key or q == key - 1)
        return ok

    def eval_tier(self, m, ts):
        best = None
        for i in range(len(self.tiers)):
            if self.tier_holds(m, i, ts):
                best = i
                if self.tiers[i].get("lifetime"):
                    m.lifetime.add(self.tiers[i]["id"])
        floor = None
        for i, t in enumerate(self.tiers):
            if t.get("lifetime") and t["id"] in m.lifetime:
                floor = i
        if floor is not None and (best is None or floor > best):
            best = floor
        return best

    def crit_value(self, m, c, ts, b):
        """The measured value of a criterion (ignoring the threshold)."""
        if "action" in c:
            a = c["action"]
            if "streak" in c:
                s = m.streak.get((a, c["per"]))
                if s is None or s[0] != self.pk(c["per"], ts):
                    return 0
                return s[1]
            if "within" in c:
                tr = m.within.get((a, c["within"]))
                k = self.pk(c["within"], ts)
                return tr.count if tr is not None and tr.key == k else 0
            if b is not None and ("from" in b or "until" in b):
                return m.dated.get((b["id"], a), 0)
            return m.counts.get(a, 0)
        if "distinct_actions" in c:
            return sum(1 for x, n in m.counts.items() if n > 0)
        if "points" in c:
            return m.points
        if "tenure_days" in c:
            return (ts - m.joined) // 86400
        if "kudos_received" in c:
            return m.kudos_received
        if "kudos_given" in c:
            return m.kudos_given
        raise AssertionError(c)

    def crit_threshold(self, c):
        for k in ("count", "streak", "distinct_actions", "points", "tenure_days",
                  "kudos_received", "kudos_given"):
            if k in c:
                return thresholds(c[k])
        raise AssertionError(c)

    def crit_holds(self, m, c, ts, b):
        if "tier" in c:
            return m.tier is not None and m.tier >= self.tier_index[c["tier"]]
        return self.crit_value(m, c, ts, b) >= self.crit_threshold(c)[0]

    def badge_in_range(self, b, ts):
        return b.get("from", -1) <= ts < b.get("until", TS_MAX + 1)

    def repeat_kind(self, b):
        w = b["when"]
        if "all" in w:
            for c in w["all"]:
                if "within" in c:
                    return c["within"]
            return None
        return w.get("within")

    def eval_badge(self, m, b, ts):
        """Returns True when something was unlocked."""
        if b.get("manual"):
            return False
        w = b["when"]
        if "leaderboard" in w:
            return False
        if not self.badge_in_range(b, ts):
            return False
        bonus = b.get("bonus", 0)
        if b.get("repeatable"):
            if "all" in w:
                ok = all(self.crit_holds(m, c, ts, b) for c in w["all"])
            else:
                ok = self.crit_holds(m, w, ts, b)
            if not ok:
                return False
            k = self.pk(self.repeat_kind(b), ts)
            if m.rep_period.get(b["id"]) == k:
                return False
            m.rep_period[b["id"]] = k
            m.badges[b["id"]] = m.badges.get(b["id"], 0) + 1
            if bonus:
                self.award(m, bonus, ts)
            return True
        if "all" in w:
            if b["id"] in m.badges:
                return False
            if all(self.crit_holds(m, c, ts, b) for c in w["all"]):
                m.badges[b["id"]] = 1
                if bonus:
                    self.award(m, bonus, ts)
                return True
            return False
        if "tier" in w:
            if b["id"] in m.badges:
                return False
            if self.crit_holds(m, w, ts, b):
                m.badges[b["id"]] = 1
                if bonus:
                    self.award(m, bonus, ts)
                return True
            return False
        th = self.crit_threshold(w)
        v = self.crit_value(m, w, ts, b)
        lvl = sum(1 for x in th if v >= x)
        have = m.badges.get(b["id"], 0)
        if lvl > have:
            m.badges[b["id"]] = lvl
            for _ in range(lvl - have):
                if bonus:
                    self.award(m, bonus, ts)
            return True
        return False

    def evaluate(self, m, ts):
        while True:
            changed = False
            t = self.eval_tier(m, ts)
            if t != m.tier:
                m.tier = t
                changed = True
            for b in self.badges:
                if self.eval_badge(m, b, ts):
                    changed = True
                    # the tier may change after a bonus: next pass
            if not changed:
                return

    # ---- the clock ---------------------------------------------------
    def move_clock(self, ts):
        if self.clock is not None and ts <= self.clock:
            if self.clock is not None and ts == self.clock:
                pass
            return
        closed = []
        for b in self.boards:
            if b.frozen:
                continue
            if b.dated and ts >= b.until:
                # the season ends: its current period closes, standings stay
                rank = self.ranking(b)
                if b.key is not None:
                    closed.append((b, rank, b.key))
                b.frozen = True
                b.frozen_rank = rank
                continue
            nk = self.pk(b.period, ts)
            if b.key is not None and nk != b.key:
                closed.append((b, self.ranking(b), b.key))
                if not (b.period == "all" and not b.dated and b.by == "member"):
                    b.scores = {}
            b.key = nk
        self.clock = ts
        earned = []
        for b, rank, ckey in closed:
            for bd in self.badges:
                w = bd.get("when") or {}
                if w.get("leaderboard") != b.id:
                    continue
                if ("from" in bd or "until" in bd) and not self.period_meets(b, bd, ckey):
                    continue
                for who, score in rank[:w["top"]]:
                    m = self.members[who]
                    m.badges[bd["id"]] = m.badges.get(bd["id"], 0) + 1
                    self.closes += 1
                    m.last = max(m.last, ts)
                    if bd.get("bonus", 0):
                        self.award(m, bd["bonus"], ts)
                    if m not in earned:
                        earned.append(m)
        for m in earned:
            self.evaluate(m, ts)

    def period_meets(self, b, bd, key):
        """Does the closing period `key` of board b hold an instant of bd's range?"""
        lo = bd.get("from", 0)
        hi = bd.get("until", TS_MAX + 1)
        start, end = self.per.span(b.period, key)
        if b.dated:
            start, end = max(start, b.frm), min(end, b.until)
        return start < hi and lo < end

    # ---- events ------------------------------------------------------
    def line(self, raw, lineno):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if raw.strip(b" \t\r") == b"":
            return
        try:
            ev = parse_line(raw)
        except Reject as e:
            self.reject(lineno, "malformed line: %s" % e)
            return
        self.event(ev, lineno)

    def feed(self, raw, lineno):
        """One input line, through the reorder window (section 6)."""
        if not self.window_s:
            self.line(raw, lineno)
            return
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if raw.strip(b" \t\r") == b"":
            return
        try:
            ev = parse_line(raw)
        except Reject as e:
            self.reject(lineno, "malformed line: %s" % e)
            return
        ts = ev.get("ts")
        if not is_int(ts) or not 0 <= ts <= TS_MAX:
            self.reject(lineno, "no valid ts")
            return
        self.held.append((ts, self.arrivals, ev, lineno))
        self.arrivals += 1
        self.high = ts if self.high is None else max(self.high, ts)
        self.release(self.high - self.window_s)

    def release(self, upto):
        self.held.sort(key=lambda h: (h[0], h[1]))
        while self.held and (upto is None or self.held[0][0] <= upto):
            ts, _, ev, lineno = self.held.pop(0)
            self.event(ev, lineno)

    def finish(self):
        self.release(None)

    def reject(self, lineno, why):
        self.stats["rejected"] += 1
        self.errors.append("line %d: %s" % (lineno, why))

    def event(self, ev, lineno):
        ck = canonical(ev)
        eid = ev.get("id")
        if isinstance(eid, str) and eid in self.ids:
            if self.ids[eid] == ck:
                self.stats["duplicates"] += 1
            else:
                self.reject(lineno, "conflict")
            return
        try:
            self.apply(ev)
        except Reject as e:
            self.reject(lineno, str(e))
            return
        if isinstance(eid, str):
            self.ids[eid] = ck
        self.stats["accepted"] += 1
        t = ev.get("type", "action")
        self.accepted_types[t] = self.accepted_types.get(t, 0) + 1

    def check_event(self, ev):
        ts = ev.get("ts")
        if not is_int(ts) or not 0 <= ts <= TS_MAX:
            raise Reject("bad ts")
        typ = ev.get("type", "action")
        if not isinstance(typ, str):
            raise Reject("bad type")
        keys = dict(EVENT_KEYS_V1)
        if self.v2:
            keys.update({
                "revoke": (set(), {"event", "ref", "reason"}),
                "team": ({"member", "team"}, set()),
                "program": ({"program"}, set()),
            })
        if typ not in keys:
            raise Reject("unknown type")
        req, opt = keys[typ]
        opt = set(opt) | {"ts", "type", "id"}
        if self.v2 and typ in REF_TYPES:
            opt.add("ref")
        for k in ev:
            if k not in req and k not in opt:
                raise Reject("unknown key %s" % k)
        for k in req:
            if k not in ev:
                raise Reject("missing key %s" % k)
        if "id" in ev and not ok_text(ev["id"], 128):
            raise Reject("bad id")
        if "ref" in ev and not ok_text(ev["ref"], 128):
            raise Reject("bad ref")
        if "reason" in ev and not ok_text(ev["reason"], 256, 0):
            raise Reject("bad reason")
        for k in ("member", "from", "to"):
            if k in ev and not ok_text(ev[k], 128):
                raise Reject("bad member id")
        return ts, typ

    def apply(self, ev):
        ts, typ = self.check_event(ev)
        getattr(self, "ev_" + typ)(ev, ts)

    def named(self, ids, ts):
        """Validate the time of the members an event names."""
        for mid in ids:
            m = self.members.get(mid)
            if m is not None and ts < m.last:
                raise Reject('time went backwards for member "%s"' % mid)

    def touch(self, mids, ts):
        out = []
        for mid in mids:
            m = self.members.get(mid)
            if m is None:
                m = self.members[mid] = Member(mid, ts)
            m.last = max(m.last, ts)
            out.append(m)
        return out

    def new_record(self, ev, typ, ts, members):
        if not self.v2 or ("id" not in ev and "ref" not in ev):
            return None
        r = {"type": typ, "id": ev.get("id"), "ref": ev.get("ref"), "ts": ts,
             "members": members, "revoked": False, "boards": set(), "windows": [],
             "within": [], "dated": {}}
        self.revocable.append(r)
        return r

    def campaign_points(self, aid, pts, ts):
        if pts <= 0:
            return pts
        best = None
        for c in self.campaigns:
            if c["from"] <= ts < c["until"] and ("actions" not in c or aid in c["actions"]):
                if best is None or c["percent"] > best:
                    best = c["percent"]
        if best is None:
            return pts
        return pts * best // 100

    def capped(self, tr, cap, pts):
        if "count" in cap and tr.count >= cap["count"]:
            return 0
        if "points" in cap:
            pts = max(0, min(pts, cap["points"] - tr.points))
        return pts

    def ev_action(self, ev, ts):
        aid, mid = ev["action"], ev["member"]
        if not isinstance(aid, str) or aid not in self.actions:
            raise Reject('unknown action "%s"' % aid)
        self.named([mid], ts)
        self.move_clock(ts)
        m, = self.touch([mid], ts)
        a = self.actions[aid]
        prior = m.counts.get(aid, 0)
        m.counts[aid] = prior + 1
        within_trs, dated_gens = [], {}
        for kind in {c["within"] for b in self.badges for c in crits(b)
                     if c.get("action") == aid and "within" in c}:
            tr = m.within.setdefault((aid, kind), Tracker()).at(self.pk(kind, ts))
            tr.count += 1
            within_trs.append(tr)
        for b in self.badges:
            if ("from" in b or "until" in b) and self.badge_in_range(b, ts) and \
                    any(c.get("action") == aid and "within" not in c and "streak" not in c for c in crits(b)):
                m.dated[(b["id"], aid)] = m.dated.get((b["id"], aid), 0) + 1
                dated_gens[(b["id"], aid)] = self.dated_gen.get((b["id"], aid), 0)
        for kind in {c["per"] for b in self.badges for c in crits(b) if c.get("action") == aid and "streak" in c}:
            k = self.pk(kind, ts)
            s = m.streak.setdefault((aid, kind), [None, 0])
            if s[0] == k:
                pass
            elif s[0] is not None and s[0] == k - 1:
                s[0], s[1] = k, s[1] + 1
            else:
                s[0], s[1] = k, 1
        pts = self.campaign_points(aid, a["points"], ts)
        earned = pts
        cap_tr = None
        if pts > 0:
            if a.get("once") and prior > 0:
                earned = 0
            elif "cooldown_s" in a and aid in m.last_earn and ts - m.last_earn[aid] < a["cooldown_s"]:
                earned = 0
            elif "cap" in a:
                cap_tr = m.caps.setdefault(aid, Tracker()).at(self.pk(a["cap"]["per"], ts))
                earned = self.capped(cap_tr, a["cap"], pts)
            if earned > 0:
                m.last_earn[aid] = ts
                if cap_tr is not None:
                    cap_tr.count += 1
                    cap_tr.points += earned
        rec = self.new_record(ev, "action", ts, [mid])
        d = self.award(m, earned, ts, rec)
        if rec is not None:
            rec.update(action=aid, p=d, earned=earned, team=m.team, cap_tr=cap_tr,
                       cap_key=cap_tr.key if cap_tr is not None else None)
            rec["within"], rec["dated"] = within_trs, dated_gens
            rec["count_gen"] = self.count_gen.get(aid, 0)
        self.evaluate(m, ts)

    def ev_join(self, ev, ts):
        mid = ev["member"]
        if mid in self.members:
            raise Reject("member exists")
        self.move_clock(ts)
        m, = self.touch([mid], ts)
        self.evaluate(m, ts)

    def ev_kudos(self, ev, ts):
        g, r = ev["from"], ev["to"]
        if self.kudos is None:
            raise Reject("no kudos")
        if g == r:
            raise Reject("self kudos")
        self.named([g, r], ts)
        gc = self.kudos.get("give_cap")
        gm = self.members.get(g)
        if gc is not None and gm is not None:
            tr = gm.gcap
            if tr.key == self.pk(gc["per"], ts) and tr.count >= gc["count"]:
                raise Reject("give cap")
        self.move_clock(ts)
        gm, rm = self.touch([g, r], ts)
        if gc is not None:
            gm.gcap.at(self.pk(gc["per"], ts)).count += 1
        gm.kudos_given += 1
        rm.kudos_received += 1
        pts = self.kudos.get("points", 0)
        earned = pts
        cap = self.kudos.get("cap")
        if pts > 0 and cap is not None:
            tr = rm.kcap.at(self.pk(cap["per"], ts))
            earned = self.capped(tr, cap, pts)
            if earned > 0:
                tr.count += 1
                tr.points += earned
        rec = self.new_record(ev, "kudos", ts, [g, r])
        d = self.award(rm, earned, ts, rec)
        if rec is not None:
            rec.update(p=d, earned=earned, team=rm.team, giver=g, receiver=r,
                       gcap_tr=gm.gcap, kcap_tr=rm.kcap,
                       gcap_key=gm.gcap.key if gc is not None else None,
                       kcap_key=rm.kcap.key if (cap is not None and earned > 0) else None)
        self.evaluate(gm, ts)
        self.evaluate(rm, ts)

    def ev_redeem(self, ev, ts):
        mid, rid = ev["member"], ev["reward"]
        if not isinstance(rid, str) or rid not in self.reward_map:
            raise Reject("unknown reward")
        self.named([mid], ts)
        r = self.reward_map[rid]
        m = self.members.get(mid)
        bal = m.balance if m is not None else 0
        if bal < r["cost"]:
            raise Reject("balance")
        if rid in self.stock and self.stock[rid] <= 0:
            raise Reject("out of stock")
        self.move_clock(ts)
        m, = self.touch([mid], ts)
        m.balance -= r["cost"]
        had_stock = rid in self.stock
        if had_stock:
            self.stock[rid] -= 1
        rec = self.new_record(ev, "redeem", ts, [mid])
        if rec is not None:
            rec.update(p=0, cost=r["cost"], reward=rid, stocked=had_stock, team=m.team,
                       gen=self.stock_gen.get(rid))
        self.evaluate(m, ts)

    def ev_award(self, ev, ts):
        mid, bid = ev["member"], ev["badge"]
        b = self.badge_map.get(bid) if isinstance(bid, str) else None
        if b is None:
            raise Reject("unknown badge")
        if not b.get("manual"):
            raise Reject("not manual")
        if not self.badge_in_range(b, ts):
            raise Reject("outside dates")
        self.named([mid], ts)
        self.move_clock(ts)
        m, = self.touch([mid], ts)
        m.badges[bid] = m.badges.get(bid, 0) + 1
        rec = self.new_record(ev, "award", ts, [mid])
        d = self.award(m, b.get("bonus", 0), ts, rec) if b.get("bonus", 0) else 0
        if rec is not None:
            rec.update(p=d, badge=bid, team=m.team)
        self.evaluate(m, ts)

    def ev_adjust(self, ev, ts):
        mid, pts = ev["member"], ev["points"]
        if not is_int(pts) or abs(pts) > 10 ** 9:
            raise Reject("bad points")
        self.named([mid], ts)
        self.move_clock(ts)
        m, = self.touch([mid], ts)
        rec = self.new_record(ev, "adjust", ts, [mid])
        d = self.award(m, pts, ts, rec)
        if rec is not None:
            rec.update(p=d, team=m.team)
        self.evaluate(m, ts)

    def ev_segment(self, ev, ts):
        mid, sid = ev["member"], ev["segment"]
        if sid is not None and (not isinstance(sid, str) or sid not in self.segment_ids):
            raise Reject("unknown segment")
        self.named([mid], ts)
        self.move_clock(ts)
        m, = self.touch([mid], ts)
        if sid is None:
            m.pinned, m.pin = False, None
        else:
            m.pinned, m.pin = True, sid
        self.evaluate(m, ts)

    def ev_preferences(self, ev, ts):
        mid, lb = ev["member"], ev["leaderboards"]
        if not isinstance(lb, bool):
            raise Reject("bad leaderboards")
        self.named([mid], ts)
        self.move_clock(ts)
        m, = self.touch([mid], ts)
        m.optout = not lb
        self.evaluate(m, ts)

    def ev_tick(self, ev, ts):
        if self.clock is not None and ts < self.clock:
            raise Reject("tick before clock")
        self.move_clock(ts)
        for mid in sorted(self.members, key=lambda s: s.encode()):
            m = self.members[mid]
            m.last = max(m.last, ts)
        for mid in sorted(self.members, key=lambda s: s.encode()):
            self.evaluate(self.members[mid], ts)

    def ev_team(self, ev, ts):
        mid, team = ev["member"], ev["team"]
        if team is not None and not ok_text(team, 128):
            raise Reject("bad team")
        self.named([mid], ts)
        self.move_clock(ts)
        m, = self.touch([mid], ts)
        m.team = team
        self.evaluate(m, ts)

    def ev_revoke(self, ev, ts):
        has_e, has_r = "event" in ev, "ref" in ev
        if has_e == has_r:
            raise Reject("revoke needs one of event, ref")
        key = ev["event"] if has_e else ev["ref"]
        if not ok_text(key, 128):
            raise Reject("bad key")
        recs = [r for r in self.revocable if not r["revoked"] and
                (r["id"] == key if has_e else r["ref"] == key)]
        if not recs:
            raise Reject("matches nothing")
        names = []
        for r in recs:
            for mid in r["members"]:
                if mid not in names:
                    names.append(mid)
        self.named(names, ts)
        self.move_clock(ts)
        self.touch(names, ts)
        for r in recs:
            r["revoked"] = True
            self.undo(r, ts)
        for mid in names:
            self.evaluate(self.members[mid], ts)

    def ev_program(self, ev, ts):
        doc = ev["program"]
        if not isinstance(doc, dict) or doc.get("format") not in ("plaudit.program/1", "plaudit.program/2"):
            raise Reject("program: bad document")
        if self.clock is not None and ts < self.clock:
            raise Reject("program before the clock")
        old = self.p
        for k, dflt in (("timezone", None), ("utc_offset_minutes", 0), ("reorder_window_s", 0)):
            if old.get(k, dflt) != doc.get(k, dflt):
                raise Reject("program: %s changed" % k)
        self.move_clock(ts)
        T = ts
        o = {
            "actions": self.actions, "badges": self.badge_map, "boards": self.boards,
            "rewards": self.reward_map, "kudos": self.kudos, "tiers": self.tiers,
            "window_kinds": set(self.window_kinds),
            "within": self.used_within(), "streak": self.used_streak(), "dated": self.used_dated(),
        }
        self.load(doc)
        for aid in o["actions"]:
            if aid not in self.actions:
                self.count_gen[aid] = self.count_gen.get(aid, 0) + 1
        n_within, n_streak, n_dated = self.used_within(), self.used_streak(), self.used_dated()
        nk, ok_ = self.kudos or {}, o["kudos"] or {}
        new_kcap = not ("cap" in nk and "cap" in ok_ and ok_["cap"]["per"] == nk["cap"]["per"])
        new_gcap = not ("give_cap" in nk and "give_cap" in ok_ and ok_["give_cap"]["per"] == nk["give_cap"]["per"])
        tier_window = {t["id"]: t.get("window") for t in o["tiers"]}
        for m in self.members.values():
            tid = o["tiers"][m.tier]["id"] if m.tier is not None else None
            m.tier = self.tier_index.get(tid)
            m.qual = {k: v for k, v in m.qual.items()
                      if k in self.tier_index and "window" in self.tiers[self.tier_index[k]]
                      and self.tiers[self.tier_index[k]]["window"] == tier_window.get(k)}
            m.window = {k: v for k, v in m.window.items() if k in self.window_kinds}
            m.counts = {a: c for a, c in m.counts.items() if a in self.actions}
            # the last earning time is the cooldown's tracker: a cooldown
            # new to an action starts without one, as a new cap does
            m.last_earn = {a: t for a, t in m.last_earn.items() if a in self.actions
                           and "cooldown_s" in (o["actions"].get(a) or {})}
            m.within = {k: v for k, v in m.within.items() if k in n_within}
            m.streak = {k: v for k, v in m.streak.items() if k in n_streak}
            caps = {}
            for aid, tr in m.caps.items():
                a, oa = self.actions.get(aid), o["actions"].get(aid)
                if a is not None and "cap" in a and oa is not None and "cap" in oa \
                        and a["cap"]["per"] == oa["cap"]["per"]:
                    caps[aid] = tr
            m.caps = caps
            if new_kcap:
                m.kcap = Tracker()
            if new_gcap:
                m.gcap = Tracker()
            m.lifetime = {t for t in m.lifetime if t in self.tier_index
                          and self.tiers[self.tier_index[t]].get("lifetime")}
            m.dated = {k: v for k, v in m.dated.items() if k in n_dated and k in o["dated"]
                       and self.same_dates(o["badges"].get(k[0]), self.badge_map.get(k[0]))}
            if m.pinned and m.pin not in self.segment_ids:
                m.pinned, m.pin = False, None
        for key in set(n_dated) | set(o["dated"]):
            if not (key in o["dated"] and key in n_dated and
                    self.same_dates(o["badges"].get(key[0]), self.badge_map.get(key[0]))):
                self.dated_gen[key] = self.dated_gen.get(key, 0) + 1
        # boards
        old_boards = {b.id: b for b in o["boards"]}
        for b in self.boards:
            ob = old_boards.get(b.id)
            same = ob is not None and all(ob.d.get(k, dflt) == b.d.get(k, dflt) for k, dflt in (
                ("period", "all"), ("segment", None), ("by", "member"), ("from", None), ("until", None)))
            if same:
                b.key, b.scores, b.frozen, b.frozen_rank, b.uid = ob.key, ob.scores, ob.frozen, ob.frozen_rank, ob.uid
                continue
            b.key = self.pk(b.period, T)
            self.board_uids += 1
            b.uid = self.board_uids
            if b.period == "all" and b.by == "member" and not b.dated:
                b.scores = {mid: [m.points, m.pts_ts]
                            for mid, m in self.members.items()}
            if b.dated and T >= b.until:
                b.frozen = True
                b.frozen_rank = self.ranking(b)
        # rewards
        stock, gen = {}, {}
        for r in self.rewards:
            rid = r["id"]
            orw = o["rewards"].get(rid)
            if "stock" not in r:
                continue
            if orw is not None and "stock" in orw and rid in self.stock:
                stock[rid] = max(0, self.stock[rid] + r["stock"] - orw["stock"])
                gen[rid] = self.stock_gen[rid]
            else:
                stock[rid] = r["stock"]
                self.gens += 1
                gen[rid] = self.gens
        self.stock, self.stock_gen = stock, gen

    def same_dates(self, a, b):
        return a is not None and b is not None and a.get("from") == b.get("from") and a.get("until") == b.get("until")

    def used_within(self):
        return {(c["action"], c["within"]) for b in self.badges for c in crits(b)
                if "action" in c and "within" in c}

    def used_streak(self):
        return {(c["action"], c["per"]) for b in self.badges for c in crits(b)
                if "action" in c and "streak" in c}

    def used_dated(self):
        return {(b["id"], c["action"]) for b in self.badges if "from" in b or "until" in b
                for c in crits(b) if "action" in c and "within" not in c and "streak" not in c}

    def undo(self, r, ts):
        typ = r["type"]
        who = r["receiver"] if typ == "kudos" else r["members"][0]
        m = self.members[who]
        p = r["p"]
        if p:
            d = -p
            if m.points + d < 0:
                d = -m.points
            m.points += d
            if d:
                m.pts_ts = ts
            m.balance = max(0, m.balance + d)
            for k, tr, key in r["windows"]:
                if m.window.get(k) is tr and tr.key == key == self.pk(k, ts):
                    tr.points += d
            self.board_add(m, d, ts, r["ts"], r["team"], only_current_of=r["boards"])
        if typ == "action":
            aid = r["action"]
            if aid in m.counts and r["count_gen"] == self.count_gen.get(aid, 0):
                m.counts[aid] -= 1
            for (a, kind), tr in m.within.items():
                if a == aid and tr.key == self.pk(kind, r["ts"]) and tr.key == self.pk(kind, ts) \
                        and any(t is tr for t in r["within"]):
                    tr.count -= 1
            for b in self.badges:
                if ("from" in b or "until" in b) and self.badge_in_range(b, r["ts"]):
                    if any(c.get("action") == aid and "within" not in c and "streak" not in c for c in crits(b)):
                        if (b["id"], aid) in m.dated and \
                                r["dated"].get((b["id"], aid)) == self.dated_gen.get((b["id"], aid), 0):
                            m.dated[(b["id"], aid)] -= 1
            a = self.actions.get(aid)
            if r["earned"] > 0 and r["cap_key"] is not None and a is not None and "cap" in a:
                tr = m.caps.get(aid)
                if tr is not None and tr.key == r["cap_key"] and tr.key == self.pk(a["cap"]["per"], ts) \
                        and tr is r["cap_tr"]:
                    tr.count -= 1
                    tr.points -= r["earned"]
        elif typ == "kudos":
            g = self.members[r["giver"]]
            g.kudos_given -= 1
            m.kudos_received -= 1
            gc = self.kudos.get("give_cap") if self.kudos else None
            if gc is not None and g.gcap.key == r["gcap_key"] and g.gcap.key == self.pk(gc["per"], ts) \
                    and g.gcap is r["gcap_tr"]:
                g.gcap.count -= 1
            cap = self.kudos.get("cap") if self.kudos else None
            if cap is not None and r["kcap_key"] is not None and m.kcap.key == r["kcap_key"] \
                    and m.kcap.key == self.pk(cap["per"], ts) and m.kcap is r["kcap_tr"]:
                m.kcap.count -= 1
                m.kcap.points -= r["earned"]
        elif typ == "award":
            bid = r["badge"]
            if bid in m.badges:
                m.badges[bid] -= 1
                if m.badges[bid] <= 0:
                    del m.badges[bid]
        elif typ == "redeem":
            m.balance += r["cost"]
            if r["stocked"] and r["reward"] in self.stock and self.stock_gen.get(r["reward"]) == r["gen"]:
                self.stock[r["reward"]] += 1

    # ---- output ------------------------------------------------------
    def state(self):
        out = {"format": "plaudit.state/2" if self.v2 else "plaudit.state/1",
               "clock": self.clock, "members": {}}
        for mid in sorted(self.members, key=lambda s: s.encode()):
            m = self.members[mid]
            e = {"joined": m.joined, "points": m.points, "balance": m.balance,
                 "tier": self.tiers[m.tier]["id"] if m.tier is not None else None,
                 "segment": self.segment_of(m),
                 "badges": {k: v for k, v in sorted(m.badges.items())}}
            if self.v2 and m.team is not None:
                e["team"] = m.team
            out["members"][mid] = e
        out["leaderboards"] = {b.id: [[w, s] for w, s in (b.frozen_rank if b.frozen else self.ranking(b))[:b.size]]
                               for b in self.boards}
        out["rewards"] = {rid: {"stock": n} for rid, n in self.stock.items()}
        out["stats"] = dict(self.stats)
        return out


def crits(b):
    w = b.get("when")
    if not w:
        return []
    return w["all"] if "all" in w else [w]


def canonical(ev):
    e = dict(ev)
    e.setdefault("type", "action")
    return json.dumps(e, sort_keys=True)


def _no_dups(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise Reject("repeated key %s" % k)
        d[k] = v
    return d


def _no_const(c):
    raise Reject("bad constant %s" % c)


def _check_strings(v):
    if isinstance(v, str):
        v.encode("utf-8")
    elif isinstance(v, dict):
        for k, x in v.items():
            k.encode("utf-8")
            _check_strings(x)
    elif isinstance(v, list):
        for x in v:
            _check_strings(x)


def parse_line(raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("invalid UTF-8")
    try:
        ev = json.loads(text, object_pairs_hook=_no_dups, parse_constant=_no_const)
        _check_strings(ev)
    except Reject:
        raise
    except (ValueError, UnicodeEncodeError, RecursionError) as e:
        raise Reject(str(e))
    if not isinstance(ev, dict):
        raise Reject("not an object")
    return ev


def replay(program, data):
    """program: dict, data: bytes of the event stream -> (state, errors)"""
    m = Model(program)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for i, raw in enumerate(lines, 1):
        m.feed(raw, i)
    m.finish()
    replay.last = m
    return m.state(), m.errors


def main():
    with open(sys.argv[1]) as f:
        program = json.load(f)
    with open(sys.argv[2], "rb") as f:
        data = f.read()
    state, errors = replay(program, data)
    for e in errors:
        print(e, file=sys.stderr)
    json.dump(state, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
