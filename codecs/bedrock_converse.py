"""Amazon Bedrock Converse / ConverseStream (``bedrock-converse``).

The wire is the JSON body of ``POST /model/{modelId}/converse`` (``/converse-stream``): the
``ConverseRequest`` shape of botocore's ``bedrock-runtime`` service model (2023-09-30) without
``modelId``, which is a URI member. Content blocks, system blocks, tools and tool choices are
one-key unions (``{"text": ...}``, ``{"image": {...}}``, ``{"cachePoint": {...}}``); blobs are
base64 strings on the JSON wire (rest-json protocol).

Rules this codec follows (each cites the botocore shape or AWS document it comes from; the
full list of equivalent wire forms is ``spec/canonicalizations/bedrock-converse.md``):

- Cache marks are separate ``cachePoint`` blocks right after the item they close, in
  ``system``, ``messages[].content`` and ``toolConfig.tools`` (``CachePointBlock``; AWS user
  guide "Prompt caching"). ``{"type": "default"}`` is 5 minutes, ``"ttl": "1h"`` one hour.
- ``provider_options["bedrock-converse"]`` of a part merges into the object that *is* the part:
  the union wrapper for ``text`` and ``json`` blocks (their value is not an object), the
  wrapper's value otherwise (``image``, ``document``, ``toolUse``, ``toolResult``,
  ``reasoningContent``, ``toolSpec``). A block the IR cannot hold exactly is lifted to a
  ``ProviderPart`` / ``ProviderTool`` whose ``data`` is the whole union wrapper.

Example::

    from ir_codec import get_codec
    from ir_codec.ir import Message, Request, Text

    enc = get_codec("bedrock-converse").encode(
        Request(max_tokens=512, messages=[Message(role="user", content=[Text(text="Hi")])])
    )
    enc.body  # {"messages": [{"role": "user", "content": [{"text": "Hi"}]}],
              #  "inferenceConfig": {"maxTokens": 512}}
    enc.sdk_kwargs(model_id="anthropic.claude-opus-5")  # for boto3 converse(**kwargs)
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import quote

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..codec import Codec, EncodeContext, expect_object, load_json, register, wire_convert
from ..errors import DecodeError, IRCodecError
from ..ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Json,
    Message,
    Part,
    ProviderPart,
    ProviderTool,
    ReasoningConfig,
    RedactedThinking,
    Refusal,
    Request,
    Response,
    ResponseFormat,
    StopReason,
    SystemBlock,
    Text,
    TextSource,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolSpec,
    ToolUse,
    UrlSource,
    Usage,
)
from ..lowering import at, own_options
from ..passes.cache import CacheRules, plan_cache_breakpoints
from ..stream import (
    MessageStart,
    Stop,
    StreamDecoder,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
)

__all__ = ["BedrockConverse"]

NAME = "bedrock-converse"

DEFAULT_DOCUMENT_NAME = "document"
"""``DocumentBlock.name`` is required; an IR document without a name is sent under this name,
and a wire document with this name decodes to ``name=None``."""

LEADING_USER_TEXT = "."
"""Text of the user turn inserted before a conversation that opens with an assistant turn
(Converse rejects it: "A conversation must start with a user message")."""


# ============================================================================================
# Wire types (botocore bedrock-runtime 2023-09-30 shapes). Unknown fields are tolerated by the
# Structs so that provider_options round-trip; the one-key unions are checked by
# ``_check_unions`` in ``validate_wire``.


class _W(msgspec.Struct, kw_only=True, omit_defaults=True):
    pass


class WCachePoint(_W):
    """``CachePointBlock``: ``type`` is the enum ``CachePointType`` = default; ``ttl`` is ``CacheTTL``."""

    type: Literal["default"]
    ttl: Literal["5m", "1h"] | UnsetType = UNSET


class WS3Location(_W):
    uri: str
    bucketOwner: str | UnsetType = UNSET


class WMediaSource(_W):
    """``ImageSource`` / ``AudioSource`` / ``VideoSource`` union."""

    bytes: Annotated[str, Meta(min_length=1)] | UnsetType = UNSET
    s3Location: WS3Location | UnsetType = UNSET


ImageFormat = Literal["png", "jpeg", "gif", "webp"]
DocumentFormat = Literal["pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"]
AudioFormat = Literal[
    "mp3", "opus", "wav", "aac", "flac", "mp4", "ogg", "mkv", "mka", "x-aac", "m4a", "mpeg", "mpga", "pcm", "webm"
]


class WImage(_W):
    format: ImageFormat
    source: WMediaSource


class WAudio(_W):
    format: AudioFormat
    source: WMediaSource


class WDocumentText(_W):
    text: str


class WDocumentSource(_W):
    """``DocumentSource`` union."""

    bytes: Annotated[str, Meta(min_length=1)] | UnsetType = UNSET
    s3Location: WS3Location | UnsetType = UNSET
    text: str | UnsetType = UNSET
    content: list[WDocumentText] | UnsetType = UNSET


class WCitationsConfig(_W):
    enabled: bool


class WDocument(_W):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    source: WDocumentSource
    format: DocumentFormat | UnsetType = UNSET
    context: str | UnsetType = UNSET
    citations: WCitationsConfig | UnsetType = UNSET


class WToolUse(_W):
    toolUseId: Annotated[str, Meta(min_length=1, max_length=64)]
    name: Annotated[str, Meta(min_length=1, max_length=64)]
    input: Any
    type: str | UnsetType = UNSET


class WToolResultContent(_W):
    """``ToolResultContentBlock`` union."""

    json: Any = UNSET
    text: str | UnsetType = UNSET
    image: WImage | UnsetType = UNSET
    document: WDocument | UnsetType = UNSET
    video: dict[str, Any] | UnsetType = UNSET
    searchResult: dict[str, Any] | UnsetType = UNSET


class WToolResult(_W):
    toolUseId: Annotated[str, Meta(min_length=1, max_length=64)]
    content: list[WToolResultContent]
    status: Literal["success", "error"] | UnsetType = UNSET
    type: str | UnsetType = UNSET


class WReasoningText(_W):
    text: str
    signature: str | UnsetType = UNSET


class WReasoning(_W):
    """``ReasoningContentBlock`` union."""

    reasoningText: WReasoningText | UnsetType = UNSET
    redactedContent: str | UnsetType = UNSET


class WContentBlock(_W):
    """``ContentBlock`` union."""

    text: str | UnsetType = UNSET
    image: WImage | UnsetType = UNSET
    document: WDocument | UnsetType = UNSET
    video: dict[str, Any] | UnsetType = UNSET
    audio: WAudio | UnsetType = UNSET
    toolUse: WToolUse | UnsetType = UNSET
    toolResult: WToolResult | UnsetType = UNSET
    guardContent: dict[str, Any] | UnsetType = UNSET
    cachePoint: WCachePoint | UnsetType = UNSET
    reasoningContent: WReasoning | UnsetType = UNSET
    citationsContent: dict[str, Any] | UnsetType = UNSET
    searchResult: dict[str, Any] | UnsetType = UNSET
    toolAddition: dict[str, Any] | UnsetType = UNSET
    toolRemoval: dict[str, Any] | UnsetType = UNSET


class WMessage(_W):
    role: Literal["user", "assistant", "system"]
    content: list[WContentBlock]


class WSystemBlock(_W):
    """``SystemContentBlock`` union; ``text`` is a ``NonEmptyString``."""

    text: Annotated[str, Meta(min_length=1)] | UnsetType = UNSET
    guardContent: dict[str, Any] | UnsetType = UNSET
    cachePoint: WCachePoint | UnsetType = UNSET


class WInputSchema(_W):
    json: dict[str, Any]


class WToolSpecification(_W):
    name: Annotated[str, Meta(min_length=1, max_length=64)]
    inputSchema: WInputSchema
    description: Annotated[str, Meta(min_length=1)] | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class WTool(_W):
    """``Tool`` union."""

    toolSpec: WToolSpecification | UnsetType = UNSET
    systemTool: dict[str, Any] | UnsetType = UNSET
    cachePoint: WCachePoint | UnsetType = UNSET


class WSpecificToolChoice(_W):
    name: str


class WToolChoice(_W):
    """``ToolChoice`` union: auto, any, tool. There is no "none"."""

    auto: dict[str, Any] | UnsetType = UNSET
    any: dict[str, Any] | UnsetType = UNSET
    tool: WSpecificToolChoice | UnsetType = UNSET


class WToolConfig(_W):
    tools: Annotated[list[WTool], Meta(min_length=1)]
    toolChoice: WToolChoice | UnsetType = UNSET


class WInferenceConfig(_W):
    maxTokens: Annotated[int, Meta(ge=1)] | UnsetType = UNSET
    temperature: Annotated[float, Meta(ge=0, le=1)] | UnsetType = UNSET
    topP: Annotated[float, Meta(ge=0, le=1)] | UnsetType = UNSET
    stopSequences: Annotated[list[Annotated[str, Meta(min_length=1)]], Meta(max_length=2500)] | UnsetType = UNSET


class WJsonSchema(_W):
    schema: str
    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET


class WOutputStructure(_W):
    jsonSchema: WJsonSchema


class WOutputFormat(_W):
    type: Literal["json_schema"]
    structure: WOutputStructure


class WOutputConfig(_W):
    textFormat: WOutputFormat | UnsetType = UNSET
    effort: Annotated[str, Meta(max_length=16)] | UnsetType = UNSET


class ConverseRequest(_W):
    """The ``ConverseRequest`` body (``modelId`` travels in the URL)."""

    messages: list[WMessage] | UnsetType = UNSET
    system: list[WSystemBlock] | UnsetType = UNSET
    inferenceConfig: WInferenceConfig | UnsetType = UNSET
    toolConfig: WToolConfig | UnsetType = UNSET
    guardrailConfig: dict[str, Any] | UnsetType = UNSET
    additionalModelRequestFields: dict[str, Any] | UnsetType = UNSET
    promptVariables: dict[str, Any] | UnsetType = UNSET
    additionalModelResponseFieldPaths: list[str] | UnsetType = UNSET
    requestMetadata: Annotated[dict[str, str], Meta(min_length=1, max_length=16)] | UnsetType = UNSET
    performanceConfig: dict[str, Any] | UnsetType = UNSET
    serviceTier: dict[str, Any] | UnsetType = UNSET
    outputConfig: WOutputConfig | UnsetType = UNSET


_UNION_STRUCTS: tuple[type[_W], ...] = (
    WMediaSource,
    WDocumentSource,
    WToolResultContent,
    WReasoning,
    WContentBlock,
    WSystemBlock,
    WTool,
    WToolChoice,
)


def _check_unions(obj: Any, path: str) -> None:
    """Every union Struct has exactly one member set (botocore: "Invalid number of parameters
    set for tagged union structure")."""
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            _check_unions(v, f"{path}[{i}]")
        return
    if not isinstance(obj, _W):
        return
    if isinstance(obj, _UNION_STRUCTS):
        set_ = [f for f in obj.__struct_fields__ if getattr(obj, f) is not UNSET]
        if len(set_) != 1:
            raise DecodeError(path, f"exactly one of {', '.join(obj.__struct_fields__)}", f"{len(set_)} members")
    for f in obj.__struct_fields__:
        _check_unions(getattr(obj, f), f"{path}.{f}")


# --------------------------------------------------------------------------------------------
# Format tables (``ImageFormat``, ``DocumentFormat``, ``AudioFormat`` enums <-> media types)

_IMAGE_FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
_DOCUMENT_FORMATS = {
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
_AUDIO_FORMATS = {
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


def _format_for(media_type: str | None, url: str | None, table: Mapping[str, str]) -> str | None:
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


_S3 = re.compile(r"^s3://[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](/.*)?$")
_DOC_NAME_BAD = re.compile(r"[^A-Za-z0-9\s\-()\[\]]")
_META_KEY = re.compile(r"^[a-zA-Z0-9\s:_@$#=/+,\-.]{1,256}$")
_META_VALUE = re.compile(r"^[a-zA-Z0-9\s:_@$#=/+,\-.]{0,256}$")


def _doc_name(name: str | None) -> str:
    """``DocumentBlock.name``: alphanumerics, single whitespace, hyphens, parentheses and square
    brackets, 1-200 characters (botocore ``DocumentBlock.name`` doc). Others become hyphens."""
    if name is None:
        return DEFAULT_DOCUMENT_NAME
    clean = re.sub(r"\s+", " ", _DOC_NAME_BAD.sub("-", name)).strip()[:200].strip()
    return clean or DEFAULT_DOCUMENT_NAME


def _blank(text: str) -> bool:
    # Converse rejects blank text ("The text field in the ContentBlock object is blank").
    return text.strip() == ""


# ============================================================================================
# Lowering


def _cache_point(cache: CacheControl) -> dict[str, Any]:
    # Canonical form: 5 minutes is the default type with no ttl; "ttl": "5m" is its synonym.
    point: dict[str, Any] = {"type": "default"}
    if cache.ttl is CacheTtl.ONE_HOUR:
        point["ttl"] = "1h"
    return {"cachePoint": point}


class _Lowering:
    """Lowers one request; ``blocks`` functions return the wire blocks for one IR part
    (empty when the part is dropped, with a warning)."""

    def __init__(self, ctx: EncodeContext) -> None:
        self.ctx = ctx
        self.lossy = ctx.lossy
        self.resized: set[str] = set()
        """IR list paths whose length differs on the wire (an element dropped, merged or added)."""

    # -- sources -----------------------------------------------------------------------------

    def media(self, kind: str, source: Any, table: Mapping[str, str], path: str) -> dict[str, Any] | None:
        """An image/audio object ``{"format", "source"}`` or None (dropped, warned)."""
        if isinstance(source, Base64Source):
            fmt = _format_for(source.media_type, None, table)
            if fmt is None:
                self.lossy(path, f"{kind} media type {source.media_type!r} has no Bedrock format; dropped")
                return None
            if table[fmt] != source.media_type:
                self.lossy(at(at(path, "source"), "media_type"), f"sent as format {fmt!r}, read back as {table[fmt]!r}")
            if not source.data:
                self.lossy(path, f"empty {kind} bytes are rejected by Bedrock; dropped")
                return None
            return {"format": fmt, "source": {"bytes": source.data}}
        if isinstance(source, UrlSource) and _S3.match(source.url):
            fmt = _format_for(source.media_type, source.url, table)
            if fmt is None:
                self.lossy(path, f"no Bedrock {kind} format for {source.media_type or source.url!r}; dropped")
                return None
            if table[fmt] != source.media_type:
                self.lossy(at(at(path, "source"), "media_type"), f"sent as format {fmt!r}, read back as {table[fmt]!r}")
            return {"format": fmt, "source": {"s3Location": {"uri": source.url}}}
        what = "a file id" if isinstance(source, FileSource) else "a non-S3 URL"
        self.lossy(path, f"Bedrock Converse takes {kind} bytes or an s3:// location, not {what}; dropped")
        return None

    def document(self, part: Document, path: str) -> dict[str, Any] | None:
        src = part.source
        fmt: str | None
        if isinstance(src, TextSource):
            fmt = _format_for(src.media_type, None, _DOCUMENT_FORMATS)
            if fmt is None or fmt not in ("txt", "md", "html", "csv"):
                fmt = "txt"
            if _DOCUMENT_FORMATS[fmt] != src.media_type:
                self.lossy(
                    at(at(path, "source"), "media_type"),
                    f"sent as format {fmt!r}, read back as {_DOCUMENT_FORMATS[fmt]!r}",
                )
            source: dict[str, Any] = {"text": src.text}
        else:
            obj = self.media("document", src, _DOCUMENT_FORMATS, path)
            if obj is None:
                return None
            fmt, source = obj["format"], obj["source"]
        name = _doc_name(part.name)
        if (None if name == DEFAULT_DOCUMENT_NAME else name) != part.name:
            self.lossy(
                at(path, "name"),
                "Bedrock requires a document name of letters, digits, single spaces, '-', '()', '[]'; "
                f"sent as {name!r}",
            )
        out: dict[str, Any] = {"format": fmt, "name": name, "source": source}
        if part.context is not None:
            out["context"] = part.context
        if part.citations is not None:
            out["citations"] = {"enabled": part.citations}
        return out

    # -- parts ---------------------------------------------------------------------------------

    def part(self, part: Part, path: str, role: str) -> dict[str, Any] | None:
        lower = _LOWER.get(type(part))
        if lower is None:  # pragma: no cover - every IR part type is in the table
            raise IRCodecError(f"no lowering for {type(part).__name__}")
        return lower(self, part, path, role)

    def text(self, part: Text, path: str, role: str) -> dict[str, Any] | None:
        if _blank(part.text):
            self.lossy(path, "Bedrock rejects blank text blocks; dropped")
            return None
        return self.merge({"text": part.text}, part.provider_options, path, _WRAPPER_KEYS)

    def image(self, part: Image, path: str, role: str) -> dict[str, Any] | None:
        if role not in ("user", "tool_result"):
            # Message.content doc: "You can only include images and documents if the role is user."
            self.lossy(path, f"Bedrock takes images only in user turns, not {role}; dropped")
            return None
        obj = self.media("image", part.source, _IMAGE_FORMATS, path)
        return None if obj is None else {"image": self.merge(obj, part.provider_options, path, _MEDIA_KEYS)}

    def audio(self, part: Audio, path: str, role: str) -> dict[str, Any] | None:
        if role == "tool_result":
            self.lossy(path, "a Bedrock tool result cannot hold audio; dropped")
            return None
        obj = self.media("audio", part.source, _AUDIO_FORMATS, path)
        return None if obj is None else {"audio": self.merge(obj, part.provider_options, path, _MEDIA_KEYS)}

    def doc(self, part: Document, path: str, role: str) -> dict[str, Any] | None:
        if role not in ("user", "tool_result"):
            self.lossy(path, f"Bedrock takes documents only in user turns, not {role}; dropped")
            return None
        obj = self.document(part, path)
        return None if obj is None else {"document": self.merge(obj, part.provider_options, path, _DOCUMENT_KEYS)}

    def json(self, part: Json, path: str, role: str) -> dict[str, Any] | None:
        if role != "tool_result":
            self.lossy(path, "Bedrock has json blocks only inside tool results; dropped")
            return None
        return self.merge({"json": part.value}, part.provider_options, path, _WRAPPER_KEYS)

    def tool_use(self, part: ToolUse, path: str, role: str) -> dict[str, Any] | None:
        obj = {"toolUseId": part.id, "name": part.name, "input": part.input}
        return {"toolUse": self.merge(obj, part.provider_options, path, _TOOL_USE_KEYS)}

    def tool_result(self, part: ToolResult, path: str, role: str) -> dict[str, Any] | None:
        content: list[dict[str, Any]] = []
        for k, q in enumerate(part.content):
            block = self.part(q, at(at(path, "content"), k), "tool_result")
            if block is not None:
                content.append(block)
            else:
                self.resized.add(at(path, "content"))
        obj: dict[str, Any] = {"toolUseId": part.tool_use_id, "content": content}
        if part.is_error:
            obj["status"] = "error"
        return {"toolResult": self.merge(obj, part.provider_options, path, _TOOL_RESULT_KEYS)}

    def thinking(self, part: Thinking, path: str, role: str) -> dict[str, Any] | None:
        text: dict[str, Any] = {"text": part.text}
        if part.signature is not None:
            text["signature"] = part.signature
        return {"reasoningContent": self.merge({"reasoningText": text}, part.provider_options, path, _REASONING_KEYS)}

    def redacted(self, part: RedactedThinking, path: str, role: str) -> dict[str, Any] | None:
        return {
            "reasoningContent": self.merge({"redactedContent": part.data}, part.provider_options, path, _REASONING_KEYS)
        }

    def refusal(self, part: Refusal, path: str, role: str) -> dict[str, Any] | None:
        if _blank(part.text):
            self.lossy(path, "Bedrock has no refusal block and rejects blank text; dropped")
            return None
        self.lossy(path, "Bedrock has no refusal block; sent as a text block")
        return self.merge({"text": part.text}, part.provider_options, path, _WRAPPER_KEYS)

    def provider(self, part: ProviderPart, path: str, role: str) -> dict[str, Any] | None:
        if part.codec != NAME:
            self.lossy(path, f"a {part.codec!r} provider part cannot be sent to {NAME}; dropped")
            return None
        lift = _lift_result_block if role == "tool_result" else _lift_block
        try:
            back = lift(part.data, "$")
        except DecodeError as exc:
            self.lossy(path, f"not a valid Bedrock content block ({exc}); dropped")
            return None
        if not (isinstance(back, ProviderPart) and back.data == part.data):
            self.lossy(path, f"this block is read back as an IR {type(back).__name__} part")
        return dict(part.data)

    def merge(
        self, obj: dict[str, Any], options: Any, path: str, reserved: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """Merge the part's raw options into ``obj``; a key the IR writes there (``reserved``:
        the wire object's IR-mapped fields and, for union wrappers, every union member) is
        reported lost instead."""
        own = own_options(options, path, self.ctx)
        base = at(at(path, "provider_options"), NAME)
        clash = [k for k in own if k in obj or k in reserved]
        for key, value in own.items():
            if key not in clash:
                obj[key] = value
        if clash and len(clash) == len(own):
            self.lossy(base, "these options are fields the IR writes here; not sent")
        else:
            for key in clash:
                self.lossy(at(base, key), f"{key!r} is a field the IR writes here; not sent from the options")
        return obj


# Keys a part's raw options may not set, per wire object (the IR writes them or decode would
# read them into the IR).
_WRAPPER_KEYS = frozenset(WContentBlock.__struct_fields__) | frozenset(WToolResultContent.__struct_fields__)
_MEDIA_KEYS = frozenset({"format", "source"})
_DOCUMENT_KEYS = frozenset(WDocument.__struct_fields__)
_TOOL_USE_KEYS = frozenset({"toolUseId", "name", "input"})
_TOOL_RESULT_KEYS = frozenset({"toolUseId", "content", "status"})
_REASONING_KEYS = frozenset(WReasoning.__struct_fields__)
_SYSTEM_KEYS = frozenset(WSystemBlock.__struct_fields__)
_MESSAGE_KEYS = frozenset({"role", "content"})
_TOOL_SPEC_KEYS = frozenset(WToolSpecification.__struct_fields__)

_LOWER: dict[type[Any], Callable[..., dict[str, Any] | None]] = {
    Text: _Lowering.text,
    Image: _Lowering.image,
    Audio: _Lowering.audio,
    Document: _Lowering.doc,
    Json: _Lowering.json,
    ToolUse: _Lowering.tool_use,
    ToolResult: _Lowering.tool_result,
    Thinking: _Lowering.thinking,
    RedactedThinking: _Lowering.redacted,
    Refusal: _Lowering.refusal,
    ProviderPart: _Lowering.provider,
}


def _coarsen(ctx: EncodeContext, resized: set[str]) -> None:
    """Report every change inside a list whose length changed at the list itself.

    When a list loses or gains an element, which of its elements "differ" depends on how the
    two lists are aligned (equal neighbours make it ambiguous), so the only path that surely
    differs is the list. The warning keeps the exact item path at the start of its reason.
    """
    if not resized:
        return
    lists = sorted(resized, key=len)
    out = []
    for w in ctx.warnings:
        for lst in lists:
            if w.path.startswith(lst + "["):
                w = msgspec.structs.replace(w, path=lst, reason=f"{w.path}: {w.reason}")
                break
        out.append(w)
    ctx.warnings[:] = out


def _markable(part: Any) -> bool:
    # A cachePoint closes the block before it. Claude (behind Converse) cannot mark reasoning
    # blocks (Anthropic prompt-caching doc), and a part that is dropped cannot carry one.
    if isinstance(part, Thinking | RedactedThinking):
        return False
    if isinstance(part, Text | Refusal):
        return not _blank(part.text)
    if isinstance(part, ProviderPart):
        return part.codec == NAME
    if isinstance(part, Image | Audio | Document):
        src = part.source
        return isinstance(src, Base64Source | TextSource) or (isinstance(src, UrlSource) and bool(_S3.match(src.url)))
    return True


CACHE_RULES = CacheRules(
    max_breakpoints=4,
    ttls=(CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR),
    native_automatic=False,
    nested_markable=False,
    markable=_markable,
)
"""Bedrock prompt caching (AWS user guide): up to 4 checkpoints, 5m and 1h, longer TTL first;
no automatic mode in Converse for Claude; no marks inside tool results."""

_NESTED_ROOT = ("inferenceConfig", "toolConfig", "outputConfig", "additionalModelRequestFields")


# ============================================================================================
# Lifting


class _NotExact(Exception):
    """The wire block has no exact IR form; it is kept as a ProviderPart."""


def _split(obj: Mapping[str, Any], known: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    for k, v in obj.items():
        (a if k in known else b)[k] = v
    return a, b


def _opts(extra: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {NAME: extra} if extra else {}


def _lift_source(src: WMediaSource | WDocumentSource, raw: Mapping[str, Any], media_type: str) -> Any:
    inner = raw["source"]
    if src.bytes is not UNSET:
        if set(inner) != {"bytes"}:
            raise _NotExact
        return Base64Source(media_type=media_type, data=src.bytes)
    if src.s3Location is not UNSET:
        if set(inner) != {"s3Location"} or set(inner["s3Location"]) != {"uri"}:
            raise _NotExact  # bucketOwner has no IR field
        return UrlSource(url=src.s3Location.uri, media_type=media_type)
    raise _NotExact


def _lift_media(raw: Any, path: str, wtype: type[Any], table: Mapping[str, str]) -> tuple[Any, dict[str, Any]]:
    w = wire_convert(raw, wtype, path)
    _check_unions(w, path)
    _, extra = _split(raw, ("format", "source"))
    return _lift_source(w.source, raw, table[w.format]), extra


def _lift_image(raw: Any, path: str) -> Part:
    source, extra = _lift_media(raw, path, WImage, _IMAGE_FORMATS)
    return Image(source=source, provider_options=_opts(extra))


def _lift_audio(raw: Any, path: str) -> Part:
    source, extra = _lift_media(raw, path, WAudio, _AUDIO_FORMATS)
    return Audio(source=source, provider_options=_opts(extra))


def _lift_document(raw: Any, path: str) -> Part:
    w = wire_convert(raw, WDocument, path)
    _check_unions(w, path)
    _, extra = _split(raw, ("format", "name", "source", "context", "citations"))
    if w.format is UNSET:
        raise _NotExact  # no media type to give the IR source
    mt = _DOCUMENT_FORMATS[w.format]
    source: Any
    if w.source.text is not UNSET:
        if set(raw["source"]) != {"text"}:
            raise _NotExact
        if w.format not in ("txt", "md", "html", "csv"):
            raise _NotExact
        # Built without media_type when it is the default: msgspec omits a default str only when
        # it is the very default object, and the invariant compares canonical JSON.
        source = TextSource(text=w.source.text) if mt == "text/plain" else TextSource(text=w.source.text, media_type=mt)
    else:
        source = _lift_source(w.source, raw, mt)
    citations: bool | None = None
    if w.citations is not UNSET:
        if set(raw["citations"]) != {"enabled"}:
            raise _NotExact
        citations = w.citations.enabled
    if _doc_name(w.name) != w.name:
        raise _NotExact  # a name the encoder would not produce
    return Document(
        source=source,
        name=None if w.name == DEFAULT_DOCUMENT_NAME else w.name,
        context=None if w.context is UNSET else w.context,
        citations=citations,
        provider_options=_opts(extra),
    )


def _lift_tool_use(raw: Any, path: str) -> Part:
    w = wire_convert(raw, WToolUse, path)
    if not isinstance(w.input, dict):
        raise _NotExact
    _, extra = _split(raw, ("toolUseId", "name", "input"))
    return ToolUse(id=w.toolUseId, name=w.name, input=w.input, provider_options=_opts(extra))


def _lift_tool_result(raw: Any, path: str) -> Part:
    w = wire_convert(raw, WToolResult, path)
    _, extra = _split(raw, ("toolUseId", "content", "status"))
    content = [_lift_result_block(b, f"{path}.content[{k}]") for k, b in enumerate(raw["content"])]
    return ToolResult(
        tool_use_id=w.toolUseId,
        content=content,  # type: ignore[arg-type]
        is_error=w.status == "error",
        provider_options=_opts(extra),
    )


def _lift_reasoning(raw: Any, path: str) -> Part:
    w = wire_convert(raw, WReasoning, path)
    _check_unions(w, path)
    _, extra = _split(raw, ("reasoningText", "redactedContent"))
    if w.reasoningText is not UNSET:
        if not set(raw["reasoningText"]) <= {"text", "signature"}:
            raise _NotExact
        sig = None if w.reasoningText.signature is UNSET else w.reasoningText.signature
        return Thinking(text=w.reasoningText.text, signature=sig, provider_options=_opts(extra))
    assert isinstance(w.redactedContent, str)
    return RedactedThinking(data=w.redactedContent, provider_options=_opts(extra))


_LIFT: dict[str, Callable[[Any, str], Part]] = {
    "image": _lift_image,
    "document": _lift_document,
    "audio": _lift_audio,
    "toolUse": _lift_tool_use,
    "toolResult": _lift_tool_result,
    "reasoningContent": _lift_reasoning,
}
_LIFT_RESULT: dict[str, Callable[[Any, str], Part]] = {"image": _lift_image, "document": _lift_document}

_CONTENT_MEMBERS = tuple(WContentBlock.__struct_fields__)
_RESULT_MEMBERS = tuple(WToolResultContent.__struct_fields__)


def _one_member(obj: dict[str, Any], members: tuple[str, ...], path: str) -> str:
    found = [k for k in obj if k in members]
    if len(found) != 1:
        raise DecodeError(path, f"exactly one of {', '.join(members)}", ", ".join(found) or "none")
    return found[0]


def _lift_generic(
    obj: Any, path: str, members: tuple[str, ...], table: Mapping[str, Callable[[Any, str], Part]], wtype: type[Any]
) -> Part:
    obj = expect_object(obj, path)
    tag = _one_member(obj, members, path)
    if tag == "cachePoint":
        raise DecodeError(f"{path}.cachePoint", "a content block (a cachePoint is handled by its list)", "a cachePoint")
    wire_convert({tag: obj[tag]}, wtype, path)  # type check of the member
    if tag == "text":
        _, extra = _split(obj, ("text",))
        return Text(text=obj["text"], provider_options=_opts(extra))
    if tag == "json":
        _, extra = _split(obj, ("json",))
        return Json(value=obj["json"], provider_options=_opts(extra))
    lift = table.get(tag)
    if lift is not None and len(obj) == 1:
        try:
            return lift(obj[tag], f"{path}.{tag}")
        except _NotExact:
            pass
    return ProviderPart(codec=NAME, data=obj)


def _lift_block(obj: Any, path: str) -> Part:
    return _lift_generic(obj, path, _CONTENT_MEMBERS, _LIFT, WContentBlock)


def _lift_result_block(obj: Any, path: str) -> Part:
    return _lift_generic(obj, path, _RESULT_MEMBERS, _LIFT_RESULT, WToolResultContent)


def _lift_cache_point(obj: dict[str, Any], path: str) -> CacheControl:
    if len(obj) != 1:
        raise DecodeError(path, "a cachePoint block with no other member", ", ".join(obj))
    w = wire_convert(obj["cachePoint"], WCachePoint, f"{path}.cachePoint")
    if set(obj["cachePoint"]) - {"type", "ttl"}:
        raise DecodeError(f"{path}.cachePoint", "only type and ttl", ", ".join(obj["cachePoint"]))
    return CacheControl(ttl=CacheTtl.ONE_HOUR if w.ttl == "1h" else CacheTtl.FIVE_MINUTES)


class _Marks:
    """Attaches each cachePoint to the item before it in prefix order (tools, system, messages).

    A cachePoint that opens a list closes the last item of the nearest earlier list (the cached
    prefix is the same); one with nothing before it caches nothing and is dropped."""

    def __init__(self) -> None:
        self.last: tuple[list[Any], int] | None = None  # (list, index) of the last item

    def item(self, items: list[Any], index: int) -> None:
        self.last = (items, index)

    def mark(self, cache: CacheControl, path: str) -> None:
        if self.last is None:
            return
        items, i = self.last
        if items[i].cache is not None:
            raise DecodeError(path, "a cachePoint after a content block", "a second cachePoint for the same block")
        items[i] = msgspec.structs.replace(items[i], cache=cache)


def _decode_failure(path: str, exc: Exception) -> DecodeError:
    return exc if isinstance(exc, DecodeError) else DecodeError(path, "valid input", str(exc))


# --------------------------------------------------------------------------------------------
# Responses (``ConverseResponse``, ``TokenUsage``, ``CacheDetail``) and streams
# (``ConverseStreamOutput`` events)


class WCacheDetail(_W):
    ttl: Literal["5m", "1h"]
    inputTokens: Annotated[int, Meta(ge=0)]


class WTokenUsage(_W):
    inputTokens: Annotated[int, Meta(ge=0)]
    outputTokens: Annotated[int, Meta(ge=0)]
    totalTokens: Annotated[int, Meta(ge=0)]
    cacheReadInputTokens: Annotated[int, Meta(ge=0)] | UnsetType = UNSET
    cacheWriteInputTokens: Annotated[int, Meta(ge=0)] | UnsetType = UNSET
    cacheDetails: list[WCacheDetail] | UnsetType = UNSET


class WResponseMessage(_W):
    role: Literal["assistant", "user", "system"]
    content: list[WContentBlock]


class WOutput(_W):
    message: WResponseMessage


class WConverseResponse(_W):
    output: WOutput
    stopReason: str
    usage: WTokenUsage


_STOP_REASONS: dict[str, StopReason] = {
    # botocore ``StopReason`` enum -> IR StopReason
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
    "malformed_model_output": "error",
    "malformed_tool_use": "error",
    "model_context_window_exceeded": "context_window_exceeded",
}


def _stop_reason(raw: str) -> StopReason:
    return _STOP_REASONS.get(raw, "other")


def _usage(u: WTokenUsage) -> Usage:
    read = 0 if u.cacheReadInputTokens is UNSET else u.cacheReadInputTokens
    write = 0 if u.cacheWriteInputTokens is UNSET else u.cacheWriteInputTokens
    w5: int | None = None
    w1: int | None = None
    if u.cacheDetails is not UNSET:
        # "Detailed breakdown of cache writes by TTL. Empty if no cache creation occurred."
        w5 = sum(d.inputTokens for d in u.cacheDetails if d.ttl == "5m")
        w1 = sum(d.inputTokens for d in u.cacheDetails if d.ttl == "1h")
        if w5 + w1 != write:
            raise DecodeError(
                "$.usage.cacheDetails", f"TTL buckets adding up to cacheWriteInputTokens={write}", str(w5 + w1)
            )
    return Usage(
        uncached_input_tokens=u.inputTokens,
        cache_read_tokens=read,
        cache_write_tokens=write,
        cache_write_5m_tokens=w5,
        cache_write_1h_tokens=w1,
        output_tokens=u.outputTokens,
    )


_STREAM_EVENTS = (
    "messageStart",
    "contentBlockStart",
    "contentBlockDelta",
    "contentBlockStop",
    "messageStop",
    "metadata",
)
_STREAM_ERRORS = (
    "internalServerException",
    "modelStreamErrorException",
    "validationException",
    "throttlingException",
    "serviceUnavailableException",
)


class ConverseStreamDecoder(StreamDecoder):
    """ConverseStream events to IR stream events; :meth:`finish` equals ``decode_response`` of
    the same reply (the ``metadata`` event's ``metrics`` and the ``messageStop`` event's
    ``additionalModelResponseFields`` become the response's provider options)."""

    def __init__(self) -> None:
        super().__init__()
        self.options: dict[str, Any] = {}

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        data = expect_object(data, "$")
        if name is None:
            if len(data) != 1:
                raise DecodeError("$", "one ConverseStream event member", ", ".join(data) or "none")
            name, data = next(iter(data.items()))
            data = expect_object(data, f"$.{name}")
        path = f"$.{name}"
        if name in _STREAM_ERRORS:
            raise IRCodecError(f"ConverseStream {name}: {data.get('message', '')}")
        if name == "messageStart":
            return [MessageStart()]
        if name == "contentBlockStart":
            index = _index(data, path)
            start = expect_object(data.get("start"), f"{path}.start")
            if "toolUse" in start:
                tu = wire_convert(start["toolUse"], WToolUseStart, f"{path}.start.toolUse")
                return [ToolCallStart(index=index, id=tu.toolUseId, name=tu.name)]
            return self._unassembled(name, data)
        if name == "contentBlockDelta":
            index = _index(data, path)
            delta = expect_object(data.get("delta"), f"{path}.delta")
            d = wire_convert(delta, WDelta, f"{path}.delta")
            if d.text is not UNSET:
                return [TextDelta(index=index, text=d.text)]
            if d.toolUse is not UNSET:
                return [ToolCallDelta(index=index, arguments=d.toolUse.input)]
            if d.reasoningContent is not UNSET:
                rc = d.reasoningContent
                if rc.redactedContent is not UNSET:
                    self.assembler.add_part(index, RedactedThinking(data=rc.redactedContent))
                    return []
                return [
                    ThinkingDelta(
                        index=index,
                        text="" if rc.text is UNSET else rc.text,
                        signature=None if rc.signature is UNSET else rc.signature,
                    )
                ]
            return self._unassembled(name, data)
        if name == "contentBlockStop":
            _index(data, path)
            return []
        if name == "messageStop":
            stop = wire_convert(data, WMessageStop, path)
            if stop.additionalModelResponseFields is not UNSET:
                self.options["additionalModelResponseFields"] = stop.additionalModelResponseFields
            return [Stop(stop_reason=_stop_reason(stop.stopReason), raw_stop_reason=stop.stopReason)]
        if name == "metadata":
            usage = wire_convert(data.get("usage"), WTokenUsage, f"{path}.usage")
            _, extra = _split(data, ("usage",))
            self.options.update(extra)
            return [UsageUpdate(usage=_usage(usage))]
        raise DecodeError("$", f"a ConverseStream event ({', '.join(_STREAM_EVENTS)})", name)

    def _unassembled(self, name: str, data: dict[str, Any]) -> list[StreamEvent]:
        # Blocks the IR stream events cannot carry (server tool results, citations, images) are
        # kept raw, in order, under provider_options["bedrock-converse"]["unassembledEvents"].
        self.options.setdefault("unassembledEvents", []).append({name: data})
        return []

    def finish(self) -> Response:
        response = super().finish()
        if self.options:
            response = msgspec.structs.replace(response, provider_options={NAME: dict(self.options)})
        return response


class WToolUseStart(_W):
    toolUseId: str
    name: str


class WToolUseDelta(_W):
    input: str


class WReasoningDelta(_W):
    text: str | UnsetType = UNSET
    redactedContent: str | UnsetType = UNSET
    signature: str | UnsetType = UNSET


class WDelta(_W):
    text: str | UnsetType = UNSET
    toolUse: WToolUseDelta | UnsetType = UNSET
    reasoningContent: WReasoningDelta | UnsetType = UNSET


class WMessageStop(_W):
    stopReason: str
    additionalModelResponseFields: Any = UNSET


def _index(data: dict[str, Any], path: str) -> int:
    index = data.get("contentBlockIndex")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise DecodeError(f"{path}.contentBlockIndex", "a non-negative integer", repr(index))
    return index


# ============================================================================================
# The codec


@register
class BedrockConverse(Codec):
    """Amazon Bedrock Converse request body (and, for ``sdk_kwargs``, boto3's ``converse``)."""

    NAME: ClassVar[str] = NAME
    """Registered name."""
    WIRE_REQUEST: ClassVar[type[Any]] = ConverseRequest
    """botocore ``ConverseRequest`` minus ``modelId``."""
    DEFAULT_BASE_URL: ClassVar[str] = "https://bedrock-runtime.{region}.amazonaws.com"
    ENDPOINT: ClassVar[str] = "/model/{model}/converse"
    STREAM_ENDPOINT: ClassVar[str | None] = "/model/{model}/converse-stream"
    URL_FIELDS: ClassVar[frozenset[str]] = frozenset({"model", "stream"})

    def _url_model(self, model: str) -> str:
        return quote(model, safe="")  # ARNs and "...-v1:0" ids are percent-encoded, as botocore does
    MAX_CACHE_BREAKPOINTS: ClassVar[int | None] = 4
    """Bedrock: up to 4 cache checkpoints per request (Claude models)."""
    CACHE_TTLS: ClassVar[tuple[CacheTtl, ...]] = (CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR)
    """``CacheTTL`` enum: 5m, 1h."""
    PASSES: ClassVar[tuple[str, ...]] = (
        "plan_cache_breakpoints",
        "drop_empty_turns",
        "merge_consecutive_turns",
        "open_with_user",
    )
    """Cache planning, then the turn rules Converse enforces (non-empty, alternating, user first)."""
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = (
        'cachePoint "ttl": "5m" == no ttl (the default type is 5 minutes)',
        "a cachePoint that opens a list (system, messages[i].content, toolConfig.tools) == the same cachePoint at "
        "the end of the nearest earlier non-empty list in prefix order; with nothing before it, it is removed",
        'toolResult "status": "success" == no status',
        "empty messages / system lists and empty inferenceConfig / outputConfig / additionalModelRequestFields "
        "objects == absent",
        "outputConfig.textFormat...jsonSchema.schema (a JSON string) is written as compact JSON, key order kept",
    )
    """The wire forms that decode to the same IR (see ``spec/canonicalizations/bedrock-converse.md``)."""

    # -- encode ----------------------------------------------------------------------------------

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        request = plan_cache_breakpoints(request, CACHE_RULES, ctx)
        low = _Lowering(ctx)
        body: dict[str, Any] = {}

        messages = self._messages(request, low)
        if messages:
            body["messages"] = messages
        system = self._system(request, low)
        if system:
            body["system"] = system

        inference: dict[str, Any] = {}
        if request.max_tokens is not None:
            if request.max_tokens >= 1:
                inference["maxTokens"] = request.max_tokens
            else:
                ctx.lossy("max_tokens", "Bedrock maxTokens must be at least 1; not sent")
        for field, wire in (("temperature", "temperature"), ("top_p", "topP")):
            value = getattr(request, field)
            if value is None:
                continue
            # InferenceConfiguration: temperature and topP lie in [0, 1].
            clamped = float(min(max(value, 0.0), 1.0))
            if clamped != value or type(value) is not float:
                ctx.lossy(field, f"Bedrock {wire} is a float in [0, 1]; sent as {clamped}")
            inference[wire] = clamped
        if request.stop is not None:
            stops = []
            for k, s in enumerate(request.stop):
                if s:
                    stops.append(s)
                else:
                    ctx.lossy(f"stop[{k}]", "Bedrock stop sequences must not be empty; dropped")
                    low.resized.add("stop")
            inference["stopSequences"] = stops
        if inference:
            body["inferenceConfig"] = inference

        tool_config = self._tool_config(request, low)
        if tool_config:
            body["toolConfig"] = tool_config

        extra: dict[str, Any] = {}
        if request.top_k is not None:
            # Converse has no topK; Anthropic models read top_k from additionalModelRequestFields
            # (AWS user guide, "Anthropic Claude Messages API" inference parameters).
            extra["top_k"] = request.top_k
        if request.reasoning is not None:
            # Claude extended thinking on Converse: additionalModelRequestFields.thinking.
            thinking: dict[str, Any] = {"type": request.reasoning.type}
            if request.reasoning.budget_tokens is not None:
                thinking["budget_tokens"] = request.reasoning.budget_tokens
            extra["thinking"] = thinking
        if extra:
            body["additionalModelRequestFields"] = extra

        if request.metadata is not None:
            meta: dict[str, str] = {}
            for key, val in request.metadata.items():
                if len(meta) >= 16:
                    ctx.lossy(f"metadata.{key}", "Bedrock requestMetadata holds at most 16 pairs; dropped")
                elif _META_KEY.match(key) and _META_VALUE.match(val):
                    meta[key] = val
                else:
                    ctx.lossy(f"metadata.{key}", "characters outside Bedrock's requestMetadata pattern; dropped")
            if meta:
                body["requestMetadata"] = meta
            elif not request.metadata:
                ctx.lossy("metadata", "Bedrock requestMetadata needs at least one pair; not sent")

        output: dict[str, Any] = {}
        if request.response_format is not None:
            fmt = self._text_format(request.response_format, ctx)
            if fmt is not None:
                output["textFormat"] = fmt
        if request.reasoning_effort is not None:
            if len(request.reasoning_effort) <= 16:
                output["effort"] = request.reasoning_effort
            else:
                ctx.lossy("reasoning_effort", "Bedrock outputConfig.effort is at most 16 characters; not sent")
        if output:
            body["outputConfig"] = output

        for field, why in (
            ("parallel_tool_calls", "Converse has no parallel tool call switch"),
            ("seed", "Converse has no seed"),
            ("n", "Converse returns one candidate"),
            ("user", "Converse has no end-user field (requestMetadata is for invocation logs)"),
            ("cache_key", "Bedrock has no cache routing key"),
        ):
            if getattr(request, field) is not None:
                ctx.lossy(field, f"{why}; not sent")

        self._merge_root(body, request, ctx)
        _coarsen(ctx, low.resized)
        return body

    def _merge_root(self, body: dict[str, Any], request: Request, ctx: EncodeContext) -> None:
        """Merge the request's raw options into the body. A field that the IR maps (or that
        decode would lift into the IR) is never taken from the options: it is reported lost."""
        own = own_options(request.provider_options, "", ctx)
        base = f"provider_options.{NAME}"
        lost: list[str] = []
        kept = False
        for key, value in own.items():
            if key in ("messages", "system", "requestMetadata") or key in body and key not in _NESTED_ROOT:
                lost.append(f"{base}.{key}")
            elif key in _NESTED_ROOT:
                if not isinstance(value, dict) or not value:
                    lost.append(f"{base}.{key}")
                    continue
                present = body.get(key, {})
                clash = [k for k, v in value.items() if k in present or _ir_mapped(key, k, v)]
                for k, v in value.items():
                    if k not in clash:
                        body.setdefault(key, {})[k] = v
                if len(clash) == len(value):
                    lost.append(f"{base}.{key}")
                else:
                    kept = True
                    lost += [f"{base}.{key}.{k}" for k in clash]
            else:
                body[key] = value
                kept = True
        if lost and not kept:
            ctx.lossy(base, "these options are fields the IR writes (or decode would read into the IR); not sent")
        else:
            for p in lost:
                ctx.lossy(p, "a field the IR writes (or decode would read into the IR); not sent from the options")

    def _system(self, request: Request, low: _Lowering) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i, block in enumerate(request.system):
            path = f"system[{i}]"
            if _blank(block.text):
                own = own_options(block.provider_options, path, low.ctx)
                if block.text == "" and "guardContent" in own:
                    # A guardContent system block lifts to an empty text block carrying it.
                    out.append(dict(own))
                else:
                    low.ctx.lossy(path, "Bedrock rejects blank system text; dropped")
                    low.resized.add("system")
                    continue
            else:
                out.append(low.merge({"text": block.text}, block.provider_options, path, _SYSTEM_KEYS))
            if block.cache is not None:
                out.append(_cache_point(block.cache))
        return out

    def _messages(self, request: Request, low: _Lowering) -> list[dict[str, Any]]:
        ctx = low.ctx
        turns: list[tuple[list[int], dict[str, Any]]] = []  # (IR indexes, wire message)
        for i, m in enumerate(request.messages):
            path = f"messages[{i}]"
            content: list[dict[str, Any]] = []
            for j, p in enumerate(m.content):
                block = low.part(p, f"{path}.content[{j}]", m.role)
                if block is None:
                    low.resized.add(f"{path}.content")
                    continue
                content.append(block)
                if p.cache is not None:
                    content.append(_cache_point(p.cache))
            if not content:
                # Converse rejects a message with empty content.
                ctx.lossy(path, "a message with no content Bedrock can take is dropped")
                low.resized.add("messages")
                continue
            msg: dict[str, Any] = {"role": m.role, "content": content}
            low.merge(msg, m.provider_options, path, _MESSAGE_KEYS)
            # Converse requires alternating turns: a run of same-role messages is merged.
            if turns and turns[-1][1]["role"] == m.role:
                first = turns[-1][0][0]
                ctx.lossy(path, f"consecutive {m.role} messages are merged: appended to messages[{first}]")
                if len(turns[-1][0]) == 1:
                    ctx.lossy(
                        f"messages[{first}]",
                        "the following consecutive messages of the same role were merged into this one",
                    )
                turns[-1][0].append(i)
                low.resized.add("messages")
                turns[-1][1]["content"].extend(content)
            else:
                turns.append(([i], msg))
        out = [msg for _, msg in turns]
        # Converse: "A conversation must start with a user message." System-role turns may come
        # first; the first other turn must be a user turn.
        for n, (idx, msg) in enumerate(turns):
            if msg["role"] == "system":
                continue
            if msg["role"] == "assistant":
                # Every later turn shifts by one, so the whole list is what differs.
                ctx.lossy(
                    "messages",
                    f"Bedrock conversations open with a user turn; a user turn {LEADING_USER_TEXT!r} "
                    f"is inserted before messages[{idx[0]}]",
                )
                out.insert(n, {"role": "user", "content": [{"text": LEADING_USER_TEXT}]})
                low.resized.add("messages")
            break
        return out

    def _tool_config(self, request: Request, low: _Lowering) -> dict[str, Any]:
        ctx = low.ctx
        tools: list[dict[str, Any]] = []
        for i, t in enumerate(request.tools):
            path = f"tools[{i}]"
            entry = self._tool(t, path, low)
            if entry is None:
                low.resized.add("tools")
                continue
            tools.append(entry)
            if t.cache is not None:
                tools.append(_cache_point(t.cache))
        choice = request.tool_choice
        if not tools:
            if choice is not None:
                ctx.lossy(
                    "tool_choice", "Bedrock takes a tool choice only with tools (toolConfig.tools needs one); not sent"
                )
            return {}
        config: dict[str, Any] = {"tools": tools}
        if choice is not None:
            if choice.mode == "auto":
                config["toolChoice"] = {"auto": {}}
            elif choice.mode == "required":
                config["toolChoice"] = {"any": {}}
            elif choice.mode == "tool" and choice.name:
                config["toolChoice"] = {"tool": {"name": choice.name}}
            else:
                ctx.lossy(
                    "tool_choice", f"Bedrock ToolChoice has auto, any and tool only, no {choice.mode!r}; not sent"
                )
        return config

    def _tool(self, t: ToolSpec, path: str, low: _Lowering) -> dict[str, Any] | None:
        if isinstance(t, ProviderTool):
            if t.codec != NAME:
                low.ctx.lossy(path, f"a {t.codec!r} provider tool cannot be sent to {NAME}; dropped")
                return None
            try:
                back = _lift_tool(t.data, "$")
            except DecodeError as exc:
                low.ctx.lossy(path, f"not a valid Bedrock tool ({exc}); dropped")
                return None
            if not (isinstance(back, ProviderTool) and back.data == t.data):
                low.ctx.lossy(path, f"this tool is read back as an IR {type(back).__name__}")
            return dict(t.data)
        spec: dict[str, Any] = {"name": t.name}
        if t.description is not None:
            if t.description:
                spec["description"] = t.description
            else:
                low.ctx.lossy(f"{path}.description", "Bedrock tool descriptions must not be empty; not sent")
        spec["inputSchema"] = {"json": t.input_schema}
        if t.strict is not None:
            spec["strict"] = t.strict
        return {"toolSpec": low.merge(spec, t.provider_options, path, _TOOL_SPEC_KEYS)}

    def _text_format(self, rf: ResponseFormat, ctx: EncodeContext) -> dict[str, Any] | None:
        # OutputConfig.textFormat: only json_schema, with the schema as a JSON string.
        if rf.type != "json_schema" or rf.schema is None:
            ctx.lossy(
                "response_format",
                f"Bedrock outputConfig.textFormat takes a JSON schema only, not {rf.type!r} without one; not sent",
            )
            return None
        schema: dict[str, Any] = {"schema": msgspec.json.encode(rf.schema).decode()}
        if rf.name is not None:
            schema["name"] = rf.name
        if rf.description is not None:
            schema["description"] = rf.description
        if rf.strict is not None:
            ctx.lossy("response_format.strict", "Bedrock JsonSchemaDefinition has no strict flag; not sent")
        return {"type": "json_schema", "structure": {"jsonSchema": schema}}

    # -- decode ----------------------------------------------------------------------------------

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a Converse request body to IR; raises :class:`DecodeError` naming the JSON path.

        >>> codec = get_codec("bedrock-converse")  # doctest: +SKIP
        >>> codec.decode({"messages": [{"role": "user", "content": [{"text": "Hi"}]}]})  # doctest: +SKIP
        """
        raw = expect_object(load_json(payload), "$")
        try:
            return self._decode(raw)
        except (KeyError, TypeError, AttributeError) as exc:  # pragma: no cover - defensive
            raise _decode_failure("$", exc) from None

    def _decode(self, raw: dict[str, Any]) -> Request:
        known, extra = _split(
            raw,
            (
                "messages",
                "system",
                "inferenceConfig",
                "toolConfig",
                "additionalModelRequestFields",
                "requestMetadata",
                "outputConfig",
            ),
        )
        w = wire_convert(known, ConverseRequest)
        options: dict[str, Any] = dict(extra)
        marks = _Marks()
        fields: dict[str, Any] = {}

        tools: list[ToolSpec] = []
        choice: ToolChoice | None = None
        if w.toolConfig is not UNSET:
            tc = raw["toolConfig"]
            for i, t in enumerate(tc["tools"]):
                p = f"$.toolConfig.tools[{i}]"
                t = expect_object(t, p)
                if "cachePoint" in t:
                    marks.mark(_lift_cache_point(t, p), p)
                    continue
                tools.append(_lift_tool(t, p))
                marks.item(tools, len(tools) - 1)
            tch = w.toolConfig.toolChoice
            if tch is not UNSET:
                _check_unions(tch, "$.toolConfig.toolChoice")
                if tch.auto is not UNSET:
                    choice = ToolChoice(mode="auto")
                elif tch.any is not UNSET:
                    choice = ToolChoice(mode="required")
                elif tch.tool is not UNSET:
                    choice = ToolChoice(mode="tool", name=tch.tool.name)
                rest = {k: v for k, v in tc["toolChoice"].items() if k not in ("auto", "any", "tool")}
                sub = raw["toolConfig"]["toolChoice"]
                if (
                    rest
                    or any(sub[k] != {} for k in ("auto", "any") if k in sub)
                    or ("tool" in sub and set(sub["tool"]) != {"name"})
                ):
                    raise DecodeError("$.toolConfig.toolChoice", "auto {}, any {} or tool {name}", "other fields")
            rest_tc = {k: v for k, v in tc.items() if k not in ("tools", "toolChoice")}
            if rest_tc:
                options["toolConfig"] = rest_tc

        system: list[SystemBlock] = []
        for i, b in enumerate(raw.get("system", [])):
            p = f"$.system[{i}]"
            b = expect_object(b, p)
            if "cachePoint" in b:
                marks.mark(_lift_cache_point(b, p), p)
                continue
            tag = _one_member(b, ("text", "guardContent", "cachePoint"), p)
            _, rest = _split(b, ("text",))
            if tag == "text":
                system.append(SystemBlock(text=b["text"], provider_options=_opts(rest)))
            else:
                system.append(SystemBlock(text="", provider_options=_opts(rest)))
            marks.item(system, len(system) - 1)

        messages: list[Message] = []
        for i, m in enumerate(raw.get("messages", [])):
            p = f"$.messages[{i}]"
            _, rest = _split(m, ("role", "content"))
            content: list[Part] = []
            for j, b in enumerate(m["content"]):
                bp = f"{p}.content[{j}]"
                b = expect_object(b, bp)
                if "cachePoint" in b:
                    marks.mark(_lift_cache_point(b, bp), bp)
                    continue
                content.append(_lift_block(b, bp))
                marks.item(content, len(content) - 1)
            messages.append(Message(role=m["role"], content=content, provider_options=_opts(rest)))
        fields.update(system=system, messages=messages, tools=tools, tool_choice=choice)

        if w.inferenceConfig is not UNSET:
            ic = w.inferenceConfig
            if ic.maxTokens is not UNSET:
                fields["max_tokens"] = ic.maxTokens
            if ic.temperature is not UNSET:
                fields["temperature"] = float(ic.temperature)
            if ic.topP is not UNSET:
                fields["top_p"] = float(ic.topP)
            if ic.stopSequences is not UNSET:
                fields["stop"] = ic.stopSequences
            _, rest_ic = _split(raw["inferenceConfig"], ("maxTokens", "temperature", "topP", "stopSequences"))
            if rest_ic:
                options["inferenceConfig"] = rest_ic

        if w.additionalModelRequestFields is not UNSET:
            amrf = dict(raw["additionalModelRequestFields"])
            top_k = amrf.get("top_k")
            if isinstance(top_k, int) and not isinstance(top_k, bool):
                fields["top_k"] = amrf.pop("top_k")
            thinking = amrf.get("thinking")
            if isinstance(thinking, dict) and _thinking_config(thinking):
                fields["reasoning"] = ReasoningConfig(
                    type=thinking["type"], budget_tokens=thinking.get("budget_tokens")
                )
                del amrf["thinking"]
            if amrf:
                options["additionalModelRequestFields"] = amrf

        if w.requestMetadata is not UNSET:
            fields["metadata"] = dict(w.requestMetadata)

        if w.outputConfig is not UNSET:
            oc = dict(raw["outputConfig"])
            if w.outputConfig.effort is not UNSET:
                fields["reasoning_effort"] = oc.pop("effort")
            if w.outputConfig.textFormat is not UNSET:
                rf = self._lift_text_format(raw["outputConfig"]["textFormat"], w.outputConfig.textFormat)
                if rf is not None:
                    fields["response_format"] = rf
                    del oc["textFormat"]
            if oc:
                options["outputConfig"] = oc

        if options:
            fields["provider_options"] = {NAME: options}
        return Request(**fields)

    @staticmethod
    def _lift_text_format(raw: dict[str, Any], w: WOutputFormat) -> ResponseFormat | None:
        path = "$.outputConfig.textFormat.structure.jsonSchema.schema"
        if not _text_format_shape(raw):
            return None
        js = w.structure.jsonSchema
        schema = load_json(js.schema) if js.schema.strip() else None
        if not isinstance(schema, dict):
            raise DecodeError(path, "a JSON object schema as a string", js.schema[:40])
        return ResponseFormat(
            type="json_schema",
            schema=schema,
            name=None if js.name is UNSET else js.name,
            description=None if js.description is UNSET else js.description,
        )

    # -- responses -----------------------------------------------------------------------------

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a ``ConverseResponse`` body to an IR :class:`Response`.

        Usage follows botocore ``TokenUsage``: ``inputTokens`` is the uncached input only, so the
        three input buckets are ``inputTokens``, ``cacheReadInputTokens`` and
        ``cacheWriteInputTokens`` (AWS prompt-caching guide), the write split by TTL from
        ``cacheDetails``. Converse reports no reasoning-token count.
        """
        raw = expect_object(load_json(payload), "$")
        w = wire_convert(raw, WConverseResponse)
        _, extra = _split(raw, ("output", "stopReason", "usage"))
        _, out_extra = _split(raw["output"], ("message",))
        if out_extra:
            raise DecodeError("$.output", "a message", ", ".join(out_extra))
        msg = raw["output"]["message"]
        content = [_lift_block(b, f"$.output.message.content[{j}]") for j, b in enumerate(msg["content"])]
        return Response(
            content=content,
            stop_reason=_stop_reason(w.stopReason),
            raw_stop_reason=w.stopReason,
            usage=_usage(w.usage),
            provider_options=_opts(extra),
        )

    def stream_decoder(self) -> StreamDecoder:
        """A decoder for ConverseStream events (``{"contentBlockDelta": {...}}`` objects as boto3
        yields them, or the inner object with the event type as ``name``)."""
        return ConverseStreamDecoder()

    # -- canonical form ------------------------------------------------------------------------

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Rewrite ``payload`` into the form :meth:`encode` writes (see ``CANONICALIZATIONS``)."""
        body = copy.deepcopy(dict(payload))
        lists: list[list[Any]] = []
        tc = body.get("toolConfig")
        if isinstance(tc, dict) and isinstance(tc.get("tools"), list):
            lists.append(tc["tools"])
        if isinstance(body.get("system"), list):
            lists.append(body["system"])
        for m in body.get("messages") or []:
            if isinstance(m, dict) and isinstance(m.get("content"), list):
                lists.append(m["content"])
                for b in m["content"]:
                    # only a block that lifts to an IR ToolResult (a one-key wrapper)
                    tr = b.get("toolResult") if isinstance(b, dict) and len(b) == 1 else None
                    if isinstance(tr, dict) and tr.get("status") == "success":
                        del tr["status"]
        # cachePoint ttl 5m == default; a cachePoint opening a list moves to the end of the
        # nearest earlier non-empty list (or is removed when there is none).
        previous: list[Any] | None = None
        for items in lists:
            for b in items:
                if isinstance(b, dict) and isinstance(b.get("cachePoint"), dict) and b["cachePoint"].get("ttl") == "5m":
                    del b["cachePoint"]["ttl"]
            while items and isinstance(items[0], dict) and "cachePoint" in items[0]:
                point = items.pop(0)
                if previous is not None:
                    previous.append(point)
            if items:
                previous = items
        for key in ("messages", "system"):
            if body.get(key) == []:
                del body[key]
        oc = body.get("outputConfig")
        if isinstance(oc, dict):
            tf = oc.get("textFormat")
            if isinstance(tf, dict) and _text_format_shape(tf):
                js = tf["structure"]["jsonSchema"]
                try:
                    schema = msgspec.json.decode(js["schema"])
                except msgspec.DecodeError:
                    schema = None
                if isinstance(schema, dict):
                    js["schema"] = msgspec.json.encode(schema).decode()
        for key in ("inferenceConfig", "outputConfig", "additionalModelRequestFields"):
            if body.get(key) == {}:
                del body[key]
        return body

    def validate_wire(self, body: Mapping[str, Any]) -> None:
        """Strict wire types plus the one-member rule of every union."""
        w = wire_convert(body, ConverseRequest)
        _check_unions(w, "$")

    # -- SDK form ------------------------------------------------------------------------------

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """Keyword arguments for boto3 ``bedrock_runtime.converse(**kwargs)``: ``modelId`` plus
        the body, with raw ``bytes`` where the JSON wire has base64 (botocore blob members).

        >>> enc.sdk_kwargs(model_id="anthropic.claude-opus-5")  # doctest: +SKIP
        """
        model_id = options.pop("model_id", None)
        if options:
            raise IRCodecError(f"{NAME}.sdk_kwargs: unknown options {sorted(options)}")
        if not model_id:
            raise IRCodecError(f"{NAME}.sdk_kwargs needs model_id=... (Converse takes it in the URL)")
        out: dict[str, Any] = {"modelId": model_id}
        for key, value in body.items():
            out[key] = _blobs_to_bytes(copy.deepcopy(value), _BLOB_SPEC.get(key))
        return out


def _thinking_config(v: Any) -> bool:
    """``additionalModelRequestFields.thinking`` in the form IR ``reasoning`` lowers to."""
    return (
        isinstance(v, dict)
        and v.get("type") in ("enabled", "adaptive", "disabled")
        and set(v) <= {"type", "budget_tokens"}
        and (
            "budget_tokens" not in v
            or (isinstance(v["budget_tokens"], int) and not isinstance(v["budget_tokens"], bool))
        )
    )


def _ir_mapped(key: str, sub: str, value: Any) -> bool:
    """Is ``body[key][sub] = value`` a field that decode lifts into the IR?"""
    if key == "inferenceConfig":
        return sub in ("maxTokens", "temperature", "topP", "stopSequences")
    if key == "toolConfig":
        return sub in ("tools", "toolChoice")
    if key == "outputConfig":
        return sub == "effort" or (sub == "textFormat" and _text_format_shape(value))
    if key == "additionalModelRequestFields":
        return (sub == "top_k" and isinstance(value, int) and not isinstance(value, bool)) or (
            sub == "thinking" and _thinking_config(value)
        )
    return False


def _text_format_shape(tf: Any) -> bool:
    """A ``textFormat`` with no field the IR ResponseFormat lacks (else it stays in options)."""
    return (
        isinstance(tf, dict)
        and set(tf) == {"type", "structure"}
        and isinstance(tf["structure"], dict)
        and set(tf["structure"]) == {"jsonSchema"}
        and isinstance(tf["structure"]["jsonSchema"], dict)
        and set(tf["structure"]["jsonSchema"]) <= {"schema", "name", "description"}
        and isinstance(tf["structure"]["jsonSchema"].get("schema"), str)
    )


def _lift_tool(t: Any, path: str) -> ToolSpec:
    t = expect_object(t, path)
    tag = _one_member(t, tuple(WTool.__struct_fields__), path)
    w = wire_convert(t, WTool, path)
    if tag == "toolSpec" and len(t) == 1:
        spec = t["toolSpec"]
        assert not isinstance(w.toolSpec, UnsetType)
        _, rest = _split(spec, ("name", "description", "inputSchema", "strict"))
        if set(spec["inputSchema"]) == {"json"}:
            ws = w.toolSpec
            return Tool(
                name=ws.name,
                input_schema=ws.inputSchema.json,
                description=None if ws.description is UNSET else ws.description,
                strict=None if ws.strict is UNSET else ws.strict,
                provider_options=_opts(rest),
            )
    if tag == "cachePoint":
        raise DecodeError(f"{path}.cachePoint", "a tool (a cachePoint is handled by its list)", "a cachePoint")
    return ProviderTool(codec=NAME, data=t)


# --------------------------------------------------------------------------------------------
# Blob members (botocore ``blob`` shapes): base64 on the JSON wire, bytes for boto3.

_SRC = {"source": {"bytes": True}}
_BLOCK_SPEC: dict[str, Any] = {
    "image": _SRC,
    "document": _SRC,
    "video": _SRC,
    "audio": _SRC,
    "reasoningContent": {"redactedContent": True},
    "guardContent": {"image": _SRC},
}
_BLOCK_SPEC["toolResult"] = {"content": ["list", _BLOCK_SPEC]}
_BLOB_SPEC: dict[str, Any] = {
    "messages": ["list", {"content": ["list", _BLOCK_SPEC]}],
    "system": ["list", {"guardContent": {"image": _SRC}}],
}


def _blobs_to_bytes(value: Any, spec: Any) -> Any:
    if spec is None:
        return value
    if spec is True:
        return base64.b64decode(value) if isinstance(value, str) else value
    if isinstance(spec, list):
        return [_blobs_to_bytes(v, spec[1]) for v in value] if isinstance(value, list) else value
    if isinstance(value, dict):
        return {k: _blobs_to_bytes(v, spec.get(k)) for k, v in value.items()}
    return value
