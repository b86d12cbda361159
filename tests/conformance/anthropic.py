"""Conformance cases of the Anthropic Messages codecs (anthropic, anthropic-bedrock,
anthropic-vertex): one body, three platforms, the same replies and streams."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import strategies as st

from ir_codec.codec import Codec, Encoded, get_codec
from ir_codec.conformance import ConformanceCase, Draw, ReportedUsage, SdkCheck, StreamedReply
from ir_codec.ir import Part, RedactedThinking, Request, Response, StopReason, Text, Thinking, ToolUse, Usage
from ir_codec.strategies import json_objects, requests

TESTS = Path(__file__).resolve().parents[1]
NAMES = ("anthropic", "anthropic-bedrock", "anthropic-vertex")

# --------------------------------------------------------------------------------------------
# The family's opaque parts and tools (shapes from SDK types/*_param.py)

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


def variants(codec: Codec, body: dict[str, Any], draw: Draw) -> dict[str, Any]:
    """Rewrite a canonical body into equivalent non-canonical forms the API also accepts.

    One seed is drawn and the rewrites come from it: the many small draws this takes would make
    hypothesis spend most of the time on its own bookkeeping (each request is rewritten under
    every configuration)."""
    rnd = random.Random(draw(st.integers(0, 2**32)))
    flip = lambda: rnd.random() < 0.5  # noqa: E731
    p = copy.deepcopy(body)
    if (
        flip()
        and isinstance(p.get("system"), list)
        and len(p["system"]) == 1
        and set(p["system"][0]) == {"type", "text"}
    ):
        p["system"] = p["system"][0]["text"]
    for m in p["messages"]:
        c = m["content"]
        if flip() and len(c) == 1 and set(c[0]) == {"type", "text"}:
            m["content"] = c[0]["text"]
        elif flip() and isinstance(c, list):
            c.insert(rnd.randint(0, len(c)), {"type": "text", "text": ""})
        for b in c if isinstance(c, list) else []:
            cc = b.get("cache_control")
            if isinstance(cc, dict) and "ttl" not in cc and flip():
                cc["ttl"] = "5m"
            if "cache_control" not in b and b.get("type") in ("text", "image") and flip():
                b["cache_control"] = None
            if b.get("type") == "tool_result":
                inner = b.get("content")
                if inner is None and flip():
                    b["content"] = rnd.choice(["", []])
                elif isinstance(inner, list) and len(inner) == 1 and set(inner[0]) == {"type", "text"} and flip():
                    b["content"] = inner[0]["text"]
                if "is_error" not in b and flip():
                    b["is_error"] = False
    if flip():
        p["messages"].insert(
            rnd.randint(0, max(0, len(p["messages"]) - 1)),
            {"role": "user", "content": rnd.choice(["", []])},
        )
    if flip() and "tools" not in p:
        p["tools"] = []
    if isinstance(p.get("cache_control"), dict) and "ttl" not in p["cache_control"] and flip():
        p["cache_control"]["ttl"] = "5m"
    for k in ("temperature", "top_p"):
        if k in p and float(p[k]).is_integer() and flip():
            p[k] = int(p[k])
    if "anthropic_version" in p and flip():
        del p["anthropic_version"]
    return p


# --------------------------------------------------------------------------------------------
# Replies, usage and streams


def reply_facts(reply: Any) -> dict[str, Any]:
    """Anthropic's totals: input is input_tokens + cache read + cache creation (disjoint)."""
    facts = {"id": reply.get("id"), "raw_stop_reason": reply.get("stop_reason")}
    raw = reply.get("usage")
    if isinstance(raw, dict):
        facts["usage.input_tokens"] = (
            raw["input_tokens"]
            + (raw.get("cache_read_input_tokens") or 0)
            + (raw.get("cache_creation_input_tokens") or 0)
        )
        facts["usage.output_tokens"] = raw["output_tokens"]
    return facts


counts = st.integers(0, 5_000_000)


def raw_usage(u: Usage, split: bool, details: bool) -> dict[str, Any]:
    """The provider's usage shape for normalized counts (Anthropic's buckets are disjoint)."""
    raw: dict[str, Any] = {
        "input_tokens": u.uncached_input_tokens,
        "cache_read_input_tokens": u.cache_read_tokens,
        "cache_creation_input_tokens": u.cache_write_tokens,
        "output_tokens": u.output_tokens,
    }
    if split:
        raw["cache_creation"] = {
            "ephemeral_5m_input_tokens": u.cache_write_5m_tokens,
            "ephemeral_1h_input_tokens": u.cache_write_1h_tokens,
        }
    if details:
        raw["output_tokens_details"] = {"thinking_tokens": u.reasoning_tokens}
    return raw


