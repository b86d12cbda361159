"""The Anthropic Messages codecs (anthropic, anthropic-bedrock, anthropic-vertex): tables of the
tricky cases in the shape of sqlglot's dialect tests: ``(IR, expected wire fragment, expected
warnings as (path, kind))``. The invariant properties, documented payloads, replies and the SDK check run in
the shared suite (tests/test_conformance.py, cases in tests/conformance/anthropic.py)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec import get_codec
from ir_codec.errors import DecodeError, InvalidRequestError, IRCodecError
from ir_codec.invariant import check_request, check_wire
from ir_codec.ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    Image,
    Json,
    Message,
    ProviderPart,
    ProviderTool,
    ReasoningConfig,
    RedactedThinking,
    Request,
    ResponseFormat,
    SystemBlock,
    Text,
    TextSource,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
)
from ir_codec.strategies import json_values

CODECS = ["anthropic", "anthropic-bedrock", "anthropic-vertex"]
codec_names = st.sampled_from(CODECS)
H1 = CacheControl(ttl=CacheTtl.ONE_HOUR)
M5 = CacheControl()

# --------------------------------------------------------------------------------------------
# Tables of tricky cases


def user(*parts: Any) -> Message:
    return Message(role="user", content=list(parts))


def asst(*parts: Any) -> Message:
    return Message(role="assistant", content=list(parts))


def req(*messages: Message, **kw: Any) -> Request:
    kw.setdefault("model", "claude-opus-5")
    kw.setdefault("max_tokens", 1024)
    return Request(messages=list(messages), **kw)


def wpaths(codec: str, ir: Request, **options: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The body and the warnings, each as (path, kind), of an encode that passes properties 1-3."""
    e = check_request(get_codec(codec, **options), ir)
    return e.body, [(w.path, w.kind) for w in e.warnings]


DROPPED, CHANGED, MOVED, APPROXIMATED = "dropped", "changed", "moved", "approximated"


VERSION_CASES = [
    # (codec, options, IR, expected wire subset, expected warnings as (path, kind))
    (
        "anthropic",
        {},
        req(user(Text(text="hi")), temperature=0.5, top_p=0.9, top_k=5),
        {},
        [("temperature", DROPPED), ("top_p", DROPPED), ("top_k", DROPPED)],
    ),
    (
        "anthropic",
        {"api_version": "2023-06-01"},
        req(user(Text(text="hi")), temperature=0.5, top_k=5),
        {"temperature": 0.5, "top_k": 5},
        [],
    ),
    (
        "anthropic-bedrock",
        {"api_version": "bedrock-2023-05-31"},
        req(user(Text(text="hi")), temperature=0.5, model=None),
        {"temperature": 0.5, "anthropic_version": "bedrock-2023-05-31"},
        [],
    ),
    (
        "anthropic-vertex",
        {},
        req(user(Text(text="hi")), temperature=0.5, model=None),
        {"anthropic_version": "2026-10-21"},
        [("temperature", DROPPED)],
    ),
    (
        "anthropic-bedrock",
        {},
        req(
            user(Text(text="hi")),
            provider_options={"anthropic": {"anthropic_version": "bedrock-2023-05-31"}},
            top_p=0.5,
            model=None,
        ),
        {"anthropic_version": "bedrock-2023-05-31", "top_p": 0.5},
        [],
    ),
    (
        "anthropic",
        {},
        req(user(Text(text="q")), asst(Document(source=UrlSource(url="https://e.com/a.pdf")), Text(text="a"))),
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "q"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "a"}]},
            ]
        },
        [("messages[1].content[0]", DROPPED)],
    ),
    (
        "anthropic",
        {"api_version": "2023-06-01"},
        req(asst(Document(source=UrlSource(url="https://e.com/a.pdf")))),
        {
            "messages": [
                {
                    "role": "assistant",
                    "content": [{"type": "document", "source": {"type": "url", "url": "https://e.com/a.pdf"}}],
                }
            ]
        },
        [],
    ),
    (
        "anthropic",
        {},
        req(
            user(
                Text(
                    text="x",
                    provider_options={"anthropic": {"citations": [{"type": "char_location", "cited_text": "x"}]}},
                )
            )
        ),
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}]},
        [("messages[0].content[0].provider_options.anthropic.citations", DROPPED)],
    ),
    (
        "anthropic",
        {},
        req(asst(Text(text="x", provider_options={"anthropic": {"citations": [{"type": "char_location"}]}}))),
        {
            "messages": [
                {
                    "role": "assistant",
                    "content": [{"type": "text", "text": "x", "citations": [{"type": "char_location"}]}],
                }
            ]
        },
        [],
    ),
    # the model (and on Bedrock the stream choice) travel in Encoded.endpoint: no loss
    ("anthropic-bedrock", {}, req(user(Text(text="x")), stream=True), {}, []),
    ("anthropic-vertex", {}, req(user(Text(text="x")), stream=True), {"stream": True}, []),
]


