"""Where the embedded store lives unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_RELATIVE_PATH = Path(".obs") / "telemetry.db"


def default_store_path() -> Path:
    """``OBS_STORE`` if set, else ``.obs/telemetry.db`` under the working directory."""
    env = os.environ.get("OBS_STORE")
    return Path(env) if env else Path.cwd() / DEFAULT_RELATIVE_PATH
