"""The examples in examples/ run as documented and record what they claim."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path, store: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env["OBS_STORE"] = str(store)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_langgraph_quickstart_records_an_agent_trace(tmp_path: Path) -> None:
    store = tmp_path / "t.db"
    proc = _run(str(ROOT / "examples" / "langgraph_quickstart.py"), cwd=tmp_path, store=store)
    assert proc.returncode == 0, proc.stderr
    assert "Lisbon: 21°C" in proc.stdout
    listing = _run("-m", "obs_core.cli", "traces", "--json", cwd=tmp_path, store=store)
    assert listing.returncode == 0, listing.stderr
    (only,) = json.loads(listing.stdout)["traces"]
    assert only["root_name"] == "invoke_agent weather-agent"
    assert only["span_count"] == 7
    assert only["cost_usd"] > 0
