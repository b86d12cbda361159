"""Conformance case of the bedrock-converse codec (Amazon Bedrock Converse / ConverseStream,
botocore as the SDK)."""

from __future__ import annotations

import copy
import functools
import json
import random
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from ir_codec import strategies as irs
from ir_codec.codec import Codec, Encoded
from ir_codec.conformance import ConformanceCase, Draw, ReportedUsage, SdkCheck, StreamedReply
from ir_codec.ir import Request, Usage

TESTS = Path(__file__).resolve().parents[1]
NAME = "bedrock-converse"

# Bedrock blocks the IR has no type for: they travel as ProviderPart / ProviderTool data.
_W = st.text(alphabet="abcdefghij", min_size=1, max_size=8)
PROVIDER_DATA = st.one_of(
    _W.map(lambda w: {"video": {"format": "mp4", "source": {"s3Location": {"uri": f"s3://bucket-a/{w}.mp4"}}}}),
    _W.map(lambda w: {"guardContent": {"text": {"text": w}}}),
    _W.map(lambda w: {"searchResult": {"source": "https://example.com", "title": w, "content": [{"text": w}]}}),
)
PROVIDER_TOOLS = _W.map(lambda w: {"systemTool": {"name": "sys_" + w}})


def ir_requests(codecs: tuple[str, ...] = (NAME,)) -> st.SearchStrategy[Request]:
    return irs.requests(codecs=codecs, provider_data={NAME: PROVIDER_DATA}, provider_tools={NAME: PROVIDER_TOOLS})


def variants(codec: Codec, body: dict[str, Any], draw: Draw) -> dict[str, Any]:
    """Rewrite an encoded body into one of its equivalent wire forms (CANONICALIZATIONS), chosen
    by one drawn seed (many small draws would cost more than the checks)."""
    rnd = random.Random(draw(st.integers(0, 2**32)))
    flip = lambda: rnd.random() < 0.5  # noqa: E731
    p = copy.deepcopy(body)
    lists: list[list[Any]] = []
    if "toolConfig" in p:
        lists.append(p["toolConfig"]["tools"])
    lists.append(p.setdefault("system", []))
    for m in p.setdefault("messages", []):
        lists.append(m["content"])
        for b in m["content"]:
            if "toolResult" in b and "status" not in b["toolResult"] and flip():
                b["toolResult"]["status"] = "success"
    for items in lists:
        for b in items:
            if "cachePoint" in b and "ttl" not in b["cachePoint"] and flip():
                b["cachePoint"]["ttl"] = "5m"
    # a trailing cachePoint may open the next non-empty list instead
    for n, items in enumerate(lists):
        nxt = next((ls for ls in lists[n + 1 :] if ls), None)
        if items and "cachePoint" in items[-1] and nxt is not None and flip():
            nxt.insert(0, items.pop())
    if flip():
        p.setdefault("inferenceConfig", {})
    if flip():
        p.setdefault("outputConfig", {})
    if flip():
        p.setdefault("additionalModelRequestFields", {})
    js = p.get("outputConfig", {}).get("textFormat", {}).get("structure", {}).get("jsonSchema")
    if js is not None:
        js["schema"] = json.dumps(json.loads(js["schema"]), indent=1)
    first = next((ls for ls in lists if ls), None)
    if first is not None and flip():
        # a cachePoint with nothing before it in prefix order caches nothing
        first.insert(0, {"cachePoint": {"type": "default"}})
    return p


# ---------------------------------------------------------------------------------------------
# Replies, usage and streams


def reply_facts(reply: Any) -> dict[str, Any]:
    """inputTokens is the uncached input only (AWS prompt-caching guide): the disjoint buckets
    and the output add up to the reported total."""
    facts: dict[str, Any] = {"raw_stop_reason": reply.get("stopReason")}
    raw = reply.get("usage")
    if isinstance(raw, dict):
        facts["usage.total_tokens"] = raw["totalTokens"]
    return facts


