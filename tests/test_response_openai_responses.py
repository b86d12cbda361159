"""openai-responses: response decoding, usage buckets and the stream decoder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec import DecodeError, get_codec
from ir_codec.ir import Refusal, Text, Thinking, ToolUse, Usage
from ir_codec.stream import TextDelta, ToolCallDelta, parse_sse

CODEC = get_codec("openai-responses")
ROOT = Path(__file__).resolve().parent / "responses" / "openai-responses"
WHOLE = sorted(p for p in ROOT.glob("*.json") if not p.name.endswith(".stream.json"))
STREAMS = sorted(ROOT.glob("*.stream.json"))


def _load(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(path.read_text())
    assert spec.get("doc"), "each fixture names the document it follows"
    return spec


def test_fixtures_exist() -> None:
    assert len(WHOLE) >= 3 and STREAMS


@pytest.mark.parametrize("path", WHOLE, ids=[p.stem for p in WHOLE])
def test_fixture_usage(path: Path) -> None:
    spec = _load(path)
    usage = CODEC.decode_response(spec["response"]).usage
    assert usage == msgspec.convert(spec["usage"], Usage)
    raw = spec["response"]["usage"]
    # The disjoint buckets add back up to what the provider reported.
    assert usage.input_tokens == raw["input_tokens"]
    assert usage.output_tokens == raw["output_tokens"]
    assert usage.total_tokens == raw["total_tokens"]
    if usage.cache_write_30m_tokens is not None:
        assert usage.cache_write_30m_tokens + (usage.cache_write_12h_tokens or 0) == usage.cache_write_tokens


def test_fixture_content_and_stop_reasons() -> None:
    r = CODEC.decode_response(_load(ROOT / "tool_call_cache_write.json")["response"])
    assert r.content == [ToolUse(id="call_02", name="get_weather", input={"location": "Paris, France"})]
    assert (r.stop_reason, r.raw_stop_reason, r.id, r.model) == ("tool_use", "completed", "resp_02", "gpt-5.6")
    r = CODEC.decode_response(_load(ROOT / "incomplete_reasoning_cache_read_and_write.json")["response"])
    assert r.content == [
        Thinking(text="Plan the proof.\n\nCheck the base case.", signature="gAAAAB_enc"),
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


def _raw_usage(u: Usage, with_details: bool) -> dict[str, Any]:
    """The provider's usage shape for IR usage ``u`` (response_usage.py): input includes reads and writes."""
    details: dict[str, Any] = {"cached_tokens": u.cache_read_tokens, "cache_write_tokens": u.cache_write_tokens}
    if with_details:
        details["cache_write_tokens_details"] = {
            "ttl_30m_tokens": u.cache_write_30m_tokens,
            "ttl_12h_tokens": u.cache_write_12h_tokens,
        }
    return {
        "input_tokens": u.uncached_input_tokens + u.cache_read_tokens + u.cache_write_tokens,
        "input_tokens_details": details,
        "output_tokens": u.output_tokens,
        "output_tokens_details": {"reasoning_tokens": u.reasoning_tokens},
        "total_tokens": u.total_tokens,
    }


_N = st.integers(0, 5_000_000)


@st.composite
def _usages(draw: st.DrawFn) -> tuple[Usage, bool]:
    w30, w12, out = draw(_N), draw(_N), draw(_N)
    details = draw(st.booleans())
    u = Usage(
        uncached_input_tokens=draw(_N),
        cache_read_tokens=draw(_N),
        cache_write_tokens=w30 + w12,
        cache_write_30m_tokens=w30 if details else None,
        cache_write_12h_tokens=w12 if details else None,
        output_tokens=out,
        reasoning_tokens=draw(st.integers(0, out)),
    )
    return u, details


@given(_usages())
def test_random_usage_decodes_to_the_same_buckets(case: tuple[Usage, bool]) -> None:
    u, details = case
    got = CODEC.decode_response({"id": "r", "status": "completed", "output": [], "usage": _raw_usage(u, details)}).usage
    assert got == u


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
def test_stream_equals_whole(path: Path) -> None:
    spec = _load(path)
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
    assert dec.finish() == CODEC.decode_response(spec["response"])
    assert "".join(texts) == "Let me check."
    assert "".join(args) == '{"city":"Oslo"}'


