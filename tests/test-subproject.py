#!/usr/bin/python3
"""test-subproject.py - Plaudit as a meson subproject of an application.

Copies tests/subproject-consumer to a temporary directory, makes its
subprojects/plaudit a symlink to this source tree, and configures it with
the fallback forced (an installed libplaudit must not be picked up):
- of Plaudit only the shared and static library are built (no tests,
  examples, tools, benchmark, no Python package installed), and no test of
  Plaudit is registered in the parent;
- the parent's program builds, links the library and runs;
- asking for more (-Dplaudit:tools=enabled) adds the plaudit tool.

Usage: test-subproject.py SOURCE_ROOT VERSION MESON CC...
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC, VERSION, MESON = sys.argv[1:4]
CC = sys.argv[4:]


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d\nstdout: %s\nstderr: %s" % (
            " ".join(cmd), p.returncode, p.stdout[-4000:], p.stderr[-4000:]))
    return p.stdout


def introspect(build, what):
    return json.loads(run([MESON, "introspect", build, "--" + what]))


def plaudit_targets(build):
    return sorted((t["type"], t["name"]) for t in introspect(build, "targets")
                  if t.get("subproject") == "plaudit" and t["build_by_default"])


def main():
    tmp = tempfile.mkdtemp(prefix="plaudit-subproject-")
    try:
        parent = os.path.join(tmp, "consumer")
        shutil.copytree(os.path.join(SRC, "tests", "subproject-consumer"), parent)
        os.makedirs(os.path.join(parent, "subprojects"))
        os.symlink(SRC, os.path.join(parent, "subprojects", "plaudit"))
        build = os.path.join(tmp, "build")
        env = {k: v for k, v in os.environ.items() if k not in ("CFLAGS", "LDFLAGS")}
        env["CC"] = " ".join(CC)
        run([MESON, "setup", build, parent, "--force-fallback-for=plaudit", "--buildtype=plain"], env=env)

        got = plaudit_targets(build)
        assert got == [("shared library", "plaudit"), ("static library", "plaudit")], got
        tests = [t["name"] for t in introspect(build, "tests")]
        assert tests == ["consumer"], tests
        installed = list(introspect(build, "installed").values())
        assert not [p for p in installed if "/bin/" in p or "-packages/" in p], installed
        assert [p for p in installed if p.endswith("/plaudit.h")], installed

        run(["ninja", "-C", build], env=env)
        out = run([os.path.join(build, "consumer")])
        assert out == "ann +5 (libplaudit %s)\n" % VERSION, out

        # Asked for explicitly, the tool is built too.
        run([MESON, "setup", "--reconfigure", build, parent, "-Dplaudit:tools=enabled"], env=env)
        got = plaudit_targets(build)
        assert ("executable", "plaudit") in got, got
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("subproject: ok")


if __name__ == "__main__":
    main()
