"""The two Teams app icons, drawn in code (no image files to license or keep in sync).

Teams wants a 192×192 full-colour icon and a 32×32 outline icon: white on a transparent background.
Both show the same mark, a guide and a learner side by side. Shapes are sampled 4×4 per pixel for
smooth edges, and written as 8-bit RGBA PNG with nothing but ``zlib`` and ``struct``.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Callable

ACCENT = (0x2E, 0x6B, 0x5E)  # the accent colour of the app (also the manifest's accentColor)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4

Shape = Callable[[float, float], bool]


def accent_hex() -> str:
    return "#{:02X}{:02X}{:02X}".format(*ACCENT)


def _circle(cx: float, cy: float, r: float) -> Shape:
    return lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _shoulders(cx: float, top: float, r: float, bottom: float) -> Shape:
    """The upper half of a disc (a person's shoulders), cut off at ``bottom``."""
    centre_y = top + r
    return lambda x, y: top <= y <= min(centre_y, bottom) and (x - cx) ** 2 + (y - centre_y) ** 2 <= r * r


def _mark() -> list[Shape]:
    """Coordinates in the unit square: a guide (left, larger) and a learner (right)."""
    return [
        _circle(0.39, 0.33, 0.125),
        _shoulders(0.39, 0.50, 0.23, 0.78),
        _circle(0.66, 0.43, 0.095),
        _shoulders(0.66, 0.565, 0.175, 0.78),
    ]


def _coverage(size: int, shapes: list[Shape], inset: float) -> list[list[float]]:
    """For each pixel, the share of its samples inside any shape (the mark scaled into ``inset``)."""
    rows: list[list[float]] = []
    scale = 1.0 - 2 * inset
    for py in range(size):
        row: list[float] = []
        for px in range(size):
            hits = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = ((px + (sx + 0.5) / SAMPLES) / size - inset) / scale
                    y = ((py + (sy + 0.5) / SAMPLES) / size - inset) / scale
                    if any(shape(x, y) for shape in shapes):
                        hits += 1
            row.append(hits / (SAMPLES * SAMPLES))
        rows.append(row)
    return rows


def _icon(size: int, inset: float, pixel: Callable[[float], bytes]) -> bytes:
    """The mark as a ``size``-pixel square PNG; ``pixel(coverage)`` is one pixel's RGBA bytes."""
    rows = [b"".join(pixel(c) for c in row) for row in _coverage(size, _mark(), inset)]
    return png(size, size, rows)


def _on_accent(coverage: float) -> bytes:
    """White blended into the accent colour by ``coverage``, opaque."""
    r, g, b = (round(a + (w - a) * coverage) for a, w in zip(ACCENT, WHITE, strict=True))
    return bytes((r, g, b, 0xFF))


def _white_over_transparent(coverage: float) -> bytes:
    return bytes((*WHITE, round(0xFF * coverage)))


@functools.cache
def color_icon(size: int = 192) -> bytes:
    """The full-colour icon: the white mark on the accent colour, edge to edge."""
    return _icon(size, 0.08, _on_accent)


@functools.cache
def outline_icon(size: int = 32) -> bytes:
    """The outline icon: the white mark on a transparent background."""
    return _icon(size, 0.0, _white_over_transparent)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGBA PNG from rows of ``width * 4`` bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (none) on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
