"""gemini responses, streams and usage: fixtures, usage buckets, streamed == whole decoding."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec import get_codec
from ir_codec.errors import DecodeError
from ir_codec.ir import Text, Thinking, ToolUse, Usage

CODEC = get_codec("gemini")
ROOT = Path(__file__).resolve().parent / "responses" / "gemini"
WHOLE = sorted(p for p in ROOT.glob("*.json") if not p.name.endswith(".stream.json"))
STREAMS = sorted(ROOT.glob("*.stream.json"))


def _load(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(path.read_text())
    assert spec.get("doc"), "each fixture names the document it follows"
    return spec


@pytest.mark.parametrize("path", WHOLE, ids=[p.stem for p in WHOLE])
def test_fixture_usage(path: Path) -> None:
    spec = _load(path)
    resp = CODEC.decode_response(spec["response"])
    assert resp.usage == msgspec.convert(spec["usage"], Usage)
    raw = spec["response"]["usageMetadata"]
    # the disjoint buckets add up to the provider's own total
    assert resp.usage.total_tokens == raw["totalTokenCount"]
    assert resp.usage.cache_write_tokens == 0  # Gemini reports no cache writes


def test_fixture_set_covers_cache_reads() -> None:
    reads = [p for p in WHOLE if _load(p)["usage"].get("cache_read_tokens")]
    assert len(WHOLE) >= 3 and len(reads) >= 2 and STREAMS


def test_whole_response_content_and_stop_reason() -> None:
    resp = CODEC.decode_response(_load(ROOT / "function_call_with_thoughts.json")["response"])
    assert resp.id == "resp-abc-003" and resp.model == "gemini-3-pro"
    assert resp.content == [
        Thinking(text="User wants the weather; call the tool."),
        ToolUse(
            id="get_weather_0",
            name="get_weather",
            input={"city": "Paris"},
            provider_options={"gemini": {"thoughtSignature": "Q2lRQjRJbXVk"}},
        ),
    ]
    assert (resp.stop_reason, resp.raw_stop_reason) == ("tool_use", "STOP")
    assert resp.provider_options["gemini"]["candidate"] == {"index": 0, "safetyRatings": []}


@pytest.mark.parametrize(
    ("finish", "stop"),
    [
        ("STOP", "end_turn"),
        ("MAX_TOKENS", "max_tokens"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
        ("MALFORMED_FUNCTION_CALL", "error"),
        ("OTHER", "other"),
        ("SOMETHING_NEW", "other"),
    ],
)
def test_finish_reasons(finish: str, stop: str) -> None:
    body = {"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": finish}]}
    resp = CODEC.decode_response(body)
    assert (resp.stop_reason, resp.raw_stop_reason) == (stop, finish)


def test_prompt_blocked() -> None:
    resp = CODEC.decode_response(_load(ROOT / "prompt_blocked.json")["response"])
    assert (resp.stop_reason, resp.raw_stop_reason, resp.content) == ("content_filter", "PROHIBITED_CONTENT", [])


def test_other_candidates_stay_raw() -> None:
    second = {"content": {"parts": [{"text": "b"}]}, "finishReason": "STOP", "index": 1}
    body = {"candidates": [{"content": {"parts": [{"text": "a"}]}, "finishReason": "STOP", "index": 0}, second]}
    resp = CODEC.decode_response(body)
    assert resp.content == [Text(text="a")]
    assert resp.provider_options == {"gemini": {"candidates": [second], "candidate": {"index": 0}}}


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ("[", "$"),
        ([], "$"),
        ({"candidates": {}}, "$.candidates"),
        ({"candidates": [{"content": {"parts": [{"text": 1}]}}]}, "$.candidates[0].content.parts[0].text"),
        ({"usageMetadata": {"promptTokenCount": "9"}}, "$.usageMetadata.promptTokenCount"),
        (
            {"candidates": [{"content": {"parts": [{"functionCall": {"args": {}}}]}}]},
            "$.candidates[0].content.parts[0].functionCall",
        ),
    ],
)
def test_response_decode_errors(payload: Any, path: str) -> None:
    with pytest.raises(DecodeError) as exc:
        CODEC.decode_response(payload)
    assert exc.value.path == path


# ---------------------------------------------------------------------------------------------
# Usage property: random buckets -> raw usageMetadata -> the same buckets


def _raw_usage(u: Usage, tool_prompt: int) -> dict[str, Any]:
    """Gemini's shape for the IR buckets: prompt includes cached; thoughts beside candidates;
    tool-use prompt tokens are input; total is the sum of the four counters."""
    assert u.reasoning_tokens is not None
    prompt = u.uncached_input_tokens + u.cache_read_tokens - tool_prompt
    candidates = u.output_tokens - u.reasoning_tokens
    raw = {
        "promptTokenCount": prompt,
        "cachedContentTokenCount": u.cache_read_tokens,
        "candidatesTokenCount": candidates,
        "thoughtsTokenCount": u.reasoning_tokens,
        "toolUsePromptTokenCount": tool_prompt,
        "totalTokenCount": prompt + candidates + tool_prompt + u.reasoning_tokens,
    }
    return {k: v for k, v in raw.items() if v or k in ("promptTokenCount", "thoughtsTokenCount", "totalTokenCount")}


@st.composite
def _usages(draw: st.DrawFn) -> tuple[Usage, int]:
    n = st.integers(0, 2_000_000)
    out = draw(n)
    uncached = draw(n)
    usage = Usage(
        uncached_input_tokens=uncached,
        cache_read_tokens=draw(n),
        cache_write_tokens=0,
        output_tokens=out,
        reasoning_tokens=draw(st.integers(0, out)),
    )
    return usage, draw(st.integers(0, uncached))


@given(_usages())
def test_usage_buckets_round_trip(case: tuple[Usage, int]) -> None:
    usage, tool_prompt = case
    raw = _raw_usage(usage, tool_prompt)
    got = CODEC.decode_response({"usageMetadata": raw}).usage
    assert got == usage
    assert got.total_tokens == raw["totalTokenCount"]


# ---------------------------------------------------------------------------------------------
# Streams


def _stream(events: list[Any]) -> Any:
    dec = CODEC.stream_decoder()
    for name, data in events:
        dec.feed(data, name)
    return dec


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
def test_stream_equals_whole(path: Path) -> None:
    spec = _load(path)
    dec = _stream(spec["events"])
    whole = CODEC.decode_response(spec["response"])
    assert dec.finish() == whole
    # the IR events alone (what a UI renders) give the same parts, minus wire-only options
    plain = [msgspec.structs.replace(p, provider_options={}) for p in whole.content]
    assert dec.assembler.response().content == plain
    assert dec.assembler.usage == whole.usage
    assert dec.assembler.stop_reason == whole.stop_reason


def test_stream_accepts_sse_text() -> None:
    from ir_codec.stream import parse_sse

    spec = _load(ROOT / "function_calls.stream.json")
    lines = []
    for _, data in spec["events"]:
        lines += [f"data: {json.dumps(data)}", ""]
    dec = CODEC.stream_decoder()
    for name, data in parse_sse(lines):
        dec.feed(data, name)
    resp = dec.finish()
    assert [p.id for p in resp.content if isinstance(p, ToolUse)] == ["get_weather_0", "get_weather_1"]
    assert resp.stop_reason == "tool_use"


_TEXT = st.text(alphabet=string.ascii_letters + " .", max_size=30)
_SIG = st.none() | st.sampled_from(["c2ln", "dGhpbms="])


@st.composite
def _whole_and_chunks(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A whole reply and a chunking of it as Gemini streams it."""
    parts: list[dict[str, Any]] = []
    chunk_parts: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "thought", "call"]))
        if kind == "call":
            call: dict[str, Any] = {"name": draw(st.sampled_from(["f", "g"])), "args": {"a": draw(st.integers())}}
            part: dict[str, Any] = {"functionCall": call}
            if draw(st.booleans()):
                call["id"] = "id_" + draw(st.text(string.ascii_lowercase, min_size=1, max_size=4))
            parts.append(part)
            chunk_parts.append(part)
            continue
        thought = kind == "thought"
        if (
            parts
            and "text" in parts[-1]
            and bool(parts[-1].get("thought")) == thought
            and "thoughtSignature" not in parts[-1]
        ):
            continue  # two adjacent unsigned text parts of one kind would stream as one
        pieces = draw(st.lists(_TEXT, min_size=1, max_size=3))
        sig = draw(_SIG)
        whole: dict[str, Any] = {"text": "".join(pieces)}
        flag = {"thought": True} if thought else {}
        whole.update(flag)
        if sig is not None:
            whole["thoughtSignature"] = sig
        parts.append(whole)
        for k, piece in enumerate(pieces):
            c: dict[str, Any] = {"text": piece, **flag}
            if k == len(pieces) - 1 and sig is not None:
                c["thoughtSignature"] = sig
            chunk_parts.append(c)
    usage = {"promptTokenCount": draw(st.integers(0, 99)), "candidatesTokenCount": draw(st.integers(0, 99))}
    usage["totalTokenCount"] = usage["promptTokenCount"] + usage["candidatesTokenCount"]
    finish = draw(st.sampled_from(["STOP", "MAX_TOKENS", "SAFETY"]))
    whole_resp = {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}],
        "usageMetadata": usage,
        "modelVersion": "gemini-x",
        "responseId": "r1",
    }
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(chunk_parts))), max_size=3)) | {len(chunk_parts)})
    chunks: list[dict[str, Any]] = []
    start = 0
    for end in cuts:
        chunks.append(
            {
                "candidates": [{"content": {"role": "model", "parts": chunk_parts[start:end]}, "index": 0}],
                "modelVersion": "gemini-x",
                "responseId": "r1",
            }
        )
        start = end
    chunks[-1]["candidates"][0]["finishReason"] = finish
    chunks[-1]["usageMetadata"] = usage
    return whole_resp, chunks


@given(_whole_and_chunks())
def test_streamed_and_whole_decoding_agree(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    whole, chunks = case
    dec = _stream([[None, c] for c in chunks])
    expected = CODEC.decode_response(whole)
    assert dec.finish() == expected
    plain = [msgspec.structs.replace(p, provider_options={}) for p in expected.content]
    assert dec.assembler.response().content == plain
