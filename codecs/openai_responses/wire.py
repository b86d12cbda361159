"""OpenAI Responses wire types and the wire rules both directions share.

Wire Structs mirror the ``openai`` SDK 3.54.0 types under ``openai/types/responses/``
(``response_create_params.py``, ``easy_input_message_param.py``, ``response_input_*_param.py``,
``response_function_tool_call_param.py``, ``response_reasoning_item_param.py``,
``response_output_message_param.py``, ``function_tool_param.py``, ``response.py``,
``response_usage.py``), each named ``W`` + the SDK type name without its ``Param`` suffix. They
validate shapes and types; unknown fields are allowed (they travel in ``provider_options``), so
no ``forbid_unknown_fields``.

Also here, because lowering, lifting and :func:`~.canonical.canonicalize` must agree on them:
the part and item tags, the defaults the wire fills in, and the data-URL form of inline bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from ir_codec.ir import CacheTtl, ProviderOptions

__all__ = [
    "DEFAULT_DETAIL",
    "DEFAULT_TTL",
    "INPUT_PARTS",
    "ITEM_TYPES",
    "JOIN",
    "NAME",
    "OUTPUT_PARTS",
    "PART_TYPES",
    "TTLS",
    "WEasyInputMessage",
    "WFunctionCallOutput",
    "WFunctionTool",
    "WInputTokensDetails",
    "WOutputTokensDetails",
    "WPromptCacheBreakpoint",
    "WPromptCacheOptions",
    "WResponse",
    "WResponseCreateParams",
    "WResponseFunctionToolCall",
    "WResponseInputFile",
    "WResponseInputImage",
    "WResponseInputItem",
    "WResponseInputText",
    "WResponseOutputRefusal",
    "WResponseOutputText",
    "WResponseReasoningItem",
    "WResponseUsage",
    "WStruct",
    "WSummary",
    "WTool",
    "canon_args",
    "data_url",
    "json_key",
    "opts",
    "parse_data_url",
]

NAME = "openai-responses"
"""The registered codec name; also the key of this codec's ``provider_options``."""


class WStruct(msgspec.Struct, omit_defaults=True):
    """Base of every wire Struct: absent fields stay absent on encode."""


# --------------------------------------------------------------------------------------------
# Request: input parts


class WPromptCacheBreakpoint(WStruct):
    """``PromptCacheBreakpoint`` (response_input_text_param.py)."""

    mode: Literal["explicit"]
    ttl: Literal["30m", "12h"] | UnsetType = UNSET


class WResponseInputText(WStruct):
    type: Literal["input_text"]
    text: str
    prompt_cache_breakpoint: WPromptCacheBreakpoint | None | UnsetType = UNSET


class WResponseInputImage(WStruct):
    type: Literal["input_image"]
    detail: Literal["low", "high", "auto", "original"] | None | UnsetType = UNSET
    image_url: str | None | UnsetType = UNSET
    file_id: str | None | UnsetType = UNSET
    prompt_cache_breakpoint: WPromptCacheBreakpoint | None | UnsetType = UNSET


class WResponseInputFile(WStruct):
    type: Literal["input_file"]
    detail: Literal["auto", "low", "high"] | UnsetType = UNSET
    file_data: str | None | UnsetType = UNSET
    file_id: str | None | UnsetType = UNSET
    file_url: str | None | UnsetType = UNSET
    filename: str | None | UnsetType = UNSET
    prompt_cache_breakpoint: WPromptCacheBreakpoint | None | UnsetType = UNSET


class WResponseOutputText(WStruct):
    type: Literal["output_text"]
    text: str
    annotations: list[dict[str, Any]] | UnsetType = UNSET
    logprobs: list[dict[str, Any]] | UnsetType = UNSET


class WResponseOutputRefusal(WStruct):
    type: Literal["refusal"]
    refusal: str


# --------------------------------------------------------------------------------------------
# Request: input items


