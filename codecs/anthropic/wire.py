"""Wire types of the Anthropic Messages body, its constants and the body form of each platform.

Structs mirror the SDK's ``anthropic/types/*_param.py`` (requests) and ``types/message.py``,
``usage.py`` (replies). Unknown fields are allowed (decode keeps them in ``provider_options``);
known fields are type-checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

__all__ = [
    "API_2026",
    "EFFORTS",
    "FAMILY",
    "IMAGE_MEDIA_TYPES",
    "DIRECT_VERSIONS",
    "LEGACY_VERSIONS",
    "SAMPLING_FIELDS",
    "MAPPED",
    "BodyForm",
    "WAnyBlock",
    "WBase64Source",
    "WCacheControl",
    "WCacheCreation",
    "WDocumentBlock",
    "WFileSource",
    "WImageBlock",
    "WMessage",
    "WMessageParam",
    "WOutputTokensDetails",
    "WPlainTextSource",
    "WRedactedThinkingBlock",
    "WRequest",
    "WServerTool",
    "WTextBlock",
    "WThinkingBlock",
    "WTool",
    "WToolResultBlock",
    "WToolUseBlock",
    "WUrlSource",
    "WUsage",
    "family_options_of",
    "json_text",
]

FAMILY = "anthropic"
"""The codec name the three codecs share for provider_options and provider parts/tools."""

API_2026 = "2026-10-21"
LEGACY_VERSIONS = frozenset({"2023-06-01", "bedrock-2023-05-31", "vertex-2023-10-16"})
DIRECT_VERSIONS = frozenset({API_2026, "2023-06-01"})
"""Values of the direct API's ``anthropic-version`` header."""
SAMPLING_FIELDS = ("temperature", "top_p", "top_k")
"""Fields the 2026-10-21 version rejects: a direct body with one was written for 2023-06-01."""
"""Versions on which the sampling parameters are still accepted."""

IMAGE_MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
"""src: SDK types/base64_image_source_param.py."""
EFFORTS = frozenset({"low", "medium", "high", "xhigh", "max"})
"""src: SDK types/output_config_param.py."""


@dataclass(frozen=True)
class BodyForm:
    """What one platform's Messages body holds: the direct API has ``model`` and ``stream`` in
    the body; Bedrock InvokeModel has neither (both travel in the URL) and Vertex rawPredict has
    no ``model``; both write ``anthropic_version`` in the body (SDK ``lib/bedrock/_client.py``,
    ``lib/vertex/_client.py``)."""

    codec: str
    """The registered codec name (for messages)."""
    api_version: str
    """The configured API version (the ``api_version`` option)."""
    has_model: bool = True
    has_stream: bool = True
    body_version: bool = False
    """``anthropic_version`` is a body field (Bedrock, Vertex)."""
    legacy_version: str = "2023-06-01"
    """This platform's legacy version: the direct API's ``2023-06-01`` stands for it."""

    def version(self, body_version: object) -> str:
        """The API version that governs a body whose ``anthropic_version`` (or the request's
        ``provider_options["anthropic"]["anthropic_version"]``) is ``body_version``. On the direct
        API that option is the version the body was written for (it travels in the
        ``anthropic-version`` header, :attr:`Encoded.endpoint`), one of :data:`DIRECT_VERSIONS`."""
        if not isinstance(body_version, str):
            return self.api_version
        if body_version in LEGACY_VERSIONS:  # every platform's legacy version stands for this one's
            return self.legacy_version
        if self.body_version or body_version in DIRECT_VERSIONS:
            return body_version
        return self.api_version


MAPPED: dict[str, frozenset[str]] = {
    "request": frozenset(
        {
            "messages",
            "system",
            "tools",
            "stop_sequences",
            "cache_control",
            "temperature",
            "top_p",
            "top_k",
            "max_tokens",
        }
    ),
    "message": frozenset({"role", "content"}),
    "text": frozenset({"type", "text", "cache_control"}),
    "image": frozenset({"type", "source", "cache_control"}),
    "document": frozenset({"type", "source", "title", "context", "cache_control"}),
    "tool_use": frozenset({"type", "id", "name", "input", "cache_control"}),
    "tool_result": frozenset({"type", "tool_use_id", "content", "is_error", "cache_control"}),
    "thinking": frozenset({"type", "thinking", "signature"}),
    "redacted_thinking": frozenset({"type", "data"}),
    "tool": frozenset({"name", "input_schema", "description", "strict", "cache_control"}),
}
"""Fields of each wire object (a block by its tag, ``"request"``, ``"message"``, ``"tool"``) that
lifting always turns into IR fields: ``provider_options`` may not set them, as they would decode
into the IR, not back into ``provider_options`` (and ``model`` / ``stream`` where the body has
them)."""


def family_options_of(unknown: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``provider_options`` holding the family's raw wire fields (none: an empty mapping)."""
    return {FAMILY: unknown} if unknown else {}


def json_text(value: Any) -> str:
    """Compact JSON text, as the wire carries tool inputs and JSON values."""
    return msgspec.json.encode(value).decode()


# ============================================================================================
# Requests (src: SDK anthropic/types/*_param.py)


class _W(msgspec.Struct, kw_only=True, omit_defaults=True):
    pass


class WCacheControl(_W):
    """cache_control_ephemeral_param.py. Fields newer than these are seen accepted (PROVIDERS.md
    §13: ``scope``); decode keeps them in ``provider_options["anthropic"]["cache_control"]``."""

    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | UnsetType = UNSET


_CC = WCacheControl | None | UnsetType


class WTextBlock(_W):
    type: Literal["text"]
    text: str
    cache_control: _CC = UNSET


class WBase64Source(_W, tag_field="type", tag="base64", forbid_unknown_fields=True):
    media_type: str
    data: str


class WUrlSource(_W, tag_field="type", tag="url", forbid_unknown_fields=True):
    url: str


class WFileSource(_W, tag_field="type", tag="file", forbid_unknown_fields=True):
    file_id: str


class WPlainTextSource(_W, tag_field="type", tag="text", forbid_unknown_fields=True):
    media_type: Literal["text/plain"]
    data: str


class WImageBlock(_W):
    type: Literal["image"]
    source: dict[str, Any]
    cache_control: _CC = UNSET


class WDocumentBlock(_W):
    type: Literal["document"]
    source: dict[str, Any]
    title: str | None | UnsetType = UNSET  # document_block_param.py: Optional[str]
    context: str | None | UnsetType = UNSET
    citations: Any = UNSET
    cache_control: _CC = UNSET


class WToolUseBlock(_W):
    type: Literal["tool_use"]
    id: str
    name: str
    input: dict[str, Any]
    cache_control: _CC = UNSET


class WToolResultBlock(_W):
    type: Literal["tool_result"]
    tool_use_id: str
    content: str | list[dict[str, Any]] | UnsetType = UNSET
    is_error: bool | UnsetType = UNSET
    cache_control: _CC = UNSET


class WThinkingBlock(_W):
    type: Literal["thinking"]
    thinking: str
    signature: str


class WRedactedThinkingBlock(_W):
    type: Literal["redacted_thinking"]
    data: str


class WAnyBlock(_W):
    """Any other block (server-tool calls and results, search results, ...): a typed object."""

    type: str
    cache_control: _CC = UNSET


class WMessageParam(_W):
    role: Literal["user", "assistant", "system"]
    content: str | list[dict[str, Any]]


class WTool(_W):
    """tool_param.py (a custom tool; server tools have a ``type`` other than ``custom``)."""

    name: str
    input_schema: dict[str, Any]
    description: str | UnsetType = UNSET
    strict: bool | UnsetType = UNSET
    cache_control: _CC = UNSET


class WServerTool(_W):
    type: str
    cache_control: _CC = UNSET


class WRequest(_W):
    """message_create_params.py (the fields this codec lifts into the IR)."""

    messages: list[dict[str, Any]]
    model: str | UnsetType = UNSET
    max_tokens: int | UnsetType = UNSET
    system: str | list[dict[str, Any]] | UnsetType = UNSET
    tools: list[dict[str, Any]] | UnsetType = UNSET
    tool_choice: dict[str, Any] | UnsetType = UNSET
    stop_sequences: list[str] | UnsetType = UNSET
    metadata: Any = UNSET
    thinking: Any = UNSET
    output_config: Any = UNSET
    cache_control: _CC = UNSET
    stream: bool | UnsetType = UNSET
    temperature: float | UnsetType = UNSET
    top_p: float | UnsetType = UNSET
    top_k: int | UnsetType = UNSET
    anthropic_version: str | UnsetType = UNSET


# ============================================================================================
# Replies (src: SDK types/message.py, usage.py, cache_creation.py, output_tokens_details.py)


class WCacheCreation(_W):
    ephemeral_5m_input_tokens: int = 0
    ephemeral_1h_input_tokens: int = 0


class WOutputTokensDetails(_W):
    thinking_tokens: int = 0


class WUsage(_W):
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_creation: WCacheCreation | None = None
    output_tokens_details: WOutputTokensDetails | None = None


class WMessage(_W):
    """types/message.py: the reply."""

    content: list[dict[str, Any]]
    usage: dict[str, Any]
    id: str | None = None
    model: str | None = None
    stop_reason: str | None = None
