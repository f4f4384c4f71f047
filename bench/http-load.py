#!/usr/bin/python3
"""Load generator for `plaudit serve`: raw HTTP/1.1 over keep-alive
connections (asyncio, standard library only).

For each sync mode asked for, it starts a server on a fresh store (or
uses --url), then measures
  - single events: one event per POST /v1/events, C connections at once,
  - batches: B events per POST (JSON lines), a few connections at once,
and prints events/s, the p50 / p99 latency of a request, the server's CPU
time per event (user + system, from /proc: steadier than wall time on a
busy machine) and how many events each journal fsync covered.

    bench/http-load.py --plaudit build/examples/plaudit [--program P]
        [--modes always,never] [--connections 32] [--requests 500]
        [--batch 1000] [--batches 40] [--batch-connections 4]
    bench/http-load.py --url http://127.0.0.1:8080 [--token T] ...

Each connection posts events of its own members (c<conn>-m<k>) in time
order, so every event is accepted (or capped, never rejected).
"""
import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

T0 = 1767225600
HERE = os.path.dirname(os.path.abspath(__file__))


class Conn:
    def __init__(self, host, port, token):
        self.host, self.port, self.token = host, port, token

    async def open(self):
        self.r, self.w = await asyncio.open_connection(self.host, self.port)

    async def post(self, body, ctype):
        head = ("POST /v1/events HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                % (self.host, ctype, len(body)))
        if self.token:
            head += "Authorization: Bearer %s\r\n" % self.token
        self.w.write(head.encode() + b"\r\n" + body)
        await self.w.drain()
        status = await self.r.readline()
        length = 0
        while True:
            line = await self.r.readline()
            if line in (b"\r\n", b""):
                break
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        data = await self.r.readexactly(length)
        return int(status.split()[1]), data

    def close(self):
        self.w.close()


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    i = min(len(sorted_vals) - 1, int(round(p / 100.0 * (len(sorted_vals) - 1))))
    return sorted_vals[i]


async def run_load(host, port, token, conns, requests, batch, action, tag):
    lat = []
    accepted = [0]

    # The bodies are made before the clock starts: the client's own JSON
    # work stays out of the figures as far as it can.
    bodies = []
    for c in range(conns):
        mine = []
        seq = 0
        for _ in range(requests):
            lines = []
            for _ in range(batch):
                lines.append(json.dumps({"ts": T0 + seq // 64, "member": "%s-c%d-m%d" % (tag, c, seq % 1000),
                                         "action": action, "id": "%s-%d-%d" % (tag, c, seq)}))
                seq += 1
            mine.append(("\n".join(lines) + "\n").encode())
        bodies.append(mine)
    ctype = "application/json" if batch == 1 else "application/x-ndjson"

    async def one(c):
        conn = Conn(host, port, token)
        await conn.open()
        try:
            for body in bodies[c]:
                t = time.perf_counter()
                st, data = await conn.post(body, ctype)
                lat.append(time.perf_counter() - t)
                if st != 200:
                    raise RuntimeError("HTTP %d: %s" % (st, data[:200]))
                if batch == 1:
                    accepted[0] += data.startswith(b'{"status":"accepted"')
                else:
                    tail = data[data.rindex(b'"accepted":') + 11:]
                    accepted[0] += int(tail[:tail.index(b",")])
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one(c) for c in range(conns)))
    wall = time.perf_counter() - t0
    lat.sort()
    n = conns * requests * batch
    return {"events": n, "accepted": accepted[0], "seconds": wall, "events_per_s": n / wall,
            "p50_ms": 1000 * pct(lat, 50), "p99_ms": 1000 * pct(lat, 99)}


def cpu_seconds(pid):
    """User + system CPU of a process so far (Linux /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def syncs(host, port, token):
    import http.client
    c = http.client.HTTPConnection(host, port, timeout=60)
    c.request("GET", "/metrics", headers={"Authorization": "Bearer " + token} if token else {})
    text = c.getresponse().read().decode()
    c.close()
    for line in text.splitlines():
        if line.startswith("plaudit_store_syncs_total "):
            return int(line.split()[1])
    return 0


def start_server(plaudit, program, mode, store):
    p = subprocess.Popen([plaudit, "serve", program, "--store", store, "--listen", "127.0.0.1:0", "--sync", mode,
                          "--no-analytics", "--max-connections", "1024"], stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if "listening on http://" not in line:
        raise SystemExit("the server did not start: %r" % line)
    host, port = line.split("http://", 1)[1].split()[0].rsplit(":", 1)
    return p, host, int(port)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plaudit", help="the plaudit tool (starts a server per mode)")
    ap.add_argument("--program", default=os.path.join(HERE, "..", "examples", "program.json"))
    ap.add_argument("--action", default="forum.answer")
    ap.add_argument("--url", help="use a running server instead")
    ap.add_argument("--token", help="write token for --url")
    ap.add_argument("--modes", default="always,never", help="sync modes to start servers with")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--requests", type=int, default=500, help="single-event requests per connection")
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--batches", type=int, default=40, help="batch requests per connection")
    ap.add_argument("--batch-connections", type=int, default=4)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args()
    if not a.url and not a.plaudit:
        ap.error("give --plaudit (to start servers) or --url")
    results = []
    targets = [("given", None)] if a.url else [(m, m) for m in a.modes.split(",")]
    for label, mode in targets:
        proc = tmp = None
        if a.url:
            u = urlparse(a.url)
            host, port = u.hostname, u.port or 80
        else:
            tmp = tempfile.mkdtemp(prefix="plaudit-load-")
            proc, host, port = start_server(a.plaudit, a.program, mode, os.path.join(tmp, "store"))
        try:
            for kind, conns, reqs, batch in (("single", a.connections, a.requests, 1),
                                             ("batch", a.batch_connections, a.batches, a.batch)):
                cpu0 = cpu_seconds(proc.pid) if proc else 0.0
                s0 = syncs(host, port, a.token)
                r = asyncio.run(run_load(host, port, a.token, conns, reqs, batch, a.action,
                                         "%s-%s-%d" % (label, kind, int(time.time() * 1000))))
                n_sync = syncs(host, port, a.token) - s0
                r.update({"sync": label, "kind": kind, "connections": conns, "batch": batch,
                          "server_cpu_us_per_event": 1e6 * (cpu_seconds(proc.pid) - cpu0) / r["events"] if proc else None,
                          "events_per_sync": r["events"] / n_sync if n_sync else None})
                results.append(r)
        finally:
            if proc:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=300)
                shutil.rmtree(tmp, ignore_errors=True)
    if a.json:
        print(json.dumps(results, indent=1))
        return
    print("%-7s %-7s %5s %6s %8s %10s %8s %8s %10s %10s" % ("sync", "kind", "conns", "batch", "events", "events/s",
                                                           "p50 ms", "p99 ms", "cpu us/ev", "ev/fsync"))
    for r in results:
        cpu = r["server_cpu_us_per_event"]
        eps = r["events_per_sync"]
        print("%-7s %-7s %5d %6d %8d %10.0f %8.2f %8.2f %10s %10s" % (
            r["sync"], r["kind"], r["connections"], r["batch"], r["events"], r["events_per_s"], r["p50_ms"],
            r["p99_ms"], "%.1f" % cpu if cpu is not None else "-", "%.1f" % eps if eps else "-"))


if __name__ == "__main__":
    main()
