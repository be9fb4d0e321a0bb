"""The proxy's child: the real MCP server process, with every wait on it bounded.

A host must never hang on the proxy, whatever the child does: ignore its
stdin closing, stop reading its stdin, keep its stdout open through a
grandchild after it exited, or ignore SIGTERM. So writing to it, closing its
stdin, reading its output and waiting for it all have an exit: stdin closed
-> ``grace`` seconds -> SIGTERM -> ``grace`` seconds -> SIGKILL, the order
the MCP stdio transport prescribes for a client shutting a server down.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import anyio
import anyio.abc
import anyio.lowlevel

_CLOSED = (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream, OSError)


class Child:
    """One child server process; see the module docstring."""

    def __init__(self, process: anyio.abc.Process, grace_s: float, report: Callable[[str], None]) -> None:
        self.process = process
        self.grace_s = grace_s
        self._report = report
        self._stdin = process.stdin
        self._write_lock = anyio.Lock()
        self._read_scope: anyio.CancelScope | None = None
        self.stopped_by_us = False
        """True when the child had to be signalled (it did not exit on its own)."""

    @property
    def accepting(self) -> bool:
        """Whether its stdin is still open (False once the proxy started shutting it down)."""
        return self._stdin is not None

    async def send(self, line: bytes) -> None:
        """Write one line to its stdin; a gone child is not an error (its exit is noticed on the read side)."""
        stdin = self._stdin
        if stdin is None:
            return
        async with self._write_lock:
            with contextlib.suppress(*_CLOSED):
                await stdin.send(line + b"\n")

    async def close_stdin(self) -> None:
        """Close its stdin, the polite "please exit"; bounded, as a child that stopped reading can hold a write."""
        stdin, self._stdin = self._stdin, None
        if stdin is None:
            return
        with anyio.move_on_after(self.grace_s):
            async with self._write_lock:
                with contextlib.suppress(*_CLOSED):
                    await stdin.aclose()

    async def receive(self, size: int = 1 << 16) -> bytes:
        """The next chunk of its stdout; ``b""`` at EOF.

        Once the child has exited, ``grace_s`` of silence counts as EOF too: a
        process it started may hold the pipe open for good, and the host's open
        requests must still get their answer.
        """
        stdout = self.process.stdout
        if stdout is None:
            return b""
        chunk = b""
        with anyio.CancelScope() as scope:
            self._read_scope = scope
            if self.process.returncode is not None:
                scope.deadline = anyio.current_time() + self.grace_s
            try:
                chunk = await stdout.receive(size)
            except _CLOSED:
                return b""
            finally:
                self._read_scope = None
        if chunk:
            # A child that keeps output coming never makes receive wait: yield, so the host side runs too.
            await anyio.lowlevel.checkpoint()
        return chunk  # b"" also when it exited and its output stayed silent for grace_s

    async def watch_exit(self) -> None:
        """Put the exit deadline on a read that was already waiting when the child exited."""
        await self.process.wait()
        scope = self._read_scope
        if scope is not None:
            scope.deadline = min(scope.deadline, anyio.current_time() + self.grace_s)

    async def exited_within(self, seconds: float) -> bool:
        with anyio.move_on_after(seconds):
            await self.process.wait()
        return self.process.returncode is not None

    async def stop(self) -> None:
        """Make sure it is gone: stdin closed, then SIGTERM, then SIGKILL, ``grace_s`` apart."""
        await self.close_stdin()
        if await self.exited_within(self.grace_s):
            return
        self.stopped_by_us = True
        self._report(f"the MCP server did not exit within {self.grace_s:g}s of its stdin closing; stopping it")
        for send_signal in (self.process.terminate, self.process.kill):
            with contextlib.suppress(ProcessLookupError):
                send_signal()
            if await self.exited_within(self.grace_s):
                return

    def exit_code(self) -> int:
        """Its exit code as a shell shows it (128+N for signal N); 0 when obs had to stop it."""
        code = self.process.returncode
        if self.stopped_by_us:
            return 0
        if code is None:
            return 1
        return 128 - code if code < 0 else code

    async def aclose(self) -> None:
        """Stop it (if still running) and release its pipes; bounded even when cancelled."""
        with anyio.CancelScope(shield=True):
            await self.stop()
            with anyio.move_on_after(self.grace_s):
                await self.process.aclose()
