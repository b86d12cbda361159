"""openai-responses: the incremental stream encoder (IR stream events -> Responses SSE events).

Event shapes: the openai SDK's ``openai/types/responses/response_stream_event.py`` and the event
files it lists (``response_created_event.py``, ``response_output_item_added_event.py``,
``response_content_part_added_event.py``, ``response_text_delta_event.py``,
``response_reasoning_summary_*_event.py``, ``response_function_call_arguments_*_event.py``,
``response_output_item_done_event.py``, ``response_completed_event.py`` ...). Every stream here
is also validated event by event as the SDK's ``ResponseStreamEvent`` and, where its items have
distinct identities, accumulated by the SDK's own client-side state machine
(``openai/lib/streaming/responses/_responses.py``, ``ResponseStreamState``), which rejects an
item whose id changes between ``output_item.added`` and ``.done`` or a content event before
its item.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ir_codec
from ir_codec import get_codec, invariant
from ir_codec.codec import Codec
from ir_codec.errors import LossKind
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
)

from .replies_sdk import EVENT

NAME = "openai-responses"
NAMES = [NAME]
"""The codecs of the family (the Responses API has one)."""
ROOT = Path(__file__).parent / "responses"

HEAD = {"id": "resp_1", "model": "gpt-5.6", "object": "response", "created_at": 0}
TAIL = {"parallel_tool_calls": True, "tool_choice": "auto", "tools": []}
CREATED = {**HEAD, "status": "in_progress", "output": [], **TAIL, "usage": None}
MSG = {"type": "message", "role": "assistant"}
TEXT_PART = {"type": "output_text", "text": "", "annotations": []}


def E(seq: int, kind: str, **fields: Any) -> WireEvent:
    """One expected event."""
    return (kind, {"type": kind, "sequence_number": seq, **fields})


def _paths(warnings: list[Any]) -> set[tuple[str, LossKind]]:
    return {(w.path, w.kind) for w in warnings}


def _sdk_accepts(events: list[WireEvent]) -> Any:
    """Each event validates as the SDK's ``ResponseStreamEvent`` and dumps back to itself; the
    SDK's ``ResponseStreamState`` accumulates the stream; returns its final response."""
    openai = pytest.importorskip("openai")
    from openai.lib.streaming.responses import ResponseStreamState

    check = EVENT[NAME]
    state = ResponseStreamState(input_tools=openai.omit, text_format=openai.omit)
    final: Any = None
    for _, data in events:
        assert check(data) == data
        adapter = _adapter()
        for out in state.handle_event(adapter.validate_python(data)):
            if out.type == "response.completed":
                final = out.response
    return final


@functools.cache
def _adapter() -> Any:
    import pydantic

    openai = pytest.importorskip("openai")
    return pydantic.TypeAdapter(openai.types.responses.ResponseStreamEvent)


def _decode(events: list[WireEvent], name: str = NAME) -> Response:
    dec = get_codec(name).stream_decoder()
    for event_name, data in events:
        dec.feed(data, event_name)
    return dec.finish()


def _feed_all(codec: Codec, events: list[StreamEvent]) -> tuple[list[list[WireEvent]], list[WireEvent], list[Any]]:
    """Feed ``events`` one by one: what each feed returned, what finish returned, the warnings."""
    enc = codec.stream_encoder()
    fed = [enc.feed(ev) for ev in events]
    return fed, enc.finish(), enc.warnings


def _distinct_items(events: list[WireEvent]) -> bool:
    """The SDK's state machine keys completed items by (type, id, call_id): a Response with two
    equal tool-call ids or provider items is outside what it accepts, streamed or not."""
    output = events[-1][1]["response"]["output"]
    keys = [
        (i.get("type"), None if i.get("type") == "function_call" else i.get("id"), i.get("call_id")) for i in output
    ]
    return len(set(keys)) == len(keys)


# -- the property ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_stream_property_for_any_cut_of_the_pieces(name: str) -> None:
    """For any Response and any cut of its pieces, the encoder's events (fed one by one, and as
    a whole stream) decode to the Response up to exactly the reported losses; sequence numbers
    count from 0; the SDK validates and accumulates the stream."""
    codec = get_codec(name)

    @settings(max_examples=40, deadline=None)
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        r = data.draw(responses([name]))
        events = data.draw(stream_events(r))
        s = invariant.check_stream(codec, r, events)
        assert [d["sequence_number"] for _, d in s.events] == list(range(len(s.events)))
        # fed event by event (a reasoning item's id then comes after its first piece)
        fed, end, warnings = _feed_all(codec, events)
        written = [e for out in fed for e in out] + end
        got = _decode(written, name)
        got = msgspec.structs.replace(got, raw_stop_reason=r.raw_stop_reason)  # each wire's own spelling
        uncovered, unjustified = invariant.loss_report(r, got, warnings)
        assert not uncovered and not unjustified, (uncovered, [str(w) for w in unjustified])
        if _plain(r) and _distinct_items(s.events):
            _sdk_accepts(s.events)

    prop()


