"""The Anthropic Messages stream encoder (anthropic, anthropic-bedrock, anthropic-vertex): IR
stream events in, Messages stream events out, as they arrive.

- the stream property (``ir_codec.invariant.check_stream``) for generated Responses streamed in
  pieces cut at drawn places, with the usage and reply fields coming last (as an OpenAI-style
  upstream gives them) or first (as Anthropic's own ``message_start`` does);
- the encoder is incremental: each feed returns the events of that IR event, exactly;
- the tricky cases, table by table, with the exact events and warnings;
- a gateway transpiling another provider's recorded stream event by event.

The event shapes are the anthropic SDK's (``types/raw_message_start_event.py``,
``raw_content_block_start_event.py``, ``raw_content_block_delta_event.py``,
``raw_content_block_stop_event.py``, ``raw_message_delta_event.py``, ``message_delta_usage.py``,
``raw_message_stop_event.py``); every event written here is also validated with the SDK's
``RawMessageStreamEvent`` (``tests/replies_sdk.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ir_codec import StreamTranspiler, get_codec
from ir_codec.invariant import check_stream
from ir_codec.ir import ProviderPart, RedactedThinking, Response, Text, Thinking, ToolUse, Usage
from ir_codec.replies import StreamEncoder, WireEvent
from ir_codec.strategies import responses, stream_events
from ir_codec.stream import (
    MessageStart,
    PartOptions,
    ReplyOptions,
    Stop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
    WholePart,
)

from .replies_sdk import EVENT

NAMES = ["anthropic", "anthropic-bedrock", "anthropic-vertex"]
ROOT = Path(__file__).parent / "responses"


def _ev(kind: str, **fields: Any) -> WireEvent:
    """A Messages stream event: the SSE event name is its data's ``type``."""
    return kind, {"type": kind, **fields}


def _start(usage: dict[str, Any] | None = None, **extra: Any) -> WireEvent:
    """``message_start`` (SDK raw_message_start_event.py: a ``Message`` with empty content)."""
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-5",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage if usage is not None else {"input_tokens": 0, "output_tokens": 0},
        **extra,
    }
    return _ev("message_start", message=message)


def _block(b: int, **block: Any) -> WireEvent:
    """``content_block_start`` (SDK raw_content_block_start_event.py)."""
    return _ev("content_block_start", index=b, content_block=block)


def _delta(b: int, **delta: Any) -> WireEvent:
    """``content_block_delta`` (SDK raw_content_block_delta_event.py; the delta types are
    text_delta.py, thinking_delta.py, signature_delta.py, input_json_delta.py, citations_delta.py)."""
    return _ev("content_block_delta", index=b, delta=delta)


def _stop(b: int) -> WireEvent:
    """``content_block_stop`` (SDK raw_content_block_stop_event.py)."""
    return _ev("content_block_stop", index=b)


def _end(stop_reason: str | None, usage: dict[str, Any], **delta: Any) -> list[WireEvent]:
    """``message_delta`` (SDK raw_message_delta_event.py, message_delta_usage.py) and
    ``message_stop`` (raw_message_stop_event.py)."""
    d = {"stop_reason": stop_reason, "stop_sequence": None, **delta}
    return [_ev("message_delta", delta=d, usage=usage), _ev("message_stop")]


ZERO = {"input_tokens": 0, "output_tokens": 0}
USAGE = Usage(uncached_input_tokens=10, cache_read_tokens=0, cache_write_tokens=0, output_tokens=5)
USAGE_WIRE = {"input_tokens": 10, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 5}


def _sdk(events: list[WireEvent]) -> None:
    for _, data in events:
        assert EVENT["anthropic"](data) == data


def _run(events: list[StreamEvent], name: str = "anthropic") -> tuple[list[list[WireEvent]], list[WireEvent], Any]:
    """Each feed's events, finish's events and the encoder."""
    enc = get_codec(name).stream_encoder()
    fed = [enc.feed(ev) for ev in events]
    end = enc.finish()
    _sdk([e for f in fed for e in f] + end)
    return fed, end, enc


def _decode(events: list[WireEvent], name: str = "anthropic") -> Response:
    dec = get_codec(name).stream_decoder()
    for event_name, data in events:
        dec.feed(data, event_name)
    return dec.finish()


# --------------------------------------------------------------------------------------------
# One path


