#!/usr/bin/env python3
"""The HTML report, looked at in headless Chromium at a desktop's and a
phone's width.

    test-report-html.py PLAUDIT SIMULATE PROGRAM LOGDIR

Simulates a community, writes `plaudit report --html` pages (by week over a
year, by day over a month, by month, and one with no data), opens each in
Chromium at 1280 px and as a 375 px phone, saves a screenshot of each into
LOGDIR (report-NAME-WIDTH.png, in the meson test log folder), and asserts on
what the page shows:

- nothing is wider than the viewport (no sideways scrolling), and the phone
  really lays out at 375 px (the viewport meta tag);
- every visible chart label lies inside its chart (getBBox through the
  label's transform, against the SVG's box), and period labels do not
  overlap;
- one bar per period; partial first and last periods are marked, and
  explained, exactly when the data starts or ends inside them; the first
  period's label is not a date before the data;
- the Lorenz chart has its axis ticks;
- every card has its definition ("repeat participation" per period,
  "never recognized" of participants);
- with no data the page says so and never "points are spread evenly".

Needs chromium, chromium-driver and python3-selenium (scripts/setup.sh);
exits 77 (skipped) with a message when selenium cannot be imported.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import zoneinfo

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError as e:  # pragma: no cover - setup.sh installs it
    print(f"python3-selenium is not installed ({e}): run scripts/setup.sh")
    sys.exit(77)

PLAUDIT, SIMULATE, PROGRAM, LOGDIR = sys.argv[1:5]
os.makedirs(LOGDIR, exist_ok=True)
CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)), None)
DRIVER = next((p for p in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver") if os.path.exists(p)), None)
if not CHROMIUM or not DRIVER:
    print("chromium or chromium-driver is not installed: run scripts/setup.sh")
    sys.exit(77)

failures: list[str] = []


def check(cond: bool, what: str) -> None:
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


# What the page is asked, in the browser: returns a JSON-able summary.
PROBE = r"""
const vw = window.innerWidth;
const out = {vw: vw, scrollWidth: document.documentElement.scrollWidth, overflow: [], clipped: [],
             overlaps: [], charts: {}};
for (const el of document.body.querySelectorAll('*')) {
  if (el.closest('.table') || el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
  const r = el.getBoundingClientRect();
  if (r.width && (r.right > vw + 0.5 || r.left < -0.5))
    out.overflow.push(el.tagName + '.' + el.className.baseVal + el.className + ' ' + r.left + '..' + r.right);
}
function box(t) {
  const b = t.getBBox(), m = t.getScreenCTM(), svg = t.ownerSVGElement;
  const pts = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]
    .map(([x, y]) => { const p = svg.createSVGPoint(); p.x = x; p.y = y; return p.matrixTransform(m); });
  return {left: Math.min(...pts.map(p => p.x)), right: Math.max(...pts.map(p => p.x)),
          top: Math.min(...pts.map(p => p.y)), bottom: Math.max(...pts.map(p => p.y))};
}
for (const svg of document.querySelectorAll('svg.chart')) {
  const kind = [...svg.classList].find(c => c !== 'chart');
  const s = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('text')].filter(t => getComputedStyle(t).display !== 'none');
  for (const t of texts) {
    const b = box(t);
    if (b.left < s.left - 0.5 || b.right > s.right + 0.5 || b.top < s.top - 0.5 || b.bottom > s.bottom + 0.5)
      out.clipped.push(kind + ': "' + t.textContent + '" ' + JSON.stringify(b) + ' in ' + JSON.stringify(s));
  }
  const labels = texts.filter(t => t.classList.contains('period'));
  const lb = labels.map(box);
  for (let i = 1; i < lb.length; i++) {
    // neighbours at 45 degrees overlap when their baselines are closer than a line
    const a = labels[i - 1].getBoundingClientRect(), b = labels[i].getBoundingClientRect();
    const dx = b.left - a.left, fs = parseFloat(getComputedStyle(labels[i]).fontSize) *
        svg.getScreenCTM().a;
    if (dx * Math.SQRT1_2 < fs * 0.9) out.overlaps.push(labels[i - 1].textContent + ' / ' + labels[i].textContent);
  }
  out.charts[kind] = out.charts[kind] || [];
  out.charts[kind].push({
    width: s.width,
    labels: labels.map(t => t.textContent),
    all_labels: [...svg.querySelectorAll('text.period')].map(t => t.textContent),
    ticks_x: [...svg.querySelectorAll('text.tick.x')].map(t => t.textContent),
    ticks_y: [...svg.querySelectorAll('text.tick.y')].map(t => t.textContent),
    bars: svg.querySelectorAll('rect.bar').length,
    partial: [...svg.querySelectorAll('rect.bar')].map((r, i) => r.classList.contains('partial') ? i : -1)
               .filter(i => i >= 0),
    font: texts.length ? parseFloat(getComputedStyle(texts[0]).fontSize) * svg.getScreenCTM().a : 0,
  });
}
out.cards = [...document.querySelectorAll('.card')].map(c => ({
  name: (c.querySelector('.name') || {}).textContent || '',
  def: (c.querySelector('.def') || {}).textContent || ''}));
