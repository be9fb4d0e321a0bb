"""Write the telemetry reference (from ``obs_core.semconv.catalogue()``) into README.md.

Only the text between the markers is rewritten, so the README stays hand-written
everywhere else::

    <!-- telemetry-reference:start -->
    ... generated table ...
    <!-- telemetry-reference:end -->

Usage: ``uv run python scripts/gen_reference.py [--check] [README]``. ``--check``
changes nothing and exits 1 when the README is stale (CI and the test suite run
it); missing markers exit 2 with a message saying where to put them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from obs_core.semconv import reference_markdown

START = "<!-- telemetry-reference:start -->"
END = "<!-- telemetry-reference:end -->"
DEFAULT_README = Path(__file__).resolve().parent.parent / "README.md"


class MarkersMissingError(ValueError):
    """The README has no (or misordered) reference markers."""


def render(readme_text: str, table: str | None = None) -> str:
    """``readme_text`` with the generated table between the markers."""
    start = readme_text.find(START)
    end = readme_text.find(END)
    if start < 0 or end < 0 or end < start:
        raise MarkersMissingError(
            f"README.md needs the lines {START!r} and {END!r} (in that order) where the telemetry "
            "reference belongs; add them, then run `uv run python scripts/gen_reference.py`"
        )
    body = table if table is not None else reference_markdown()
    return readme_text[: start + len(START)] + "\n" + body.rstrip("\n") + "\n" + readme_text[end:]


def is_current(readme_text: str) -> bool:
    return render(readme_text) == readme_text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("readme", nargs="?", type=Path, default=DEFAULT_README)
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is stale; write nothing")
    args = parser.parse_args(argv)
    path: Path = args.readme
    text = path.read_text(encoding="utf-8")
    try:
        updated = render(text)
    except MarkersMissingError as exc:
        print(f"gen_reference: {path}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if updated != text:
            print(
                f"gen_reference: the telemetry reference in {path} is stale; "
                "run `uv run python scripts/gen_reference.py`",
                file=sys.stderr,
            )
            return 1
        return 0
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        print(f"gen_reference: updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
