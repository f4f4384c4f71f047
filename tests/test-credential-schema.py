#!/usr/bin/python3
"""Validate every credential that credential-gen writes against 1EdTech's
Open Badges 3.0 JSON Schema (achievementcredential.schema.json, draft
2019-09), offline, with Debian's python3-jsonschema; then check what the
schema cannot: the mapping, the dates, the hashes, determinism.

Usage: test-credential-schema.py CREDENTIAL-GEN PROGRAM EVENTS SCHEMA
"""
import datetime
import hashlib
import json
import re
import subprocess
import sys

import jsonschema

gen, program, events, schema_path = sys.argv[1:5]

with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
# Every $ref in the schema is local ("#/$defs/..."); the meta-schema is
# bundled with jsonschema, so nothing is fetched.
jsonschema.Draft201909Validator.check_schema(schema)
validator = jsonschema.Draft201909Validator(schema)

out = subprocess.run([gen, program, events], check=True, capture_output=True).stdout
again = subprocess.run([gen, program, events], check=True, capture_output=True).stdout
assert out == again, "credential export is not deterministic"
text = out.decode("utf-8")

dec = json.JSONDecoder()
pos, pairs = 0, []
while True:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos == len(text):
        break
    meta, pos = dec.raw_decode(text, pos)
    assert text[pos] == "\n"
    pos += 1
    start = pos
    doc, pos = dec.raw_decode(text, pos)
    assert text[pos] == "\n", "document must end with a newline"
    pairs.append((meta, doc, text[start:pos]))

RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
with open(program, encoding="utf-8") as f:
    prog = json.load(f)
badges = {b["id"]: b for b in prog["badges"]}
kinds = set()
failures = 0
ids = set()
for meta, doc, raw in pairs:
    where = f'{meta["member"]!r} {meta["badge"]} k={meta["k"]}'
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        failures += 1
        print(f"FAIL {where}: {'/'.join(map(str, e.path))}: {e.message}")
    # What the schema leaves open.
    assert doc["@context"][1].endswith("context-3.0.3.json"), where
    assert "OpenBadgeCredential" in doc["type"], where
    assert RFC3339_Z.match(doc["validFrom"]), where
    datetime.datetime.strptime(doc["validFrom"], "%Y-%m-%dT%H:%M:%SZ")
    k = meta["k"] or meta["kmax"]
    assert doc["id"].startswith("https://community.example/badges/credentials/" + meta["badge"] + "/"), where
    assert doc["id"].endswith("/%d" % k), where
    mh = hashlib.sha256(meta["member"].encode()).hexdigest()[:32]
    assert "/" + mh + "/" in doc["id"], where
    if meta["k"]:
        ids.add(doc["id"])
    ach = doc["credentialSubject"]["achievement"]
    spec = badges[meta["badge"]]
    assert ach["name"].startswith(spec.get("name", spec["id"])), where
    assert ach["criteria"]["narrative"], where
    if "criteria" in spec:
        assert ach["criteria"]["narrative"].startswith(spec["criteria"]), where
    if "description" in spec:
        assert ach["description"] == spec["description"], where
    if "image" in spec:
        assert ach["image"] == {"id": spec["image"], "type": "Image"}, where
    when = spec.get("when", {})
    thr = next((v for v in when.values() if isinstance(v, list)), None)
    if thr and not spec.get("repeatable"):
        assert ach["id"].endswith("/levels/%d" % k), where
        assert "(level %d of %d)" % (k, len(thr)) in ach["name"], where
        assert "level %d of %d" % (k, len(thr)) in ach["criteria"]["narrative"], where
    kinds.add(next(iter(when), "manual"))
    subj = doc["credentialSubject"]
    if meta["mode"] == "template":
        from urllib.parse import quote
        assert subj["id"] == "https://community.example/members/" + quote(meta["member"], safe=""), where
    elif meta["mode"] == "callback":
        assert subj["id"].startswith("did:example:"), where
    else:
        assert "id" not in subj, where
        (ident,) = subj["identifier"]
        want = hashlib.sha256((meta["email"] + (meta.get("salt") or "")).encode()).hexdigest()
        assert ident["identityHash"] == "sha256$" + want, where
        assert ident.get("salt") == meta.get("salt"), where
        assert ident["hashed"] is True and ident["identityType"] == "emailAddress", where

want_kinds = {"action", "distinct_actions", "tenure_days", "kudos_received", "kudos_given", "tier", "points",
              "leaderboard", "manual"}
assert want_kinds <= kinds, f"criterion kinds not covered: {want_kinds - kinds}"
distinct_k = sum(1 for m, _, _ in pairs if m["k"])
assert len(ids) == distinct_k, "credential ids must be unique per member, badge and level/time"
print(f"{len(pairs)} credentials, {failures} schema failures, kinds: {sorted(kinds)}")
sys.exit(1 if failures else 0)
