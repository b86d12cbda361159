"""Converse wire types: botocore ``bedrock-runtime`` 2023-09-30 shapes, each named ``W`` + the
shape's name, plus the format tables and value rules of the wire.

Unknown fields are tolerated by the Structs so that provider_options round-trip; the one-key
unions are checked by :func:`check_unions`. A leaf of the package: it imports no other module
of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ir_codec.errors import DecodeError

__all__ = [
    "AUDIO_FORMATS",
    "DEFAULT_DOCUMENT_NAME",
    "DOCUMENT_FORMATS",
    "IMAGE_FORMATS",
    "META_KEY",
    "META_VALUE",
    "NAME",
    "TEXT_DOCUMENT_FORMATS",
    "WAudioBlock",
    "WAudioSource",
    "WCacheDetail",
    "WCachePointBlock",
    "WCitationsConfig",
    "WContentBlock",
    "WContentBlockDelta",
    "WConverseOutput",
    "WConverseRequest",
    "WConverseResponse",
    "WDocumentBlock",
    "WDocumentContentBlock",
    "WDocumentSource",
    "WImageBlock",
    "WImageSource",
    "WInferenceConfiguration",
    "WJsonSchemaDefinition",
    "WMessage",
    "WMessageStopEvent",
    "WOutputConfig",
    "WOutputFormat",
    "WOutputFormatStructure",
    "WReasoningContentBlock",
    "WReasoningContentBlockDelta",
    "WReasoningTextBlock",
    "WS3Location",
    "WSpecificToolChoice",
    "WSystemContentBlock",
    "WTokenUsage",
    "WTool",
    "WToolChoice",
    "WToolConfiguration",
    "WToolInputSchema",
    "WToolResultBlock",
    "WToolResultContentBlock",
    "WToolSpecification",
    "WToolUseBlock",
    "WToolUseBlockDelta",
    "WToolUseBlockStart",
    "check_unions",
    "doc_name",
    "format_for",
    "is_blank",
    "is_s3_uri",
]

NAME = "bedrock-converse"
"""The registered codec name, also the key of this codec's ``provider_options``."""

DEFAULT_DOCUMENT_NAME = "document"
"""``DocumentBlock.name`` is required; an IR document without a name is sent under this name,
and a wire document with this name decodes to ``name=None``."""


class _Wire(msgspec.Struct, kw_only=True, omit_defaults=True):
    pass


# --------------------------------------------------------------------------------------------
# Request (``ConverseRequest``)


class WCachePointBlock(_Wire):
    """``CachePointBlock``: ``type`` is the enum ``CachePointType`` = default; ``ttl`` is ``CacheTTL``."""

    type: Literal["default"]
    ttl: Literal["5m", "1h"] | UnsetType = UNSET


class WS3Location(_Wire):
    uri: str
    bucketOwner: str | UnsetType = UNSET


class WImageSource(_Wire):
    """``ImageSource`` union (``AudioSource`` and ``VideoSource`` have the same members)."""

    bytes: Annotated[str, Meta(min_length=1)] | UnsetType = UNSET
    s3Location: WS3Location | UnsetType = UNSET


class WAudioSource(WImageSource):
    """``AudioSource`` union."""


ImageFormat = Literal["png", "jpeg", "gif", "webp"]
DocumentFormat = Literal["pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"]
AudioFormat = Literal[
    "mp3", "opus", "wav", "aac", "flac", "mp4", "ogg", "mkv", "mka", "x-aac", "m4a", "mpeg", "mpga", "pcm", "webm"
]


class WImageBlock(_Wire):
    format: ImageFormat
    source: WImageSource


class WAudioBlock(_Wire):
    format: AudioFormat
    source: WAudioSource


class WDocumentContentBlock(_Wire):
    text: str


class WDocumentSource(_Wire):
    """``DocumentSource`` union."""

    bytes: Annotated[str, Meta(min_length=1)] | UnsetType = UNSET
    s3Location: WS3Location | UnsetType = UNSET
    text: str | UnsetType = UNSET
    content: list[WDocumentContentBlock] | UnsetType = UNSET


