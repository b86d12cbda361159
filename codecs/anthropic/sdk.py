"""The official SDK's form of a Messages body: keyword arguments of ``messages.create``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SDK_TYPED", "sdk_kwargs"]

SDK_TYPED: frozenset[str] = frozenset(
    {
        "max_tokens",
        "messages",
        "model",
        "cache_control",
        "container",
        "diagnostics",
        "inference_geo",
        "metadata",
        "output_config",
        "service_tier",
        "speed",
        "stop_sequences",
        "stream",
        "system",
        "thinking",
        "tool_choice",
        "tools",
    }
)
"""Keyword arguments of ``Messages.create`` in SDK 2.x (resources/messages/messages.py);
everything else (sampling parameters, anthropic_version, new fields) goes in ``extra_body``.
``user_profile_id`` and ``workspace_id`` are keyword arguments too, but the SDK sends them as
headers (``anthropic-user-profile-id``, ``anthropic-workspace-id``), so a body field stays in
``extra_body``."""


def sdk_kwargs(body: Mapping[str, Any], *, model: str | None = None, **options: Any) -> dict[str, Any]:
    """Split ``body`` into typed ``messages.create`` arguments and ``extra_body``.

    >>> sdk_kwargs({"model": "m", "max_tokens": 5, "messages": [], "top_k": 3})
    {'model': 'm', 'max_tokens': 5, 'messages': [], 'extra_body': {'top_k': 3}}
    """
    kwargs = {k: v for k, v in body.items() if k in SDK_TYPED}
    extra = {k: v for k, v in body.items() if k not in SDK_TYPED}
    if extra:
        kwargs["extra_body"] = extra
    if model is not None:  # the model of a Bedrock or Vertex body (it travels in the URL)
        kwargs["model"] = model
    kwargs.update(options)
    return kwargs