@pytest.mark.parametrize("name", NAMES)
def test_encode_stream_goes_through_the_stream_encoder(name: str) -> None:
    codec = get_codec(name)
    assert not hasattr(codec, "_stream_events")  # no whole-body split any more
    assert isinstance(codec.stream_encoder(), StreamEncoder)
    r = Response(id="msg_1", model="claude-opus-5", content=[Text(text="Hi")], stop_reason="end_turn", usage=USAGE)
    assert codec.encode_stream(r).events == [
        _start(),
        _block(0, type="text", text=""),
        _delta(0, type="text_delta", text="Hi"),
        _stop(0),
        *_end("end_turn", USAGE_WIRE),
    ]


# --------------------------------------------------------------------------------------------
# The stream property


def _early(events: list[StreamEvent]) -> list[StreamEvent]:
    """As Anthropic's own stream gives them: the reply fields and the input side of the usage
    right after MessageStart (message_start), the whole usage again at the end (message_delta)."""
    ahead: list[StreamEvent] = [e for e in events if isinstance(e, ReplyOptions)]
    for e in events:
        if isinstance(e, UsageUpdate):
            u = e.usage
            early = msgspec.structs.replace(
                u, output_tokens=None if u.output_tokens is None else 0, reasoning_tokens=None
            )
            ahead.append(UsageUpdate(usage=early))
    rest = [e for e in events if not isinstance(e, ReplyOptions)]
    return [*rest[:1], *ahead, *rest[1:]]


@pytest.mark.parametrize("name", NAMES)
def test_stream_property(name: str) -> None:
    codec = get_codec(name)

    @settings(max_examples=40)
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        r = data.draw(responses(NAMES))
        events = data.draw(stream_events(r))
        check_stream(codec, r, events)
        check_stream(codec, r, _early(events))

    prop()


def test_streamed_events_are_sdk_events() -> None:
    codec = get_codec("anthropic")

    @settings(max_examples=30)
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        r = data.draw(responses(NAMES))
        events = data.draw(stream_events(r))
        _sdk(codec.stream_encoder().stream(events).events)
        _sdk(codec.stream_encoder().stream(_early(events)).events)

    prop()


# --------------------------------------------------------------------------------------------
# Incremental


def test_each_text_piece_is_written_when_it_arrives() -> None:
    enc = get_codec("anthropic").stream_encoder()
    assert enc.feed(MessageStart(id="msg_1", model="claude-opus-5")) == []  # waits for content
    assert enc.feed(TextDelta(index=0, text="Hel")) == [
        _start(),
        _block(0, type="text", text=""),
        _delta(0, type="text_delta", text="Hel"),
    ]
    assert enc.feed(TextDelta(index=0, text="lo, ")) == [_delta(0, type="text_delta", text="lo, ")]
    assert enc.feed(TextDelta(index=0, text="world")) == [_delta(0, type="text_delta", text="world")]
    assert enc.feed(UsageUpdate(usage=USAGE)) == []
    assert enc.feed(Stop(stop_reason="end_turn", raw_stop_reason="end_turn")) == []
    assert enc.finish() == [_stop(0), *_end("end_turn", USAGE_WIRE)]
    assert enc.warnings == []


# --------------------------------------------------------------------------------------------
# The tricky cases

START = MessageStart(id="msg_1", model="claude-opus-5")
END = [UsageUpdate(usage=USAGE), Stop(stop_reason="end_turn", raw_stop_reason="end_turn")]


def test_signature_in_its_own_piece() -> None:
    fed, end, enc = _run(
        [
            START,
            ThinkingDelta(index=0, text="Let me "),
            ThinkingDelta(index=0, text="think."),
            ThinkingDelta(index=0, signature="EqQBsig", origin="anthropic"),
            TextDelta(index=1, text="Done."),
            *END,
        ]
    )
    assert fed[1:5] == [
        [
            _start(),
            _block(0, type="thinking", thinking="", signature=""),
            _delta(0, type="thinking_delta", thinking="Let me "),
        ],
        [_delta(0, type="thinking_delta", thinking="think.")],
        [_delta(0, type="signature_delta", signature="EqQBsig")],
        [_stop(0), _block(1, type="text", text=""), _delta(1, type="text_delta", text="Done.")],
    ]
    assert end == [_stop(1), *_end("end_turn", USAGE_WIRE)]
    assert enc.warnings == []
    assert _decode([e for f in fed for e in f] + end).content == [
        Thinking(text="Let me think.", signature="EqQBsig", origin="anthropic"),
        Text(text="Done."),
    ]


