"""Real image files for the package's tests, made in memory."""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int) -> bytes:
    """A real (black) PNG image of ``width`` by ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(
        b"".join(b"\x00" + b"\x00" * 3 * width for _ in range(height))
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )
