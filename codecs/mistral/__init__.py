"""Mistral La Plateforme chat (``POST https://api.mistral.ai/v1/chat/completions``), the ``mistral``
codec: a flavor of ``openai-chat`` (:class:`~ir_codec.codecs.openai_chat.ChatFlavor`).

Mistral takes an OpenAI-Chat-shaped body (PROVIDERS.md §13; ``mistralai`` SDK 3.7.0,
``mistralai/client/models/chatcompletionrequest.py``). What differs from ``openai-chat``, each a
declaration below:

* ``random_seed`` instead of ``seed``; ``top_k`` is a request field; there is no ``user``.
* ``tool_choice`` ``"any"`` where OpenAI says ``"required"`` (``toolchoiceenum.py`` takes both;
  a wire ``"required"`` is not read as an IR mode and travels raw).
* Tool-call ids are 9 characters ``[a-zA-Z0-9]``: an IR id that does not match is sent as a
  derived 9-character id (reported ``changed``); a wire id reads back as itself.
* No cache marks on the chat endpoint (the SDK's chat chunk types have none): the profile's cache
  rules allow no mark and the planner reports every mark lost; ``prompt_cache_key`` is carried.
* Content: text and ``image_url`` parts (``contentchunk.py``); Mistral's ``input_audio`` is a bare
  string and its ``file`` part is ``{"file_id"}``, unlike OpenAI's, so audio and documents are
  reported dropped. Tool messages take images too (``toolmessage.py``).
* System role ``system`` only; ``max_tokens`` only; ``finish_reason`` ``model_length``.
* ``safe_prompt``, ``prompt_mode``, ``min_tokens``, ``prediction``, ... travel in
  ``provider_options["mistral"]``.
* A reply's content may be a list of chunks (``ChatFlavor.REPLY_CONTENT_CHUNKS``): a reasoning
  model's ``thinking`` chunk is a Thinking, written back as a chunk.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from msgspec import UNSET, UnsetType

from ir_codec.codec import register
from ir_codec.codecs.openai_chat import ChatFlavor, OpenAIChatCodec, WChatRequest
from ir_codec.ir import StopReason
from ir_codec.profile import NO_CACHE, CodecProfile

__all__ = ["MistralCodec", "MistralFlavor", "MistralRequest"]


class MistralRequest(WChatRequest):
    """``ChatCompletionRequest`` of the mistralai SDK, for the fields this codec maps or checks."""

    random_seed: int | None | UnsetType = UNSET
    top_k: int | None | UnsetType = UNSET
    safe_prompt: bool | UnsetType = UNSET
    prompt_cache_options: Any = UNSET  # not a Mistral field: kept raw


class MistralFlavor(ChatFlavor):
    """Mistral's differences from the OpenAI Chat wire."""

    MAX_TOKENS_FIELDS: ClassVar[tuple[str, ...]] = ("max_tokens",)
    SYSTEM_ROLES: ClassVar[tuple[str, ...]] = ("system",)
    RENAMED_FIELDS: ClassVar[dict[str, str]] = {"seed": "random_seed"}
    ABSENT_FIELDS: ClassVar[frozenset[str]] = frozenset({"user"})
    EXTRA_FIELDS: ClassVar[dict[str, str]] = {"top_k": "top_k"}
    TOOL_CHOICE_MODES: ClassVar[dict[str, str]] = {"auto": "auto", "none": "none", "required": "any"}
    ROLE_PARTS: ClassVar[dict[str, frozenset[str]]] = {
        "system": frozenset({"text"}),
        "user": frozenset({"text", "image_url"}),
        "assistant": frozenset({"text"}),
        "tool": frozenset({"text", "image_url"}),
    }
    MARK_KEY: ClassVar[str | None] = None
    AUTO_CACHE_KEY: ClassVar[str | None] = None
    TOOL_CALL_ID_PATTERN: ClassVar[re.Pattern[str] | None] = re.compile("[a-zA-Z0-9]{9}")
    TOOL_CALL_ID_LENGTH: ClassVar[int] = 9
    STOP_REASONS: ClassVar[dict[str, StopReason]] = {"model_length": "max_tokens"}
    """``chatcompletionchoice.py``: the context window was reached."""
    REASONING_FIELDS: ClassVar[tuple[str, ...]] = ()
    """The SDK's ``AssistantMessage`` has no reasoning field (assistantmessage.py)."""
    REASONING_DETAILS_FIELD: ClassVar[str | None] = None
    WHOLE_STREAMED_TOOL_CALLS: ClassVar[bool] = True
    """``CompletionChunk`` tool calls require ``function.name`` (completionchunk.py, ``ToolCall``)."""
    STREAM_OPTIONS: ClassVar[dict[str, Any] | None] = None
    """``ChatCompletionStreamRequest`` has no ``stream_options`` (chatcompletionstreamrequest.py)."""
    REPLY_REFUSAL: ClassVar[bool] = False
    """The assistant message has no ``refusal`` field: a refusal is sent as text."""
    REPLY_USAGE_REQUIRED: ClassVar[bool] = True
    """``ChatCompletionResponse.usage`` is required (chatcompletionresponse.py)."""
    REPLY_CONTENT_CHUNKS: ClassVar[bool] = True
    """``AssistantMessage.content``: a string or a list of ``ContentChunk`` (contentchunk.py);
    reasoning models answer with a ``thinking`` chunk (thinkchunk.py) before the text."""


@register
class MistralCodec(OpenAIChatCodec):
    """Mistral chat request bodies.

    >>> from ir_codec import get_codec, Request, Message, Text
    >>> get_codec("mistral").encode(Request(model="mistral-large-latest", seed=7,
    ...     messages=[Message(role="user", content=[Text(text="Hi")])])).body["random_seed"]
    7
    """

    NAME: ClassVar[str] = "mistral"
    """Registered name."""
    FLAVOR: ClassVar[ChatFlavor] = MistralFlavor()
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.mistral.ai/v1"
    ENDPOINT: ClassVar[str] = "/chat/completions"
    REQUIRED_FIELDS: ClassVar[frozenset[str]] = frozenset({"model"})
    """SDK ``chatcompletionrequest.py``: ``model: str`` (required)."""
    WIRE_REQUEST: ClassVar[type[Any]] = MistralRequest
    """The request body type."""
    PROFILE: ClassVar[CodecProfile | None] = CodecProfile(
        cache=NO_CACHE,
        passes=("plan_cache_breakpoints",),
        unsupported={
            "user": "mistral has no user field",
            "reasoning": "mistral has no thinking configuration (only reasoning_effort / prompt_mode)",
        },
        carries=(
            "the openai-chat body with `random_seed`, tool_choice `any`, 9-character tool-call ids, top_k, "
            "`prompt_cache_key`, text and image_url parts (also in tool messages), and `safe_prompt` / "
            "`prompt_mode` / `min_tokens` / `prediction` as options; replies' `thinking` content chunks"
        ),
        loses=(
            "every cache mark and automatic caching, user, thinking configuration, audio and documents, refusals, "
            "tool-call ids that are not 9 alphanumerics (sent derived)"
        ),
    )
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = tuple(
        c
        for c in OpenAIChatCodec.CANONICALIZATIONS
        if "prompt_cache" not in c and "max-tokens" not in c and "stream_options" not in c
    )
    """Wire forms that decode to the same IR; :meth:`canonicalize` rewrites them."""
