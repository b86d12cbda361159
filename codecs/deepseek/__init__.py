"""DeepSeek chat (``POST https://api.deepseek.com/chat/completions``), the ``deepseek`` codec: a
flavor of ``openai-chat`` (:class:`~ir_codec.codecs.openai_chat.ChatFlavor`).

DeepSeek takes an OpenAI-Chat-shaped body (PROVIDERS.md §13; DeepSeek API reference "Create Chat
Completion": ``model``, ``messages``, ``max_tokens``, ``temperature``, ``top_p``, ``stop``,
``stream``, ``stream_options``, ``tools``, ``tool_choice``, ``response_format``,
``frequency_penalty``, ``presence_penalty``, ``logprobs``, ``top_logprobs``). What differs from
``openai-chat``, each a declaration below:

* Context caching on disk is automatic: there are no cache marks and no request-level knob; the
  profile's cache rules allow no mark, so the planner reports every mark lost.
* Usage reports ``prompt_cache_hit_tokens`` / ``prompt_cache_miss_tokens`` (their sum is
  ``prompt_tokens``): the IR cache-read and uncached-input buckets.
* ``deepseek-reasoner`` returns ``reasoning_content`` on the assistant message and in stream
  deltas: a Thinking part.
* Text only (no image, audio or file parts); system role ``system``; ``max_tokens`` only;
  ``seed``, ``n``, ``user``, ``metadata``, ``parallel_tool_calls``, ``reasoning_effort`` and
  ``prompt_cache_key`` are not fields of the API (kept raw when a payload has them);
  ``finish_reason`` ``insufficient_system_resource``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from msgspec import UNSET

from ir_codec.codec import register
from ir_codec.codecs.openai_chat import ChatFlavor, OpenAIChatCodec, WChatRequest
from ir_codec.ir import StopReason
from ir_codec.profile import NO_CACHE, CodecProfile

__all__ = ["DeepSeekCodec", "DeepSeekFlavor", "DeepSeekRequest"]

_ABSENT = {
    "seed": "seed",
    "n": "n",
    "user": "user",
    "metadata": "metadata",
    "parallel_tool_calls": "parallel_tool_calls",
    "reasoning_effort": "reasoning_effort",
    "prompt_cache_key": "cache_key",
}
"""OpenAI fields DeepSeek does not have -> the IR field each one carries."""


class DeepSeekRequest(WChatRequest):
    """The request body; OpenAI fields DeepSeek lacks are raw values of any type."""

    seed: Any = UNSET
    n: Any = UNSET
    user: Any = UNSET
    metadata: Any = UNSET
    parallel_tool_calls: Any = UNSET
    reasoning_effort: Any = UNSET
    prompt_cache_key: Any = UNSET
    prompt_cache_options: Any = UNSET


class DeepSeekFlavor(ChatFlavor):
    """DeepSeek's differences from the OpenAI Chat wire."""

    MAX_TOKENS_FIELDS: ClassVar[tuple[str, ...]] = ("max_tokens",)
    SYSTEM_ROLES: ClassVar[tuple[str, ...]] = ("system",)
    ABSENT_FIELDS: ClassVar[frozenset[str]] = frozenset(_ABSENT)
    ROLE_PARTS: ClassVar[dict[str, frozenset[str]]] = {
        "system": frozenset({"text"}),
        "user": frozenset({"text"}),
        "assistant": frozenset({"text"}),
        "tool": frozenset({"text"}),
    }
    MARK_KEY: ClassVar[str | None] = None
    AUTO_CACHE_KEY: ClassVar[str | None] = None
    STOP_REASONS: ClassVar[dict[str, StopReason]] = {"insufficient_system_resource": "error"}
    """The request was cut short for want of capacity (API reference, ``finish_reason``)."""
    REASONING_FIELDS: ClassVar[tuple[str, ...]] = ("reasoning_content",)
    REASONING_DETAILS_FIELD: ClassVar[str | None] = None
    REPLY_REFUSAL: ClassVar[bool] = False
    """The assistant message has no ``refusal`` field: a refusal is sent as text."""
    USAGE_FIELDS: ClassVar[dict[str, str]] = {
        "prompt_cache_hit_tokens": "cache_read_tokens",
        "prompt_cache_miss_tokens": "uncached_input_tokens",
    }


@register
class DeepSeekCodec(OpenAIChatCodec):
    """DeepSeek chat request bodies.

    >>> from ir_codec import get_codec, Request, Message, Text
    >>> get_codec("deepseek").encode(Request(model="deepseek-chat", max_tokens=100,
    ...     messages=[Message(role="user", content=[Text(text="Hi")])])).body
    {'model': 'deepseek-chat', 'messages': [{'role': 'user', 'content': 'Hi'}], 'max_tokens': 100}
    """

    NAME: ClassVar[str] = "deepseek"
    """Registered name."""
    FLAVOR: ClassVar[ChatFlavor] = DeepSeekFlavor()
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.deepseek.com"
    ENDPOINT: ClassVar[str] = "/chat/completions"
    REQUIRED_FIELDS: ClassVar[frozenset[str]] = frozenset({"model"})
    """API reference: ``model`` is required."""
    WIRE_REQUEST: ClassVar[type[Any]] = DeepSeekRequest
    """The request body type."""
    PROFILE: ClassVar[CodecProfile | None] = CodecProfile(
        cache=NO_CACHE,
        passes=("plan_cache_breakpoints",),
        unsupported={
            **{ir: f"deepseek has no {wire}" for wire, ir in _ABSENT.items()},
            "top_k": "deepseek has no top_k",
            "reasoning": "deepseek has no thinking configuration (the model decides)",
        },
        carries=(
            "system, user, assistant and tool messages with text; tool calls, tools, tool_choice, "
            "response_format, max_tokens, temperature, top_p, stop; automatic disk caching (usage: cache "
            "hits and misses), `reasoning_content` read as thinking"
        ),
        loses=(
            "every cache mark and automatic caching (caching is automatic), images, audio, documents, refusals, "
            "seed, n, user, metadata, parallel_tool_calls, reasoning_effort, prompt_cache_key, top_k, thinking"
        ),
    )
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = tuple(
        c for c in OpenAIChatCodec.CANONICALIZATIONS if "prompt_cache" not in c and "max-tokens" not in c
    )
    """Wire forms that decode to the same IR; :meth:`canonicalize` rewrites them."""
