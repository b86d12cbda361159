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
