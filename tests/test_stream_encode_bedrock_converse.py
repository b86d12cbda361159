"""The ConverseStream encoder (``codecs/bedrock_converse/reply.py``, ``ConverseStreamEncoder``):
IR stream events in, ConverseStream events out as they arrive.

Event shapes are botocore's ``bedrock-runtime`` service model (2023-09-30), ``ConverseStreamOutput``:
``MessageStartEvent {role}``, ``ContentBlockStartEvent {start: ContentBlockStart {toolUse:
ToolUseBlockStart {toolUseId, name}}, contentBlockIndex}``, ``ContentBlockDeltaEvent {delta:
ContentBlockDelta {text | toolUse: ToolUseBlockDelta {input} | reasoningContent:
ReasoningContentBlockDelta {text | signature | redactedContent} | citation | toolResult},
contentBlockIndex}``, ``ContentBlockStopEvent {contentBlockIndex}``, ``MessageStopEvent
{stopReason, additionalModelResponseFields}``, ``ConverseStreamMetadataEvent {usage: TokenUsage,
metrics, ...}``; every event written is walked against that model (``tests/replies_sdk.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ir_codec import StreamTranspiler, get_codec
from ir_codec.invariant import check_stream
from ir_codec.ir import ProviderPart, RedactedThinking, Response, Text, Thinking, ToolUse, Usage
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
)

from .replies_sdk import EVENT

NAME = "bedrock-converse"
C = get_codec(NAME)
CODECS = [NAME]
"""The codecs of the family (Converse is one)."""
ROOT = Path(__file__).parent / "responses"

USAGE = Usage(uncached_input_tokens=10, cache_read_tokens=70, cache_write_tokens=20, output_tokens=5)
META = {
    # ConverseStreamMetadataEvent: TokenUsage's disjoint buckets, totalTokens = all input + output
    "usage": {
        "inputTokens": 10,
        "outputTokens": 5,
        "totalTokens": 105,
        "cacheReadInputTokens": 70,
        "cacheWriteInputTokens": 20,
    },
    "metrics": {"latencyMs": 7},
}
HEAD: list[StreamEvent] = [MessageStart(), ReplyOptions(provider_options={NAME: {"metrics": {"latencyMs": 7}}})]
"""The opening IR events of a reply that loses nothing (metrics known)."""
TAIL: list[StreamEvent] = [UsageUpdate(usage=USAGE), Stop(stop_reason="end_turn", raw_stop_reason="end_turn")]


def _delta(i: int, delta: dict[str, Any]) -> WireEvent:
    return ("contentBlockDelta", {"delta": delta, "contentBlockIndex": i})


def _stop(i: int) -> WireEvent:
    return ("contentBlockStop", {"contentBlockIndex": i})


START: WireEvent = ("messageStart", {"role": "assistant"})
END: list[WireEvent] = [("messageStop", {"stopReason": "end_turn"}), ("metadata", META)]


def _run(events: list[StreamEvent]) -> tuple[list[list[WireEvent]], list[WireEvent], list[str]]:
    """(what each feed returned, what finish returned, the warnings) — checking the warnings
    come only at finish."""
    enc = C.stream_encoder()
    fed = [enc.feed(ev) for ev in events]
    assert enc.warnings == []
    end = enc.finish()
    return fed, end, [str(w) for w in enc.warnings]


def _decoded(events: list[WireEvent]) -> Response:
    _sdk_events(events)
    dec = C.stream_decoder()
    for name, data in events:
        dec.feed({name: data})  # the objects boto3 yields
    return dec.finish()


def _sdk_events(events: list[WireEvent]) -> None:
    for name, data in events:
        assert name is not None
        assert EVENT[NAME]({name: data}) == {name: data}


# -- the stream property ------------------------------------------------------------------------


@pytest.mark.parametrize("name", CODECS)
def test_stream_property_for_pieces_cut_anywhere(name: str) -> None:
    codec = get_codec(name)

    @settings(max_examples=40)
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        r = data.draw(responses([name]))
        events = data.draw(stream_events(r))
        s = check_stream(codec, r, events)
        _sdk_events(s.events)

    prop()


# -- incremental --------------------------------------------------------------------------------


def test_text_pieces_are_written_as_they_are_fed() -> None:
    enc = C.stream_encoder()
    assert enc.feed(MessageStart(id="msg_1", model="claude")) == []
    assert enc.feed(ReplyOptions(provider_options={NAME: {"metrics": {"latencyMs": 7}}})) == []
    assert enc.feed(TextDelta(index=0, text="Hel")) == [START, _delta(0, {"text": "Hel"})]
    assert enc.feed(TextDelta(index=0, text="lo, ")) == [_delta(0, {"text": "lo, "})]
    assert enc.feed(TextDelta(index=0, text="")) == []
    assert enc.feed(TextDelta(index=0, text="world")) == [_delta(0, {"text": "world"})]
    assert enc.feed(UsageUpdate(usage=USAGE)) == []
    assert enc.feed(Stop(stop_reason="end_turn", raw_stop_reason="end_turn")) == []
    assert enc.warnings == []
    assert enc.finish() == [_stop(0), *END]
    assert [str(w) for w in enc.warnings] == [
        "bedrock-converse: id: a ConverseResponse has no id",
        "bedrock-converse: model: a ConverseResponse has no model",
    ]


# -- the tricky cases ---------------------------------------------------------------------------


def test_signature_in_its_own_piece() -> None:
    fed, end, warnings = _run(
        [
            *HEAD,
            ThinkingDelta(index=0, text="Plan "),
            ThinkingDelta(index=0, text="it."),
            ThinkingDelta(index=0, signature="EqQBsig", origin="anthropic"),
            *TAIL,
        ]
    )
    assert fed == [
        [],
        [],
        [START, _delta(0, {"reasoningContent": {"text": "Plan "}})],
        [_delta(0, {"reasoningContent": {"text": "it."}})],
        [_delta(0, {"reasoningContent": {"signature": "EqQBsig"}})],
        [],
        [],
    ]
    assert end == [_stop(0), *END]
    assert warnings == []
    assert _decoded([x for f in fed for x in f] + end).content == [
        Thinking(text="Plan it.", signature="EqQBsig", origin="anthropic")
    ]


def test_foreign_signature_is_not_streamed_and_finish_reports_it() -> None:
    fed, end, warnings = _run(
        [*HEAD, ThinkingDelta(index=0, text="Plan."), ThinkingDelta(index=0, signature="gsig", origin="gemini"), *TAIL]
    )
    assert fed[2:5] == [[START, _delta(0, {"reasoningContent": {"text": "Plan."}})], [], []]
    assert end == [_stop(0), *END]
    assert warnings == [
        "bedrock-converse: content[0].signature: a gemini signature does not verify here",
        "bedrock-converse: content[0].origin: no signature is sent; the origin goes with it",
    ]


def test_tool_call_arguments_in_several_pieces() -> None:
    fed, end, warnings = _run(
        [
            *HEAD,
            TextDelta(index=0, text="Checking."),
            ToolCallStart(index=1, id="tooluse_1", name="get_weather"),
            ToolCallDelta(index=1, arguments=""),
            ToolCallDelta(index=1, arguments='{"ci'),
            ToolCallDelta(index=1, arguments='ty": "Pa'),
            ToolCallDelta(index=1, arguments='ris"}'),
            UsageUpdate(usage=USAGE),
            Stop(stop_reason="tool_use", raw_stop_reason="tool_use"),
        ]
    )
    start = {"start": {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather"}}, "contentBlockIndex": 1}
    assert fed[2:8] == [
        [START, _delta(0, {"text": "Checking."})],
        [_stop(0), ("contentBlockStart", start)],
        [],
        [_delta(1, {"toolUse": {"input": '{"ci'}})],
        [_delta(1, {"toolUse": {"input": 'ty": "Pa'}})],
        [_delta(1, {"toolUse": {"input": 'ris"}'}})],
    ]
    assert end == [_stop(1), ("messageStop", {"stopReason": "tool_use"}), ("metadata", META)]
    assert warnings == []
    assert _decoded([x for f in fed for x in f] + end).content == [
        Text(text="Checking."),
        ToolUse(id="tooluse_1", name="get_weather", input={"city": "Paris"}),
    ]


def test_whole_parts_between_streamed_parts() -> None:
    fed, end, warnings = _run(
        [
            *HEAD,
            TextDelta(index=0, text="a"),
            WholePart(index=1, part=RedactedThinking(data="AAEC", origin="anthropic")),
            WholePart(index=2, part=RedactedThinking(data="b3Bl", origin="openai")),  # dropped, as whole
            TextDelta(index=3, text="b"),
            *TAIL,
        ]
    )
    assert fed[2:6] == [
        [START, _delta(0, {"text": "a"})],
        [_stop(0), _delta(1, {"reasoningContent": {"redactedContent": "AAEC"}})],
        [_stop(1)],  # the next part opens (it has no block: dropped, as in the whole reply)
        [_delta(2, {"text": "b"})],  # numbered on
    ]
    assert end == [_stop(2), *END]
    assert warnings == ["bedrock-converse: content[2]: encrypted reasoning from openai does not decrypt here; dropped"]


def test_late_piece_for_a_closed_block_is_not_written_and_reported() -> None:
    fed, end, warnings = _run(
        [*HEAD, TextDelta(index=0, text="a"), TextDelta(index=1, text="b"), TextDelta(index=0, text="c"), *TAIL]
    )
    assert fed[2:5] == [[START, _delta(0, {"text": "a"})], [_stop(0), _delta(1, {"text": "b"})], []]
    assert end == [_stop(1), *END]
    assert warnings == [
        "bedrock-converse: content[0]: a piece arrived after the target closed the part "
        "(it streams parts one after another); not written"
    ]
    assert _decoded([x for f in fed for x in f] + end).content == [Text(text="a"), Text(text="b")]


def test_usage_and_stop_reason_only_at_the_end_in_converse_counting() -> None:
    fed, end, warnings = _run(
        [
            *HEAD,
            UsageUpdate(usage=Usage(uncached_input_tokens=10, output_tokens=1)),
            TextDelta(index=0, text="x"),
            UsageUpdate(usage=USAGE),
            # another provider's spelling of the stop reason: Converse writes its own
            Stop(stop_reason="content_filter", raw_stop_reason="SAFETY"),
        ]
    )
    assert fed == [[], [], [], [START, _delta(0, {"text": "x"})], [], []]
    assert end == [_stop(0), ("messageStop", {"stopReason": "content_filtered"}), ("metadata", META)]
    assert warnings == []


def test_stream_without_content() -> None:
    fed, end, warnings = _run([MessageStart(id=None), *TAIL])
    assert fed == [[], [], []]
    assert end[0] == START and end[1] == END[0]
    assert end[2] == ("metadata", {"usage": META["usage"], "metrics": {"latencyMs": 0}})
    assert warnings == [
        "bedrock-converse: provider_options.bedrock-converse.metrics: metrics is required; written as 0 ms"
    ]
    assert _decoded(end).content == []


def test_part_fields_and_provider_blocks_without_a_stream_form_are_reported() -> None:
    guard = ProviderPart(codec=NAME, data={"guardContent": {"text": {"text": "g"}}})
    fed, end, warnings = _run(
        [
            *HEAD,
            TextDelta(index=0, text="a"),
            PartOptions(index=0, provider_options={NAME: {"x_note": 1}}),
            WholePart(index=1, part=guard),
            WholePart(index=2, part=Text(text="b", provider_options={NAME: {"x_note": 2}})),
            *TAIL,
        ]
    )
    assert [x for f in fed for x in f] == [START, _delta(0, {"text": "a"}), _stop(0), _delta(1, {"text": "b"})]
    assert end == [_stop(1), *END]
    assert warnings == [
        "bedrock-converse: content[1]: this block has no ConverseStream form the decoder assembles",
        "bedrock-converse: content[0].provider_options.bedrock-converse: ConverseStream deltas carry no other "
        "fields of a block",
        "bedrock-converse: content[2].provider_options.bedrock-converse: ConverseStream deltas carry no other "
        "fields of a block",
    ]


CITATION = {"citation": {"title": "doc", "location": {"documentChar": {"documentIndex": 0, "start": 0, "end": 5}}}}
SERVER_STREAM: list[dict[str, Any]] = [
    {"messageStart": {"role": "assistant"}},
    {"contentBlockDelta": {"delta": {"text": "Paris"}, "contentBlockIndex": 0}},
    {"contentBlockDelta": {"delta": CITATION, "contentBlockIndex": 0}},
    {"contentBlockStop": {"contentBlockIndex": 0}},
    {"contentBlockStart": {"start": {"toolResult": {"toolUseId": "srv_1"}}, "contentBlockIndex": 1}},
    {"contentBlockDelta": {"delta": {"toolResult": [{"text": "result"}]}, "contentBlockIndex": 1}},
    {"contentBlockStop": {"contentBlockIndex": 1}},
    {"contentBlockDelta": {"delta": {"text": "done"}, "contentBlockIndex": 2}},
    {"contentBlockStop": {"contentBlockIndex": 2}},
    {"messageStop": {"stopReason": "end_turn"}},
    {"metadata": {"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}, "metrics": {"latencyMs": 5}}},
]
"""A ConverseStream with blocks the IR events cannot carry (a citation on a text block, a
server tool's result block): the decoder keeps them raw in ``unassembledEvents``."""


def test_raw_blocks_of_a_converse_source_are_written_in_place() -> None:
    t = StreamTranspiler(NAME, NAME, on_lossy="ignore")
    fed = [t.feed(obj) for obj in SERVER_STREAM]
    end = t.finish()
    assert fed[:9] == [
        [],
        [("messageStart", {"role": "assistant"}), ("contentBlockDelta", SERVER_STREAM[1]["contentBlockDelta"])],
        [("contentBlockDelta", SERVER_STREAM[2]["contentBlockDelta"])],
        [],
        [_stop(0), ("contentBlockStart", SERVER_STREAM[4]["contentBlockStart"])],
        [("contentBlockDelta", SERVER_STREAM[5]["contentBlockDelta"])],
        [],
        [_stop(1), ("contentBlockDelta", SERVER_STREAM[7]["contentBlockDelta"])],
        [],
    ]
    assert [{n: d} for n, d in [x for f in fed for x in f] + end] == SERVER_STREAM
    assert t.warnings == []


def test_raw_blocks_of_a_whole_reply_round_trip_after_message_start() -> None:
    dec = C.stream_decoder()
    for obj in SERVER_STREAM:
        dec.feed(obj)
    r = dec.finish()
    s = check_stream(C, r)  # one piece per part: the raw events come before the first part
    assert s.events[:4] == [
        START,
        ("contentBlockDelta", SERVER_STREAM[2]["contentBlockDelta"]),
        _stop(0),
        ("contentBlockStart", SERVER_STREAM[4]["contentBlockStart"]),
    ]
    assert s.warnings == []
    assert _decoded(s.events) == r


# -- transpiling another family's recorded stream -----------------------------------------------


def _recorded_streams() -> list[tuple[str, Path]]:
    out = []
    for d in sorted(ROOT.iterdir()):
        if d.name != NAME:
            out += [(d.name, f) for f in sorted(d.glob("*.stream.json"))]
    return out


@pytest.mark.parametrize(("src", "path"), _recorded_streams(), ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_transpile_a_recorded_stream_event_by_event(src: str, path: Path) -> None:
    events = json.loads(path.read_text())["events"]
    t = StreamTranspiler(src, NAME, on_lossy="ignore")
    fed = [t.feed(data, name) for name, data in events]
    assert fed[0] == [] or fed[0][0] == START
    assert sum(map(len, fed)) > 0  # events are written before finish
    end = t.finish()
    got = _decoded([x for f in fed for x in f] + end)
    dec = get_codec(src).stream_decoder()
    for name, data in events:
        dec.feed(data, name)
    whole = C.encode_response(dec.finish())
    assert got == C.decode_response(whole.body)
    assert [str(w) for w in t.warnings] == [str(w) for w in whole.warnings]


def test_transpile_an_anthropic_stream_writes_each_piece_as_it_comes() -> None:
    events = json.loads((ROOT / "anthropic" / "thinking_tool.stream.json").read_text())["events"]
    t = StreamTranspiler("anthropic", NAME, on_lossy="ignore")
    fed = [t.feed(data, name) for name, data in events]
    sig = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"
    start = {"start": {"toolUse": {"toolUseId": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "get_weather"}}}
    assert fed == [
        [],  # message_start: the header waits for content
        [START, _delta(0, {"reasoningContent": {"text": ""}})],
        [_delta(0, {"reasoningContent": {"text": "Let me check "}})],
        [_delta(0, {"reasoningContent": {"text": "the weather."}})],
        [_delta(0, {"reasoningContent": {"signature": sig}})],
        [],
        [_stop(0), ("contentBlockStart", {**start, "contentBlockIndex": 1})],
        [],
        [_delta(1, {"toolUse": {"input": '{"location": "San Fra'}})],
        [_delta(1, {"toolUse": {"input": 'ncisco, CA"}'}})],
        [],
        [],
        [],
    ]
    usage = {"inputTokens": 472, "outputTokens": 89, "totalTokens": 561, "cacheReadInputTokens": 0}
    usage["cacheWriteInputTokens"] = 0
    assert t.finish() == [
        _stop(1),
        ("messageStop", {"stopReason": "tool_use"}),
        ("metadata", {"usage": usage, "metrics": {"latencyMs": 0}}),
    ]
    assert [str(w) for w in t.warnings] == [
        "bedrock-converse: id: a ConverseResponse has no id",
        "bedrock-converse: model: a ConverseResponse has no model",
        "bedrock-converse: usage.reasoning_tokens: TokenUsage has no reasoning-token count",
        "bedrock-converse: provider_options.bedrock-converse.metrics: metrics is required; written as 0 ms",
    ]
