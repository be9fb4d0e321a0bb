"""``obs hook install --claude-code``: merge obs's hooks into ``.claude/settings.json`` and take them out again.

Settings files are the user's: other hooks, permissions and every unknown key
stay exactly as they were. obs adds one matcher group per event holding only
its own command, recognises its entries later by that command, and on
``--uninstall`` removes those entries (and only the groups and lists that
became empty because of it). A file that is not valid JSON is refused, never
overwritten. Writes go through a temporary file and a rename.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Scope = Literal["project", "local", "user"]

HOOK_EVENTS: tuple[tuple[str, str | None], ...] = (
    ("SessionStart", None),
    ("UserPromptSubmit", None),
    ("PreToolUse", "*"),
    ("PostToolUse", "*"),
    ("PostToolUseFailure", "*"),
    ("Stop", None),
    ("SessionEnd", None),
)
"""Events obs listens to, with the tool matcher for tool events (``*`` = every tool)."""
HOOK_TIMEOUT_S = 10
_OURS = re.compile(
    r"(^|[\s/\\\"'])obs-hook(\.exe)?[\"']?\s+claude-code\b|\bobs\s+hook\s+claude-code\b|obs_coding\.hooks"
)


class SettingsError(Exception):
    """The settings file cannot be merged safely (not JSON, or an unexpected shape)."""


@dataclass(frozen=True, slots=True)
class InstallResult:
    path: Path
    """The settings file written (or that would have been)."""
    changed: int
    """Hook entries added (install) or removed (uninstall)."""


def settings_path(scope: Scope, project_dir: Path | None = None) -> Path:
    """``.claude/settings.json`` (project, shared), ``settings.local.json`` (project, personal) or the user's."""
    if scope == "user":
        return Path.home() / ".claude" / "settings.json"
    base = project_dir or Path.cwd()
    return base / ".claude" / ("settings.local.json" if scope == "local" else "settings.json")


def default_command() -> str:
    """The hook command: ``obs-hook`` from PATH, else by absolute path, else through this interpreter."""
    if shutil.which("obs-hook"):
        return "obs-hook claude-code"
    beside = Path(sys.executable).parent / ("obs-hook.exe" if os.name == "nt" else "obs-hook")
    if beside.exists():
        return f"{shlex.quote(str(beside))} claude-code"
    return f"{shlex.quote(sys.executable)} -m obs_coding.hooks claude-code"


def is_obs_command(command: object) -> bool:
    return isinstance(command, str) and _OURS.search(command) is not None


def install(path: Path, command: str | None = None, *, timeout_s: int = HOOK_TIMEOUT_S) -> InstallResult:
    """Add obs's hook to every event it needs; events that already have it are left alone."""
    command = command or default_command()
    if not is_obs_command(command):
        raise SettingsError(f"{command!r} does not look like the obs hook command (obs-hook claude-code)")
    settings = _load(path)
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise SettingsError(f"{path}: 'hooks' is not an object; fix it by hand first")
    added = 0
    for event, matcher in HOOK_EVENTS:
        groups = hooks.setdefault(event, [])
        if not isinstance(groups, list):
            raise SettingsError(f"{path}: hooks.{event} is not a list; fix it by hand first")
        if any(is_obs_command(h.get("command")) for g in groups if isinstance(g, dict) for h in _entries(g)):
            continue
        group: dict[str, Any] = {} if matcher is None else {"matcher": matcher}
        group["hooks"] = [{"type": "command", "command": command, "timeout": timeout_s}]
        groups.append(group)
        added += 1
    if added:
        _write(path, settings)
    return InstallResult(path, added)


def uninstall(path: Path) -> InstallResult:
    """Remove obs's hook entries, and the groups, lists and ``hooks`` object left empty by that."""
    if not path.exists():
        return InstallResult(path, 0)
    settings = _load(path)
    hooks = settings.get("hooks")
    if not isinstance(hooks, dict):
        return InstallResult(path, 0)
    removed = 0
    for event in list(hooks):
        groups = hooks[event]
        if not isinstance(groups, list):
            continue
        kept_groups: list[Any] = []
        for group in groups:
            entries = _entries(group) if isinstance(group, dict) else []
            kept = [h for h in entries if not is_obs_command(h.get("command"))]
            if isinstance(group, dict) and len(kept) != len(entries):
                removed += len(entries) - len(kept)
                if not kept:
                    continue
                group = {**group, "hooks": kept}
            kept_groups.append(group)
        if len(kept_groups) != len(groups) or kept_groups != groups:
            if kept_groups:
                hooks[event] = kept_groups
            else:
                del hooks[event]
    if removed:
        if not hooks:
            del settings["hooks"]
        _write(path, settings)
    return InstallResult(path, removed)


def _entries(group: dict[str, Any]) -> list[dict[str, Any]]:
    entries = group.get("hooks")
    return [h for h in entries if isinstance(h, dict)] if isinstance(entries, list) else []


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SettingsError(f"{path} is not valid JSON ({exc}); left untouched") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path} does not hold a JSON object; left untouched")
    return data


def _write(path: Path, settings: dict[str, Any]) -> None:
    """Write through a temporary file and a rename; the settings file keeps its permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    # A new file gets 0666 minus the umask, as an editor would create it (mkstemp would make it 0600).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(settings, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