def test_foreign_signature_is_not_streamed_and_finish_reports_it() -> None:
    fed, end, enc = _run(
        [START, ThinkingDelta(index=0, text="Hmm."), ThinkingDelta(index=0, signature="gsig", origin="gemini"), *END]
    )
    assert fed[1:3] == [
        [
            _start(),
            _block(0, type="thinking", thinking="", signature=""),
            _delta(0, type="thinking_delta", thinking="Hmm."),
        ],
        [],  # another family's signature does not verify here: not written
    ]
    assert end == [_stop(0), *_end("end_turn", USAGE_WIRE)]
    assert [(w.path, w.kind) for w in enc.warnings] == [
        ("content[0].signature", "dropped"),
        ("content[0].origin", "dropped"),
    ]
    # the same warnings as the whole reply
    whole = Response(
        id="msg_1",
        model="claude-opus-5",
        content=[Thinking(text="Hmm.", signature="gsig", origin="gemini")],
        stop_reason="end_turn",
        raw_stop_reason="end_turn",
        usage=USAGE,
    )
    assert [str(w) for w in enc.warnings] == [str(w) for w in get_codec("anthropic").encode_response(whole).warnings]


def test_tool_call_arguments_in_pieces() -> None:
    fed, end, enc = _run(
        [
            START,
            ToolCallStart(index=0, id="toolu_1", name="get_weather"),
            ToolCallDelta(index=0, arguments='{"ci'),
            ToolCallDelta(index=0, arguments='ty": "Par'),
            ToolCallDelta(index=0, arguments='is"}'),
            UsageUpdate(usage=USAGE),
            Stop(stop_reason="tool_use", raw_stop_reason="tool_calls"),
        ]
    )
    assert fed[1:5] == [
        [_start(), _block(0, type="tool_use", id="toolu_1", name="get_weather", input={})],
        [_delta(0, type="input_json_delta", partial_json='{"ci')],
        [_delta(0, type="input_json_delta", partial_json='ty": "Par')],
        [_delta(0, type="input_json_delta", partial_json='is"}')],
    ]
    # OpenAI's raw "tool_calls" is not an Anthropic value: the IR stop reason is written
    assert end == [_stop(0), *_end("tool_use", USAGE_WIRE)]
    assert enc.warnings == []
    assert _decode([e for f in fed for e in f] + end).content == [
        ToolUse(id="toolu_1", name="get_weather", input={"city": "Paris"})
    ]


