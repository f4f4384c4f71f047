#!/usr/bin/python3
"""The dashboard of `plaudit serve` in a real browser: headless Chromium
driven through chromedriver (Debian's chromium, chromium-driver and
python3-selenium).  Starts the server with tokens, posts events, loads the
page, checks the program, the leaderboard and the analytics, searches a
member and checks what the page shows (a hostile member id included, which
must stay text), then saves a screenshot; then the same for a format 2
program's team board.

    test-dashboard.py PLAUDIT SOURCE_ROOT SCREENSHOT_DIR
Exit status 77 (skipped) when Chromium or selenium is missing.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

PLAUDIT = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
SHOTS = os.path.abspath(sys.argv[3])
PROGRAM = os.path.join(ROOT, "tests", "data", "serve-program.json")
PROGRAM2 = os.path.join(ROOT, "tests", "data", "serve-program-v2.json")
T0 = 1767225600
WRITE = "w-dashboard-0123456789-write"
READ = "r-dashboard-0123456789-read"
HOSTILE = '<img src=x onerror="document.title=\'owned\'">'

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.webdriver.support.ui import Select
except ImportError:
    print("python3-selenium is not installed: skipped")
    sys.exit(77)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
    print("chromium or chromedriver is not installed: skipped")
    sys.exit(77)


def post(base, lines):
    body = ("\n".join(json.dumps(e) for e in lines) + "\n").encode()
    req = urllib.request.Request(base + "/v1/events", data=body, method="POST",
                                 headers={"Content-Type": "application/x-ndjson", "Authorization": "Bearer " + WRITE})
    with urllib.request.urlopen(req, timeout=60) as r:
        out = json.loads(r.read())
    assert out["rejected"] == 0, out
    return out


def table_cells(driver, rows_css):
    """The text of every cell of the rows matching rows_css, read in one
    script call: the page re-renders its tables from the live moment stream,
    so element handles found one call earlier can already be stale."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map("
        "r => Array.from(r.querySelectorAll('td')).map(c => c.innerText.trim()));", rows_css)


def start_server(program, tmp):
    return subprocess.Popen([PLAUDIT, "serve", program, "--store", os.path.join(tmp, "store"), "--listen",
                             "127.0.0.1:0", "--token-file", os.path.join(tmp, "write"), "--read-token-file",
                             os.path.join(tmp, "read")], stdout=subprocess.PIPE, text=True)


def team_boards(driver, wait, tmp):
    """A format 2 program with a team board: the board list names it as a
    team board, and choosing it shows the teams ranked by their members'
    points (a hostile team id stays text)."""
    server = start_server(PROGRAM2, tmp)
    try:
        line = server.stdout.readline()
        assert "listening on http://" in line, line
        base = line.split("listening on ", 1)[1].split()[0]
        post(base, [
            {"ts": T0, "type": "team", "member": "alice", "team": "acme"},
            {"ts": T0, "type": "team", "member": "bob", "team": "acme"},
            {"ts": T0, "type": "team", "member": "carol", "team": HOSTILE},
            {"ts": T0 + 1, "member": "alice", "action": "forum.answer"},
            {"ts": T0 + 2, "member": "bob", "action": "forum.answer"},
            {"ts": T0 + 3, "member": "carol", "action": "forum.answer"},
            {"ts": T0 + 4, "member": "carol", "action": "ping"},
        ])
        driver.get(base + "/#token=" + urllib.parse.quote(READ))
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        options = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#board-select option")]
        assert options == ["All time (all time)", "Teams (teams, all time)"], options
        Select(driver.find_element(By.ID, "board-select")).select_by_value("teams")
        wait.until(lambda d: table_cells(d, "#board-table tbody tr") == [["1", "acme", "20"], ["2", HOSTILE, "11"]])
        assert driver.find_element(By.ID, "board-who").text == "team"
        assert not driver.find_elements(By.CSS_SELECTOR, "#board-table img")
        assert driver.title != "owned"
        Select(driver.find_element(By.ID, "board-select")).select_by_value("all-time")
        wait.until(lambda d: d.find_element(By.ID, "board-who").text == "member")
        wait.until(lambda d: table_cells(d, "#board-table tbody tr")[:1] == [["1", "carol", "11"]])
        Select(driver.find_element(By.ID, "board-select")).select_by_value("teams")
        wait.until(lambda d: d.find_element(By.ID, "board-who").text == "team")
        shot = os.path.join(SHOTS, "dashboard-teams.png")
        driver.save_screenshot(shot)
        assert os.path.getsize(shot) > 10000
        print("team board checked; screenshot in", shot)
    finally:
        server.send_signal(signal.SIGTERM)
        rc = server.wait(timeout=60)
    assert rc == 0, rc


