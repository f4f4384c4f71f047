#!/usr/bin/python3
"""`plaudit serve` driven over HTTP as a platform would: every endpoint,
auth, bad input, concurrent clients, SIGTERM, SIGHUP and a kill -9 in the
middle of a load.  Standard library only (Debian's python3).

    test-serve.py PLAUDIT SOURCE_ROOT
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse

PLAUDIT = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
PROGRAM = os.path.join(ROOT, "tests", "data", "serve-program.json")
PROGRAM2 = os.path.join(ROOT, "tests", "data", "serve-program-v2.json")
T0 = 1767225600  # 2026-01-01 UTC
WRITE = "w-0123456789abcdef-write"
READ = "r-0123456789abcdef-read"


class Server:
    """A `plaudit serve` process on a free loopback port (--listen :0)."""

    def __init__(self, store, *extra, tokens=False, program=PROGRAM):
        self.store = store
        self.tmp = tempfile.mkdtemp(prefix="plaudit-serve-")
        args = [PLAUDIT, "serve", program, "--store", store, "--listen", "127.0.0.1:0"]
        if tokens:
            for name, value in (("--token-file", WRITE), ("--read-token-file", READ)):
                path = os.path.join(self.tmp, name[2:])
                with open(path, "w") as f:
                    f.write(value + "\n")
                args += [name, path]
        # stderr to a file: never a pipe nobody reads (a sanitizer report
        # must not block the server), shown when the server fails.
        self.errf = open(os.path.join(self.tmp, "stderr"), "w+")
        self.proc = subprocess.Popen(args + list(extra), stdout=subprocess.PIPE, stderr=self.errf, text=True)
        line = self.proc.stdout.readline()
        if "listening on http://" not in line:
            self.proc.wait(timeout=60)
            self.errf.seek(0)
            raise RuntimeError("server did not start: %r %r" % (line, self.errf.read()))
        self.start_line = line
        hostport = line.split("http://", 1)[1].split()[0]
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)

    def conn(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method, path, body=None, headers=None, token=None, conn=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, str):
            body = body.encode()
        c = conn or self.conn()
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
        finally:
            if conn is None:
                c.close()

    def json(self, method, path, body=None, **kw):
        st, h, data = self.request(method, path, body, **kw)
        return st, json.loads(data) if data else None

    def post_event(self, ev, **kw):
        return self.json("POST", "/v1/events", json.dumps(ev), headers={"Content-Type": "application/json"}, **kw)

    def post_batch(self, evs, **kw):
        body = "\n".join(e if isinstance(e, str) else json.dumps(e) for e in evs) + "\n"
        return self.json("POST", "/v1/events", body, headers={"Content-Type": "application/x-ndjson"}, **kw)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60)
        self.rest = self.proc.stdout.read()
        self.proc.stdout.close()
        self.errf.seek(0)
        err = self.errf.read()
        if rc != 0 or err:
            sys.stderr.write("server stderr:\n" + err)
        self.errf.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return rc

    def kill(self):
        self.proc.kill()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.errf.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def q(s):
    return urllib.parse.quote(s, safe="")


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="plaudit-store-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            if s.proc.poll() is None:
                s.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, *extra, store=None, **kw):
        s = Server(store or os.path.join(self.dir, "store"), *extra, **kw)
        self.servers.append(s)
        return s


class Events(Base):
    def test_single_duplicate_conflict_malformed(self):
        s = self.start()
        st, out = s.post_event({"ts": T0, "member": "alice", "action": "forum.answer", "id": "a1"})
        self.assertEqual(st, 200)
        self.assertEqual(out["status"], "accepted")
        self.assertEqual(out["code"], 0)
        self.assertEqual(out["points"], 10)
        self.assertEqual(out["moments"][0]["kind"], "points")
        st, out = s.post_event({"ts": T0 + 1, "member": "alice", "action": "forum.answer", "id": "a2"})
        self.assertEqual(out["points"], 15)  # helper level 1 pays a bonus of 5
        self.assertIn("badge", [m["kind"] for m in out["moments"]])
        # The same key, the same content, in another request: a duplicate.
        st, out = s.post_event({"action": "forum.answer", "member": "alice", "id": "a1", "ts": T0})
        self.assertEqual((st, out["status"]), (200, "duplicate"))
        # The same key, other content: a conflict that changes nothing.
        st, out = s.post_event({"ts": T0 + 5, "member": "alice", "action": "ping", "id": "a1"})
        self.assertEqual((st, out["status"], out["code"]), (409, "rejected", -9))
        self.assertIn("a1", out["message"])
        # Malformed JSON: the library's code and message.
        st, out = s.json("POST", "/v1/events", '{"ts": 1, "member": ', headers={"Content-Type": "application/json"})
        self.assertEqual((st, out["code"], out["error"]), (400, -20, "parse error"))
        # Unknown action, time going backwards: rejected with the reason.
        st, out = s.post_event({"ts": T0 + 9, "member": "alice", "action": "forum.anser"})
        self.assertEqual((st, out["status"]), (422, "rejected"))
        self.assertIn("forum.anser", out["message"])
        st, out = s.post_event({"ts": T0 - 100, "member": "alice", "action": "ping"})
        self.assertEqual((st, out["code"]), (422, -8))
        # One event pretty-printed over several lines is still one event.
        st, out = s.json("POST", "/v1/events", '{\n "ts": %d,\n "member": "bob",\n "action": "ping"\n}\n' % (T0 + 10),
                         headers={"Content-Type": "application/json"})
        self.assertEqual((st, out["status"]), (200, "accepted"))
        st, state = s.json("GET", "/v1/state")
        self.assertEqual(state["members"]["alice"]["points"], 25)
        self.assertEqual(state["stats"]["accepted"], 3)
        self.assertEqual(state["stats"]["duplicates"], 1)
        self.assertEqual(s.stop(), 0)

    def test_batch(self):
        s = self.start()
        st, out = s.post_batch([
            {"ts": T0, "member": "carol", "action": "ping", "id": "b1"},
            "",
            {"ts": T0 + 1, "type": "kudos", "from": "dave", "to": "carol"},
            '{"ts": 5, "bad json',
            {"ts": T0 + 2, "member": "carol", "action": "ping", "id": "b1"},
            {"ts": T0 + 3, "type": "redeem", "member": "carol", "reward": "mug"},
        ])
        self.assertEqual(st, 200)
        self.assertEqual([r["line"] for r in out["results"]], [1, 3, 4, 5, 6])
        self.assertEqual([r["status"] for r in out["results"]],
                         ["accepted", "accepted", "rejected", "rejected", "rejected"])
        self.assertEqual(out["results"][2]["code"], -20)
        self.assertEqual(out["results"][3]["code"], -9)   # b1 with other content
        self.assertEqual(out["results"][4]["code"], -11)  # balance 4 < cost 20
        self.assertEqual((out["accepted"], out["duplicates"], out["rejected"]), (2, 0, 3))
        # A batch of 1000 in one request.
        evs = [{"ts": T0 + 10 + i, "member": "m%d" % (i % 37), "action": "ping", "id": "k%d" % i} for i in range(1000)]
        st, out = s.post_batch(evs)
        self.assertEqual((st, out["accepted"]), (200, 1000))
        st, out = s.post_batch(evs[:10])
        self.assertEqual((out["accepted"], out["duplicates"]), (0, 10))
        st, state = s.json("GET", "/v1/state")
        self.assertEqual(sum(state["members"]["m%d" % i]["points"] for i in range(37)), 1000)
        self.assertEqual(s.stop(), 0)

    def test_idempotency_across_restart(self):
        s = self.start()
        st, out = s.post_event({"ts": T0, "member": "erin", "action": "ping", "id": "x1"})
        self.assertEqual(out["status"], "accepted")
        self.assertEqual(s.stop(), 0)
        s = self.start()
        self.assertIn("1 members", s.start_line)
        st, out = s.post_event({"ts": T0, "member": "erin", "action": "ping", "id": "x1"})
        self.assertEqual((st, out["status"]), (200, "duplicate"))
        st, m = s.json("GET", "/v1/members/erin")
        self.assertEqual(m["points"], 1)
        self.assertEqual(s.stop(), 0)


class Queries(Base):
    @classmethod
    def setUpClass(cls):
        cls.d = tempfile.mkdtemp(prefix="plaudit-store-")
        cls.s = Server(os.path.join(cls.d, "store"))
        evs = []
        for i, who in enumerate(["alice", "bob", "carol", "dave", "zoë \"the\" admin/1", "<b>x</b>"]):
            for k in range(i + 1):
                evs.append({"ts": T0 + 100 * i + k, "member": who, "action": "forum.answer"})
        st, out = cls.s.post_batch(evs)
        assert st == 200 and out["accepted"] == len(evs), out

    @classmethod
    def tearDownClass(cls):
        assert cls.s.stop() == 0
        shutil.rmtree(cls.d, ignore_errors=True)

    def setUp(self):
        pass

    def tearDown(self):
        pass

    def test_member(self):
        st, m = self.s.json("GET", "/v1/members/carol")
        self.assertEqual(st, 200)
        self.assertEqual(m["id"], "carol")
        self.assertEqual(m["points"], 35)  # 3 answers and helper level 1
        self.assertEqual(m["tier"], "member")
        self.assertEqual(m["badges"][0]["badge"], "helper")
        self.assertEqual(m["progress"]["next_tier"], "regular")
        self.assertEqual(m["progress"]["next_points"], 65)
        self.assertEqual(m["ranks"]["all-time"]["rank"], 4)
        self.assertEqual(m["ranks"]["all-time"]["ranked"], 6)
        self.assertEqual(m["ranks"]["monthly"]["score"], 35)

    def test_member_ids_are_decoded_per_segment(self):
        st, m = self.s.json("GET", "/v1/members/" + q("zoë \"the\" admin/1"))
        self.assertEqual((st, m["id"]), (200, "zoë \"the\" admin/1"))
        st, h, data = self.s.request("GET", "/v1/members/" + q("<b>x</b>"))
        self.assertEqual(st, 200)
        self.assertNotIn(b"<b>", data)  # JSON escapes <, > and & as well
        self.assertEqual(json.loads(data)["id"], "<b>x</b>")
        self.assertEqual(h["content-type"], "application/json")
        self.assertEqual(h["x-content-type-options"], "nosniff")

    def test_member_errors(self):
        st, e = self.s.json("GET", "/v1/members/nobody")
        self.assertEqual((st, e["code"]), (404, -3))
        for bad, code in (("%FF", -6), ("a%C0%80", -6), ("%ED%A0%80", -6), ("a%00b", -1), ("%G1", -1), ("%4", -1)):
            st, e = self.s.json("GET", "/v1/members/" + bad)
            self.assertEqual((st, e["code"]), (400, code), bad)
        st, e = self.s.json("GET", "/v1/members/%01ctl")
        self.assertEqual((st, e["code"]), (404, -3))  # no member can have such an id

    def test_members_list(self):
        st, out = self.s.json("GET", "/v1/members?start=1&max=2")
        self.assertEqual(out["count"], 6)
        self.assertEqual(out["members"], ["bob", "carol"])
        self.assertEqual(out["next"], 3)

    def test_leaderboards(self):
        st, out = self.s.json("GET", "/v1/leaderboards")
        self.assertEqual([b["id"] for b in out["leaderboards"]], ["all-time", "monthly"])
        self.assertEqual(out["leaderboards"][1]["period"], "month")
        st, out = self.s.json("GET", "/v1/leaderboards/all-time?limit=3")
        self.assertEqual(st, 200)
        self.assertEqual([e["rank"] for e in out["entries"]], [1, 2, 3])
        self.assertEqual(out["entries"][0]["member"], "<b>x</b>")
        self.assertEqual(out["count"], 6)
        st, out = self.s.json("GET", "/v1/leaderboards/all-time?around=carol&k=1")
        self.assertEqual([e["member"] for e in out["entries"]], ["dave", "carol", "bob"])
        st, out = self.s.json("GET", "/v1/leaderboards/all-time?around=" + q("zoë \"the\" admin/1") + "&k=0")
        self.assertEqual([e["rank"] for e in out["entries"]], [2])
        st, e = self.s.json("GET", "/v1/leaderboards/nope")
        self.assertEqual((st, e["code"]), (404, -3))
        for arg in ("limit=-1", "limit=abc", "limit=100000", "k=", "limit=1%FF"):
            st, e = self.s.json("GET", "/v1/leaderboards/all-time?" + arg)
            self.assertEqual(st, 400, arg)
        st, e = self.s.json("GET", "/v1/leaderboards/all-time?around=nobody")
        self.assertEqual((st, e["code"]), (404, -3))

    def test_state_and_program(self):
        st, state = self.s.json("GET", "/v1/state")
        self.assertEqual(state["format"], "plaudit.state/1")
        self.assertEqual(len(state["members"]), 6)
        st, prog = self.s.json("GET", "/v1/program")
        self.assertEqual(prog["name"], "Serve test")
        self.assertEqual([a["id"] for a in prog["actions"]], ["ping", "forum.answer"])

    def test_report_and_analytics(self):
        st, h, data = self.s.request("GET", "/v1/report")
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("text/html"))
        self.assertIn(b"<svg", data)
        self.assertNotIn(b"<b>x</b>", data)  # member ids are escaped in the report
        st, a = self.s.json("GET", "/v1/analytics")
        self.assertEqual(a["members"], 6)
        self.assertEqual(a["contributions"], 21)

    def test_metrics_and_health(self):
        st, h, data = self.s.request("GET", "/metrics")
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("text/plain"))
        text = data.decode()
        self.assertIn('plaudit_events_total{status="accepted"} 21', text)
        self.assertIn("plaudit_http_request_duration_seconds_bucket{le=\"+Inf\"}", text)
        self.assertIn("plaudit_store_syncs_total", text)
        self.assertIn("plaudit_members 6", text)
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                float(value)
        st, hz = self.s.json("GET", "/healthz")
        self.assertEqual((st, hz["status"], hz["members"]), (200, "ok", 6))

    def test_dashboard(self):
        st, h, data = self.s.request("GET", "/")
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("text/html"))
        self.assertIn("default-src 'none'", h["content-security-policy"])
        self.assertIn(b"<!DOCTYPE html>", data)
        st, h, data = self.s.request("HEAD", "/")
        self.assertEqual((st, data), (200, b""))

    def test_routes_and_methods(self):
        for path in ("/nope", "/v1", "/v1/members/", "/v1/members/a/b/c", "/v2/state", "/v1/state/x"):
            st, e = self.s.json("GET", path)
            self.assertEqual((st, e["code"]), (404, -3), path)
        st, h, data = self.s.request("DELETE", "/v1/state")
        self.assertEqual(st, 405)
        self.assertEqual(h["allow"], "GET, HEAD")
        st, h, data = self.s.request("PUT", "/v1/program")
        self.assertEqual(st, 405)
        self.assertEqual(h["allow"], "GET, HEAD, POST")
        st, h, data = self.s.request("GET", "/v1/events")
        self.assertEqual((st, h["allow"]), (405, "POST"))

    def test_bad_bodies(self):
        st, e = self.s.json("POST", "/v1/events", "")
        self.assertEqual((st, e["code"]), (400, -20))
        st, e = self.s.json("POST", "/v1/events", b"\xff\xfe{}", headers={"Content-Type": "application/json"})
        self.assertEqual(st, 400)
        self.assertIn(e["code"], (-6, -20))
        st, e = self.s.json("POST", "/v1/events", "[1, 2]", headers={"Content-Type": "application/json"})
        self.assertEqual((st, e["code"]), (400, -20))
        st, e = self.s.json("POST", "/v1/events", '{"ts": 1, "ts": 2, "member": "a", "action": "ping"}')
        self.assertEqual(st, 400)  # a repeated key is malformed
        st, e = self.s.json("POST", "/v1/events", '{"ts": 1.0, "member": "a", "action": "ping"}')
        self.assertEqual(st, 400)


def available(test, st, body):
    """A feature the library lacks answers 501 with PLAUDIT_EUNSUPPORTED."""
    if st == 501:
        test.assertEqual(body["code"], -22)
        test.skipTest("not in this build of libplaudit: " + body["message"])


class Version2(Base):
    def test_revoke(self):
        s = self.start(program=PROGRAM2)
        st, out = s.post_event({"ts": T0, "member": "ann", "action": "forum.answer", "ref": "post:1", "id": "p1"})
        self.assertEqual((st, out["status"]), (200, "accepted"))
        s.post_event({"ts": T0 + 1, "member": "ann", "action": "ping", "id": "p2"})
        # The read path: a revoke needs the write token like any event.
        st, out = s.json("POST", "/v1/revoke", json.dumps({"ts": T0 + 10, "ref": "post:1", "reason": "post deleted"}))
        available(self, st, out)
        self.assertEqual((st, out["status"]), (200, "accepted"))
        self.assertEqual(out["points"], -10)
        st, m = s.json("GET", "/v1/members/ann")
        self.assertEqual(m["points"], 1)
        # By event id; an unknown one is rejected and changes nothing.
        st, out = s.json("POST", "/v1/revoke", json.dumps({"ts": T0 + 11, "event": "p2"}))
        self.assertEqual((st, out["status"]), (200, "accepted"))
        st, out = s.json("POST", "/v1/revoke", json.dumps({"ts": T0 + 12, "event": "nope"}))
        self.assertEqual((st, out["status"]), (422, "rejected"))
        st, out = s.json("POST", "/v1/revoke", json.dumps({"ts": T0 + 12, "type": "action", "event": "p2"}))
        self.assertEqual((st, out["code"]), (400, -20))
        st, out = s.json("POST", "/v1/revoke", "[]")
        self.assertEqual((st, out["code"]), (400, -20))
        st, m = s.json("GET", "/v1/members/ann")
        self.assertEqual(m["points"], 0)
        self.assertEqual(s.stop(), 0)

    def test_history(self):
        """GET /v1/members/{id}/history: newest first, paged with limit and
        before, every cause, the revoke naming what it revoked; it survives
        a restart (snapshot at SIGTERM, then the journal after it)."""
        s = self.start("--history", "4", program=PROGRAM2)
        evs = [
            {"ts": T0, "member": "ann", "action": "forum.answer", "ref": "post:1", "id": "p1"},
            {"ts": T0 + 1, "member": "ann", "action": "ping", "id": "p2"},
            {"ts": T0 + 2, "type": "adjust", "member": "ann", "points": 15, "reason": "<b>welcome</b> & thanks"},
            {"ts": T0 + 3, "type": "redeem", "member": "ann", "reward": "mug", "id": "r1"},
            {"ts": T0 + 4, "type": "award", "member": "ann", "badge": "mvp"},
        ]
        st, out = s.post_batch(evs)
        self.assertEqual(out["rejected"], 0, out)
        st, out = s.json("POST", "/v1/revoke", json.dumps({"ts": T0 + 5, "event": "p1", "reason": "spam"}))
        self.assertEqual((st, out["status"]), (200, "accepted"))
        st, h = s.json("GET", "/v1/members/ann/history?limit=2")
        self.assertEqual(st, 200)
        self.assertEqual((h["member"], h["total"], h["kept"], h["next"]), ("ann", 6, 4, 5))
        rv, mvp = h["entries"]
        self.assertEqual((rv["seq"], rv["cause"], rv["cause_id"], rv["points"], rv["balance"]),
                         (6, "revoke", "p1", -10, -10))
        self.assertEqual((rv["revoked_event"], rv["revoked_ref"], rv["reason"], rv["event_type"]),
                         ("p1", "post:1", "spam", "revoke"))
        self.assertEqual((mvp["cause"], mvp["cause_id"], mvp["points"], mvp["event_type"]), ("bonus", "mvp", 7, "award"))
        st, h2 = s.json("GET", "/v1/members/ann/history?limit=10&before=5")
        self.assertEqual([e["seq"] for e in h2["entries"]], [4, 3])  # 4 kept: 1 and 2 dropped
        self.assertIsNone(h2["next"])
        redeem, adjust = h2["entries"]
        self.assertEqual((redeem["cause"], redeem["cause_id"], redeem["points"], redeem["balance"], redeem["event_id"]),
                         ("redeem", "mug", 0, -20, "r1"))
        self.assertEqual((adjust["cause"], adjust["reason"]), ("adjust", "<b>welcome</b> & thanks"))
        # never HTML: the reason comes back JSON-escaped
        st, hd, data = s.request("GET", "/v1/members/ann/history?limit=10&before=4")
        self.assertNotIn(b"<b>", data)
        self.assertEqual(hd["content-type"], "application/json")
        # default limit, and a member with nothing yet
        s.post_event({"ts": T0 + 6, "type": "join", "member": "bob"})
        st, h3 = s.json("GET", "/v1/members/bob/history")
        self.assertEqual((st, h3["total"], h3["entries"], h3["next"]), (200, 0, [], None))
        # bad input
        for arg in ("limit=0", "limit=-1", "limit=abc", "limit=1001", "before=x", "before=-3", "limit="):
            st, e = s.json("GET", "/v1/members/ann/history?" + arg)
            self.assertEqual((st, e["code"]), (400, -5), arg)
            self.assertIn("limit" if "limit" in arg else "before", e["message"])
        st, e = s.json("GET", "/v1/members/ann/history?limit=1%FF")  # not even a query string
        self.assertEqual(st, 400)
        st, e = s.json("GET", "/v1/members/nobody/history")
        self.assertEqual((st, e["code"]), (404, -3))
        for bad, code in (("%FF", -6), ("a%C0%80", -6), ("a%00b", -1)):
            st, e = s.json("GET", "/v1/members/" + bad + "/history")
            self.assertEqual((st, e["code"]), (400, code), bad)
        st, e = s.json("POST", "/v1/members/ann/history", "{}")
        self.assertIn(st, (404, 405))
        # a restart gives the same history
        st, before = s.json("GET", "/v1/members/ann/history?limit=10")
        self.assertEqual(s.stop(), 0)
        s = self.start("--history", "4", program=PROGRAM2)
        st, after = s.json("GET", "/v1/members/ann/history?limit=10")
        self.assertEqual(after, before)
        self.assertEqual(s.stop(), 0)

    def test_history_off(self):
        s = self.start("--history", "0", program=PROGRAM2)
        s.post_event({"ts": T0, "member": "ann", "action": "ping"})
        st, e = s.json("GET", "/v1/members/ann/history")
        self.assertEqual((st, e["code"]), (404, -15))
        self.assertIn("--history", e["message"])
        self.assertEqual(s.stop(), 0)
        p = subprocess.run([PLAUDIT, "serve", PROGRAM2, "--store", os.path.join(self.dir, "x"), "--history", "lots"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--history", p.stderr)

    def test_teams(self):
        s = self.start(program=PROGRAM2)
        st, out = s.post_batch([
            {"ts": T0, "type": "team", "member": "ann", "team": "acme"},
            {"ts": T0, "type": "team", "member": "bob", "team": "acme"},
            {"ts": T0, "type": "team", "member": "cid", "team": "<globex>"},
            {"ts": T0 + 1, "member": "ann", "action": "forum.answer"},
            {"ts": T0 + 2, "member": "bob", "action": "forum.answer"},
            {"ts": T0 + 3, "member": "cid", "action": "forum.answer"},
            {"ts": T0 + 4, "member": "cid", "action": "ping"},
            {"ts": T0 + 5, "member": "dan", "action": "forum.answer"},
        ])
        self.assertEqual(out["rejected"], 0, out)
        st, board = s.json("GET", "/v1/leaderboards/teams")
        self.assertEqual((st, board["by"]), (200, "team"))
        self.assertEqual([(e["rank"], e["team"], e["score"]) for e in board["entries"]],
                         [(1, "acme", 20), (2, "<globex>", 11)])
        st, board = s.json("GET", "/v1/leaderboards/teams?around=" + q("<globex>") + "&k=1")
        self.assertEqual([e["team"] for e in board["entries"]], ["acme", "<globex>"])
        st, m = s.json("GET", "/v1/members/bob")
        self.assertEqual(m["team"], "acme")
        self.assertEqual(m["ranks"]["teams"], {"team": "acme", "rank": 1, "score": 20, "ranked": 2})
        self.assertEqual(m["ranks"]["all-time"]["rank"], 3)  # cid 11, then ann 10 (earlier), bob 10
        st, m = s.json("GET", "/v1/members/dan")
        self.assertEqual((m["team"], m["ranks"]["teams"]["rank"]), (None, None))
        st, teams = s.json("GET", "/v1/teams")
        self.assertEqual((teams["count"], teams["teams"]), (2, ["acme", "<globex>"]))
        st, t = s.json("GET", "/v1/teams/acme")
        self.assertEqual((st, t["members"], t["ranks"]["teams"]["rank"]), (200, 2, 1))
        st, e = s.json("GET", "/v1/teams/nope")
        self.assertEqual((st, e["code"]), (404, -3))
        st, state = s.json("GET", "/v1/state")
        self.assertEqual(state["format"], "plaudit.state/2")
        self.assertEqual(state["members"]["ann"]["team"], "acme")
        self.assertEqual(s.stop(), 0)

    def test_program_event(self):
        s = self.start(program=PROGRAM2)
        s.post_event({"ts": T0, "member": "ann", "action": "forum.answer"})
        with open(PROGRAM2) as f:
            doc = json.load(f)
        doc["actions"][1]["points"] = 25
        doc["leaderboards"].append({"id": "monthly", "name": "Monthly", "period": "month"})
        st, out = s.json("POST", "/v1/program", json.dumps({"ts": T0 + 100, "program": doc, "id": "prog-2"}))
        available(self, st, out)
        self.assertEqual((st, out["status"]), (200, "accepted"))
        st, prog = s.json("GET", "/v1/program")
        self.assertEqual(prog["actions"][1]["points"], 25)
        st, boards = s.json("GET", "/v1/leaderboards")
        self.assertEqual([b["id"] for b in boards["leaderboards"]], ["all-time", "teams", "monthly"])
        st, out = s.post_event({"ts": T0 + 101, "member": "ann", "action": "forum.answer"})
        self.assertEqual(out["points"], 25)
        # Before the clock: rejected.
        st, out = s.json("POST", "/v1/program", json.dumps({"ts": T0, "program": doc}))
        self.assertEqual((st, out["status"]), (422, "rejected"))
        self.assertEqual(s.stop(), 0)
        s = self.start(program=PROGRAM2)
        st, prog = s.json("GET", "/v1/program")
        self.assertEqual(prog["actions"][1]["points"], 25)  # recovered through the journal
        self.assertEqual(s.stop(), 0)


def sse_events(sock, want, buf=b""):
    """Read Server-Sent Events from a raw socket until `want` of them came
    (the socket's timeout bounds the wait); returns (events, rest)."""
    events = []
    while len(events) < want:
        while b"\n\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                return events, buf
            buf += chunk
        block, buf = buf.split(b"\n\n", 1)
        ev = {}
        for ln in block.decode().splitlines():
            if ln.startswith("id: "):
                ev["id"] = int(ln[4:])
            elif ln.startswith("data: "):
                ev["data"] = json.loads(ln[6:])
        if "data" in ev:
            events.append(ev)
    return events, buf


def dechunk_head(sock):
    """Read the status line and headers of a streamed answer."""
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    return head.decode()


class Outbox(Base):
    def test_read_ack_and_full(self):
        s = self.start("--outbox-max", "6")
        st, out = s.post_event({"ts": T0, "member": "ann", "action": "forum.answer"})
        st, out = s.post_event({"ts": T0 + 1, "member": "ann", "action": "forum.answer"})
        st, box = s.json("GET", "/v1/outbox")
        self.assertEqual(st, 200)
        kinds = [m["kind"] for m in box["moments"]]
        self.assertEqual(kinds, ["points", "tier", "points", "badge", "points"])
        self.assertEqual([m["seq"] for m in box["moments"]], [1, 2, 3, 4, 5])
        self.assertEqual((box["depth"], box["acked"], box["last_seq"]), (5, 0, 5))
        st, box = s.json("GET", "/v1/outbox?after=3&max=1")
        self.assertEqual([m["seq"] for m in box["moments"]], [4])
        st, box = s.json("POST", "/v1/outbox/ack", json.dumps({"upto": 2}))
        self.assertEqual((st, box["acked"], box["depth"]), (200, 2, 3))
        st, e = s.json("POST", "/v1/outbox/ack", json.dumps({"upto": 99}))
        self.assertEqual((st, e["code"]), (422, -5))
        for bad in ("", "{}", '{"upto": -1}', '{"upto": "3"}', '{"upto": 1, "x": 2}', "[3]"):
            st, e = s.json("POST", "/v1/outbox/ack", bad)
            self.assertEqual(st, 400, bad)
        for bad in ("after=x", "max=100001", "after=-1"):
            self.assertEqual(s.request("GET", "/v1/outbox?" + bad)[0], 400, bad)
        # Full (6): the next event is refused, nothing changes, until an ack.
        st, out = s.post_event({"ts": T0 + 2, "member": "bob", "action": "forum.answer"})
        self.assertEqual(out["status"], "accepted")  # depth 3 + 2
        st, out = s.post_event({"ts": T0 + 3, "member": "bob", "action": "forum.answer"})
        self.assertEqual(out["status"], "accepted")  # + 3: past the bound by one event's moments
        st, out = s.post_event({"ts": T0 + 3, "member": "cid", "action": "forum.answer"})
        self.assertEqual((st, out["code"]), (503, -10))
        self.assertIn("outbox", out["message"])
        st, box = s.json("POST", "/v1/outbox/ack", json.dumps({"upto": 10}))
        self.assertEqual((st, box["depth"]), (200, 0))
        st, out = s.post_event({"ts": T0 + 3, "member": "cid", "action": "forum.answer"})
        self.assertEqual((st, out["status"]), (200, "accepted"))
        st, h, data = s.request("GET", "/metrics")
        self.assertIn("plaudit_outbox_refused_total 1", data.decode())
        self.assertIn("plaudit_outbox_acked_seq 10", data.decode())
        self.assertEqual(s.stop(), 0)

    def test_at_least_once_across_kill_9(self):
        store = os.path.join(self.dir, "store")
        s = self.start(store=store, program=PROGRAM2)
        s.post_batch([{"ts": T0 + i, "member": "m%d" % (i % 3), "action": "forum.answer"} for i in range(6)])
        s.json("POST", "/v1/outbox/ack", json.dumps({"upto": 3}))
        self.assertEqual(s.stop(), 0)  # snapshot: acked 3
        s = self.start(store=store, program=PROGRAM2)
        s.post_batch([{"ts": T0 + 10 + i, "member": "m%d" % (i % 3), "action": "ping"} for i in range(4)])
        st, before = s.json("GET", "/v1/outbox")
        s.json("POST", "/v1/outbox/ack", json.dumps({"upto": 8}))
        s.kill()
        s = self.start(store=store, program=PROGRAM2)
        st, after = s.json("GET", "/v1/outbox")
        # Every moment not acknowledged before the kill is there again, with
        # the same number and content (acks since the snapshot may repeat).
        got = {m["seq"]: m for m in after["moments"]}
        for m in before["moments"]:
            if m["seq"] > 8:
                self.assertIn(m["seq"], got)
                g = dict(got[m["seq"]])
                g.pop("redelivered", None)
                self.assertEqual(g, m)
        self.assertEqual(s.stop(), 0)

    def test_stream(self):
        s = self.start()
        s.post_event({"ts": T0, "member": "ann", "action": "forum.answer"})
        sock = socket.create_connection((s.host, s.port), timeout=60)
        sock.sendall(b"GET /v1/moments/stream HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n")
        head = dechunk_head(sock)
        self.assertIn(" 200 ", head.split("\r\n")[0])
        self.assertIn("text/event-stream", head)
        events, rest = sse_events(sock, 1)
        self.assertEqual([e["id"] for e in events], [2])  # resumed after 1
        self.assertEqual(events[0]["data"]["kind"], "tier")
        # A new event's moments arrive on the open stream.
        s.post_event({"ts": T0 + 1, "member": "ann", "action": "forum.answer"})
        events, rest = sse_events(sock, 3, rest)
        self.assertEqual([e["id"] for e in events], [3, 4, 5])
        self.assertEqual(events[1]["data"]["badge"], "helper")
        # SIGTERM ends the stream and the server exits 0.
        self.assertEqual(s.stop(), 0)
        sock.settimeout(60)
        tail = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            tail += chunk
        sock.close()
        st, h, data = self.start().request("GET", "/v1/moments/stream", headers={"Last-Event-ID": "x"})
        self.assertEqual(st, 400)

    def test_no_outbox(self):
        s = self.start("--no-outbox")
        for path in ("/v1/outbox", "/v1/moments/stream"):
            st, e = s.json("GET", path)
            self.assertEqual((st, e["code"]), (404, -15), path)
        self.assertEqual(s.stop(), 0)


class Window(Base):
    def test_held_and_flush(self):
        with open(PROGRAM2) as f:
            doc = json.load(f)
        doc["reorder_window_s"] = 60
        prog = os.path.join(self.dir, "window.json")
        with open(prog, "w") as f:
            json.dump(doc, f)
        store = os.path.join(self.dir, "store")
        s = self.start(store=store, program=prog)
        st, out = s.post_event({"ts": T0 + 100, "member": "ann", "action": "forum.answer", "id": "late"})
        self.assertEqual((st, out["status"]), (202, "held"))
        st, out = s.post_event({"ts": T0 + 50, "member": "ann", "action": "ping", "id": "early"})
        self.assertEqual((st, out["status"]), (202, "held"))
        st, out = s.post_batch([{"ts": T0 + 60, "member": "bob", "action": "ping"},
                                {"ts": T0 + 70, "member": "bob", "action": "nope"}])  # held: rejected at release
        self.assertEqual([x["status"] for x in out["results"]], ["held", "held"])
        self.assertEqual((out["accepted"], out["duplicates"], out["rejected"], out["held"]), (0, 0, 0, 2))
        st, h, data = s.request("GET", "/metrics")
        text = data.decode()
        self.assertIn("plaudit_held_events 4", text)
        self.assertIn('plaudit_events_total{status="held"} 4', text)
        self.assertIn('plaudit_events_total{status="rejected"} 0', text)
        # Held events survive a crash.
        s.kill()
        s = self.start(store=store, program=prog)
        st, hz = s.json("GET", "/healthz")
        self.assertEqual(hz["held_events"], 4)
        st, out = s.json("POST", "/v1/flush", "")
        self.assertEqual((st, out["held"]), (200, 0))
        st, m = s.json("GET", "/v1/members/ann")
        self.assertEqual(m["points"], 11)  # released in ts order: the ping first, then the answer
        st, out = s.post_event({"ts": T0 + 100, "member": "ann", "action": "forum.answer", "id": "late"})
        self.assertEqual(out["status"], "held")  # decided at release: a duplicate then
        self.assertEqual(s.stop(), 0)


class Documented(Base):
    def test_every_documented_operation_exists(self):
        """docs/openapi.yaml and the server agree: each documented path and
        method is routed (whatever it answers, it is not 'no such resource'
        nor 405), and a method not documented is 405."""
        try:
            import yaml
        except ImportError:
            self.skipTest("python3-yaml is not installed")
        with open(os.path.join(ROOT, "docs", "openapi.yaml")) as f:
            doc = yaml.safe_load(f)
        s = self.start()
        s.post_event({"ts": T0, "member": "alice", "action": "ping"})
        for path, ops in doc["paths"].items():
            url = path.replace("{id}", "alice" if "members" in path else "all-time")
            for method in ("get", "post", "put", "delete"):
                if method == "get" and "stream" in path:
                    # An endless answer: only its head.
                    sock = socket.create_connection((s.host, s.port), timeout=60)
                    sock.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % url).encode())
                    st, data = int(dechunk_head(sock).split()[1]), b""
                    sock.close()
                else:
                    st, h, data = s.request(method.upper(), url, "{}" if method == "post" else None)
                if method in ops:
                    self.assertNotEqual(st, 405, (method, path))
                    if st == 404:
                        self.assertNotIn(b"no such resource", data, (method, path))
                    documented = set(ops[method]["responses"])
                    self.assertIn(str(st), documented, (method, path, data[:200]))
                else:
                    self.assertEqual(st, 405, (method, path))
        self.assertEqual(s.stop(), 0)