@pytest.mark.parametrize(("codec", "options", "ir", "wire", "warned"), VERSION_CASES)
def test_versions_and_platforms(
    codec: str, options: dict[str, Any], ir: Request, wire: dict[str, Any], warned: list[tuple[str, str]]
) -> None:
    body, paths = wpaths(codec, ir, **options)
    for k, v in wire.items():
        assert body[k] == v
    assert paths == warned
    assert "model" not in body or codec == "anthropic"


@pytest.mark.parametrize(
    ("codec", "stream", "path"),
    [
        ("anthropic", True, "/v1/messages"),
        ("anthropic-bedrock", False, "/model/claude-opus-5/invoke"),
        ("anthropic-bedrock", True, "/model/claude-opus-5/invoke-with-response-stream"),
        ("anthropic-vertex", False, "/publishers/anthropic/models/claude-opus-5:rawPredict"),
        ("anthropic-vertex", True, "/publishers/anthropic/models/claude-opus-5:streamRawPredict"),
    ],
)
def test_endpoint_carries_model_and_stream_variant(codec: str, stream: bool, path: str) -> None:
    # Bedrock InvokeModel / InvokeModelWithResponseStream and Vertex rawPredict / streamRawPredict
    # (the anthropic SDK's lib/bedrock and lib/vertex clients build these paths).
    c = get_codec(codec)
    r = req(user(Text(text="x")), stream=stream)
    e = c.encode(r)
    assert (e.endpoint.method, e.endpoint.path) == ("POST", path)
    assert c.with_endpoint(c.decode(e.body), e.endpoint).model == "claude-opus-5"


def _marks(body: dict[str, Any]) -> list[tuple[str, Any]]:
    out = []
    for i, t in enumerate(body.get("tools", [])):
        if "cache_control" in t:
            out.append((f"tools[{i}]", t["cache_control"].get("ttl", "5m")))
    for i, s in enumerate(body.get("system", [])):
        if "cache_control" in s:
            out.append((f"system[{i}]", s["cache_control"].get("ttl", "5m")))
    for i, m in enumerate(body["messages"]):
        for j, b in enumerate(m["content"]):
            if "cache_control" in b:
                out.append((f"messages[{i}].content[{j}]", b["cache_control"].get("ttl", "5m")))
    if "cache_control" in body:
        out.append(("auto", body["cache_control"].get("ttl", "5m")))
    return out


