"""openrouter replies (the Chat shape plus reasoning details and cost): what the fixtures
``tests/responses/openrouter/`` decode to.

The fixture usage, stream-equals-whole and usage round-trip checks run in the shared suite
(tests/test_conformance.py, case in tests/conformance/openrouter.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ir_codec import DecodeError, get_codec
from ir_codec.conformance import load_fixture
from ir_codec.ir import RedactedThinking, Text, Thinking

from .conformance.openai_chat import completion

HERE = Path(__file__).resolve().parent / "responses"
NAME = "openrouter"


def test_reasoning_details_become_thinking_with_signatures() -> None:
    r = get_codec(NAME).decode_response(load_fixture(HERE / NAME / "reasoning_details.json")["response"])
    # a signed detail's format names its signature family: the part's origin, as a request reads it
    assert r.content == [
        Thinking(text="Think about it.", signature="c2lnbmF0dXJl", origin="anthropic"),
        RedactedThinking(data="ZW5jcnlwdGVk", origin="anthropic"),
        Text(text="42."),
    ]
    assert r.stop_reason == "max_tokens"
    plain = completion(
        "m",
        {"role": "assistant", "content": "a", "reasoning": "because"},
        "error",
        {"prompt_tokens": 3, "completion_tokens": 2},
    )
    r = get_codec(NAME).decode_response(plain)
    assert r.content == [Thinking(text="because"), Text(text="a")]
    assert (r.stop_reason, r.raw_stop_reason) == ("error", "error")


def test_a_reasoning_detail_of_the_wrong_type_is_refused_with_its_path() -> None:
    msg = {
        "role": "assistant",
        "content": "a",
        "reasoning_details": [{"type": "reasoning.text", "text": "t", "signature": 5}],
    }
    reply = completion("m", msg, "stop", {"prompt_tokens": 3, "completion_tokens": 2})
    with pytest.raises(DecodeError) as info:
        get_codec(NAME).decode_response(reply)
    assert (info.value.path, info.value.expected) == (
        "$.choices[0].message.reasoning_details[0].signature",
        "a string or null",
    )


SERVER_CALL = {
    # reasoningdetailservertoolcall.py (openrouter SDK 1.3.84): in ReasoningDetailUnion beside text,
    # summary and encrypted, so a reply or a chunk may hold one
    "type": "reasoning.server_tool_call",
    "tool_name": "web_search",
    "arguments": '{"query":"5"}',
    "result": "[]",
    "format": "openai-responses-v1",
    "index": 1,
}


def test_a_server_tool_call_detail_is_kept_whole_in_the_reply_and_the_stream() -> None:
    from ir_codec import encode_response
    from ir_codec.errors import LossKind
    from ir_codec.ir import ProviderPart

    summary = {"type": "reasoning.summary", "summary": "Adding.", "format": "openai-responses-v1", "index": 0}
    msg = {"role": "assistant", "content": "5", "reasoning_details": [summary, SERVER_CALL]}
    reply = completion("m", msg, "stop", {"prompt_tokens": 3, "completion_tokens": 2})
    r = get_codec(NAME).decode_response(reply)
    kept = ProviderPart(codec=NAME, data={"reasoning_detail": SERVER_CALL})
    assert r.content[1:] == [kept, Text(text="5")]
    # the stream that says the same (each detail in a chunk of its own) gives the same reply
    chunk = {"id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    deltas = [{"reasoning_details": [summary]}, {"reasoning_details": [SERVER_CALL]}, {"content": "5"}]
    dec = get_codec(NAME).stream_decoder()
    for k, delta in enumerate(deltas):
        finish = "stop" if k == len(deltas) - 1 else None
        dec.feed({**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    assert dec.finish().content == r.content
    # a Chat reply has no place for it that reads back the same: reported where it was
    e = encode_response(r, NAME, on_lossy="ignore")
    assert [(w.path, w.kind) for w in e.warnings] == [("content[1]", LossKind.DROPPED)]
