"""The official SDK form of a Responses request body: keyword arguments for
``openai.OpenAI().responses.create`` (``openai/resources/responses/responses.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SDK_TYPED", "sdk_kwargs"]

SDK_TYPED: frozenset[str] = frozenset(
    {
        "access_programs",
        "background",
        "background_options",
        "context_management",
        "conversation",
        "image",
        "include",
        "input",
        "instructions",
        "max_output_tokens",
        "max_tool_calls",
        "metadata",
        "model",
        "moderation",
        "parallel_tool_calls",
        "previous_response_id",
        "prompt",
        "prompt_cache_key",
        "prompt_cache_options",
        "prompt_cache_retention",
        "reasoning",
        "safety_identifier",
        "service_tier",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "text",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "truncation",
        "user",
    }
)
"""The typed parameters of ``Responses.create`` (openai 3.54; a test compares them with the
installed SDK's signature). The SDK is not imported: ``sdk_kwargs`` works without it."""


def sdk_kwargs(body: Mapping[str, Any], *, model: str | None = None, **options: Any) -> dict[str, Any]:
    """Keyword arguments for ``openai.OpenAI().responses.create``: typed parameters by name,
    every other field in ``extra_body``; ``model`` replaces the body's, ``options`` (``timeout``,
    ``extra_headers``, ...) are added as given."""
    kw: dict[str, Any] = {k: v for k, v in body.items() if k in SDK_TYPED}
    extra = {k: v for k, v in body.items() if k not in SDK_TYPED}
    if extra:
        kw["extra_body"] = extra
    if model is not None:
        kw["model"] = model
    kw.update(options)
    return kw
