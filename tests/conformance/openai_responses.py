"""Conformance case of the openai-responses codec (OpenAI Responses API)."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import strategies as st

from ir_codec.codec import Codec, Encoded
from ir_codec.conformance import ConformanceCase, Draw, ReportedUsage, SdkCheck, StreamedReply
from ir_codec.ir import RedactedThinking, Request, Thinking, Usage
from ir_codec.strategies import requests

TESTS = Path(__file__).resolve().parents[1]
NAME = "openai-responses"

_ID = st.text(alphabet="abcdef0123456789", min_size=1, max_size=8)

PROVIDER_DATA = st.one_of(
    _ID.map(lambda i: {"type": "item_reference", "id": "msg_" + i}),
    _ID.map(lambda i: {"id": "msg_" + i}),
    st.fixed_dictionaries(
        {
            "type": st.just("web_search_call"),
            "id": _ID.map(lambda i: "ws_" + i),
            "status": st.sampled_from(["completed", "in_progress"]),
            "action": st.fixed_dictionaries({"type": st.just("search"), "query": st.text(max_size=10)}),
        }
    ),
    st.fixed_dictionaries({"type": st.just("input_image"), "detail": st.sampled_from(["low", "high"])}),
    _ID.map(lambda i: {"type": "custom_tool_call_output", "call_id": "call_" + i, "output": "ok"}),
    st.fixed_dictionaries(
        {
            "type": st.just("reasoning"),
            "id": _ID.map(lambda i: "rs_" + i),
            "summary": st.lists(
                st.fixed_dictionaries({"type": st.just("summary_text"), "text": st.text(max_size=8)}),
                min_size=2,
                max_size=3,
            ),
        }
    ),
)
PROVIDER_TOOLS = st.one_of(
    st.just({"type": "web_search"}),
    _ID.map(lambda i: {"type": "file_search", "vector_store_ids": ["vs_" + i]}),
    st.just({"type": "function", "name": "loose", "parameters": None}),
)


def _with_reasoning_ids(req: Request) -> Request:
    """Give some thinking parts an OpenAI reasoning item id (as decoded OpenAI reasoning has),
    so that reasoning items are lowered too; which ones is fixed by the part's own content."""
    messages = []
    for i, m in enumerate(req.messages):
        content = []
        for j, p in enumerate(m.content):
            key = p.text if isinstance(p, Thinking) else p.data if isinstance(p, RedactedThinking) else None
            if isinstance(p, Thinking | RedactedThinking) and key is not None and len(key) % 2 == 0:
                opts = {**p.provider_options, NAME: {**p.provider_options.get(NAME, {}), "id": f"rs_{i}_{j}"}}
                p = msgspec.structs.replace(p, provider_options=opts)
            content.append(p)
        messages.append(msgspec.structs.replace(m, content=content))
    return msgspec.structs.replace(req, messages=messages)


def ir_requests() -> st.SearchStrategy[Request]:
    return requests(codecs=[NAME], provider_data={NAME: PROVIDER_DATA}, provider_tools={NAME: PROVIDER_TOOLS}).map(
        _with_reasoning_ids
    )


def variants(codec: Codec, body: dict[str, Any], draw: Draw) -> dict[str, Any]:
    """Rewrite an encoded body into equivalent non-canonical wire forms (each one listed in
    CANONICALIZATIONS), chosen by a random seed."""
    rnd = draw(st.randoms(use_true_random=False))
    flip = lambda: rnd.random() < 0.5  # noqa: E731
    p = copy.deepcopy(body)
    pco = p.get("prompt_cache_options")
    default_ttl = pco.get("ttl", "30m") if isinstance(pco, dict) else "30m"
    for item in p.get("input", []):
        parts = item.get("content") if item.get("type") == "message" else item.get("output")
        if isinstance(parts, list):
            for c in parts:
                if c.get("type") == "input_image" and c.get("detail") == "auto" and flip():
                    del c["detail"]
                if c.get("type") == "output_text" and c.get("annotations") == [] and flip():
                    del c["annotations"]
                bp = c.get("prompt_cache_breakpoint")
                if isinstance(bp, dict) and bp.get("ttl") == default_ttl and flip():
                    del bp["ttl"]
        if item.get("type") == "message":
            content = item["content"]
            if len(content) == 1 and set(content[0]) in ({"type", "text"}, {"type", "text", "annotations"}):
                c = content[0]
                plain = c["type"] == "input_text" or (c["type"] == "output_text" and c.get("annotations", []) == [])
                if plain and flip():
                    item["content"] = c["text"]
            if flip():
                del item["type"]
        if item.get("type") == "function_call_output" and isinstance(item["output"], str) and flip():
            item["output"] = [{"type": "input_text", "text": item["output"]}]
    inp = p.get("input")
    if (
        isinstance(inp, list)
        and len(inp) == 1
        and set(inp[0]) in ({"type", "role", "content"}, {"role", "content"})
        and inp[0]["role"] == "user"
        and isinstance(inp[0]["content"], str)
        and flip()
    ):
        p["input"] = inp[0]["content"]
    if "input" not in p and flip():
        p["input"] = []
    if isinstance(pco, dict):
        if pco.get("ttl") == "30m" and pco.get("mode") == "implicit" and flip():
            del pco["ttl"]
        if pco.get("mode") == "implicit" and flip():
            del pco["mode"]
    return p


