"""``obs mcp proxy``: a stdio MCP server that runs the real one and forwards every message both ways.

Host (Claude Desktop, Claude Code, VS Code) <-> proxy <-> child server, all
newline-delimited JSON-RPC. Lines the proxy does not change pass byte-for-byte;
a request gets ``_meta`` trace context (the proxy's client span becomes the
child's parent) and, for tools/call, the breaker's verdict. The proxy never
hangs the host: a dead child turns every open request into a JSON-RPC error
and ends the proxy; a malformed line is reported on stderr and skipped.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import anyio
import anyio.abc
from obs_core import internal_guard
from obs_core.breaker import BreakerConfig, BreakerRegistry
from opentelemetry import metrics, trace

from ._attrs import (
    CONNECTION_CLOSED,
    ERROR_TIMEOUT,
    ERROR_TRANSPORT,
    INVALID_REQUEST,
    PARSE_ERROR,
    REQUEST_TIMEOUT,
    TRANSPORT_PIPE,
)
from ._lines import LineWriter, fd_chunks, non_blocking, read_lines, stream_chunks
from ._meta import extract_parent
from ._observer import ClientObserver
from ._wire import WireClient, correlation_key

SHUTDOWN_GRACE_S = 5.0
"""How long the child gets to exit after the host closed our stdin, before it is terminated."""


@dataclass(frozen=True)
class ProxyConfig:
    """What ``obs mcp proxy`` was asked to run."""

    command: Sequence[str]
    """The real server's command line (any language)."""
    name: str | None = None
    """Server name in telemetry and breaker keys; None uses the name the server announces."""
    breaker: BreakerConfig | None = field(default_factory=BreakerConfig)
    """Thresholds of the per-tool breakers; None turns them off."""
    count_tool_errors: bool = True
    """Whether a tool result with ``isError: true`` counts as a breaker failure."""
    call_timeout_s: float | None = None
    """Answer a tools/call with a timeout error (and cancel it in the child) after this long; None waits."""


