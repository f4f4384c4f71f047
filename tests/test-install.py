#!/usr/bin/python3
"""test-install.py - `meson install` as a newcomer uses it.

Installs the build directory into a temporary staging tree (DESTDIR), then,
outside the source tree and with nothing pointing at the build:
- every file is where it belongs (headers, shared and static library,
  pkg-config file, the plaudit tool, the Python package: every module of
  bindings/python/plaudit);
- tests/install/app.c builds with `pkg-config --cflags --libs plaudit` and
  runs against the installed shared library, and links the static library
  (`pkg-config --static --libs`) into a program that needs no libplaudit.so;
- the installed `plaudit --version` runs (it finds the library beside it);
- the installed Python package imports, loads the installed library (not
  one from a build directory) and records an event; `python -m plaudit
  --version` names that library.

Run by meson test (tests/meson.build gives the options).
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import tempfile

ap = argparse.ArgumentParser()
for name in ("source-root", "build-root", "prefix", "libdir", "includedir", "bindir", "version",
             "pkg-config", "python"):
    ap.add_argument("--" + name, required=True)
ap.add_argument("--soversion", type=int, required=True)
ap.add_argument("--meson", action="append", required=True, help="the meson command, one word each")
ap.add_argument("--cc", action="append", required=True, help="the C compiler command, one word each")
ap.add_argument("--cflag", action="append", default=[], help="extra flags (the build's sanitizers)")
ap.add_argument("--readelf", default="")
ap.add_argument("--tool", action="store_true", help="the plaudit tool is installed")
ap.add_argument("--python-package-dir", default="", help="where the Python package is installed")
ap.add_argument("--python-preload", default="", help="LD_PRELOAD for Python (a sanitized library)")
A = ap.parse_args()
CFG = {k.replace("-", "_"): v for k, v in vars(A).items()}
CFG["cflags"] = A.cflag
SRC = A.source_root
VERSION = A.version


def run(cmd, env=None, cwd=None):
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d\nstdout: %s\nstderr: %s" % (
            " ".join(cmd), p.returncode, p.stdout[-4000:], p.stderr[-4000:]))
    return p.stdout


def staged(destdir, path):
    """`path` (absolute, or relative to the prefix) inside the staging tree."""
    if not os.path.isabs(path):
        path = os.path.join(CFG["prefix"], path)
    return destdir + path


def base_env():
    """The environment without anything that points at the build or source."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PLAUDIT_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH",
                        "PKG_CONFIG_SYSROOT_DIR", "LD_PRELOAD")}
    return env


