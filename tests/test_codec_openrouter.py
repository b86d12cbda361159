"""The openrouter codec: its own rules (cache_control, top_k, routing fields, ...). The invariant
properties, documented payloads, replies and the SDK check run in the shared suite
(tests/test_conformance.py, case in tests/conformance/openrouter.py)."""

from __future__ import annotations

from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.errors import LossKind
from ir_codec.invariant import check_request, check_wire
from ir_codec.ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Image,
    Message,
    Request,
    SystemBlock,
    Text,
    Tool,
    UrlSource,
)

NAME = "openrouter"
CODEC = get_codec(NAME)
EPH = {"type": "ephemeral"}
EPH_1H = {"type": "ephemeral", "ttl": "1h"}


U = Message(role="user", content=[Text(text="q", cache=CacheControl())])


CASES = [
    (  # automatic caching = top-level cache_control; it takes one of the 4 slots
        Request(
            model="anthropic/claude-opus-5",
            cache=CacheControl(ttl=CacheTtl.ONE_HOUR),
            system=[SystemBlock(text="s", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))],
            messages=[Message(role="user", content=[Text(text="a")])],
        ),
        {"cache_control": EPH_1H},
        [],
    ),
    (  # tools take a mark beside type/function
        Request(tools=[Tool(name="f", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))], messages=[U]),
        {
            "tools": [
                {
                    "type": "function",
                    "function": {"name": "f", "parameters": {"type": "object"}},
                    "cache_control": EPH_1H,
                }
            ]
        },
        [],
    ),
    (  # OpenAI tiers map to Anthropic's
        Request(system=[SystemBlock(text="s", cache=CacheControl(ttl=CacheTtl.TWELVE_HOURS))], messages=[U]),
        {
            "messages": [
                {"role": "system", "content": [{"type": "text", "text": "s", "cache_control": EPH_1H}]},
                {"role": "user", "content": [{"type": "text", "text": "q", "cache_control": EPH}]},
            ]
        },
        ["system[0].cache"],
    ),
    (  # a 5m mark before a 1h mark: the later one is shortened
        Request(
            system=[SystemBlock(text="s", cache=CacheControl())],
            messages=[Message(role="user", content=[Text(text="q", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))])],
        ),
        {
            "messages": [
                {"role": "system", "content": [{"type": "text", "text": "s", "cache_control": EPH}]},
                {"role": "user", "content": [{"type": "text", "text": "q", "cache_control": EPH}]},
            ]
        },
        ["messages[0].content[0].cache"],
    ),
    (  # images take a mark on OpenRouter (PROVIDERS.md §13: seen accepted); audio does not
        Request(
            messages=[
                Message(
                    role="user",
                    content=[
                        Text(text="look"),
                        Image(source=UrlSource(url="https://i/x.png"), cache=CacheControl()),
                        Audio(source=Base64Source(media_type="audio/wav", data="AAAA"), cache=CacheControl()),
                    ],
                )
            ]
        ),
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "look"},
                        {"type": "image_url", "image_url": {"url": "https://i/x.png"}, "cache_control": EPH},
                        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
                    ],
                }
            ]
        },
        ["messages[0].content[2].cache"],
    ),
    (  # five marks: the first and the last three stay
        Request(system=[SystemBlock(text=str(i), cache=CacheControl()) for i in range(5)], messages=[]),
        {
            "messages": [
                {
                    "role": "system",
                    "content": [
                        {"type": "text", "text": "0", "cache_control": EPH},
                        {"type": "text", "text": "1"},
                        {"type": "text", "text": "2", "cache_control": EPH},
                        {"type": "text", "text": "3", "cache_control": EPH},
                        {"type": "text", "text": "4", "cache_control": EPH},
                    ],
                }
            ]
        },
        ["system[1].cache"],
    ),
    (  # top_k is an OpenRouter field
        Request(top_k=40, messages=[Message(role="user", content=[Text(text="q")])]),
        {"top_k": 40},
        [],
    ),
]


@pytest.mark.parametrize(("req", "subset", "paths"), CASES)
def test_openrouter_rules(req: Request, subset: dict[str, Any], paths: list[str]) -> None:
    e = check_request(CODEC, req)
    for key, value in subset.items():
        assert e.body[key] == value
    assert [w.path for w in e.warnings] == paths