CACHE_CASES = [
    # six marks: first and last three kept
    (
        "cap",
        req(user(*[Text(text=f"t{i}", cache=M5) for i in range(6)])),
        [
            ("messages[0].content[0]", "5m"),
            ("messages[0].content[3]", "5m"),
            ("messages[0].content[4]", "5m"),
            ("messages[0].content[5]", "5m"),
        ],
        [("messages[0].content[1].cache", DROPPED), ("messages[0].content[2].cache", DROPPED)],
    ),
    # automatic caching takes a slot
    (
        "cap-auto",
        req(user(*[Text(text=f"t{i}", cache=M5) for i in range(5)], Text(text="end")), cache=M5),
        [
            ("messages[0].content[0]", "5m"),
            ("messages[0].content[3]", "5m"),
            ("messages[0].content[4]", "5m"),
            ("auto", "5m"),
        ],
        [("messages[0].content[1].cache", DROPPED), ("messages[0].content[2].cache", DROPPED)],
    ),
    # an automatic mark on an already marked last block is a no-op: no slot taken
    (
        "cap-auto-noop",
        req(user(*[Text(text=f"t{i}", cache=M5) for i in range(5)]), cache=M5),
        [
            ("messages[0].content[0]", "5m"),
            ("messages[0].content[2]", "5m"),
            ("messages[0].content[3]", "5m"),
            ("messages[0].content[4]", "5m"),
            ("auto", "5m"),
        ],
        [("messages[0].content[1].cache", DROPPED)],
    ),
    # a 1h mark after a 5m mark is shortened
    (
        "ttl-order",
        req(user(Text(text="a", cache=M5), Text(text="b", cache=H1)), system=[SystemBlock(text="s", cache=H1)]),
        [("system[0]", "1h"), ("messages[0].content[0]", "5m"), ("messages[0].content[1]", "5m")],
        [("messages[0].content[1].cache", APPROXIMATED)],
    ),
    # 30m maps up to 1h, 12h to the longest (1h)
    (
        "tiers",
        req(user(Text(text="a", cache=CacheControl(ttl=CacheTtl.THIRTY_MINUTES)))),
        [("messages[0].content[0]", "1h")],
        [("messages[0].content[0].cache", APPROXIMATED)],
    ),
    # a mark on a thinking block moves to the preceding markable block
    (
        "thinking-mark",
        req(
            user(Text(text="q")),
            asst(Thinking(text="t", signature="c2ln", origin="anthropic", cache=H1), Text(text="a")),
        ),
        [("messages[0].content[0]", "1h")],
        [("messages[0].content[0].cache", CHANGED), ("messages[1].content[0].cache", MOVED)],
    ),
    # a mark nested in a tool result moves to the tool result
    (
        "nested-mark",
        req(
            asst(ToolUse(id="t1", name="f", input={})),
            user(ToolResult(tool_use_id="t1", content=[Text(text="r", cache=H1)])),
        ),
        [("messages[1].content[0]", "1h")],
        [("messages[1].content[0].cache", CHANGED), ("messages[1].content[0].content[0].cache", MOVED)],
    ),
    # automatic 1h with a 5m mark on the last block: the provider rejects the pair, auto dropped
    (
        "auto-conflict",
        req(user(Text(text="a", cache=M5)), cache=H1),
        [("messages[0].content[0]", "5m")],
        [("cache", DROPPED)],
    ),
    # automatic mark with the same TTL as the last block's: kept (the API treats it as a no-op)
    (
        "auto-same",
        req(user(Text(text="a", cache=M5)), cache=M5),
        [("messages[0].content[0]", "5m"), ("auto", "5m")],
        [],
    ),
    # a mark on an empty text (dropped) is gone with it
    ("empty-text", req(user(Text(text="a"), Text(text="", cache=H1))), [], [("messages[0].content[1]", DROPPED)]),
    # after a dropped item, the planner's warnings (and the places its reasons name) are the
    # caller's paths (spec/losses.md)
    (
        "after-a-drop",
        req(
            user(Text(text=""), Text(text="q")),
            asst(Thinking(text="t", signature="c2ln", origin="anthropic", cache=H1), Text(text="a")),
        ),
        [("messages[0].content[0]", "1h")],
        [
            ("messages[0].content[0]", DROPPED),
            ("messages[0].content[1].cache", CHANGED),
            ("messages[1].content[0].cache", MOVED),
        ],
    ),
]


@pytest.mark.parametrize(("name", "ir", "marks", "warned"), CACHE_CASES, ids=[c[0] for c in CACHE_CASES])
def test_cache_marks(name: str, ir: Request, marks: list[tuple[str, str]], warned: list[tuple[str, str]]) -> None:
    body, paths = wpaths("anthropic", ir)
    assert _marks(body) == marks
    assert paths == warned


def test_bedrock_legacy_automatic_caching_becomes_explicit() -> None:
    ir = req(user(Text(text="a"), Text(text="b")), cache=H1, model=None)
    body, paths = wpaths("anthropic-bedrock", ir, api_version="bedrock-2023-05-31")
    assert "cache_control" not in body
    assert _marks(body) == [("messages[0].content[1]", "1h")]
    assert paths == [("messages[0].content[1].cache", CHANGED), ("cache", MOVED)]
    body, paths = wpaths("anthropic-bedrock", ir)
    assert body["cache_control"] == {"type": "ephemeral", "ttl": "1h"}


