"""The build backend of bindings/python/pyproject.toml.

The wheel holds libplaudit, compiled from the C sources at the top of the
repository, so the wheel is built there: every hook runs meson-python's
with the repository's top level as the current directory (where its
pyproject.toml and meson.build are).  Output directories are made absolute
first, since pip names them relative to bindings/python.
"""

from __future__ import annotations

import contextlib
import functools
import os
from typing import Any, Callable, Iterator

import mesonpy

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


@contextlib.contextmanager
def _at_root() -> Iterator[None]:
    if not os.path.isfile(os.path.join(ROOT, "meson.build")) or not os.path.isfile(
            os.path.join(ROOT, "pyproject.toml")):
        raise RuntimeError(
            f"bindings/python is built from the Plaudit source tree it belongs to; "
            f"{ROOT} has no meson.build and pyproject.toml (build from a full checkout)")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(cwd)


def _into(hook: Callable[..., Any]) -> Callable[..., Any]:
    """A hook whose first argument is an output directory."""
    @functools.wraps(hook)
    def run(directory: str, *args: Any, **kwargs: Any) -> Any:
        directory = os.path.abspath(directory)
        with _at_root():
            return hook(directory, *args, **kwargs)
    return run


def _plain(hook: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(hook)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _at_root():
            return hook(*args, **kwargs)
    return run


build_wheel = _into(mesonpy.build_wheel)
build_sdist = _into(mesonpy.build_sdist)
get_requires_for_build_wheel = _plain(mesonpy.get_requires_for_build_wheel)
get_requires_for_build_sdist = _plain(mesonpy.get_requires_for_build_sdist)