# --------------------------------------------------------------------------------------------
# Replies, usage and streams


def _raw_usage(u: Usage, with_details: bool) -> dict[str, Any]:
    """The provider's usage shape for IR usage ``u`` (response_usage.py): input includes reads and writes."""
    details: dict[str, Any] = {"cached_tokens": u.cache_read_tokens, "cache_write_tokens": u.cache_write_tokens}
    if with_details:
        details["cache_write_tokens_details"] = {
            "ttl_30m_tokens": u.cache_write_30m_tokens,
            "ttl_12h_tokens": u.cache_write_12h_tokens,
        }
    return {
        "input_tokens": u.input_tokens,
        "input_tokens_details": details,
        "output_tokens": u.output_tokens,
        "output_tokens_details": {"reasoning_tokens": u.reasoning_tokens},
        "total_tokens": u.total_tokens,
    }


_N = st.integers(0, 5_000_000)


@st.composite
def _usages(draw: st.DrawFn) -> tuple[Usage, bool]:
    w30, w12, out = draw(_N), draw(_N), draw(_N)
    details = draw(st.booleans())
    u = Usage(
        uncached_input_tokens=draw(_N),
        cache_read_tokens=draw(_N),
        cache_write_tokens=w30 + w12,
        cache_write_30m_tokens=w30 if details else None,
        cache_write_12h_tokens=w12 if details else None,
        output_tokens=out,
        reasoning_tokens=draw(st.integers(0, out)),
    )
    return u, details


def reply_facts(reply: Any) -> dict[str, Any]:
    """The disjoint buckets add back up to what the provider reported."""
    facts: dict[str, Any] = {"id": reply.get("id")}
    raw = reply.get("usage")
    if isinstance(raw, dict):
        facts["usage.input_tokens"] = raw["input_tokens"]
        facts["usage.output_tokens"] = raw["output_tokens"]
        if "total_tokens" in raw:
            facts["usage.total_tokens"] = raw["total_tokens"]
    return facts


reported_usages = _usages().map(
    lambda d: ReportedUsage(
        usage=d[0], reply={"id": "r", "status": "completed", "output": [], "usage": _raw_usage(d[0], d[1])}
    )
)


_TEXT_PIECES = st.lists(st.text(max_size=6), max_size=5)


