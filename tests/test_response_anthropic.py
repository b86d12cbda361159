"""Anthropic replies and streams (shared by anthropic, anthropic-bedrock, anthropic-vertex): what
the fixtures ``tests/responses/anthropic/`` decode to, stop reasons and decode errors.

The fixture usage, stream-equals-whole (fixtures and random replies in random chunks) and usage
round-trip checks run in the shared suite for all three codecs (tests/test_conformance.py, cases
in tests/conformance/anthropic.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from ir_codec import get_codec
from ir_codec.conformance import load_fixture
from ir_codec.errors import DecodeError
from ir_codec.ir import ProviderPart, RedactedThinking, Text, Thinking, ToolUse

ROOT = Path(__file__).resolve().parent / "responses" / "anthropic"


def test_fixture_content() -> None:
    codec = get_codec("anthropic")
    r = codec.decode_response(load_fixture(ROOT / "thinking_tool_use.json")["response"])
    assert [type(p) for p in r.content] == [Thinking, RedactedThinking, ToolUse]
    assert r.stop_reason == "tool_use"
    assert isinstance(r.content[0], Thinking) and r.content[0].signature
    r = codec.decode_response(load_fixture(ROOT / "server_tool_refusal.json")["response"])
    assert [type(p) for p in r.content] == [ProviderPart, ProviderPart, Text]
    assert r.stop_reason == "refusal"
    assert r.provider_options["anthropic"]["stop_details"]["category"] == "cyber"
    assert "citations" in r.content[2].provider_options["anthropic"]  # type: ignore[union-attr]
    r = codec.decode_response(load_fixture(ROOT / "cache_write_mixed_ttl.json")["response"])
    assert r.stop_reason == "max_tokens"
    r = codec.decode_response(
        {**load_fixture(ROOT / "no_cache.json")["response"], "stop_reason": "model_context_window_exceeded"}
    )
    assert (r.stop_reason, r.raw_stop_reason) == ("context_window_exceeded", "model_context_window_exceeded")
    r = codec.decode_response({**load_fixture(ROOT / "no_cache.json")["response"], "stop_reason": "something_new"})
    assert (r.stop_reason, r.raw_stop_reason) == ("other", "something_new")


BAD_RESPONSES = [
    ({"content": [], "usage": {"input_tokens": "1", "output_tokens": 1}}, "$.usage.input_tokens"),
    ({"content": [{"type": "text"}], "usage": {}}, "$.content[0]"),
    ({"content": [{"type": 1}], "usage": {}}, "$.content[0].type"),
    ({"content": {}, "usage": {}}, "$.content"),
    (
        {"content": [], "usage": {"cache_creation": {"ephemeral_1h_input_tokens": "x"}}},
        "$.usage.cache_creation.ephemeral_1h_input_tokens",
    ),
    ({"content": []}, "$"),
]


@pytest.mark.parametrize(("payload", "path"), BAD_RESPONSES)
def test_bad_responses_name_the_json_path(payload: dict[str, Any], path: str) -> None:
    with pytest.raises(DecodeError) as exc:
        get_codec("anthropic").decode_response(payload)
    assert exc.value.path == path


def test_bad_stream_event() -> None:
    dec = get_codec("anthropic").stream_decoder()
    with pytest.raises(DecodeError):
        dec.feed({"type": "content_block_delta", "index": "0", "delta": {"type": "text_delta", "text": "x"}})
    with pytest.raises(DecodeError):
        dec.feed({"type": "content_block_delta", "index": 0, "delta": {"type": "mystery"}})


_USAGE = {
    "input_tokens": 12,
    "output_tokens": 10,
    "server_tool_use": {"web_search_requests": 2, "web_fetch_requests": 0},
    "service_tier": "standard",
}


def test_usage_fields_beyond_the_ir_come_back() -> None:
    """The usage fields the IR does not count (SDK ``usage.py``: ``server_tool_use``, billed per
    web search; ``service_tier``) are kept raw and written back, whole and streamed."""
    body = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": "hi"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": _USAGE,
    }
    codec = get_codec("anthropic")
    r = codec.decode_response(body)
    assert r.provider_options == {"anthropic": {"usage": {k: _USAGE[k] for k in ("server_tool_use", "service_tier")}}}
    e = codec.encode_response(r)
    assert (e.body["usage"], e.warnings) == (_USAGE, [])
    s = codec.encode_stream(r)
    assert s.events[-2][1]["usage"] == _USAGE  # message_delta: the final usage
    dec = codec.stream_decoder()
    for name, data in s.events:
        dec.feed(data, name)
    assert dec.finish() == r


def test_a_usage_option_the_ir_writes_is_reported() -> None:
    r = get_codec("anthropic").decode_response(
        {
            "id": "m",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [],
            "stop_reason": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    r = msgspec.structs.replace(r, provider_options={"anthropic": {"usage": {"output_tokens": 5, "speed": None}}})
    e = get_codec("anthropic").encode_response(r)
    assert e.body["usage"] == {"input_tokens": 1, "output_tokens": 1}
    assert [w.path for w in e.warnings] == [
        "provider_options.anthropic.usage.output_tokens",
        "provider_options.anthropic.usage.speed",
    ]
