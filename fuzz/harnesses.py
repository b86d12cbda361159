"""The fuzz harnesses as plain functions ``fuzz_one(data: bytes) -> None``.

Each feeds untrusted bytes to one kind of decoder entry point. Any exception that is not an
:class:`ir_codec.errors.IRCodecError` escapes, and that is a crash. They are driven by atheris
(``fuzz/fuzz_<name>.py``, ``make fuzz``) and by the pure-Python mutation driver of
:mod:`fuzz.driver` (``tests/test_fuzz_smoke.py``, part of ``make test``).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from ir_codec import available_codecs, get_codec
from ir_codec.cli import main
from ir_codec.errors import IRCodecError

ROOT = Path(__file__).resolve().parent.parent
CODECS = [n for n in available_codecs() if n != "toy"]
_CODEC_OBJECTS = {n: get_codec(n) for n in CODECS}


def _pick(data: bytes) -> tuple[str, bytes]:
    """The first byte picks the codec; the rest is the input."""
    if not data:
        return CODECS[0], b""
    return CODECS[data[0] % len(CODECS)], data[1:]


def fuzz_request(data: bytes) -> None:
    """decode (and re-encode what decodes) for every codec."""
    name, body = _pick(data)
    codec = _CODEC_OBJECTS[name]
    try:
        request = codec.decode(body)
        codec.encode(request)
    except IRCodecError:
        return


def fuzz_response(data: bytes) -> None:
    """decode_response (and encode_response where the codec has one)."""
    name, body = _pick(data)
    codec = _CODEC_OBJECTS[name]
    try:
        response = codec.decode_response(body)
        encode = getattr(codec, "encode_response", None)
        if encode is not None:
            encode(response)
    except IRCodecError:
        return


def fuzz_stream(data: bytes) -> None:
    """A stream decoder fed the input's lines as events (SSE ``data:`` prefixes removed)."""
    name, body = _pick(data)
    decoder = _CODEC_OBJECTS[name].stream_decoder()
    try:
        if body.lstrip().startswith(b"["):
            # A JSON array of events (the fixtures' form): each event fed as its own JSON text.
            try:
                events = msgspec.json.decode(body)
            except msgspec.DecodeError:
                events = None
            if isinstance(events, list):
                for event in events:
                    decoder.feed(msgspec.json.encode(event))
                decoder.finish()
                return
        for line in body.split(b"\n"):
            line = line.strip()
            if line.startswith(b"data:"):
                line = line[5:].strip()
            if line and line != b"[DONE]":
                decoder.feed(line)
        decoder.finish()
    except IRCodecError:
        return


_COMMANDS = [
    ["decode", "--codec"],
    ["decode-response", "--codec"],
    ["decode-response", "--stream", "--codec"],
    ["transpile", "--write", "anthropic", "--read"],
    ["validate", "--codec"],
    ["lint", "--codec"],
]


def fuzz_cli(data: bytes) -> None:
    """The CLI's JSON entry, never an exception: exit 0, 2 or 3 and one ``error:`` line for bad
    input; the gate (``validate``, ``lint``) and a batch ``transpile`` also exit 1 for findings or
    skipped records, and report each unreadable record on its own line (spec/batch.md)."""
    if len(data) < 2:
        return
    command = _COMMANDS[data[0] % len(_COMMANDS)] + [CODECS[data[1] % len(CODECS)]]
    out, err = io.BytesIO(), io.StringIO()
    code = main(command, stdin=io.BytesIO(data[2:]), stdout=out, stderr=err)
    errors = [line for line in err.getvalue().splitlines() if line.startswith("error:")]
    records = [line for line in out.getvalue().decode().splitlines() if line.startswith("-:") and ": error: " in line]
    if command[0] in ("validate", "lint"):
        ok = code in (0, 1) or (code == 2 and (len(errors) == 1 or bool(records)))
    else:
        batch = any(line.startswith("-:") for line in err.getvalue().splitlines()) or code == 1
        ok = code in ((0, 1) if batch else (0, 3)) or (code == 2 and len(errors) == 1)
    if not ok:
        raise AssertionError(f"ir-codec {' '.join(command)}: exit {code}, stderr {err.getvalue()!r}")


# Crashes found by fuzzing in codec files and reported to their owners (signature: exception type
# and innermost project frame). With IR_CODEC_FUZZ_SKIP_KNOWN=1 a fuzz run steps over them to
# look for others; tests/test_fuzz_smoke.py tolerates them. Remove an entry when it is fixed.
KNOWN_CRASHES: frozenset[str] = frozenset()


def signature(exc: BaseException) -> str:
    """A crash's identity: the exception type and the innermost frame in ir_codec or codecs."""
    tb = exc.__traceback__
    where = "?"
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        for root in ("/ir_codec/", "/codecs/"):
            if root in name:
                where = f"ir_codec/{'codecs/' if root == '/codecs/' else ''}{name.split(root, 1)[1]}:{tb.tb_lineno}"
                break
        tb = tb.tb_next
    return f"{type(exc).__name__} at {where}"


def _skipping_known(harness: Callable[[bytes], None]) -> Callable[[bytes], None]:
    if os.environ.get("IR_CODEC_FUZZ_SKIP_KNOWN") != "1":
        return harness

    def guarded(data: bytes) -> None:
        try:
            harness(data)
        except Exception as exc:
            if signature(exc) not in KNOWN_CRASHES:
                raise

    return guarded


HARNESSES: dict[str, Callable[[bytes], None]] = {
    name: _skipping_known(fn)
    for name, fn in {"request": fuzz_request, "response": fuzz_response, "stream": fuzz_stream, "cli": fuzz_cli}.items()
}


def _files(*patterns: str) -> Iterator[Path]:
    for pattern in patterns:
        yield from sorted(p for p in ROOT.glob(pattern) if p.is_file())


def seeds(harness: str) -> list[bytes]:
    """The seed corpus of a harness: golden vectors (field ``wire``), test payloads, reply
    fixtures and ``fuzz/corpus``, each prefixed with every codec byte."""
    bodies: list[tuple[Path, bytes]] = []
    if harness in ("request", "cli"):
        for path in _files("spec/vectors/*/*.json"):
            try:
                wire = msgspec.json.decode(path.read_bytes()).get("wire")
            except (msgspec.DecodeError, AttributeError):
                continue
            if wire is not None:
                bodies.append((path, msgspec.json.encode(wire)))
        bodies += [(p, p.read_bytes()) for p in _files("tests/payloads/**/*.json", "fuzz/corpus/*")]
    if harness in ("response", "stream", "cli"):
        # Reply fixtures: {"response": <reply>, ...} or {"events": [<event>, ...], ...}.
        for path in _files("tests/responses/**/*.json"):
            fixture = msgspec.json.decode(path.read_bytes())
            if not isinstance(fixture, dict):
                continue
            if harness == "stream" and isinstance(fixture.get("events"), list):
                bodies.append((path, msgspec.json.encode(fixture["events"])))
            elif harness != "stream" and "events" not in fixture and fixture.get("response") is not None:
                bodies.append((path, msgspec.json.encode(fixture["response"])))
    out: list[bytes] = []
    for i, (path, body) in enumerate(bodies):
        # The codec of the directory the file is in (spec/vectors/<codec>/, tests/payloads/<codec>/...).
        codec = next((CODECS.index(part) for part in path.relative_to(ROOT).parts if part in CODECS), i % len(CODECS))
        if harness == "cli":
            out.append(bytes([i % len(_COMMANDS), codec]) + body)
        else:
            out.append(bytes([codec]) + body)
    return out
