"""Newline-delimited JSON-RPC framing for the stdio proxy, bytes in and bytes out.

The proxy must pass messages it does not change byte-for-byte, whatever
their size, so lines are cut from raw chunks (no decoding, no line-length
limit of a text reader) and scanning resumes where the last search stopped,
keeping a multi-megabyte message linear to split.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import anyio
import anyio.lowlevel

Chunks = Callable[[], Awaitable[bytes]]
"""Returns the next chunk; ``b""`` at end of stream."""

MAX_LINE_BYTES = 256 * 1024 * 1024
"""A line longer than this is dropped (and reported) instead of exhausting memory."""


async def read_lines(next_chunk: Chunks, on_oversized: Callable[[int], None]) -> AsyncIterator[bytes]:
    """Yield each non-empty line without its terminator; a final unterminated line is yielded too."""
    buffer = bytearray()
    scanned = 0
    skipping = False
    while True:
        chunk = await next_chunk()
        if not chunk:
            if buffer.strip() and not skipping:
                yield bytes(buffer).rstrip(b"\r")
            return
        buffer += chunk
        while True:
            newline = buffer.find(b"\n", scanned)
            if newline < 0:
                scanned = len(buffer)
                if len(buffer) > MAX_LINE_BYTES:
                    if not skipping:
                        on_oversized(len(buffer))
                    skipping = True
                    buffer.clear()
                    scanned = 0
                break
            line = bytes(buffer[:newline]).rstrip(b"\r")
            del buffer[: newline + 1]
            scanned = 0
            if skipping:
                skipping = False
                continue
            if line.strip():
                yield line


def fd_chunks(fd: int, size: int = 1 << 16) -> Chunks:
    """Chunks from a file descriptor (our stdin) without a thread: a thread blocked in ``read`` would keep
    the process alive after the child died, until the host closed the pipe. A read error is the end of
    input, like EOF: the host is gone either way."""

    async def next_chunk() -> bytes:
        while True:
            try:
                chunk = os.read(fd, size)
            except BlockingIOError:
                await anyio.wait_readable(fd)
                continue
            except OSError:
                return b""
            # A host that keeps input coming never makes read block: yield, so the other direction runs too.
            await anyio.lowlevel.checkpoint()
            return chunk

    return next_chunk


class LineWriter:
    """Writes whole lines to a file descriptor from several tasks, without threads or interleaving.

    A write error (``EPIPE``: the host closed our stdout) means the host is gone: the writer calls
    ``on_broken`` once and drops every later line, so no task dies on a write nobody can read.
    """

    def __init__(self, fd: int, on_broken: Callable[[], None] | None = None) -> None:
        self._fd = fd
        self._lock = anyio.Lock()
        self._on_broken = on_broken
        self.broken = False

    async def write(self, line: bytes) -> None:
        data = memoryview(line + b"\n")
        async with self._lock:
            while data and not self.broken:
                try:
                    data = data[os.write(self._fd, data) :]
                except BlockingIOError:
                    await anyio.wait_writable(self._fd)
                except OSError:
                    self.broken = True
                    if self._on_broken is not None:
                        self._on_broken()


@contextlib.contextmanager
def non_blocking(*fds: int) -> Iterator[None]:
    """Put descriptors in non-blocking mode for the event loop, and back as they were afterwards."""
    previous = {fd: os.get_blocking(fd) for fd in fds}
    try:
        for fd in fds:
            os.set_blocking(fd, False)
        yield
    finally:
        for fd, blocking in previous.items():
            with contextlib.suppress(OSError):
                os.set_blocking(fd, blocking)
