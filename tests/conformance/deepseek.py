"""Conformance case of the deepseek codec: the openai-chat case with DeepSeek's usage (cache hits
and misses, no writes). DeepSeek publishes no SDK of its own (it documents the openai SDK)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from ir_codec.conformance import ConformanceCase, ReportedUsage
from ir_codec.ir import Usage

from . import openai_chat

TESTS = Path(__file__).resolve().parents[1]
NAME = "deepseek"


def raw_usage(u: Usage) -> dict[str, Any]:
    """The usage DeepSeek reports for ``u``: hits + misses = prompt_tokens (test-local encoder)."""
    assert u.uncached_input_tokens is not None and u.cache_read_tokens is not None and u.output_tokens is not None
    prompt = u.uncached_input_tokens + u.cache_read_tokens
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": u.output_tokens,
        "total_tokens": prompt + u.output_tokens,
        "prompt_tokens_details": {"cached_tokens": u.cache_read_tokens},
        "prompt_cache_hit_tokens": u.cache_read_tokens,
        "prompt_cache_miss_tokens": u.uncached_input_tokens,
    }
    if u.reasoning_tokens is not None:
        out["completion_tokens_details"] = {"reasoning_tokens": u.reasoning_tokens}
    return out


@st.composite
def usages(draw: st.DrawFn) -> Usage:
    n = st.integers(0, 2_000_000)
    out = draw(n)
    return Usage(
        uncached_input_tokens=draw(n),
        cache_read_tokens=draw(n),
        output_tokens=out,
        reasoning_tokens=draw(st.none() | st.integers(0, out)),
    )


def reported_usages() -> st.SearchStrategy[ReportedUsage]:
    return usages().map(
        lambda u: ReportedUsage(
            usage=u,
            reply=openai_chat.completion("deepseek-chat", {"role": "assistant", "content": "x"}, "stop", raw_usage(u)),
        )
    )


CASE = ConformanceCase(
    name=NAME,
    requests=openai_chat.ir_requests(NAME),
    variants=openai_chat.decanonicalize,
    variants_canonicalize_to_body=False,  # they add unknown fields, kept raw
    documented=TESTS / "payloads" / NAME,
    replies=TESTS / "responses" / NAME,
    reply_facts=openai_chat.reply_facts,
    fixture_coverage={"cache_read_tokens": 2},
    usages=reported_usages(),
    streams=openai_chat.streamed_replies(),
    max_examples={"streams": 200},
)