def test_routing_fields_and_openai_markers_travel_raw() -> None:
    payload = {
        "model": "openai/gpt-5.6",
        "models": ["openai/gpt-5.6", "anthropic/claude-opus-5"],
        "provider": {"sort": "price"},
        "usage": {"include": True},
        "session_id": "s-1",
        "prompt_cache_options": {"mode": "explicit", "ttl": "12h"},
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "doc", "prompt_cache_breakpoint": {"mode": "explicit", "ttl": "12h"}}
                ],
            }
        ],
    }
    ir = CODEC.decode(payload)
    assert set(ir.provider_options[NAME]) == {"models", "provider", "usage", "session_id", "prompt_cache_options"}
    part = ir.messages[0].content[0]
    assert isinstance(part, Text) and part.cache is None
    assert part.provider_options[NAME] == {"prompt_cache_breakpoint": {"mode": "explicit", "ttl": "12h"}}
    check_wire(CODEC, payload)


def test_transpile_to_openai_chat_reports_marks_it_cannot_keep() -> None:
    ir = CODEC.decode(
        {
            "model": "m",
            "cache_control": {"type": "ephemeral", "ttl": "1h"},
            "tools": [
                {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}, "cache_control": EPH}
            ],
            "messages": [{"role": "user", "content": "hi"}],
        }
    )
    e = get_codec("openai-chat").encode(ir)
    assert e.body["prompt_cache_options"] == {"mode": "implicit", "ttl": "30m"}
    assert [w.path for w in e.warnings] == ["tools[0].cache", "cache"]


def test_automatic_cache_with_nothing_to_cache_travels_raw() -> None:
    payload = {"model": "m", "cache_control": {"type": "ephemeral", "ttl": "5m"}, "messages": []}
    ir = CODEC.decode(payload)
    assert ir.cache is None and ir.provider_options[NAME]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}
    check_wire(CODEC, payload)


def test_tool_messages_carry_images_on_openrouter() -> None:
    from ir_codec.ir import Base64Source, Document, ToolResult, ToolUse

    result = ToolResult(
        tool_use_id="c1",
        content=[
            Text(text="chart:"),
            Image(source=UrlSource(url="https://example.com/chart.png")),
            Document(source=Base64Source(media_type="application/pdf", data="JVBERi0="), name="r.pdf"),
        ],
    )
    req = Request(
        model="m",  # openai-chat requires one
        messages=[
            Message(role="assistant", content=[ToolUse(id="c1", name="f", input={})]),
            Message(role="user", content=[result]),
        ],
    )
    e = check_request(CODEC, req)
    assert e.warnings == []
    assert [p["type"] for p in e.body["messages"][1]["content"]] == ["text", "image_url", "file"]
    openai = check_request(get_codec("openai-chat"), req)
    assert [(w.path, w.kind) for w in openai.warnings] == [  # each dropped part at its own path
        ("messages[1].content[0].content[1]", LossKind.DROPPED),
        ("messages[1].content[0].content[2]", LossKind.DROPPED),
    ]


def test_automatic_mark_shortened_beside_a_longer_last_block_is_dropped() -> None:
    from ir_codec.ir import ToolResult, ToolUse

    req = Request(
        cache=CacheControl(ttl=CacheTtl.ONE_HOUR),
        messages=[
            Message(role="user", content=[Text(text="a")]),
            Message(role="assistant", content=[ToolUse(id="c", name="f", input={})]),
            Message(
                role="user",
                content=[
                    ToolResult(
                        tool_use_id="c",
                        content=[Text(text="r", cache=CacheControl())],
                        cache=CacheControl(ttl=CacheTtl.ONE_HOUR),
                    )
                ],
            ),
        ],
    )
    e = check_request(CODEC, req)
    assert "cache_control" not in e.body
    assert [w.path for w in e.warnings][-1] == "cache"