class WCitationsConfig(_Wire):
    enabled: bool


class WDocumentBlock(_Wire):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    source: WDocumentSource
    format: DocumentFormat | UnsetType = UNSET
    context: str | UnsetType = UNSET
    citations: WCitationsConfig | UnsetType = UNSET


class WToolUseBlock(_Wire):
    toolUseId: Annotated[str, Meta(min_length=1, max_length=64)]
    name: Annotated[str, Meta(min_length=1, max_length=64)]
    input: Any
    type: str | UnsetType = UNSET


class WToolResultContentBlock(_Wire):
    """``ToolResultContentBlock`` union."""

    json: Any = UNSET
    text: str | UnsetType = UNSET
    image: WImageBlock | UnsetType = UNSET
    document: WDocumentBlock | UnsetType = UNSET
    video: dict[str, Any] | UnsetType = UNSET
    searchResult: dict[str, Any] | UnsetType = UNSET


class WToolResultBlock(_Wire):
    toolUseId: Annotated[str, Meta(min_length=1, max_length=64)]
    content: list[WToolResultContentBlock]
    status: Literal["success", "error"] | UnsetType = UNSET
    type: str | UnsetType = UNSET


class WReasoningTextBlock(_Wire):
    text: str
    signature: str | UnsetType = UNSET


class WReasoningContentBlock(_Wire):
    """``ReasoningContentBlock`` union."""

    reasoningText: WReasoningTextBlock | UnsetType = UNSET
    redactedContent: str | UnsetType = UNSET


class WContentBlock(_Wire):
    """``ContentBlock`` union."""

    text: str | UnsetType = UNSET
    image: WImageBlock | UnsetType = UNSET
    document: WDocumentBlock | UnsetType = UNSET
    video: dict[str, Any] | UnsetType = UNSET
    audio: WAudioBlock | UnsetType = UNSET
    toolUse: WToolUseBlock | UnsetType = UNSET
    toolResult: WToolResultBlock | UnsetType = UNSET
    guardContent: dict[str, Any] | UnsetType = UNSET
    cachePoint: WCachePointBlock | UnsetType = UNSET
    reasoningContent: WReasoningContentBlock | UnsetType = UNSET
    citationsContent: dict[str, Any] | UnsetType = UNSET
    searchResult: dict[str, Any] | UnsetType = UNSET
    toolAddition: dict[str, Any] | UnsetType = UNSET
    toolRemoval: dict[str, Any] | UnsetType = UNSET


class WMessage(_Wire):
    """``Message`` (in the request's ``messages`` and the response's ``output.message``)."""

    role: Literal["user", "assistant", "system"]
    content: list[WContentBlock]


class WSystemContentBlock(_Wire):
    """``SystemContentBlock`` union; ``text`` is a ``NonEmptyString``."""

    text: Annotated[str, Meta(min_length=1)] | UnsetType = UNSET
    guardContent: dict[str, Any] | UnsetType = UNSET
    cachePoint: WCachePointBlock | UnsetType = UNSET


class WToolInputSchema(_Wire):
    json: dict[str, Any]


class WToolSpecification(_Wire):
    name: Annotated[str, Meta(min_length=1, max_length=64)]
    inputSchema: WToolInputSchema
    description: Annotated[str, Meta(min_length=1)] | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class WTool(_Wire):
    """``Tool`` union."""

    toolSpec: WToolSpecification | UnsetType = UNSET
    systemTool: dict[str, Any] | UnsetType = UNSET
    cachePoint: WCachePointBlock | UnsetType = UNSET


class WSpecificToolChoice(_Wire):
    name: str


class WToolChoice(_Wire):
    """``ToolChoice`` union: auto, any, tool. There is no "none"."""

    auto: dict[str, Any] | UnsetType = UNSET
    any: dict[str, Any] | UnsetType = UNSET
    tool: WSpecificToolChoice | UnsetType = UNSET


class WToolConfiguration(_Wire):
    tools: Annotated[list[WTool], Meta(min_length=1)]
    toolChoice: WToolChoice | UnsetType = UNSET


