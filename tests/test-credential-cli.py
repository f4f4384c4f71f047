#!/usr/bin/python3
"""`plaudit credential` (examples/cmd-credential.c): the document it prints
validates against 1EdTech's Open Badges 3.0 schema, options reach it, and
errors give clear messages and exit codes.

Usage: test-credential-cli.py TOOL PROGRAM EVENTS SCHEMA [SUBCOMMAND]
(SUBCOMMAND: "credential" when TOOL is the plaudit tool itself)."""
import json
import subprocess
import sys

import jsonschema

tool, program, events, schema_path = sys.argv[1:5]
cmd = [tool] + sys.argv[5:6]
with open(schema_path, encoding="utf-8") as f:
    validator = jsonschema.Draft201909Validator(json.load(f))
MEMBER = 'zoë "the" admin/1'
ISSUER = ["--issuer-id", "https://community.example/issuer", "--issuer-name", "Acme Advocates",
          "--base-url", "https://community.example/badges"]


def run(*args):
    return subprocess.run(cmd + list(args), capture_output=True, text=True)


r = run(program, events, MEMBER, "helper", *ISSUER)
assert r.returncode == 0, r.stderr
doc = json.loads(r.stdout)
errors = list(validator.iter_errors(doc))
assert not errors, errors
assert doc["credentialSubject"]["id"] == "https://community.example/badges/members/zo%C3%AB%20%22the%22%20admin%2F1"
assert doc["credentialSubject"]["achievement"]["name"] == "Helper (level 3 of 3)"

r = run(program, events, MEMBER, "helper", *ISSUER, "--level", "2", "--subject", "did:example:{member}",
        "--issuer-email", "b@community.example", "--issuer-url", "https://community.example/",
        "--issuer-image", "https://community.example/logo.png")
assert r.returncode == 0, r.stderr
doc = json.loads(r.stdout)
assert not list(validator.iter_errors(doc))
assert doc["credentialSubject"]["id"] == "did:example:zo%C3%AB%20%22the%22%20admin%2F1"
assert doc["issuer"]["email"] == "b@community.example"
assert doc["issuer"]["image"] == {"id": "https://community.example/logo.png", "type": "Image"}
assert "level 2 of 3" in doc["credentialSubject"]["achievement"]["criteria"]["narrative"]
# Same input, same bytes.
assert run(program, events, MEMBER, "helper", *ISSUER, "--level", "2", "--subject", "did:example:{member}",
           "--issuer-email", "b@community.example", "--issuer-url", "https://community.example/",
           "--issuer-image", "https://community.example/logo.png").stdout == r.stdout

cases = [
    ((program, events, "nobody", "helper", *ISSUER), 6, 'unknown member "nobody"'),
    ((program, events, MEMBER, "nope", *ISSUER), 6, 'unknown badge "nope"'),
    ((program, events, "bob", "helper", *ISSUER), 6, 'has not earned badge "helper"'),
    ((program, events, MEMBER, "helper", *ISSUER, "--level", "4"), 6, "not 4"),
    ((program, events, MEMBER, "helper", *ISSUER[2:]), 2, "--issuer-id is required"),
    ((program, events, MEMBER, "helper", *ISSUER[:2], *ISSUER[4:]), 2, "--issuer-name is required"),
    ((program, events, MEMBER, "helper", *ISSUER[:4]), 2, "--base-url is required"),
    ((program, events, MEMBER, *ISSUER), 2, "expected PROGRAM EVENTS MEMBER BADGE"),
    ((program, "/nonexistent/events.jsonl", MEMBER, "helper", *ISSUER), 3, "No such file"),
]
for args, code, text in cases:
    r = run(*args)
    assert r.returncode == code, (args, r.returncode, r.stderr)
    assert text in r.stderr, (args, r.stderr)
    assert r.stdout == "", (args, r.stdout)
print("ok")
