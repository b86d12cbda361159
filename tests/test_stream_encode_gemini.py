"""The Gemini stream encoder (``codecs/gemini/reply.py`` ``GeminiStreamEncoder``): IR stream
events to ``streamGenerateContent?alt=sse`` chunks as they arrive.

Every chunk is a partial ``GenerateContentResponse`` (google-genai ``types.py``
``GenerateContentResponse``: ``candidates[0].content.parts``, ``modelVersion``, ``responseId``,
``usageMetadata``, ``Candidate.finish_reason``), in the shape of the recorded streams in
``tests/responses/gemini/*.stream.json``: a text piece is ``{"text": ...}``, a thought piece
``{"text": ..., "thought": true}``, a signature ends its part in ``{"text": "", "thought": true,
"thoughtSignature": ...}`` (``types.Part.thought_signature``), a ``functionCall`` part comes whole
(``types.FunctionCall``), and the last chunk holds ``finishReason`` and ``usageMetadata``
(``types.GenerateContentResponseUsageMetadata``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ir_codec import StreamTranspiler, decode_stream, get_codec
from ir_codec.errors import LossKind
from ir_codec.invariant import check_stream
from ir_codec.ir import (
    Base64Source,
    Image,
    ProviderPart,
    RedactedThinking,
    Response,
    Text,
    Thinking,
    ToolUse,
    Usage,
)
from ir_codec.replies import WireEvent
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
    events_of,
)

from .replies_sdk import EVENT

FAMILY = ["gemini"]
"""The codecs of the Gemini family (one: Vertex AI takes the same body)."""
CODEC = get_codec("gemini")
ROOT = Path(__file__).parent / "responses"
HEAD = {"modelVersion": "gemini-3-flash", "responseId": "r-1"}


def chunk(*parts: dict[str, Any], head: dict[str, Any] = HEAD) -> WireEvent:
    """A content chunk: the parts of this chunk as ``candidates[0].content.parts``, and the
    ``modelVersion`` / ``responseId`` known so far."""
    return (None, {"candidates": [{"content": {"role": "model", "parts": list(parts)}}], **head})


def last(finish: str | None = "STOP", usage: dict[str, Any] | None = None, head: dict[str, Any] = HEAD) -> WireEvent:
    """The closing chunk: the candidate's ``finishReason`` with no parts, and the usage."""
    cand: dict[str, Any] = {"content": {"role": "model", "parts": []}}
    if finish is not None:
        cand["finishReason"] = finish
    data: dict[str, Any] = {**({"usageMetadata": usage} if usage is not None else {}), **head, "candidates": [cand]}
    return (None, data)


def run(events: list[StreamEvent]) -> tuple[list[list[WireEvent]], list[tuple[str, LossKind]], Response]:
    """Feed ``events`` one by one and finish: what each feed returned (finish's last), the
    warnings, and what the Gemini stream decoder makes of all the chunks. The stream property
    holds for these events."""
    enc = CODEC.stream_encoder()
    got = [enc.feed(ev) for ev in events]
    assert enc.warnings == []  # the whole reply's losses come from finish
    got.append(enc.finish())
    check_stream(CODEC, enc.assembler.response(), events)
    dec = CODEC.stream_decoder()
    for out in got:
        for name, data in out:
            assert EVENT["gemini"](data) == data  # a google-genai GenerateContentResponse
            dec.feed(data, name)
    return got, [(w.path, w.kind) for w in enc.warnings], dec.finish()


# --------------------------------------------------------------------------------------------
# The stream property, for any IR events


@pytest.mark.parametrize("name", FAMILY)
def test_any_ir_stream_reads_back_up_to_the_reported_losses(name: str) -> None:
    codec = get_codec(name)

    @settings(max_examples=40)
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        r = data.draw(responses([name]))
        check_stream(codec, r, data.draw(stream_events(r)))

    prop()


@pytest.mark.parametrize("name", FAMILY)
def test_streams_of_other_families_replies_read_back_up_to_the_reported_losses(name: str) -> None:
    """Replies from other families: their signatures, redacted thinking and options."""
    codec = get_codec(name)

    @settings(max_examples=40)
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        r = data.draw(responses([name, "anthropic", "openai-responses"]))
        check_stream(codec, r, data.draw(stream_events(r)))

    prop()


def test_encode_stream_is_the_encoder_fed_the_responses_events() -> None:
    r = Response(id="r-1", model="m", content=[Text(text="hi")], stop_reason="end_turn")
    s = CODEC.encode_stream(r)
    assert s.events == CODEC.stream_encoder().stream(events_of(r)).events
    assert s.events == [chunk({"text": "hi"}, head={"modelVersion": "m", "responseId": "r-1"})] + [
        last(head={"modelVersion": "m", "responseId": "r-1"})
    ]