class _Proxy:
    def __init__(
        self,
        config: ProxyConfig,
        process: anyio.abc.Process,
        host_out: LineWriter,
        stderr: TextIO,
        tracer_provider: trace.TracerProvider | None,
        meter_provider: metrics.MeterProvider | None,
    ) -> None:
        self.config = config
        self.process = process
        self.host_out = host_out
        self.stderr = stderr
        breakers = (
            BreakerRegistry(config.breaker, meter_provider=meter_provider, tracer_provider=tracer_provider)
            if config.breaker is not None
            else None
        )
        self.observer = ClientObserver(
            server_name=config.name,
            network_transport=TRANSPORT_PIPE,
            breakers=breakers,
            count_tool_errors=config.count_tool_errors,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
        )
        self.wire = WireClient(self.observer)
        self.inflight: dict[str | int, Any] = {}
        """Requests forwarded to the child and not answered yet, by correlation key -> id as the host sent it."""
        self.timers: dict[str | int, anyio.CancelScope] = {}
        self.answered_locally: set[str | int] = set()
        self.child_stdin = process.stdin
        self.write_lock = anyio.Lock()

    def report(self, message: str) -> None:
        print(f"obs mcp proxy: {message}", file=self.stderr, flush=True)

    # --- host -> child ----------------------------------------------------------------------

    async def from_host(self, host_in: int, tg: anyio.abc.TaskGroup) -> None:
        async for line in read_lines(fd_chunks(host_in), lambda n: self.report(f"dropped a {n}-byte line")):
            message = self._parse(line, "client")
            if message is None:
                await self.host_out.write(_error_line(None, PARSE_ERROR, "Parse error (obs mcp proxy)"))
                continue
            if not isinstance(message, dict):
                if not isinstance(message, list):
                    self.report("skipped a client message that is not a JSON-RPC object")
                    await self.host_out.write(_error_line(None, INVALID_REQUEST, "Invalid Request (obs mcp proxy)"))
                    continue
                await self.to_child(line)  # a batch: forwarded, not observed
                continue
            await self._host_message(line, message, tg)
        await self._close_child_stdin()

    async def _host_message(self, line: bytes, message: dict[str, Any], tg: anyio.abc.TaskGroup) -> None:
        method = message.get("method")
        raw_params = message.get("params")
        params = raw_params if isinstance(raw_params, Mapping) else None
        if isinstance(method, str) and "id" in message:
            request_id = message["id"]
            new_params, answer = self.wire.request(request_id, method, params, parent=extract_parent(params))
            if answer is not None:
                await self.host_out.write(_dumps({"jsonrpc": "2.0", "id": request_id, "result": answer}))
                return
            key = correlation_key(request_id)
            if key is not None:
                self.inflight[key] = request_id
                if method == "tools/call" and self.config.call_timeout_s is not None:
                    tg.start_soon(self._expire, key, request_id)
            await self.to_child(_rewrite(line, message, params, new_params))
        elif isinstance(method, str):
            new_params = self.wire.notification(method, params)
            await self.to_child(_rewrite(line, message, params, new_params))
        else:
            await self.to_child(line)  # the host answering a sampling / elicitation / roots request

    async def to_child(self, line: bytes) -> None:
        stdin = self.child_stdin
        if stdin is None:
            return
        # A gone child shows as a broken pipe; from_child notices the exit and answers what is open.
        async with self.write_lock:
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await stdin.send(line + b"\n")

    async def _close_child_stdin(self) -> None:
        stdin, self.child_stdin = self.child_stdin, None
        if stdin is not None:
            async with self.write_lock:
                await stdin.aclose()

    async def _expire(self, key: str | int, request_id: Any) -> None:
        timeout = self.config.call_timeout_s or 0.0
        with anyio.CancelScope() as scope:
            self.timers[key] = scope
            await anyio.sleep(timeout)
            if self.inflight.pop(key, None) is None:
                return
            self.answered_locally.add(key)
            reason = f"timed out after {timeout:g}s"
            self.wire.fail(request_id, ERROR_TIMEOUT, reason)
            await self.host_out.write(_error_line(request_id, REQUEST_TIMEOUT, f"Request {reason} (obs mcp proxy)"))
            cancel = {"requestId": request_id, "reason": reason}
            await self.to_child(_dumps({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": cancel}))
        self.timers.pop(key, None)

    # --- child -> host ----------------------------------------------------------------------

    async def from_child(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        async for line in read_lines(stream_chunks(stdout), lambda n: self.report(f"dropped a {n}-byte server line")):
            message = self._parse(line, "server")
            if not isinstance(message, dict):
                if isinstance(message, list):
                    await self.host_out.write(line)
                elif message is not None:
                    self.report("skipped a server message that is not a JSON-RPC object")
                continue
            if not await self._child_message(line, message):
                continue
            await self.host_out.write(line)

    async def _child_message(self, line: bytes, message: dict[str, Any]) -> bool:
        """Observe one child message; False when it must not reach the host."""
        method = message.get("method")
        if isinstance(method, str):
            if "id" not in message:
                params = message.get("params")
                self.wire.server_notification(method, params if isinstance(params, Mapping) else None)
            return True
        key = correlation_key(message.get("id"))
        if key is None:
            return True
        if key in self.answered_locally:
            self.answered_locally.discard(key)
            return False  # the host already got a timeout answer for this id
        self.inflight.pop(key, None)
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        error = message.get("error")
        if isinstance(error, Mapping):
            code = error.get("code")
            text = error.get("message")
            self.wire.error(message.get("id"), code if isinstance(code, int) else 0, str(text))
        elif isinstance(message.get("result"), Mapping):
            self.wire.response(message.get("id"), message["result"])
        return True

    async def child_gone(self) -> int:
        """The child closed its stdout: answer what is open, report, and give its exit code."""
        with anyio.move_on_after(SHUTDOWN_GRACE_S):
            await self.process.wait()
        stopped_by_us = self.process.returncode is None
        if stopped_by_us:
            self.report(
                f"the MCP server did not exit within {SHUTDOWN_GRACE_S:g}s of its stdin closing; terminating it"
            )
            self.process.terminate()
            with anyio.move_on_after(SHUTDOWN_GRACE_S) as scope:
                await self.process.wait()
            if scope.cancelled_caught:
                self.process.kill()
                await self.process.wait()
        code = self.process.returncode if self.process.returncode is not None else -1
        if stopped_by_us or code < 0:
            code = 0 if stopped_by_us else 128 - code  # a signal exit reads like a shell's 128+N
        description = f"the MCP server process exited with code {code} before answering"
        for key, request_id in list(self.inflight.items()):
            self.inflight.pop(key, None)
            await self.host_out.write(_error_line(request_id, CONNECTION_CLOSED, f"{description} (obs mcp proxy)"))
        self.wire.fail_all(ERROR_TRANSPORT, description)
        return code

    def _parse(self, line: bytes, side: str) -> Any:
        try:
            return json.loads(line)
        except ValueError as exc:
            self.report(f"skipped malformed JSON from the {side} ({exc}): {line[:120]!r}")
            with internal_guard("mcp.proxy.malformed"):
                direction = "client_to_server" if side == "client" else "server_to_client"
                self.observer.metrics.record_malformed(direction, self.observer.attributes())
            return None


async def run_proxy(
    config: ProxyConfig,
    *,
    host_in: int = 0,
    host_out: int = 1,
    stderr: TextIO | None = None,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
    handle_signals: bool = False,
) -> int:
    """Run until the host or the child goes away; return the exit code for the proxy process.

    ``handle_signals`` (main thread only) turns SIGTERM / SIGINT into an orderly
    stop: the child's stdin is closed so it exits, and telemetry gets flushed.
    """
    err = stderr or sys.stderr
    if not config.command:
        print("obs mcp proxy: no server command given (usage: obs mcp proxy -- <command> [args...])", file=err)
        return 2
    try:
        process = await anyio.open_process(list(config.command), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    except OSError as exc:
        print(f"obs mcp proxy: cannot start {config.command[0]!r}: {exc}", file=err, flush=True)
        return 127
    proxy = _Proxy(config, process, LineWriter(host_out), err, tracer_provider, meter_provider)
    with internal_guard("mcp.proxy.session"):
        proxy.observer.session_started()
    with non_blocking(host_in, host_out):
        exit_code = await _serve(proxy, host_in, handle_signals=handle_signals)
    with internal_guard("mcp.proxy.session"):
        proxy.observer.session_ended(None if exit_code == 0 else ERROR_TRANSPORT)
    return exit_code


async def _serve(proxy: _Proxy, host_in: int, *, handle_signals: bool) -> int:
    exit_code = 0
    async with proxy.process, anyio.create_task_group() as tg:

        async def host_side() -> None:
            await proxy.from_host(host_in, tg)

        tg.start_soon(host_side)
        if handle_signals:
            tg.start_soon(_stop_on_signal, proxy)
        await proxy.from_child()
        exit_code = await proxy.child_gone()
        if proxy.child_stdin is not None:  # the child left while the host was still talking
            proxy.report(f"the MCP server exited with code {exit_code}; stopping")
            exit_code = exit_code or 1
        tg.cancel_scope.cancel()
    return exit_code


async def _stop_on_signal(proxy: _Proxy) -> None:
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for _ in signals:
            await proxy._close_child_stdin()
            return


def _rewrite(
    line: bytes, message: dict[str, Any], params: Mapping[str, Any] | None, new_params: Mapping[str, Any] | None
) -> bytes:
    """The original bytes when obs changed nothing, else the message re-encoded with the new params.

    Positional (array) params have no ``_meta`` to carry trace context: such a message passes as it came.
    """
    if new_params is params or message.get("params") is not params:
        return line
    return _dumps({**message, "params": new_params})


def _dumps(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error_line(request_id: Any, code: int, text: str) -> bytes:
    return _dumps({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": text}})