@st.composite
def usages(draw: st.DrawFn) -> tuple[Usage, dict[str, Any]]:
    """Counts, with or without the TTL split and the thinking count, and their raw shape."""
    split, details = draw(st.booleans()), draw(st.booleans())
    w5, w1, out = draw(counts), draw(counts), draw(counts)
    u = Usage(
        uncached_input_tokens=draw(counts),
        cache_read_tokens=draw(counts),
        cache_write_tokens=w5 + w1,
        cache_write_5m_tokens=w5 if split else None,
        cache_write_1h_tokens=w1 if split else None,
        output_tokens=out,
        reasoning_tokens=draw(st.integers(0, out)) if details else None,
    )
    return u, raw_usage(u, split, details)


reported_usages = usages().map(lambda d: ReportedUsage(usage=d[0], reply={"content": [], "usage": d[1]}))

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=12)
reply_parts = st.one_of(
    st.builds(Text, text=st.text(max_size=60)),
    st.builds(ToolUse, id=_word.map(lambda w: "toolu_" + w), name=_word, input=json_objects()),
    st.builds(Thinking, text=st.text(max_size=60), signature=_word, origin=st.just("anthropic")),
    st.builds(RedactedThinking, data=_word, origin=st.just("anthropic")),
)


def whole_block(p: Part) -> dict[str, Any]:
    if isinstance(p, Text):
        return {"type": "text", "text": p.text}
    if isinstance(p, ToolUse):
        return {"type": "tool_use", "id": p.id, "name": p.name, "input": p.input}
    if isinstance(p, Thinking):
        return {"type": "thinking", "thinking": p.text, "signature": p.signature}
    assert isinstance(p, RedactedThinking)
    return {"type": "redacted_thinking", "data": p.data}


def _chunks(s: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(s) + 1) for c in cuts} | {0, len(s)})
    return [s[a:b] for a, b in zip(points, points[1:], strict=False)]


