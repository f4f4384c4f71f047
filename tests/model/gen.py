#!/usr/bin/python3
"""gen.py - random small programs and event streams within the spec's rules,
with the collisions that find bugs: few members, repeated ids, equal
timestamps, period boundaries, negative points, time going backwards.

    gen.py SEED [FEATURES] -> writes program.json and events.jsonl to cwd

FEATURES is a comma-separated subset of FEATURES below (default: V1).
"""
import json
import random
import sys

V1 = ["actions", "tiers", "badges", "segments", "boards", "kudos", "rewards",
      "ids", "malformed", "tick", "offset"]
V2 = ["revoke", "teams", "campaigns", "dated", "challenges", "seasons", "window", "progev"]
FEATURES = V1 + V2

PERIODS = ["day", "week", "month", "quarter", "year", "all"]
# Instants near period boundaries (UTC): Sunday 28 Dec 2025 22:00, the end of
# a month and a quarter, a Monday, the end of a year.
BASES = [1766959200, 1767218400, 1769896800, 1774994400, 1767571200 - 7200,
         1798754400, 1767225600]
STEPS = [0, 0, 1, 1, 30, 600, 3600, 3600, 7200, 43200, 86400, 86400, 3 * 86400,
         7 * 86400, 20 * 86400]
OFFSETS = [0, 0, 60, 120, -300, 330, 840, -720, 345]


