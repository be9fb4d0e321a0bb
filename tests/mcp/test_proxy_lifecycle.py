"""The proxy never hangs its host: children that ignore stdin EOF or SIGTERM, leave their output open
through a grandchild, or a host that stops reading, all end in bounded time with every request answered."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import anyio
import pytest
from obs_core.testing import TelemetryCapture
from obs_mcp import ProxyConfig, run_proxy

from .conftest import RAW_SERVER, STEP_TIMEOUT_S, providers, proxy_command, raw_peer

pytestmark = pytest.mark.slow  # child processes

GRACE_S = 0.2
BOUND_S = 10.0
"""Far above what a bounded shutdown takes (a few grace periods), far below a hang."""


class PipeHost:
    """Plays the host of an in-process ``run_proxy``: its stdin and stdout are pipes driven from here."""

    def __init__(self) -> None:
        self.proxy_in, self._to_proxy = os.pipe()
        self._from_proxy, self.proxy_out = os.pipe()
        os.set_blocking(self._to_proxy, False)
        os.set_blocking(self._from_proxy, False)
        self._buffer = bytearray()
        self._open = {self.proxy_in, self._to_proxy, self._from_proxy, self.proxy_out}

    async def send(self, message: dict[str, Any]) -> None:
        data = memoryview(json.dumps(message).encode() + b"\n")
        while data:
            try:
                data = data[os.write(self._to_proxy, data) :]
            except BlockingIOError:
                await anyio.wait_writable(self._to_proxy)

    async def read(self) -> dict[str, Any]:
        with anyio.fail_after(STEP_TIMEOUT_S):
            while b"\n" not in self._buffer:
                try:
                    chunk = os.read(self._from_proxy, 1 << 16)
                except BlockingIOError:
                    await anyio.wait_readable(self._from_proxy)
                    continue
                assert chunk, "the proxy closed its stdout"
                self._buffer += chunk
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        message: dict[str, Any] = json.loads(line)
        return message

    def close(self, *fds: int) -> None:
        for fd in fds or tuple(self._open):
            if fd in self._open:
                self._open.discard(fd)
                os.close(fd)

    def close_input(self) -> None:
        """The host closes the proxy's stdin (what hosts do to stop a server)."""
        self.close(self._to_proxy)

    def stop_reading(self) -> None:
        """The host goes away without closing our stdin: the proxy's next write hits a broken pipe."""
        self.close(self._from_proxy)


@asynccontextmanager
async def running_proxy(
    command: list[str], capture: TelemetryCapture, **config: Any
) -> AsyncIterator[tuple[PipeHost, io.StringIO, list[int]]]:
    host, stderr, exit_code = PipeHost(), io.StringIO(), []

    async def proxy() -> None:
        options = ProxyConfig(command=command, shutdown_grace_s=GRACE_S, **config)
        code = await run_proxy(
            options, host_in=host.proxy_in, host_out=host.proxy_out, stderr=stderr, **providers(capture)
        )
        exit_code.append(code)

    try:
        with anyio.fail_after(BOUND_S):
            async with anyio.create_task_group() as tg:
                tg.start_soon(proxy)
                yield host, stderr, exit_code
    finally:
        host.close()


async def test_a_child_that_ignores_its_stdin_closing_is_stopped(capture: TelemetryCapture) -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    async with running_proxy(sleeper, capture) as (host, stderr, exit_code):
        host.close_input()
    assert exit_code == [0]  # stopped by the proxy on the host's behalf: not a server failure
    assert f"did not exit within {GRACE_S:g}s of its stdin closing" in stderr.getvalue()


async def test_a_child_whose_output_outlives_it_still_gets_its_requests_answered(
    capture: TelemetryCapture, tmp_path: Path
) -> None:
    pid_file = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys\n"
        "grandchild = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(grandchild.pid))\n"
        "sys.stdin.readline()\n"
        "sys.exit(3)\n"
    )
    try:
        async with running_proxy([sys.executable, "-c", script], capture) as (host, stderr, exit_code):
            await host.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "t"}})
            answer = await host.read()
    finally:
        with suppress(FileNotFoundError, ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert answer == {
        "jsonrpc": "2.0",
        "id": 1,
        "error": {
            "code": -32000,
            "message": "the MCP server process exited with code 3 before answering (obs mcp proxy)",
        },
    }
    assert exit_code == [3]
    assert "the MCP server exited with code 3; stopping" in stderr.getvalue()


async def test_a_host_that_stopped_reading_ends_the_proxy_without_an_error(capture: TelemetryCapture) -> None:
    async with running_proxy([sys.executable, str(RAW_SERVER)], capture) as (host, stderr, exit_code):
        host.stop_reading()
        await host.send({"jsonrpc": "2.0", "id": 0, "method": "ping", "params": {}})  # its answer hits EPIPE
    assert exit_code == [0]
    assert "Traceback" not in stderr.getvalue()


async def test_sigterm_stops_a_child_that_ignores_it(tmp_path: Path) -> None:
    stubborn = [
        sys.executable,
        "-c",
        "import signal, sys, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', file=sys.stderr, "
        "flush=True)\ntime.sleep(60)",
    ]
    command = proxy_command(*stubborn, options=("--no-telemetry", "--shutdown-grace", str(GRACE_S)))
    async with raw_peer(command, tmp_path) as peer:
        with anyio.fail_after(STEP_TIMEOUT_S):
            while "ready" not in peer.stderr_text():
                await anyio.sleep(0.05)
        peer.process.send_signal(signal.SIGTERM)
        with anyio.fail_after(BOUND_S):
            assert await peer.process.wait() == 0
    assert f"did not exit within {GRACE_S:g}s of its stdin closing" in peer.stderr_text()


async def test_the_childs_stderr_reaches_the_hosts_log_and_never_blocks_it(
    capture: TelemetryCapture, capfd: pytest.CaptureFixture[str]
) -> None:
    """Servers log to stderr; a pipe nobody reads would stop a chatty one mid-call once it filled."""
    chatty = (
        "import json, sys\n"
        "sys.stderr.write('x' * 300_000 + '\\nchild-log-line\\n'); sys.stderr.flush()\n"
        "request = json.loads(sys.stdin.readline())\n"
        "print(json.dumps({'jsonrpc': '2.0', 'id': request['id'], 'result': {}}), flush=True)\n"
        "sys.stdin.read()\n"
    )
    async with running_proxy([sys.executable, "-c", chatty], capture) as (host, _, exit_code):
        await host.send({"jsonrpc": "2.0", "id": 1, "method": "ping"})
        assert await host.read() == {"jsonrpc": "2.0", "id": 1, "result": {}}
        host.close_input()
    assert exit_code == [0]
    assert "child-log-line" in capfd.readouterr().err
