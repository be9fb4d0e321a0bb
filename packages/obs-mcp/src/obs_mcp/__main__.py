"""``python -m obs_mcp proxy -- <server command>``: the proxy without the ``obs`` launcher."""

from obs_mcp.cli import app

app(prog_name="obs-mcp")
