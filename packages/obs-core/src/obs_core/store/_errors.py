"""Errors a user of the store can meet, each saying what to do next.

Every message is one line: the CLI prints it as is on stderr. Errors in the
request itself (a malformed or ambiguous trace id) derive from
:class:`StoreUsageError` so the CLI can exit with the usage code (2) for them
and with 1 for everything else.
"""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class: the store at a path cannot be used as asked."""


class StoreUsageError(StoreError):
    """The request was wrong, not the store (the CLI exits with 2)."""


class StoreNotFoundError(StoreError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no obs store at {path}: run a program that calls obs_core.configure() (or `obs demo`) first, "
            "or point --store / OBS_STORE at an existing .obs/telemetry.db"
        )


class StoreCorruptError(StoreError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"{path} is not a readable obs store ({detail}); it was left untouched. "
            "Move it aside and let obs create a new one, or point --store / OBS_STORE elsewhere"
        )


class StoreTooNewError(StoreError):
    def __init__(self, path: Path, found: int, supported: int) -> None:
        super().__init__(
            f"{path} has schema version {found}, newer than this obs understands ({supported}); "
            "it was left untouched. Upgrade obs (pip install -U obs-core) or use another store"
        )


class StoreNeedsMigrationError(StoreError):
    def __init__(self, path: Path, found: int, readable_from: int) -> None:
        super().__init__(
            f"{path} has schema version {found}, older than this obs reads ({readable_from} or later); "
            f"it was left untouched. Upgrade it with `obs migrate --store {path}`"
        )


class InvalidTraceIdError(StoreUsageError):
    def __init__(self, given: str) -> None:
        super().__init__(
            f"{given!r} is not a trace id: give the 32 hex digits or a unique prefix, as listed by `obs traces`"
        )


class AmbiguousTraceIdError(StoreUsageError):
    def __init__(self, prefix: str, matches: list[str]) -> None:
        shown = ", ".join(matches[:2]) + (", ..." if len(matches) > 2 else "")
        super().__init__(f"trace id prefix {prefix!r} matches several traces ({shown}): give more digits")


class TraceNotFoundError(StoreError):
    def __init__(self, prefix: str, path: Path) -> None:
        super().__init__(f"no trace whose id starts with {prefix!r} in {path}: list trace ids with `obs traces`")