def stream_events(reply: dict[str, Any], cuts: list[int]) -> list[dict[str, Any]]:
    """The SSE event sequence the API sends for ``reply``, text and JSON cut at ``cuts``."""
    start_usage = {**reply["usage"], "output_tokens": 1}
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": {**reply, "content": [], "stop_reason": None, "usage": start_usage}}
    ]
    for i, b in enumerate(reply["content"]):
        if b["type"] == "text":
            events.append({"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}})
            events += [
                {"type": "content_block_delta", "index": i, "delta": {"type": "text_delta", "text": c}}
                for c in _chunks(b["text"], cuts)
            ]
        elif b["type"] == "thinking":
            events.append(
                {
                    "type": "content_block_start",
                    "index": i,
                    "content_block": {"type": "thinking", "thinking": "", "signature": ""},
                }
            )
            events += [
                {"type": "content_block_delta", "index": i, "delta": {"type": "thinking_delta", "thinking": c}}
                for c in _chunks(b["thinking"], cuts)
            ]
            events.append(
                {
                    "type": "content_block_delta",
                    "index": i,
                    "delta": {"type": "signature_delta", "signature": b["signature"]},
                }
            )
        elif b["type"] == "tool_use":
            events.append({"type": "content_block_start", "index": i, "content_block": {**b, "input": {}}})
            events += [
                {"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": c}}
                for c in _chunks(json.dumps(b["input"]), cuts)
            ]
        else:
            events.append({"type": "content_block_start", "index": i, "content_block": b})
        events.append({"type": "content_block_stop", "index": i})
    events.append(
        {
            "type": "message_delta",
            "delta": {"stop_reason": reply["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": reply["usage"]["output_tokens"]},
        }
    )
    events.append({"type": "message_stop"})
    return events


STOPS: list[StopReason] = ["end_turn", "tool_use", "max_tokens", "pause_turn", "refusal"]
"""Stop reasons whose Anthropic names are the IR's own."""


@st.composite
def streamed_replies(draw: st.DrawFn) -> StreamedReply:
    """A reply of random parts, usage and stop reason; its stream cuts texts and JSON at random."""
    parts: list[Part] = draw(st.lists(reply_parts, max_size=5))
    u, raw = draw(usages())
    stop = draw(st.sampled_from(STOPS))
    cuts = draw(st.lists(st.integers(0, 200), max_size=6))
    reply = {
        "id": "msg_x",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-5",
        "content": [whole_block(p) for p in parts],
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": raw,
    }
    expected = Response(
        id="msg_x", model="claude-opus-5", content=parts, stop_reason=stop, raw_stop_reason=stop, usage=u
    )
    return StreamedReply(whole=reply, events=[(ev["type"], ev) for ev in stream_events(reply, cuts)], expected=expected)


# --------------------------------------------------------------------------------------------
# The official anthropic SDK: Anthropic, AnthropicBedrock and AnthropicVertex over an offline
# httpx2.MockTransport send exactly our body, to the URL the SDK builds from the model.

MODEL = "claude-opus-5"
SDK_REPLY = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": MODEL,
    "content": [{"type": "text", "text": "ok"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}


def sdk_send(codec_name: str, body: dict[str, Any]) -> Any:
    """The request ``messages.create`` sends for our body (typed keywords plus ``extra_body``)."""
    import anthropic
    import httpx2

    captured: list[Any] = []

    def handler(request: Any) -> Any:
        captured.append(request)
        return httpx2.Response(200, json=SDK_REPLY)

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    kwargs = get_codec(codec_name).sdk_kwargs(body)
    # Typed stream=True makes the SDK expect an event stream; the body field is the same in extra_body.
    if "stream" in kwargs:
        kwargs.setdefault("extra_body", {})["stream"] = kwargs.pop("stream")
    client: Any
    if codec_name == "anthropic":
        client = anthropic.Anthropic(api_key="x", http_client=http, max_retries=0)
    elif codec_name == "anthropic-bedrock":
        client = anthropic.AnthropicBedrock(api_key="x", aws_region="us-east-1", http_client=http, max_retries=0)
        kwargs["model"] = MODEL
    else:
        client = anthropic.AnthropicVertex(
            region="us-east5", project_id="proj", access_token="t", http_client=http, max_retries=0
        )
        kwargs["model"] = MODEL
    # an explicit timeout skips the SDK's "use streaming for large max_tokens" guard
    client.messages.create(**kwargs, timeout=30)
    assert len(captured) == 1
    return captured[0]


def sdk_sent(codec: Codec, e: Encoded) -> Any:
    sent = sdk_send(codec.NAME, e.body)
    if codec.NAME == "anthropic":
        assert sent.url.path == "/v1/messages"
        assert sent.headers["anthropic-version"] == "2026-10-21"
    elif codec.NAME == "anthropic-bedrock":
        assert sent.url.path == f"/model/{MODEL}/invoke"
    else:
        specifier = "streamRawPredict" if e.body.get("stream") else "rawPredict"
        assert sent.url.path.endswith(f"/publishers/anthropic/models/{MODEL}:{specifier}")
    return json.loads(sent.content)


def with_required(ir: Request) -> Request:
    """The SDK requires model and max_tokens; the IR may leave them to the caller."""
    return msgspec.structs.replace(ir, model=ir.model or MODEL, max_tokens=ir.max_tokens or 1024)


SDK = SdkCheck(requires=("anthropic", "httpx2"), sent=sdk_sent, requests=ir_requests().map(with_required))

# --------------------------------------------------------------------------------------------

_OPTIONS: dict[str, tuple[dict[str, Any], ...]] = {
    "anthropic": ({}, {"api_version": "2023-06-01"}),
    "anthropic-bedrock": ({}, {"api_version": "bedrock-2023-05-31"}),
    "anthropic-vertex": ({}, {"api_version": "vertex-2023-10-16"}),
}

CASES = [
    ConformanceCase(
        name=name,
        options=_OPTIONS[name],
        requests=ir_requests(),
        variants=variants,
        documented=TESTS / "payloads" / name,
        replies=TESTS / "responses" / "anthropic",
        reply_facts=reply_facts,
        fixture_coverage={"cache_read_tokens": 1, "cache_write_tokens": 1},
        usages=reported_usages,
        streams=streamed_replies(),
        sdk=SDK,
    )
    for name in NAMES
]
