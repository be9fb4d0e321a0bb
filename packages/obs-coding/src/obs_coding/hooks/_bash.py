"""Reading a Claude Code Bash call: its exit code and output.

``tool_input`` is ``{command, description, timeout}``; a successful call's
``tool_response`` is ``{stdout, stderr, interrupted, isImage}``; a non-zero exit
arrives instead as ``PostToolUseFailure`` with an ``error`` text starting
"Exit code N". Kept apart from the edit parsing so a test run does not import it.
"""

from __future__ import annotations

import re

from ._fields import as_mapping

_EXIT_CODE = re.compile(r"exit code[:\s]+(-?\d+)", re.IGNORECASE)


def bash_outcome(tool_response: object, error: str | None) -> tuple[int, str]:
    """Exit code and output of a Bash call (0 on success; parsed from the failure text otherwise)."""
    if error is not None:
        match = _EXIT_CODE.search(error)
        return (int(match.group(1)) if match else 1), error
    response = as_mapping(tool_response)
    for key in ("exit_code", "exitCode", "returncode", "code"):
        value = response.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            code = value
            break
    else:
        code = 1 if response.get("interrupted") is True else 0
    if isinstance(tool_response, str):
        return code, tool_response
    output = "\n".join(str(response.get(k) or "") for k in ("stdout", "stderr"))
    return code, output
