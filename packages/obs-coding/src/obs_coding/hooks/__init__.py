"""CLI-agent integration: Claude Code hooks (record every event, never fail the agent) and their installer.

Standard library only below this facade: the hook process must start fast.
"""

from obs_coding._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from ._claude_code import CLIENT, TOOL_PHASES, ClaudeCodeHook, HookResult
    from ._install import (
        HOOK_EVENTS,
        InstallResult,
        Scope,
        SettingsError,
        default_command,
        install,
        is_obs_command,
        settings_path,
        uninstall,
    )
    from ._main import main, run_hook, start_export
    from ._transcript import model_from_transcript

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "CLIENT": "._claude_code",
        "TOOL_PHASES": "._claude_code",
        "ClaudeCodeHook": "._claude_code",
        "HookResult": "._claude_code",
        "HOOK_EVENTS": "._install",
        "InstallResult": "._install",
        "Scope": "._install",
        "SettingsError": "._install",
        "default_command": "._install",
        "install": "._install",
        "is_obs_command": "._install",
        "settings_path": "._install",
        "uninstall": "._install",
        "main": "._main",
        "run_hook": "._main",
        "start_export": "._main",
        "model_from_transcript": "._transcript",
    },
)

__all__ = [
    "CLIENT",
    "HOOK_EVENTS",
    "TOOL_PHASES",
    "ClaudeCodeHook",
    "HookResult",
    "InstallResult",
    "Scope",
    "SettingsError",
    "default_command",
    "install",
    "is_obs_command",
    "main",
    "model_from_transcript",
    "run_hook",
    "settings_path",
    "start_export",
    "uninstall",
]
