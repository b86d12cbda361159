"""The core of incremental streams: the IR events a decoder passes on, ``events_of``, the SSE
reader fed in chunks, and the :class:`~ir_codec.replies.StreamEncoder` driver's own rules (the
order of hooks, and the losses only a stream has), on a small encoder written here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ir_codec import Response, available_codecs, decode_stream, get_codec, transpile_stream
from ir_codec.codec import Codec, EncodeContext
from ir_codec.errors import DecodeError, IRCodecError, LossKind
from ir_codec.ir import Part, RedactedThinking, ReplyError, Text, Thinking, ToolUse, Usage
from ir_codec.replies import Piece, StreamEncoder, WireEvent
from ir_codec.strategies import responses, stream_events
from ir_codec.stream import (
    MessageStart,
    PartOptions,
    ReplyOptions,
    ResponseAssembler,
    SSEReader,
    Stop,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
    WholePart,
    events_of,
    parse_sse,
)

ROOT = Path(__file__).parent / "responses"
ALL = [c for c in available_codecs() if c != "toy"]


def _assemble(events: list[Any]) -> Response:
    asm = ResponseAssembler()
    for ev in events:
        asm.apply(ev)
    return asm.response()


@settings(max_examples=60)
@given(responses(["anthropic", "openai-chat", "gemini", "bedrock-converse", "openai-responses"]))
def test_events_of_assembles_to_the_response(r: Response) -> None:
    assert _assemble(events_of(r)) == r


@settings(max_examples=60)
@given(st.data())
def test_cut_pieces_assemble_to_the_response(data: st.DataObject) -> None:
    r = data.draw(responses(["anthropic", "gemini"]))
    events = data.draw(stream_events(r))
    assert _assemble(events) == r


def test_events_of_a_reply_with_every_kind() -> None:
    r = Response(
        id="m1",
        model="x",
        content=[
            Text(text="hi", provider_options={"anthropic": {"citations": []}}),
            RedactedThinking(data="opaque", origin="anthropic"),
            ToolUse(id="t1", name="f", input={"a": 1}),
        ],
        stop_reason="tool_use",
        usage=Usage(uncached_input_tokens=3, output_tokens=2),
        provider_options={"anthropic": {"container": None}},
    )
    assert events_of(r) == [
        MessageStart(id="m1", model="x"),
        ReplyOptions(provider_options={"anthropic": {"container": None}}),
        PartOptions(index=0, provider_options={"anthropic": {"citations": []}}),
        TextDelta(index=0, text="hi"),
        WholePart(index=1, part=RedactedThinking(data="opaque", origin="anthropic")),
        ToolCallStart(index=2, id="t1", name="f"),
        ToolCallDelta(index=2, arguments='{"a":1}'),
        UsageUpdate(usage=Usage(uncached_input_tokens=3, output_tokens=2)),
        Stop(stop_reason="tool_use", raw_stop_reason=None),
    ]


def _fixture_streams() -> list[tuple[str, Path]]:
    out = []
    for name in ALL:
        family = "anthropic" if name.startswith("anthropic") else name
        for f in sorted((ROOT / family).glob("*.json")):
            if "events" in json.loads(f.read_text()):
                out.append((name, f))
    return out


@pytest.mark.parametrize(("name", "path"), _fixture_streams(), ids=lambda v: getattr(v, "stem", v))
def test_decoder_events_carry_everything_finish_assembles(name: str, path: Path) -> None:
    """What the incremental transpile rests on: another assembler fed only the events a decoder
    returns (including ``end()``'s) assembles exactly what the decoder's ``finish`` gives."""
    dec = get_codec(name).stream_decoder()
    events: list[Any] = []
    for event_name, event in json.loads(path.read_text())["events"]:
        events += dec.feed(event, event_name)
    events += dec.end()
    assert dec.end() == []
    assert _assemble(events) == dec.finish()


def test_anthropic_decoder_passes_on_whole_blocks_and_citations() -> None:
    dec = get_codec("anthropic").stream_decoder()
    message = {"id": "m", "type": "message", "role": "assistant", "model": "c", "content": [], "usage": {}}
    message["usage"] = {"input_tokens": 1, "output_tokens": 0}
    assert dec.feed({"type": "message_start", "message": message}) == [
        MessageStart(id="m", model="c"),
        UsageUpdate(usage=Usage(uncached_input_tokens=1, output_tokens=0)),
    ]
    cited = {"type": "text", "text": "", "citations": [{"type": "x"}]}
    assert dec.feed({"type": "content_block_start", "index": 0, "content_block": cited}) == [
        TextDelta(index=0, text=""),
        PartOptions(index=0, provider_options={"anthropic": {"citations": [{"type": "x"}]}}),
    ]
    block = {"type": "content_block_start", "index": 1, "content_block": {"type": "redacted_thinking", "data": "zz"}}
    assert dec.feed(block) == [WholePart(index=1, part=RedactedThinking(data="zz", origin="anthropic"))]
    # the reply's fields come before the event's own (an encoder knows them when it writes those)
    assert dec.feed({"type": "message_delta", "delta": {"stop_reason": "end_turn", "container": {"id": "c1"}}}) == [
        ReplyOptions(provider_options={"anthropic": {"container": {"id": "c1"}}}),
        Stop(stop_reason="end_turn", raw_stop_reason="end_turn"),
    ]


@settings(max_examples=80)
@given(st.data())
def test_sse_reader_in_any_chunks_reads_what_parse_sse_reads(data: st.DataObject) -> None:
    events = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from([None, "a", "message_delta"]),
                st.dictionaries(st.text(max_size=3), st.integers(-(2**63), 2**63 - 1)),
            ),
            max_size=5,
        )
    )
    text = "".join((f"event: {n}\n" if n else "") + f"data: {json.dumps(d)}\r\n\n" for n, d in events)
    text = ": keep-alive\n\n" + text + 'data: [DONE]\n\ndata: {"after": 1}\n\n'
    raw = text.encode()
    cuts = sorted(data.draw(st.sets(st.integers(0, len(raw)), max_size=6)))
    reader = SSEReader()
    got: list[Any] = []
    for i, j in zip([0, *cuts], [*cuts, len(raw)], strict=True):
        got += reader.feed(raw[i:j])
    got += reader.close()
    expected = [(n, d) for n, d in events]
    assert got == expected
    assert list(parse_sse(text.splitlines(keepends=True))) == expected
    assert reader.done


# The SSE rules on bytes (WHATWG "Server-sent events", 9.2.5-9.2.6): (lines fed, events read).
SSE_CASES: list[tuple[str, list[bytes], list[tuple[str | None, Any]]]] = [
    (
        "crlf-and-lf",
        [b"event: a\r\n", b'data: {"x":1}\r\n', b"\r\n", b'data: {"y":2}\n', b"\n"],
        [("a", {"x": 1}), (None, {"y": 2})],
    ),
    (
        "cr-alone-ends-a-line",
        [b"event: a\r", b'data: {"x":1}\r', b"\r", b'data: {"y":2}\r\n', b"\r\n"],
        [("a", {"x": 1}), (None, {"y": 2})],
    ),
    (
        "cr-then-crlf-is-a-blank-line",
        [b'data: {"x":1}\r', b"\r\n", b'data: {"y":2}\n', b"\n"],
        [(None, {"x": 1}), (None, {"y": 2})],
    ),
    # "If a line ... starts with a U+FEFF BYTE ORDER MARK": only at the start of the stream
    ("bom-at-the-start", [b'\xef\xbb\xbfdata: {"x":1}\n', b"\n"], [(None, {"x": 1})]),
    ("bom-later-is-a-field-name", [b"\n", b'\xef\xbb\xbfdata: {"x":1}\n', b"\n"], []),
    ("data-lines-joined", [b"data: [1,\n", b"data: 2]\n", b"\n"], [(None, [1, 2])]),
    ("no-space-after-colon", [b'data:{"x":1}\n', b"\n"], [(None, {"x": 1})]),
    (
        "comments-and-other-fields",
        [b": ping\n", b"id: 7\n", b"retry: 10\n", b'data: {"x":1}\n', b"\n"],
        [(None, {"x": 1})],
    ),
    # the bytes of a comment or of a field the reader does not use are not decoded
    ("not-utf8-where-unread", [b": \xff\n", b"id: \xfe\n", b'data: {"x":1}\n', b"\n"], [(None, {"x": 1})]),
    (
        "done-ends-the-stream",
        [b'data: {"x":1}\n', b"\n", b"data:  [DONE] \n", b"\n", b'data: {"y":2}\n', b"\n"],
        [(None, {"x": 1})],
    ),
    ("unicode-in-data", ['data: {"t":"h\u00e9 \U0001f600"}\n'.encode(), b"\n"], [(None, {"t": "h\u00e9 \U0001f600"})]),
    ("last-event-without-blank-line", [b"event: e\n", b'data: {"x":1}'], [("e", {"x": 1})]),
]


@pytest.mark.parametrize(("name", "lines", "events"), SSE_CASES, ids=[c[0] for c in SSE_CASES])
def test_sse_rules(name: str, lines: list[bytes], events: list[tuple[str | None, Any]]) -> None:
    assert list(parse_sse(lines)) == events
    if name != "not-utf8-where-unread":  # the same lines as text
        assert list(parse_sse([x.decode() for x in lines])) == events
    reader = SSEReader()  # the same bytes fed byte by byte
    got: list[Any] = []
    for b in b"".join(lines):
        got += reader.feed(bytes([b]))
    assert got + reader.close() == events


@pytest.mark.parametrize("as_bytes", [False, True], ids=["text", "bytes"])
def test_a_whole_stream_keeps_unicode_line_separators_inside_strings(as_bytes: bool) -> None:
    # U+2028, U+2029 and U+0085 are line breaks to str.splitlines(), not to SSE (CR / LF only);
    # JSON allows them raw inside a string.
    text = "a\u2028b\u2029c\x85d"
    events: list[dict[str, Any]] = [
        {
            "type": "message_start",
            "message": {
                "id": "m",
                "type": "message",
                "role": "assistant",
                "model": "c",
                "content": [],
                "stop_reason": None,
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}},
        {"type": "message_stop"},
    ]
    sse = "".join(f"event: {e['type']}\ndata: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events)
    source = sse.encode() if as_bytes else sse
    assert decode_stream(source, "anthropic").content == [Text(text=text)]
    out = transpile_stream(source, "anthropic", "openai-chat", on_lossy="ignore").to_sse()
    assert decode_stream(out, "openai-chat").content == [Text(text=text)]


@pytest.mark.parametrize(
    ("lines", "path", "expected"),
    [
        ([b'data: {"text":"a\xffb"}\n', b"\n"], "$.text", "a string of UTF-8 text"),
        ([b'data: {"k":"\xc0\xaf"}\n', b"\n"], "$.k", "a string of UTF-8 text"),
        ([b"event: \xff\n", b"data: {}\n", b"\n"], "event", "an event name of UTF-8 text"),
        ([b'data: {"a":1,"a":2}\n', b"\n"], "$.a", "each key once"),
    ],
    ids=["invalid-utf8-in-data", "overlong-utf8-in-data", "invalid-utf8-event-name", "duplicate-key"],
)
def test_sse_refuses_bad_bytes_with_a_path(lines: list[bytes], path: str, expected: str) -> None:
    for read in (lambda: list(parse_sse(lines)), lambda: SSEReader().feed(b"".join(lines))):
        with pytest.raises(DecodeError) as info:
            read()
        assert info.value.path == path
        assert expected in info.value.expected


# --------------------------------------------------------------------------------------------
# The driver, on an encoder that writes what it is told


class _Log(StreamEncoder):
    """Writes one event per hook call, naming the hook and its arguments."""

    SEQUENTIAL: ClassVar[bool] = True

    def _start(self) -> list[WireEvent]:
        return [("start", {"id": self.assembler.id})]

    def _begin(self, k: int, ev: Piece) -> list[WireEvent]:
        return [("begin", {"k": k, "type": type(ev).__name__})]

    def _piece(self, k: int, ev: Piece) -> list[WireEvent]:
        return [("piece", {"k": k, "type": type(ev).__name__})]

    def _close(self, k: int) -> list[WireEvent]:
        return [("close", {"k": k})]

    def _whole(self, k: int, part: Part) -> list[WireEvent]:
        return [("whole", {"k": k, "type": type(part).__name__})]

    def _end(self, response: Response, body: dict[str, Any]) -> list[WireEvent]:
        return [("end", {"parts": len(body["content"])})]


class _Interleaving(_Log):
    SEQUENTIAL: ClassVar[bool] = False


class _LogCodec(Codec):
    """Not registered: the codec lists other tests draw from stay the built-in ones."""

    NAME = "stream-log-test"

    def _encode_response(self, response: Response, ctx: EncodeContext) -> dict[str, Any]:
        for j, p in enumerate(response.content):
            if isinstance(p, RedactedThinking):
                ctx.lossy(("content", j), LossKind.DROPPED, "no redacted thinking here")
        return {"content": [p for p in response.content if not isinstance(p, RedactedThinking)]}

    def stream_encoder(self) -> StreamEncoder:
        return _Log(self)


def _run(enc: StreamEncoder, events: list[Any]) -> list[list[WireEvent]]:
    return [enc.feed(ev) for ev in events] + [enc.finish()]


def test_driver_opens_at_the_first_content_and_closes_each_part_when_the_next_opens() -> None:
    enc = _LogCodec().stream_encoder()
    got = _run(
        enc,
        [
            MessageStart(id="m", model="x"),
            TextDelta(index=0, text="a"),
            TextDelta(index=0, text="b"),
            WholePart(index=1, part=RedactedThinking(data="d")),
            ToolCallStart(index=2, id="t", name="f"),
            ToolCallDelta(index=2, arguments="{}"),
            Stop(stop_reason="tool_use"),
        ],
    )
    assert got == [
        [],
        [("start", {"id": "m"}), ("begin", {"k": 0, "type": "TextDelta"})],
        [("piece", {"k": 0, "type": "TextDelta"})],
        [("close", {"k": 0}), ("whole", {"k": 1, "type": "RedactedThinking"})],
        [("close", {"k": 1}), ("begin", {"k": 2, "type": "ToolCallStart"})],
        [("piece", {"k": 2, "type": "ToolCallDelta"})],
        [],
        [("close", {"k": 2}), ("end", {"parts": 2})],
    ]
    # the whole reply's losses, reported once by finish, at the assembled Response's paths
    assert [(w.path, w.kind) for w in enc.warnings] == [("content[1]", LossKind.DROPPED)]


def test_driver_reports_a_late_piece_and_a_part_opened_out_of_order() -> None:
    enc = _LogCodec().stream_encoder()
    got = _run(
        enc,
        [
            TextDelta(index=5, text="later"),
            TextDelta(index=2, text="earlier"),
            TextDelta(index=5, text=" again"),  # part 5 is closed: not written
        ],
    )
    assert got[2] == []
    assert sorted((w.path, w.kind) for w in enc.warnings) == [
        ("content[0]", LossKind.MOVED),
        ("content[1]", LossKind.CHANGED),
    ]
    assert enc.assembler.response().content == [Text(text="earlier"), Text(text="later again")]


def test_interleaving_target_writes_pieces_of_any_open_part() -> None:
    enc = _Interleaving(_LogCodec())
    got = _run(
        enc, [TextDelta(index=0, text="a"), ToolCallStart(index=1, id="t", name="f"), TextDelta(index=0, text="b")]
    )
    assert got[2] == [("piece", {"k": 0, "type": "TextDelta"})]
    assert got[3] == [("end", {"parts": 2})]  # nothing to close
    assert enc.warnings == []


def test_a_whole_part_that_differs_from_the_pieces_written_is_reported() -> None:
    enc = _LogCodec().stream_encoder()
    got = _run(
        enc,
        [
            ToolCallStart(index=0, id="t", name="f"),
            ToolCallDelta(index=0, arguments='{"a": 1}'),
            WholePart(index=0, part=ToolUse(id="t", name="f", input={"a": 2})),
        ],
    )
    assert got[2] == []  # written already: the whole part is not written again
    assert [(w.path, w.kind) for w in enc.warnings] == [("content[0]", LossKind.CHANGED)]
    enc2 = _LogCodec().stream_encoder()
    _run(
        enc2,
        [
            ToolCallStart(index=0, id="t", name="f"),
            ToolCallDelta(index=0, arguments='{"a": 1}'),
            WholePart(index=0, part=ToolUse(id="t", name="f", input={"a": 1})),
        ],
    )
    assert enc2.warnings == []  # the same call, kept byte for byte: nothing lost


def test_driver_misuse_is_a_clear_error() -> None:
    enc = _LogCodec().stream_encoder()
    with pytest.raises(TypeError, match="StreamEvent"):
        enc.feed({"type": "TextDelta"})  # type: ignore[arg-type]
    assert enc.finish() == [("start", {"id": None}), ("end", {"parts": 0})]
    with pytest.raises(IRCodecError, match="finished"):
        enc.feed(TextDelta(index=0, text="x"))
    with pytest.raises(IRCodecError, match="finished"):
        enc.finish()


def test_late_tool_arguments_are_reported_not_a_crash() -> None:
    """A call's last argument pieces after the target closed it: the pieces written are not
    JSON on their own; the call is reported, and the assembled Response keeps the whole call."""
    enc = _LogCodec().stream_encoder()
    _run(
        enc,
        [
            ToolCallStart(index=0, id="t", name="f"),
            ToolCallDelta(index=0, arguments='{"a": '),
            TextDelta(index=1, text="x"),
            ToolCallDelta(index=0, arguments="1}"),
        ],
    )
    assert [(w.path, w.kind) for w in enc.warnings] == [("content[0]", LossKind.CHANGED)]
    assert enc.assembler.response().content[0] == ToolUse(id="t", name="f", input={"a": 1})


def _cbs(i: Any, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": i, "content_block": block}


def _cbd(i: Any, delta: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": i, "delta": delta}


def _chunk(delta: dict[str, Any]) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": None}
    return {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m", "choices": [choice]}


_THINKING = {"type": "thinking", "thinking": ""}

# Malformed events: (codec, events, path, expected). Each was read as a bare TypeError /
# KeyError, or its bad value silently skipped, before.
MALFORMED_STREAMS: list[tuple[str, list[Any], str, str]] = [
    (
        "anthropic",
        [_cbs(0, _THINKING), _cbd(0, {"type": "signature_delta", "signature": 5})],
        "$.delta.signature",
        "a string",
    ),
    (
        "anthropic",
        [_cbs(0, {"type": "text", "text": ""}), _cbd(0, {"type": "text_delta", "text": {}})],
        "$.delta.text",
        "a string",
    ),
    (
        "anthropic",
        [_cbs(0, {"type": "text", "text": ""}), _cbd(0, {"type": "input_json_delta", "partial_json": "{}"})],
        "$.delta.type",
        "a delta of a text block",
    ),
    # a block start's signature of the wrong type, caught where the part is assembled
    ("anthropic", [_cbs(0, {**_THINKING, "signature": 7})], "content[0].signature", "a string"),
    (
        "anthropic",
        [
            _cbs(0, {"type": "tool_use", "id": "t", "name": "n", "input": {}}),
            _cbd(0, {"type": "text_delta", "text": "x"}),
        ],
        "content[0]",
        "a part that takes text pieces",
    ),
    # a type that is no string is no future event to pass over
    (
        "anthropic",
        [{"type": 7, "index": 0, "delta": {"type": "text_delta", "text": "x"}}],
        "$.type",
        "an event type string",
    ),
    ("openai-responses", [{"type": ["response.output_text.delta"]}], "$.type", "an event type string"),
    (
        "openai-responses",
        [{"type": "response.output_item.added", "output_index": 0, "item": {"type": "function_call", "name": "f"}}],
        "$.item.call_id",
        "a string",
    ),
    ("openai-chat", [_chunk({"content": 5})], "$.choices[0].delta.content", "a string or null"),
    (
        "openrouter",
        [_chunk({"reasoning_details": [{"type": "reasoning.text", "text": 5}]})],
        "$.choices[0].delta.reasoning_details[0].text",
        "a string or null",
    ),
    ("openai-chat", [_chunk({"refusal": ["no"]})], "$.choices[0].delta.refusal", "a string or null"),
    (
        "openai-chat",
        [
            _chunk(
                {"tool_calls": [{"index": 0, "id": "c", "type": "function", "function": {"name": "f", "arguments": 7}}]}
            )
        ],
        "$.choices[0].delta.tool_calls[0].function.arguments",
        "a string or null",
    ),
    (
        "openrouter",
        [_chunk({"tool_calls": [{"index": 0, "id": "c", "type": "function", "function": {"name": 3}}]})],
        "$.choices[0].delta.tool_calls[0].function.name",
        "a string or null",
    ),
]


@pytest.mark.parametrize(("codec", "events", "path", "expected"), MALFORMED_STREAMS)
def test_a_malformed_stream_event_is_refused_with_its_path(
    codec: str, events: list[Any], path: str, expected: str
) -> None:
    dec = get_codec(codec).stream_decoder()
    with pytest.raises(DecodeError) as info:
        for ev in events:
            dec.feed(ev)
        dec.finish()
    assert (info.value.path, info.value.expected) == (path, expected)


@pytest.mark.parametrize(
    ("event", "path", "expected", "found"),
    [
        (TextDelta(index=[0], text="x"), "content", "an integer part index", "an array"),  # type: ignore[arg-type]
        (TextDelta(index=0, text=5), "content[0].text", "a string", "a number"),  # type: ignore[arg-type]
        (ToolCallStart(index=1, id=None, name="f"), "content[1].id", "a string", "null"),  # type: ignore[arg-type]
        (MessageStart(id={"x": 1}), "id", "a string", "an object"),  # type: ignore[arg-type]
    ],
    ids=["index-array", "text-number", "call-id-null", "message-id-object"],
)
def test_the_assembler_checks_what_it_joins(event: Any, path: str, expected: str, found: str) -> None:
    with pytest.raises(DecodeError) as info:
        ResponseAssembler().apply(event)
    assert (info.value.path, info.value.expected, info.value.found) == (path, expected, found)


def test_the_assembler_joins_thinking_pieces_as_before() -> None:
    asm = ResponseAssembler()
    for ev in [
        ThinkingDelta(index=0, text="a"),
        ThinkingDelta(index=0, text="b", signature="s1"),
        ThinkingDelta(index=0, text="", signature="s2", origin="anthropic"),
        TextDelta(index=1, text="hi"),
    ]:
        asm.apply(ev)
    assert asm.content() == [Thinking(text="ab", signature="s1s2", origin="anthropic"), Text(text="hi")]


# -- a stream that ends with an error: the driver's three cases ------------------------------------


class _ErrorLog(_Log):
    ERROR_EVENTS: ClassVar[bool] = True

    def _error_end(self, response: Response, body: dict[str, Any], error: ReplyError) -> list[WireEvent]:
        return [("error", {"type": error.type, "message": error.message})]


class _ErrorLogCodec(_LogCodec):
    def stream_encoder(self) -> StreamEncoder:
        return _ErrorLog(self)


class _BodyErrorCodec(_LogCodec):
    REPLY_ERRORS: ClassVar[bool] = True


_ERRORED = [
    MessageStart(id="m"),
    TextDelta(index=0, text="a"),
    Stop(stop_reason="error", error=ReplyError(type="overloaded", message="busy")),
]


def test_driver_without_error_events_ends_as_usual_and_reports_the_error_dropped() -> None:
    enc = _LogCodec().stream_encoder()
    assert _run(enc, _ERRORED)[-1] == [("close", {"k": 0}), ("end", {"parts": 1})]
    assert [(w.path, w.kind) for w in enc.warnings] == [("error", LossKind.DROPPED)]


def test_driver_with_error_events_ends_with_the_error_and_leaves_the_open_part_open() -> None:
    enc = _ErrorLogCodec().stream_encoder()
    assert _run(enc, _ERRORED)[-1] == [("error", {"type": "overloaded", "message": "busy"})]
    assert enc.warnings == []


def test_driver_with_error_events_reports_a_stop_reason_the_error_replaces() -> None:
    enc = _ErrorLogCodec().stream_encoder()
    _run(enc, [*_ERRORED[:2], Stop(stop_reason="end_turn", error=ReplyError(message="busy"))])
    assert [(w.path, w.kind) for w in enc.warnings] == [("stop_reason", LossKind.CHANGED)]


def test_driver_leaves_an_error_the_body_carries_to_the_end() -> None:
    enc = _BodyErrorCodec().stream_encoder()
    assert _run(enc, _ERRORED)[-1] == [("close", {"k": 0}), ("end", {"parts": 1})]
    assert enc.warnings == []


def test_a_stop_with_an_error_of_the_wrong_type_is_refused() -> None:
    from ir_codec.stream import ResponseAssembler

    with pytest.raises(DecodeError) as info:
        ResponseAssembler().apply(Stop(stop_reason="error", error=ReplyError(message=5)))  # type: ignore[arg-type]
    assert info.value.path == "error.message"
    with pytest.raises(DecodeError) as info:
        ResponseAssembler().apply(Stop(stop_reason="error", error={"message": "m"}))  # type: ignore[arg-type]
    assert info.value.path == "error"