LOSS_CASES = [
    # (IR, wire messages, warnings as (path, kind))
    (
        req(user(Text(text="a"), Audio(source=Base64Source(media_type="audio/wav", data="AA==")))),
        [{"role": "user", "content": [{"type": "text", "text": "a"}]}],
        [("messages[0].content[1]", DROPPED)],
    ),
    (
        req(user(Text(text="")), asst(Text(text="x"))),
        [{"role": "assistant", "content": [{"type": "text", "text": "x"}]}],
        [("messages[0].content[0]", DROPPED), ("messages[0]", DROPPED)],
    ),
    (
        req(asst(Thinking(text="t")), user(Text(text="u"))),
        [{"role": "user", "content": [{"type": "text", "text": "u"}]}],
        [("messages[0].content[0]", DROPPED), ("messages[0]", DROPPED)],
    ),
    (
        req(user(Text(text="u")), asst(), asst()),
        [{"role": "user", "content": [{"type": "text", "text": "u"}]}],
        [("messages[1]", DROPPED), ("messages[2]", DROPPED)],
    ),
    (
        req(user(Json(value={"a": 1}))),
        [{"role": "user", "content": [{"type": "text", "text": '{"a":1}'}]}],
        [("messages[0].content[0]", CHANGED)],
    ),
    (
        req(
            Message(role="system", content=[Text(text="s"), Image(source=UrlSource(url="https://e.com/i.png"))]),
            user(Text(text="u")),
        ),
        [
            {"role": "system", "content": [{"type": "text", "text": "s"}]},
            {"role": "user", "content": [{"type": "text", "text": "u"}]},
        ],
        [("messages[0].content[1]", DROPPED)],
    ),
    (
        req(user(ProviderPart(codec="x-foreign", data={"type": "x"}), Text(text="a", cache=H1))),
        [
            {
                "role": "user",
                "content": [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
            }
        ],
        [("messages[0].content[0]", DROPPED)],
    ),
    (
        req(user(Image(source=UrlSource(url="https://e.com/i.png", media_type="image/png")))),
        [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "https://e.com/i.png"}}]}],
        [("messages[0].content[0].source.media_type", DROPPED)],
    ),
    # an IR ProviderPart whose data is a block the IR models decodes as that part
    (
        req(user(ProviderPart(codec="anthropic", data={"type": "text", "text": "hi"}))),
        [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        [("messages[0].content[0]", CHANGED)],
    ),
    # a warning at lowering time, after a dropped message and a dropped nested part, names the
    # caller's path (spec/losses.md)
    (
        req(
            asst(ToolUse(id="t1", name="f", input={})),
            asst(),
            user(
                ToolResult(
                    tool_use_id="t1",
                    content=[Text(text=""), Image(source=UrlSource(url="https://e.com/i.png", media_type="image/png"))],
                )
            ),
        ),
        [
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "content": [{"type": "image", "source": {"type": "url", "url": "https://e.com/i.png"}}],
                    }
                ],
            },
        ],
        [
            ("messages[1]", DROPPED),
            ("messages[2].content[0].content[0]", DROPPED),
            ("messages[2].content[0].content[1].source.media_type", DROPPED),
        ],
    ),
    # next to a dropped block, a neighbour's own loss is reported where it is, not the neighbour
    (
        req(
            asst(
                Text(text=""),
                RedactedThinking(data="AA==", origin="anthropic", provider_options={"x-foreign": {"x": 1}}),
                RedactedThinking(data="AA==", origin="anthropic"),
            )
        ),
        [
            {
                "role": "assistant",
                "content": [
                    {"type": "redacted_thinking", "data": "AA=="},
                    {"type": "redacted_thinking", "data": "AA=="},
                ],
            }
        ],
        [("messages[0].content[0]", DROPPED), ("messages[0].content[1].provider_options.x-foreign", DROPPED)],
    ),
]


