"""Conformance case of the openrouter codec: the openai-chat case with OpenRouter's own
canonicalizations (Anthropic-style ``cache_control``) and routing fields."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from ir_codec.codec import Codec
from ir_codec.conformance import ConformanceCase, Draw

from . import openai_chat

TESTS = Path(__file__).resolve().parents[1]
NAME = "openrouter"
EPH = {"type": "ephemeral"}


def variants(codec: Codec, body: dict[str, Any], draw: Draw) -> dict[str, Any]:
    """The openai-chat variants, a 5m TTL written out, and OpenRouter's routing fields."""
    p = openai_chat.decanonicalize(codec, body, draw)
    rnd = random.Random(draw(st.integers(0, 2**32)))
    marks = [p.get("cache_control")] + [t.get("cache_control") for t in p.get("tools", [])]
    for m in p["messages"]:
        for part in m["content"] if isinstance(m.get("content"), list) else []:
            marks.append(part.get("cache_control"))
    for mark in marks:
        if mark == EPH and rnd.random() < 0.5:
            mark["ttl"] = "5m"
    if rnd.random() < 0.5:
        p["provider"] = {"order": ["anthropic"], "allow_fallbacks": False}
        p["usage"] = {"include": True}
    return p


CASE = ConformanceCase(
    name=NAME,
    requests=openai_chat.ir_requests(NAME),
    variants=variants,
    variants_canonicalize_to_body=False,  # they add unknown and routing fields, kept raw
    documented=TESTS / "payloads" / NAME,
    replies=TESTS / "responses" / NAME,
    reply_facts=openai_chat.reply_facts,
    fixture_coverage={"cache_read_tokens": 1, "cache_write_tokens": 1},
    # OpenRouter adds its own fields beside the Chat usage
    usages=openai_chat.reported_usages({"cost": 0.5, "is_byok": False}),
    streams=openai_chat.streamed_replies(),
    sdk=openai_chat.SDK,
    max_examples={"streams": 200},
)
