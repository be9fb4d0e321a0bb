"""``obs hook install --claude-code``: merge into settings.json without clobbering, and take out exactly that."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from obs_coding.hooks import HOOK_EVENTS, SettingsError, install, is_obs_command, settings_path, uninstall

EXISTING: dict[str, Any] = {
    "$schema": "https://json.schemastore.org/claude-code-settings.json",
    "permissions": {"allow": ["Bash(npm run lint)"], "deny": ["Read(./.env)"]},
    "env": {"FOO": "bar"},
    "hooks": {
        "PostToolUse": [
            {"matcher": "Edit|Write", "hooks": [{"type": "command", "command": 'npx prettier --write "$FILE"'}]}
        ],
        "Notification": [{"hooks": [{"type": "command", "command": "notify-send Claude"}]}],
    },
    "model": "opus",
}
COMMAND = "obs-hook claude-code"


def write(path: Path, data: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def test_install_adds_one_group_per_event_and_keeps_everything_else(tmp_path: Path) -> None:
    path = settings_path("project", tmp_path)
    assert path == tmp_path / ".claude" / "settings.json"
    original = write(path, EXISTING)
    path.chmod(0o644)
    assert install(path, COMMAND).changed == len(HOOK_EVENTS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # the rename keeps the file readable by the team's tools
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {k: v for k, v in data.items() if k != "hooks"} == {k: v for k, v in EXISTING.items() if k != "hooks"}
    assert data["hooks"]["PostToolUse"] == [
        EXISTING["hooks"]["PostToolUse"][0],
        {"matcher": "*", "hooks": [{"type": "command", "command": COMMAND, "timeout": 10}]},
    ]
    assert data["hooks"]["Notification"] == EXISTING["hooks"]["Notification"]
    assert data["hooks"]["Stop"] == [{"hooks": [{"type": "command", "command": COMMAND, "timeout": 10}]}]
    assert sorted(data["hooks"]) == sorted({"Notification", *(event for event, _ in HOOK_EVENTS)})

    assert install(path, COMMAND).changed == 0  # idempotent
    assert uninstall(path).changed == len(HOOK_EVENTS)
    assert path.read_text(encoding="utf-8") == original  # byte for byte, key order included
    assert uninstall(path).changed == 0


def test_a_fresh_file_is_created_and_removed_back_to_empty(tmp_path: Path) -> None:
    path = settings_path("local", tmp_path)
    install(path, "/opt/venv/bin/obs-hook claude-code")
    assert path.name == "settings.local.json"
    uninstall(path)
    assert json.loads(path.read_text(encoding="utf-8")) == {}


def test_entries_the_user_put_in_a_shared_group_survive_uninstall(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    shared = {
        "hooks": {
            "Stop": [
                {
                    "hooks": [
                        {"type": "command", "command": "say done"},
                        {"type": "command", "command": "obs hook claude-code"},
                    ]
                }
            ]
        }
    }
    write(path, shared)
    assert uninstall(path).changed == 1
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}
    }


def test_invalid_json_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"hooks": {', encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid JSON"):
        install(path, COMMAND)
    assert path.read_text(encoding="utf-8") == '{"hooks": {'


def test_only_obs_commands_are_recognised() -> None:
    assert is_obs_command("obs-hook claude-code")
    assert is_obs_command("'/home/me/.venv/bin/obs-hook' claude-code")
    assert is_obs_command("obs hook claude-code")
    assert is_obs_command("/usr/bin/python3 -m obs_coding.hooks claude-code")
    assert not is_obs_command("npx prettier --write")
    assert not is_obs_command("my-obs-hooker claude-codes")
    with pytest.raises(SettingsError):
        install(Path("unused.json"), "rm -rf /")