# -- reasoning in an assistant turn (ChatFlavor.REQUEST_REASONING) ------------------------------
# openrouter SDK 1.3.84 components/chatassistantmessage.py (reasoning_details), reasoningdetail*.py,
# reasoningformat.py; OR-DOC reasoning tokens, "Preserving reasoning blocks": the assistant turn
# of a tool call goes back with its reasoning_details unchanged.

SIGNED: dict[str, Any] = {
    "type": "reasoning.text",
    "text": "I should call get_weather.",
    "signature": "EqoBCkgIARAB",
    "format": "anthropic-claude-v1",
    "index": 0,
}
ENCRYPTED: dict[str, Any] = {
    "type": "reasoning.encrypted",
    "data": "EmwKAhgB",
    "format": "anthropic-claude-v1",
    "index": 1,
}
CALL = {"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Boston"}'}}


def _turns(assistant: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": "anthropic/claude-sonnet-4.5",
        "messages": [
            {"role": "user", "content": "Weather in Boston?"},
            assistant,
            {"role": "tool", "tool_call_id": "toolu_1", "content": "22C"},
        ],
    }


def test_reasoning_details_read_as_signed_thinking_and_written_back_unchanged() -> None:
    from ir_codec.ir import RedactedThinking, Thinking, ToolUse

    body = _turns(
        {
            "role": "assistant",
            "reasoning": SIGNED["text"],
            "reasoning_details": [SIGNED, ENCRYPTED],
            "tool_calls": [CALL],
        }
    )
    req = CODEC.decode(body)
    assert req.messages[1].content == [
        Thinking(
            text="I should call get_weather.",
            signature="EqoBCkgIARAB",
            origin="anthropic",
            provider_options={NAME: {"index": 0}},
        ),
        RedactedThinking(data="EmwKAhgB", origin="anthropic", provider_options={NAME: {"index": 1}}),
        ToolUse(id="toolu_1", name="get_weather", input={"city": "Boston"}),
    ]
    # the reasoning text beside the details stays raw on the message
    assert req.messages[1].provider_options == {NAME: {"reasoning": SIGNED["text"]}}
    e = CODEC.encode(req)
    assert e.body == body and e.warnings == []
    assert CODEC.decode(e.to_json()) == req


def test_anthropic_thinking_and_tool_use_reach_openrouter_with_their_signatures() -> None:
    from openrouter import components as c

    from ir_codec import transpile

    anthropic = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "messages": [
            {"role": "user", "content": "Weather in Boston?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "I should call get_weather.", "signature": "EqoBCkgIARAB"},
                    {"type": "redacted_thinking", "data": "EmwKAhgB"},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Boston"}},
                ],
            },
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "22C"}]},
        ],
    }
    e = transpile(anthropic, "anthropic", NAME)
    assert e.warnings == []
    assistant = e.body["messages"][1]
    assert assistant == {
        "role": "assistant",
        "tool_calls": [CALL],
        "reasoning_details": [
            {k: v for k, v in SIGNED.items() if k != "index"},
            {k: v for k, v in ENCRYPTED.items() if k != "index"},
        ],
    }
    parsed = c.ChatAssistantMessage.model_validate(assistant)
    assert [getattr(d, "format_", None) for d in parsed.reasoning_details or []] == ["anthropic-claude-v1"] * 2
    back = transpile(e.body, NAME, "anthropic", write_options={"default_max_tokens": 1024})
    assert back.body["messages"] == transpile(anthropic, "anthropic", "anthropic").body["messages"]
    assert back.warnings == []


def test_a_signature_of_another_family_is_not_sent_to_anthropic() -> None:
    from ir_codec import transpile

    gemini = {**SIGNED, "format": "google-gemini-v1"}
    body = _turns({"role": "assistant", "reasoning_details": [gemini], "tool_calls": [CALL]})
    assert CODEC.decode(body).messages[1].content[0].origin == "gemini"  # type: ignore[union-attr]
    e = transpile(body, NAME, "anthropic", write_options={"default_max_tokens": 8}, on_lossy="ignore")
    assert [b["type"] for b in e.body["messages"][1]["content"]] == ["tool_use"]
    assert ("messages[1].content[0].signature", LossKind.DROPPED) in [(w.path, w.kind) for w in e.warnings]