def _plain(r: Response) -> bool:
    """No provider parts (raw items the SDK types may not know)."""
    return not any(type(p).__name__ == "ProviderPart" for p in r.content)


def test_encode_stream_goes_through_the_stream_encoder() -> None:
    codec = get_codec(NAME)
    assert not hasattr(codec, "_stream_events")  # no whole-reply split left
    r = Response(id="resp_1", model="gpt-5.6", content=[Text(text="Hi")], stop_reason="end_turn")
    fed, end, _ = _feed_all(codec, ir_codec.stream.events_of(r))
    assert codec.encode_stream(r).events == [e for out in fed for e in out] + end


# -- incremental -------------------------------------------------------------------------------


def test_text_pieces_are_written_as_they_arrive() -> None:
    enc = get_codec(NAME).stream_encoder()
    at = {"item_id": "msg_0", "output_index": 0, "content_index": 0}
    assert enc.feed(MessageStart(id="resp_1", model="gpt-5.6")) == []  # the header waits for content
    assert enc.feed(TextDelta(index=0, text="Hel")) == [
        E(0, "response.created", response=CREATED),
        E(
            1,
            "response.output_item.added",
            output_index=0,
            item={"id": "msg_0", **MSG, "status": "in_progress", "content": []},
        ),
        E(2, "response.content_part.added", **at, part=TEXT_PART),
        E(3, "response.output_text.delta", **at, delta="Hel", logprobs=[]),
    ]
    assert enc.feed(TextDelta(index=0, text="lo")) == [
        E(4, "response.output_text.delta", **at, delta="lo", logprobs=[])
    ]
    assert enc.feed(TextDelta(index=0, text="")) == []  # an empty piece writes nothing
    assert enc.feed(Stop(stop_reason="end_turn", raw_stop_reason="completed")) == []
    part = {**TEXT_PART, "text": "Hello"}
    message = {"id": "msg_0", **MSG, "status": "completed", "content": [part]}
    assert enc.finish() == [
        E(5, "response.output_text.done", **at, text="Hello", logprobs=[]),
        E(6, "response.content_part.done", **at, part=part),
        E(7, "response.output_item.done", output_index=0, item=message),
        E(8, "response.completed", response={**HEAD, "status": "completed", "output": [message], **TAIL}),
    ]
    assert enc.warnings == []


# -- the tricky cases --------------------------------------------------------------------------


