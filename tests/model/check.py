#!/usr/bin/python3
"""check.py - differential check of `plaudit replay` against the model.

    check.py PLAUDIT [--seed S] [--cases N] [--features F1,F2] [--out DIR]
             [--no-shrink] [--quiet]

Generates N cases (gen.py) from seed S, replays each with the tool and the
model, and compares the state documents as JSON values and the set of
rejected line numbers.  A mismatch is shrunk (events, then rules dropped
while it still mismatches) and written to DIR/<seed>/.  Exit status 1 when
any case mismatched.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
import plaudit_model  # noqa: E402


def run_tool(tool, program, lines, tmp):
    pp = os.path.join(tmp, "program.json")
    ep = os.path.join(tmp, "events.jsonl")
    with open(pp, "w") as f:
        json.dump(program, f)
    with open(ep, "w") as f:
        f.write("\n".join(lines) + "\n")
    p = subprocess.run([tool, "replay", pp, ep], capture_output=True, timeout=60)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace")
    rej = set()
    for ln in p.stderr.decode("utf-8", "replace").splitlines():
        if ln.startswith("line "):
            rej.add(int(ln.split()[1].rstrip(":")))
    return (json.loads(p.stdout), rej), p.stderr.decode("utf-8", "replace")


def run_model(program, lines):
    state, errors = plaudit_model.replay(program, ("\n".join(lines) + "\n").encode("utf-8"))
    rej = {int(e.split()[1].rstrip(":")) for e in errors}
    return state, rej, errors


def tags(program):
    """What a case exercises, for the coverage figures."""
    t = set()
    m = plaudit_model.replay.last
    for a in program.get("actions", []):
        t.add("action.negative" if a["points"] < 0 else "action")
        for k in ("once", "cooldown_s"):
            if k in a:
                t.add("action." + k)
        for k in a.get("cap", {}):
            if k != "per":
                t.add("action.cap." + k)
    for x in program.get("tiers", []):
        t.add("tier.window" if "window" in x else "tier.lifetime" if x.get("lifetime") else "tier")
    for b in program.get("badges", []):
        w = b.get("when", {})
        if b.get("manual"):
            t.add("badge.manual")
        for k in ("within", "streak", "leaderboard", "tier", "distinct_actions", "points",
                  "tenure_days", "kudos_received", "kudos_given", "all"):
            if k in w:
                t.add("badge." + k)
        if any(isinstance(v, list) for k, v in w.items() if k != "all"):
            t.add("badge.levels")
        if b.get("repeatable"):
            t.add("badge.repeatable")
        if "from" in b or "until" in b:
            t.add("badge.dated")
    if program.get("segments"):
        t.add("segments")
    for b in program.get("leaderboards", []):
        t.add("board." + b.get("period", "all"))
        if "segment" in b:
            t.add("board.segment")
        if b.get("by") == "team":
            t.add("board.team")
        if "from" in b:
            t.add("board.season")
    k = program.get("kudos")
    if k is not None:
        t.add("kudos")
        t.update("kudos." + x for x in k if x != "points")
    for r in program.get("rewards", []):
        t.add("reward.stock" if "stock" in r else "reward")
    if program.get("campaigns"):
        t.add("campaigns")
    if program.get("utc_offset_minutes"):
        t.add("utc_offset")
    for ty, n in m.accepted_types.items():
        t.add("event." + ty)
    if m.closes:
        t.add("close.badge_given")
    if m.stats["duplicates"]:
        t.add("event.duplicate")
    if any("conflict" in e for e in m.errors):
        t.add("event.conflict")
    if any("backwards" in e for e in m.errors):
        t.add("event.time_backwards")
    if any("malformed" in e for e in m.errors):
        t.add("event.malformed")
    return t


def differs(tool, program, lines, tmp):
    """None when they agree (or the tool refused the program), else a description."""
    got, err = run_tool(tool, program, lines, tmp)
    if got is None:
        return None
    state, rej, errors = run_model(program, lines)
    if got[0] != state:
        return "state"
    if got[1] != rej:
        return "rejected lines: tool %s, model %s" % (sorted(got[1]), sorted(rej))
    return None


def shrink(tool, program, lines, tmp):
    # events: drop chunks, then single lines
    n = max(1, len(lines) // 2)
    while n >= 1:
        i = 0
        while i < len(lines):
            cand = lines[:i] + lines[i + n:]
            if cand and differs(tool, program, cand, tmp):
                lines = cand
            else:
                i += n
        n //= 2
    # rules: drop list entries and optional keys one at a time
    changed = True
    while changed:
        changed = False
        for path in rule_paths(program):
            cand = drop(program, path)
            if cand is not None and differs(tool, cand, lines, tmp):
                program = cand
                changed = True
                break
    return program, lines


def rule_paths(p):
    out = []
    for k, v in p.items():
        if k in ("format",):
            continue
        if isinstance(v, list):
            for i in range(len(v)):
                out.append((k, i))
                if isinstance(v[i], dict):
                    for kk in v[i]:
                        if kk not in ("id", "points", "when", "period", "cost", "weights"):
                            out.append((k, i, kk))
        else:
            out.append((k,))
    return out


def drop(p, path):
    q = json.loads(json.dumps(p))
    try:
        if len(path) == 1:
            del q[path[0]]
        elif len(path) == 2:
            del q[path[0]][path[1]]
        else:
            del q[path[0]][path[1]][path[2]]
    except (KeyError, IndexError):
        return None
    return q


def write_case(out, name, program, lines, tool, tmp, why):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "program.json"), "w") as f:
        json.dump(program, f, indent=1)
    with open(os.path.join(d, "events.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    got, err = run_tool(tool, program, lines, tmp)
    state, rej, errors = run_model(program, lines)
    with open(os.path.join(d, "tool.json"), "w") as f:
        json.dump(got[0] if got else None, f, indent=1)
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump(state, f, indent=1)
    with open(os.path.join(d, "why.txt"), "w") as f:
        f.write(why + "\n--- tool stderr\n" + err + "--- model stderr\n" + "\n".join(errors) + "\n")
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--features", default=",".join(gen.V1))
    ap.add_argument("--out", default=None)
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--max-fail", type=int, default=5)
    ap.add_argument("--coverage", action="store_true", help="print how many cases exercised each construct")
    a = ap.parse_args()
    feats = [f for f in a.features.split(",") if f]
    unknown = set(feats) - set(gen.FEATURES)
    if unknown:
        sys.exit("unknown features: %s" % ", ".join(sorted(unknown)))
    fails = 0
    refused = 0
    cover = {}
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.cases):
            seed = a.seed * 1000003 + i
            program, lines = gen.case(seed, feats)
            got, err = run_tool(a.tool, program, lines, tmp)
            if got is None:
                # the generator writes programs within the rules: a refusal
                # is a finding too
                refused += 1
                fails += 1
                print("seed %d: the tool refused the program: %s" % (seed, err.strip()))
                if a.out:
                    d = os.path.join(a.out, "refused-%d" % seed)
                    os.makedirs(d, exist_ok=True)
                    with open(os.path.join(d, "program.json"), "w") as f:
                        json.dump(program, f, indent=1)
                if fails >= a.max_fail:
                    break
                continue
            why = differs(a.tool, program, lines, tmp)
            for x in tags(program):
                cover[x] = cover.get(x, 0) + 1
            if why is None:
                continue
            fails += 1
            if not a.no_shrink:
                program, lines = shrink(a.tool, program, lines, tmp)
            why = differs(a.tool, program, lines, tmp) or why
            msg = "seed %d: %s (%d events)" % (seed, why, len(lines))
            if a.out:
                msg += " -> " + write_case(a.out, str(seed), program, lines, a.tool, tmp, why)
            print(msg)
            if fails >= a.max_fail:
                break
    if not a.quiet or fails:
        print("%d cases, %d mismatches, %d refused, features %s, %.1f s" % (
            i + 1, fails, refused, ",".join(feats), time.time() - t0))
    if a.coverage:
        for k in sorted(cover):
            print("  %-26s %d" % (k, cover[k]))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