# --------------------------------------------------------------------------------------------
# Incremental: each piece is written when it arrives


def test_text_is_written_piece_by_piece_and_the_usage_at_the_end() -> None:
    enc = CODEC.stream_encoder()
    assert enc.feed(MessageStart(id="r-1", model="gemini-3-flash")) == []  # Gemini has no opening event
    assert enc.feed(TextDelta(index=0, text="The answer ")) == [chunk({"text": "The answer "})]
    assert enc.feed(TextDelta(index=0, text="is ")) == [chunk({"text": "is "})]
    assert enc.feed(TextDelta(index=0, text="42.")) == [chunk({"text": "42."})]
    usage = Usage(uncached_input_tokens=244, cache_read_tokens=256, output_tokens=6)
    assert enc.feed(UsageUpdate(usage=usage)) == []
    assert enc.feed(Stop(stop_reason="end_turn", raw_stop_reason="STOP")) == []
    wire_usage = {"promptTokenCount": 500, "cachedContentTokenCount": 256, "candidatesTokenCount": 6}
    assert enc.finish() == [last("STOP", {**wire_usage, "totalTokenCount": 506})]
    assert enc.warnings == []


# --------------------------------------------------------------------------------------------
# The tricky cases, event by event


def test_a_signature_in_its_own_piece_ends_the_thought_when_it_closes() -> None:
    got, warnings, back = run(
        [
            MessageStart(id="r-1", model="gemini-3-flash"),
            ThinkingDelta(index=0, text="Let me "),
            ThinkingDelta(index=0, text="think."),
            ThinkingDelta(index=0, text="", signature="dGhpbmstc2ln", origin="gemini"),
            TextDelta(index=1, text="42"),
            Stop(stop_reason="end_turn", raw_stop_reason="STOP"),
        ]
    )
    assert got == [
        [],
        [chunk({"text": "Let me ", "thought": True})],
        [chunk({"text": "think.", "thought": True})],
        [],  # a signed part takes no more pieces: the signature waits for the part to close
        [chunk({"text": "", "thought": True, "thoughtSignature": "dGhpbmstc2ln"}), chunk({"text": "42"})],
        [],
        [last("STOP")],
    ]
    assert warnings == []
    assert back.content == [Thinking(text="Let me think.", signature="dGhpbmstc2ln", origin="gemini"), Text(text="42")]


def test_a_signature_of_another_family_is_not_streamed() -> None:
    got, warnings, back = run(
        [
            MessageStart(id="r-1", model="gemini-3-flash"),
            ThinkingDelta(index=0, text="Greet."),
            ThinkingDelta(index=0, text="", signature="EqQBsig", origin="anthropic"),
            TextDelta(index=1, text="Hello!"),
        ]
    )
    assert got == [
        [],
        [chunk({"text": "Greet.", "thought": True})],
        [],
        [chunk({"text": "Hello!"})],  # no signature chunk before it
        [last(None)],
    ]
    assert warnings == [("content[0].signature", LossKind.DROPPED), ("content[0].origin", LossKind.DROPPED)]
    assert back.content == [Thinking(text="Greet."), Text(text="Hello!")]


def test_tool_call_arguments_in_pieces_are_written_as_one_call_when_it_closes() -> None:
    got, warnings, back = run(
        [
            MessageStart(id="r-1", model="gemini-3-flash"),
            ToolCallStart(index=0, id="call_1", name="get_weather"),
            ToolCallDelta(index=0, arguments='{"city"'),
            ToolCallDelta(index=0, arguments=': "Paris"}'),
            ToolCallStart(index=1, id="get_time_0", name="get_time"),  # the id Gemini derives
            ToolCallDelta(index=1, arguments="{}"),
            Stop(stop_reason="tool_use"),
        ]
    )
    call = {"functionCall": {"id": "call_1", "name": "get_weather", "args": {"city": "Paris"}}}
    assert got == [
        [],
        [],
        [],
        [],
        [chunk(call)],  # closed when the next part opens
        [],
        [],
        # the last call closes at the end; a derived id is left out as in the whole reply
        [chunk({"functionCall": {"name": "get_time", "args": {}}}), last("STOP")],
    ]
    assert warnings == []
    assert back.content == [
        ToolUse(id="call_1", name="get_weather", input={"city": "Paris"}),
        ToolUse(id="get_time_0", name="get_time", input={}),
    ]
    assert back.stop_reason == "tool_use"


