"""The public surface: names, on_lossy, errors, registry, IR JSON form."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings

import pytest

import ir_codec
from ir_codec import (
    CacheControl,
    DecodeError,
    IRCodecError,
    LossyEncodeError,
    LossyEncodeWarning,
    Message,
    Request,
    Text,
    UnknownCodecError,
)
from ir_codec.codec import expect_str
from tests import toy_codec

LOSSY = Request(messages=[Message(role="user", content=[Text(text="a"), Text(text="b", cache=CacheControl())])])
CLEAN = Request(messages=[Message(role="user", content=[Text(text="a")])])


def test_all_is_exactly_the_public_names() -> None:
    import types

    public = {
        n
        for n, v in vars(ir_codec).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType) and n != "annotations"
    }
    assert sorted(ir_codec.__all__) == ir_codec.__all__
    assert set(ir_codec.__all__) == public


def test_import_is_light() -> None:
    code = (
        "import sys, ir_codec; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('hypothesis','anthropic','openai','google','botocore','boto3','httpx2','pytest')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_on_lossy_ignore_returns_warnings_only() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = ir_codec.encode(LOSSY, "toy", on_lossy="ignore")
    assert [(w.codec, w.path) for w in e.warnings] == [("toy", "messages[0].content[1]")]
    assert e.body == {"messages": [{"role": "user", "text": "a"}]}


def test_on_lossy_warn_emits_python_warnings_and_log_records(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    with caplog.at_level(logging.WARNING, logger="ir_codec"), pytest.warns(LossyEncodeWarning) as rec:
        e = ir_codec.encode(LOSSY, "toy", on_lossy="warn")
    assert len(e.warnings) == 1
    assert str(rec[0].message) == "toy: messages[0].content[1]: toy carries plain text only"
    # one record on the stdlib logger `ir_codec`, its fields as attributes
    [record] = [r for r in caplog.records if r.name == "ir_codec"]
    assert (record.getMessage(), record.levelname) == ("lossy_encode", "WARNING")
    assert (record.codec, record.path, record.reason) == (  # type: ignore[attr-defined]
        "toy",
        "messages[0].content[1]",
        "toy carries plain text only",
    )
    # the library itself writes nothing to stdout or stderr
    assert capfd.readouterr() == ("", "")


def test_the_library_is_silent_without_logging_configured() -> None:
    # A fresh interpreter with no logging set up: on_lossy="warn" with the Python warning
    # filtered out leaves stdout and stderr empty (no structlog line, no logging lastResort).
    code = (
        "import warnings, ir_codec, tests.toy_codec as t;"
        "from tests.test_api import LOSSY;"
        "warnings.simplefilter('ignore');"
        "e = ir_codec.encode(LOSSY, 'toy', on_lossy='warn');"
        "assert len(e.warnings) == 1"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert (out.stdout, out.stderr) == ("", "")


def test_on_lossy_raise() -> None:
    with pytest.raises(LossyEncodeError) as exc:
        ir_codec.encode(LOSSY, "toy", on_lossy="raise")
    assert [w.path for w in exc.value.warnings] == ["messages[0].content[1]"]
    assert isinstance(exc.value, IRCodecError)
    assert ir_codec.encode(CLEAN, "toy", on_lossy="raise").warnings == []


def test_on_lossy_must_be_known() -> None:
    with pytest.raises(ValueError, match="on_lossy"):
        ir_codec.encode(CLEAN, "toy", on_lossy="loud")  # type: ignore[arg-type]


def test_unknown_codec() -> None:
    with pytest.raises(UnknownCodecError) as exc:
        ir_codec.get_codec("nope")
    assert "unknown codec 'nope'" in str(exc.value) and "toy" in str(exc.value)


def test_bad_codec_options_are_an_ir_codec_error() -> None:
    with pytest.raises(IRCodecError, match="bad options"):
        ir_codec.get_codec("toy", colour="blue")


def test_transpile_and_validate() -> None:
    body = {"messages": [{"role": "user", "text": "hi"}]}
    assert ir_codec.transpile(body, "toy", "toy").body == body
    assert ir_codec.validate(b'{"messages": []}', "toy") == Request()
    with pytest.raises(DecodeError) as exc:
        ir_codec.validate({"messages": [{"role": "user", "text": 3}]}, "toy")
    assert (exc.value.path, exc.value.expected, exc.value.found) == ("$.messages[0].text", "str", "int")
    with pytest.raises(DecodeError) as exc:
        ir_codec.validate(b"{not json", "toy")
    assert (exc.value.path, exc.value.expected, exc.value.found) == ("$", "a string key", "'not json'")


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        (b'{"messages": [{"role": "robot", "content": []}]}', "$.messages[0].role", "one of the allowed values"),
        (b'{"messages": [{"role": "user"}]}', "$.messages[0]", "required field 'content'"),
        (
            b'{"messages": [{"role": "user", "content": [{"type": "video"}]}]}',
            "$.messages[0].content[0].type",
            "one of the allowed values",
        ),
        (b'{"temperature": "hot"}', "$.temperature", "float"),
        (b'{"colour": 1}', "$.colour", "no such field"),
        (b"[1]", "$", "object"),
    ],
)
def test_ir_json_errors_name_the_path(text: bytes, path: str, expected: str) -> None:
    with pytest.raises(DecodeError) as exc:
        ir_codec.ir_from_json(text)
    assert exc.value.path == path
    assert expected in exc.value.expected


def test_ir_json_round_trip_and_hash() -> None:
    assert ir_codec.ir_from_json(ir_codec.ir_to_json(LOSSY)) == LOSSY
    assert hash(LOSSY) == hash(ir_codec.ir_from_json(ir_codec.ir_to_json(LOSSY)))
    assert len({LOSSY, ir_codec.ir_from_json(ir_codec.ir_to_json(LOSSY)), CLEAN}) == 2


def test_encode_rejects_non_ir() -> None:
    with pytest.raises(TypeError, match="ir_codec.Request"):
        ir_codec.encode({"messages": []}, "toy")  # type: ignore[arg-type]


def test_toy_codec_is_registered() -> None:
    assert isinstance(ir_codec.get_codec("toy"), toy_codec.ToyCodec)


def test_hypothesis_entry_point_registers_the_strategies() -> None:
    from importlib.metadata import PackageNotFoundError, entry_points, version

    try:
        version("ir-codec")
    except PackageNotFoundError:
        pytest.skip("ir-codec is not installed (run through make test)")
    assert any(ep.value == "ir_codec._hypothesis:_hypothesis_setup_hook" for ep in entry_points(group="hypothesis"))
    from hypothesis import given, settings
    from hypothesis import strategies as st

    seen: list[Request] = []

    @settings(max_examples=5, database=None)
    @given(st.from_type(Request))
    def collect(r: Request) -> None:
        seen.append(r)

    collect()
    assert len(seen) == 5 and all(isinstance(r, Request) for r in seen)
    assert any(r.messages or r.system or r.tools for r in seen)


@pytest.mark.parametrize(
    "first",
    ["from ir_codec.strategies import requests", "import hypothesis", "import ir_codec"],
    ids=["strategies-first", "hypothesis-first", "ir_codec-first"],
)
def test_the_strategies_import_and_register_whatever_comes_first(first: str) -> None:
    # Importing ir_codec.strategies first imports hypothesis, which calls the entry point while
    # the strategies module is still half built: the hook must leave it to finish (it registers
    # itself), not read an attribute it does not have yet.
    code = (
        f"{first}\n"
        "from hypothesis import strategies as st\n"
        "from ir_codec import Request\n"
        "from ir_codec.strategies import requests\n"
        "r = st.from_type(Request).example()\n"
        "print(type(r).__name__, callable(requests))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "Request True"), done.stderr[-2000:]


@pytest.mark.parametrize("codec", [n for n in ir_codec.available_codecs() if n != "toy"])
def test_every_api_function_writes_nothing_with_on_lossy_warn(codec: str, capfd: pytest.CaptureFixture[str]) -> None:
    # A request every codec loses something of (a foreign provider option), encoded, decoded,
    # transpiled and validated with on_lossy="warn": Python warnings, and not one byte on the
    # process's stdout or stderr (file-descriptor level capture).
    req = Request(
        model="m",
        max_tokens=64,
        messages=[Message(role="user", content=[Text(text="hi")])],
        provider_options={"x-elsewhere": {"k": 1}},
    )
    with pytest.warns(LossyEncodeWarning):
        e = ir_codec.encode(req, codec, on_lossy="warn")
    assert any(w.path == "provider_options.x-elsewhere" for w in e.warnings)
    ir_codec.decode(e.to_json(), codec, on_lossy="warn")
    ir_codec.transpile(e.to_json(), codec, codec, on_lossy="warn")
    ir_codec.validate(e.to_json(), codec)
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("events", "found"),
    [
        (None, "NoneType"),
        (3, "int"),
        ({"type": "message_start"}, "one object (a single event: pass a list of events)"),
    ],
    ids=["none", "int", "one-event-object"],
)
@pytest.mark.parametrize("call", ["decode_stream", "transpile_stream"])
def test_a_stream_that_is_not_one_is_refused(call: str, events: object, found: str) -> None:
    # A dict alone is not a stream: iterating it would read its keys as SSE lines (an empty reply).
    run = {
        "decode_stream": lambda: ir_codec.decode_stream(events, "anthropic"),
        "transpile_stream": lambda: ir_codec.transpile_stream(events, "anthropic", "openai-chat"),
    }[call]
    with pytest.raises(DecodeError) as info:
        run()
    assert (info.value.path, info.value.expected, info.value.found) == (
        "$",
        "a stream: SSE bytes or text, or an iterable of events",
        found,
    )


def test_a_stream_of_sse_bytes_in_a_memoryview_is_read() -> None:
    block = b'{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"hi"}}'
    sse = b"event: content_block_start\ndata: " + block + b"\n\n"
    assert ir_codec.decode_stream(memoryview(sse), "anthropic").content == [Text(text="hi")]


@pytest.mark.parametrize(
    ("value", "nullable", "error"),
    [
        ("x", False, None),
        (None, True, None),
        (None, False, ("a string", "NoneType")),
        (5, True, ("a string or null", "int")),
        (["x"], False, ("a string", "list")),
    ],
)
def test_expect_str_the_codecs_string_reader(value: object, nullable: bool, error: tuple[str, str] | None) -> None:
    read = (lambda: expect_str(value, "$.a", nullable=True)) if nullable else (lambda: expect_str(value, "$.a"))
    if error is None:
        assert read() == value
        return
    with pytest.raises(DecodeError) as info:
        read()
    assert (info.value.path, info.value.expected, info.value.found) == ("$.a", *error)