class WEasyInputMessage(WStruct):
    role: Literal["user", "assistant", "system", "developer"]
    content: str | list[dict[str, Any]]
    type: Literal["message"] | UnsetType = UNSET
    id: str | UnsetType = UNSET
    status: Literal["in_progress", "completed", "incomplete"] | None | UnsetType = UNSET
    phase: Literal["commentary", "final_answer"] | None | UnsetType = UNSET


class WResponseFunctionToolCall(WStruct):
    type: Literal["function_call"]
    call_id: str
    name: str
    arguments: str
    id: str | UnsetType = UNSET
    status: Literal["in_progress", "completed", "incomplete"] | UnsetType = UNSET


class WFunctionCallOutput(WStruct):
    type: Literal["function_call_output"]
    output: str | list[dict[str, Any]]
    call_id: str | None | UnsetType = UNSET
    id: str | None | UnsetType = UNSET


class WSummary(WStruct):
    type: Literal["summary_text"]
    text: str


class WResponseReasoningItem(WStruct):
    type: Literal["reasoning"]
    id: str
    summary: list[WSummary]
    encrypted_content: str | None | UnsetType = UNSET
    content: list[dict[str, Any]] | UnsetType = UNSET


class WResponseInputItem(WStruct):
    """Any other input item: only its ``type`` is checked."""

    type: str | UnsetType = UNSET


# --------------------------------------------------------------------------------------------
# Request: tools and the body


class WFunctionTool(WStruct):
    type: Literal["function"]
    name: str
    parameters: dict[str, Any] | None
    strict: bool | None | UnsetType = UNSET
    description: str | None | UnsetType = UNSET


class WTool(WStruct):
    type: str


class WPromptCacheOptions(WStruct):
    mode: Literal["implicit", "explicit"] | UnsetType = UNSET
    ttl: Literal["30m", "12h"] | UnsetType = UNSET
    prewarm: bool | UnsetType = UNSET
    comparison_response_id: str | None | UnsetType = UNSET


class WResponseCreateParams(WStruct):
    """``ResponseCreateParamsBase`` (response_create_params.py): the fields this codec reads."""

    model: str | UnsetType = UNSET
    input: str | list[dict[str, Any]] | UnsetType = UNSET
    instructions: str | None | UnsetType = UNSET
    tools: list[dict[str, Any]] | UnsetType = UNSET
    tool_choice: str | dict[str, Any] | UnsetType = UNSET
    parallel_tool_calls: bool | None | UnsetType = UNSET
    max_output_tokens: int | None | UnsetType = UNSET
    temperature: float | None | UnsetType = UNSET
    top_p: float | None | UnsetType = UNSET
    text: dict[str, Any] | UnsetType = UNSET
    reasoning: dict[str, Any] | None | UnsetType = UNSET
    metadata: dict[str, str] | None | UnsetType = UNSET
    safety_identifier: str | None | UnsetType = UNSET
    user: str | UnsetType = UNSET
    stream: bool | None | UnsetType = UNSET
    store: bool | None | UnsetType = UNSET
    previous_response_id: str | None | UnsetType = UNSET
    conversation: str | dict[str, Any] | None | UnsetType = UNSET
    prompt_cache_key: str | None | UnsetType = UNSET
    prompt_cache_retention: Literal["in_memory", "24h"] | None | UnsetType = UNSET
    prompt_cache_options: WPromptCacheOptions | UnsetType = UNSET
    include: list[str] | None | UnsetType = UNSET


# --------------------------------------------------------------------------------------------
# Responses


class WInputTokensDetails(WStruct):
    cached_tokens: Annotated[int, msgspec.Meta(ge=0)] | None = None
    cache_write_tokens: Annotated[int, msgspec.Meta(ge=0)] | None = None
    cache_write_tokens_details: dict[str, Annotated[int, msgspec.Meta(ge=0)]] | None = None


class WOutputTokensDetails(WStruct):
    reasoning_tokens: Annotated[int, msgspec.Meta(ge=0)] | None = None