out.text = document.body.innerText;
out.height = document.documentElement.scrollHeight;
return out;
"""


def browser() -> webdriver.Chrome:
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
              "--window-size=1280,900", "--force-device-scale-factor=1", "--lang=en-US"):
        o.add_argument(a)
    o.binary_location = CHROMIUM
    return webdriver.Chrome(service=Service(DRIVER), options=o)


def look(d: webdriver.Chrome, path: str, name: str, phone: bool) -> dict:
    width = 375 if phone else 1280
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": 812 if phone else 900, "deviceScaleFactor": 1, "mobile": phone})
    d.get("file://" + path)
    info = d.execute_script(PROBE)
    shot = d.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": info["height"], "scale": 1}})
    png = os.path.join(LOGDIR, f"report-{name}-{width}.png")
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print(f"screenshot: {png}")
    return info


def run(*args: str) -> subprocess.CompletedProcess:
    p = subprocess.run(list(args), capture_output=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {p.returncode}: {p.stderr.decode()}")
    return p


def data_days(events: str, zone: str, lo: dt.date | None = None, hi: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """First and last local day of the member events (within [lo, hi])."""
    tz = zoneinfo.ZoneInfo(zone)
    days = []
    with open(events) as f:
        for line in f:
            ev = json.loads(line)
            if "member" in ev or "from" in ev:
                days.append(dt.datetime.fromtimestamp(ev["ts"], tz).date())
    first = min(days)
    last = dt.datetime.fromtimestamp(max(json.loads(line)["ts"] for line in open(events)), tz).date()
    if lo:
        first = max(first, lo)
    if hi:
        last = min(last, hi)
    return first, last


def period_bounds(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    if period == "day":
        return day, day
    if period == "week":
        lo = day - dt.timedelta(days=day.weekday())
        return lo, lo + dt.timedelta(days=6)
    if period == "month":
        lo = day.replace(day=1)
        nxt = (lo + dt.timedelta(days=32)).replace(day=1)
        return lo, nxt - dt.timedelta(days=1)
    raise ValueError(period)


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="plaudit-report-html-")
    events = os.path.join(tmp, "events.jsonl")
    run(SIMULATE, "--members", "1500", "--seed", "11", "--events", events)
    zone = json.load(open(PROGRAM)).get("timezone", "UTC")
    empty = os.path.join(tmp, "empty.jsonl")
    with open(empty, "w") as f:
        f.write('{"ts": 1767225600, "type": "tick"}\n')
    pages = {
        "week": ([PROGRAM, events], ["--period", "week"], None),
        "day": ([PROGRAM, events], ["--period", "day", "--from", "2026-02-01", "--to", "2026-03-01"],
                (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        # a window whose data ends before its last day (the clock) and a
        # week that starts before the data
        "tail": ([PROGRAM, events], ["--period", "week", "--from", "2026-12-10"], None),
        "month": ([PROGRAM, events], ["--period", "month"], None),
        "empty": ([PROGRAM, empty], ["--period", "week"], None),
    }
    d = browser()
    try:
        for name, (args, opts, window) in pages.items():
            html = os.path.join(tmp, f"{name}.html")
            run(PLAUDIT, "report", "--html", html, *opts, *args)
            doc = json.loads(run(PLAUDIT, "report", "--json", *opts, *args).stdout)
            period = opts[1]
            n = len(doc["periods"])
            for phone in (False, True):
                w = "phone" if phone else "desktop"
                info = look(d, html, name, phone)
                at = f"{name} @{w}"
                check(info["vw"] == (375 if phone else 1280), f"{at}: laid out at the device width ({info['vw']})")
                check(info["scrollWidth"] <= info["vw"] and not info["overflow"],
                      f"{at}: nothing wider than the viewport {info['overflow'][:3]}")
                check(not info["clipped"], f"{at}: no chart label cut off {info['clipped'][:3]}")
                check(not info["overlaps"], f"{at}: period labels do not overlap {info['overlaps'][:3]}")
                charts_ok = set(info["charts"]) == {"bars", "lorenz", "series"}
                check(charts_ok, f"{at}: the charts {list(info['charts'])}")
                if not charts_ok:
                    continue
                series = info["charts"]["series"][0]
                check(series["bars"] == n, f"{at}: one bar per period ({series['bars']} for {n})")
                lorenz = info["charts"]["lorenz"][0]
                check(lorenz["ticks_x"] == ["0%", "25%", "50%", "75%", "100%"] == lorenz["ticks_y"],
                      f"{at}: Lorenz axis ticks {lorenz['ticks_x']} {lorenz['ticks_y']}")
                check(all(c["font"] >= 9 for cs in info["charts"].values() for c in cs),
                      f"{at}: chart text at least 9 px on screen "
                      f"{[(k, round(c['font'], 1)) for k, cs in info['charts'].items() for c in cs]}")
                cards = {c["name"]: c["def"] for c in info["cards"]}
                check(len(cards) == 8 and all(cards.values()), f"{at}: every card has a definition {cards}")
                check(f"2 or more {period}s" in cards.get("repeat participation", ""),
                      f"{at}: repeat participation is defined per {period}")
                check("of participants" in cards.get("never recognized", ""),
                      f"{at}: never recognized says of whom")
                check("spread evenly" not in info["text"] or n > 0, f"{at}: no 'spread evenly' without data")
                if name == "empty":
                    check(n == 0 and "no contributions" in info["text"] and "spread evenly" not in info["text"],
                          f"{at}: the empty report says there is no data")
                    continue
                # the window is rounded out to whole periods: the data shown is
                # the data within the first and last period
                lo0, _ = period_bounds(dt.date.fromisoformat(
                    doc["periods"][0]["period"] + ("-01" if period == "month" else "")), period)
                _, hiN = period_bounds(dt.date.fromisoformat(
                    doc["periods"][-1]["period"] + ("-01" if period == "month" else "")), period)
                first, last = data_days(events, zone, lo0, hiN)
                if window:
                    check(lo0 <= window[0] and hiN >= window[1], f"{at}: the periods cover the window")
                want = ([0] if first > lo0 else []) + ([n - 1] if last < hiN else [])
                want = sorted(set(want))
                check(series["partial"] == want, f"{at}: partial periods {series['partial']} (data {first}..{last}, "
                                                 f"periods from {lo0} to {hiN}: want {want})")
                check(bool(want) == ("partial" in info["text"]), f"{at}: partial periods explained in words")
                label0 = series["all_labels"][0]
                if period in ("day", "week"):
                    check(label0 == first.isoformat(), f"{at}: the first label is the first day of data "
                                                       f"({label0}, data from {first})")
                else:
                    check(label0 == doc["periods"][0]["period"], f"{at}: the first label {label0}")
                check(len(series["labels"]) >= min(n, 4), f"{at}: {len(series['labels'])} period labels shown")
    finally:
        d.quit()
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
