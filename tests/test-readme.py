#!/usr/bin/env python3
"""Every command of README.md runs as written.

    test-readme.py README SOURCE_ROOT BUILD_ROOT CC [SANITIZE]

Reads README.md and, in a temporary directory (with `examples` and `build`
linked to the source's examples and to BUILD_ROOT, and the built tools on
PATH):

- writes each file the README shows under a "`NAME`:" line;
- runs every shell command of its code blocks, and every command in inline
  code, that invokes the `plaudit` tool or a built example, and checks its
  exit status (0, or the one written after it as "exits N"); the output
  blocks that follow a command are checked against what it printed (a JSON
  block must equal the output; in a text block each line must appear in
  order, "..." standing for anything);
- for a synopsis (a command with placeholders such as PROGRAM or
  [--trace]), runs `COMMAND --help` and checks that it exits 0 and names
  every option the synopsis shows;
- runs each Python block against the built library and checks what every
  `print(...)  # expected` line prints;
- compiles and runs the C quick start against the built library.

Commands that build or benchmark (scripts/*.sh, meson, ninja, the
benchmark) are listed as not run, with the reason; any other shell command
in a code block fails the test, so that a new kind of command must be
handled here rather than silently skipped.  Standard library only.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Optional

README, SOURCE, BUILD, CC = sys.argv[1:5]
SANITIZE = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] != "none" else ""
README = os.path.abspath(README)
SOURCE = os.path.abspath(SOURCE)
BUILD = os.path.abspath(BUILD)

# Commands run from the temporary directory: the tool, and built examples.
TOOLS = ("plaudit", "./build/examples/")


def is_tool(cmd: str) -> bool:
    first = cmd.split()[0] if cmd.split() else ""
    return first == TOOLS[0] or first.startswith(TOOLS[1])
# Shell commands deliberately not run, with why.
NOT_RUN = {
    "bash scripts/demo.sh": "sets up and builds in the source tree (the simulation itself is run here)",
    "bash scripts/test.sh": "the whole test matrix (it runs this test)",
    "meson setup build-b": "a release build for the benchmark",
    "./build-b/bench/plaudit-bench": "the benchmark: minutes, measured by hand",
    "ninja -C build demo": "runs the simulation, which this test runs directly",
    "cc app.c": "the C quick start is compiled here with the build's paths (against an install by tests/test-install.py)",
    "meson setup build": "a build step",
    "export PYTHONPATH": "an environment setting",
    "head -c 24 /dev/urandom": "makes a token file for plaudit serve",
    "plaudit serve examples/program.json": "a server that runs until SIGTERM (tests/test-serve.py drives it)",
    "curl ": "talks to the server started above (tests/test-serve.py does the same)",
    "export PKG_CONFIG_PATH": "an environment setting (the install is checked by tests/test-install.py)",
    "LD_LIBRARY_PATH=$(pkg-config": "runs the installed program: tests/test-install.py (suite install) does",
    "/usr/bin/python3 -m venv": "pip install in a virtualenv: tests/test-packaging.py (suite packaging) does",
    ".venv/bin/": "pip install in a virtualenv: tests/test-packaging.py (suite packaging) does",
}


@dataclass
class Block:
    kind: str            # "indented", or the fence's language ("" for none)
    text: str
    line: int            # 1-based line of its first line in README.md
    before: str          # the paragraph just before it


@dataclass
class Command:
    argv: list[str]
    line: int
    source: str
    expect: list[tuple[str, Block]] = field(default_factory=list)  # ("stdout" | "stderr", block)
    rc: int = 0


def parse_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = re.match(r"^```(\w*)\s*$", ln)
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            blocks.append(Block(m.group(1), "\n".join(lines[i + 1:j]) + "\n", i + 2, " ".join(para)))
            para = []
            i = j + 1
            continue
        if ln.startswith("    ") and (i == 0 or not lines[i - 1].strip()):
            j = i
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                j += 1
            while j > i and not lines[j - 1].strip():
                j -= 1
            blocks.append(Block("indented", "\n".join(x[4:] for x in lines[i:j]) + "\n", i + 1, " ".join(para)))
            para = []
            i = j
            continue
        if ln.strip():
            para.append(ln.strip())
        else:
            para = [] if not para else para
        i += 1
    return blocks


def shell_lines(text: str) -> list[tuple[int, str]]:
    """Commands of a shell block: continuation lines joined, comments cut."""
    out: list[tuple[int, str]] = []
    cur, start = "", 0
    for k, ln in enumerate(text.splitlines()):
        if not cur:
            start = k
        if ln.rstrip().endswith("\\"):
            cur += ln.rstrip()[:-1] + " "
            continue
        cur += ln
        if cur.strip():
            out.append((start, cur.strip()))
        cur = ""
    return out


PLACEHOLDER = re.compile(r"^\[|^[A-Z][A-Z_-]{1,}$|^\S*[A-Z]{3,}\S*$")


def is_synopsis(argv: list[str]) -> bool:
    return any(PLACEHOLDER.match(a) for a in argv[1:]) and not any(a.startswith("https://") for a in argv)


def strip_comment(cmd: str) -> str:
    # "plaudit check PROGRAM    # validate" -> the command
    return re.sub(r"\s+#\s.*$", "", cmd)


def not_run_reason(cmd: str) -> Optional[str]:
    for prefix, why in NOT_RUN.items():
        if cmd.startswith(prefix):
            return why
    return None


failures: list[str] = []
report: list[str] = []


def fail(where: str, msg: str) -> None:
    failures.append(f"README.md:{where}: {msg}")


def run(argv: list[str], cwd: str, env: dict[str, str], stdin: Optional[bytes] = None,
        timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True, timeout=timeout)


def lines_in_order(expected: str, got: str) -> Optional[str]:
    """None when every expected line matches a line of `got`, in order
    ("..." matches anything); else the first line that does not."""
    out = [ln.rstrip() for ln in got.splitlines()]
    k = 0
    for want in expected.rstrip("\n").splitlines():
        want = want.rstrip()
        if not want:
            continue
        rx = re.compile("^" + ".*".join(re.escape(p) for p in want.split("...")) + "$")
        while k < len(out) and not rx.match(out[k]):
            k += 1
        if k == len(out):
            return want
        k += 1
    return None


def check_output(cmd: Command, p: subprocess.CompletedProcess) -> None:
    for stream, block in cmd.expect:
        got = (p.stdout if stream == "stdout" else p.stderr).decode("utf-8", "replace")
        try:
            want_doc = json.loads(block.text)
        except ValueError:
            want_doc = None
        if want_doc is not None:
            try:
                got_doc = json.loads(got)
            except ValueError:
                fail(str(block.line), f"{cmd.source!r}: {stream} is not the JSON document shown")
                continue
            if got_doc != want_doc:
                fail(str(block.line), f"{cmd.source!r}: {stream} differs from the document shown:\n{got}")
            continue
        missing = lines_in_order(block.text, got)
        if missing is not None:
            fail(str(block.line), f"{cmd.source!r}: {stream} lacks the line shown: {missing!r}\n--- got:\n{got}")


def main() -> int:
    text = open(README, encoding="utf-8").read()
    lines = text.splitlines()
    blocks = parse_blocks(lines)
    tmp = tempfile.mkdtemp(prefix="plaudit-readme-")
    os.symlink(os.path.join(SOURCE, "examples"), os.path.join(tmp, "examples"))
    os.symlink(BUILD, os.path.join(tmp, "build"))
    env = dict(os.environ)
    env["PATH"] = os.path.join(BUILD, "examples") + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = os.path.join(SOURCE, "bindings", "python")
    env["PLAUDIT_LIBRARY"] = os.path.join(BUILD, "lib", "libplaudit.so")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    py_env = dict(env)
    if "address" in SANITIZE:
        # a sanitized library loads into the interpreter only with the ASan
        # runtime preloaded (as the binding tests do)
        name = "libclang_rt.asan-x86_64.so" if "clang" in os.path.basename(CC) else "libasan.so"
        rt = subprocess.run([CC, f"-print-file-name={name}"], capture_output=True, text=True).stdout.strip()
        py_env["LD_PRELOAD"] = rt
        py_env["ASAN_OPTIONS"] = "detect_leaks=0"

    # files the README shows: a block just after a line "`NAME`:"
    for b in blocks:
        m = re.search(r"`([\w.-]+\.(?:json|jsonl))`:$", b.before)
        if m and b.kind != "indented":
            with open(os.path.join(tmp, m.group(1)), "w", encoding="utf-8") as f:
                f.write(b.text)
            report.append(f"file {m.group(1)} (line {b.line})")

    # commands: shell blocks, then inline code in the prose
    commands: list[Command] = []
    order: list[tuple[int, object]] = []  # (line, Command | Block) in reading order
    for b in blocks:
        if b.kind in ("indented", "sh", "bash", "shell"):
            for k, cmd in shell_lines(b.text):
                cmd = strip_comment(cmd)
                if cmd.startswith("#"):
                    continue
                c = Command(shlex.split(cmd), b.line + k, cmd)
                commands.append(c)
                order.append((c.line, c))
        else:
            order.append((b.line, b))
    in_block = set()
    for b in blocks:
        n = b.text.count("\n") + (2 if b.kind != "indented" else 0)
        in_block.update(range(b.line - 1, b.line + n))
    prose = "\n".join("" if (i + 1) in in_block else ln for i, ln in enumerate(lines))
    for m in re.finditer(r"`([^`]+)`", prose):
        span = " ".join(m.group(1).split())
        if not is_tool(span):
            continue
        argv = shlex.split(span)
        if len(argv) < 2 or (len(argv) == 2 and not argv[1].startswith("-")):
            continue  # a mention ("`plaudit check`"), not a command
        line = prose.count("\n", 0, m.start()) + 1
        after = prose[m.end():m.end() + 200]
        c = Command(argv, line, span)
        rc = re.match(r"\s*(?:exits|exit status)\s+(\d+)", after)
        if rc:
            c.rc = int(rc.group(1))
        commands.append(c)
        order.append((line, c))
    order.sort(key=lambda x: x[0])

    # the output blocks after a command (until the next command)
    current: Optional[Command] = None
    for _, item in order:
        if isinstance(item, Command):
            current = item
        elif current is not None and isinstance(item, Block) and item.kind in ("", "json"):
            if re.search(r"`[\w.-]+`:$", item.before):
                continue  # a file, not output
            stream = "stderr" if "standard error" in item.before else "stdout"
            current.expect.append((stream, item))

    for c in commands:
        where = str(c.line)
        why = not_run_reason(c.source)
        if why is not None:
            report.append(f"not run (line {c.line}): {c.source}  [{why}]")
            continue
        if not is_tool(c.source):
            fail(where, f"a shell command this test does not know how to run: {c.source!r} "
                        "(run it here, or list it in NOT_RUN with the reason)")
            continue
        if is_synopsis(c.argv) and c.argv[0] == "plaudit" and c.argv[1] == "COMMAND":
            # every command the whole help lists has its own help
            full = run(["plaudit", "--help"], tmp, env).stdout.decode()
            cmds = re.findall(r"^  ([a-z-]+) ", full.split("Commands:", 1)[1].split("Common options:")[0], re.M)
            for name in cmds:
                p = run(["plaudit", name, "--help"], tmp, env)
                if p.returncode != 0 or not p.stdout.decode().startswith(f"Usage: plaudit {name} "):
                    fail(where, f"plaudit {name} --help does not print its own usage (exit {p.returncode})")
            report.append(f"synopsis (line {c.line}): {c.source}: {len(cmds)} commands print their own help")
            continue
        if is_synopsis(c.argv):
            words = c.argv[:2] if c.argv[0] == "plaudit" and not c.argv[1].startswith(("-", "[")) else c.argv[:1]
            p = run(words + ["--help"], tmp, env)
            helptext = p.stdout.decode()
            if p.returncode != 0:
                fail(where, f"{' '.join(words)} --help exited {p.returncode}")
                continue
            if len(words) == 2 and not helptext.startswith(f"Usage: plaudit {words[1]} "):
                fail(where, f"{' '.join(words)} --help does not print that command's usage")
            for opt in re.findall(r"--[a-z][a-z-]*", c.source):
                if opt not in helptext:
                    fail(where, f"{c.source!r}: {opt} is not in `{' '.join(words)} --help`")
            report.append(f"synopsis (line {c.line}): {' '.join(words)} --help names "
                          f"{len(re.findall(r'--[a-z][a-z-]*', c.source))} options")
            continue
        argv = c.argv
        if argv[0] == "plaudit":
            argv = [os.path.join(BUILD, "examples", "plaudit")] + argv[1:]
        p = run(argv, tmp, env)
        if p.returncode != c.rc:
            fail(where, f"{c.source!r} exited {p.returncode}, not {c.rc}:\n{p.stderr.decode('utf-8', 'replace')}")
            continue
        check_output(c, p)
        report.append(f"ran (line {c.line}): {c.source}  [exit {p.returncode}, {len(c.expect)} output blocks]")

    # Python blocks
    for b in blocks:
        if b.kind != "python":
            continue
        path = os.path.join(tmp, f"readme-{b.line}.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(b.text)
        p = run(["/usr/bin/python3", path], tmp, py_env)
        if p.returncode != 0:
            fail(str(b.line), f"the Python block exited {p.returncode}:\n{p.stderr.decode('utf-8', 'replace')}")
            continue
        want = [m.group(1) for m in re.finditer(r"^\s*print\(.*\)\s+#\s(.+)$", b.text, re.M)]
        missing = lines_in_order("\n".join(want), p.stdout.decode())
        if missing is not None:
            fail(str(b.line), f"the Python block does not print {missing!r}; it printed:\n{p.stdout.decode()}")
        report.append(f"python (line {b.line}): exit 0, {len(want)} printed lines checked")

    # the C quick start
    for b in blocks:
        if b.kind != "c" or "int main" not in b.text:
            continue
        src = os.path.join(tmp, f"readme-{b.line}.c")
        exe = src[:-2]
        with open(src, "w", encoding="utf-8") as f:
            f.write(b.text)
        lib = os.path.join(BUILD, "lib")
        san = [f"-fsanitize={SANITIZE}"] if SANITIZE else []
        p = run([CC, "-std=c11", "-Wall", "-Werror", *san, "-I", os.path.join(SOURCE, "include"), "-I", BUILD, src,
                 "-o", exe, "-L", lib, "-lplaudit", f"-Wl,-rpath,{lib}"], tmp, env)
        if p.returncode != 0:
            fail(str(b.line), f"the C block does not compile:\n{p.stderr.decode('utf-8', 'replace')}")
            continue
        p = run([exe], tmp, env)
        if p.returncode != 0:
            fail(str(b.line), f"the C block exited {p.returncode}")
            continue
        if "earned" in b.text and b"alice earned helper level 1" not in p.stdout:
            fail(str(b.line), f"the C block does not print what its comment says:\n{p.stdout.decode()}")
        report.append(f"c (line {b.line}): compiled and ran, exit 0")

    shutil.rmtree(tmp, ignore_errors=True)
    for r in report:
        print(r)
    ran = sum(1 for r in report if r.startswith(("ran", "synopsis", "python", "c ")))
    if ran < 8:
        fail("-", f"only {ran} commands and blocks were run: the README parser missed some")
    for f_ in failures:
        print("FAIL " + f_)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
