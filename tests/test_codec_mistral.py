"""The mistral codec: its own rules (random_seed, tool_choice "any", 9-character tool-call ids,
no cache marks, model_length). The invariant properties, documented payloads, replies and the
SDK check run in the shared suite (tests/test_conformance.py, case in tests/conformance/mistral.py)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from ir_codec import decode_stream, get_codec
from ir_codec.codecs.mistral import MistralFlavor
from ir_codec.errors import DecodeError, LossKind
from ir_codec.invariant import check_request, check_response, check_wire
from ir_codec.ir import (
    Audio,
    Base64Source,
    CacheControl,
    Message,
    ProviderPart,
    Request,
    Text,
    Thinking,
    ToolChoice,
    ToolResult,
    ToolUse,
)

from .conformance.openai_chat import completion
from .replies_sdk import REPLY

NAME = "mistral"
CODEC = get_codec(NAME)
Q = Message(role="user", content=[Text(text="q")])
U = {"prompt_tokens": 1, "completion_tokens": 1}


def _loop(call_id: str) -> Request:
    return Request(
        model="mistral-large-latest",
        messages=[
            Q,
            Message(role="assistant", content=[ToolUse(id=call_id, name="f", input={})]),
            Message(role="user", content=[ToolResult(tool_use_id=call_id, content=[Text(text="r")])]),
        ],
    )


@pytest.mark.parametrize(
    ("ir_id", "wire_id", "changed"),
    [
        ("D681PevKs", "D681PevKs", False),  # 9 alphanumerics: sent and read back as itself
        ("abc123XYZ", "abc123XYZ", False),
        ("call_1", "sJtxREGCY", True),  # too short and an underscore: derived
        ("toolu_01A09q90qw90lq917835lq9", "4osVUWJnc", True),
        ("abcdefghij", "AE511TsNe", True),  # ten characters
    ],
)
def test_tool_call_ids_both_ways(ir_id: str, wire_id: str, changed: bool) -> None:
    e = check_request(CODEC, _loop(ir_id))
    assert e.body["messages"][1]["tool_calls"][0]["id"] == wire_id
    assert e.body["messages"][2]["tool_call_id"] == wire_id
    got = [(w.path, w.kind) for w in e.warnings]
    want = [("messages[1].content[0].id", LossKind.CHANGED), ("messages[2].content[0].tool_use_id", LossKind.CHANGED)]
    assert got == (want if changed else [])
    back = CODEC.decode(e.body)  # a wire id reads back as itself
    assert back.messages[1].content[0] == ToolUse(id=wire_id, name="f", input={})
    assert MistralFlavor().tool_call_id_from_wire(wire_id) == wire_id


def test_reply_and_stream_tool_ids_read_as_themselves() -> None:
    call = {"id": "D681PevKs", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    r = CODEC.decode_response(completion("m", {"role": "assistant", "tool_calls": [call]}, "tool_calls", U))
    assert r.content == [ToolUse(id="D681PevKs", name="f", input={})]


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [choice]}


def test_stream_tool_calls_without_index() -> None:
    # mistralai models/toolcall.py: ``index: Optional[int] = 0``; its streams send each call whole
    # in one piece, with no index (they were refused: "required field 'index'"). A piece with a
    # new id starts the next call, a piece without one continues the last.
    f = {"id": "abcdefghi", "function": {"name": "f", "arguments": '{"a": 1}'}}
    g = {"id": "bcdefghij", "function": {"name": "g", "arguments": "{}"}}
    h = {"id": "cdefghijk", "function": {"name": "h", "arguments": '{"b"'}}
    chunks = [
        _chunk({"role": "assistant", "content": ""}),
        _chunk({"tool_calls": [f]}),
        _chunk({"tool_calls": [g, h]}),
        _chunk({"tool_calls": [{"function": {"arguments": ": 2}"}}]}),
        _chunk({"content": ""}, "tool_calls"),
    ]
    r = decode_stream(chunks, CODEC)
    assert [(p.id, p.name, p.input) for p in r.content if isinstance(p, ToolUse)] == [
        ("abcdefghi", "f", {"a": 1}),
        ("bcdefghij", "g", {}),
        ("cdefghijk", "h", {"b": 2}),
    ]
    assert r.stop_reason == "tool_use"
    indexed = [{**c, "index": i} for i, c in enumerate([f, g, h])]
    with_index = [_chunk({"tool_calls": [indexed[0]]}), _chunk({"tool_calls": indexed[1:]})]
    assert decode_stream([*with_index, chunks[3], chunks[4]], CODEC).content == r.content


def test_seed_is_random_seed_and_required_is_any() -> None:
    req = Request(model="m", seed=7, top_k=40, tool_choice=ToolChoice(mode="required"), messages=[Q])
    e = check_request(CODEC, req)
    assert (e.body["random_seed"], e.body["tool_choice"], e.body["top_k"]) == (7, "any", 40)
    assert "seed" not in e.body and e.warnings == []
    named = check_request(CODEC, Request(model="m", tool_choice=ToolChoice(mode="tool"), messages=[Q]))
    assert named.body["tool_choice"] == "any"  # a tool choice without a name: the "required" mode


def test_openai_names_travel_raw() -> None:
    payload = {
        "model": "m",
        "seed": 1,
        "user": "u",
        "tool_choice": "required",
        "messages": [{"role": "user", "content": "q"}],
    }
    ir = CODEC.decode(payload)
    assert (ir.seed, ir.user, ir.tool_choice) == (None, None, None)
    assert ir.provider_options[NAME] == {"seed": 1, "user": "u", "tool_choice": "required"}
    check_wire(CODEC, payload)


def test_safe_prompt_is_an_option() -> None:
    payload = {"model": "m", "safe_prompt": True, "random_seed": 3, "messages": [{"role": "user", "content": "q"}]}
    ir = CODEC.decode(payload)
    assert ir.seed == 3 and ir.provider_options[NAME] == {"safe_prompt": True}
    assert CODEC.encode(ir).body == payload


def test_no_cache_marks_and_no_audio() -> None:
    req = Request(
        model="m",
        cache=CacheControl(),
        user="u",
        messages=[
            Message(
                role="user",
                content=[
                    Text(text="q", cache=CacheControl()),
                    Audio(source=Base64Source(media_type="audio/wav", data="UklGRg==")),
                ],
            )
        ],
    )
    e = check_request(CODEC, req)
    assert e.body["messages"] == [{"role": "user", "content": "q"}]
    assert [(w.path, w.kind) for w in e.warnings] == [
        ("user", LossKind.DROPPED),
        ("messages[0].content[1]", LossKind.DROPPED),
        ("messages[0].content[0].cache", LossKind.DROPPED),
        ("cache", LossKind.DROPPED),
    ]


def test_model_length_is_max_tokens() -> None:
    r = CODEC.decode_response(completion("m", {"role": "assistant", "content": "a"}, "model_length", U))
    assert (r.stop_reason, r.raw_stop_reason) == ("max_tokens", "model_length")


_THOUGHT = {"type": "thinking", "thinking": [{"type": "text", "text": "Let me think."}]}


def test_a_reasoning_reply_lists_its_thinking_and_text_as_chunks() -> None:
    # mistralai AssistantMessage.content: a string or a list of ContentChunk; a reasoning model
    # (Magistral) answers with a ThinkChunk before the text (the reply was refused: "expected a
    # string or null, found list")
    signed = {**_THOUGHT, "signature": "c2ln"}  # a chunk with more than one text: kept whole
    message = {"role": "assistant", "content": [_THOUGHT, {"type": "text", "text": "42"}, signed], "prefix": False}
    reply = completion("magistral-medium-latest", message, "stop", U)
    r = CODEC.decode_response(reply)
    assert r.content == [
        Thinking(text="Let me think."),
        Text(text="42"),
        ProviderPart(codec=NAME, data={"content_chunk": signed}),
    ]
    e = check_response(CODEC, r)  # the stream writes the text alone: the rest reported
    assert e.body["choices"][0]["message"]["content"] == message["content"]
    assert e.warnings == []
    assert REPLY["mistral"](e.body)["choices"][0]["message"]["content"][0]["type"] == "thinking"  # the SDK reads it
    assert [(w.path, w.kind) for w in CODEC.encode_stream(r).warnings] == [
        ("content[0]", "dropped"),
        ("content[2]", "dropped"),
    ]
    # elsewhere the thought travels as thinking, and a plain reply is still one string
    assert (
        get_codec("deepseek").encode_response(r).body["choices"][0]["message"]["reasoning_content"] == "Let me think."
    )
    plain = CODEC.encode_response(msgspec.structs.replace(r, content=[Text(text="a"), Text(text="b")]))
    assert plain.body["choices"][0]["message"]["content"] == "ab"


def test_a_stream_reads_thinking_chunks() -> None:
    text = {"type": "text", "text": "4"}
    chunks = [
        _chunk({"role": "assistant", "content": [_THOUGHT]}),
        _chunk({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": " More."}]}]}),
        _chunk({"content": [text]}),
        _chunk({"content": "2"}, "stop"),
    ]
    r = decode_stream(chunks, CODEC)
    assert r.content == [Thinking(text="Let me think. More."), Text(text="42")]
    with pytest.raises(DecodeError):  # OpenAI's content is a string: a list is no reply of its
        get_codec("openai-chat").decode_response(completion("m", {"role": "assistant", "content": [text]}, "stop", U))
