"""Lazy package facades (PEP 562), because the hook process has a 50 ms budget.

Python runs a package's ``__init__`` before any of its modules, so an eager
facade makes ``obs_coding.hooks`` pay for OpenTelemetry, git and every regex
table in the package. Facades built with :func:`lazy_exports` import a name's
module only when the name is first used; type checkers read the
``TYPE_CHECKING`` imports beside them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a facade mapping public names to (relative) module names."""

    def __getattr__(name: str) -> object:
        target = exports.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(target, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(exports) | set(vars(sys.modules[package])))

    return __getattr__, __dir__