def raw_usage(u: Usage, with_details: bool) -> dict[str, Any]:
    """Bedrock TokenUsage for ``u`` (test-local encoder; totals include the cache buckets)."""
    raw: dict[str, Any] = {
        "inputTokens": u.uncached_input_tokens,
        "outputTokens": u.output_tokens,
        "totalTokens": u.total_tokens,
        "cacheReadInputTokens": u.cache_read_tokens,
        "cacheWriteInputTokens": u.cache_write_tokens,
    }
    if with_details:
        details = []
        if u.cache_write_1h_tokens:  # sorted 1h before 5m, empty when nothing was written
            details.append({"ttl": "1h", "inputTokens": u.cache_write_1h_tokens})
        if u.cache_write_5m_tokens:
            details.append({"ttl": "5m", "inputTokens": u.cache_write_5m_tokens})
        raw["cacheDetails"] = details
    return raw


N = st.integers(0, 5_000_000)


@st.composite
def usages(draw: st.DrawFn) -> tuple[Usage, dict[str, Any]]:
    uncached, read, w5, w1, out, with_details = (draw(N), draw(N), draw(N), draw(N), draw(N), draw(st.booleans()))
    u = Usage(
        uncached_input_tokens=uncached,
        cache_read_tokens=read,
        cache_write_tokens=w5 + w1,
        cache_write_5m_tokens=w5 if with_details else None,
        cache_write_1h_tokens=w1 if with_details else None,
        output_tokens=out,
    )
    return u, raw_usage(u, with_details)


def _reported(u: Usage, raw: dict[str, Any]) -> ReportedUsage:
    body: dict[str, Any] = {
        "output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
        "stopReason": "end_turn",
        "usage": raw,
        "metrics": {"latencyMs": 1},
    }
    # the stream's metadata event carries the same TokenUsage
    return ReportedUsage(
        usage=u, reply=body, events=[(None, {"metadata": {"usage": raw, "metrics": {"latencyMs": 1}}})]
    )


reported_usages = usages().map(lambda d: _reported(*d))

_TEXT = st.text(max_size=12)


@st.composite
def streamed_replies(draw: st.DrawFn) -> StreamedReply:
    """A ConverseResponse of text, reasoning and tool-use blocks, and the ConverseStream events
    that carry it in random pieces (event type as the name, or as the event's only member)."""
    content: list[dict[str, Any]] = []
    events: list[tuple[str, dict[str, Any]]] = [("messageStart", {"role": "assistant"})]
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "reasoning", "redacted", "tool"]))
        if kind == "text":
            pieces = draw(st.lists(_TEXT, min_size=1, max_size=3))
            content.append({"text": "".join(pieces)})
            events += [("contentBlockDelta", {"delta": {"text": t}, "contentBlockIndex": i}) for t in pieces]
        elif kind == "reasoning":
            pieces = draw(st.lists(_TEXT, min_size=1, max_size=3))
            text: dict[str, Any] = {"text": "".join(pieces)}
            events += [
                ("contentBlockDelta", {"delta": {"reasoningContent": {"text": t}}, "contentBlockIndex": i})
                for t in pieces
            ]
            if draw(st.booleans()):
                text["signature"] = draw(st.sampled_from(["EqQBCkYIBxgC", "c2ln"]))
                delta = {"reasoningContent": {"signature": text["signature"]}}
                events.append(("contentBlockDelta", {"delta": delta, "contentBlockIndex": i}))
            content.append({"reasoningContent": {"reasoningText": text}})
        elif kind == "redacted":
            data = draw(st.sampled_from(["cmVkYWN0ZWQ=", "AAEC"]))
            content.append({"reasoningContent": {"redactedContent": data}})
            delta = {"reasoningContent": {"redactedContent": data}}
            events.append(("contentBlockDelta", {"delta": delta, "contentBlockIndex": i}))
        else:
            use = {"toolUseId": "tooluse_" + draw(_TEXT), "name": draw(st.sampled_from(["f", "get_weather"]))}
            args = draw(irs.json_objects(4))
            content.append({"toolUse": {**use, "input": args}})
            events.append(("contentBlockStart", {"start": {"toolUse": use}, "contentBlockIndex": i}))
            text_args = json.dumps(args)
            cut = draw(st.integers(0, len(text_args)))
            events += [
                ("contentBlockDelta", {"delta": {"toolUse": {"input": piece}}, "contentBlockIndex": i})
                for piece in (text_args[:cut], text_args[cut:])
            ]
        events.append(("contentBlockStop", {"contentBlockIndex": i}))
    stop = draw(st.sampled_from(["end_turn", "tool_use", "max_tokens", "stop_sequence", "guardrail_intervened"]))
    _, raw = draw(usages())
    metrics = {"latencyMs": draw(st.integers(0, 9999))}
    events.append(("messageStop", {"stopReason": stop}))
    events.append(("metadata", {"usage": raw, "metrics": metrics}))
    whole = {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": raw,
        "metrics": metrics,
    }
    named = draw(st.booleans())
    return StreamedReply(whole=whole, events=[(name, data) if named else (None, {name: data}) for name, data in events])