def test_thinking_signature_in_its_own_piece() -> None:
    """The signature is the item's ``encrypted_content``, only in ``output_item.done``: its
    piece writes nothing; the item id comes from the part's options."""
    at = {"item_id": "rs_9", "output_index": 0, "summary_index": 0}
    fed, end, warnings = _feed_all(
        get_codec(NAME),
        [
            MessageStart(id="resp_1", model="gpt-5.6"),
            PartOptions(index=0, provider_options={NAME: {"id": "rs_9"}}),
            ThinkingDelta(index=0, text="Plan"),
            ThinkingDelta(index=0, text=" it."),
            ThinkingDelta(index=0, signature="gAAA", origin="openai"),
            Stop(stop_reason="end_turn", raw_stop_reason="completed"),
        ],
    )
    item = {"id": "rs_9", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Plan it."}]}
    assert fed == [
        [],
        [],
        [
            E(0, "response.created", response=CREATED),
            E(1, "response.output_item.added", output_index=0, item={"id": "rs_9", "type": "reasoning", "summary": []}),
            E(2, "response.reasoning_summary_part.added", **at, part={"type": "summary_text", "text": ""}),
            E(3, "response.reasoning_summary_text.delta", **at, delta="Plan"),
        ],
        [E(4, "response.reasoning_summary_text.delta", **at, delta=" it.")],
        [],
        [],
    ]
    done = {**item, "encrypted_content": "gAAA"}
    assert end == [
        E(5, "response.reasoning_summary_text.done", **at, text="Plan it."),
        E(6, "response.reasoning_summary_part.done", **at, part={"type": "summary_text", "text": "Plan it."}),
        E(7, "response.output_item.done", output_index=0, item=done),
        E(8, "response.completed", response={**HEAD, "status": "completed", "output": [done], **TAIL}),
    ]
    assert warnings == []
    assert _decode([e for out in fed for e in out] + end).content == [
        Thinking(text="Plan it.", signature="gAAA", origin="openai", provider_options={NAME: {"id": "rs_9"}})
    ]


def test_foreign_signature_is_not_streamed_and_finish_reports_it() -> None:
    """An Anthropic signature does not verify at OpenAI: no ``encrypted_content``; the warnings
    (from the whole-reply encoder, at finish) are the ones ``encode_response`` gives."""
    events: list[StreamEvent] = [
        MessageStart(id="resp_1", model="gpt-5.6"),
        ThinkingDelta(index=0, text="Plan"),
        ThinkingDelta(index=0, signature="EqAB", origin="anthropic"),
    ]
    fed, end, warnings = _feed_all(get_codec(NAME), events)
    assert fed[2] == []
    written = [e for out in fed for e in out] + end
    assert "EqAB" not in json.dumps(written)
    item = {"id": "rs_0", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Plan"}]}
    assert end[-2] == E(6, "response.output_item.done", output_index=0, item=item)
    assert end[-1] == E(7, "response.completed", response={**HEAD, "output": [item], **TAIL})
    assert _paths(warnings) == {
        ("content[0].signature", LossKind.DROPPED),
        ("content[0].origin", LossKind.DROPPED),
        ("content[0].provider_options.openai-responses.id", LossKind.CHANGED),  # rs_0 is made up
    }
    whole = get_codec(NAME).encode_response(
        Response(id="resp_1", model="gpt-5.6", content=[Thinking(text="Plan", signature="EqAB", origin="anthropic")])
    )
    assert _paths(whole.warnings) == _paths(warnings)
    assert whole.body["output"] == [item]


def test_tool_call_arguments_in_several_pieces() -> None:
    at = {"item_id": "", "output_index": 0}
    fed, end, warnings = _feed_all(
        get_codec(NAME),
        [
            MessageStart(id="resp_1", model="gpt-5.6"),
            ToolCallStart(index=0, id="call_1", name="get_weather"),
            ToolCallDelta(index=0, arguments='{"city":'),
            ToolCallDelta(index=0, arguments=' "Oslo"}'),
            Stop(stop_reason="tool_use", raw_stop_reason="completed"),
        ],
    )
    call = {"type": "function_call", "call_id": "call_1", "name": "get_weather"}
    assert fed[1:4] == [
        [
            E(0, "response.created", response=CREATED),
            E(1, "response.output_item.added", output_index=0, item={**call, "arguments": "", "status": "in_progress"}),
        ],
        [E(2, "response.function_call_arguments.delta", **at, delta='{"city":')],
        [E(3, "response.function_call_arguments.delta", **at, delta=' "Oslo"}')],
    ]
    streamed = {**call, "arguments": '{"city": "Oslo"}', "status": "completed"}
    whole = {**call, "arguments": '{"city":"Oslo"}', "status": "completed"}  # the body writes the input's JSON
    assert end == [
        E(4, "response.function_call_arguments.done", **at, arguments='{"city": "Oslo"}'),
        E(5, "response.output_item.done", output_index=0, item=streamed),
        E(6, "response.completed", response={**HEAD, "status": "completed", "output": [whole], **TAIL}),
    ]
    assert warnings == []
    written = [e for out in fed for e in out] + end
    assert _decode(written).content == [ToolUse(id="call_1", name="get_weather", input={"city": "Oslo"})]
    final = _sdk_accepts(written)
    assert final.output[0].arguments == '{"city":"Oslo"}'


def test_whole_parts_between_streamed_parts() -> None:
    """Redacted reasoning of OpenAI's is a reasoning item between two messages; one of another
    family is dropped (by the whole reply too), so the texts around it share a message."""
    own = RedactedThinking(data="gAAA_enc", origin="openai")
    fed, end, warnings = _feed_all(
        get_codec(NAME),
        [
            MessageStart(id="resp_1", model="gpt-5.6"),
            TextDelta(index=0, text="A"),
            WholePart(index=1, part=own),
            TextDelta(index=2, text="B"),
            WholePart(index=3, part=RedactedThinking(data="EqAB", origin="anthropic")),
            WholePart(index=4, part=Refusal(text="No.")),
            Stop(stop_reason="refusal", raw_stop_reason="completed"),
        ],
    )
    a0 = {"item_id": "msg_0", "output_index": 0, "content_index": 0}
    b0 = {"item_id": "msg_2", "output_index": 2, "content_index": 0}
    b1 = {**b0, "content_index": 1}
    text_a = {**TEXT_PART, "text": "A"}
    text_b = {**TEXT_PART, "text": "B"}
    refusal = {"type": "refusal", "refusal": "No."}
    reasoning = {"id": "rs_1", "type": "reasoning", "summary": [], "encrypted_content": "gAAA_enc"}
    message_a = {"id": "msg_0", **MSG, "status": "completed", "content": [text_a]}
    message_b = {"id": "msg_2", **MSG, "status": "completed", "content": [text_b, refusal]}
    assert fed[2] == [
        E(4, "response.output_text.done", **a0, text="A", logprobs=[]),
        E(5, "response.content_part.done", **a0, part=text_a),
        E(6, "response.output_item.done", output_index=0, item=message_a),
        E(7, "response.output_item.added", output_index=1, item={"id": "rs_1", "type": "reasoning", "summary": []}),
        E(8, "response.output_item.done", output_index=1, item=reasoning),
    ]
    assert fed[3] == [
        E(
            9,
            "response.output_item.added",
            output_index=2,
            item={"id": "msg_2", **MSG, "status": "in_progress", "content": []},
        ),
        E(10, "response.content_part.added", **b0, part=TEXT_PART),
        E(11, "response.output_text.delta", **b0, delta="B", logprobs=[]),
    ]
    assert fed[4] == [  # the text closes; the dropped part writes nothing
        E(12, "response.output_text.done", **b0, text="B", logprobs=[]),
        E(13, "response.content_part.done", **b0, part=text_b),
    ]
    assert fed[5] == [
        E(14, "response.content_part.added", **b1, part={"type": "refusal", "refusal": ""}),
        E(15, "response.refusal.delta", **b1, delta="No."),
        E(16, "response.refusal.done", **b1, refusal="No."),
        E(17, "response.content_part.done", **b1, part=refusal),
    ]
    output = [message_a, reasoning, message_b]
    assert end == [
        E(18, "response.output_item.done", output_index=2, item=message_b),
        E(19, "response.completed", response={**HEAD, "status": "completed", "output": output, **TAIL}),
    ]
    assert _paths(warnings) == {
        ("content[1]", LossKind.CHANGED),  # encrypted reasoning reads back as thinking
        ("content[1].provider_options.openai-responses.id", LossKind.CHANGED),
        ("content[3]", LossKind.DROPPED),
    }
    written = [e for out in fed for e in out] + end
    assert _decode(written).content == [
        Text(text="A"),
        Thinking(text="", signature="gAAA_enc", origin="openai", provider_options={NAME: {"id": "rs_1"}}),
        Text(text="B"),
        Refusal(text="No."),
    ]
    _sdk_accepts(written)


def test_a_late_piece_for_a_closed_part_is_not_written_and_reported() -> None:
    fed, end, warnings = _feed_all(
        get_codec(NAME),
        [
            MessageStart(id="resp_1", model="gpt-5.6"),
            TextDelta(index=0, text="a"),
            ToolCallStart(index=1, id="call_1", name="f"),
            TextDelta(index=0, text="b"),  # the message item is done already
            Stop(stop_reason="tool_use", raw_stop_reason="completed"),
        ],
    )
    assert fed[3] == []
    assert _paths(warnings) == {("content[0]", LossKind.CHANGED)}
    assert "a piece arrived after the target closed the part" in str(warnings[0])
    written = [e for out in fed for e in out] + end
    assert _decode(written).content == [Text(text="a"), ToolUse(id="call_1", name="f", input={})]
    # the body (response.completed) holds the whole Response: that is what the client keeps
    assert end[-1][1]["response"]["output"][0]["content"][0]["text"] == "ab"


def test_a_reasoning_id_after_the_first_piece_keeps_the_streamed_id() -> None:
    """Fed event by event, the item opens before its id is known: every event names it
    ``rs_0`` (the SDK rejects an item whose id changes), reported; given before the first piece
    (as ``events_of`` gives a part's fields), the id is the item's from the start."""
    events: list[StreamEvent] = [
        MessageStart(id="resp_1", model="gpt-5.6"),
        ThinkingDelta(index=0, text="x", signature="gAAA", origin="openai"),
        PartOptions(index=0, provider_options={NAME: {"id": "rs_real"}}),
        Stop(stop_reason="end_turn", raw_stop_reason="completed"),
    ]
    fed, end, warnings = _feed_all(get_codec(NAME), events)
    written = [e for out in fed for e in out] + end
    assert {d["item"]["id"] for _, d in written if "item" in d} == {"rs_0"}
    assert end[-1][1]["response"]["output"][0]["id"] == "rs_real"
    assert _paths(warnings) == {("content[0].provider_options.openai-responses.id", LossKind.CHANGED)}
    assert _sdk_accepts(written).output[0].id == "rs_real"
    s = get_codec(NAME).stream_encoder().stream([events[0], events[2], events[1], events[3]])
    assert {d["item"]["id"] for _, d in s.events if "item" in d} == {"rs_real"}
    assert s.warnings == []


@pytest.mark.parametrize(
    ("stop", "terminal", "status"),
    [
        (Stop(stop_reason="end_turn", raw_stop_reason="stop"), "response.completed", {"status": "completed"}),
        (
            Stop(stop_reason="max_tokens", raw_stop_reason="length"),
            "response.incomplete",
            {"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}},
        ),
        (Stop(stop_reason="error"), "response.failed", {"status": "failed"}),
    ],
)
def test_usage_and_stop_reason_only_at_the_end(stop: Stop, terminal: str, status: dict[str, Any]) -> None:
    """Usage and the status wait for the terminal event, in OpenAI's counting: ``input_tokens``
    includes the cached and written tokens."""
    usage = Usage(
        uncached_input_tokens=10, cache_read_tokens=5, cache_write_tokens=2, output_tokens=7, reasoning_tokens=3
    )
    fed, end, warnings = _feed_all(
        get_codec(NAME),
        [MessageStart(id="resp_1", model="gpt-5.6"), TextDelta(index=0, text="Hi"), UsageUpdate(usage=usage), stop],
    )
    assert fed[2:] == [[], []]
    assert end[-1][0] == terminal
    assert end[-1][1]["response"]["usage"] == {
        "input_tokens": 17,
        "input_tokens_details": {"cached_tokens": 5, "cache_write_tokens": 2},
        "output_tokens": 7,
        "output_tokens_details": {"reasoning_tokens": 3},
        "total_tokens": 24,
    }
    assert {k: end[-1][1]["response"][k] for k in status} == status
    assert warnings == []
    got = _decode([e for out in fed for e in out] + end)
    assert (got.usage, got.stop_reason) == (usage, stop.stop_reason)


def test_a_stream_with_no_content() -> None:
    fed, end, warnings = _feed_all(
        get_codec(NAME), [MessageStart(id="resp_1", model="gpt-5.6"), Stop(stop_reason="end_turn")]
    )
    assert fed == [[], []]
    assert end == [
        E(0, "response.created", response=CREATED),
        E(1, "response.completed", response={**HEAD, "status": "completed", "output": [], **TAIL}),
    ]
    assert warnings == []
    assert _sdk_accepts(end).output == []


# -- transpiling -------------------------------------------------------------------------------


def _recorded_streams() -> list[tuple[str, Path]]:
    out = []
    for d in sorted(ROOT.iterdir()):
        if d.name != NAME and d.name in ir_codec.available_codecs():
            out += [(d.name, f) for f in sorted(d.glob("*.stream.json"))]
    return out


@pytest.mark.parametrize(("src", "path"), _recorded_streams(), ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_transpile_another_familys_recorded_stream(src: str, path: Path) -> None:
    """Fed event by event, the transpiler writes Responses events before the end; they decode
    to what the whole-reply route gives, with the same losses."""
    events = json.loads(path.read_text())["events"]
    t = ir_codec.StreamTranspiler(src, NAME, on_lossy="ignore")
    before: list[WireEvent] = []
    for event_name, data in events:
        before += t.feed(data, event_name)
    assert any(str(kind).endswith(".delta") for kind, _ in before)  # pieces written as they came
    written = before + t.finish()
    dec = get_codec(src).stream_decoder()
    for event_name, data in events:
        dec.feed(data, event_name)
    source = dec.finish()
    whole = get_codec(NAME).encode_response(source)
    assert _decode(written) == get_codec(NAME).decode_response(whole.body)
    assert _paths(t.warnings) == _paths(whole.warnings)
    assert written[-1][1]["response"] == whole.body
    if _distinct_items(written):
        _sdk_accepts(written)


def test_transpile_a_responses_stream_keeps_the_reasoning_item_id() -> None:
    """A Responses stream passed through: the reasoning item id arrives with its
    ``output_item.added``, so the item is streamed under its own id and nothing is lost."""
    events = json.loads((ROOT / NAME / "reasoning_text_tool.stream.json").read_text())["events"]
    t = ir_codec.StreamTranspiler(NAME, NAME)
    written: list[WireEvent] = []
    for event_name, data in events:
        written += t.feed(data, event_name)
    written += t.finish()
    assert t.warnings == []
    assert {d["item_id"] for _, d in written if d["type"].startswith("response.reasoning_summary")} == {"rs_05"}
    assert _decode(written) == _decode([(n, d) for n, d in events])
    _sdk_accepts(written)