@pytest.mark.parametrize(("ir", "messages", "warned"), LOSS_CASES)
def test_losses(ir: Request, messages: list[dict[str, Any]], warned: list[tuple[str, str]]) -> None:
    body, paths = wpaths("anthropic", ir)
    assert body["messages"] == messages
    assert paths == warned


SETTINGS_CASES = [
    (
        dict(tool_choice=ToolChoice(mode="required"), parallel_tool_calls=False),
        {"tool_choice": {"type": "any", "disable_parallel_tool_use": True}},
        [],
    ),
    (
        dict(parallel_tool_calls=False),
        {"tool_choice": {"type": "auto", "disable_parallel_tool_use": True}},
        [("tool_choice", CHANGED)],
    ),
    (
        dict(tool_choice=ToolChoice(mode="none"), parallel_tool_calls=True),
        {"tool_choice": {"type": "none"}},
        [("parallel_tool_calls", DROPPED)],
    ),
    (dict(user="u-1", metadata={"a": "b"}), {"metadata": {"user_id": "u-1"}}, [("metadata", DROPPED)]),
    (
        dict(max_tokens=4096, reasoning=ReasoningConfig(type="enabled", budget_tokens=2048), reasoning_effort="high"),
        {"thinking": {"type": "enabled", "budget_tokens": 2048}, "output_config": {"effort": "high"}},
        [],
    ),
    (dict(reasoning_effort="minimal"), {}, [("reasoning_effort", DROPPED)]),
    (
        dict(response_format=ResponseFormat(type="json_schema", schema={"type": "object"}, name="n")),
        {"output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}},
        [("response_format.name", DROPPED)],
    ),
    (dict(response_format=ResponseFormat(type="json_object")), {}, [("response_format", DROPPED)]),
    (
        dict(seed=1, n=2, cache_key="k", stop=["END"]),
        {"stop_sequences": ["END"]},
        [("seed", DROPPED), ("n", DROPPED), ("cache_key", DROPPED)],
    ),
    (
        dict(provider_options={"anthropic": {"speed": "fast"}, "openai-chat": {"store": True}}),
        {"speed": "fast"},
        [("provider_options.openai-chat", DROPPED)],
    ),
    # a raw option holding a field the IR maps is not sent (it would decode into the IR)
    (
        dict(provider_options={"anthropic": {"metadata": {"user_id": "u"}}}),
        {},
        [("provider_options.anthropic.metadata", DROPPED)],
    ),
    (
        dict(provider_options={"anthropic": {"max_tokens": 5, "speed": "fast"}}),
        {"speed": "fast"},
        [("provider_options.anthropic.max_tokens", DROPPED)],
    ),
]


@pytest.mark.parametrize(("fields", "wire", "warned"), SETTINGS_CASES)
def test_settings(fields: dict[str, Any], wire: dict[str, Any], warned: list[tuple[str, str]]) -> None:
    body, paths = wpaths("anthropic", req(user(Text(text="x")), **fields))
    for k, v in wire.items():
        assert body[k] == v
    extra = set(body) - {"model", "max_tokens", "messages"} - set(wire)
    assert not extra
    assert paths == warned


def test_tools_and_server_tools() -> None:
    ir = req(
        user(Text(text="x")),
        tools=[
            Tool(name="f", input_schema={"type": "object"}, description="d", strict=True, cache=H1),
            ProviderTool(codec="anthropic", data={"type": "web_search_20250305", "name": "web_search"}),
            ProviderTool(codec="x-foreign", data={"type": "x"}),
        ],
    )
    body, paths = wpaths("anthropic", ir)
    assert body["tools"] == [
        {
            "name": "f",
            "input_schema": {"type": "object"},
            "description": "d",
            "strict": True,
            "cache_control": {"type": "ephemeral", "ttl": "1h"},
        },
        {"type": "web_search_20250305", "name": "web_search"},
    ]
    assert paths == [("tools[2]", DROPPED)]


def test_documents() -> None:
    ir = req(
        user(
            Document(source=TextSource(text="plain"), name="t", context="c", citations=True),
            Document(source=Base64Source(media_type="application/pdf", data="JVBE")),
        )
    )
    body, paths = wpaths("anthropic", ir)
    assert body["messages"][0]["content"] == [
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "plain"},
            "title": "t",
            "context": "c",
            "citations": {"enabled": True},
        },
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}},
    ]
    assert paths == []


