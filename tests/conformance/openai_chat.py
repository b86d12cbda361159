"""Conformance case of the openai-chat codec (OpenAI Chat Completions); its strategies, reply
shapes and SDK sender are shared by the OpenAI-compatible flavors (openrouter)."""

from __future__ import annotations

import copy
import functools
import json
import random
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from ir_codec import strategies as irs
from ir_codec.codec import Codec
from ir_codec.conformance import ConformanceCase, Draw, ReportedUsage, SdkCheck, StreamedReply
from ir_codec.ir import Request, Usage

TESTS = Path(__file__).resolve().parents[1]
NAME = "openai-chat"

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)


def provider_data(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Opaque parts of the codec: content parts of types the codec does not model, and (for
    assistant turns) non-function tool calls."""
    part = st.fixed_dictionaries({"type": st.sampled_from(["input_video", "x_custom"]), "x_data": irs.json_values(4)})
    call = st.fixed_dictionaries(
        {
            "tool_call": st.fixed_dictionaries(
                {
                    "id": _WORD.map(lambda w: "call_" + w),
                    "type": st.just("custom"),
                    "custom": st.fixed_dictionaries({"name": _WORD, "input": st.text(max_size=10)}),
                }
            )
        }
    )
    return st.one_of(part, call)


def provider_tools(name: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"type": st.just("custom"), "custom": st.fixed_dictionaries({"name": _WORD})})


def ir_requests(name: str) -> st.SearchStrategy[Request]:
    return irs.requests(
        codecs=[name], provider_data={name: provider_data(name)}, provider_tools={name: provider_tools(name)}
    )


# -- wire variants: the canonicalizations undone at random, plus unknown fields -----------------


_RAW_VALUES: list[Any] = [None, 0, 1.5, "x", [], {"k": [True, None]}]


def decanonicalize(codec: Any, body: dict[str, Any], draw: Draw) -> dict[str, Any]:
    """A payload equal to ``body`` up to the codec's canonicalizations, with extra raw fields.

    One seed is drawn and the variants come from it: many small draws would make hypothesis
    spend most of the test's time on its own bookkeeping."""
    p = copy.deepcopy(body)
    rnd = random.Random(draw(st.integers(0, 2**32)))
    flip = lambda: rnd.random() < 0.5  # noqa: E731
    pick = lambda xs: xs[rnd.randrange(len(xs))]  # noqa: E731
    others = [f for f in codec.MAX_FIELDS if f != codec.max_tokens_field]  # none on mistral, deepseek
    if others and codec.max_tokens_field in p and flip():
        p[others[0]] = p.pop(codec.max_tokens_field)
    if isinstance(p.get("stop"), list) and len(p["stop"]) == 1 and flip():
        p["stop"] = p["stop"][0]
    if flip():
        p["x_root_extra"] = pick(_RAW_VALUES)
    for tool in p.get("tools", []):
        fn = tool.get("function")
        if isinstance(fn, dict) and fn.get("parameters") == {"type": "object"} and flip():
            del fn["parameters"]
    undo_auto(p, pick)
    for m in p["messages"]:
        if isinstance(m.get("content"), str) and flip():
            m["content"] = [{"type": "text", "text": m["content"]}]
        if m["role"] == "assistant" and "content" not in m and flip():
            m["content"] = pick([None, []])
        if m["role"] == "tool" and flip():
            m["x_tool_extra"] = 1
        for call in m.get("tool_calls", []):
            fn = call.get("function", {})
            if "arguments" in fn and flip():
                try:
                    fn["arguments"] = json.dumps(json.loads(fn["arguments"]), indent=1)
                except ValueError:
                    pass
        for part in m["content"] if isinstance(m.get("content"), list) else []:
            undo_mark(part, flip)
            if part.get("type") in ("text", "image_url") and flip():
                part["x_part_extra"] = pick(_RAW_VALUES)
    return p


def undo_auto(p: dict[str, Any], pick: Any) -> None:
    if p.get("prompt_cache_options") == {"mode": "implicit", "ttl": "30m"}:
        p["prompt_cache_options"] = pick([{}, {"mode": "implicit"}, {"ttl": "30m"}, {"mode": "implicit", "ttl": "30m"}])


def undo_mark(part: dict[str, Any], flip: Any) -> None:
    mark = part.get("prompt_cache_breakpoint")
    if isinstance(mark, dict) and mark.get("ttl") == "30m" and flip():
        del mark["ttl"]


# -- replies, usage and streams --------------------------------------------------------------------


def reply_facts(reply: Any) -> dict[str, Any]:
    """``prompt_tokens`` includes cache reads and writes; the buckets add up to the totals."""
    facts: dict[str, Any] = {"id": reply.get("id")}
    choices = reply.get("choices")
    if choices:
        facts["raw_stop_reason"] = choices[0].get("finish_reason")
    raw = reply.get("usage")
    if isinstance(raw, dict):
        facts["usage.input_tokens"] = raw["prompt_tokens"]
        facts["usage.output_tokens"] = raw["completion_tokens"]
        if "total_tokens" in raw:
            facts["usage.total_tokens"] = raw["total_tokens"]
    return facts


def raw_usage(u: Usage) -> dict[str, Any]:
    """The Chat ``CompletionUsage`` a provider would report for ``u`` (test-local encoder)."""
    assert u.uncached_input_tokens is not None and u.output_tokens is not None
    assert u.cache_read_tokens is not None and u.cache_write_tokens is not None
    prompt = u.uncached_input_tokens + u.cache_read_tokens + u.cache_write_tokens
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": u.output_tokens,
        "total_tokens": prompt + u.output_tokens,
        "prompt_tokens_details": {"cached_tokens": u.cache_read_tokens, "cache_write_tokens": u.cache_write_tokens},
    }
    if u.reasoning_tokens is not None:
        out["completion_tokens_details"] = {"reasoning_tokens": u.reasoning_tokens}
    return out


