#!/usr/bin/env python3
"""scripts/demo.sh builds only what the demo needs.

    test-demo.py SOURCE_ROOT BUILD_ROOT

Reads the ninja command of scripts/demo.sh and asks ninja (`-t commands`,
nothing is built) what it would run in BUILD_ROOT: the library and the
simulation, and nothing of the tests, the benchmark or the other tools.
Also checks that the demo sets up only the build packages and runs the
simulation it built."""

import re
import shlex
import subprocess
import sys

SOURCE, BUILD = sys.argv[1:3]
script = open(f"{SOURCE}/scripts/demo.sh").read()
lines = [ln.strip() for ln in script.splitlines() if ln.strip().startswith("ninja ")]
assert len(lines) == 1, lines
argv = shlex.split(lines[0])
targets = [a for a in argv[1:] if not a.startswith("-") and a != argv[argv.index("-C") + 1]]
assert targets, f"demo.sh builds every default target: {lines[0]!r}"


def commands(*targets):
    p = subprocess.run(["ninja", "-C", BUILD, "-t", "commands", *targets], capture_output=True, text=True, check=True)
    return [c for c in p.stdout.splitlines() if c.strip()]


demo, everything = commands(*targets), commands()
outputs = [m.group(1) for c in demo for m in [re.search(r" -o (\S+)", c)] if m]
bad = [o for o in outputs if o.startswith(("tests/", "bench/", "bindings/")) or "plaudit-credential" in o]
assert not bad, f"demo.sh builds what the demo does not need: {bad[:5]}"
assert "examples/simulate" in outputs, outputs[-5:]
assert any(o.startswith("lib/libplaudit") for o in outputs), outputs[:5]
assert len(demo) * 2 < len(everything), (len(demo), len(everything))
assert "setup.sh demo" in script and re.search(r"exec \./build/examples/simulate", script), script
print(f"ok: demo.sh builds {len(demo)} of {len(everything)} commands ({', '.join(targets)})")