class WResponseUsage(WStruct):
    """``ResponseUsage`` (response_usage.py). The counts are optional: OpenAI-compatible
    servers leave some out (PROVIDERS.md §13); one not reported is ``None`` in the IR."""

    input_tokens: Annotated[int, msgspec.Meta(ge=0)] | None = None
    output_tokens: Annotated[int, msgspec.Meta(ge=0)] | None = None
    input_tokens_details: WInputTokensDetails | None = None
    output_tokens_details: WOutputTokensDetails | None = None
    total_tokens: int | None = None


class WResponse(WStruct):
    """``Response`` (response.py): the fields this codec reads."""

    id: str | None = None
    model: str | None = None
    output: list[dict[str, Any]] | None = None
    status: str | None = None
    incomplete_details: dict[str, Any] | None = None
    usage: WResponseUsage | None = None


# --------------------------------------------------------------------------------------------
# Tags, defaults and wire forms both directions share

PART_TYPES: dict[str, type[WStruct]] = {
    "input_text": WResponseInputText,
    "input_image": WResponseInputImage,
    "input_file": WResponseInputFile,
    "output_text": WResponseOutputText,
    "refusal": WResponseOutputRefusal,
}
"""Content part tag -> its wire Struct."""
INPUT_PARTS = frozenset({"input_text", "input_image", "input_file"})
"""Parts of user, system and developer messages (and of ``function_call_output`` lists)."""
OUTPUT_PARTS = frozenset({"output_text", "refusal"})
"""Parts of assistant messages (earlier output sent back)."""
ITEM_TYPES: dict[str, type[WStruct]] = {
    "message": WEasyInputMessage,
    "function_call": WResponseFunctionToolCall,
    "function_call_output": WFunctionCallOutput,
    "reasoning": WResponseReasoningItem,
}
"""Input item tag -> its wire Struct; any other item is checked as :class:`WResponseInputItem`."""
DEFAULT_TTL = CacheTtl.THIRTY_MINUTES
"""``prompt_cache_options.ttl`` "defaults to 30m" (response_create_params.py)."""
DEFAULT_DETAIL = "auto"
"""``detail`` is required on ``input_image`` (response_input_image_param.py) and "defaults to
auto"; the codec writes ``auto`` when the IR says nothing and keeps any other value in
provider_options."""
TTLS = {"30m": CacheTtl.THIRTY_MINUTES, "12h": CacheTtl.TWELVE_HOURS}
"""Wire TTL -> IR tier (``PromptCacheOptions.ttl`` / ``PromptCacheBreakpoint.ttl``)."""
JOIN = "\n\n"
"""Joins several system blocks into ``instructions``, and several reasoning summaries."""

_DATA_URL = re.compile(r"data:([^;,]+);base64,(.*)", re.S)


def type_of(obj: Mapping[str, Any]) -> str | None:
    """The ``type`` of a raw item or part when it is a string (an opaque part's data may hold
    anything there), else ``None``."""
    t = obj.get("type")
    return t if isinstance(t, str) else None


def opts(fields: Mapping[str, Any]) -> ProviderOptions:
    """``provider_options`` holding ``fields`` under this codec's name (empty when there are none)."""
    return {NAME: dict(fields)} if fields else {}


def data_url(media_type: str, data: str) -> str:
    """Inline bytes as a ``data:`` URL (how ``input_image.image_url`` / ``input_file.file_data``
    carry them)."""
    return f"data:{media_type};base64,{data}"


def parse_data_url(url: str) -> tuple[str, str] | None:
    """(media type, base64 data) of a base64 ``data:`` URL, else ``None``."""
    m = _DATA_URL.fullmatch(url)
    return (m.group(1), m.group(2)) if m else None


def canon_args(value: Any) -> str:
    """The compact JSON text the codec writes as ``function_call.arguments``."""
    return msgspec.json.encode(value).decode()


def json_key(value: Any) -> bytes:
    """A key under which two JSON values compare equal exactly when they are the same value."""
    return msgspec.json.encode(value, order="sorted")