def test_family_options_key_on_every_platform() -> None:
    # The three codecs read and decode into provider_options["anthropic"]; an entry under a
    # platform's own name is another codec's, and losses name the "anthropic" entry.
    ir = req(
        user(Text(text="x")),
        model=None,
        provider_options={"anthropic": {"max_tokens": 5, "speed": "fast"}, "anthropic-bedrock": {"x": 1}},
    )
    body, paths = wpaths("anthropic-bedrock", ir)
    assert body["speed"] == "fast" and body["max_tokens"] == 1024
    assert paths == [
        ("provider_options.anthropic-bedrock", DROPPED),
        ("provider_options.anthropic.max_tokens", DROPPED),
    ]
    same = req(user(Text(text="x")), model=None, provider_options={"anthropic": {"anthropic_version": "2026-10-21"}})
    body, paths = wpaths("anthropic-vertex", same)
    assert body["anthropic_version"] == "2026-10-21"
    assert paths == [("provider_options.anthropic.anthropic_version", DROPPED)]


def test_profile_follows_the_api_version() -> None:
    # 2026-10-21 refuses the sampling parameters; the legacy versions take them. On Bedrock and
    # Vertex a request's own anthropic_version decides (profile_for).
    sampling = {"temperature", "top_p", "top_k"}
    assert sampling <= set(get_codec("anthropic").profile().unsupported)
    assert not sampling & set(get_codec("anthropic", api_version="2023-06-01").profile().unsupported)
    legacy = req(
        user(Text(text="x")), model=None, provider_options={"anthropic": {"anthropic_version": "bedrock-2023-05-31"}}
    )
    assert not sampling & set(get_codec("anthropic-bedrock").profile_for(legacy).unsupported)
    for name in CODECS:
        profile = get_codec(name).profile()
        assert profile.passes == ("plan_cache_breakpoints",)
        assert {"seed", "n", "metadata", "cache_key"} <= set(profile.unsupported)
        assert profile.cache.markable is None and profile.cache.max_breakpoints == 4
    assert get_codec("anthropic-bedrock", api_version="bedrock-2023-05-31").profile().cache.native_automatic is False


def test_planner_reasons_name_the_callers_paths() -> None:
    ir = req(
        user(Text(text=""), Text(text="q")),
        asst(Thinking(text="t", signature="c2ln", origin="anthropic", cache=H1), Text(text="a")),
    )
    e = get_codec("anthropic").encode(ir)
    moved = [w.reason for w in e.warnings if w.path == "messages[1].content[0].cache"]
    assert moved == ["anthropic cannot mark this item; mark moved to messages[0].content[1].cache"]


# --------------------------------------------------------------------------------------------
# Decoding: canonical forms, unknown fields, errors with JSON paths


def test_decode_keeps_unknown_fields_where_they_are() -> None:
    c = get_codec("anthropic")
    p = {
        "model": "m",
        "max_tokens": 5,
        "speed": "fast",
        "messages": [
            {
                "role": "user",
                "x_msg": 1,
                "content": [{"type": "image", "source": {"type": "url", "url": "u"}, "transformations": {"a": 1}}],
            }
        ],
        "tools": [{"name": "f", "input_schema": {"type": "object"}, "type": "custom", "defer_loading": True}],
        "thinking": {"type": "adaptive", "display": "omitted"},
    }
    ir = c.decode(p)
    assert ir.provider_options == {
        "anthropic": {"speed": "fast", "thinking": {"type": "adaptive", "display": "omitted"}}
    }
    assert ir.messages[0].provider_options == {"anthropic": {"x_msg": 1}}
    image, tool = ir.messages[0].content[0], ir.tools[0]
    assert isinstance(image, Image) and isinstance(tool, Tool)
    assert image.provider_options == {"anthropic": {"transformations": {"a": 1}}}
    assert tool.provider_options == {"anthropic": {"type": "custom", "defer_loading": True}}
    check_wire(c, p)


