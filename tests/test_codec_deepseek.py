"""The deepseek codec: its own rules (cache hit / miss usage, reasoning_content, text only, no
cache marks, OpenAI fields it lacks). The invariant properties, documented payloads and replies run
in the shared suite (tests/test_conformance.py, case in tests/conformance/deepseek.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ir_codec import get_codec
from ir_codec.conformance import feed, load_fixture
from ir_codec.errors import LossKind
from ir_codec.invariant import check_request, check_wire
from ir_codec.ir import CacheControl, Message, Request, Text, Thinking, Usage

from .conformance.openai_chat import completion

NAME = "deepseek"
CODEC = get_codec(NAME)
HERE = Path(__file__).resolve().parent / "responses" / NAME


@pytest.mark.parametrize(
    ("raw", "usage"),
    [
        (  # hits + misses = prompt_tokens
            {
                "prompt_tokens": 1280,
                "completion_tokens": 14,
                "prompt_cache_hit_tokens": 1216,
                "prompt_cache_miss_tokens": 64,
            },
            Usage(uncached_input_tokens=64, cache_read_tokens=1216, output_tokens=14),
        ),
        (  # the hit count wins over OpenAI's cached_tokens
            {
                "prompt_tokens": 100,
                "completion_tokens": 5,
                "prompt_tokens_details": {"cached_tokens": 0},
                "prompt_cache_hit_tokens": 64,
                "prompt_cache_miss_tokens": 36,
            },
            Usage(uncached_input_tokens=36, cache_read_tokens=64, output_tokens=5),
        ),
        (  # only the hit count: the misses are what is left of prompt_tokens
            {"prompt_tokens": 100, "completion_tokens": 5, "prompt_cache_hit_tokens": 64},
            Usage(uncached_input_tokens=36, cache_read_tokens=64, output_tokens=5),
        ),
        (  # reasoning tokens are part of the output
            {
                "prompt_tokens": 20,
                "completion_tokens": 120,
                "completion_tokens_details": {"reasoning_tokens": 102},
                "prompt_cache_hit_tokens": 0,
                "prompt_cache_miss_tokens": 20,
            },
            Usage(uncached_input_tokens=20, cache_read_tokens=0, output_tokens=120, reasoning_tokens=102),
        ),
    ],
)
def test_usage_buckets(raw: dict[str, int], usage: Usage) -> None:
    r = CODEC.decode_response(completion("deepseek-chat", {"role": "assistant", "content": "a"}, "stop", raw))
    assert r.usage == usage
    assert r.usage.input_tokens == raw["prompt_tokens"]


def test_reasoning_content_is_thinking_whole_and_streamed() -> None:
    spec = load_fixture(HERE / "reasoner.stream.json")
    want = [Thinking(text="Count the r's: st-r-awbe-r-r-y."), Text(text="There are three.")]
    assert CODEC.decode_response(spec["response"]).content == want
    assert feed(CODEC, spec["events"]).finish().content == want


def test_insufficient_system_resource_is_an_error() -> None:
    r = CODEC.decode_response(
        completion(
            "m",
            {"role": "assistant", "content": "a"},
            "insufficient_system_resource",
            {"prompt_tokens": 1, "completion_tokens": 1},
        )
    )
    assert (r.stop_reason, r.raw_stop_reason) == ("error", "insufficient_system_resource")


def test_no_marks_and_missing_openai_fields() -> None:
    req = Request(
        model="deepseek-chat",
        seed=1,
        cache_key="k",
        cache=CacheControl(),
        max_tokens=10,
        messages=[Message(role="user", content=[Text(text="q", cache=CacheControl())])],
    )
    e = check_request(CODEC, req)
    assert e.body == {"model": "deepseek-chat", "messages": [{"role": "user", "content": "q"}], "max_tokens": 10}
    assert [(w.path, w.kind) for w in e.warnings] == [
        ("seed", LossKind.DROPPED),
        ("cache_key", LossKind.DROPPED),
        ("messages[0].content[0].cache", LossKind.DROPPED),
        ("cache", LossKind.DROPPED),
    ]


def test_openai_fields_deepseek_lacks_travel_raw() -> None:
    payload = {
        "model": "deepseek-chat",
        "messages": [{"role": "user", "content": "q"}],
        "seed": 1,
        "n": 2,
        "user": "u",
        "max_completion_tokens": 5,
        "prompt_cache_breakpoint": {"mode": "explicit"},
    }
    ir = CODEC.decode(payload)
    assert (ir.seed, ir.n, ir.user, ir.max_tokens) == (None, None, None, None)
    assert set(ir.provider_options[NAME]) == {"seed", "n", "user", "max_completion_tokens", "prompt_cache_breakpoint"}
    check_wire(CODEC, payload)
