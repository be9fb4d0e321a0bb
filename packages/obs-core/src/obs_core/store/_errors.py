"""Errors a user of the store can meet, each saying what to do next."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class: the store at a path cannot be used as asked."""


class StoreNotFoundError(StoreError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no obs store at {path}: run an instrumented program first (e.g. `obs demo`), "
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