def test_whole_parts_between_streamed_parts() -> None:
    ours = RedactedThinking(data="EmwKAhgBEgy", origin="anthropic")
    theirs = RedactedThinking(data="gAAAAB", origin="openai-responses")
    server = ProviderPart(
        codec="anthropic", data={"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {"q": "x"}}
    )
    fed, end, enc = _run(
        [
            START,
            TextDelta(index=0, text="A"),
            WholePart(index=1, part=ours),
            WholePart(index=2, part=theirs),
            WholePart(index=3, part=server),
            TextDelta(index=4, text="B"),
            *END,
        ]
    )
    assert fed[1:6] == [
        [_start(), _block(0, type="text", text=""), _delta(0, type="text_delta", text="A")],
        [_stop(0), _block(1, type="redacted_thinking", data="EmwKAhgBEgy"), _stop(1)],  # started whole, stopped
        [],  # another family's encrypted reasoning: the whole reply drops it, so no block
        [_block(2, **server.data), _stop(2)],  # the block numbers stay contiguous
        [_block(3, type="text", text=""), _delta(3, type="text_delta", text="B")],
    ]
    assert end == [_stop(3), *_end("end_turn", USAGE_WIRE)]
    assert [(w.path, w.kind) for w in enc.warnings] == [("content[2]", "dropped")]
    assert _decode([e for f in fed for e in f] + end).content == [Text(text="A"), ours, server, Text(text="B")]


def test_pieces_after_a_whole_part_at_the_same_index_are_not_written() -> None:
    # the assembled part at index 0 is the whole part (which the whole reply drops), not the pieces
    theirs = RedactedThinking(data="gAAAAB", origin="openai-responses")
    fed, end, enc = _run([START, WholePart(index=0, part=theirs), TextDelta(index=0, text="x"), *END])
    assert fed[1:] == [[_start()], [], [], []]
    assert end == _end("end_turn", USAGE_WIRE)
    assert [(w.path, w.kind) for w in enc.warnings] == [("content[0]", "dropped")]


def test_late_piece_for_a_closed_part_is_not_written_and_reported() -> None:
    fed, end, enc = _run(
        [START, TextDelta(index=0, text="a"), TextDelta(index=1, text="b"), TextDelta(index=0, text="c"), *END]
    )
    assert fed[2] == [_stop(0), _block(1, type="text", text=""), _delta(1, type="text_delta", text="b")]
    assert fed[3] == []  # block 0 is stopped: the Messages stream cannot reopen it
    assert end == [_stop(1), *_end("end_turn", USAGE_WIRE)]
    assert [(w.path, w.kind) for w in enc.warnings] == [("content[0]", "changed")]
    assert _decode([e for f in fed for e in f] + end).content == [Text(text="a"), Text(text="b")]


def test_usage_and_stop_only_at_the_end_in_anthropic_counting() -> None:
    usage = Usage(
        uncached_input_tokens=12,
        cache_read_tokens=900,
        cache_write_tokens=300,
        cache_write_5m_tokens=100,
        cache_write_1h_tokens=200,
        output_tokens=40,
        reasoning_tokens=25,
    )
    fed, end, enc = _run(
        [
            START,
            UsageUpdate(usage=Usage(uncached_input_tokens=1, output_tokens=1)),  # replaced by the last one
            Stop(stop_reason="max_tokens"),
            TextDelta(index=0, text="x"),
            UsageUpdate(usage=usage),
            Stop(stop_reason="context_window_exceeded", raw_stop_reason="model_context_window_exceeded"),
        ]
    )
    assert fed[1:3] == [[], []]
    assert fed[3][0] == _start({"input_tokens": 1, "output_tokens": 1})  # the usage known by then
    assert fed[4:] == [[], []]
    final = {
        "input_tokens": 12,
        "cache_creation_input_tokens": 300,
        "cache_read_input_tokens": 900,
        # not in MessageDeltaUsage (the API sends the TTL split only in message_start); our
        # decoder reads it, the SDK keeps it as an extra field
        "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 200},
        "output_tokens": 40,
        "output_tokens_details": {"thinking_tokens": 25},
    }
    assert end == [_stop(0), *_end("model_context_window_exceeded", final)]
    assert enc.warnings == []
    assert _decode([e for f in fed for e in f] + end).usage == usage


def test_usage_known_at_the_start() -> None:
    usage = Usage(
        uncached_input_tokens=5,
        cache_read_tokens=7,
        cache_write_tokens=3,
        cache_write_5m_tokens=3,
        cache_write_1h_tokens=0,
        output_tokens=1,
    )
    final = Usage(
        uncached_input_tokens=5, cache_write_tokens=3, cache_write_5m_tokens=3, cache_write_1h_tokens=0, output_tokens=9
    )
    fed, end, enc = _run(
        [
            START,
            UsageUpdate(usage=usage),
            TextDelta(index=0, text="x"),
            UsageUpdate(usage=final),
            Stop(stop_reason="end_turn"),
        ]
    )
    split = {"ephemeral_5m_input_tokens": 3, "ephemeral_1h_input_tokens": 0}
    start_usage = {
        "input_tokens": 5,
        "cache_creation_input_tokens": 3,
        "cache_read_input_tokens": 7,
        "cache_creation": split,
        "output_tokens": 1,
    }
    assert fed[2][0] == _start(start_usage)
    # the split was said at the start: not repeated; the cache read count message_start said
    # cannot be withdrawn (a stream-only loss)
    assert end == [
        _stop(0),
        *_end("end_turn", {"input_tokens": 5, "cache_creation_input_tokens": 3, "output_tokens": 9}),
    ]
    assert [(w.path, w.kind) for w in enc.warnings] == [("usage.cache_read_tokens", "changed")]
    assert _decode([e for f in fed for e in f] + end).usage == Usage(
        uncached_input_tokens=5,
        cache_read_tokens=7,
        cache_write_tokens=3,
        cache_write_5m_tokens=3,
        cache_write_1h_tokens=0,
        output_tokens=9,
    )


def test_no_content_at_all() -> None:
    fed, end, enc = _run([START, UsageUpdate(usage=USAGE), Stop(stop_reason="end_turn")])
    assert fed == [[], [], []]
    assert end == [_start(USAGE_WIRE), *_end("end_turn", USAGE_WIRE)]
    assert enc.warnings == []
    # nothing known at all: the whole reply's warnings (id, model, usage written as defaults)
    fed, end, enc = _run([])
    assert end == [_start(ZERO, id="", model=""), *_end(None, ZERO)]
    assert [w.path for w in enc.warnings] == ["id", "model", "usage"]


def test_citations_follow_the_whole_reply() -> None:
    cite = {
        "type": "web_search_result_location",
        "url": "https://weather.com/nyc",
        "title": "Weather",
        "encrypted_index": "EpMB",
        "cited_text": "Sunny",
    }
    fed, end, enc = _run(
        [
            START,
            TextDelta(index=0, text="It is "),
            PartOptions(index=0, provider_options={"anthropic": {"citations": [cite]}, "gemini": {"x": 1}}),
            TextDelta(index=0, text="sunny."),
            *END,
        ]
    )
    assert fed[2] == []
    assert fed[3] == [_delta(0, type="citations_delta", citation=cite), _delta(0, type="text_delta", text="sunny.")]
    assert end == [_stop(0), *_end("end_turn", USAGE_WIRE)]
    # other codecs' options: the whole reply's warning, once
    assert [w.path for w in enc.warnings] == ["content[0].provider_options.gemini"]
    got = _decode([e for f in fed for e in f] + end)
    assert got.content == [Text(text="It is sunny.", provider_options={"anthropic": {"citations": [cite]}})]


def test_reply_fields_at_the_start_and_in_message_delta() -> None:
    details = {"type": "refusal", "category": "cyber", "explanation": None}
    fed, end, enc = _run(
        [
            START,
            ReplyOptions(provider_options={"anthropic": {"x_tier": "a"}}),
            TextDelta(index=0, text="No."),
            ReplyOptions(provider_options={"anthropic": {"x_tier": "b", "stop_details": details}}),
            UsageUpdate(usage=USAGE),
            Stop(stop_reason="refusal", raw_stop_reason="refusal"),
        ]
    )
    assert fed[2][0] == _start(x_tier="a")
    # stop_details is a Delta field (raw_message_delta_event.py); x_tier changed after message_start
    assert end == [_stop(0), *_end("refusal", USAGE_WIRE, x_tier="b", stop_details=details)]
    assert enc.warnings == []
    got = _decode([e for f in fed for e in f] + end)
    assert got.provider_options == {"anthropic": {"x_tier": "b", "stop_details": details}}


# --------------------------------------------------------------------------------------------
# A gateway: another provider's recorded stream, transpiled event by event

RECORDED = [
    ("openai-chat", "text_and_tools.stream.json"),
    ("openai-responses", "reasoning_text_tool.stream.json"),
    ("gemini", "thinking_then_text.stream.json"),
    ("bedrock-converse", "thinking_tool.stream.json"),
    ("mistral", "text_and_tool_call.stream.json"),
    ("anthropic", "server_tool_citations.stream.json"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("src", "fixture"), RECORDED)
def test_transpile_recorded_stream_event_by_event(src: str, fixture: str, name: str) -> None:
    recorded = [(e[0], e[1]) for e in json.loads((ROOT / src / fixture).read_text())["events"]]
    t = StreamTranspiler(src, name, on_lossy="ignore")
    fed = [t.feed(data, event_name) for event_name, data in recorded]
    end = t.finish()
    events = [e for f in fed for e in f]
    _sdk(events + end)
    # the content is written as it arrives: every block is started and stopped before finish
    assert events[0][0] == "message_start"
    assert {"content_block_start", "content_block_delta", "content_block_stop"} <= {n for n, _ in events}
    assert [n for n, _ in end] == ["content_block_stop", "message_delta", "message_stop"]
    # decoding what was written gives what the whole reply gives, with the same warnings
    dec = get_codec(src).stream_decoder()
    for event_name, data in recorded:
        dec.feed(data, event_name)
    source = dec.finish()
    whole = get_codec(name).encode_response(source)
    assert _decode(events + end, name) == get_codec(name).decode_response(whole.body)
    assert [str(w) for w in t.warnings] == [str(w) for w in whole.warnings]