def chat_usages() -> st.SearchStrategy[Usage]:
    n = st.integers(0, 2_000_000)

    @st.composite
    def build(draw: st.DrawFn) -> Usage:
        out = draw(n)
        return Usage(
            uncached_input_tokens=draw(n),
            cache_read_tokens=draw(n),
            cache_write_tokens=draw(n),
            output_tokens=out,
            reasoning_tokens=draw(st.none() | st.integers(0, out)),
        )

    return build()


def completion(model: str, message: dict[str, Any], finish: str, usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "r-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": usage,
    }


def reported_usages(extra: dict[str, Any] | None = None) -> st.SearchStrategy[ReportedUsage]:
    """Random buckets in a completion's raw usage (plus ``extra`` raw usage fields)."""
    return chat_usages().map(
        lambda u: ReportedUsage(
            usage=u,
            reply=completion("m", {"role": "assistant", "content": "x"}, "stop", {**raw_usage(u), **(extra or {})}),
        )
    )


@st.composite
def streamed_replies(draw: st.DrawFn) -> StreamedReply:
    """A whole reply (text and/or tool calls) and the same reply cut into random chunks."""
    text = draw(st.text(max_size=30))
    calls: list[dict[str, Any]] = [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {
                "name": draw(st.sampled_from(["f", "g"])),
                "arguments": json.dumps(draw(irs.json_objects()), indent=draw(st.sampled_from([None, 1]))),
            },
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    usage = raw_usage(draw(chat_usages()))
    finish = "tool_calls" if calls else draw(st.sampled_from(["stop", "length", "content_filter"]))
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = calls
    whole = completion("gpt-5.6", message, finish, usage)

    def cuts(s: str) -> list[str]:
        points = sorted(draw(st.sets(st.integers(1, max(1, len(s) - 1)), max_size=3))) if len(s) > 1 else []
        return [s[a:b] for a, b in zip([0, *points], [*points, len(s)], strict=True) if s[a:b]]

    base: dict[str, Any] = {"id": "r-1", "object": "chat.completion.chunk", "created": 0, "model": "gpt-5.6"}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    chunks += [
        {**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]} for piece in cuts(text)
    ]
    for i, call in enumerate(calls):
        head = {
            "index": i,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        chunks.append({**base, "choices": [{"index": 0, "delta": {"tool_calls": [head]}, "finish_reason": None}]})
        for piece in cuts(call["function"]["arguments"]):
            delta = {"tool_calls": [{"index": i, "function": {"arguments": piece}}]}
            chunks.append({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    chunks.append({**base, "choices": [], "usage": usage})
    # chunks arrive as JSON text, unnamed (``data:`` lines)
    return StreamedReply(whole=whole, events=[(None, json.dumps(c)) for c in chunks])


# -- the official openai SDK: chat.completions.create over an offline httpx.MockTransport ---------

_COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
}


class _Capture:
    """An ``openai.OpenAI`` client whose transport records the JSON it sends."""

    def __init__(self) -> None:
        import httpx
        import openai

        self.bodies: list[Any] = []
        http = httpx.Client(transport=httpx.MockTransport(self))
        # typed against httpx2, the SDK takes an httpx client as well
        self.client = openai.OpenAI(api_key="x", base_url="https://api.test/v1", http_client=http)  # type: ignore[arg-type]

    def __call__(self, request: Any) -> Any:
        import httpx

        self.bodies.append(json.loads(request.content))
        if self.bodies[-1].get("stream"):
            return httpx.Response(200, text="data: [DONE]\n\n", headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=_COMPLETION)


@functools.cache
def _capture() -> _Capture:
    return _Capture()


def sdk_send(codec: Codec, body: dict[str, Any]) -> Any:
    """The JSON ``chat.completions.create`` sends for our body (typed fields as keywords, the rest
    in ``extra_body``)."""
    capture = _capture()
    before = len(capture.bodies)
    capture.client.chat.completions.create(**codec.sdk_kwargs(body))
    assert len(capture.bodies) == before + 1
    return capture.bodies[-1]


def _with_model(body: dict[str, Any]) -> dict[str, Any]:
    return {"model": "m", **body}  # the SDK requires a model; the IR may leave it to the URL


SDK = SdkCheck(
    requires=("openai",),
    sent=lambda codec, e: sdk_send(codec, _with_model(e.body)),
    expected=lambda codec, e: _with_model(e.body),
)

CASE = ConformanceCase(
    name=NAME,
    # every drawn request under the default and each option that changes the wire
    options=({}, {"system_role": "system"}, {"max_tokens_field": "max_tokens"}, {"explicit_breakpoints": False}),
    requests=ir_requests(NAME),
    variants=decanonicalize,
    variants_canonicalize_to_body=False,  # they add unknown fields, which decode keeps raw
    documented=TESTS / "payloads" / NAME,
    replies=TESTS / "responses" / NAME,
    reply_facts=reply_facts,
    fixture_coverage={"cache_read_tokens": 1, "cache_write_tokens": 1},
    usages=reported_usages(),
    streams=streamed_replies(),
    sdk=SDK,
    max_examples={"streams": 200},
)
