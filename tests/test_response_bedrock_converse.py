"""bedrock-converse responses, streams and usage (botocore ``ConverseResponse``, ``TokenUsage``,
``ConverseStreamOutput``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec import get_codec
from ir_codec.errors import DecodeError, IRCodecError
from ir_codec.ir import Text, Thinking, ToolUse, Usage
from ir_codec.stream import TextDelta, ToolCallDelta, ToolCallStart

C = get_codec("bedrock-converse")
ROOT = Path(__file__).resolve().parent / "responses" / "bedrock-converse"
WHOLE = sorted(p for p in ROOT.glob("*.json") if not p.name.endswith(".stream.json"))
STREAMS = sorted(ROOT.glob("*.stream.json"))


def _load(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(path.read_text())
    assert spec.get("doc"), "each fixture names the document it follows"
    return spec


@pytest.mark.parametrize("path", WHOLE, ids=[p.stem for p in WHOLE])
def test_fixture_usage(path: Path) -> None:
    spec = _load(path)
    resp = C.decode_response(spec["response"])
    assert resp.usage == msgspec.convert(spec["usage"], Usage)
    # inputTokens is the uncached input only (AWS prompt-caching guide): the disjoint buckets
    # and the output add up to the reported total.
    assert resp.usage.total_tokens == spec["response"]["usage"]["totalTokens"]
    assert resp.raw_stop_reason == spec["response"]["stopReason"]


def test_fixtures_exist() -> None:
    assert len(WHOLE) >= 3 and STREAMS
    assert any(C.decode_response(_load(p)["response"]).usage.cache_read_tokens for p in WHOLE)
    assert any(C.decode_response(_load(p)["response"]).usage.cache_write_tokens for p in WHOLE)


def test_thinking_tool_use_response() -> None:
    resp = C.decode_response(_load(ROOT / "thinking_tool_use.json")["response"])
    assert resp.content == [
        Thinking(text="The user wants the weather; call get_weather.", signature="EqQBCkYIBxgCKkBsig"),
        Text(text="Let me check."),
        ToolUse(id="tooluse_Q1", name="get_weather", input={"city": "Paris"}),
    ]
    assert resp.stop_reason == "tool_use"
    assert resp.provider_options == {
        "bedrock-converse": {"metrics": {"latencyMs": 2210}, "additionalModelResponseFields": {"stop_sequence": None}}
    }


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("end_turn", "end_turn"),
        ("tool_use", "tool_use"),
        ("max_tokens", "max_tokens"),
        ("stop_sequence", "stop_sequence"),
        ("guardrail_intervened", "content_filter"),
        ("content_filtered", "content_filter"),
        ("malformed_model_output", "error"),
        ("malformed_tool_use", "error"),
        ("model_context_window_exceeded", "context_window_exceeded"),
        ("something_new", "other"),
    ],
)
def test_stop_reasons(raw: str, normalized: str) -> None:
    body = {
        "output": {"message": {"role": "assistant", "content": []}},
        "stopReason": raw,
        "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
    }
    resp = C.decode_response(body)
    assert (resp.stop_reason, resp.raw_stop_reason) == (normalized, raw)


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
def test_stream_equals_whole_response(path: Path) -> None:
    spec = _load(path)
    dec = C.stream_decoder()
    for name, data in spec["events"]:
        dec.feed(data, name)
    streamed = dec.finish()
    assert streamed == C.decode_response(spec["response"])
    assert streamed.usage == msgspec.convert(spec["usage"], Usage)


def test_stream_events_and_text_form() -> None:
    dec = C.stream_decoder()
    assert dec.feed(b'{"contentBlockDelta": {"delta": {"text": "Hi"}, "contentBlockIndex": 0}}') == [
        TextDelta(index=0, text="Hi")
    ]
    start = {"start": {"toolUse": {"toolUseId": "t1", "name": "f"}}, "contentBlockIndex": 1}
    assert dec.feed(start, "contentBlockStart") == [ToolCallStart(index=1, id="t1", name="f")]
    delta = {"delta": {"toolUse": {"input": "{}"}}, "contentBlockIndex": 1}
    assert dec.feed(delta, "contentBlockDelta") == [ToolCallDelta(index=1, arguments="{}")]


def test_stream_errors() -> None:
    dec = C.stream_decoder()
    with pytest.raises(IRCodecError, match="throttlingException"):
        dec.feed({"throttlingException": {"message": "slow down"}})
    with pytest.raises(DecodeError) as info:
        dec.feed({"contentBlockDelta": {"delta": {"text": "x"}}})
    assert info.value.path == "$.contentBlockDelta.contentBlockIndex"
    with pytest.raises(DecodeError):
        dec.feed({"bogus": {}})


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"output": {"message": {"role": "assistant", "content": []}}, "stopReason": "end_turn"}, "$"),
        (
            {
                "output": {"message": {"role": "assistant", "content": []}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": -1, "outputTokens": 1, "totalTokens": 0},
            },
            "$.usage.inputTokens",
        ),
        (
            {
                "output": {"message": {"role": "assistant", "content": [{"text": 1}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
            },
            "$.output.message.content[0].text",
        ),
        (
            {
                "output": {"message": {"role": "assistant", "content": []}},
                "stopReason": "end_turn",
                "usage": {
                    "inputTokens": 1,
                    "outputTokens": 1,
                    "totalTokens": 12,
                    "cacheWriteInputTokens": 10,
                    "cacheDetails": [{"ttl": "5m", "inputTokens": 3}],
                },
            },
            "$.usage.cacheDetails",
        ),
    ],
)
def test_response_decode_errors(body: dict[str, Any], path: str) -> None:
    with pytest.raises(DecodeError) as info:
        C.decode_response(body)
    assert info.value.path == path


# ---------------------------------------------------------------------------------------------
# Property: usage numbers written in Bedrock's raw TokenUsage shape decode to the same buckets.


def _raw_usage(u: Usage, with_details: bool) -> dict[str, Any]:
    """Bedrock TokenUsage for ``u`` (test-local encoder; totals include the cache buckets)."""
    raw: dict[str, Any] = {
        "inputTokens": u.uncached_input_tokens,
        "outputTokens": u.output_tokens,
        "totalTokens": u.total_tokens,
        "cacheReadInputTokens": u.cache_read_tokens,
        "cacheWriteInputTokens": u.cache_write_tokens,
    }
    if with_details:
        details = []
        if u.cache_write_1h_tokens:  # sorted 1h before 5m, empty when nothing was written
            details.append({"ttl": "1h", "inputTokens": u.cache_write_1h_tokens})
        if u.cache_write_5m_tokens:
            details.append({"ttl": "5m", "inputTokens": u.cache_write_5m_tokens})
        raw["cacheDetails"] = details
    return raw


N = st.integers(0, 5_000_000)


@given(N, N, N, N, N, st.booleans())
def test_usage_round_trips_through_the_raw_shape(
    uncached: int, read: int, w5: int, w1: int, out: int, with_details: bool
) -> None:
    u = Usage(
        uncached_input_tokens=uncached,
        cache_read_tokens=read,
        cache_write_tokens=w5 + w1,
        cache_write_5m_tokens=w5 if with_details else None,
        cache_write_1h_tokens=w1 if with_details else None,
        output_tokens=out,
    )
    body: dict[str, Any] = {
        "output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
        "stopReason": "end_turn",
        "usage": _raw_usage(u, with_details),
        "metrics": {"latencyMs": 1},
    }
    got = C.decode_response(body).usage
    assert got == u
    assert got.total_tokens == body["usage"]["totalTokens"]
    # the stream's metadata event carries the same TokenUsage
    dec = C.stream_decoder()
    dec.feed({"metadata": {"usage": body["usage"], "metrics": {"latencyMs": 1}}})
    assert dec.finish().usage == u


def test_stream_blocks_without_ir_events_are_kept_raw() -> None:
    dec = C.stream_decoder()
    citation: dict[str, Any] = {
        "delta": {"citation": {"title": "doc", "location": {"documentChar": {"start": 0, "end": 4}}}},
        "contentBlockIndex": 0,
    }
    assert dec.feed({"contentBlockDelta": citation}) == []
    dec.feed({"contentBlockDelta": {"delta": {"text": "Paris"}, "contentBlockIndex": 0}})
    resp = dec.finish()
    assert resp.content == [Text(text="Paris")]
    assert resp.provider_options == {"bedrock-converse": {"unassembledEvents": [{"contentBlockDelta": citation}]}}