def test_stream_through_sse_lines() -> None:
    spec = _load(STREAMS[0])
    lines: list[str] = []
    for name, data in spec["events"]:
        lines += [f"event: {name}", f"data: {json.dumps(data)}", ""]
    dec = CODEC.stream_decoder()
    for name, data in parse_sse(lines):
        dec.feed(data, name)
    assert dec.finish() == CODEC.decode_response(spec["response"])


_TEXT_PIECES = st.lists(st.text(max_size=6), max_size=5)


@given(
    _TEXT_PIECES,
    _TEXT_PIECES,
    st.booleans(),
    st.sampled_from(["completed", "incomplete"]),
    st.lists(_TEXT_PIECES, max_size=3),
    st.none() | st.text(min_size=1, max_size=8),
)
def test_generated_streams_equal_whole(
    text: list[str], arg_pieces: list[str], refusal: bool, status: str, summaries: list[list[str]], enc: str | None
) -> None:
    """A stream built from random delta splits reassembles to decode_response of the whole."""
    arguments = json.dumps({"q": "".join(arg_pieces)})
    cut = len(arguments) // 2
    content: list[dict[str, Any]] = [{"type": "output_text", "text": "".join(text), "annotations": []}]
    if refusal:
        content.append({"type": "refusal", "refusal": "no"})
    output: list[dict[str, Any]] = [
        {"type": "message", "id": "m1", "role": "assistant", "status": "completed", "content": content},
        {"type": "function_call", "id": "fc", "call_id": "c1", "name": "f", "arguments": arguments},
        {"type": "web_search_call", "id": "ws", "status": "completed", "action": {"type": "search", "query": "q"}},
        {
            "type": "reasoning",
            "id": "rs",
            "summary": [{"type": "summary_text", "text": "".join(pieces)} for pieces in summaries],
            **({"encrypted_content": enc} if enc is not None else {}),
        },
    ]
    final = {
        "id": "r9",
        "model": "gpt-6",
        "status": status,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "output": output,
        "usage": {"input_tokens": 10, "output_tokens": 3, "input_tokens_details": {"cached_tokens": 4}},
    }
    events: list[dict[str, Any]] = [{"type": "response.created", "response": {"id": "r9", "model": "gpt-6"}}]
    events.append({"type": "response.output_item.added", "output_index": 0, "item": {**output[0], "content": []}})
    events.append({"type": "response.content_part.added", "output_index": 0, "content_index": 0, "part": content[0]})
    events += [{"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": t} for t in text]
    if refusal:
        events.append({"type": "response.content_part.done", "output_index": 0, "content_index": 1, "part": content[1]})
    events.append({"type": "response.output_item.added", "output_index": 1, "item": {**output[1], "arguments": ""}})
    for piece in (arguments[:cut], arguments[cut:]):
        events.append({"type": "response.function_call_arguments.delta", "output_index": 1, "delta": piece})
    events.append({"type": "response.output_item.done", "output_index": 1, "item": output[1]})
    events.append({"type": "response.output_item.done", "output_index": 2, "item": output[2]})
    events.append(
        {
            "type": "response.output_item.added",
            "output_index": 3,
            "item": {"type": "reasoning", "id": "rs", "summary": []},
        }
    )
    for k, pieces in enumerate(summaries):
        part = {"type": "summary_text", "text": ""}
        events.append(
            {"type": "response.reasoning_summary_part.added", "output_index": 3, "summary_index": k, "part": part}
        )
        events += [
            {"type": "response.reasoning_summary_text.delta", "output_index": 3, "summary_index": k, "delta": d}
            for d in pieces
        ]
    events.append({"type": "response.output_item.done", "output_index": 3, "item": output[3]})
    events.append({"type": "response.completed" if status == "completed" else "response.incomplete", "response": final})
    dec = CODEC.stream_decoder()
    for ev in events:
        dec.feed(ev)
    assert dec.finish() == CODEC.decode_response(final)


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
        (
            {"usage": {"input_tokens": 5, "output_tokens": 1, "input_tokens_details": {"cached_tokens": 9}}},
            "$.usage.input_tokens",
        ),
        ({"usage": {"input_tokens": -1, "output_tokens": 1}}, "$.usage.input_tokens"),
        ({"usage": {"output_tokens": 1}}, "$.usage"),
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