class WInferenceConfiguration(_Wire):
    maxTokens: Annotated[int, Meta(ge=1)] | UnsetType = UNSET
    temperature: Annotated[float, Meta(ge=0, le=1)] | UnsetType = UNSET
    topP: Annotated[float, Meta(ge=0, le=1)] | UnsetType = UNSET
    stopSequences: Annotated[list[Annotated[str, Meta(min_length=1)]], Meta(max_length=2500)] | UnsetType = UNSET


class WJsonSchemaDefinition(_Wire):
    schema: str
    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET


class WOutputFormatStructure(_Wire):
    jsonSchema: WJsonSchemaDefinition


class WOutputFormat(_Wire):
    type: Literal["json_schema"]
    structure: WOutputFormatStructure


class WOutputConfig(_Wire):
    textFormat: WOutputFormat | UnsetType = UNSET
    effort: Annotated[str, Meta(max_length=16)] | UnsetType = UNSET


class WConverseRequest(_Wire):
    """The ``ConverseRequest`` body (``modelId`` travels in the URL)."""

    messages: list[WMessage] | UnsetType = UNSET
    system: list[WSystemContentBlock] | UnsetType = UNSET
    inferenceConfig: WInferenceConfiguration | UnsetType = UNSET
    toolConfig: WToolConfiguration | UnsetType = UNSET
    guardrailConfig: dict[str, Any] | UnsetType = UNSET
    additionalModelRequestFields: dict[str, Any] | UnsetType = UNSET
    promptVariables: dict[str, Any] | UnsetType = UNSET
    additionalModelResponseFieldPaths: list[str] | UnsetType = UNSET
    requestMetadata: Annotated[dict[str, str], Meta(min_length=1, max_length=16)] | UnsetType = UNSET
    performanceConfig: dict[str, Any] | UnsetType = UNSET
    serviceTier: dict[str, Any] | UnsetType = UNSET
    outputConfig: WOutputConfig | UnsetType = UNSET


# --------------------------------------------------------------------------------------------
# Response (``ConverseResponse``, ``TokenUsage``, ``CacheDetail``) and stream events
# (``ConverseStreamOutput``)


class WCacheDetail(_Wire):
    ttl: Literal["5m", "1h"]
    inputTokens: Annotated[int, Meta(ge=0)]


class WTokenUsage(_Wire):
    inputTokens: Annotated[int, Meta(ge=0)]
    outputTokens: Annotated[int, Meta(ge=0)]
    totalTokens: Annotated[int, Meta(ge=0)] | UnsetType = UNSET
    """Required in the botocore model, yet left out by real replies (PROVIDERS.md §13, the
    issue's recorded traffic); the IR does not read it (the buckets make the total)."""
    cacheReadInputTokens: Annotated[int, Meta(ge=0)] | UnsetType = UNSET
    cacheWriteInputTokens: Annotated[int, Meta(ge=0)] | UnsetType = UNSET
    cacheDetails: list[WCacheDetail] | UnsetType = UNSET


class WConverseOutput(_Wire):
    message: WMessage


class WConverseResponse(_Wire):
    output: WConverseOutput
    stopReason: str
    usage: WTokenUsage


class WToolUseBlockStart(_Wire):
    toolUseId: str
    name: str


class WToolUseBlockDelta(_Wire):
    input: str


class WReasoningContentBlockDelta(_Wire):
    text: str | UnsetType = UNSET
    redactedContent: str | UnsetType = UNSET
    signature: str | UnsetType = UNSET


class WContentBlockDelta(_Wire):
    text: str | UnsetType = UNSET
    toolUse: WToolUseBlockDelta | UnsetType = UNSET
    reasoningContent: WReasoningContentBlockDelta | UnsetType = UNSET


class WMessageStopEvent(_Wire):
    stopReason: str
    additionalModelResponseFields: Any = UNSET


# --------------------------------------------------------------------------------------------
# Unions

_UNION_STRUCTS: tuple[type[_Wire], ...] = (
    WImageSource,
    WDocumentSource,
    WToolResultContentBlock,
    WReasoningContentBlock,
    WContentBlock,
    WSystemContentBlock,
    WTool,
    WToolChoice,
)