class Gen:
    def __init__(self, seed, features):
        self.r = random.Random(seed)
        self.f = set(features)
        self.v2 = bool(self.f & set(V2))

    def has(self, name):
        return name in self.f

    def thr(self, lo, hi, levels=True):
        r = self.r
        if levels and r.random() < 0.3:
            n = r.randint(2, 3)
            vals = sorted(r.sample(range(lo, hi + 1), n))
            return vals
        return r.randint(lo, hi)

    def program(self):
        r = self.r
        p = {"format": "plaudit.program/2" if self.v2 else "plaudit.program/1",
             "name": "gen"}
        if self.has("window") and r.random() < 0.7:
            p["reorder_window_s"] = r.choice([1, 60, 120, 3600, 86400])
        if self.has("offset") and r.random() < 0.5:
            p["utc_offset_minutes"] = r.choice(OFFSETS)
            # keep the first events near a local period boundary
            self.base -= p["utc_offset_minutes"] * 60
        acts = []
        for i in range(r.randint(1, 4)):
            a = {"id": "a%d" % i, "points": r.choice([10, 10, 5, 1, 25, 100, -5, -30, 0, 7])}
            if self.has("actions"):
                x = r.random()
                if x < 0.15:
                    a["once"] = True
                elif x < 0.3:
                    a["cooldown_s"] = r.choice([1, 60, 3600, 86400])
                if r.random() < 0.4:
                    cap = {"per": r.choice(PERIODS)}
                    y = r.random()
                    if y < 0.45 or y >= 0.8:
                        cap["points"] = r.choice([0, 5, 15, 25, 50])
                    if y >= 0.45:
                        cap["count"] = r.choice([0, 1, 2, 3])
                    a["cap"] = cap
            acts.append(a)
        p["actions"] = acts
        self.actions = [a["id"] for a in acts]
        self.tiers = []
        if self.has("tiers") and r.random() < 0.7:
            tiers = []
            mp = r.choice([0, 0, 1, 10])
            for i in range(r.randint(1, 4)):
                t = {"id": "t%d" % i, "min_points": mp}
                mp += r.choice([5, 10, 20, 40, 100])
                x = r.random()
                if x < 0.25:
                    t["window"] = r.choice(["day", "week", "month"])
                elif x < 0.4:
                    t["lifetime"] = True
                if r.random() < 0.2:
                    t["min_distinct_actions"] = r.randint(1, 3)
                if r.random() < 0.15:
                    t["min_tenure_days"] = r.randint(0, 10)
                tiers.append(t)
            p["tiers"] = tiers
            self.tiers = [t["id"] for t in tiers]
        segs = []
        if self.has("segments") and r.random() < 0.5:
            for i in range(r.randint(1, 3)):
                w = {}
                for a in r.sample(self.actions, r.randint(1, len(self.actions))):
                    w[a] = r.randint(1, 4)
                segs.append({"id": "s%d" % i, "weights": w})
            p["segments"] = segs
        self.segments = [s["id"] for s in segs]
        boards = []
        if self.has("boards") and r.random() < 0.8:
            for i in range(r.randint(1, 3)):
                b = {"id": "l%d" % i, "period": r.choice(PERIODS)}
                if r.random() < 0.5:
                    b["size"] = r.randint(1, 4)
                if self.segments and r.random() < 0.3:
                    b["segment"] = r.choice(self.segments)
                elif self.has("teams") and r.random() < 0.4:
                    b["by"] = "team"
                if self.has("seasons") and r.random() < 0.4:
                    b["from"] = self.base + r.choice([-86400, 0, 3600, 86400, 2 * 86400])
                    b["until"] = b["from"] + r.choice([3600, 86400, 3 * 86400, 10 * 86400, 40 * 86400])
                boards.append(b)
            p["leaderboards"] = boards
        self.boards = boards
        member_boards = [b["id"] for b in boards if b.get("by") != "team"]
        badges = []
        if self.has("badges") and r.random() < 0.85:
            for i in range(r.randint(1, 5)):
                b = {"id": "b%d" % i}
                kinds = ["count", "within", "streak", "distinct", "points", "tenure",
                         "kudos_r", "kudos_g", "tier", "leaderboard", "manual"]
                if self.has("challenges"):
                    kinds += ["all", "all"]
                k = r.choice(kinds)
                if k == "tier" and not self.tiers:
                    k = "points"
                if k == "leaderboard" and not member_boards:
                    k = "manual"
                if k == "manual":
                    b["manual"] = True
                elif k == "all":
                    cs = [self.crit(r.choice(["count", "within", "streak", "distinct", "points",
                                               "tenure", "kudos_r", "kudos_g"] + (["tier"] if self.tiers else [])),
                                    False)
                          for _ in range(r.randint(2, 3))]
                    b["when"] = {"all": cs}
                    withins = {c["within"] for c in cs if "within" in c}
                    if len(withins) == 1 and r.random() < 0.5:
                        b["repeatable"] = True
                elif k == "leaderboard":
                    b["when"] = {"leaderboard": r.choice(member_boards), "top": r.randint(1, 3)}
                else:
                    b["when"] = self.crit(k, True)
                    if k == "within" and not isinstance(b["when"]["count"], list) and r.random() < 0.5:
                        b["repeatable"] = True
                if r.random() < 0.5:
                    b["bonus"] = r.choice([1, 5, 10, 50])
                if r.random() < 0.1:
                    b["hidden"] = True
                if self.has("dated") and r.random() < 0.3:
                    x = r.random()
                    if x < 0.4:
                        b["from"] = self.base + r.choice([0, 3600, 86400])
                    elif x < 0.7:
                        b["until"] = self.base + r.choice([3600, 86400, 5 * 86400])
                    else:
                        b["from"] = self.base + r.choice([0, 3600, 86400])
                        b["until"] = b["from"] + r.choice([1, 3600, 86400, 10 * 86400])
                badges.append(b)
            p["badges"] = badges
        self.manual = [b["id"] for b in badges if b.get("manual")]
        self.badges = [b["id"] for b in badges]
        self.kudos = False
        if self.has("kudos") and r.random() < 0.6:
            k = {"points": r.choice([1, 5, 10, 0])}
            if r.random() < 0.4:
                k["give_cap"] = {"count": r.randint(1, 3), "per": r.choice(PERIODS)}
            if r.random() < 0.3:
                cap = {"per": r.choice(PERIODS)}
                if r.random() < 0.5:
                    cap["points"] = r.choice([5, 10, 20])
                else:
                    cap["count"] = r.randint(1, 3)
                k["cap"] = cap
            p["kudos"] = k
            self.kudos = True
        self.rewards = []
        if self.has("rewards") and r.random() < 0.5:
            rw = []
            for i in range(r.randint(1, 2)):
                x = {"id": "r%d" % i, "cost": r.choice([1, 10, 20, 50])}
                if r.random() < 0.6:
                    x["stock"] = r.randint(0, 2)
                rw.append(x)
            p["rewards"] = rw
            self.rewards = [x["id"] for x in rw]
        if self.has("campaigns") and r.random() < 0.6:
            cs = []
            for i in range(r.randint(1, 2)):
                c = {"id": "c%d" % i, "from": self.base + r.choice([0, 60, 3600, 86400]),
                     "percent": r.choice([1, 50, 150, 200, 1000])}
                c["until"] = c["from"] + r.choice([1, 3600, 86400, 5 * 86400])
                if r.random() < 0.5:
                    c["actions"] = r.sample(self.actions, r.randint(1, len(self.actions)))
                cs.append(c)
            p["campaigns"] = cs
        return p

    def next_program(self, first):
        """A program for a `program` event: same clock settings, ids reused."""
        base = self.base
        p = self.program()
        self.base = base
        for k in ("utc_offset_minutes", "reorder_window_s"):
            p.pop(k, None)
            if k in first:
                p[k] = first[k]
        if self.r.random() < 0.05:
            p["utc_offset_minutes"] = first.get("utc_offset_minutes", 0) + 60
        return p

    def crit(self, k, levels):
        r = self.r
        a = r.choice(self.actions)
        if k == "count":
            return {"action": a, "count": self.thr(1, 5, levels)}
        if k == "within":
            return {"action": a, "count": self.thr(1, 4, levels), "within": r.choice(PERIODS)}
        if k == "streak":
            return {"action": a, "streak": self.thr(1, 4, levels), "per": r.choice(["day", "week", "month"])}
        if k == "distinct":
            return {"distinct_actions": self.thr(1, max(1, len(self.actions)), levels and len(self.actions) > 2)}
        if k == "points":
            return {"points": self.thr(1, 120, levels)}
        if k == "tenure":
            return {"tenure_days": self.thr(0, 8, levels)}
        if k == "kudos_r":
            return {"kudos_received": self.thr(1, 4, levels)}
        if k == "kudos_g":
            return {"kudos_given": self.thr(1, 4, levels)}
        if k == "tier":
            return {"tier": r.choice(self.tiers)}
        raise AssertionError(k)

    def events(self, n):
        r = self.r
        members = r.sample(["ann", "bob", "cy", "dee", "\u00e9l", "Zo"], r.randint(2, 4))
        teams = ["red", "blue", "T\u00e9"]
        ts = self.base
        lines = []
        sent = []
        types = ["action"] * 8 + ["adjust"]
        if self.has("kudos") or r.random() < 0.1:
            types += ["kudos"] * 2
        if self.rewards:
            types += ["redeem"] * 2
        if self.manual:
            types += ["award"] * 2
        if self.has("tick"):
            types += ["tick"]
        types += ["join", "preferences"]
        if self.segments:
            types += ["segment"]
        if self.has("teams"):
            types += ["team"] * 2
        if self.has("revoke"):
            types += ["revoke"] * 3
        ids = ["e%d" % i for i in range(6)]
        refs = ["p1", "p2", "p3"]
        burst = r.random() < 0.3
        for _ in range(n):
            x = r.random()
            if self.has("progev") and r.random() < 0.05:
                step = r.choice([0, 1, 3600, 86400, -60])
                ts = max(0, ts + step)
                doc = self.next_program(self.first)
                types = [t for t in types if t not in ("redeem", "award", "segment")]
                types += ["redeem"] * 2 if self.rewards else []
                types += ["award"] * 2 if self.manual else []
                types += ["segment"] if self.segments else []
                ev = {"ts": ts, "type": "program", "program": doc}
                if self.has("ids") and r.random() < 0.2:
                    ev["id"] = "k%d" % len(lines)
                lines.append(json.dumps(ev))
                sent.append(lines[-1])
                continue
            if x > 0.985:
                lines.append(json.dumps(r.choice([
                    {"ts": 1 << 37, "member": r.choice(members), "action": self.actions[0]},
                    {"ts": (1 << 37) + 1, "member": r.choice(members), "action": self.actions[0]},
                    {"ts": 0, "member": "early", "action": self.actions[0]},
                    {"ts": ts, "type": "award", "member": r.choice(members),
                     "badge": r.choice(self.badges or ["nope"])},
                    {"ts": ts, "type": "redeem", "member": "nobody",
                     "reward": r.choice(self.rewards or ["nope"])},
                    {"ts": ts, "type": "tick", "member": r.choice(members)},
                    {"ts": ts, "type": "adjust", "member": r.choice(members), "points": 10 ** 9 + 1},
                    {"ts": ts, "type": "adjust", "member": r.choice(members), "points": -10 ** 9},
                    {"ts": ts, "type": "preferences", "member": r.choice(members), "leaderboards": 1},
                    {"ts": ts, "member": "x" * 129, "action": self.actions[0]},
                    {"ts": ts, "member": "a\u0085b", "action": self.actions[0]},
                ])))
                continue
            if self.has("malformed") and x < 0.03:
                lines.append(r.choice([
                    '{"ts": 1, "member": ', '[1, 2]', '"x"', '', '   ',
                    '{"ts": %d, "ts": %d, "member": "ann", "action": "a0"}' % (ts, ts),
                    '{"ts": %d.0, "member": "ann", "action": "a0"}' % ts,
                    '{"ts": %d, "member": "ann", "action": "a0", "extra": 1}' % ts,
                    '{"ts": %d, "member": "ann"}' % ts,
                    '{"ts": %d, "member": "ann", "action": "nope"}' % ts,
                    '{"ts": %d, "type": "bogus"}' % ts,
                    '{"ts": NaN, "member": "ann", "action": "a0"}',
                    '{"ts": %d, "member": "\\ud800", "action": "a0"}' % ts,
                    '{"ts": %d, "member": "", "action": "a0"}' % ts,
                    '{"ts": -1, "member": "ann", "action": "a0"}',
                    '{"ts": %d, "member": "ann", "action": "a0", "id": ""}' % ts,
                ]))
                continue
            if sent and self.has("ids") and x < 0.08:
                lines.append(r.choice(sent))      # an exact resend
                continue
            step = r.choice([0, 0, 0, 1, 1, 60] if burst and r.random() < 0.8 else STEPS)
            if r.random() < 0.07:
                step = -r.choice([1, 60, 3600, 86400])
            ts = max(0, ts + step)
            t = r.choice(types)
            ev = {"ts": ts}
            m = r.choice(members)
            if t == "action":
                ev.update(member=m, action=r.choice(self.actions))
            elif t == "adjust":
                ev.update(type="adjust", member=m, points=r.choice([-100, -20, -5, 5, 20, 1000]))
                if r.random() < 0.3:
                    ev["reason"] = "why"
            elif t == "kudos":
                o = r.choice(members) if r.random() < 0.1 else r.choice([x for x in members if x != m])
                ev.update(type="kudos", **{"from": m, "to": o})
            elif t == "redeem":
                ev.update(type="redeem", member=m, reward=r.choice(self.rewards))
            elif t == "award":
                ev.update(type="award", member=m, badge=r.choice(self.manual))
            elif t == "tick":
                ev = {"ts": ts, "type": "tick"}
            elif t == "join":
                ev.update(type="join", member=r.choice(members + ["new%d" % r.randint(0, 3)]))
            elif t == "preferences":
                ev.update(type="preferences", member=m, leaderboards=r.random() < 0.4)
            elif t == "segment":
                ev.update(type="segment", member=m,
                          segment=r.choice(self.segments + [None]))
            elif t == "team":
                ev.update(type="team", member=m, team=r.choice(teams + [None] + (["", "x" * 129] if r.random() < 0.05 else [])))
            elif t == "revoke":
                ev = {"ts": ts, "type": "revoke"}
                y = r.random()
                if y < 0.5:
                    ev["event"] = r.choice(ids)
                elif y < 0.95:
                    ev["ref"] = r.choice(refs)
                elif y < 0.97:
                    ev["event"], ev["ref"] = r.choice(ids), r.choice(refs)
                elif y < 0.99:
                    ev["event"] = ""
                if r.random() < 0.2:
                    ev["reason"] = "undo"
            if self.has("ids") and r.random() < 0.35:
                if r.random() < 0.25:
                    ev["id"] = r.choice(ids)
                else:
                    ev["id"] = "k%d" % len(lines)
                    ids.append(ev["id"])
            if self.has("revoke") and t in ("action", "kudos", "award", "adjust", "redeem") \
                    and r.random() < 0.4:
                ev["ref"] = r.choice(refs)
            if "type" in ev and ev["type"] == "action" or ("type" not in ev and r.random() < 0.05):
                ev["type"] = "action"
            keys = list(ev)
            r.shuffle(keys)
            line = json.dumps({k: ev[k] for k in keys}, ensure_ascii=r.random() < 0.5)
            lines.append(line)
            sent.append(line)
        return lines

    def case(self):
        self.base = self.r.choice(BASES) + self.r.choice([0, -1, 1, -3600])
        p = self.program()
        self.first = p
        ev = self.events(self.r.randint(5, 60))
        return p, ev


def case(seed, features=None):
    return Gen(seed, features or V1).case()


if __name__ == "__main__":
    feats = sys.argv[2].split(",") if len(sys.argv) > 2 else V1
    p, ev = case(int(sys.argv[1]), feats)
    with open("program.json", "w") as f:
        json.dump(p, f, indent=1)
    with open("events.jsonl", "w") as f:
        f.write("\n".join(ev) + "\n")
