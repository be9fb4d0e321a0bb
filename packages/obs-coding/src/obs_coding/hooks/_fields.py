"""Tolerant reads of hook payload fields: a wrong type is treated as absent, never as an error."""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from typing import Any


def as_mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