class Limits(Base):
    def test_limits(self):
        s = self.start("--max-body", "4096", "--max-events", "5", "--max-header-bytes", "8192")
        big = json.dumps({"ts": T0, "member": "a" * 5000, "action": "ping"})
        st, e = s.json("POST", "/v1/events", big)
        self.assertEqual((st, e["code"]), (413, -10))
        st, e = s.post_batch([{"ts": T0 + i, "member": "a", "action": "ping"} for i in range(6)])
        self.assertEqual((st, e["code"]), (413, -10))
        st, out = s.post_batch([{"ts": T0 + i, "member": "a", "action": "ping"} for i in range(5)])
        self.assertEqual((st, out["accepted"]), (200, 5))
        # Headers past the limit: refused by libmicrohttpd.
        try:
            st, h, data = s.request("GET", "/v1/state", headers={"X-Big": "x" * 20000})
            self.assertIn(st, (413, 414, 431))
        except (ConnectionError, http.client.HTTPException):
            pass
        # A body sent in chunks past the limit.
        c = s.conn()
        c.putrequest("POST", "/v1/events")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        chunk = b"x" * 3000
        for _ in range(3):
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        self.assertEqual(r.status, 413)
        self.assertEqual(json.loads(r.read())["code"], -10)
        c.close()
        # The server is still fine.
        st, hz = s.json("GET", "/healthz")
        self.assertEqual(st, 200)
        self.assertEqual(s.stop(), 0)

    def test_not_yet_available(self):
        s = self.start()
        for method, path in (("GET", "/v1/members/a/history"), ("POST", "/v1/revoke")):
            st, e = s.json(method, path, "{}" if method == "POST" else None)
            if st == 501:
                self.assertEqual(e["code"], -22)
                self.assertIn("not available", e["message"])
        self.assertEqual(s.stop(), 0)