def check_unions(obj: Any, path: str) -> None:
    """Every union Struct has exactly one member set (botocore: "Invalid number of parameters
    set for tagged union structure")."""
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            check_unions(v, f"{path}[{i}]")
        return
    if not isinstance(obj, _Wire):
        return
    if isinstance(obj, _UNION_STRUCTS):
        set_ = [f for f in obj.__struct_fields__ if getattr(obj, f) is not UNSET]
        if len(set_) != 1:
            raise DecodeError(path, f"exactly one of {', '.join(obj.__struct_fields__)}", f"{len(set_)} members")
    for f in obj.__struct_fields__:
        check_unions(getattr(obj, f), f"{path}.{f}")


# --------------------------------------------------------------------------------------------
# Format tables (``ImageFormat``, ``DocumentFormat``, ``AudioFormat`` enums <-> media types)

IMAGE_FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
DOCUMENT_FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "txt": "text/plain",
    "md": "text/markdown",
}
TEXT_DOCUMENT_FORMATS = ("txt", "md", "html", "csv")
"""Document formats a ``source.text`` document may have (the others are binary)."""
AUDIO_FORMATS = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "wav": "audio/wav",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "mp4": "audio/mp4",
    "ogg": "audio/ogg",
    "mkv": "audio/x-matroska",
    "mka": "audio/x-matroska-audio",
    "x-aac": "audio/x-aac",
    "m4a": "audio/m4a",
    "mpeg": "audio/mpeg-audio",
    "mpga": "audio/mpga",
    "pcm": "audio/pcm",
    "webm": "audio/webm",
}
# Other spellings of a media type that map to a format; they decode to the table's spelling.
_ALIASES = {"image/jpg": "jpeg", "audio/mp3": "mp3", "audio/x-wav": "wav", "audio/wave": "wav"}
_EXTENSIONS = {"jpg": "jpeg"}


def format_for(media_type: str | None, url: str | None, table: Mapping[str, str]) -> str | None:
    """The wire format for a media type (or, with none, for a URL's file extension)."""
    if media_type is not None:
        for fmt, mt in table.items():
            if mt == media_type:
                return fmt
        alias = _ALIASES.get(media_type)
        return alias if alias in table else None
    if url is not None and "." in url.rsplit("/", 1)[-1]:
        ext = url.rsplit(".", 1)[-1].lower()
        ext = _EXTENSIONS.get(ext, ext)
        return ext if ext in table else None
    return None


# --------------------------------------------------------------------------------------------
# Value rules

_S3 = re.compile(r"^s3://[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](/.*)?$")
_DOC_NAME_BAD = re.compile(r"[^A-Za-z0-9\s\-()\[\]]")
META_KEY = re.compile(r"^[a-zA-Z0-9\s:_@$#=/+,\-.]{1,256}$")
"""botocore ``RequestMetadata`` key pattern."""
META_VALUE = re.compile(r"^[a-zA-Z0-9\s:_@$#=/+,\-.]{0,256}$")
"""botocore ``RequestMetadata`` value pattern."""


def is_s3_uri(url: str) -> bool:
    """An ``S3Location.uri`` (``s3://bucket/key``, botocore ``S3Uri`` pattern)."""
    return bool(_S3.match(url))


def doc_name(name: str | None) -> str:
    """``DocumentBlock.name``: alphanumerics, single whitespace, hyphens, parentheses and square
    brackets, 1-200 characters (botocore ``DocumentBlock.name`` doc). Others become hyphens."""
    if name is None:
        return DEFAULT_DOCUMENT_NAME
    clean = re.sub(r"\s+", " ", _DOC_NAME_BAD.sub("-", name)).strip()[:200].strip()
    return clean or DEFAULT_DOCUMENT_NAME


def is_blank(text: str) -> bool:
    """Converse rejects an empty text ("The text field in the ContentBlock object is blank");
    a whitespace-only text such as ``"\n"`` is seen accepted (PROVIDERS.md §13: callers place a
    ``cachePoint`` right after a document with it), so it is sent."""
    return text == ""
