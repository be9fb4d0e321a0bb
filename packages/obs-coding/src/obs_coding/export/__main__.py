"""``python -m obs_coding.export``: the background exporter a Claude Code Stop hook starts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m obs_coding.export", description=__doc__)
    parser.add_argument("--ledger", type=Path, required=True)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--service-name", default="claude-code")
    args = parser.parse_args(argv)
    try:
        from ._run import run_export

        run_export(args.ledger, store_path=args.store, service_name=args.service_name)
    except Exception as exc:  # noqa: BLE001 - a background exporter reports and leaves the rows for the next one
        print(f"obs-coding export: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
