"""Image files for tests: real encodings made with Pillow, and hostile ones made by hand."""

from __future__ import annotations

import io
import os
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F
ORIENTATION = 0x0112


def encoded(image: Image.Image, image_format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def png(size=(40, 30), colour="navy") -> bytes:
    return encoded(Image.new("RGB", size, colour), "PNG")


def jpeg_with_location(size=(64, 48), *, orientation: int | None = None) -> bytes:
    """A photo as a phone writes it: camera make and the GPS position in its EXIF."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (55.0, 40.0, 36.0), 3: "E", 4: (12.0, 34.0, 5.0)}
    if orientation:
        exif[ORIENTATION] = orientation
    return encoded(Image.new("RGB", size, "teal"), "JPEG", exif=exif.tobytes())


def noise_png(side: int) -> bytes:
    """A picture that does not compress: the worst case for a network's byte limit."""
    return encoded(Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)), "PNG")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(side: int = 60_000) -> bytes:
    """A small file claiming `side` × `side` pixels of nothing: it would inflate to gigabytes."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    compressor = zlib.compressobj(9)
    row = b"\0" * (side + 1)
    body = b"".join(compressor.compress(row) for _ in range(64)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


def truncated_jpeg() -> bytes:
    data = encoded(Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)), "JPEG")
    return data[: len(data) // 3]