def main():
    tmp = tempfile.mkdtemp(prefix="plaudit-install-")
    try:
        destdir = os.path.join(tmp, "stage")
        run([*CFG["meson"], "install", "-C", CFG["build_root"], "--no-rebuild", "--quiet",
             "--destdir", destdir])
        libdir = staged(destdir, CFG["libdir"])
        includedir = staged(destdir, CFG["includedir"])
        bindir = staged(destdir, CFG["bindir"])

        # Files.
        want = [os.path.join(includedir, "plaudit.h"),
                os.path.join(includedir, "plaudit", "export.h"),
                os.path.join(includedir, "plaudit", "store.h"),
                os.path.join(libdir, "libplaudit.so"),
                os.path.join(libdir, "libplaudit.so.%d" % CFG["soversion"]),
                os.path.join(libdir, "libplaudit.a"),
                os.path.join(libdir, "pkgconfig", "plaudit.pc")]
        if CFG["tool"]:
            want.append(os.path.join(bindir, "plaudit"))
        pkgdir = staged(destdir, CFG["python_package_dir"]) if CFG["python_package_dir"] else None
        if pkgdir:
            srcpkg = os.path.join(SRC, "bindings", "python", "plaudit")
            for name in sorted(os.listdir(srcpkg)):
                if name.endswith(".py") or name == "py.typed":
                    want.append(os.path.join(pkgdir, name))
            want.append(os.path.join(pkgdir, "_installed.py"))
        missing = [w for w in want if not os.path.exists(w)]
        assert not missing, "not installed: %s" % missing
        real = os.path.realpath(os.path.join(libdir, "libplaudit.so"))
        assert os.path.basename(real).startswith("libplaudit.so.%d." % CFG["soversion"]), real

        # A C program, built with pkg-config against the staged prefix.
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        app = os.path.join(work, "app.c")
        shutil.copy(os.path.join(SRC, "tests", "install", "app.c"), app)
        env = base_env()
        env["PKG_CONFIG_PATH"] = os.path.join(libdir, "pkgconfig")
        env["PKG_CONFIG_SYSROOT_DIR"] = destdir  # the .pc names the final prefix
        flags = shlex.split(run([CFG["pkg_config"], "--cflags", "--libs", "plaudit"], env=env))
        assert "-lplaudit" in flags, flags
        assert "-I" + includedir in flags, (flags, includedir)
        cc = CFG["cc"] + CFG["cflags"]
        run([*cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "app.c", "-o", "app", *flags], env=env, cwd=work)
        run_env = base_env()
        run_env["LD_LIBRARY_PATH"] = libdir
        out = run([os.path.join(work, "app")], env=run_env, cwd=work)
        check_app_output(out)

        # The static library: no libplaudit.so needed at run time.
        sflags = shlex.split(run([CFG["pkg_config"], "--static", "--cflags", "--libs", "plaudit"], env=env))
        static = os.path.join(libdir, "libplaudit.a")
        sflags = [static if t == "-lplaudit" else t for t in sflags]
        assert static in sflags, sflags
        run([*cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "app.c", "-o", "app-static", *sflags],
            env=env, cwd=work)
        if CFG["readelf"]:
            dyn = run([CFG["readelf"], "-d", os.path.join(work, "app-static")])
            assert "libplaudit" not in dyn, dyn
        out = run([os.path.join(work, "app-static")], env=base_env(), cwd=work)
        check_app_output(out)

        # The tool, as installed (its run path finds the library beside it).
        if CFG["tool"]:
            out = run([os.path.join(bindir, "plaudit"), "--version"], env=base_env(), cwd=work)
            assert out == "plaudit %s (libplaudit %s)\n" % (VERSION, VERSION), out

        # The Python package, as installed.
        if pkgdir:
            py_env = base_env()
            py_env["PYTHONPATH"] = os.path.dirname(pkgdir)
            py_env["PYTHONDONTWRITEBYTECODE"] = "1"
            if CFG["python_preload"]:
                py_env["LD_PRELOAD"] = CFG["python_preload"]
                py_env["ASAN_OPTIONS"] = "detect_leaks=0"
            smoke = (
                "import os, plaudit\n"
                "print(os.path.realpath(plaudit.__file__))\n"
                "print(os.path.realpath(plaudit.LIBRARY_PATH))\n"
                "prog = {'format': 'plaudit.program/1', 'actions': [{'id': 'forum.answer', 'points': 10}]}\n"
                "with plaudit.Engine(prog) as eng:\n"
                "    eng.record_action(1767225600, 'alice', 'forum.answer', id='e-1')\n"
                "    print(eng.member('alice').points, sorted(eng.export_state()['members']))\n"
            )
            lines = run([CFG["python"], "-c", smoke], env=py_env, cwd=work).splitlines()
            assert lines[0] == os.path.realpath(os.path.join(pkgdir, "__init__.py")), lines
            assert lines[1] == os.path.realpath(os.path.join(libdir, "libplaudit.so.%d" % CFG["soversion"])), \
                (lines, libdir)
            assert lines[2] == "10 ['alice']", lines
            out = run([CFG["python"], "-m", "plaudit", "--version"], env=py_env, cwd=work)
            assert out.startswith("plaudit %s (libplaudit %s, " % (VERSION, VERSION)), out
            assert libdir in out, out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("install: ok")


def check_app_output(out):
    lines = out.splitlines()
    assert lines[0] == "alice earned helper level 1", out
    state = json.loads("\n".join(lines[1:-1]))
    assert state["members"]["alice"]["points"] == 100, state
    assert state["members"]["alice"]["badges"] == {"helper": 1}, state
    assert lines[-1] == "libplaudit %s" % VERSION, out


if __name__ == "__main__":
    main()