def main():
    tmp = tempfile.mkdtemp(prefix="plaudit-dash-")
    for name, value in (("write", WRITE), ("read", READ)):
        with open(os.path.join(tmp, name), "w") as f:
            f.write(value + "\n")
    server = start_server(PROGRAM, tmp)
    driver = None
    try:
        line = server.stdout.readline()
        assert "listening on http://" in line, line
        base = line.split("listening on ", 1)[1].split()[0]
        events = []
        members = ["alice", "bob", "carol", "dave", HOSTILE]
        for i, who in enumerate(members):
            for k in range(2 + i):
                events.append({"ts": T0 + 1000 * i + k, "member": who, "action": "forum.answer"})
        events.append({"ts": T0 + 9000, "type": "kudos", "from": "alice", "to": "carol"})
        # two adjustments that cancel out (carol's points stay), one with a
        # hostile reason, for the points history
        events.append({"ts": T0 + 9500, "type": "adjust", "member": "carol", "points": 2, "reason": HOSTILE,
                       "id": "adj-1"})
        events.append({"ts": T0 + 9501, "type": "adjust", "member": "carol", "points": -2, "reason": "undo"})
        post(base, events)

        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1400,1600", "--no-first-run", "--disable-extensions"):
            opts.add_argument(a)
        driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
        driver.set_page_load_timeout(60)
        wait = WebDriverWait(driver, 60)
        # The token travels in the fragment, which is never sent to the server.
        driver.get(base + "/#token=" + urllib.parse.quote(READ))
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        assert driver.find_element(By.ID, "program-name").text == "Serve test"
        assert "#token" not in driver.current_url
        words = driver.find_element(By.ID, "program-words").text
        assert "Answer: 10 points (at most 200 points per day)" in words, words
        assert "Helper: Answer 2 / 5 times (bonus 5)" in words, words
        assert driver.find_element(By.ID, "stat-members").text == "5"
        cells = table_cells(driver, "#board-table tbody tr")
        assert cells[0] == ["1", HOSTILE, "70"], cells   # 6 answers + 2 helper bonuses
        assert cells[-1][1] == "alice", cells
        # The hostile id is text: no <img> was made from it, the title is intact.
        assert not driver.find_elements(By.CSS_SELECTOR, "#board-table img")
        assert driver.title != "owned"
        options = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#board-select option")]
        assert options == ["All time (all time)", "This month (month)"], options
        assert "Gini of points" in driver.find_element(By.ID, "analytics").text
        assert driver.find_elements(By.CSS_SELECTOR, "#analytics svg polyline")

        # Search a member.
        box = driver.find_element(By.ID, "member-input")
        box.clear()
        box.send_keys("carol")
        driver.find_element(By.ID, "member-search").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "member-id"), "carol"))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#member-neighbours tr"))
        assert driver.find_element(By.ID, "member-points").text == "48"  # 4 answers, 2 bonuses, 1 kudos (3)
        assert driver.find_element(By.ID, "member-tier").text == "member"
        assert "helper" in driver.find_element(By.ID, "member-badges").text
        assert "Next tier regular: 52 more points" in driver.find_element(By.ID, "member-next").text
        ranks = driver.find_element(By.ID, "member-ranks").text
        assert "#3 of 5" in ranks, ranks
        neigh = table_cells(driver, "#member-neighbours tr")
        assert [n[1] for n in neigh] == [HOSTILE, "dave", "carol", "bob", "alice"], neigh
        me = driver.find_element(By.CSS_SELECTOR, "#member-neighbours tr.me")
        assert "carol" in me.text
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#member-history tr[data-seq]"))
        hist = table_cells(driver, "#member-history tr[data-seq]")
        # newest first: the two adjustments, the kudos, then answers and bonuses
        assert hist[0][1:4] == ["-2", "-2", "adjustment: undo"], hist
        assert hist[1][1:5] == ["+2", "+2", "adjustment: " + HOSTILE, "id adj-1"], hist
        assert hist[2][1:4] == ["+3", "+3", "kudos from alice"], hist
        assert "action forum.answer" in [h[3] for h in hist], hist
        assert any(h[3] == "bonus of badge helper" for h in hist), hist
        assert "8 changes of points or balance" in driver.find_element(By.ID, "member-history-count").text
        assert not driver.find_elements(By.CSS_SELECTOR, "#member-history img")
        assert driver.title != "owned"
        # the history adds up to the member's points
        assert sum(int(h[1].replace(",", "")) for h in hist) == 48, hist

        # An unknown member: the library's message, as text.
        box.clear()
        box.send_keys(HOSTILE + "2")
        driver.find_element(By.ID, "member-search").click()
        wait.until(EC.presence_of_element_located((By.ID, "member-error")))
        assert not driver.find_elements(By.CSS_SELECTOR, "#member-card img")
        box.clear()
        box.send_keys("carol")
        driver.find_element(By.ID, "member-search").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "member-id"), "carol"))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#member-neighbours tr"))
        # Live: the page follows the moment stream; a new event moves bob to
        # the top of the board without a reload.
        wait.until(lambda d: "on" in d.find_element(By.ID, "live").get_attribute("class").split())
        post(base, [{"ts": T0 + 20000 + k, "member": "bob", "action": "ping", "id": "live-%d" % k} for k in range(40)])
        wait.until(lambda d: table_cells(d, "#board-table tbody tr:first-child")[:1] == [["1", "bob", "75"]])
        os.makedirs(SHOTS, exist_ok=True)
        shot = os.path.join(SHOTS, "dashboard.png")
        driver.save_screenshot(shot)
        assert os.path.getsize(shot) > 10000
        print("dashboard checked; screenshot in", shot)

        # Without a token the page asks for one.
        driver.execute_script("sessionStorage.clear()")
        driver.get(base + "/")
        wait.until(lambda d: "show" in d.find_element(By.ID, "token-box").get_attribute("class"))
        server.send_signal(signal.SIGTERM)
        rc = server.wait(timeout=60)
        assert rc == 0, rc
        team_tmp = os.path.join(tmp, "teams")
        os.makedirs(team_tmp)
        for name in ("write", "read"):
            shutil.copy(os.path.join(tmp, name), team_tmp)
        team_boards(driver, wait, team_tmp)
    finally:
        if driver:
            driver.quit()
        server.send_signal(signal.SIGTERM)
        rc = server.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)
    assert rc == 0, rc
    return 0


if __name__ == "__main__":
    sys.exit(main())
