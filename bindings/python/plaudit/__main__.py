"""``python -m plaudit``: which bindings and which libplaudit are in use.

``python -m plaudit --version`` prints the package's version, the loaded
library's version and the file it was loaded from (the first thing to look
at when an installed package picks up an unexpected library).
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m plaudit",
        description="Python bindings for libplaudit, the embeddable recognition and gamification engine.",
    )
    parser.add_argument("--version", action="store_true",
                        help="print the bindings' and the library's versions and the library's path")
    args = parser.parse_args(argv)
    if not args.version:
        parser.print_help(sys.stderr)
        return 2
    import plaudit

    print(f"plaudit {plaudit.__version__} (libplaudit {plaudit.version()}, {plaudit.LIBRARY_PATH})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
