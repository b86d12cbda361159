"""The official ``openai`` SDK as an independent checker of the openai-responses codec.

The property (for generated IR, the JSON body ``client.responses.create(**kwargs)`` sends over a
mock transport equals ours) is ``test_sdk`` of the shared suite (tests/test_conformance.py; the
sender is in tests/conformance/openai_responses.py). Here: the keyword split and the SDK's types.
"""

from __future__ import annotations

import pytest

from ir_codec import get_codec

from .conformance.openai_responses import sdk_send

pytest.importorskip("openai")

CODEC = get_codec("openai-responses")


def test_sdk_kwargs_split_typed_and_extra_fields() -> None:
    body = {"model": "gpt-6", "input": "hi", "x_new_field": 1}
    kw = CODEC.sdk_kwargs(body)
    assert kw == {"model": "gpt-6", "input": "hi", "extra_body": {"x_new_field": 1}}
    assert sdk_send(kw)[1] == body


def test_sdk_accepts_30m_and_12h_prompt_cache_ttl() -> None:
    # PROVIDERS.md 5a: the Responses PromptCacheOptions.ttl literal is "30m" | "12h".
    from typing import get_args, get_type_hints

    from openai.types.responses.response_create_params import PromptCacheOptions
    from openai.types.responses.response_input_text_param import PromptCacheBreakpoint

    assert set(get_args(get_type_hints(PromptCacheOptions)["ttl"])) == {"30m", "12h"}
    assert set(get_args(get_type_hints(PromptCacheBreakpoint)["ttl"])) == {"30m", "12h"}
    assert {t.value for t in CODEC.profile().cache.ttls} == {"30m", "12h"}
