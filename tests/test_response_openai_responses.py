"""openai-responses: what the fixtures ``tests/responses/openai-responses/`` decode to, stop
reasons, the IR events of a stream and decode errors.

The fixture usage (the disjoint buckets add back up to the reported input, output and total),
stream-equals-whole (fixtures, also as SSE text, and random delta splits) and usage round-trip
checks run in the shared suite (tests/test_conformance.py, case in
tests/conformance/openai_responses.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ir_codec import DecodeError, decode_stream, get_codec
from ir_codec.conformance import load_fixture
from ir_codec.ir import Refusal, Text, Thinking, ToolUse
from ir_codec.stream import TextDelta, ToolCallDelta

CODEC = get_codec("openai-responses")
ROOT = Path(__file__).resolve().parent / "responses" / "openai-responses"


def test_fixture_content_and_stop_reasons() -> None:
    r = CODEC.decode_response(load_fixture(ROOT / "tool_call_cache_write.json")["response"])
    assert r.content == [ToolUse(id="call_02", name="get_weather", input={"location": "Paris, France"})]
    assert (r.stop_reason, r.raw_stop_reason, r.id, r.model) == ("tool_use", "completed", "resp_02", "gpt-5.6")
    r = CODEC.decode_response(load_fixture(ROOT / "incomplete_reasoning_cache_read_and_write.json")["response"])
    assert r.content == [
        Thinking(
            text="Plan the proof.\n\nCheck the base case.",
            signature="gAAAAB_enc",
            origin="openai",
            provider_options={"openai-responses": {"id": "rs_04"}},  # the next turn must carry it
        ),
        Text(text="The proof begins"),
    ]
    assert (r.stop_reason, r.raw_stop_reason) == ("max_tokens", "max_output_tokens")


@pytest.mark.parametrize(
    ("status", "details", "content", "want"),
    [
        ("completed", None, [{"type": "refusal", "refusal": "No."}], ("refusal", "completed")),
        ("completed", None, [], ("end_turn", "completed")),
        ("incomplete", {"reason": "content_filter"}, [], ("content_filter", "content_filter")),
        ("incomplete", {"reason": "max_messages"}, [], ("other", "max_messages")),
        ("failed", None, [], ("error", "failed")),
        ("in_progress", None, [], (None, "in_progress")),
    ],
)
def test_stop_reasons(status: str, details: Any, content: list[Any], want: tuple[Any, Any]) -> None:
    output = [{"type": "message", "id": "m", "role": "assistant", "status": "completed", "content": content}]
    r = CODEC.decode_response({"id": "r", "status": status, "incomplete_details": details, "output": output})
    assert (r.stop_reason, r.raw_stop_reason) == want
    if content:
        assert r.content == [Refusal(text="No.")]


def test_stream_fixture_events() -> None:
    """Each event is named by its type; the IR deltas carry the text and the arguments in pieces."""
    spec = load_fixture(ROOT / "reasoning_text_tool.stream.json")
    dec = CODEC.stream_decoder()
    texts: list[str] = []
    args: list[str] = []
    for name, data in spec["events"]:
        assert name == data["type"]
        for ev in dec.feed(data, name):
            if isinstance(ev, TextDelta):
                texts.append(ev.text)
            if isinstance(ev, ToolCallDelta):
                args.append(ev.arguments)
    assert "".join(texts) == "Let me check."
    assert "".join(args) == '{"city":"Oslo"}'
    assert len(texts) > 1 and len(args) > 1


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"output": 3}, "$.output"),
        (
            {"output": [{"type": "function_call", "call_id": "c", "name": "f", "arguments": "[1]"}]},
            "$.output[0].arguments",
        ),
        (
            {"output": [{"type": "function_call", "call_id": "c", "name": "f", "arguments": "{"}]},
            "$.output[0].arguments",
        ),
        # Overlapping counters and left-out counters decode (tests/test_reply_fidelity.py).
        ({"usage": {"input_tokens": -1, "output_tokens": 1}}, "$.usage.input_tokens"),
    ],
)
def test_response_decode_errors(payload: dict[str, Any], path: str) -> None:
    with pytest.raises(DecodeError) as info:
        CODEC.decode_response(payload)
    assert info.value.path == path


def test_stream_decode_errors() -> None:
    dec = CODEC.stream_decoder()
    with pytest.raises(DecodeError) as info:
        dec.feed({"type": "response.output_text.delta", "output_index": "x", "content_index": 0, "delta": "a"})
    assert info.value.path == "$.output_index"
    with pytest.raises(DecodeError):
        dec.feed(b"{not json")


_CUSTOM = {"type": "custom_tool_call", "id": "ctc_1", "call_id": "call_c", "name": "apply_patch", "input": "*** Begin"}
_SEARCH = {"type": "web_search_call", "id": "ws_1", "status": "completed", "action": {"type": "search", "query": "q"}}
_SHELL = {
    "type": "local_shell_call",
    "id": "lsh_1",
    "call_id": "call_s",
    "status": "completed",
    "action": {"type": "exec", "command": ["ls"], "env": {}},
}


@pytest.mark.parametrize(
    ("items", "stop"),
    [
        ([_CUSTOM], "tool_use"),  # the client runs a custom tool, as it runs a function
        ([_SHELL], "tool_use"),
        ([_SEARCH], "end_turn"),  # OpenAI ran the search itself
        ([_SEARCH, {**_CUSTOM, "status": "completed"}], "tool_use"),
    ],
)
def test_a_call_the_client_runs_stops_for_tool_use_whole_and_streamed(items: list[Any], stop: str) -> None:
    # response_output_item.py: custom_tool_call, local_shell_call, shell_call, computer_call and
    # apply_patch_call wait for the client's output like a function_call (they read as end_turn)
    body = {"id": "resp_1", "object": "response", "created_at": 1, "status": "completed", "model": "gpt-5"}
    whole = CODEC.decode_response({**body, "output": items})
    assert (whole.stop_reason, whole.raw_stop_reason) == (stop, "completed")
    assert CODEC.encode_response(whole).warnings == []
    start = {**body, "status": "in_progress", "output": []}
    events: list[dict[str, Any]] = [{"type": "response.created", "sequence_number": 0, "response": start}]
    for i, item in enumerate(items):
        events.append({"type": "response.output_item.added", "output_index": i, "item": item})
        events.append({"type": "response.output_item.done", "output_index": i, "item": item})
    events.append({"type": "response.completed", "response": {**body, "output": items}})
    streamed = decode_stream([(e["type"], e) for e in events], CODEC)
    assert (streamed.stop_reason, streamed.content) == (stop, whole.content)