def test_bedrock_version_round_trip() -> None:
    c = get_codec("anthropic-bedrock")
    legacy = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 5,
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 1,
    }
    ir = c.decode(legacy)
    assert ir.provider_options == {"anthropic": {"anthropic_version": "bedrock-2023-05-31"}}
    assert c.encode(ir).body == {
        **legacy,
        "temperature": 1.0,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
    }
    assert c.decode({"anthropic_version": "2026-10-21", "messages": []}).provider_options == {}


BAD = [
    ({"messages": "x"}, "$.messages"),
    ({"messages": [{"role": "bot", "content": "x"}]}, "$.messages[0].role"),
    ({"messages": [{"role": "user", "content": [{"type": "text"}]}]}, "$.messages[0].content[0]"),
    ({"messages": [{"role": "user", "content": [{"type": 3}]}]}, "$.messages[0].content[0].type"),
    (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral", "ttl": "24h"}}],
                }
            ]
        },
        "$.messages[0].content[0].cache_control.ttl",
    ),
    (
        {"messages": [{"role": "assistant", "content": [{"type": "thinking", "thinking": "t"}]}]},
        "$.messages[0].content[0]",
    ),
    ({"messages": [], "tools": [{"name": "f"}]}, "$.tools[0]"),
    ({"messages": [], "max_tokens": "5"}, "$.max_tokens"),
    (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": "t",
                            "content": [{"type": "tool_use", "id": "a", "name": "b", "input": {}}],
                        }
                    ],
                }
            ]
        },
        "$.messages[0].content[0].content[0]",
    ),
    ([1], "$"),
    (b"{not json", "$"),
    ({}, "$"),
]


@pytest.mark.parametrize(("payload", "path"), BAD)
def test_bad_input_names_the_json_path(payload: Any, path: str) -> None:
    with pytest.raises(DecodeError) as exc:
        get_codec("anthropic").decode(payload)
    assert exc.value.path == path


def test_bad_options() -> None:
    with pytest.raises(IRCodecError):
        get_codec("anthropic", api_version="bedrock-2023-05-31")
    with pytest.raises(IRCodecError):
        get_codec("anthropic-vertex", api_version="2023-06-01")


def test_validate_wire_rejects_what_the_api_rejects() -> None:
    c = get_codec("anthropic")
    with pytest.raises(DecodeError):
        c.validate_wire({"messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]})
    with pytest.raises(DecodeError):
        c.validate_wire({"messages": [{"role": "user", "content": "x"}], "temperature": 0.5})
    get_codec("anthropic", api_version="2023-06-01").validate_wire(
        {"messages": [{"role": "user", "content": "x"}], "temperature": 0.5}
    )
    many = [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}] * 5
    with pytest.raises(DecodeError):
        c.validate_wire({"messages": [{"role": "user", "content": many}]})
    with pytest.raises(DecodeError):
        get_codec("anthropic-bedrock").validate_wire({"model": "m", "messages": [{"role": "user", "content": "x"}]})


# --------------------------------------------------------------------------------------------
# Malformed input: decode raises DecodeError (never KeyError/TypeError), and whatever decodes
# also encodes, or is refused by the IR check (InvalidRequestError: a body the API refuses,
# such as one without max_tokens).

PAYLOAD_DIR = Path(__file__).resolve().parent / "payloads"
PAYLOADS = [json.loads(p.read_text())["payload"] for p in sorted(PAYLOAD_DIR.glob("anthropic*/*.json"))]


def _paths(v: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(v, dict):
        for k, x in v.items():
            out += _paths(x, (*prefix, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += _paths(x, (*prefix, i))
    return out


@given(st.sampled_from(PAYLOADS), st.data(), json_values(4), codec_names)
def test_mutated_payloads_fail_cleanly(payload: dict[str, Any], data: st.DataObject, value: Any, name: str) -> None:
    p = copy.deepcopy(payload)
    path = data.draw(st.sampled_from(_paths(p)[1:]))
    target = p
    for k in path[:-1]:
        target = target[k]
    if data.draw(st.booleans()) and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = value
    codec = get_codec(name)
    try:
        ir = codec.decode(p)
    except DecodeError:
        return
    try:
        codec.encode(ir)
    except InvalidRequestError:
        return