def test_whole_parts_between_streamed_parts() -> None:
    image = Image(source=Base64Source(media_type="image/png", data="iVBORw0KGgo="))
    got, warnings, back = run(
        [
            MessageStart(id="r-1", model="gemini-3-flash"),
            TextDelta(index=0, text="A chart:"),
            WholePart(index=1, part=RedactedThinking(data="opaque", origin="anthropic")),
            WholePart(index=2, part=image),
            TextDelta(index=3, text="Done."),
        ]
    )
    assert got == [
        [],
        [chunk({"text": "A chart:"})],
        [],  # no redacted thinking in a Gemini turn: dropped as in the whole reply
        [chunk({"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}})],  # written at once
        [chunk({"text": "Done."})],
        [last(None)],
    ]
    assert warnings == [("content[1]", LossKind.DROPPED)]
    assert back.content == [Text(text="A chart:"), image, Text(text="Done.")]


def test_text_parts_that_the_stream_joins_are_reported() -> None:
    got, warnings, back = run(
        [
            TextDelta(index=0, text="A"),
            WholePart(index=1, part=RedactedThinking(data="opaque", origin="anthropic")),
            TextDelta(index=2, text=""),
            TextDelta(index=3, text="B"),
        ]
    )
    none: dict[str, Any] = {}
    assert got == [
        [chunk({"text": "A"}, head=none)],
        [],
        [chunk({"text": ""}, head=none)],
        [chunk({"text": "B"}, head=none)],
        [last(None, head=none)],
    ]
    # the whole reply drops the redacted thinking; only the stream joins the text around it
    assert warnings == [
        ("content[1]", LossKind.DROPPED),
        ("content[0]", LossKind.CHANGED),
        ("content[2]", LossKind.DROPPED),
        ("content[3]", LossKind.CHANGED),
    ]
    assert back.content == [Text(text="AB")]


def test_a_late_piece_for_a_closed_part_is_not_written() -> None:
    got, warnings, back = run(
        [
            MessageStart(id="r-1", model="gemini-3-flash"),
            ThinkingDelta(index=0, text="Plan."),
            TextDelta(index=1, text="Answer."),
            ThinkingDelta(index=0, text=" More."),  # part 0 closed when part 1 opened
        ]
    )
    assert got == [[], [chunk({"text": "Plan.", "thought": True})], [chunk({"text": "Answer."})], [], [last(None)]]
    assert warnings == [("content[0]", LossKind.CHANGED)]
    assert back.content == [Thinking(text="Plan."), Text(text="Answer.")]


def test_part_fields_are_written_when_the_part_closes_and_reported_when_they_come_later() -> None:
    sig = {"gemini": {"thoughtSignature": "dGV4dC1zaWc="}}
    got, warnings, back = run(
        [
            MessageStart(id="r-1", model="gemini-3-flash"),
            TextDelta(index=0, text="Hi"),
            PartOptions(index=0, provider_options=sig),
            TextDelta(index=0, text=" there"),
            ThinkingDelta(index=1, text="Then."),
            PartOptions(index=1, provider_options={"gemini": {"partMetadata": {"k": 1}}}),
            TextDelta(index=2, text="Bye"),
            PartOptions(index=1, provider_options={"gemini": {"partMetadata": {"k": 2}}}),  # part 1 closed
        ]
    )
    assert got == [
        [],
        [chunk({"text": "Hi"})],
        [],
        [chunk({"text": " there"})],
        [chunk({"text": "", "thoughtSignature": "dGV4dC1zaWc="}), chunk({"text": "Then.", "thought": True})],
        [],
        [chunk({"text": "", "thought": True, "partMetadata": {"k": 1}}), chunk({"text": "Bye"})],
        [],
        [last(None)],
    ]
    assert warnings == [("content[1]", LossKind.CHANGED)]
    assert back.content == [
        Text(text="Hi there", provider_options=sig),
        Thinking(text="Then.", provider_options={"gemini": {"partMetadata": {"k": 1}}}),
        Text(text="Bye"),
    ]


def test_usage_and_stop_reason_come_at_the_end_in_geminis_counting() -> None:
    first = Usage(uncached_input_tokens=10, output_tokens=0)
    usage = Usage(
        uncached_input_tokens=100, cache_read_tokens=400, cache_write_tokens=0, output_tokens=50, reasoning_tokens=20
    )
    got, warnings, back = run(
        [
            MessageStart(id="r-1", model="gemini-3-flash"),
            UsageUpdate(usage=first),
            Stop(stop_reason="max_tokens", raw_stop_reason="max_tokens"),  # another family's spelling
            TextDelta(index=0, text="Once upon"),
            UsageUpdate(usage=usage),  # cumulative: replaces the first
        ]
    )
    wire_usage = {
        "promptTokenCount": 500,  # input, cached tokens included
        "cachedContentTokenCount": 400,
        "candidatesTokenCount": 30,  # output without the thoughts
        "thoughtsTokenCount": 20,
        "totalTokenCount": 550,
    }
    assert got == [[], [], [], [chunk({"text": "Once upon"})], [], [last("MAX_TOKENS", wire_usage)]]
    assert warnings == [("usage.cache_write_tokens", LossKind.DROPPED)]  # Gemini reports no cache writes
    assert (back.stop_reason, back.raw_stop_reason) == ("max_tokens", "MAX_TOKENS")
    assert back.usage == Usage(uncached_input_tokens=100, cache_read_tokens=400, output_tokens=50, reasoning_tokens=20)


def test_a_stream_without_content() -> None:
    got, warnings, back = run(
        [
            MessageStart(id="r-1", model="gemini-3-flash"),
            UsageUpdate(usage=Usage(uncached_input_tokens=7, cache_read_tokens=0, output_tokens=0)),
            Stop(stop_reason="end_turn", raw_stop_reason="STOP"),
        ]
    )
    usage = {"promptTokenCount": 7, "candidatesTokenCount": 0, "totalTokenCount": 7}
    assert got == [[], [], [], [last("STOP", usage)]]
    assert warnings == []
    assert back.content == []
    # nothing at all: one chunk, an empty candidate
    assert CODEC.stream_encoder().finish() == [last(None, head={})]


def test_a_blocked_prompt_is_one_chunk_with_its_prompt_feedback() -> None:
    feedback = {"promptFeedback": {"blockReason": "SAFETY"}}
    got, warnings, back = run(
        [
            MessageStart(id="r-1", model="gemini-3-flash"),
            ReplyOptions(provider_options={"gemini": feedback}),
            Stop(stop_reason="content_filter", raw_stop_reason="SAFETY"),
        ]
    )
    assert got == [[], [], [], [(None, {**feedback, **HEAD})]]
    assert warnings == []
    assert (back.stop_reason, back.raw_stop_reason) == ("content_filter", "SAFETY")


def test_another_codecs_provider_part_is_not_streamed() -> None:
    got, warnings, _ = run(
        [
            WholePart(index=0, part=ProviderPart(codec="anthropic", data={"type": "server_tool_use"})),
            WholePart(index=1, part=ProviderPart(codec="gemini", data={"executableCode": {"code": "1+1"}})),
        ]
    )
    assert got == [[], [chunk({"executableCode": {"code": "1+1"}}, head={})], [last(None, head={})]]
    assert warnings == [("content[0]", LossKind.DROPPED)]


# --------------------------------------------------------------------------------------------
# Transpiling another family's stream, event by event


@pytest.mark.parametrize(
    ("src", "fixture"),
    [
        ("openai-chat", "openai-chat/text_and_tools.stream.json"),
        ("anthropic", "anthropic/thinking_tool.stream.json"),
        ("bedrock-converse", "bedrock-converse/thinking_tool.stream.json"),
        ("openai-responses", "openai-responses/reasoning_text_tool.stream.json"),
    ],
)
def test_transpile_another_familys_stream_event_by_event(src: str, fixture: str) -> None:
    events = json.loads((ROOT / fixture).read_text())["events"]
    t = StreamTranspiler(src, "gemini", on_lossy="ignore")
    before: list[WireEvent] = []
    for name, data in events:
        before += t.feed(data, name)
    assert before, "Gemini chunks are written while the source still streams"
    out = before + t.finish()
    dec = CODEC.stream_decoder()
    for name, data in out:
        assert EVENT["gemini"](data) == data
        dec.feed(data, name)
    # the stream reads back as the whole reply does, with the same losses
    whole = CODEC.encode_response(decode_stream([(n, d) for n, d in events], src))
    assert dec.finish() == CODEC.decode_response(whole.body)
    assert sorted(map(str, t.warnings)) == sorted(map(str, whole.warnings))


def test_transpile_gemini_to_gemini_keeps_the_recorded_reply() -> None:
    """The recorded stream, through the IR events and back: the same Response, nothing lost, and
    the signature on its own empty thought piece as Gemini sends it."""
    events = json.loads((ROOT / "gemini" / "thinking_then_text.stream.json").read_text())["events"]
    t = StreamTranspiler("gemini", "gemini", on_lossy="ignore")
    out: list[WireEvent] = []
    for name, data in events:
        out += t.feed(data, name)
    out += t.finish()
    assert t.warnings == []
    signed = {"text": "", "thought": True, "thoughtSignature": "dGhpbmstc2ln"}
    assert any(data["candidates"][0]["content"]["parts"] == [signed] for _, data in out[:-1])
    assert decode_stream(out, "gemini") == decode_stream([(n, d) for n, d in events], "gemini")
