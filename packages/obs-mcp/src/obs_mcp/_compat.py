"""Failing soft when an SDK internal obs relies on is missing or changed.

obs-mcp reaches into a few places of the MCP Python SDK (2.3) that are not
public API: ``Client._connect``, ``mcp.client._memory.InMemoryTransport``,
``ServerSession._request_outbound`` / ``_connection``. Another SDK version
may move them. Then the feature built on them is lost (the client connects
uninstrumented, the server span gets no notification events, no server
session duration is recorded), the loss is counted on ``obs.internal.errors``
under its site and logged once, and the application never sees an exception.
"""

from __future__ import annotations

from obs_core import internal_guard


class SdkChanged(Exception):
    """An SDK internal obs relies on is missing or changed shape."""


def sdk_changed(site: str, message: str) -> None:
    """Count and log (once per site) a feature lost to an SDK change; raises only under the test suite."""
    with internal_guard(site):
        raise SdkChanged(message)
