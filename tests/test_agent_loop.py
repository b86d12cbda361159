"""The agent loop (issue 13, item 4): reply -> next request, on every codec and across codecs.

Each codec runs a three-turn tool loop: encode the request, make the provider's reply with
``encode_response`` (from an IR reply shaped as that provider answers: its own signed reasoning,
a tool call), read it back with ``decode_response``, append it with ``continue_request`` and the
tool result, encode again. Nothing the provider needs is lost on the way: the tool-call ids,
the thinking signatures of its own family, the Responses reasoning item id, Gemini's
``thoughtSignature`` on a function call; and the assistant turns raise no warning. Across
providers, foreign signatures are dropped and reported.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from ir_codec import available_codecs, continue_request, encode, get_codec, next_turn
from ir_codec.ir import Message, Part, Request, Response, Text, Thinking, Tool, ToolResult, ToolUse, Usage

SIG = {"anthropic": "EqQBCgIYAhIMsig", "openai": "gAAAAB_enc_sig", "gemini": "CiQB0e2Kb_sig"}
FAMILY = {
    "anthropic": "anthropic",
    "anthropic-bedrock": "anthropic",
    "anthropic-vertex": "anthropic",
    "bedrock-converse": "anthropic",
    "openai-responses": "openai",
    "gemini": "gemini",
}
"""Codecs whose replies carry signed reasoning, and the family that signs it."""
BUILTIN = frozenset(
    {
        "anthropic",
        "anthropic-bedrock",
        "anthropic-vertex",
        "bedrock-converse",
        "openai-chat",
        "openai-responses",
        "gemini",
        "openrouter",
        "mistral",
        "deepseek",
    }
)
"""The built-in codecs (a test elsewhere may register a toy codec in the same process)."""
TOOL = Tool(name="get_weather", input_schema={"type": "object", "properties": {"city": {"type": "string"}}})


def _call_id(name: str, turn: int) -> str:
    return f"abcDEF12{turn}" if name == "mistral" else f"call_{turn}"  # Mistral: 9 alphanumerics


def _reply(name: str, turn: int) -> Response:
    """The IR of the reply the provider of ``name`` gives at ``turn`` (1, 2: a tool call; 3: text)."""
    usage = Usage(uncached_input_tokens=100, cache_read_tokens=0, cache_write_tokens=0, output_tokens=20)
    if turn == 3:
        return Response(
            id=f"r{turn}", model="m", content=[Text(text="It is 18C.")], stop_reason="end_turn", usage=usage
        )
    parts: list[Part] = []
    family = FAMILY.get(name)
    if family is not None:
        opts = {"openai-responses": {"id": f"rs_{turn}"}} if name == "openai-responses" else {}
        parts.append(
            Thinking(text="Need the weather.", signature=SIG[family] + str(turn), origin=family, provider_options=opts)
        )
    call_opts = {"gemini": {"thoughtSignature": f"fc_sig_{turn}"}} if name == "gemini" else {}
    parts.append(
        ToolUse(id=_call_id(name, turn), name="get_weather", input={"city": "Paris"}, provider_options=call_opts)
    )
    return Response(id=f"r{turn}", model="m", content=parts, stop_reason="tool_use", usage=usage)


def _round_trip(name: str, r: Response) -> Response:
    codec = get_codec(name)
    return codec.decode_response(codec.encode_response(r).body)


def _first_request(name: str) -> Request:
    msg = Message(role="user", content=[Text(text="Weather in Paris?")])
    return Request(model="m", max_tokens=1024, tools=[TOOL], messages=[msg])


@pytest.mark.parametrize("name", [c for c in available_codecs() if c in BUILTIN])
def test_three_turn_tool_loop_keeps_what_the_provider_needs(name: str) -> None:
    req = _first_request(name)
    assert encode(req, name, on_lossy="raise").warnings == []
    for turn in (1, 2, 3):
        reply = _round_trip(name, _reply(name, turn))
        if turn == 3:
            req = continue_request(req, reply, [Text(text="Thanks.")])
        else:
            result = ToolResult(tool_use_id=_call_id(name, turn), content=[Text(text="18C")])
            req = continue_request(req, reply, [result])
        e = encode(req, name, on_lossy="ignore")
        assert [str(w) for w in e.warnings] == [], name  # nothing of the conversation is lost
        wire = msgspec.json.encode(e.body).decode()
        for t in range(1, min(turn, 2) + 1):
            assert _call_id(name, t) in wire
            if name in FAMILY:
                assert SIG[FAMILY[name]] + str(t) in wire  # the signature goes back unchanged
            if name == "openai-responses":
                assert f'"id":"rs_{t}"' in wire  # the reasoning item id OpenAI assigned
            if name == "gemini":
                assert f"fc_sig_{t}" in wire  # the function call's thoughtSignature
    # the loop ends with the final answer as the last assistant turn
    assert req.messages[-2].content == [Text(text="It is 18C.")]


def test_responses_reasoning_keeps_its_item_id_into_the_next_request() -> None:
    body = {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "model": "gpt-5.6",
        "output": [
            {"type": "reasoning", "id": "rs_9", "summary": [], "encrypted_content": "gAAA_9"},
            {"type": "function_call", "call_id": "call_9", "name": "get_weather", "arguments": "{}"},
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
    }
    reply = get_codec("openai-responses").decode_response(body)
    req = continue_request(_first_request("openai-responses"), reply, [ToolResult(tool_use_id="call_9")])
    e = encode(req, "openai-responses", on_lossy="raise")
    assert e.body["input"][1] == {"type": "reasoning", "id": "rs_9", "summary": [], "encrypted_content": "gAAA_9"}


CROSS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "anthropic",
        "gemini",
        [
            ("messages[1].content[0].signature", "dropped"),
            ("messages[1].content[0].origin", "dropped"),
            ("messages[3].content[0].signature", "dropped"),
            ("messages[3].content[0].origin", "dropped"),
        ],
    ),
    (
        "gemini",
        "bedrock-converse",
        [
            ("messages[1].content[0].signature", "dropped"),
            ("messages[1].content[0].origin", "dropped"),
            ("messages[3].content[0].signature", "dropped"),
            ("messages[3].content[0].origin", "dropped"),
            ("messages[1].content[1].provider_options.gemini", "dropped"),  # the call's thoughtSignature
            ("messages[3].content[1].provider_options.gemini", "dropped"),
        ],
    ),
]


@pytest.mark.parametrize(("start", "then", "want"), CROSS, ids=lambda v: v if isinstance(v, str) else "")
def test_loop_started_on_one_provider_continues_on_another(start: str, then: str, want: list[Any]) -> None:
    req = _first_request(start)
    for turn in (1, 2):
        reply = _round_trip(start, _reply(start, turn))
        req = continue_request(req, reply, [ToolResult(tool_use_id=_call_id(start, turn), content=[Text(text="18C")])])
    e = encode(req, then, on_lossy="ignore")
    got = [(w.path, w.kind.value) for w in e.warnings if w.path.startswith("messages")]
    assert got == want
    wire = msgspec.json.encode(e.body).decode()
    assert SIG[FAMILY[start]] not in wire  # a foreign signature is never sent
    assert "call_1" in wire and "call_2" in wire  # the tool-call ids are


def test_next_turn_is_the_reply_content_as_an_assistant_message() -> None:
    r = _reply("anthropic", 1)
    assert next_turn(r) == Message(role="assistant", content=r.content)
    with pytest.raises(TypeError):
        next_turn({"content": []})  # type: ignore[arg-type]
