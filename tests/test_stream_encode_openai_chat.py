"""The incremental stream encoder of OpenAI Chat and its flavors (``codecs/openai_chat/reply.py``,
``ChatStreamEncoder``): IR stream events in, ``ChatCompletionChunk`` events out as they arrive.

Event shapes: openai SDK ``types/chat/chat_completion_chunk.py`` (``ChatCompletionChunk``,
``Choice``, ``ChoiceDelta``, ``ChoiceDeltaToolCall``, usage in a last chunk without choices as
``stream_options.include_usage`` gives it); mistralai ``models/completionchunk.py`` (a tool call
whole in one delta, ``ToolCall`` with ``function.name``); openrouter
``components/chatstreamchunk.py`` / ``chatstreamdelta.py`` (``reasoning`` beside
``reasoning_details``, ``reasoningdetailtext.py``, ``reasoningdetailencrypted.py``); DeepSeek API
reference, Reasoning Model guide (``reasoning_content`` deltas).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ir_codec import StreamTranspiler, decode_stream, get_codec
from ir_codec.codec import Codec
from ir_codec.invariant import InvariantViolation, check_response, check_stream
from ir_codec.ir import RedactedThinking, Refusal, Response, Text, Thinking, ToolUse, Usage
from ir_codec.replies import WireEvent
from ir_codec.strategies import responses, stream_events
from ir_codec.stream import (
    MessageStart,
    PartOptions,
    Stop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
    WholePart,
    parse_sse,
)

from .replies_sdk import EVENT
from .reply_order import chat_order

CHATS = ("openai-chat", "openrouter", "mistral", "deepseek")
ROOT = Path(__file__).parent / "responses"


def _chunk(delta: dict[str, Any], finish: str | None = None, *, id: str = "c-1", model: str = "m-1") -> WireEvent:
    """A ``ChatCompletionChunk`` as the encoder writes it (chat_completion_chunk.py)."""
    head = {"id": id, "object": "chat.completion.chunk", "created": 0, "model": model}
    return None, {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


ROLE = _chunk({"role": "assistant", "content": ""})
START = MessageStart(id="c-1", model="m-1")
STOP = Stop(stop_reason="end_turn", raw_stop_reason="stop")


def _usage_chunk(usage: dict[str, Any]) -> WireEvent:
    head = {"id": "c-1", "object": "chat.completion.chunk", "created": 0, "model": "m-1"}
    return None, {**head, "choices": [], "usage": usage}


def _run(name: str, events: list[StreamEvent]) -> tuple[list[list[WireEvent]], list[WireEvent], list[str]]:
    """What each feed returns, what finish returns, and the warnings."""
    enc = get_codec(name).stream_encoder()
    fed = [enc.feed(ev) for ev in events]
    return fed, enc.finish(), [str(w) for w in enc.warnings]


def _decode(name: str, events: list[WireEvent]) -> Response:
    dec = get_codec(name).stream_decoder()
    for event_name, data in events:
        dec.feed(data, event_name)
    return dec.finish()


def _sdk_valid(name: str, events: list[WireEvent]) -> None:
    for _, data in events:
        assert EVENT[name](data) == data


# -- the stream property ----------------------------------------------------------------------


def _whole_reply_holds(codec: Codec, r: Response) -> bool:
    """Whether the judge agrees with the whole reply's warnings for ``r``: where it does not
    (parts joined beside a dropped field can shift its alignment, spec/replies.md "Known gaps";
    tests/test_replies.py's business), the stream, which loses the same, cannot agree either."""
    try:
        check_response(codec, r, stream=False)
    except InvariantViolation:
        return False
    return True


@pytest.mark.parametrize("name", CHATS)
def test_stream_property_any_cut(name: str) -> None:
    """Any IR events that assemble to r (pieces cut at drawn places), fed one by one, write
    chunks that decode to r up to exactly the reported losses."""
    codec = get_codec(name)

    @settings(max_examples=40)
    @given(st.data(), responses(CHATS).map(chat_order))
    def prop(data: st.DataObject, r: Response) -> None:
        assume(_whole_reply_holds(codec, r))
        events = data.draw(stream_events(r))
        s = check_stream(codec, r, events)
        assert s.done and s.sse

    prop()


@pytest.mark.parametrize("name", CHATS)
def test_stream_decodes_as_the_whole_reply(name: str) -> None:
    """The stream and the whole reply lose the same: decoding the stream gives what decoding
    encode_response's body gives, with the same warnings; every chunk is the SDK's."""
    codec = get_codec(name)

    @settings(max_examples=30)
    @given(st.data(), responses().map(chat_order))
    def prop(data: st.DataObject, r: Response) -> None:
        enc = codec.stream_encoder()
        out: list[WireEvent] = []
        for ev in data.draw(stream_events(r)):
            out += enc.feed(ev)
        out += enc.finish()
        whole = codec.encode_response(r)
        # a reply written as content chunks (Mistral: a thought) keeps more than a stream, whose
        # own property (test_stream_property_any_cut) checks what it reports
        assume(not isinstance(whole.body["choices"][0]["message"]["content"], list))
        assert _decode(name, out) == codec.decode_response(whole.body)
        assert sorted(map(str, enc.warnings)) == sorted(map(str, whole.warnings))
        _sdk_valid(name, out)

    prop()


# -- incremental --------------------------------------------------------------------------------


def test_each_text_piece_is_written_when_it_arrives() -> None:
    enc = get_codec("openai-chat").stream_encoder()
    assert enc.feed(START) == []  # the header waits for the first content
    assert enc.feed(TextDelta(index=0, text="Hel")) == [ROLE, _chunk({"content": "Hel"})]
    assert enc.feed(TextDelta(index=0, text="lo")) == [_chunk({"content": "lo"})]
    assert enc.feed(TextDelta(index=0, text=", you")) == [_chunk({"content": ", you"})]
    assert enc.feed(UsageUpdate(usage=Usage(uncached_input_tokens=3, output_tokens=2))) == []
    assert enc.feed(Stop(stop_reason="end_turn", raw_stop_reason="stop")) == []
    assert enc.finish() == [
        _chunk({}, "stop"),
        _usage_chunk({"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}),
    ]
    assert enc.warnings == []


# -- tricky cases, exact events -------------------------------------------------------------------


def test_thinking_signature_in_its_own_piece() -> None:
    events: list[StreamEvent] = [
        START,
        ThinkingDelta(index=0, text="Hmm"),
        ThinkingDelta(index=0, signature="c2ln"),
        TextDelta(index=1, text="Four."),
        Stop(stop_reason="end_turn"),
    ]
    fed, end, warnings = _run("openrouter", events)
    assert fed == [
        [],
        [
            ROLE,
            _chunk({"reasoning": "Hmm", "reasoning_details": [{"type": "reasoning.text", "text": "Hmm", "index": 0}]}),
        ],
        [_chunk({"reasoning_details": [{"type": "reasoning.text", "signature": "c2ln", "index": 0}]})],
        [_chunk({"content": "Four."})],
        [],
    ]
    assert end == [_chunk({}, "stop")]
    assert warnings == []
    assert _decode("openrouter", [*sum(fed, []), *end]).content == [
        Thinking(text="Hmm", signature="c2ln"),
        Text(text="Four."),
    ]
    # DeepSeek's reasoning_content has no signature: the text is streamed, the signature not
    fed, end, warnings = _run("deepseek", events)
    assert fed[1:3] == [[ROLE, _chunk({"reasoning_content": "Hmm"})], []]
    assert warnings == ["deepseek: content[0].signature: the reasoning text field has no signature"]


def test_foreign_family_signature() -> None:
    """Chat has no rule of its own against another family's signature: reasoning_details carry
    it (OpenRouter passes Anthropic's through), the origin is lost; DeepSeek's text field has no
    signature and Mistral's replies no reasoning. Whatever the whole reply drops is not streamed
    and reported once, by finish."""
    events: list[StreamEvent] = [
        START,
        ThinkingDelta(index=0, text="Plan.", signature="Z2VtaW5p", origin="gemini"),
        Stop(stop_reason="end_turn"),
    ]
    fed, end, warnings = _run("openai-chat", events)
    item = {"type": "reasoning.text", "text": "Plan.", "signature": "Z2VtaW5p", "index": 0}
    assert fed[1] == [ROLE, _chunk({"reasoning": "Plan.", "reasoning_details": [item]})]
    assert warnings == ["openai-chat: content[0].origin: Chat reasoning carries no origin"]
    fed, end, warnings = _run("deepseek", events)
    assert fed[1] == [ROLE, _chunk({"reasoning_content": "Plan."})]
    assert end == [_chunk({}, "stop")]
    assert warnings == [
        "deepseek: content[0].origin: Chat reasoning carries no origin",
        "deepseek: content[0].signature: the reasoning text field has no signature",
    ]
    fed, end, warnings = _run("mistral", events)
    assert fed[1] == [ROLE]
    # the whole reply writes the thought as a thinking chunk (without them); the stream not at all
    assert warnings[:2] == [
        "mistral: content[0].signature: a thinking chunk carries no signature here",
        "mistral: content[0].origin: a thinking chunk carries no origin here",
    ]
    assert (
        "mistral: content[0]: the stream writes the text alone (no reasoning field, no content chunks); not written"
        in warnings
    )


def test_tool_call_arguments_in_several_pieces() -> None:
    events: list[StreamEvent] = [
        START,
        ToolCallStart(index=0, id="call_1", name="get_weather"),
        ToolCallDelta(index=0, arguments='{"city"'),
        ToolCallDelta(index=0, arguments=': "Paris"}'),
        Stop(stop_reason="tool_use"),
    ]
    fed, end, warnings = _run("openai-chat", events)
    start = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
    assert fed == [
        [],
        [ROLE, _chunk({"tool_calls": [start]})],
        [_chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city"'}}]})],
        [_chunk({"tool_calls": [{"index": 0, "function": {"arguments": ':"Paris"}'}}]})],  # the reply's compact form
        [],
    ]
    assert end == [_chunk({}, "tool_calls")]
    assert warnings == []
    # Mistral's CompletionChunk carries a call whole: written when it closes (here, at the end),
    # with a 9-character id (reported by the whole reply)
    fed, end, warnings = _run("mistral", events)
    assert fed == [[], [ROLE], [], [], []]
    fn = {"name": "get_weather", "arguments": '{"city":"Paris"}'}
    call = {"index": 0, "id": "sJtxREGCY", "type": "function", "function": fn}
    assert end == [
        _chunk({"tool_calls": [call]}),
        _chunk({}, "tool_calls"),
        _usage_chunk({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}),
    ]
    assert warnings == [
        "mistral: content[0].id: the provider's id rule: sent as 'sJtxREGCY'",
        "mistral: usage: the reply requires usage; written as 0 tokens",
    ]


def test_kept_arguments_text_and_a_call_without_pieces() -> None:
    """A call that keeps its arguments text is written whole by encode_stream, with that text;
    pieces are written without the whitespace between tokens (the reply's compact form), so a
    text kept for the call that arrives after them is reported; a call with no piece gets the
    reply's "{}" at the end."""
    kept = {"openai-chat": {"arguments": '{"x": 1}'}}
    r = Response(
        id="c-1",
        model="m-1",
        content=[ToolUse(id="a", name="f", input={"x": 1}, provider_options=kept)],
        stop_reason="tool_use",
        raw_stop_reason="tool_calls",
    )
    s = get_codec("openai-chat").encode_stream(r)
    call = {"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    assert s.events == [ROLE, _chunk({"tool_calls": [call]}), _chunk({}, "tool_calls")]
    assert s.warnings == []
    assert _decode("openai-chat", s.events) == r
    events: list[StreamEvent] = [
        START,
        ToolCallStart(index=0, id="a", name="f"),
        ToolCallDelta(index=0, arguments='{"x": '),
        ToolCallDelta(index=0, arguments="1}"),
        PartOptions(index=0, provider_options=kept),
        ToolCallStart(index=1, id="b", name="g"),
        Stop(stop_reason="tool_use"),
    ]
    fed, end, warnings = _run("openai-chat", events)
    assert fed[2:4] == [
        [_chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"x":'}}]})],
        [_chunk({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]})],
    ]
    assert end[0] == _chunk({"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]})
    assert warnings == [
        "openai-chat: content[0].provider_options.openai-chat: the arguments text was streamed as its pieces came, "
        "not as the reply writes it ('{\"x\": 1}')"
    ]


def test_whole_part_between_streamed_parts() -> None:
    events: list[StreamEvent] = [
        START,
        ThinkingDelta(index=0, text="First."),
        WholePart(index=1, part=RedactedThinking(data="ZW5j")),
        ThinkingDelta(index=2, text="Then."),
        TextDelta(index=3, text="Done."),
        Stop(stop_reason="end_turn"),
    ]
    fed, end, warnings = _run("openrouter", events)
    assert fed[1:5] == [
        [
            ROLE,
            _chunk(
                {"reasoning": "First.", "reasoning_details": [{"type": "reasoning.text", "text": "First.", "index": 0}]}
            ),
        ],
        [_chunk({"reasoning_details": [{"type": "reasoning.encrypted", "data": "ZW5j", "index": 1}]})],
        [
            _chunk(
                {"reasoning": "Then.", "reasoning_details": [{"type": "reasoning.text", "text": "Then.", "index": 2}]}
            )
        ],
        [_chunk({"content": "Done."})],
    ]
    assert warnings == []
    assert _decode("openrouter", [*sum(fed, []), *end]).content == [
        Thinking(text="First."),
        RedactedThinking(data="ZW5j"),
        Thinking(text="Then."),
        Text(text="Done."),
    ]
    # a refusal arrives whole: delta.refusal (openai-chat), as text where the reply has no field
    refusal: list[StreamEvent] = [
        START,
        TextDelta(index=0, text="No: "),
        WholePart(index=1, part=Refusal(text="I can't.")),
    ]
    fed, end, warnings = _run("openai-chat", [*refusal, Stop(stop_reason="refusal")])
    assert fed[2] == [_chunk({"refusal": "I can't."})]
    assert end == [_chunk({}, "stop")]
    fed, end, warnings = _run("deepseek", [*refusal, Stop(stop_reason="refusal")])
    assert fed[2] == [_chunk({"content": "I can't."})]
    assert "deepseek: content[1]: the reply has no refusal field; sent as text" in warnings
    # the whole reply drops encrypted reasoning where it has no place: not streamed
    fed, end, warnings = _run("deepseek", events)
    assert fed[2] == []
    assert warnings == ["deepseek: content[1]: encrypted reasoning has no place in the reply"] + warnings[1:]


def test_empty_reasoning_part_is_written_only_where_the_reply_keeps_it() -> None:
    """An empty thinking part reads back as no part from the text field (one unsigned part) but
    as an empty ``reasoning.text`` item where the reply lists details (several parts, a
    signature, encrypted reasoning): it is held until that is known, then written in its place."""
    one: list[StreamEvent] = [START, ThinkingDelta(index=0, text=""), TextDelta(index=1, text="Hi"), STOP]
    fed, end, warnings = _run("openai-chat", one)
    assert fed[1] == [ROLE]
    assert end == [_chunk({}, "stop")]
    assert warnings == ["openai-chat: content[0]: an empty string reads back as no part"]
    two: list[StreamEvent] = [*one[:3], ThinkingDelta(index=2, text="x"), ThinkingDelta(index=3, text=""), STOP]
    fed, end, warnings = _run("openai-chat", two)
    assert fed[3:5] == [
        [
            _chunk({"reasoning_details": [{"type": "reasoning.text", "text": "", "index": 0}]}),
            _chunk({"reasoning": "x", "reasoning_details": [{"type": "reasoning.text", "text": "x", "index": 1}]}),
        ],
        [_chunk({"reasoning_details": [{"type": "reasoning.text", "text": "", "index": 2}]})],
    ]
    assert end == [_chunk({}, "stop")]
    assert _decode("openai-chat", [*sum(fed, []), *end]).content == [
        Thinking(text=""),
        Thinking(text="x"),
        Thinking(text=""),
        Text(text="Hi"),
    ]
    # the reasoning was opened after the text: a Chat reply lists it before (reported moved)
    assert warnings == [
        "openai-chat: content[1]: a Chat reply lists reasoning, text, refusal, tool calls in order",
        "openai-chat: content[2]: a Chat reply lists reasoning, text, refusal, tool calls in order",
        "openai-chat: content[3]: a Chat reply lists reasoning, text, refusal, tool calls in order",
    ]


def test_late_piece_for_a_call_written_whole() -> None:
    """Chat interleaves parts (a text piece after a call opened is written at once); a Mistral
    call is written whole when another part opens, so a piece after that is not written."""
    events: list[StreamEvent] = [
        START,
        ToolCallStart(index=0, id="abcDEF123", name="f"),
        ToolCallDelta(index=0, arguments='{"a":'),
        TextDelta(index=1, text="Hi"),
        ToolCallDelta(index=0, arguments="1}"),
        Stop(stop_reason="tool_use"),
    ]
    fed, end, warnings = _run("mistral", events)
    call = {"index": 0, "id": "abcDEF123", "type": "function", "function": {"name": "f", "arguments": '{"a":'}}
    assert fed == [[], [ROLE], [], [_chunk({"tool_calls": [call]}), _chunk({"content": "Hi"})], [], []]
    assert (
        "mistral: content[0]: the arguments streamed do not read as the call's input; "
        "a piece arrived after the call was written whole" in warnings
    )
    fed, end, warnings = _run("openai-chat", events)
    assert fed[3] == [_chunk({"content": "Hi"})]
    assert fed[4] == [_chunk({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]})]
    assert not any("streamed" in w for w in warnings)
    # two texts interleaved in the one content string: written as they come, reported
    mixed: list[StreamEvent] = [
        START,
        TextDelta(index=0, text="a"),
        TextDelta(index=1, text="b"),
        TextDelta(index=0, text="c"),
    ]
    fed, end, warnings = _run("openai-chat", mixed)
    assert fed[3] == [_chunk({"content": "c"})]
    assert (
        "openai-chat: content[0]: its pieces and another part's interleaved; the one content string has them "
        "as they came" in warnings
    )


def test_usage_and_stop_reason_only_at_the_end() -> None:
    usage = Usage(uncached_input_tokens=10, cache_read_tokens=80, cache_write_tokens=10, output_tokens=5)
    events: list[StreamEvent] = [
        START,
        UsageUpdate(usage=Usage(uncached_input_tokens=10)),
        TextDelta(index=0, text="Cut"),
        UsageUpdate(usage=usage),
        Stop(stop_reason="max_tokens", raw_stop_reason="max_tokens"),
    ]
    fed, end, warnings = _run("openai-chat", events)
    assert fed == [[], [], [ROLE, _chunk({"content": "Cut"})], [], []]
    details = {"cached_tokens": 80, "cache_write_tokens": 10}
    assert end == [
        _chunk({}, "length"),
        _usage_chunk(
            {"prompt_tokens": 100, "completion_tokens": 5, "total_tokens": 105, "prompt_tokens_details": details}
        ),
    ]
    assert warnings == []
    fed, end, warnings = _run("deepseek", events)
    assert end[1][1]["usage"]["prompt_cache_hit_tokens"] == 80
    assert end[1][1]["usage"]["prompt_cache_miss_tokens"] == 10
    fed, end, warnings = _run("mistral", [*events[:-1], Stop(stop_reason="max_tokens", raw_stop_reason="model_length")])
    assert end[0] == _chunk({}, "model_length")


def test_stream_without_content() -> None:
    fed, end, warnings = _run("openai-chat", [START, Stop(stop_reason="end_turn")])
    assert fed == [[], []]
    assert end == [ROLE, _chunk({}, "stop")]
    assert warnings == []
    fed, end, warnings = _run("openrouter", [])
    assert end == [_chunk({"role": "assistant", "content": ""}, id="", model=""), _chunk({}, "stop", id="", model="")]
    assert warnings == [
        "openrouter: stop_reason: the reply format has no stop reason None; written as 'stop'",
        "openrouter: id: a ChatCompletion requires id; written as ''",
        "openrouter: model: a ChatCompletion requires model; written as ''",
    ]
    for name in CHATS:
        s = get_codec(name).encode_stream(Response(id="c-1", model="m-1", stop_reason="end_turn"))
        _sdk_valid(name, s.events)


# -- transpiling a recorded stream, event by event --------------------------------------------------

TRANSPILES = [
    ("anthropic", "thinking_tool.stream.json", "openrouter"),
    ("anthropic", "text_cached.stream.json", "openai-chat"),
    ("openai-responses", "reasoning_text_tool.stream.json", "deepseek"),
    ("gemini", "function_calls.stream.json", "openai-chat"),
    ("openai-chat", "text_and_tools.stream.json", "mistral"),
    ("openrouter", "reasoning_text.stream.json", "openrouter"),
    ("deepseek", "reasoner.stream.json", "openai-chat"),
    ("bedrock-converse", "thinking_tool.stream.json", "openrouter"),
]


@pytest.mark.parametrize(("src", "fixture", "dst"), TRANSPILES)
def test_transpile_recorded_stream_event_by_event(src: str, fixture: str, dst: str) -> None:
    """Another family's recorded stream, fed event by event: Chat chunks come out before the
    source ends, and the whole stream decodes as the whole reply of what the source says, with
    the same warnings."""
    recorded = json.loads((ROOT / src / fixture).read_text())["events"]
    t = StreamTranspiler(src, dst, on_lossy="ignore")
    out: list[WireEvent] = []
    for name, data in recorded:
        out += t.feed(data, name)
    written_before_finish = len(out)
    out += t.finish()
    assert written_before_finish > 1  # the role chunk and content, before the source ended
    _sdk_valid(dst, out)
    source = decode_stream([(name, data) for name, data in recorded], src)
    whole = get_codec(dst).encode_response(source)
    assert _decode(dst, out) == get_codec(dst).decode_response(whole.body)
    assert sorted(map(str, t.warnings)) == sorted(map(str, whole.warnings))


def test_transpile_chat_to_itself_keeps_all_but_the_arguments_spacing() -> None:
    """Within one Chat codec only the spacing of a call's arguments is lost: the pieces are
    written in the reply's compact form before the text the source kept for them arrives (with
    its last chunk), reported at the call's provider_options."""
    recorded = json.loads((ROOT / "openai-chat" / "text_and_tools.stream.json").read_text())["events"]
    t = StreamTranspiler("openai-chat", "openai-chat", on_lossy="ignore")
    out: list[WireEvent] = []
    for name, data in recorded:
        out += t.feed(data, name)
    out += t.finish()
    assert [str(w) for w in t.warnings] == [
        "openai-chat: content[1].provider_options.openai-chat: the arguments text was streamed as its pieces came, "
        'not as the reply writes it (\'{"city": "Paris"}\')'
    ]
    source = decode_stream([(name, data) for name, data in recorded], "openai-chat")
    got = _decode("openai-chat", out)
    call = source.content[1]
    assert isinstance(call, ToolUse)
    assert got == msgspec.structs.replace(
        source, content=[source.content[0], msgspec.structs.replace(call, provider_options={}), *source.content[2:]]
    )


def test_transpile_bytes_chunk_by_chunk() -> None:
    """SSE bytes in, cut anywhere; Chat SSE bytes out as soon as an event completes, and
    ``data: [DONE]`` at the end."""
    recorded = json.loads((ROOT / "anthropic" / "thinking_tool.stream.json").read_text())["events"]
    source = decode_stream([(name, data) for name, data in recorded], "anthropic")
    sse = get_codec("anthropic").encode_stream(source).to_sse()
    t = StreamTranspiler("anthropic", "openai-chat", on_lossy="ignore")
    parts = [t.feed_bytes(sse[i : i + 37]) for i in range(0, len(sse), 37)]
    tail = t.finish_bytes()
    assert b"".join(parts).startswith(b'data: {"id":')
    assert tail.endswith(b"data: [DONE]\n\n")
    events = list(parse_sse((b"".join(parts) + tail).splitlines(keepends=True)))
    body = get_codec("openai-chat").encode_response(source).body
    assert _decode("openai-chat", events) == get_codec("openai-chat").decode_response(body)