class Auth(Base):
    def test_tokens(self):
        s = self.start(tokens=True)
        ev = {"ts": T0, "member": "alice", "action": "ping"}
        st, h, data = s.request("POST", "/v1/events", json.dumps(ev))
        self.assertEqual(st, 401)
        self.assertIn("Bearer", h["www-authenticate"])
        self.assertEqual(json.loads(data)["error"], "unauthorized")
        st, e = s.post_event(ev, token="wrong-token-0123456789")
        self.assertEqual(st, 401)
        st, e = s.post_event(ev, token=READ)
        self.assertEqual(st, 403)
        st, e = s.post_event(ev, token=WRITE[:-1])
        self.assertEqual(st, 401)
        st, e = s.post_event(ev, token=WRITE)
        self.assertEqual((st, e["status"]), (200, "accepted"))
        for path in ("/v1/members/alice", "/v1/state", "/v1/leaderboards/all-time", "/metrics", "/v1/program"):
            self.assertEqual(s.request("GET", path)[0], 401, path)
            self.assertEqual(s.request("GET", path, token=READ)[0], 200, path)
            self.assertEqual(s.request("GET", path, token=WRITE)[0], 200, path)
        for method, path in (("POST", "/v1/program"), ("POST", "/v1/revoke"), ("POST", "/v1/outbox/ack")):
            self.assertEqual(s.request(method, path, "{}", token=READ)[0], 403, path)
        # Health and the (data-free) dashboard page need no token.
        self.assertEqual(s.request("GET", "/healthz")[0], 200)
        self.assertEqual(s.request("GET", "/")[0], 200)
        self.assertEqual(s.stop(), 0)

    def test_refuses_beyond_loopback_without_token(self):
        r = subprocess.run([PLAUDIT, "serve", PROGRAM, "--store", os.path.join(self.dir, "s"), "--listen",
                            "0.0.0.0:0"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("refusing", r.stderr)
        tf = os.path.join(self.dir, "short")
        with open(tf, "w") as f:
            f.write("short\n")
        r = subprocess.run([PLAUDIT, "serve", PROGRAM, "--store", os.path.join(self.dir, "s"), "--token-file", tf],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("16", r.stderr)
        r = subprocess.run([PLAUDIT, "serve", "--help"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--token-file", r.stdout)
        r = subprocess.run([PLAUDIT, "serve", PROGRAM], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)


def worker(s, base, n, acked, sent, errors, batch=1):
    """Post n events for member m<base> with ids e<base>-<i>, in order."""
    c = s.conn()
    i = 0
    try:
        while i < n:
            evs = [{"ts": T0 + i + j, "member": "m%d" % base, "action": "ping", "id": "e%d-%d" % (base, i + j)}
                   for j in range(min(batch, n - i))]
            for e in evs:
                sent.append(e)
            try:
                if batch == 1:
                    st, out = s.post_event(evs[0], conn=c)
                    results = [out] if st == 200 else []
                else:
                    st, out = s.post_batch(evs, conn=c)
                    results = out["results"] if st == 200 else []
            except (OSError, http.client.HTTPException, ValueError):
                return
            if st != 200:
                errors.append((st, out))
                return
            for e, r in zip(evs, results):
                if r["status"] == "accepted":
                    acked.append(e)
                else:
                    errors.append(r)
            i += len(evs)
    finally:
        c.close()


class Concurrency(Base):
    def test_many_clients(self):
        s = self.start()
        acked, sent, errors = [], [], []
        threads = [threading.Thread(target=worker, args=(s, b, 60, acked, sent, errors, 1 if b % 2 else 20))
                   for b in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(acked), 24 * 60)
        st, state = s.json("GET", "/v1/state")
        self.assertEqual(state["stats"]["accepted"], 24 * 60)
        for b in range(24):
            self.assertEqual(state["members"]["m%d" % b]["points"], 60)
        st, h, data = s.request("GET", "/metrics")
        text = data.decode()
        syncs = int([ln for ln in text.splitlines() if ln.startswith("plaudit_store_syncs_total")][0].split()[1])
        self.assertGreater(syncs, 0)
        self.assertLessEqual(syncs, 24 * 60)
        self.assertEqual(s.stop(), 0)

    def test_kill_9_loses_nothing_acknowledged(self):
        store = os.path.join(self.dir, "store")
        s = self.start(store=store)
        acked, sent, errors = [], [], []
        threads = [threading.Thread(target=worker, args=(s, b, 400, acked, sent, errors, 1 if b % 2 else 25))
                   for b in range(12)]
        for t in threads:
            t.start()
        # Kill once a good part of the load is acknowledged (not on a timer).
        while len(acked) < 1500 and any(t.is_alive() for t in threads):
            threading.Event().wait(0.005)
        os.kill(s.proc.pid, signal.SIGKILL)
        for t in threads:
            t.join()
        s.kill()
        self.assertEqual(errors, [])
        self.assertGreaterEqual(len(acked), 1500)
        s2 = self.start(store=store)
        st, state = s2.json("GET", "/v1/state")
        # Every acknowledged event is there, none twice: each member's
        # points are the number of its events applied, which lies between
        # what was acknowledged and what was sent.
        per_acked, per_sent = {}, {}
        for e in acked:
            per_acked[e["member"]] = per_acked.get(e["member"], 0) + 1
        for e in sent:
            per_sent[e["member"]] = per_sent.get(e["member"], 0) + 1
        for m, n in per_acked.items():
            pts = state["members"][m]["points"]
            self.assertGreaterEqual(pts, n, m)
            self.assertLessEqual(pts, per_sent[m], m)
        # Sending everything again: every acknowledged event comes back as a
        # duplicate, and each member ends with exactly one point per event.
        by_id = {}
        for base in range(12):
            evs = [e for e in sent if e["member"] == "m%d" % base]
            st, out = s2.post_batch(evs)
            self.assertEqual(st, 200)
            for e, r in zip(evs, out["results"]):
                by_id[e["id"]] = r["status"]
        for e in acked:
            self.assertEqual(by_id[e["id"]], "duplicate", e["id"])
        st, state = s2.json("GET", "/v1/state")
        for m, n in per_sent.items():
            self.assertEqual(state["members"][m]["points"], n, m)
        self.assertEqual(s2.stop(), 0)


class Lifecycle(Base):
    def test_sigterm_finishes_in_flight_request(self):
        store = os.path.join(self.dir, "store")
        s = self.start(store=store)
        body = json.dumps({"ts": T0, "member": "late", "action": "ping", "id": "in-flight"}).encode()
        sock = socket.create_connection((s.host, s.port), timeout=60)
        sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        # The server has the request once it asks for the body.
        got = b""
        while b"\r\n\r\n" not in got:
            got += sock.recv(4096)
        self.assertIn(b" 100 ", got.split(b"\r\n")[0])
        s.proc.send_signal(signal.SIGTERM)
        sock.sendall(body)
        resp = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            resp += chunk
            if b"\r\n\r\n" in resp:
                head, rest = resp.split(b"\r\n\r\n", 1)
                length = [int(ln.split(b":")[1]) for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length")]
                if length and len(rest) >= length[0]:
                    break
        sock.close()
        self.assertIn(b"200 OK", resp.split(b"\r\n")[0])
        self.assertIn(b'"status":"accepted"', resp)
        self.assertEqual(s.proc.wait(timeout=60), 0)
        s.kill()
        self.assertTrue(os.path.exists(os.path.join(store, "snapshot")))
        s2 = self.start(store=store)
        st, m = s2.json("GET", "/v1/members/late")
        self.assertEqual((st, m["points"]), (200, 1))
        self.assertEqual(s2.stop(), 0)

    def test_sighup_reopens_the_log(self):
        log = os.path.join(self.dir, "access.log")
        s = self.start("--log", log)
        s.request("GET", "/v1/members/" + q("first\nline"))
        # The line is written when the request completes, just after the
        # answer: wait for it (bounded) before rotating.
        for _ in range(2000):
            if os.path.exists(log) and os.path.getsize(log):
                break
            threading.Event().wait(0.005)
        os.rename(log, log + ".1")
        s.proc.send_signal(signal.SIGHUP)
        # The signal is handled by the server's main thread; ask until the
        # new file appears (bounded).
        for _ in range(2000):
            s.request("GET", "/healthz")
            if os.path.exists(log):
                break
            threading.Event().wait(0.005)
        self.assertTrue(os.path.exists(log))
        self.assertEqual(s.stop(), 0)
        with open(log + ".1") as f:
            old = [json.loads(ln) for ln in f]
        self.assertEqual(old[0]["path"], "/v1/members/first%0Aline")
        self.assertEqual(old[0]["status"], 404)
        with open(log) as f:
            new = [json.loads(ln) for ln in f]
        self.assertTrue(all(e["path"] == "/healthz" for e in new))

    def test_sync_modes(self):
        for mode in ("batch", "never"):
            store = os.path.join(self.dir, mode)
            s = self.start("--sync", mode, store=store)
            acked, sent, errors = [], [], []
            threads = [threading.Thread(target=worker, args=(s, b, 50, acked, sent, errors, 5)) for b in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual((len(acked), errors), (200, []))
            self.assertEqual(s.stop(), 0)
            s = self.start(store=store)
            st, state = s.json("GET", "/v1/state")
            self.assertEqual(state["stats"]["accepted"], 200)
            self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[3:])
