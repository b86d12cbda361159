"""The public surface: one sorted ``__all__``, the errors docstring tree true to the classes,
``import ir_codec`` light, and the AWS event-stream framing equal to botocore's."""

from __future__ import annotations

import doctest
import importlib
import json
import re
import struct
import subprocess
import sys
import zlib

import pytest

import ir_codec.errors as errors
import ir_codec.transport as transport
from ir_codec.transport._eventstream import EventStreamDecoder, encode_frame
from tests.transport import replies as R

PUBLIC = [
    "AsyncCaches",
    "AsyncClient",
    "AsyncResponseStream",
    "AwsCredentials",
    "CacheHandle",
    "CacheMark",
    "CachePage",
    "Caches",
    "Client",
    "DEFAULT_TIMEOUT",
    "ResponseStream",
    "RetryPolicy",
    "Source",
    "WarmResult",
    "aensure_cached",
    "build_request",
    "cache_marks",
    "ensure_cached",
]


def test_all_is_exactly_the_public_names() -> None:
    assert transport.__all__ == PUBLIC == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(transport, name) is not None
    assert errors.__all__ == sorted(errors.__all__)


def test_the_errors_docstring_tree_is_the_class_tree() -> None:
    doc = errors.__doc__ or ""
    tree = doc.split("Exception tree::")[1].split("Warning categories::")[0]
    stack: list[tuple[int, str]] = []
    drawn: dict[str, str] = {}
    for line in tree.splitlines():
        m = re.search(r"(?:[├└]── |^    )([A-Z]\w+)", line)
        if not m:
            continue
        depth = m.start(1) // 4  # the root's name is in column 4, each level 4 further
        name = m.group(1)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            drawn[name] = stack[-1][1]
        stack.append((depth, name))
    assert "HTTPError" in drawn and "CacheNotSupportedError" in drawn
    for name, parent in drawn.items():
        cls = getattr(errors, name)
        assert getattr(errors, parent) in cls.__bases__, (name, parent)
    documented = set(drawn) | {"IRCodecError"}
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, errors.IRCodecError):
            assert name in documented, f"{name} is missing from the errors docstring tree"


def test_import_ir_codec_stays_light() -> None:
    code = (
        "import sys, ir_codec, ir_codec.errors, ir_codec.pricing;"
        "print([m for m in ('httpx', 'tenacity', 'botocore', 'structlog', 'ir_codec.transport') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_event_stream_framing_matches_botocore() -> None:
    from botocore.eventstream import EventStreamBuffer

    frames = R.converse_frames(R.CONVERSE_EVENTS) + [R.aws_exception("throttlingException", "Slow down")]
    data = b"".join(frames)
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    theirs = [(dict(m.headers), m.payload) for m in buffer]
    decoder = EventStreamDecoder()
    ours = []
    for i in range(0, len(data), 7):  # fed in pieces that split every frame
        ours += [(f.headers, f.payload) for f in decoder.feed(data[i : i + 7])]
    decoder.close()
    assert ours == theirs and len(ours) == len(frames)
    assert json.loads(ours[0][1]) == {"role": "assistant", "p": "abcdefghij"}


def _typed_frame() -> bytes:
    """A frame with one header of every value type (0 true ... 9 uuid), framed by hand."""
    raw = b""
    for name, kind, value in [
        (b"t", 0, b""),
        (b"f", 1, b""),
        (b"i8", 2, struct.pack(">b", -2)),
        (b"i16", 3, struct.pack(">h", -300)),
        (b"i32", 4, struct.pack(">i", 70000)),
        (b"i64", 5, struct.pack(">q", -(2**40))),
        (b"bytes", 6, struct.pack(">H", 3) + b"\x00\x01\x02"),
        (b"str", 7, struct.pack(">H", 2) + b"ok"),
        (b"time", 8, struct.pack(">q", 1_790_000_000_000)),
        (b"uuid", 9, bytes(range(16))),
    ]:
        raw += bytes([len(name)]) + name + bytes([kind]) + value
    payload = b'{"x":1}'
    total = 12 + len(raw) + len(payload) + 4
    prelude = struct.pack(">II", total, len(raw))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + raw + payload
    return body + struct.pack(">I", zlib.crc32(body))


def test_every_header_type_decodes_as_botocore_does() -> None:
    from botocore.eventstream import EventStreamBuffer

    frame = _typed_frame()
    buffer = EventStreamBuffer()
    buffer.add_data(frame)
    (theirs,) = list(buffer)
    (ours,) = EventStreamDecoder().feed(frame)
    assert ours.headers == dict(theirs.headers) and ours.payload == theirs.payload
    assert ours.headers["i64"] == -(2**40) and ours.headers["t"] is True and ours.headers["uuid"] == bytes(range(16))
    assert EventStreamDecoder().feed(encode_frame({":event-type": "chunk"}, b"{}"))[0].headers == {
        ":event-type": "chunk"
    }


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    "module",
    ["ir_codec.transport", "ir_codec.transport._client", "ir_codec.transport._retry"],
)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
