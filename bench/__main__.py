"""``python -m bench [--quick] [--output PATH] [--only PART ...]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Config
from .report import VERDICTS
from .suite import DEFAULT_OUTPUT, PARTS, run_suite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help="fewer rounds and sizes, same code paths (under a minute)")
    size.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # smoke test
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help=f"where to write the report (default {DEFAULT_OUTPUT})")
    parser.add_argument("--only", nargs="+", choices=list(PARTS), metavar="PART",
                        help=f"run only these parts: {', '.join(PARTS)}")
    args = parser.parse_args(argv)
    config = Config.tiny() if args.tiny else Config.quick() if args.quick else Config.full()
    sections, _ = run_suite(config, args.output, args.only,
                            log=lambda line: print(line, file=sys.stderr, flush=True))
    for section in sections:
        for t in section.targets:
            print(f"{VERDICTS[t.met]:>12}  {t.target}: {t.measured}")
    print(f"wrote {args.output}")
    return 1 if any(s.failed for s in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
