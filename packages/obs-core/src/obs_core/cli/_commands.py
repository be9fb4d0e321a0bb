"""Core commands, registered on ``obs_core.cli.app`` when this module is imported.

Each module registers its commands with ``@app.command`` on import; the order
here is the order ``obs --help`` lists them (an import statement would be
re-sorted alphabetically by the linter).
"""

from __future__ import annotations

import importlib

_MODULES = ("_traces", "_report", "_prompts", "_admin")
"""traces and show; report; prompts; semconv and migrate."""

for _module in _MODULES:
    importlib.import_module(f"{__package__}.{_module}")
