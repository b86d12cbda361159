"""OpenRouter chat (``POST /api/v1/chat/completions``), the ``openrouter`` codec: a flavor of
``openai-chat`` (:class:`~ir_codec.codecs.openai_chat.ChatFlavor`).

OpenRouter takes the OpenAI Chat body plus its own fields (``openrouter`` SDK 1.3.84,
``components/chatrequest.py``; PROVIDERS.md §8). What differs from ``openai-chat``, each a
declaration below:

* Cache marks are Anthropic-style ``cache_control: {"type": "ephemeral", "ttl"?: "5m"|"1h"}``
  on text parts (``chatcontenttext.py``) and on tools, as a sibling of ``type`` and ``function``
  (``chatfunctiontool.py``); image, audio and file parts take none. The request-level IR
  ``cache`` is the top-level ``cache_control`` (automatic caching,
  ``anthropiccachecontroldirective.py``). The planner applies the Anthropic rules of the models
  behind it: at most 4 marks (the automatic one takes a slot), tiers 5m/1h, longer TTLs first.
  OpenAI-style ``prompt_cache_breakpoint`` markers and ``prompt_cache_options`` are kept raw in
  provider_options (OpenRouter converts between the two styles itself).
* ``top_k`` is a request field; ``provider``, ``models``, ``plugins``, ``usage``, ``reasoning``,
  ``session_id``, ... travel in ``provider_options["openrouter"]``.
* ``tool`` messages take image, audio and file parts (``chattoolmessage.py``: ``ChatContentItems``).
* System messages use the role ``system`` by default; ``max_tokens`` is the default max field.
* ``model`` may be absent (the account's default model).
"""

from __future__ import annotations

from typing import Any, ClassVar

from msgspec import UNSET, UnsetType

from ir_codec.codec import register
from ir_codec.codecs.openai_chat import ChatFlavor, OpenAIChatCodec, WChatRequest
from ir_codec.ir import CacheControl, CacheTtl
from ir_codec.profile import EVERY_FAMILY, CacheRules, CodecProfile

__all__ = ["OpenRouterCodec", "OpenRouterFlavor", "OpenRouterRequest"]


class OpenRouterRequest(WChatRequest):
    """``ChatRequest`` of the openrouter SDK, for the fields this codec maps or checks."""

    prompt_cache_options: dict[str, Any] | None | UnsetType = UNSET  # type: ignore[assignment]
    top_k: int | None | UnsetType = UNSET
    cache_control: dict[str, Any] | UnsetType = UNSET
    models: list[str] | UnsetType = UNSET


_MARK_FIELDS = frozenset({"type", "ttl"})
_MARKS = {"5m": CacheControl(ttl=CacheTtl.FIVE_MINUTES), "1h": CacheControl(ttl=CacheTtl.ONE_HOUR)}
"""The IR marks of ``cache_control`` TTLs (IR nodes are frozen: one each serves every request)."""


class OpenRouterFlavor(ChatFlavor):
    """OpenRouter's differences from the OpenAI Chat wire."""

    MAX_TOKENS_FIELDS: ClassVar[tuple[str, ...]] = ("max_tokens", "max_completion_tokens")
    SYSTEM_ROLES: ClassVar[tuple[str, ...]] = ("system", "developer")
    """Most upstream models know only ``system``."""
    EXTRA_FIELDS: ClassVar[dict[str, str]] = {"top_k": "top_k"}
    ABSENT_FIELDS: ClassVar[frozenset[str]] = frozenset({"n"})
    """Its schema and SDK (``chatrequest.py``) have no ``n`` (PROVIDERS.md §13)."""
    REFUSAL_FIELD: ClassVar[str | None] = "refusal"
    """A refusal is the assistant message's string field, not a content part (PROVIDERS.md §13)."""
    ROLE_PARTS: ClassVar[dict[str, frozenset[str]]] = {
        **ChatFlavor.ROLE_PARTS,
        "assistant": frozenset({"text"}),  # a refusal is the message's field (REFUSAL_FIELD)
        "tool": frozenset({"text", "image_url", "input_audio", "file"}),
    }
    MARK_KEY: ClassVar[str | None] = "cache_control"
    REPLY_DEFAULTS: ClassVar[dict[str, Any]] = {"system_fingerprint": None}
    """``ChatResult.system_fingerprint`` is ``Nullable[str]`` without a default (chatresult.py)."""
    AUTO_CACHE_KEY: ClassVar[str | None] = "cache_control"
    REQUEST_REASONING: ClassVar[bool] = True
    """``ChatAssistantMessage.reasoning_details`` (``chatassistantmessage.py``): the reasoning a
    reply gave, sent back with the turn ("Preserving reasoning blocks", OR-DOC reasoning tokens)."""
    REASONING_FORMATS: ClassVar[dict[str, str]] = {
        "anthropic": "anthropic-claude-v1",
        "gemini": "google-gemini-v1",
        "openai": "openai-responses-v1",
    }
    """The ``ReasoningFormat`` values (``reasoningformat.py``) of the three signature families."""

    def write_mark(self, cache: CacheControl) -> dict[str, Any]:
        """``ChatContentCacheControl``: 5m is the default TTL and is not written."""
        if cache.ttl is CacheTtl.FIVE_MINUTES:
            return {"type": "ephemeral"}
        return {"type": "ephemeral", "ttl": cache.ttl.value}

    def read_mark(self, value: Any) -> CacheControl | None:
        """``{"type": "ephemeral", "ttl"?: "5m"|"1h"}``; anything else stays raw."""
        if not isinstance(value, dict) or not value.keys() <= _MARK_FIELDS or value.get("type") != "ephemeral":
            return None
        ttl = value.get("ttl", "5m")
        return _MARKS.get(ttl) if type(ttl) is str else None

    def write_auto_cache(self, cache: CacheControl) -> dict[str, Any]:
        """The top-level ``cache_control`` (``AnthropicCacheControlDirective``) has the mark's form."""
        return self.write_mark(cache)

    def read_auto_cache(self, value: Any) -> CacheControl | None:
        return self.read_mark(value)


