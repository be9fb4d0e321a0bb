"""Fixtures for MCP tests: real servers over stdio, the proxy as a subprocess, bounded waits."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.abc import Process
from mcp.client.stdio import StdioServerParameters
from mcp.shared import _otel as sdk_otel
from obs_core.testing import TelemetryCapture
from opentelemetry.sdk.trace import ReadableSpan

ROOT = Path(__file__).resolve().parents[2]
SERVERS = Path(__file__).resolve().parent / "servers"
FAULT_SERVER = SERVERS / "fault_server.py"
RAW_SERVER = SERVERS / "raw_server.py"
EVERYTHING_ENTRY = ROOT / ".cache/npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
STEP_TIMEOUT_S = 30.0
"""Every single server interaction must finish within this, so a bug fails the test instead of hanging CI."""


def fault_server_command() -> list[str]:
    return [sys.executable, str(FAULT_SERVER)]


def proxy_command(*server: str, options: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "obs_mcp", "proxy", *options, "--", *server]


def server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for a child server: spans to a file, the proxy's store in the temp dir."""
    env = dict(os.environ)
    env.pop("PYTEST_CURRENT_TEST", None)  # the child runs as production would
    env["FAULT_SPANS_FILE"] = str(tmp_path / "server-spans.jsonl")
    env["OBS_STORE"] = str(tmp_path / "proxy.db")
    env["OTEL_METRIC_EXPORT_INTERVAL"] = "600000"
    env.update(extra)
    return env


def stdio_params(command: list[str], env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=str(ROOT))


def read_server_spans(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "server-spans.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def everything_server_command() -> list[str]:
    """The npm reference server: skipped only where node is absent, an error where it was not installed."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed on this machine")
    if not EVERYTHING_ENTRY.exists():
        pytest.fail(
            "@modelcontextprotocol/server-everything is not installed: run scripts/install-test-servers", pytrace=False
        )
    return [node, str(EVERYTHING_ENTRY), "stdio"]


class RawPeer:
    """Drives a stdio process line by line, as a host would, with a bounded wait on every read."""

    def __init__(self, process: Process, stderr_path: Path) -> None:
        self.process = process
        self.stderr_path = stderr_path
        self._buffer = bytearray()

    async def send_line(self, line: bytes) -> None:
        assert self.process.stdin is not None
        await self.process.stdin.send(line + b"\n")

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_line(json.dumps(message).encode())

    async def read_line(self) -> bytes:
        assert self.process.stdout is not None
        with anyio.fail_after(STEP_TIMEOUT_S):
            while b"\n" not in self._buffer:
                self._buffer += await self.process.stdout.receive(1 << 20)
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        return line

    async def read(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await self.read_line())
        return message

    async def request(self, request_id: int, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a request and return its response, skipping notifications that come first."""
        await self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}})
        while True:
            message = await self.read()
            if message.get("id") == request_id and "method" not in message:
                return message

    async def initialize(self) -> dict[str, Any]:
        response = await self.request(
            0, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t"}}
        )
        await self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return response

    async def close(self) -> int:
        assert self.process.stdin is not None
        await self.process.stdin.aclose()
        with anyio.fail_after(STEP_TIMEOUT_S):
            return await self.process.wait()

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def raw_peer(command: list[str], tmp_path: Path, **env: str) -> AsyncIterator[RawPeer]:
    """A process driven line by line; its stderr goes to a file so a chatty child can never block on it."""
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as stderr:
        process = await anyio.open_process(command, env=server_env(tmp_path, **env), cwd=ROOT, stderr=stderr)
        async with process:
            try:
                yield RawPeer(process, stderr_path)
            finally:
                if process.returncode is None:
                    process.kill()


def raw_proxy_command(*options: str) -> list[str]:
    """The proxy in front of the hand-written raw server."""
    return proxy_command(sys.executable, str(RAW_SERVER), options=("--name", "raw", *options))


@pytest.fixture
def sdk_spans(capture: TelemetryCapture, monkeypatch: pytest.MonkeyPatch) -> TelemetryCapture:
    """Record the MCP SDK's own spans into ``capture``.

    The SDK's tracer comes from the global provider; pointing its module-level
    tracer at the capture for one test keeps the process-wide provider untouched.
    """
    monkeypatch.setattr(sdk_otel, "_tracer", capture.tracer_provider.get_tracer("mcp-python-sdk"))
    return capture


def providers(capture: TelemetryCapture) -> dict[str, Any]:
    """The provider keyword arguments obs-mcp takes."""
    return {"tracer_provider": capture.tracer_provider, "meter_provider": capture.meter_provider}


def spans_by_name(spans: tuple[ReadableSpan, ...] | list[ReadableSpan]) -> dict[str, ReadableSpan]:
    return {s.name: s for s in spans}
