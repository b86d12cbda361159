"""The AWS event-stream framing (``application/vnd.amazon.eventstream``) of Bedrock's streaming
replies (ConverseStream, InvokeModelWithResponseStream), decoded incrementally.

Written here rather than taken from botocore so that Bedrock streams decode without the ``aws``
extra (a Bedrock API key needs no SigV4); the tests check it against botocore's
``EventStreamBuffer``. The format (AWS "Event stream encoding"; botocore ``eventstream.py``)::

    prelude   total length (u32) | headers length (u32) | CRC32 of those 8 bytes (u32)
    headers   name length (u8) | name (UTF-8) | value type (u8) | value
    payload   total length - headers length - 16 bytes
    trailer   CRC32 of everything before it (u32), all integers big-endian

Header value types: 0 true, 1 false, 2 i8, 3 i16, 4 i32, 5 i64, 6 bytes (u16 length),
7 string (u16 length), 8 timestamp (i64 milliseconds), 9 UUID (16 bytes).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from ..errors import DecodeError

__all__ = ["EventStreamDecoder", "Frame", "encode_frame"]

_PRELUDE = 12
_TRAILER = 4
MAX_HEADERS_LENGTH = 128 * 1024
"""botocore ``_MAX_HEADERS_LENGTH``."""
MAX_PAYLOAD_LENGTH = 24 * 1024 * 1024
"""botocore ``_MAX_PAYLOAD_LENGTH``."""

HeaderValue = bool | int | bytes | str


@dataclass(frozen=True)
class Frame:
    """One event-stream message: its headers (``:message-type``, ``:event-type``,
    ``:exception-type``, ``:content-type``...) and its payload bytes."""

    headers: dict[str, HeaderValue]
    payload: bytes

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return value if isinstance(value, str) else None


def _crc(data: bytes | memoryview, seed: int = 0) -> int:
    return zlib.crc32(data, seed) & 0xFFFFFFFF


_FIXED = {2: ">b", 3: ">h", 4: ">i", 5: ">q", 8: ">q"}


def _headers(raw: bytes) -> dict[str, HeaderValue]:
    out: dict[str, HeaderValue] = {}
    i = 0
    end = len(raw)
    while i < end:
        n = raw[i]
        i += 1
        name = raw[i : i + n].decode("utf-8")
        i += n
        if i >= end:
            raise DecodeError("$.eventstream.headers", "a header value type", "the end of the headers")
        kind = raw[i]
        i += 1
        value: HeaderValue
        if kind in (0, 1):
            value = kind == 0
        elif kind in _FIXED:
            fmt = _FIXED[kind]
            size = struct.calcsize(fmt)
            (value,) = struct.unpack(fmt, raw[i : i + size])
            i += size
        elif kind in (6, 7):
            (length,) = struct.unpack(">H", raw[i : i + 2])
            i += 2
            chunk = raw[i : i + length]
            i += length
            value = chunk.decode("utf-8") if kind == 7 else bytes(chunk)
        elif kind == 9:
            value = bytes(raw[i : i + 16])
            i += 16
        else:
            raise DecodeError("$.eventstream.headers", "a header value type 0-9", str(kind))
        if i > end:
            raise DecodeError("$.eventstream.headers", "a complete header", "a truncated one")
        out[name] = value
    return out


class EventStreamDecoder:
    """Feed bytes as they arrive; get back every complete :class:`Frame`. A CRC mismatch or an
    impossible length is a :class:`~ir_codec.errors.DecodeError` (the stream is corrupt)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        while len(self._buf) >= _PRELUDE:
            total, headers_len, prelude_crc = struct.unpack(">III", self._buf[:_PRELUDE])
            if _crc(bytes(self._buf[:8])) != prelude_crc:
                raise DecodeError("$.eventstream", "a prelude with a matching CRC32", "a mismatch")
            payload_len = total - headers_len - _PRELUDE - _TRAILER
            if headers_len > MAX_HEADERS_LENGTH or payload_len < 0 or payload_len > MAX_PAYLOAD_LENGTH:
                raise DecodeError(
                    "$.eventstream", "frame lengths within the limits", f"total {total}, headers {headers_len}"
                )
            if len(self._buf) < total:
                break
            message = bytes(self._buf[:total])
            del self._buf[:total]
            (message_crc,) = struct.unpack(">I", message[-_TRAILER:])
            if _crc(message[:-_TRAILER]) != message_crc:
                raise DecodeError("$.eventstream", "a message with a matching CRC32", "a mismatch")
            headers = _headers(message[_PRELUDE : _PRELUDE + headers_len])
            frames.append(Frame(headers, message[_PRELUDE + headers_len : total - _TRAILER]))
        return frames

    def close(self) -> None:
        """The stream ended: leftover bytes mean a truncated frame."""
        if self._buf:
            raise DecodeError("$.eventstream", "complete frames", f"{len(self._buf)} trailing byte(s)")


def encode_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message with string headers (what Bedrock sends): for tests and tools."""
    raw = bytearray()
    for name, value in headers.items():
        n = name.encode("utf-8")
        v = value.encode("utf-8")
        raw += struct.pack(">B", len(n)) + n + b"\x07" + struct.pack(">H", len(v)) + v
    total = _PRELUDE + len(raw) + len(payload) + _TRAILER
    prelude = struct.pack(">II", total, len(raw))
    prelude += struct.pack(">I", _crc(prelude))
    body = prelude + bytes(raw) + payload
    return body + struct.pack(">I", _crc(body))
