"""openai-chat replies and streams: what the fixtures ``tests/responses/openai-chat/`` decode to,
stop reasons and decode errors.

The fixture usage (``prompt_tokens`` includes cache reads and writes), stream-equals-whole
(fixtures and random replies in random chunks) and usage round-trip checks run in the shared
suite (tests/test_conformance.py, case in tests/conformance/openai_chat.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ir_codec import decode_stream, get_codec, transpile_stream
from ir_codec.conformance import load_fixture
from ir_codec.errors import DecodeError
from ir_codec.invariant import check_reply_wire, check_response
from ir_codec.ir import ProviderPart, Refusal, Text, ToolUse

from .conformance.openai_chat import completion

HERE = Path(__file__).resolve().parent / "responses"
NAME = "openai-chat"


def test_fixture_content() -> None:
    c = get_codec(NAME)
    r = c.decode_response(load_fixture(HERE / NAME / "tool_calls.json")["response"])
    assert [type(p) for p in r.content] == [ToolUse, ToolUse]
    assert r.stop_reason == "tool_use"
    first = r.content[0]
    assert isinstance(first, ToolUse) and first.input == {"city": "Paris"}
    assert first.provider_options == {NAME: {"arguments": '{"city": "Paris"}'}}  # the exact text, for the next turn
    r = c.decode_response(load_fixture(HERE / NAME / "refusal.json")["response"])
    assert r.content == [Refusal(text="I can't help with that.")]
    assert (r.stop_reason, r.raw_stop_reason) == ("refusal", "stop")
    r = c.decode_response(load_fixture(HERE / NAME / "cache_read.json")["response"])
    assert r.content == [Text(text="Here is the summary.")] and r.stop_reason == "end_turn"


@pytest.mark.parametrize(
    ("finish", "reason"),
    [
        ("stop", "end_turn"),
        ("length", "max_tokens"),
        ("tool_calls", "tool_use"),
        ("function_call", "tool_use"),
        ("content_filter", "content_filter"),
        ("new_reason", "other"),
    ],
)
def test_stop_reasons(finish: str, reason: str) -> None:
    r = get_codec(NAME).decode_response(
        completion("m", {"role": "assistant", "content": "x"}, finish, {"prompt_tokens": 1, "completion_tokens": 1})
    )
    assert (r.stop_reason, r.raw_stop_reason) == (reason, finish)


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"choices": []}, "$.choices"),
        (
            {"choices": [{"message": {"content": "x"}}], "usage": {"prompt_tokens": "many", "completion_tokens": 1}},
            "$.usage.prompt_tokens",
        ),
        # Counters overlapping beyond prompt_tokens decode by the overlap rule, and a counter
        # left out is None (tests/test_reply_fidelity.py), no longer a DecodeError.
        ({"choices": [{"message": {"content": ["x"]}}]}, "$.choices[0].message.content"),
        (
            {"choices": [{"message": {"tool_calls": [{"id": "a", "type": "function", "function": {}}]}}]},
            "$.choices[0].message.tool_calls[0].function",
        ),
    ],
)
def test_bad_replies_are_decode_errors(payload: dict[str, Any], path: str) -> None:
    with pytest.raises(DecodeError) as info:
        get_codec(NAME).decode_response(payload)
    assert info.value.path == path


@pytest.mark.parametrize("custom_first", [False, True])
def test_a_custom_tool_call_in_a_reply_is_kept_raw_in_its_place(custom_first: bool) -> None:
    # GPT-5 custom tools: ChatCompletionMessage.tool_calls holds function and custom calls
    # (chat_completion_message_custom_tool_call.py); the reply used to be refused ("type": "custom")
    c = get_codec(NAME)
    custom = {"id": "call_1", "type": "custom", "custom": {"name": "apply_patch", "input": "*** Begin Patch"}}
    function = {"id": "call_0", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    calls = [custom, function] if custom_first else [function, custom]
    message = {"role": "assistant", "content": "Patching.", "refusal": None, "tool_calls": calls}
    reply = completion("gpt-5", message, "tool_calls", {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8})
    r = c.decode_response(reply)
    use = ToolUse(id="call_0", name="f", input={"a": 1}, provider_options={NAME: {"arguments": '{"a": 1}'}})
    raw = ProviderPart(codec=NAME, data={"tool_call": custom})
    assert r.content == [Text(text="Patching."), *([raw, use] if custom_first else [use, raw])]
    assert r.stop_reason == "tool_use"
    e = check_response(c, r)  # and the stream, which cannot write the custom call (reported)
    assert e.body["choices"][0]["message"]["tool_calls"] == calls
    assert e.warnings == []
    assert [(w.path, w.kind) for w in c.encode_stream(r).warnings] == [
        (f"content[{1 if custom_first else 2}]", "dropped")
    ]
    assert check_reply_wire(c, reply)["choices"][0]["message"] == message
    other = get_codec("anthropic").encode_response(r)
    at_raw, at_use = (1, 2) if custom_first else (2, 1)
    assert sorted(w.path for w in other.warnings) == sorted(
        [f"content[{at_raw}]", f"content[{at_use}].provider_options.openai-chat"]  # the arguments text
    )
    assert [b["type"] for b in other.body["content"]] == ["text", "tool_use"]


def test_a_chunks_obfuscation_is_no_reply_field() -> None:
    # chat_completion_chunk.py: every chunk carries `obfuscation`, padding of a random length,
    # unless stream_options.include_obfuscation is false; it was kept as a reply field (written
    # into a ChatCompletion, and reported "changed" by every chat -> chat stream)
    def chunk(delta: dict[str, Any], pad: str, finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-5",
            "choices": [choice],
            "obfuscation": pad,
        }

    chunks = [
        chunk({"role": "assistant", "content": ""}, "a"),
        chunk({"content": "Hi"}, "bcd"),
        chunk({}, "ef", "stop"),
    ]
    r = decode_stream(chunks, NAME)
    assert r.content == [Text(text="Hi")]
    assert r.provider_options == {NAME: {"created": 1}}
    s = transpile_stream(chunks, NAME, NAME)
    assert s.warnings == []
    assert all("obfuscation" not in data for _, data in s.events)


def test_a_stream_that_opens_with_an_empty_id_and_model_takes_the_next_ones() -> None:
    # Azure OpenAI opens a stream with a chunk of empty id, model and choices that carries its
    # prompt_filter_results; the reply's id and model were read as "" from it
    filters = [{"prompt_index": 0, "content_filter_results": {"hate": {"filtered": False, "severity": "safe"}}}]
    opening = {"choices": [], "created": 0, "id": "", "model": "", "object": "", "prompt_filter_results": filters}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "content_filter_results": {}}
        return {
            "id": "chatcmpl-9",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-4o",
            "choices": [choice],
        }

    chunks = [opening, chunk({"role": "assistant", "content": ""}), chunk({"content": "Hi"}), chunk({}, "stop")]
    r = decode_stream(chunks, NAME)
    assert (r.id, r.model, r.content) == ("chatcmpl-9", "gpt-4o", [Text(text="Hi")])
    assert r.provider_options[NAME]["prompt_filter_results"] == filters
    first = transpile_stream(chunks, NAME, "anthropic", on_lossy="ignore").events[0][1]
    assert (first["message"]["id"], first["message"]["model"]) == ("chatcmpl-9", "gpt-4o")
