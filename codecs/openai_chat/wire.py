"""Wire types of OpenAI Chat Completions, named ``W`` + the SDK's type name.

They follow the ``openai`` SDK 3.54.0 request and response types (``openai/types/chat/
completion_create_params.py``, ``chat_completion_*_param.py``, ``chat_completion.py``,
``chat_completion_chunk.py``, ``openai/types/completion_usage.py``; PROVIDERS.md §5, §5a). They
validate shapes on decode with JSON paths; unknown fields are allowed (they travel in
``provider_options``). Fields this codec maps are typed; the rest stay ``dict``.

Also here, because lowering and lifting must agree on them: which wire messages form one IR
message (:func:`group_messages`), the part types each role takes, and the data-URL and audio
format tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

import msgspec
from msgspec import UNSET, Struct, UnsetType

from ir_codec.codec import expect_object, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import RedactedThinking, Thinking

__all__ = [
    "AUDIO_FORMAT",
    "DATA_URL",
    "DETAIL_PAYLOAD",
    "detail_item",
    "detail_payload",
    "format_family",
    "signed_origin",
    "FORMAT_MEDIA",
    "MESSAGE_TYPES",
    "PART_TYPES",
    "SCALAR_FIELDS",
    "WAssistantMessage",
    "WChatCompletion",
    "WChatCompletionChunk",
    "WChatRequest",
    "WChoice",
    "WChoiceDeltaToolCall",
    "WChunkChoice",
    "WCompletionTokensDetails",
    "WCompletionUsage",
    "WFile",
    "WFilePart",
    "WFunction",
    "WFunctionDefinition",
    "WFunctionTool",
    "WImagePart",
    "WImageURL",
    "WInputAudio",
    "WInputAudioPart",
    "WPromptCacheBreakpoint",
    "WPromptCacheOptions",
    "WPromptTokensDetails",
    "WRefusalPart",
    "WReplyFunction",
    "WReplyToolCall",
    "WSystemMessage",
    "WTextPart",
    "WToolCall",
    "WToolMessage",
    "WFunctionMessage",
    "WUserMessage",
    "arguments_denote",
    "checked_message",
    "marked_text_block",
    "objects_only",
    "plain_message",
    "plain_tool_turn",
    "plain_wire_call",
    "plain_wire_tool",
    "compact",
    "content_form",
    "group_messages",
    "parse_arguments",
    "split_fields",
]


class WPromptCacheBreakpoint(Struct):
    """``PromptCacheBreakpoint`` (GPT-5.6 and later; PROVIDERS.md §5a)."""

    mode: Literal["explicit"]
    ttl: Literal["30m", "12h"] | UnsetType = UNSET


class WTextPart(Struct):
    """``ChatCompletionContentPartTextParam``."""

    type: Literal["text"]
    text: str
    prompt_cache_breakpoint: WPromptCacheBreakpoint | None | UnsetType = UNSET


class WRefusalPart(Struct):
    """``ChatCompletionContentPartRefusalParam``."""

    type: Literal["refusal"]
    refusal: str


class WImageURL(Struct):
    url: str
    detail: Literal["auto", "low", "high", "original"] | UnsetType = UNSET


class WImagePart(Struct):
    """``ChatCompletionContentPartImageParam``."""

    type: Literal["image_url"]
    image_url: WImageURL
    prompt_cache_breakpoint: WPromptCacheBreakpoint | None | UnsetType = UNSET


class WInputAudio(Struct):
    data: str
    format: Literal["wav", "mp3"]


class WInputAudioPart(Struct):
    """``ChatCompletionContentPartInputAudioParam``."""

    type: Literal["input_audio"]
    input_audio: WInputAudio
    prompt_cache_breakpoint: WPromptCacheBreakpoint | None | UnsetType = UNSET


class WFile(Struct):
    file_data: str | UnsetType = UNSET
    file_id: str | UnsetType = UNSET
    filename: str | UnsetType = UNSET


class WFilePart(Struct):
    """``File`` content part (``chat_completion_content_part_param.py``)."""

    type: Literal["file"]
    file: WFile
    prompt_cache_breakpoint: WPromptCacheBreakpoint | None | UnsetType = UNSET


class WFunction(Struct):
    name: str
    arguments: str | None | UnsetType = UNSET
    """Absent or null from some OpenAI-compatible servers (PROVIDERS.md §13): ``{}``."""


class WToolCall(Struct):
    """``ChatCompletionMessageFunctionToolCallParam``."""

    id: str
    type: Literal["function"]
    function: WFunction


class WSystemMessage(Struct):
    """``ChatCompletionSystemMessageParam`` and ``ChatCompletionDeveloperMessageParam``."""

    role: Literal["system", "developer"]
    content: str | list[dict[str, Any]]
    name: str | None | UnsetType = UNSET


class WUserMessage(Struct):
    """``ChatCompletionUserMessageParam``."""

    role: Literal["user"]
    content: str | list[dict[str, Any]]
    name: str | None | UnsetType = UNSET


class WAssistantMessage(Struct):
    """``ChatCompletionAssistantMessageParam``."""

    role: Literal["assistant"]
    content: str | list[dict[str, Any]] | None | UnsetType = UNSET
    tool_calls: list[dict[str, Any]] | None | UnsetType = UNSET  # null: as absent (canonicalizations)
    name: str | None | UnsetType = UNSET
    refusal: str | None | UnsetType = UNSET


class WToolMessage(Struct):
    """``ChatCompletionToolMessageParam``."""

    role: Literal["tool"]
    tool_call_id: str
    content: str | list[dict[str, Any]]


class WFunctionMessage(Struct):
    """``ChatCompletionFunctionMessageParam``: the answer to a legacy ``function_call``
    (deprecated, still in the SDK's message union)."""

    role: Literal["function"]
    name: str
    content: str | None


class WFunctionDefinition(Struct):
    """``FunctionDefinition`` (``shared_params/function_definition.py``)."""

    name: str
    description: str | None | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET
    strict: bool | None | UnsetType = UNSET


class WFunctionTool(Struct):
    """``ChatCompletionFunctionToolParam``."""

    type: Literal["function"]
    function: WFunctionDefinition


class WPromptCacheOptions(Struct):
    """``PromptCacheOptions`` of Chat: ``ttl`` takes only ``30m`` (PROVIDERS.md §5a)."""

    mode: Literal["implicit", "explicit"] | UnsetType = UNSET
    ttl: Literal["30m"] | UnsetType = UNSET


class WChatRequest(Struct):
    """The request body (``CompletionCreateParamsBase``); fields this codec maps are typed.

    A flavor whose provider adds or renames fields subclasses it (``WIRE_REQUEST``)."""

    messages: list[dict[str, Any]]
    model: str | UnsetType = UNSET
    tools: list[dict[str, Any]] | UnsetType = UNSET
    tool_choice: str | dict[str, Any] | UnsetType = UNSET
    parallel_tool_calls: bool | UnsetType = UNSET
    max_completion_tokens: int | None | UnsetType = UNSET
    max_tokens: int | None | UnsetType = UNSET
    temperature: float | None | UnsetType = UNSET
    top_p: float | None | UnsetType = UNSET
    stop: str | list[str] | None | UnsetType = UNSET
    seed: int | None | UnsetType = UNSET
    n: int | None | UnsetType = UNSET
    response_format: dict[str, Any] | UnsetType = UNSET
    reasoning_effort: str | None | UnsetType = UNSET
    user: str | UnsetType = UNSET
    metadata: dict[str, str] | None | UnsetType = UNSET
    stream: bool | None | UnsetType = UNSET
    prompt_cache_key: str | None | UnsetType = UNSET
    prompt_cache_options: WPromptCacheOptions | UnsetType = UNSET
    prompt_cache_retention: Literal["in_memory", "24h"] | None | UnsetType = UNSET


# -- replies -----------------------------------------------------------------------------------


class WPromptTokensDetails(Struct):
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None


class WCompletionTokensDetails(Struct):
    reasoning_tokens: int | None = None


class WCompletionUsage(Struct):
    """``CompletionUsage`` (openai/types/completion_usage.py; openrouter ``chatusage.py``).
    The counts are optional: OpenAI-compatible servers leave some out (PROVIDERS.md §13), and
    a counter not reported is ``None`` in the IR."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    prompt_tokens_details: WPromptTokensDetails | None = None
    completion_tokens_details: WCompletionTokensDetails | None = None


class WChoice(Struct):
    message: dict[str, Any]
    finish_reason: str | None = None
    index: int = 0


class WChatCompletion(Struct):
    """``ChatCompletion`` (openai/types/chat/chat_completion.py)."""

    choices: list[WChoice]
    id: str | None = None
    model: str | None = None
    usage: dict[str, Any] | None = None


class WChunkChoice(Struct):
    delta: dict[str, Any] = {}
    finish_reason: str | None = None
    index: int = 0


class WChatCompletionChunk(Struct):
    """``ChatCompletionChunk`` (openai/types/chat/chat_completion_chunk.py)."""

    choices: list[WChunkChoice] = []
    id: str | None = None
    model: str | None = None
    usage: dict[str, Any] | None = None


class WReplyFunction(Struct):
    """``Function`` of a reply's tool call (chat_completion_message_function_tool_call.py).
    ``arguments`` may be absent or null: some OpenAI-compatible servers omit it (PROVIDERS.md
    §13); the IR input is then ``{}``."""

    name: str
    arguments: str | None = None


class WReplyToolCall(Struct):
    """``ChatCompletionMessageFunctionToolCall`` of a reply (not the request param type)."""

    id: str
    function: WReplyFunction
    type: Literal["function"] = "function"


class WChoiceDeltaToolCall(Struct):
    """``ChoiceDeltaToolCall``: a piece of one tool call in a stream."""

    index: int
    id: str | None = None
    function: dict[str, Any] = {}


# -- tables both directions share ----------------------------------------------------------------

PART_TYPES: dict[str, type[Struct]] = {
    "text": WTextPart,
    "image_url": WImagePart,
    "input_audio": WInputAudioPart,
    "file": WFilePart,
    "refusal": WRefusalPart,
}
"""The content parts this codec models, by wire ``type``."""

MESSAGE_TYPES: dict[str, type[Struct]] = {
    "system": WSystemMessage,
    "developer": WSystemMessage,
    "user": WUserMessage,
    "assistant": WAssistantMessage,
    "tool": WToolMessage,
    "function": WFunctionMessage,
}
"""The messages, by ``role``."""

SCALAR_FIELDS: dict[str, str] = {
    "parallel_tool_calls": "parallel_tool_calls",
    "temperature": "temperature",
    "top_p": "top_p",
    "stop": "stop",
    "seed": "seed",
    "n": "n",
    "reasoning_effort": "reasoning_effort",
    "user": "user",
    "metadata": "metadata",
    "stream": "stream",
    "prompt_cache_key": "cache_key",
}
"""Top-level fields sent as the IR value itself: OpenAI's wire name -> IR Request field, in the
order encode writes them (a flavor may rename them, ``ChatFlavor.RENAMED_FIELDS``)."""

DATA_URL = re.compile(r"^data:([^;,]+);base64,(.*)$", re.S)
AUDIO_FORMAT = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/mp3": "mp3", "audio/mpeg": "mp3"}
"""IR media type -> ``input_audio.format`` (chat_completion_content_part_input_audio_param.py)."""
FORMAT_MEDIA = {"wav": "audio/wav", "mp3": "audio/mp3"}
"""``input_audio.format`` -> the IR media type it is read back as."""


def compact(value: Any) -> str:
    """Compact JSON text (the form encode writes for tool-call arguments)."""
    return msgspec.json.encode(value).decode()


def parse_arguments(raw: str) -> tuple[dict[str, Any], str | None]:
    """A tool call's ``arguments`` text as (IR input, the text to keep raw, or None).

    The IR holds the parsed object; when the text is not the compact JSON form of it (or not a
    JSON object at all, then the input is ``{}``), the text is kept in the ToolUse's
    provider_options, so that it goes back byte for byte."""
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return {}, raw
    if not isinstance(value, dict):
        return {}, raw
    return value, (None if compact(value) == raw else raw)


def content_form(parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """A bare string for exactly one plain text part (the canonical form), else the list."""
    if len(parts) == 1 and set(parts[0]) == {"type", "text"} and parts[0]["type"] == "text":
        return str(parts[0]["text"])
    return parts


def arguments_denote(raw: str, value: dict[str, Any]) -> bool:
    """Whether the kept arguments text still stands for ``value`` (a non-object text for {})."""
    try:
        parsed = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return value == {}
    if not isinstance(parsed, dict):
        return value == {}
    return compact(parsed) == compact(value) and compact(parsed) != raw


def split_fields(obj: Mapping[str, Any], known: frozenset[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(known fields with a non-null value, everything else). A null in a known field is kept as
    a raw field, so that it round-trips without an IR value."""
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    for k, v in obj.items():
        (a if k in known and v is not None else b)[k] = v
    return a, b


DETAIL_PAYLOAD = {"reasoning.text": "text", "reasoning.summary": "summary", "reasoning.encrypted": "data"}
"""The reasoning detail types a request's assistant message reads as IR parts (openrouter
``reasoningdetailtext.py``, ``reasoningdetailsummary.py``, ``reasoningdetailencrypted.py``) ->
the field of each that holds the part's text or data."""


def detail_payload(d: Mapping[str, Any]) -> str | None:
    """The field of reasoning detail ``d`` that holds its text or data (:data:`DETAIL_PAYLOAD`)
    when it holds a string, else ``None``: then the item is no IR reasoning part."""
    t = d.get("type")
    key = DETAIL_PAYLOAD.get(t) if type(t) is str else None
    return key if key is not None and type(d.get(key)) is str else None


def format_family(fmt: Any, formats: Mapping[str, str]) -> str | None:
    """The signature family whose reasoning detail ``format`` is ``fmt``
    (``ChatFlavor.REASONING_FORMATS``: family -> format), or ``None``."""
    return next((family for family, f in formats.items() if f == fmt), None)


def signed_origin(own: dict[str, Any], formats: Mapping[str, str]) -> str | None:
    """The origin of a signed reasoning detail whose own fields are ``own``: the family its
    ``format`` names (:func:`format_family`), taken out of ``own``; ``None`` (``own`` unchanged)
    for another format. Requests and replies read a detail alike, so that a reply's reasoning
    goes into the next request unchanged."""
    family = format_family(own.get("format"), formats)
    if family is not None:
        del own["format"]
    return family


def detail_item(p: Thinking | RedactedThinking, summary: bool) -> dict[str, Any]:
    """The reasoning detail of ``p`` without its own fields: ``reasoning.encrypted`` with its
    ``data``, else ``reasoning.summary`` (``summary``) or ``reasoning.text`` with its text, and
    its ``signature`` where it has one."""
    if isinstance(p, RedactedThinking):
        return {"type": "reasoning.encrypted", "data": p.data}
    d: dict[str, Any] = (
        {"type": "reasoning.summary", "summary": p.text} if summary else {"type": "reasoning.text", "text": p.text}
    )
    if p.signature is not None:
        d["signature"] = p.signature
    return d


PLAIN_ROLES = frozenset({"system", "developer", "user", "assistant"})
"""The roles whose messages may be of the plain shape (:func:`plain_message`)."""


def plain_message(m: Any) -> bool:
    """Whether ``m`` is a message of the most common shape, which its role's type accepts as it
    is: ``role`` and ``content`` only, the content a string or a list of objects (each checked
    against its part type when it is read)."""
    if type(m) is not dict or len(m) != 2:
        return False
    role = m.get("role")
    if type(role) is not str or role not in PLAIN_ROLES:
        return False
    content = m.get("content")
    return type(content) is str or (type(content) is list and objects_only(content))


_OBJECTS = frozenset({dict}).issuperset


def objects_only(items: list[Any]) -> bool:
    """Whether every item is a ``dict`` (one scan in C, no generator)."""
    return _OBJECTS(map(type, items))


def marked_text_block(obj: Any, key: str) -> bool:
    """Whether ``obj`` is ``{"type": "text", "text": "...", key: ...}`` and nothing else: a text
    part with a cache mark at the flavor's ``MARK_KEY``. ``WTextPart`` accepts it as it is
    wherever the flavor reads the mark: OpenAI's ``read_mark`` takes only what
    ``WPromptCacheBreakpoint`` takes, and a key the Struct does not type (OpenRouter's
    ``cache_control``) is not checked by it."""
    return (
        type(obj) is dict
        and len(obj) == 3
        and obj.get("type") == "text"
        and type(obj.get("text")) is str
        and key in obj
    )


_FUNCTION_FIELDS: dict[str, type] = {"name": str, "description": str, "parameters": dict, "strict": bool}


def plain_wire_tool(tool: Any) -> bool:
    """Whether ``tool`` is a function tool of the plain shape, which ``WFunctionTool`` accepts as
    it is and which leaves nothing raw: ``type`` "function" and ``function`` with a string
    ``name`` and, each optional, a string ``description``, an object ``parameters`` and a
    boolean ``strict``, nothing else (no mark, no null)."""
    if type(tool) is not dict or len(tool) != 2 or tool.get("type") != "function":
        return False
    fn = tool.get("function")
    if type(fn) is not dict or type(fn.get("name")) is not str:
        return False
    for key, value in fn.items():
        if type(value) is not _FUNCTION_FIELDS.get(key):
            return False
    return True


def plain_wire_call(call: Any) -> bool:
    """Whether ``call`` is a function tool call of the plain shape, which ``WToolCall`` accepts
    as it is and which leaves nothing raw: ``id``, ``type`` "function" and ``function`` with a
    string ``name`` and ``arguments``, nothing else."""
    if type(call) is not dict or len(call) != 3 or call.get("type") != "function" or type(call.get("id")) is not str:
        return False
    f = call.get("function")
    return type(f) is dict and len(f) == 2 and type(f.get("name")) is str and type(f.get("arguments")) is str


def plain_tool_turn(m: Any) -> bool:
    """Whether ``m`` is one of the two messages of a plain tool turn, which its role's type
    accepts as it is and which leave nothing raw: an assistant message of null content and
    plain tool calls (:func:`plain_wire_call`), or a tool message of a string content."""
    if type(m) is not dict or len(m) != 3:
        return False
    role = m.get("role")
    if role == "tool":
        return type(m.get("tool_call_id")) is str and type(m.get("content")) is str
    if role != "assistant" or "content" not in m or m["content"] is not None:
        return False
    calls = m.get("tool_calls")
    return type(calls) is list and len(calls) > 0 and all(map(plain_wire_call, calls))


def checked_message(m: Any, path: str) -> dict[str, Any]:
    """A wire message checked against its role's type; a :class:`DecodeError` otherwise."""
    obj = expect_object(m, path)
    role = obj.get("role")
    if not isinstance(role, str) or role not in MESSAGE_TYPES:
        raise DecodeError(f"{path}.role", "one of " + ", ".join(MESSAGE_TYPES), repr(role))
    wire_convert(obj, MESSAGE_TYPES[role], path)
    return obj


def group_messages(msgs: list[dict[str, Any]], start: int) -> list[list[int]]:
    """Which wire messages (from ``start`` on, already checked) form one IR message.

    Consecutive ``user``/``tool`` messages form one IR user message, except that two ``user``
    messages in a row, or a later ``user`` message with message-level fields, start a new one,
    and a ``user`` message with empty content stands alone. Decode reads by this rule; encode
    uses it to report the IR messages that will read back merged. A legacy ``function`` message
    counts as a ``tool`` message.
    """
    groups: list[list[int]] = []
    cur: list[int] | None = None
    for idx in range(start, len(msgs)):
        m = msgs[idx]
        role = m["role"]
        if role == "function":
            role = "tool"
        if (role != "user" and role != "tool") or (role == "user" and m["content"] == []):
            # an assistant or system message, or an empty user message (it is all an empty IR
            # user message leaves), stands alone
            cur = None
            groups.append([idx])
            continue
        if cur is not None:
            prev = msgs[cur[-1]]["role"]
            has_user = any(msgs[k]["role"] == "user" for k in cur)
            if role == "tool" or (prev != "user" and not (has_user and set(m) - {"role", "content"})):
                cur.append(idx)
                continue
        cur = [idx]
        groups.append(cur)
    return groups
