"""The Anthropic Messages codecs (anthropic, anthropic-bedrock, anthropic-vertex).

Properties 1-4 of the invariant for all three codecs, then tables of the tricky cases in the
shape of sqlglot's dialect tests: ``(IR, expected wire fragment, expected warning paths)``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec import get_codec
from ir_codec.errors import DecodeError, IRCodecError
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
from ir_codec.strategies import json_values, requests

CODECS = ["anthropic", "anthropic-bedrock", "anthropic-vertex"]
codec_names = st.sampled_from(CODECS)
H1 = CacheControl(ttl=CacheTtl.ONE_HOUR)
M5 = CacheControl()

# --------------------------------------------------------------------------------------------
# Strategies for the family's opaque parts and tools (shapes from SDK types/*_param.py)

_id = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=4, max_size=10)
_txt = st.text(min_size=1, max_size=20)

provider_blocks = st.one_of(
    st.builds(
        lambda i, q: {"type": "server_tool_use", "id": "srvtoolu_" + i, "name": "web_search", "input": {"query": q}},
        _id,
        _txt,
    ),
    st.builds(
        lambda i, u, t: {
            "type": "web_search_tool_result",
            "tool_use_id": "srvtoolu_" + i,
            "content": [
                {"type": "web_search_result", "url": "https://e.com/" + u, "title": t, "encrypted_content": "Eq" + u}
            ],
        },
        _id,
        _id,
        _txt,
    ),
    st.builds(
        lambda s, t, c: {
            "type": "search_result",
            "source": "https://e.com/" + s,
            "title": t,
            "content": [{"type": "text", "text": c}],
        },
        _id,
        _txt,
        _txt,
    ),
    # a document whose source the IR cannot hold (custom content source)
    st.builds(
        lambda t: {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": t}]}}, _txt
    ),
)
provider_tools = st.one_of(
    st.builds(lambda n: {"type": "web_search_20250305", "name": "web_search", "max_uses": n}, st.integers(1, 9)),
    st.just({"type": "code_execution_20250825", "name": "code_execution"}),
    st.just({"type": "bash_20250124", "name": "bash"}),
)


def ir_requests() -> st.SearchStrategy[Request]:
    return requests(
        codecs=["anthropic"], provider_data={"anthropic": provider_blocks}, provider_tools={"anthropic": provider_tools}
    )


# --------------------------------------------------------------------------------------------
# Properties 1-4. Drawing an IR request costs far more than checking it, so each drawn request
# is checked against every configuration of the three codecs (500 draws in the ci profile).

CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("anthropic", {}),
    ("anthropic", {"api_version": "2023-06-01"}),
    ("anthropic-bedrock", {}),
    ("anthropic-bedrock", {"api_version": "bedrock-2023-05-31"}),
    ("anthropic-vertex", {}),
    ("anthropic-vertex", {"api_version": "vertex-2023-10-16"}),
]


@given(ir_requests())
def test_invariant_request(ir: Request) -> None:
    """Properties 1-3: valid wire, loss == warnings, fixpoint."""
    for name, options in CONFIGS:
        check_request(get_codec(name, **options), ir)


def _variants(body: dict[str, Any], draw: Any) -> dict[str, Any]:
    """Rewrite a canonical body into equivalent non-canonical forms the API also accepts."""
    p = copy.deepcopy(body)
    if (
        draw(st.booleans())
        and isinstance(p.get("system"), list)
        and len(p["system"]) == 1
        and set(p["system"][0]) == {"type", "text"}
    ):
        p["system"] = p["system"][0]["text"]
    for m in p["messages"]:
        c = m["content"]
        if draw(st.booleans()) and len(c) == 1 and set(c[0]) == {"type", "text"}:
            m["content"] = c[0]["text"]
        elif draw(st.booleans()) and isinstance(c, list):
            c.insert(draw(st.integers(0, len(c))), {"type": "text", "text": ""})
        for b in c if isinstance(c, list) else []:
            cc = b.get("cache_control")
            if isinstance(cc, dict) and "ttl" not in cc and draw(st.booleans()):
                cc["ttl"] = "5m"
            if "cache_control" not in b and b.get("type") in ("text", "image") and draw(st.booleans()):
                b["cache_control"] = None
            if b.get("type") == "tool_result":
                inner = b.get("content")
                if inner is None and draw(st.booleans()):
                    b["content"] = draw(st.sampled_from(["", []]))
                elif (
                    isinstance(inner, list)
                    and len(inner) == 1
                    and set(inner[0]) == {"type", "text"}
                    and draw(st.booleans())
                ):
                    b["content"] = inner[0]["text"]
                if "is_error" not in b and draw(st.booleans()):
                    b["is_error"] = False
    if draw(st.booleans()):
        p["messages"].insert(
            draw(st.integers(0, max(0, len(p["messages"]) - 1))),
            {"role": "user", "content": draw(st.sampled_from(["", []]))},
        )
    if draw(st.booleans()) and "tools" not in p:
        p["tools"] = []
    if isinstance(p.get("cache_control"), dict) and "ttl" not in p["cache_control"] and draw(st.booleans()):
        p["cache_control"]["ttl"] = "5m"
    for k in ("temperature", "top_p"):
        if k in p and float(p[k]).is_integer() and draw(st.booleans()):
            p[k] = int(p[k])
    if "anthropic_version" in p and draw(st.booleans()):
        del p["anthropic_version"]
    return p


@given(ir_requests(), st.data())
def test_invariant_wire(ir: Request, data: st.DataObject) -> None:
    """Property 4 on encoder output and on its canonicalizable rewrites."""
    for name, options in CONFIGS:
        codec = get_codec(name, **options)
        body = codec.encode(ir).body
        assert codec.canonicalize(body) == body
        check_wire(codec, body)
        variant = _variants(body, data.draw)
        check_wire(codec, variant)
        assert codec.canonicalize(variant) == body


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


def wpaths(codec: str, ir: Request, **options: Any) -> tuple[dict[str, Any], list[str]]:
    e = check_request(get_codec(codec, **options), ir)
    return e.body, [w.path for w in e.warnings]


VERSION_CASES = [
    # (codec, options, IR, expected wire subset, expected warning paths)
    (
        "anthropic",
        {},
        req(user(Text(text="hi")), temperature=0.5, top_p=0.9, top_k=5),
        {},
        ["temperature", "top_p", "top_k"],
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
        ["temperature"],
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
        ["messages[1].content[0]"],
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
        ["messages[0].content[0].provider_options.anthropic"],
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
    codec: str, options: dict[str, Any], ir: Request, wire: dict[str, Any], warned: list[str]
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
        ["messages[0].content[1].cache", "messages[0].content[2].cache"],
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
        ["messages[0].content[1].cache", "messages[0].content[2].cache"],
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
        ["messages[0].content[1].cache"],
    ),
    # a 1h mark after a 5m mark is shortened
    (
        "ttl-order",
        req(user(Text(text="a", cache=M5), Text(text="b", cache=H1)), system=[SystemBlock(text="s", cache=H1)]),
        [("system[0]", "1h"), ("messages[0].content[0]", "5m"), ("messages[0].content[1]", "5m")],
        ["messages[0].content[1].cache"],
    ),
    # 30m maps up to 1h, 12h to the longest (1h)
    (
        "tiers",
        req(user(Text(text="a", cache=CacheControl(ttl=CacheTtl.THIRTY_MINUTES)))),
        [("messages[0].content[0]", "1h")],
        ["messages[0].content[0].cache"],
    ),
    # a mark on a thinking block moves to the preceding markable block
    (
        "thinking-mark",
        req(user(Text(text="q")), asst(Thinking(text="t", signature="c2ln", cache=H1), Text(text="a"))),
        [("messages[0].content[0]", "1h")],
        ["messages[0].content[0].cache", "messages[1].content[0].cache"],
    ),
    # a mark nested in a tool result moves to the tool result
    (
        "nested-mark",
        req(
            asst(ToolUse(id="t1", name="f", input={})),
            user(ToolResult(tool_use_id="t1", content=[Text(text="r", cache=H1)])),
        ),
        [("messages[1].content[0]", "1h")],
        ["messages[1].content[0].cache", "messages[1].content[0].content[0].cache"],
    ),
    # automatic 1h with a 5m mark on the last block: the provider rejects the pair, auto dropped
    ("auto-conflict", req(user(Text(text="a", cache=M5)), cache=H1), [("messages[0].content[0]", "5m")], ["cache"]),
    # automatic mark with the same TTL as the last block's: kept (the API treats it as a no-op)
    (
        "auto-same",
        req(user(Text(text="a", cache=M5)), cache=M5),
        [("messages[0].content[0]", "5m"), ("auto", "5m")],
        [],
    ),
    # a mark on an empty text (dropped) is gone with it
    ("empty-text", req(user(Text(text="a"), Text(text="", cache=H1))), [], ["messages[0].content[1]"]),
]


@pytest.mark.parametrize(("name", "ir", "marks", "warned"), CACHE_CASES, ids=[c[0] for c in CACHE_CASES])
def test_cache_marks(name: str, ir: Request, marks: list[tuple[str, str]], warned: list[str]) -> None:
    body, paths = wpaths("anthropic", ir)
    assert _marks(body) == marks
    assert paths == warned


def test_bedrock_legacy_automatic_caching_becomes_explicit() -> None:
    ir = req(user(Text(text="a"), Text(text="b")), cache=H1, model=None)
    body, paths = wpaths("anthropic-bedrock", ir, api_version="bedrock-2023-05-31")
    assert "cache_control" not in body
    assert _marks(body) == [("messages[0].content[1]", "1h")]
    assert paths == ["messages[0].content[1].cache", "cache"]
    body, paths = wpaths("anthropic-bedrock", ir)
    assert body["cache_control"] == {"type": "ephemeral", "ttl": "1h"}


LOSS_CASES = [
    # (IR, wire messages, warning paths)
    (
        req(user(Text(text="a"), Audio(source=Base64Source(media_type="audio/wav", data="AA==")))),
        [{"role": "user", "content": [{"type": "text", "text": "a"}]}],
        ["messages[0].content[1]"],
    ),
    (
        req(user(Text(text="")), asst(Text(text="x"))),
        [{"role": "assistant", "content": [{"type": "text", "text": "x"}]}],
        ["messages[0].content[0]", "messages[0]"],
    ),
    (
        req(asst(Thinking(text="t")), user(Text(text="u"))),
        [{"role": "user", "content": [{"type": "text", "text": "u"}]}],
        ["messages[0].content[0]", "messages[0]"],
    ),
    (
        req(user(Text(text="u")), asst(), asst()),
        [{"role": "user", "content": [{"type": "text", "text": "u"}]}],
        ["messages[1]", "messages[2]"],
    ),
    (
        req(user(Json(value={"a": 1}))),
        [{"role": "user", "content": [{"type": "text", "text": '{"a":1}'}]}],
        ["messages[0].content[0]"],
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
        ["messages[0].content[1]"],
    ),
    (
        req(user(ProviderPart(codec="x-foreign", data={"type": "x"}), Text(text="a", cache=H1))),
        [
            {
                "role": "user",
                "content": [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
            }
        ],
        ["messages[0].content[0]"],
    ),
    (
        req(user(Image(source=UrlSource(url="https://e.com/i.png", media_type="image/png")))),
        [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "https://e.com/i.png"}}]}],
        ["messages[0].content[0].source.media_type"],
    ),
    # an IR ProviderPart whose data is a block the IR models decodes as that part
    (
        req(user(ProviderPart(codec="anthropic", data={"type": "text", "text": "hi"}))),
        [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        ["messages[0].content[0]"],
    ),
]


@pytest.mark.parametrize(("ir", "messages", "warned"), LOSS_CASES)
def test_losses(ir: Request, messages: list[dict[str, Any]], warned: list[str]) -> None:
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
        ["tool_choice"],
    ),
    (
        dict(tool_choice=ToolChoice(mode="none"), parallel_tool_calls=True),
        {"tool_choice": {"type": "none"}},
        ["parallel_tool_calls"],
    ),
    (dict(user="u-1", metadata={"a": "b"}), {"metadata": {"user_id": "u-1"}}, ["metadata"]),
    (
        dict(reasoning=ReasoningConfig(type="enabled", budget_tokens=2048), reasoning_effort="high"),
        {"thinking": {"type": "enabled", "budget_tokens": 2048}, "output_config": {"effort": "high"}},
        [],
    ),
    (dict(reasoning_effort="minimal"), {}, ["reasoning_effort"]),
    (
        dict(response_format=ResponseFormat(type="json_schema", schema={"type": "object"}, name="n")),
        {"output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}},
        ["response_format.name"],
    ),
    (dict(response_format=ResponseFormat(type="json_object")), {}, ["response_format"]),
    (dict(seed=1, n=2, cache_key="k", stop=["END"]), {"stop_sequences": ["END"]}, ["seed", "n", "cache_key"]),
    (
        dict(provider_options={"anthropic": {"speed": "fast"}, "openai-chat": {"store": True}}),
        {"speed": "fast"},
        ["provider_options.openai-chat"],
    ),
    (dict(provider_options={"anthropic": {"metadata": {"user_id": "u"}}}), {}, ["provider_options.anthropic"]),
]


@pytest.mark.parametrize(("fields", "wire", "warned"), SETTINGS_CASES)
def test_settings(fields: dict[str, Any], wire: dict[str, Any], warned: list[str]) -> None:
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
    assert paths == ["tools[2]"]


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
# also encodes.

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
    codec.encode(ir)