@pytest.mark.parametrize(
    "detail",
    [
        {"type": "reasoning.server_tool_call", "tool_name": "web_search", "arguments": "{}", "result": "[]"},
        {"type": "reasoning.text", "text": None, "signature": "s"},  # no text: no Thinking
        {"type": "reasoning.encrypted", "format": "anthropic-claude-v1"},  # no data
        {"type": "reasoning.future", "text": "t"},
    ],
)
def test_a_detail_that_is_no_reasoning_part_travels_as_it_is(detail: dict[str, Any]) -> None:
    from ir_codec.ir import ProviderPart

    body = _turns({"role": "assistant", "reasoning_details": [SIGNED, detail], "tool_calls": [CALL]})
    req = CODEC.decode(body)
    assert req.messages[1].content[1] == ProviderPart(codec=NAME, data={"reasoning_detail": detail})
    e = CODEC.encode(req)
    assert e.body == body and e.warnings == []


@pytest.mark.parametrize(
    ("detail", "options"),
    [
        # a summary keeps its type; an unsigned item keeps its format (no signature: no origin)
        (
            {"type": "reasoning.summary", "summary": "s", "id": "rs_1", "format": "openai-responses-v1", "index": 0},
            {"type": "reasoning.summary", "id": "rs_1", "format": "openai-responses-v1", "index": 0},
        ),
        # a null signature, an unknown format and fields of the future stay raw
        (
            {"type": "reasoning.text", "text": "t", "signature": None, "format": "unknown", "x_new": [1]},
            {"signature": None, "format": "unknown", "x_new": [1]},
        ),
    ],
)
def test_fields_of_a_detail_beyond_the_part_stay_in_its_options(
    detail: dict[str, Any], options: dict[str, Any]
) -> None:
    from ir_codec.ir import Thinking

    body = _turns({"role": "assistant", "content": "ok", "reasoning_details": [detail], "tool_calls": [CALL]})
    part = CODEC.decode(body).messages[1].content[0]
    assert isinstance(part, Thinking) and part.origin is None and part.provider_options == {NAME: options}
    assert CODEC.encode(CODEC.decode(body)).body == body


def test_reasoning_after_the_text_is_reported_moved_and_a_signed_part_of_unknown_origin_stays_so() -> None:
    from ir_codec.ir import Thinking, ToolUse

    req = Request(
        messages=[
            Message(role="user", content=[Text(text="q")]),
            Message(
                role="assistant",
                content=[Text(text="a"), Thinking(text="t", signature="sig"), ToolUse(id="c", name="f", input={})],
            ),
        ]
    )
    e = check_request(CODEC, req)
    assert [(w.path, w.kind) for w in e.warnings] == [("messages[1].content", LossKind.MOVED)]
    assert e.body["messages"][1]["reasoning_details"] == [{"type": "reasoning.text", "text": "t", "signature": "sig"}]


def test_a_signed_part_whose_format_option_names_a_family_is_reported_to_read_back_with_its_origin() -> None:
    from ir_codec.ir import Thinking

    # what a reply's reasoning detail decodes to (its format kept as an option), sent in the next turn
    part = Thinking(text="t", signature="sig", provider_options={NAME: {"format": "anthropic-claude-v1"}})
    req = Request(messages=[Message(role="user", content=[Text(text="q")]), Message(role="assistant", content=[part])])
    e = check_request(CODEC, req)
    assert e.body["messages"][1]["reasoning_details"][0]["format"] == "anthropic-claude-v1"
    assert [(w.path, w.kind) for w in e.warnings] == [("messages[1].content[0]", LossKind.CHANGED)]


def test_openai_chat_still_reports_reasoning_dropped() -> None:
    from ir_codec.ir import Thinking

    req = Request(
        model="m",
        messages=[
            Message(role="user", content=[Text(text="q")]),
            Message(role="assistant", content=[Thinking(text="t", signature="s"), Text(text="a")]),
        ],
    )
    e = check_request(get_codec("openai-chat"), req)
    assert "reasoning_details" not in e.body["messages"][1]
    assert ("messages[1].content[0]", LossKind.DROPPED) in [(w.path, w.kind) for w in e.warnings]


