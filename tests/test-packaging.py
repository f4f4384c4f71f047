#!/usr/bin/python3
"""test-packaging.py - `pip install` of the Python package, offline, as a
newcomer would do it in a virtualenv.

- `pip wheel .` (meson-python, --no-build-isolation --no-index) builds a
  wheel holding the package (every module of bindings/python/plaudit) and
  its own libplaudit.so, and nothing else (no headers, tools, static
  library);
- the wheel installs into a fresh virtualenv (--system-site-packages, where
  Debian's meson-python is), and there, outside the source tree, with no
  PLAUDIT_LIBRARY or PYTHONPATH, the package loads the library inside it,
  records events into a file store, reads the state back after a restart,
  and `python -m plaudit --version` names that library;
- `pip install ./bindings/python` (the path the bindings' README gives)
  builds and installs the same package into another fresh virtualenv.

The virtualenvs are made --without-pip: Debian's pip, seen through the
system site-packages, installs into the virtualenv it runs in (and making a
virtualenv with its own pip takes longer than the rest of the test).

Usage: test-packaging.py SOURCE_ROOT VERSION [PYTHON]
"""
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

SRC, VERSION = sys.argv[1:3]
PYTHON = sys.argv[3] if len(sys.argv) > 3 else "/usr/bin/python3"


def env():
    """Nothing that points at the source tree or a build, pip offline."""
    e = {k: v for k, v in os.environ.items()
         if k not in ("PLAUDIT_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH", "LD_PRELOAD", "PYTHONHOME")
         and not k.startswith("PIP_")}
    e["PIP_CONFIG_FILE"] = os.devnull
    e["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    return e


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d\nstdout: %s\nstderr: %s" % (
            " ".join(cmd), p.returncode, p.stdout[-6000:], p.stderr[-6000:]))
    return p.stdout


def venv(path):
    run([PYTHON, "-m", "venv", "--system-site-packages", "--without-pip", path])
    py = os.path.join(path, "bin", "python")
    site = run([py, "-c", "import sysconfig; print(sysconfig.get_path('platlib'))"]).strip()
    assert site.startswith(os.path.realpath(path)) or site.startswith(path), site
    return py, site


PIP_OFFLINE = ["--no-build-isolation", "--no-index", "--no-deps", "--no-cache-dir"]

SMOKE = r"""
import json, os, sys
import plaudit
print(os.path.realpath(plaudit.__file__))
print(os.path.realpath(plaudit.LIBRARY_PATH))
program = {"format": "plaudit.program/1",
           "actions": [{"id": "forum.answer", "points": 10}],
           "badges": [{"id": "helper", "when": {"action": "forum.answer", "count": [2]}}]}
store = os.path.join(os.getcwd(), "store")
with plaudit.Engine(program) as eng:
    eng.file_store(store)
    eng.record_action(1767225600, "alice", "forum.answer", id="e-1")
    out = eng.record_action(1767225660, "alice", "forum.answer", id="e-2")
    print([m.badge for m in out.moments if m.badge])
with plaudit.Engine(program) as eng:          # a restart: recovered from the store
    rec = eng.file_store(store)
    state = eng.export_state()
    print(rec.replayed, json.dumps(state["members"]["alice"], sort_keys=True))
"""


def smoke(py, site, work):
    os.makedirs(work)
    lines = run([py, "-c", SMOKE], cwd=work).splitlines()
    pkg = os.path.realpath(os.path.join(site, "plaudit"))
    assert lines[0] == os.path.join(pkg, "__init__.py"), (lines, pkg)
    assert lines[1] == os.path.join(pkg, "libplaudit.so"), (lines, pkg)
    assert lines[2] == "['helper']", lines
    replayed, alice = lines[3].split(" ", 1)
    assert replayed == "2", lines
    assert '"badges": {"helper": 1}' in alice and '"points": 20' in alice, alice
    out = run([py, "-m", "plaudit", "--version"], cwd=work)
    head = "plaudit %s (libplaudit %s, " % (VERSION, VERSION)
    assert out.startswith(head) and out.endswith(")\n"), out
    assert os.path.realpath(out[len(head):-2]) == os.path.join(pkg, "libplaudit.so"), out


def check_wheel(path):
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        lib = z.read("plaudit/libplaudit.so")
        wheel_meta = z.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
    assert lib[:4] == b"\x7fELF", "plaudit/libplaudit.so is not a shared library"
    srcpkg = os.path.join(SRC, "bindings", "python", "plaudit")
    want = {"plaudit/" + n for n in os.listdir(srcpkg) if n.endswith(".py") or n == "py.typed"}
    assert want <= names, sorted(want - names)
    extra = sorted(n for n in names if not n.startswith(("plaudit/", "plaudit-%s.dist-info/" % VERSION)))
    assert not extra, extra
    assert not [n for n in names if n.endswith((".h", ".a", ".pc", "_installed.py"))], sorted(names)
    assert "Root-Is-Purelib: false" in wheel_meta, wheel_meta


def main():
    tmp = tempfile.mkdtemp(prefix="plaudit-packaging-")
    try:
        # 1. The wheel, from the top level.
        py, site = venv(os.path.join(tmp, "venv"))
        dist = os.path.join(tmp, "dist")
        run([py, "-m", "pip", "wheel", *PIP_OFFLINE, "-w", dist, SRC], cwd=tmp)
        wheels = [f for f in os.listdir(dist) if f.endswith(".whl")]
        assert len(wheels) == 1 and wheels[0].startswith("plaudit-%s-" % VERSION), wheels
        check_wheel(os.path.join(dist, wheels[0]))
        run([py, "-m", "pip", "install", "--no-index", "--no-deps", os.path.join(dist, wheels[0])], cwd=tmp)
        smoke(py, site, os.path.join(tmp, "work"))

        # 2. pip install ./bindings/python, into another virtualenv.
        py2, site2 = venv(os.path.join(tmp, "venv2"))
        run([py2, "-m", "pip", "install", *PIP_OFFLINE, os.path.join(SRC, "bindings", "python")], cwd=tmp)
        smoke(py2, site2, os.path.join(tmp, "work2"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("packaging: ok")


if __name__ == "__main__":
    main()