@register
class OpenRouterCodec(OpenAIChatCodec):
    """OpenRouter chat request bodies.

    >>> from ir_codec import get_codec, Request, Message, Text, CacheControl
    >>> get_codec("openrouter").encode(Request(model="anthropic/claude-opus-5", cache=CacheControl(),
    ...     messages=[Message(role="user", content=[Text(text="Hi")])])).body["cache_control"]
    {'type': 'ephemeral'}
    """

    NAME: ClassVar[str] = "openrouter"
    """Registered name."""
    FLAVOR: ClassVar[ChatFlavor] = OpenRouterFlavor()
    DEFAULT_BASE_URL: ClassVar[str] = "https://openrouter.ai/api/v1"
    REPLY_ERRORS: ClassVar[bool] = True
    """A choice that finishes with ``"error"`` says it (``error``: ``code``, ``message``)."""
    # -- IR check (issue 9, item 4) ------------------------------------------------------------
    REQUIRED_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """``model`` may be absent: OpenRouter then uses the account's default model (PROVIDERS.md
    section 8; OR-SDK ``chatrequest.py``: ``model: NotRequired[str]``)."""
    WIRE_REQUEST: ClassVar[type[Any]] = OpenRouterRequest
    """The request body type."""
    PROFILE: ClassVar[CodecProfile | None] = CodecProfile(
        # Anthropic's limits, which OpenRouter passes through (OR-DOC prompt caching):
        # 4 marks, AnthropicCacheControlTTL 5m / 1h, longer TTLs before shorter ones.
        cache=CacheRules(
            max_breakpoints=4,
            ttls=(CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR),
            native_automatic=True,
            tools_markable=True,
            system_markable=True,
            nested_markable=True,
            parts=frozenset({"text", "image"}),  # cache_control on image_url is seen accepted (§13)
            ttl_order=True,
        ),
        passes=("plan_cache_breakpoints",),
        signatures=EVERY_FAMILY,  # each reasoning detail's format names its family
        redacted_thinking=True,  # reasoning.encrypted
        unsupported={
            "reasoning": "openrouter has no thinking configuration (only reasoning_effort)",
            "n": "openrouter has no n (one completion per request)",
        },
        carries=(
            "the openai-chat body plus Anthropic-style `cache_control` on text and image parts and tools and top-level "
            "automatic caching (4 breakpoints, 5m / 1h, TTL order), top_k, an assistant turn's thinking and redacted "
            "thinking as `reasoning_details` (signatures kept, their family as `format`), and `provider` / `models` / "
            "`usage` / `session_id` / `plugins` as options"
        ),
        loses=(
            "as `openai-chat` except an assistant turn's reasoning, n, the thinking configuration, and 30m / 12h TTLs "
            "sent as 1h; several refusals in one turn are joined"
        ),
    )
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = (
        *(c for c in OpenAIChatCodec.CANONICALIZATIONS if "prompt_cache" not in c),
        'a cache_control with ttl "5m" == one without ttl (5m is the default)',
    )
    """Wire forms that decode to the same IR; :meth:`canonicalize` rewrites them."""