# ---------------------------------------------------------------------------------------------
# botocore: every boto3 form of a generated request passes botocore's own parameter validation
# for bedrock-runtime Converse and ConverseStream, and the JSON body botocore serializes from it
# (offline: botocore.serialize, rest-json) is exactly our wire body.

MODEL_ID = "anthropic.claude-opus-5-v1:0"


@functools.cache
def botocore_models() -> tuple[Any, Any, Any, Any]:
    """(Converse, ConverseStream, a ParamValidator, a rest-json serializer)."""
    from botocore.serialize import create_serializer
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    model = get_session().get_service_model("bedrock-runtime")
    converse, stream = model.operation_model("Converse"), model.operation_model("ConverseStream")
    return converse, stream, ParamValidator(), create_serializer("rest-json")


def botocore_validate(kwargs: dict[str, Any]) -> None:
    converse, stream, validator, _ = botocore_models()
    for op in (converse, stream):
        report = validator.validate(kwargs, op.input_shape)
        assert not report.has_errors(), report.generate_report()


def botocore_body(kwargs: dict[str, Any]) -> bytes:
    converse, _, _, serializer = botocore_models()
    req = serializer.serialize_to_request(kwargs, converse)
    assert req["url_path"].endswith("/converse")
    assert MODEL_ID.replace(":", "%3A") in req["url_path"]
    return bytes(req["body"])


def sdk_sent(codec: Codec, e: Encoded) -> Any:
    kwargs = e.sdk_kwargs(model_id=MODEL_ID)
    botocore_validate(kwargs)
    body = botocore_body(kwargs)
    # botocore keeps the parameter order and uses json.dumps: byte-identical to json.dumps(body)
    assert body == json.dumps(e.body).encode()
    return json.loads(body)


SDK = SdkCheck(
    requires=("botocore",),
    sent=sdk_sent,
    expected=lambda codec, e: json.loads(e.to_json()),
    # Requests without this codec's raw provider_options: those are free-form wire fields by design
    # (x_... in the strategies) that botocore would rightly reject as unknown parameters.
    requests=ir_requests(codecs=()),
)

CASE = ConformanceCase(
    name=NAME,
    requests=ir_requests(),
    variants=variants,
    variants_decode_to_body_ir=True,  # every canonicalization happens on decode
    documented=TESTS / "payloads" / NAME,
    replies=TESTS / "responses" / NAME,
    reply_facts=reply_facts,
    fixture_coverage={"cache_read_tokens": 1, "cache_write_tokens": 1},
    usages=reported_usages,
    streams=streamed_replies(),
    sse=False,  # ConverseStream is AWS event-stream framing, not SSE
    sdk=SDK,
)