@st.composite
def streamed_replies(draw: st.DrawFn) -> StreamedReply:
    """A reply (text, refusal, function call, hosted tool, reasoning) and a stream built from
    random delta splits of it."""
    text, arg_pieces = draw(_TEXT_PIECES), draw(_TEXT_PIECES)
    refusal = draw(st.booleans())
    status = draw(st.sampled_from(["completed", "incomplete"]))
    summaries = draw(st.lists(_TEXT_PIECES, max_size=3))
    enc = draw(st.none() | st.text(min_size=1, max_size=8))
    arguments = json.dumps({"q": "".join(arg_pieces)})
    cut = len(arguments) // 2
    content: list[dict[str, Any]] = [{"type": "output_text", "text": "".join(text), "annotations": []}]
    if refusal:
        content.append({"type": "refusal", "refusal": "no"})
    output: list[dict[str, Any]] = [
        {"type": "message", "id": "m1", "role": "assistant", "status": "completed", "content": content},
        {"type": "function_call", "id": "fc", "call_id": "c1", "name": "f", "arguments": arguments},
        {"type": "web_search_call", "id": "ws", "status": "completed", "action": {"type": "search", "query": "q"}},
        {
            "type": "reasoning",
            "id": "rs",
            "summary": [{"type": "summary_text", "text": "".join(pieces)} for pieces in summaries],
            **({"encrypted_content": enc} if enc is not None else {}),
        },
    ]
    final = {
        "id": "r9",
        "model": "gpt-6",
        "status": status,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "output": output,
        "usage": {"input_tokens": 10, "output_tokens": 3, "input_tokens_details": {"cached_tokens": 4}},
    }
    events: list[dict[str, Any]] = [{"type": "response.created", "response": {"id": "r9", "model": "gpt-6"}}]
    events.append({"type": "response.output_item.added", "output_index": 0, "item": {**output[0], "content": []}})
    events.append({"type": "response.content_part.added", "output_index": 0, "content_index": 0, "part": content[0]})
    events += [{"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": t} for t in text]
    if refusal:
        events.append({"type": "response.content_part.done", "output_index": 0, "content_index": 1, "part": content[1]})
    events.append({"type": "response.output_item.added", "output_index": 1, "item": {**output[1], "arguments": ""}})
    for piece in (arguments[:cut], arguments[cut:]):
        events.append({"type": "response.function_call_arguments.delta", "output_index": 1, "delta": piece})
    events.append({"type": "response.output_item.done", "output_index": 1, "item": output[1]})
    events.append({"type": "response.output_item.done", "output_index": 2, "item": output[2]})
    events.append(
        {
            "type": "response.output_item.added",
            "output_index": 3,
            "item": {"type": "reasoning", "id": "rs", "summary": []},
        }
    )
    for k, pieces in enumerate(summaries):
        part = {"type": "summary_text", "text": ""}
        events.append(
            {"type": "response.reasoning_summary_part.added", "output_index": 3, "summary_index": k, "part": part}
        )
        events += [
            {"type": "response.reasoning_summary_text.delta", "output_index": 3, "summary_index": k, "delta": d}
            for d in pieces
        ]
    events.append({"type": "response.output_item.done", "output_index": 3, "item": output[3]})
    events.append({"type": "response.completed" if status == "completed" else "response.incomplete", "response": final})
    return StreamedReply(whole=final, events=[(None, ev) for ev in events])


# --------------------------------------------------------------------------------------------
# The official openai SDK: client.responses.create over an offline httpx.MockTransport

_SDK_REPLY = {
    "id": "resp_1",
    "object": "response",
    "created_at": 0,
    "model": "gpt-6",
    "output": [],
    "status": "completed",
    "parallel_tool_calls": True,
    "tool_choice": "auto",
    "tools": [],
}


class _Capture:
    def __init__(self) -> None:
        import httpx
        import openai

        self.seen: list[tuple[str, Any]] = []
        http = httpx.Client(transport=httpx.MockTransport(self))
        # typed against httpx2, the SDK takes an httpx client as well
        self.client = openai.OpenAI(api_key="x", http_client=http)  # type: ignore[arg-type]

    def __call__(self, request: Any) -> Any:
        import httpx

        body = json.loads(request.content)
        self.seen.append((str(request.url), body))
        if body.get("stream"):
            return httpx.Response(200, text="", headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=_SDK_REPLY)


@functools.cache
def _capture() -> _Capture:
    return _Capture()


def sdk_send(kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(URL, JSON body) that ``client.responses.create(**kwargs)`` sends."""
    capture = _capture()
    before = len(capture.seen)
    out = capture.client.responses.create(**kwargs)
    if kwargs.get("stream"):
        list(out)
    assert len(capture.seen) == before + 1
    return capture.seen[-1]


def sdk_sent(codec: Codec, e: Encoded) -> Any:
    url, sent = sdk_send(codec.sdk_kwargs(e.body))
    assert url == "https://api.openai.com/v1/responses"
    return sent


CASE = ConformanceCase(
    name=NAME,
    requests=ir_requests(),
    variants=variants,
    documented=TESTS / "payloads" / NAME,
    replies=TESTS / "responses" / NAME,
    reply_facts=reply_facts,
    fixture_coverage={"cache_read_tokens": 1, "cache_write_tokens": 1},
    usages=reported_usages,
    streams=streamed_replies(),
    sdk=SdkCheck(requires=("openai",), sent=sdk_sent),
)
