"""The official ``openai`` SDK's form of a Chat Completions body: ``sdk_kwargs``.

``client.chat.completions.create`` takes the typed request fields as keyword arguments and the
rest in ``extra_body`` (openai SDK 3.54.0 ``resources/chat/completions/completions.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SDK_TYPED_FIELDS", "sdk_kwargs"]

SDK_TYPED_FIELDS = frozenset(
    {
        "messages",
        "model",
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "metadata",
        "modalities",
        "moderation",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "prompt_cache_options",
        "prompt_cache_retention",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    }
)
"""Keyword arguments of ``chat.completions.create``."""


def sdk_kwargs(body: Mapping[str, Any], *, model: str | None = None, **options: Any) -> dict[str, Any]:
    """Typed fields as keywords, the rest in ``extra_body``; ``model`` replaces the body's,
    ``options`` (``timeout``, ``extra_headers``, ...) are added as given."""
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for k, v in body.items():
        (kwargs if k in SDK_TYPED_FIELDS else extra)[k] = v
    if extra:
        kwargs["extra_body"] = extra
    if model is not None:
        kwargs["model"] = model
    kwargs.update(options)
    return kwargs
