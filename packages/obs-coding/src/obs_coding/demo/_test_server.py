"""The demo's MCP server: runs a repository's unit tests in its own process.

It shows the MCP hop of a trace: the agent calls ``run_tests`` over stdio, obs
puts the W3C trace context into ``params._meta``, and this process — which
configures obs itself and writes to the same store — continues the agent's
trace, so ``obs show`` displays the server span under the agent's tool call.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from mcp.server.mcpserver import MCPServer
from obs_core import configure
from obs_mcp import instrument_server

TEST_COMMAND = [sys.executable, "-m", "unittest", "discover", "-s", "tests", "-t", "."]

server = MCPServer("repo-tests")


@server.tool()
def run_tests(repo: str) -> str:
    """Run the repository's unit tests; answers JSON with exit_code, output and duration_s."""
    started = time.perf_counter()
    proc = subprocess.run(TEST_COMMAND, cwd=repo, capture_output=True, text=True, timeout=120, check=False)
    return json.dumps(
        {
            "command": TEST_COMMAND,
            "exit_code": proc.returncode,
            "output": (proc.stdout + proc.stderr)[-4000:],
            "duration_s": time.perf_counter() - started,
        }
    )


def main() -> None:
    runtime = configure(service_name="repo-tests-mcp", metric_export_interval_s=3600)
    instrument_server(server)
    try:
        server.run("stdio")
    finally:
        runtime.shutdown()  # the client may end us with stdin closed: flush before the process goes


if __name__ == "__main__":
    main()