def test_rules_know_the_reasoning_fields_of_an_assistant_turn() -> None:
    from ir_codec.rules import check_payload

    body = _turns(
        {"role": "assistant", "reasoning": "t", "reasoning_details": [SIGNED, ENCRYPTED], "tool_calls": [CALL]}
    )
    assert check_payload(body, NAME) == []
    bad = _turns(
        {
            "role": "assistant",
            "reasoning_details": [{"type": "reasoning.txt"}, {"type": "reasoning.encrypted"}],
            "tool_calls": [CALL],
        }
    )
    assert [(f.code, f.path) for f in check_payload(bad, NAME)] == [
        ("IRC102", "$.messages[1].reasoning_details[0].type"),
        ("IRC104", "$.messages[1].reasoning_details[1].data"),
    ]
    # OpenAI's own Chat body has no such fields
    assert {f.code for f in check_payload(body, "openai-chat")} == {"IRC101"}
    # model is optional on OpenRouter (the account's default model), required on OpenAI
    assert check_payload({"messages": [{"role": "user", "content": "hi"}]}, NAME) == []


@pytest.mark.parametrize("value", [None, []])
def test_null_or_empty_reasoning_details_stay_raw(value: Any) -> None:
    body = _turns({"role": "assistant", "content": "a", "reasoning_details": value, "tool_calls": [CALL]})
    req = CODEC.decode(body)
    assert req.messages[1].provider_options == {NAME: {"reasoning_details": value}}
    assert CODEC.encode(req).body == body


@pytest.mark.parametrize(("value", "path"), [(0, ""), ({}, ""), ("x", ""), ([None], "[0]"), ([[1]], "[0]")])
def test_reasoning_details_of_the_wrong_type_are_refused_with_their_path(value: Any, path: str) -> None:
    from ir_codec import DecodeError

    body = _turns({"role": "assistant", "content": "a", "reasoning_details": value, "tool_calls": [CALL]})
    with pytest.raises(DecodeError) as info:
        CODEC.decode(body)
    assert info.value.path == f"$.messages[1].reasoning_details{path}"


def test_a_replys_reasoning_goes_into_the_next_request_unchanged_and_to_claude() -> None:
    """The agent loop on OpenRouter: a reply's signed reasoning (its format read as the origin, as a
    request reads it) is the next request's ``reasoning_details`` without a warning, and reaches
    Anthropic's own API with its signature."""
    import json
    from pathlib import Path

    from ir_codec import continue_request, decode_stream
    from ir_codec.replies import sse_bytes

    fixture = Path(__file__).resolve().parent / "responses" / NAME / "reasoning_details.json"
    reply = json.loads(fixture.read_text())["response"]
    r = CODEC.decode_response(reply)
    req = continue_request(Request(model="anthropic/claude-sonnet-4.5", messages=[U]), r, [Text(text="go on")])
    e = CODEC.encode(req)
    assert e.warnings == []
    assert e.body["messages"][1]["reasoning_details"] == [
        {k: v for k, v in d.items() if k != "index"} for d in reply["choices"][0]["message"]["reasoning_details"]
    ]
    claude = get_codec("anthropic", default_max_tokens=1024).encode(req)
    assert claude.warnings == []
    assert [b["type"] for b in claude.body["messages"][1]["content"]] == ["thinking", "redacted_thinking", "text"]
    # OpenRouter's stream says the format on every item and the signature on the last one
    head = {"id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": "anthropic/claude-sonnet-4.5"}
    fmt = {"format": "anthropic-claude-v1", "index": 0}
    deltas = [
        {"reasoning": "Think ", "reasoning_details": [{"type": "reasoning.text", "text": "Think ", **fmt}]},
        {"reasoning": "about it.", "reasoning_details": [{"type": "reasoning.text", "text": "about it.", **fmt}]},
        {"reasoning_details": [{"type": "reasoning.text", "signature": "c2lnbmF0dXJl", **fmt}]},
        {"content": "42."},
    ]
    chunks = [{**head, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
    chunks.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    streamed = decode_stream(sse_bytes([(None, c) for c in chunks]), NAME)
    assert streamed.content == [r.content[0], Text(text="42.")]
