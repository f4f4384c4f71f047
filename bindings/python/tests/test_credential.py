"""Open Badges 3.0 credentials through the bindings (plaudit.credential)."""

from __future__ import annotations

import hashlib
import json
import pathlib

import pytest

import plaudit
import plaudit.credential as C

ROOT = pathlib.Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
SCHEMA = ROOT.parent / "shared" / "openbadges" / "achievementcredential.schema.json"
MEMBER = 'zoë "the" admin/1'
ISSUER = dict(issuer_id="https://community.example/issuer", issuer_name="Acme Advocates",
              base_url="https://community.example/badges")


@pytest.fixture
def eng():
    e = plaudit.Engine.from_file(DATA / "credential-program.json")
    with open(DATA / "credential-events.jsonl", encoding="utf-8") as f:
        e.replay(f)
    yield e
    e.close()


def validate(doc):
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.exists():
        pytest.skip("no Open Badges schema next to the tree")
    jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(doc)


def test_dict_and_json(eng):
    doc = eng.credential(MEMBER, "helper", **ISSUER)
    validate(doc)
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["credentialSubject"]["achievement"]["name"] == "Helper (level 3 of 3)"
    assert doc["credentialSubject"]["id"] == "https://community.example/badges/members/zo%C3%AB%20%22the%22%20admin%2F1"
    text = C.credential(eng, MEMBER, "helper", 2, as_json=True, **ISSUER)
    assert isinstance(text, str) and text.endswith("}\n")
    assert "level 2 of 3" in json.loads(text)["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert text == C.credential(eng, MEMBER, "helper", 2, as_json=True, **ISSUER)


def test_subjects(eng):
    doc = eng.credential(MEMBER, "weekly-answerer", 2, subject="did:example:{member}", **ISSUER)
    assert doc["credentialSubject"]["id"].startswith("did:example:zo%C3%AB")
    doc = eng.credential(MEMBER, "helper", subject=lambda m: "did:web:x:" + str(len(m)), **ISSUER)
    assert doc["credentialSubject"]["id"] == "did:web:x:" + str(len(MEMBER))
    doc = eng.credential(MEMBER, "helper", email=lambda m: ("zoe@example.com", "pepper"), **ISSUER)
    validate(doc)
    (ident,) = doc["credentialSubject"]["identifier"]
    assert ident["identityHash"] == "sha256$" + hashlib.sha256(b"zoe@example.compepper").hexdigest()
    assert ident["salt"] == "pepper"
    doc = eng.credential(MEMBER, "helper", email=lambda m: "zoe@example.com", **ISSUER)
    assert "salt" not in doc["credentialSubject"]["identifier"][0]


def test_errors(eng):
    with pytest.raises(plaudit.NotFoundError, match='unknown member "nobody"'):
        eng.credential("nobody", "helper", **ISSUER)
    with pytest.raises(plaudit.NotFoundError, match='has not earned badge "helper"'):
        eng.credential("bob", "helper", **ISSUER)
    with pytest.raises(plaudit.RangeError):
        eng.credential(MEMBER, "helper", 4, **ISSUER)
    with pytest.raises(plaudit.InvalidArgumentError, match="issuer_name is required"):
        eng.credential(MEMBER, "helper", issuer_id="https://x", issuer_name=None, base_url="https://x")

    def boom(m):
        raise KeyError(m)
    with pytest.raises(plaudit.PlauditError) as info:
        eng.credential(MEMBER, "helper", subject=boom, **ISSUER)
    assert isinstance(info.value.__cause__, KeyError)
