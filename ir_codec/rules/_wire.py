"""The published request shapes of each provider, in the schema language of :mod:`._schema`.

Each shape cites the type it follows (PROVIDERS.md §0 names the SDK versions). Deeply free
values (tool input schemas, tool inputs, response schemas, metadata) are not walked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._core import Ctx
from ._schema import ANY, BOOL, STR, Alt, Int, Lst, Node, Num, Obj, Str, Tagged, check

__all__ = ["SCHEMAS", "anthropic_request", "chat_request"]


class _Null(Node):
    what = "null"

    def accepts(self, v: Any) -> bool:
        return v is None


NULL = _Null()


def opt(node: Node) -> Node:
    """``node`` or JSON null (OpenAI's optional fields are nullable)."""
    return Alt(node, NULL)


OPEN = Obj(open=True)
"""Any object (free JSON: tool inputs, schemas, metadata)."""

# ============================================================================================
# Anthropic Messages (SDK anthropic/types/*_param.py; PROVIDERS.md §2)

A_CACHE = opt(  # the SDK's block params: cache_control Optional[CacheControlEphemeralParam]
    Obj(
        {"type": Str({"ephemeral"}, code="IRC204"), "ttl": Str({"5m", "1h"}, code="IRC204")},
        required=["type"],
        open=True,  # newer fields (scope) are seen accepted: PROVIDERS.md §13
        name="cache_control",
    )
)
_A_MEDIA = Tagged(
    {
        "base64": Obj({"media_type": STR, "data": STR}, required=["media_type", "data"]),
        "url": Obj({"url": Str(nonempty=True)}, required=["url"]),
        "file": Obj({"file_id": Str(nonempty=True)}, required=["file_id"]),
        "text": Obj({"media_type": Str({"text/plain"}), "data": STR}, required=["media_type", "data"]),
        "content": Obj({"content": Alt(STR, Lst(OPEN))}, required=["content"]),
    },
    kind="source",
)
_A_TEXT = Obj(
    {"text": STR, "cache_control": A_CACHE, "citations": opt(Lst(OPEN))}, required=["text"], name="text block"
)
_A_IMAGE = Obj({"source": _A_MEDIA, "cache_control": A_CACHE, "transformations": ANY}, required=["source"])
_A_DOC = Obj(
    {
        "source": _A_MEDIA,
        "title": opt(STR),
        "context": opt(STR),
        "citations": ANY,
        "cache_control": A_CACHE,
    },
    required=["source"],
)
_A_SEARCH = Obj(
    {"source": STR, "title": STR, "content": Lst(OPEN), "citations": ANY, "cache_control": A_CACHE},
    required=["source", "title", "content"],
)
_A_RESULT_BLOCK = Tagged({"text": _A_TEXT, "image": _A_IMAGE, "document": _A_DOC, "search_result": _A_SEARCH})
_A_OPEN_BLOCK = Obj({"cache_control": A_CACHE}, open=True)
_SERVER_BLOCKS = (
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "code_execution_tool_result",
    "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result",
    "tool_search_tool_result",
    "mcp_tool_use",
    "mcp_tool_result",
    "container_upload",
)
A_BLOCK = Tagged(
    {
        "text": _A_TEXT,
        "image": _A_IMAGE,
        "document": _A_DOC,
        "search_result": _A_SEARCH,
        "tool_use": Obj(
            {
                "id": STR,
                "name": Str(nonempty=True),
                "input": OPEN,
                "cache_control": A_CACHE,
                "caller": ANY,
                "toolset_name": opt(STR),  # tool_use_block_param.py: Optional[str]
            },
            required=["id", "name", "input"],
        ),
        "tool_result": Obj(
            {
                "tool_use_id": STR,
                "content": Alt(STR, Lst(_A_RESULT_BLOCK)),
                "is_error": BOOL,
                "cache_control": A_CACHE,
                "toolset_name": opt(STR),  # tool_result_block_param.py: Optional[str]
            },
            required=["tool_use_id"],
        ),
        "thinking": Obj({"thinking": STR, "signature": STR, "cache_control": ANY}, required=["thinking", "signature"]),
        "redacted_thinking": Obj({"data": STR, "cache_control": ANY}, required=["data"]),
        **{t: _A_OPEN_BLOCK for t in _SERVER_BLOCKS},
    },
    fallback=_A_OPEN_BLOCK,
)
_A_MESSAGE = Obj(
    {"role": Str({"user", "assistant", "system"}), "content": Alt(STR, Lst(A_BLOCK))},
    required=["role", "content"],
    name="message",
)
_A_CUSTOM_TOOL = Obj(
    {
        "type": Str({"custom"}),
        "name": Str(nonempty=True),
        "input_schema": OPEN,
        "description": STR,
        "cache_control": A_CACHE,
        "strict": BOOL,
        "defer_loading": BOOL,
        "input_examples": Lst(),
        "allowed_callers": Lst(STR),
        "eager_input_streaming": BOOL,
    },
    required=["name", "input_schema"],
    name="tool",
)
_A_SERVER_TOOL = Obj({"type": STR, "name": STR, "cache_control": A_CACHE}, open=True, required=["name"])


_UNDATED_SERVER_TOOLS = frozenset({"tool_search_tool_bm25", "tool_search_tool_regex"})
"""Server tools whose type has no date suffix (SDK ``tool_union_param.py``)."""


class _AnthropicTool(Node):
    """A custom tool, or a server tool (a versioned ``type`` such as ``web_search_20250305``)."""

    what = "an object"

    def accepts(self, v: Any) -> bool:
        return isinstance(v, Mapping)

    def walk(self, v: Any, path: str, ctx: Ctx) -> None:
        t = v.get("type", "custom")
        if t == "custom" or not isinstance(t, str):
            check(_A_CUSTOM_TOOL, v, path, ctx)
        elif t[-8:].isdigit() or t in _UNDATED_SERVER_TOOLS or t.startswith("mcp") or ctx.allow_unknown:
            check(_A_SERVER_TOOL, v, path, ctx)
        else:
            ctx.add("IRC102", f"{path}.type", f"unknown tool type {t!r}; custom tools have type 'custom' or none")


_A_TOOL_CHOICE = Tagged(
    {
        "auto": Obj({"disable_parallel_tool_use": BOOL}),
        "any": Obj({"disable_parallel_tool_use": BOOL}),
        "tool": Obj({"name": STR, "disable_parallel_tool_use": BOOL}, required=["name"]),
        "none": Obj(),
    },
    kind="tool_choice",
)
_A_THINKING = Tagged(
    {
        "enabled": Obj({"budget_tokens": Int(ge=1024), "display": STR}, required=["budget_tokens"]),
        "adaptive": Obj({"display": STR}),
        "disabled": Obj(),
        "between_tools": Obj(open=True),
    },
    kind="thinking config",
)


def anthropic_request(has_model: bool, has_stream: bool, body_version: bool) -> Obj:
    """The Messages body (``message_create_params.py``) of one platform form."""
    fields: dict[str, Node] = {
        "messages": Lst(_A_MESSAGE),
        "max_tokens": Int(ge=0),  # 0 = cache pre-warm (A-PC "Pre-warming the cache")
        "system": Alt(STR, Lst(Tagged({"text": _A_TEXT}))),
        "tools": Lst(_AnthropicTool()),
        "tool_choice": _A_TOOL_CHOICE,
        "stop_sequences": Lst(STR),
        "metadata": Obj({"user_id": opt(STR)}),
        "thinking": _A_THINKING,
        "output_config": Obj(
            {"effort": Str({"low", "medium", "high", "xhigh", "max"}), "format": OPEN, "task_budget": ANY}
        ),
        "cache_control": A_CACHE,
        "service_tier": Str({"auto", "standard_only"}),
        "speed": opt(Str({"standard", "fast"})),  # message_create_params.py: Optional
        "container": ANY,
        "diagnostics": ANY,
        "inference_geo": opt(STR),
        "user_profile_id": STR,
        "workspace_id": STR,
        "mcp_servers": Lst(OPEN),
        "context_management": ANY,
        # sampling: legacy versions only (IRC107 decides); ranges from the 2023-06-01 reference
        "temperature": Num(0, 1),
        "top_p": Num(0, 1),
        "top_k": Int(ge=0),
        "model": Str(nonempty=True),
        "stream": BOOL,
        "anthropic_version": STR,
        "anthropic_beta": Lst(STR),
    }
    required = ["model", "max_tokens", "messages"] if has_model else ["max_tokens", "messages"]
    return Obj(fields, required=required, name="the Messages body")


# ============================================================================================
# Bedrock Converse (botocore bedrock-runtime 2023-09-30 service-2.json; PROVIDERS.md §4)

_B_S3 = Obj({"uri": Str(nonempty=True), "bucketOwner": STR}, required=["uri"])
_B_BLOB = Obj({"bytes": STR, "s3Location": _B_S3}, one_of=["bytes", "s3Location"])
B_CACHE = Obj(
    {"type": Str({"default"}, code="IRC204"), "ttl": Str({"5m", "1h"}, code="IRC204")},
    required=["type"],
    name="cachePoint",
)
_B_IMAGE = Obj({"format": Str({"png", "jpeg", "gif", "webp"}), "source": _B_BLOB}, required=["format", "source"])
_B_DOC_FORMATS = {"pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"}
_B_DOC = Obj(
    {
        "format": Str(_B_DOC_FORMATS),
        "name": Str(nonempty=True),
        "source": Obj(
            {"bytes": STR, "s3Location": _B_S3, "text": STR, "content": Lst(OPEN)},
            one_of=["bytes", "s3Location", "text", "content"],
        ),
        "context": STR,
        "citations": Obj({"enabled": BOOL}),
    },
    required=["name", "source"],
)
_B_MEDIA = Obj({"format": STR, "source": _B_BLOB}, required=["format", "source"])
_B_RESULT_ITEM = Obj(
    {"json": ANY, "text": STR, "image": _B_IMAGE, "document": _B_DOC, "video": _B_MEDIA, "searchResult": OPEN},
    one_of=["json", "text", "image", "document", "video", "searchResult"],
)
_B_BLOCK_FIELDS: dict[str, Node] = {
    "text": Str(nonempty=True),  # whitespace-only is accepted, "" is not (PROVIDERS.md §13)
    "image": _B_IMAGE,
    "document": _B_DOC,
    "video": _B_MEDIA,
    "audio": _B_MEDIA,
    "toolUse": Obj(
        {"toolUseId": STR, "name": Str(nonempty=True), "input": ANY, "type": STR},
        required=["toolUseId", "name", "input"],
    ),
    "toolResult": Obj(
        {"toolUseId": STR, "content": Lst(_B_RESULT_ITEM), "status": Str({"success", "error"}), "type": STR},
        required=["toolUseId", "content"],
    ),
    "guardContent": OPEN,
    "cachePoint": B_CACHE,
    "reasoningContent": Obj(
        {"reasoningText": Obj({"text": STR, "signature": STR}, required=["text"]), "redactedContent": STR},
        one_of=["reasoningText", "redactedContent"],
    ),
    "citationsContent": OPEN,
    "searchResult": OPEN,
    "toolAddition": OPEN,
    "toolRemoval": OPEN,
}
B_BLOCK = Obj(_B_BLOCK_FIELDS, one_of=list(_B_BLOCK_FIELDS), name="ContentBlock")
_B_SYSTEM = Obj(
    {"text": Str(nonempty=True), "guardContent": OPEN, "cachePoint": B_CACHE},
    one_of=["text", "guardContent", "cachePoint"],
    name="SystemContentBlock",
)
_B_TOOL = Obj(
    {
        "toolSpec": Obj(
            {
                "name": Str(pattern=r"[a-zA-Z0-9_-]{1,64}"),  # B-SDK ToolName
                "description": STR,
                "inputSchema": Obj({"json": ANY}, one_of=["json"]),
                "strict": BOOL,
            },
            required=["name", "inputSchema"],
        ),
        "systemTool": OPEN,
        "cachePoint": B_CACHE,
    },
    one_of=["toolSpec", "systemTool", "cachePoint"],
    name="Tool",
)
B_REQUEST = Obj(
    {
        "messages": Lst(
            Obj(
                {"role": Str({"user", "assistant", "system"}), "content": Lst(B_BLOCK)},
                required=["role", "content"],
                name="Message",
            )
        ),
        "system": Lst(_B_SYSTEM),
        "inferenceConfig": Obj(
            {
                "maxTokens": Int(ge=1),
                "temperature": Num(0, 1),
                "topP": Num(0, 1),
                "stopSequences": Lst(STR, max_items=2500),
            },
            name="inferenceConfig",
        ),
        "toolConfig": Obj(
            {
                "tools": Lst(_B_TOOL, min_items=1),
                "toolChoice": Obj(
                    {"auto": OPEN, "any": OPEN, "tool": Obj({"name": STR}, required=["name"])},
                    one_of=["auto", "any", "tool"],
                    name="toolChoice",  # no "none" choice (PROVIDERS.md §4a)
                ),
            },
            required=["tools"],
        ),
        "guardrailConfig": OPEN,
        "additionalModelRequestFields": ANY,
        "additionalModelResponseFieldPaths": Lst(STR),
        "promptVariables": OPEN,
        "requestMetadata": Obj(values=STR),
        "performanceConfig": Obj({"latency": Str({"standard", "optimized"})}),
        "serviceTier": Obj({"type": STR}),
        "outputConfig": Obj({"textFormat": OPEN, "effort": Str({"low", "medium", "high", "xhigh", "max"})}),
    },
    # botocore marks messages optional for a prompt-management modelId (a prompt ARN, which
    # supplies them); a body for any other model is refused without them.
    required=["messages"],
    name="ConverseRequest",
)

# ============================================================================================
# OpenAI Chat Completions (openai 3.54.0 types/chat/*; PROVIDERS.md §5) and its flavors

O_MARK = Obj(
    {"mode": Str({"explicit"}, code="IRC204"), "ttl": Str({"30m", "12h"}, code="IRC204")},
    required=["mode"],
    name="prompt_cache_breakpoint",
)


def _part(fields: Mapping[str, Node], required: list[str], mark: Mapping[str, Node]) -> Obj:
    return Obj({**fields, **mark}, required=required)


def _chat_parts(mark: Mapping[str, Node], image_mark: Mapping[str, Node]) -> dict[str, Obj]:
    return {
        "text": _part({"text": STR}, ["text"], mark),
        "image_url": _part(
            {
                "image_url": Obj(
                    {"url": Str(nonempty=True), "detail": Str({"auto", "low", "high", "original"})}, required=["url"]
                )
            },
            ["image_url"],
            image_mark,
        ),
        "input_audio": _part(
            {"input_audio": Obj({"data": STR, "format": Str({"wav", "mp3"})}, required=["data", "format"])},
            ["input_audio"],
            mark,
        ),
        "file": _part({"file": Obj({"file_data": STR, "file_id": STR, "filename": STR})}, ["file"], mark),
        "refusal": Obj({"refusal": STR}, required=["refusal"]),
    }


_FUNCTION_CALL = Obj(
    {
        "id": STR,
        "type": Str({"function"}),
        "function": Obj({"name": Str(nonempty=True), "arguments": STR}, required=["name", "arguments"]),
        "index": Int(ge=0),
    },
    required=["id", "function"],
)
_CUSTOM_CALL = Obj({"id": STR, "custom": Obj({"name": STR, "input": STR}, required=["name", "input"])}, required=["id"])


def chat_request(
    *,
    extra: Mapping[str, Node] | None = None,
    absent: frozenset[str] = frozenset(),
    mark: Mapping[str, Node] | None = None,
    image_mark: Mapping[str, Node] | None = None,
    tool_mark: Mapping[str, Node] | None = None,
    user_parts: frozenset[str] = frozenset({"text", "image_url", "input_audio", "file"}),
    extra_parts: Mapping[str, Obj] | None = None,
    assistant_extra: Mapping[str, Node] | None = None,
    tool_choices: frozenset[str] = frozenset({"none", "auto", "required"}),
    cache_ttls: frozenset[str] = frozenset({"30m"}),
    optional_model: bool = False,
) -> Obj:
    """The Chat Completions body (``completion_create_params.py``), varied per flavor."""
    mark = {"prompt_cache_breakpoint": O_MARK} if mark is None else mark
    image_mark = mark if image_mark is None else image_mark
    parts = {**_chat_parts(mark, image_mark), **(extra_parts or {})}

    def parts_of(*tags: str) -> Node:
        return Alt(STR, Lst(Tagged({t: parts[t] for t in tags if t in parts}, kind="content part"), min_items=1))

    user_tags = tuple(user_parts | frozenset(extra_parts or ()))
    name = {"name": STR}
    tool_call = Tagged({"function": _FUNCTION_CALL, "custom": _CUSTOM_CALL}, default="function", kind="tool call")
    message = Tagged(
        {
            "system": Obj({"content": parts_of("text"), **name}, required=["content"]),
            "developer": Obj({"content": parts_of("text"), **name}, required=["content"]),
            "user": Obj({"content": parts_of(*user_tags), **name}, required=["content"]),
            "assistant": Obj(
                {
                    "content": opt(
                        Alt(STR, Lst(Tagged({"text": parts["text"], "refusal": parts["refusal"]}))),
                    ),
                    "refusal": opt(STR),
                    "tool_calls": opt(Lst(tool_call)),  # null as absent (mistralai: Nullable)
                    "audio": opt(Obj({"id": STR}, required=["id"])),
                    "function_call": opt(OPEN),
                    **name,
                    **(assistant_extra or {}),
                }
            ),
            "tool": Obj(
                {"content": parts_of("text", "image_url", "input_audio", "file"), "tool_call_id": STR, **name},
                required=["content", "tool_call_id"],
            ),
            "function": Obj({"content": opt(STR), "name": STR}, required=["content", "name"]),
        },
        tag="role",
        kind="message role",
    )
    tool = Tagged(
        {
            "function": Obj(
                {
                    "function": Obj(
                        {"name": Str(nonempty=True), "description": STR, "parameters": OPEN, "strict": opt(BOOL)},
                        required=["name"],
                    ),
                    **(tool_mark or {}),
                },
                required=["function"],
            ),
            "custom": Obj({"custom": OPEN}, required=["custom"]),
        },
        kind="tool",
    )
    named = Tagged(
        {
            "function": Obj({"function": Obj({"name": STR}, required=["name"])}, required=["function"]),
            "allowed_tools": Obj({"allowed_tools": OPEN}, required=["allowed_tools"]),
            "custom": Obj({"custom": OPEN}, required=["custom"]),
        },
        kind="tool_choice",
    )
    fields: dict[str, Node] = {
        "model": Str(nonempty=True),
        "messages": Lst(message, min_items=1),
        "audio": opt(OPEN),
        "frequency_penalty": opt(Num(-2, 2)),
        "presence_penalty": opt(Num(-2, 2)),
        "function_call": ANY,
        "functions": Lst(OPEN),
        "logit_bias": opt(Obj(values=Num(-100, 100))),
        "logprobs": opt(BOOL),
        "top_logprobs": opt(Int(0, 20)),
        "max_completion_tokens": opt(Int(ge=1)),
        "max_tokens": opt(Int(ge=1)),
        "metadata": opt(Obj(values=STR)),
        "modalities": opt(Lst(Str({"text", "audio"}))),
        "n": opt(Int(ge=1, le=128)),
        "parallel_tool_calls": BOOL,
        "prediction": opt(OPEN),
        "prompt_cache_key": opt(STR),
        "prompt_cache_retention": opt(Str({"in_memory", "24h", "in-memory"})),
        "prompt_cache_options": Obj(
            {"mode": Str({"implicit", "explicit"}, code="IRC204"), "ttl": Str(cache_ttls, code="IRC204")},
            name="prompt_cache_options",
        ),
        "reasoning_effort": opt(Str({"none", "minimal", "low", "medium", "high", "xhigh", "max"})),
        "response_format": Tagged(
            {"text": Obj(), "json_object": Obj(), "json_schema": Obj({"json_schema": OPEN}, required=["json_schema"])},
            kind="response_format",
        ),
        "safety_identifier": opt(STR),
        "seed": opt(Int()),
        "service_tier": opt(Str({"auto", "default", "flex", "scale", "priority", "fast"})),  # openai 3.54
        "stop": opt(Alt(STR, Lst(STR, max_items=4))),
        "store": opt(BOOL),
        "stream": opt(BOOL),
        "stream_options": opt(OPEN),
        "temperature": opt(Num(0, 2)),
        "top_p": opt(Num(0, 1)),
        "tool_choice": Alt(Str(tool_choices), named),
        "tools": Lst(tool),
        "user": STR,
        "verbosity": opt(Str({"low", "medium", "high"})),
        "web_search_options": OPEN,
        "moderation": opt(OPEN),
        **(extra or {}),
    }
    for f in absent:
        fields.pop(f, None)
    return Obj(
        fields, required=["messages"] if optional_model else ["model", "messages"], name="the chat completions body"
    )


_OR_CACHE = Obj(
    {"type": Str({"ephemeral"}, code="IRC204"), "ttl": Str({"5m", "1h"}, code="IRC204")},
    required=["type"],
    name="cache_control",
)
_OR_DETAIL = {"format": opt(STR), "id": opt(STR), "index": Int()}
"""The fields every reasoning detail has (openrouter 1.3.84 ``reasoningdetail*.py``)."""
_OR_DETAILS = Lst(
    Tagged(
        {
            "reasoning.text": Obj({"text": opt(STR), "signature": opt(STR), **_OR_DETAIL}),
            "reasoning.summary": Obj({"summary": STR, **_OR_DETAIL}, required=["summary"]),
            "reasoning.encrypted": Obj({"data": STR, **_OR_DETAIL}, required=["data"]),
            "reasoning.server_tool_call": Obj(
                {"tool_name": STR, "arguments": STR, "result": STR, "tool_call_id": opt(STR), **_OR_DETAIL},
                required=["tool_name", "arguments", "result"],
            ),
        },
        kind="reasoning detail",
    )
)
OPENROUTER = chat_request(
    # openrouter 1.3.84 components/chatrequest.py, chatcontenttext.py, chatfunctiontool.py,
    # chatassistantmessage.py (reasoning, reasoning_details, images, model)
    assistant_extra={"reasoning": opt(STR), "reasoning_details": _OR_DETAILS, "images": Lst(OPEN), "model": STR},
    optional_model=True,  # chatrequest.py: model NotRequired (the account's default model)
    extra={
        "cache_control": _OR_CACHE,
        "top_k": opt(Int(ge=0)),
        "top_a": opt(Num(0, 1)),
        "min_p": opt(Num(0, 1)),
        "repetition_penalty": opt(Num(gt=0, le=2)),
        "provider": opt(OPEN),
        "models": Lst(STR),
        "route": ANY,
        "reasoning": opt(OPEN),
        "plugins": Lst(OPEN),
        "session_id": Str(max_len=256),
        "usage": OPEN,
        "transforms": Lst(STR),
        "debug": OPEN,
        "image_config": OPEN,
        "trace": OPEN,
    },
    absent=frozenset({"n"}),
    mark={"prompt_cache_breakpoint": O_MARK, "cache_control": _OR_CACHE},
    image_mark={"prompt_cache_breakpoint": O_MARK, "cache_control": _OR_CACHE},
    tool_mark={"cache_control": _OR_CACHE},
    cache_ttls=frozenset({"30m", "12h"}),
)
MISTRAL = chat_request(
    # mistralai 3.7.0 models/chatcompletionrequest.py
    extra={
        "random_seed": opt(Int(ge=0)),
        "safe_prompt": BOOL,
        "prompt_mode": opt(Str({"reasoning"})),
        "top_k": opt(Int(ge=0)),
        "guardrails": ANY,
    },
    absent=frozenset(
        {
            "seed",
            "user",
            "prompt_cache_retention",
            "prompt_cache_options",
            "logit_bias",
            "store",
            "modalities",
            "audio",
            "moderation",
        }
    ),
    mark={},
    user_parts=frozenset({"text", "image_url", "input_audio", "file"}),
    extra_parts={
        "document_url": Obj({"document_url": STR, "document_name": opt(STR)}, required=["document_url"]),
        "reference": Obj({"reference_ids": Lst(Int())}, required=["reference_ids"]),
    },
    assistant_extra={"prefix": BOOL},
    tool_choices=frozenset({"none", "auto", "any", "required"}),
)
DEEPSEEK = chat_request(
    # api-docs.deepseek.com create-chat-completion
    extra={"thinking": OPEN},
    absent=frozenset(
        {
            "n",
            "audio",
            "modalities",
            "prediction",
            "prompt_cache_key",
            "prompt_cache_retention",
            "prompt_cache_options",
            "reasoning_effort",
            "service_tier",
            "store",
            "metadata",
            "verbosity",
            "web_search_options",
            "logit_bias",
            "parallel_tool_calls",
            "max_completion_tokens",
            "safety_identifier",
            "moderation",
        }
    ),
    mark={},
    user_parts=frozenset({"text"}),
    assistant_extra={"prefix": BOOL, "reasoning_content": opt(STR)},
)

# ============================================================================================
# OpenAI Responses (openai 3.54.0 types/responses/response_create_params.py; PROVIDERS.md §6)

_R_MARK = {"prompt_cache_breakpoint": O_MARK}
_R_INPUT = Tagged(
    {
        "input_text": Obj({"text": STR, **_R_MARK}, required=["text"]),
        "input_image": Obj(
            {"detail": Str({"low", "high", "auto", "original"}), "image_url": opt(STR), "file_id": opt(STR), **_R_MARK}
        ),
        "input_file": Obj(
            {
                "file_data": STR,
                "file_id": opt(STR),
                "file_url": STR,
                "filename": STR,
                "detail": STR,
                **_R_MARK,
            }
        ),
        "input_audio": Obj({"input_audio": OPEN}, required=["input_audio"]),
    },
    kind="content part",
)
_R_OUTPUT = Tagged(
    {
        # a mark here is IRC203 (checked across fields), not an unknown field
        "output_text": Obj(
            {"text": STR, "annotations": Lst(), "logprobs": ANY, "prompt_cache_breakpoint": ANY}, required=["text"]
        ),
        "refusal": Obj({"refusal": STR}, required=["refusal"]),
    },
    kind="content part",
)


class _ResponsesMessage(Node):
    """A message item: input parts, or output parts in an assistant message."""

    what = "an object"

    def __init__(self) -> None:
        self.input = Obj(
            {
                "role": Str({"user", "assistant", "system", "developer"}),
                "content": Alt(STR, Lst(_R_INPUT, min_items=1)),
                "type": Str({"message"}),
                "phase": opt(Str({"commentary", "final_answer"})),
                "id": STR,
                "status": STR,
            },
            required=["role", "content"],
            name="message",
        )
        self.output = self.input.extend({"content": Alt(STR, Lst(_R_OUTPUT, min_items=1))})

    def accepts(self, v: Any) -> bool:
        return isinstance(v, Mapping)

    def walk(self, v: Any, path: str, ctx: Ctx) -> None:
        content = v.get("content")
        out = v.get("role") == "assistant" and isinstance(content, list) and content and isinstance(content[0], Mapping)
        node = self.output if out and content[0].get("type") in ("output_text", "refusal") else self.input
        node.walk(v, path, ctx)


_R_ITEM_OPEN = Obj(open=True)
_R_ITEM = Tagged(
    {
        "message": Obj(open=True),  # replaced below
        "function_call": Obj(
            {"call_id": STR, "name": STR, "arguments": STR, "id": STR, "status": STR, "namespace": STR},
            required=["call_id", "name", "arguments"],
        ),
        "function_call_output": Obj(
            {"call_id": STR, "output": Alt(STR, Lst(_R_INPUT)), "id": opt(STR), "status": opt(STR)},
            required=["call_id", "output"],
        ),
        "reasoning": Obj(
            {"id": STR, "summary": Lst(OPEN), "encrypted_content": opt(STR), "content": Lst(OPEN), "status": STR},
            required=["summary"],
        ),
        "item_reference": Obj({"id": STR}, required=["id"]),
        **{
            t: _R_ITEM_OPEN
            for t in (
                "file_search_call",
                "web_search_call",
                "computer_call",
                "computer_call_output",
                "image_generation_call",
                "code_interpreter_call",
                "local_shell_call",
                "local_shell_call_output",
                "shell_call",
                "shell_call_output",
                "apply_patch_call",
                "apply_patch_call_output",
                "mcp_list_tools",
                "mcp_approval_request",
                "mcp_approval_response",
                "mcp_call",
                "custom_tool_call",
                "custom_tool_call_output",
                "compaction",
                "tool_search_call",
                "tool_search_output",
                "additional_tools",
                "configuration_update",
                "compaction_trigger",
                "program",
                "program_output",
            )
        },
    },
    default="message",
    kind="input item",
)
_R_ITEM.variants["message"] = _ResponsesMessage()  # type: ignore[assignment]
_R_TOOL = Tagged(
    {
        "function": Obj(
            {
                "name": Str(nonempty=True),
                "parameters": opt(OPEN),
                "strict": opt(BOOL),
                "description": opt(STR),
                "defer_loading": BOOL,
            },
            required=["name"],
        ),
        **{
            t: Obj(open=True)
            for t in (
                "file_search",
                "web_search",
                "web_search_preview",
                "web_search_2025_08_26",
                "web_search_preview_2025_03_11",
                "computer_use_preview",
                "computer",
                "mcp",
                "code_interpreter",
                "image_generation",
                "local_shell",
                "shell",
                "custom",
                "apply_patch",
                "tool_search",
                "namespace",
                "programmatic_tool_calling",
            )
        },
    },
    kind="tool",
)
RESPONSES = Obj(
    {
        "model": Str(nonempty=True),
        "input": Alt(STR, Lst(_R_ITEM)),
        "instructions": opt(STR),
        "max_output_tokens": opt(Int(ge=16)),  # the published schema's minimum (PROVIDERS.md §13)
        "max_tool_calls": opt(Int(ge=1)),
        "temperature": opt(Num(0, 2)),
        "top_p": opt(Num(0, 1)),
        "top_logprobs": opt(Int(0, 20)),
        "tools": Lst(_R_TOOL),
        # the SDK's ToolChoice* params: a typed object whose kinds grow with the hosted tools
        "tool_choice": Alt(Str({"none", "auto", "required"}), Obj({"type": STR}, required=["type"], open=True)),
        "parallel_tool_calls": opt(BOOL),
        "reasoning": opt(
            Obj(
                {
                    "effort": opt(Str({"none", "minimal", "low", "medium", "high", "xhigh", "max"})),
                    "summary": opt(Str({"auto", "concise", "detailed"})),
                    "generate_summary": opt(STR),
                    "context": ANY,
                }
            )
        ),
        "include": opt(Lst(STR)),
        "store": opt(BOOL),
        "stream": opt(BOOL),
        "stream_options": opt(OPEN),
        "background": opt(BOOL),
        "previous_response_id": opt(STR),
        "conversation": opt(Alt(STR, OPEN)),
        "metadata": opt(Obj(values=STR)),
        "safety_identifier": opt(STR),
        "prompt_cache_key": opt(STR),
        "prompt_cache_options": Obj(
            {
                "mode": Str({"implicit", "explicit"}, code="IRC204"),
                "ttl": Str({"30m", "12h"}, code="IRC204"),
                "prewarm": BOOL,
                "comparison_response_id": STR,
            },
            name="prompt_cache_options",
        ),
        "prompt_cache_retention": opt(Str({"in_memory", "24h", "in-memory"})),
        "prompt": opt(OPEN),
        "service_tier": opt(Str({"auto", "default", "flex", "scale", "priority", "fast", "ultrafast"})),  # openai 3.54
        "truncation": opt(Str({"auto", "disabled"})),
        "text": opt(OPEN),
        "user": STR,
        "context_management": ANY,
        "moderation": opt(OPEN),
        "access_programs": OPEN,
        "background_options": OPEN,
        "image": OPEN,
    },
    name="the Responses body",  # model is optional: a stored prompt can name it
)

# ============================================================================================
# Gemini generateContent (google-genai 3.4.0 models.py converters; PROVIDERS.md §7). proto3 JSON:
# snake_case names are accepted too; a null field is absent (canonicalization 12).

_G_BLOB = Obj(
    {"mimeType": Str(nonempty=True), "data": STR, "displayName": STR}, required=["mimeType", "data"], snake=True
)
_G_FILE = Obj({"mimeType": STR, "fileUri": Str(nonempty=True), "displayName": STR}, required=["fileUri"], snake=True)
_G_DATA = (
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
    "toolCall",
    "toolResponse",
)
G_PART = Obj(
    {
        "text": STR,
        "inlineData": _G_BLOB,
        "fileData": _G_FILE,
        "functionCall": Obj(
            {"id": STR, "name": STR, "args": opt(OPEN), "partialArgs": Lst(), "willContinue": BOOL},
            snake=True,
        ),
        "functionResponse": Obj(
            {
                "id": STR,
                "name": STR,
                "response": OPEN,
                "parts": Lst(OPEN),
                "willContinue": BOOL,
                "scheduling": STR,
            },
            required=["name"],
            snake=True,
        ),
        "executableCode": OPEN,
        "codeExecutionResult": OPEN,
        "toolCall": OPEN,
        "toolResponse": OPEN,
        **{
            m: OPEN
            for m in (
                "audioMetadata",
                "audioTranscription",
                "documentMetadata",
                "mediaProcessing",
                "speechMetadata",
                "spreadsheetMetadata",
            )
        },
        "thought": BOOL,
        "thoughtSignature": STR,
        "videoMetadata": OPEN,
        "partMetadata": OPEN,
        "mediaResolution": ANY,
    },
    snake=True,
    one_of=_G_DATA,
    name="Part",
)
G_CONTENT = Obj(
    {"role": Str({"user", "model", "function"}, nocase=True), "parts": Alt(Lst(G_PART, min_items=1), G_PART)},
    required=["parts"],
    snake=True,
    name="Content",
)
_G_THINKING = Obj(
    {
        "thinkingBudget": Int(ge=-1),
        "includeThoughts": BOOL,
        "thinkingLevel": Str({"MINIMAL", "LOW", "MEDIUM", "HIGH", "XHIGH", "THINKING_LEVEL_UNSPECIFIED"}, nocase=True),
    },
    snake=True,
    name="thinkingConfig",
)
_G_GEN = Obj(
    {
        "maxOutputTokens": Int(ge=1),
        "temperature": Num(0, 2),
        "topP": Num(0, 1),
        "topK": Num(ge=1),
        "candidateCount": Int(ge=1),
        "stopSequences": Lst(STR, max_items=5),
        "presencePenalty": Num(),
        "frequencyPenalty": Num(),
        "seed": Int(),
        "responseMimeType": STR,
        "responseSchema": OPEN,
        "responseJsonSchema": ANY,
        "responseModalities": Lst(STR),
        "responseLogprobs": BOOL,
        "logprobs": Int(),
        "thinkingConfig": _G_THINKING,
        "speechConfig": OPEN,
        "mediaResolution": STR,
        "enableEnhancedCivicAnswers": BOOL,
        "imageConfig": OPEN,
        "routingConfig": OPEN,
        "audioTimestamp": BOOL,
        "enableAffectiveDialog": BOOL,
        "modelSelectionConfig": OPEN,
        "audioTranscriptionConfig": OPEN,
        "responseFormat": ANY,
        "translationConfig": OPEN,
    },
    snake=True,
    name="generationConfig",
)
_G_TOOL = Obj(
    {
        "functionDeclarations": Lst(
            Obj(
                {
                    "name": Str(nonempty=True),
                    "description": STR,
                    "parameters": OPEN,
                    "parametersJsonSchema": ANY,
                    "response": OPEN,
                    "responseJsonSchema": ANY,
                    "behavior": STR,
                },
                required=["name"],
                snake=True,
                name="FunctionDeclaration",
            )
        ),
        **{
            t: ANY
            for t in (
                "googleSearch",
                "googleSearchRetrieval",
                "codeExecution",
                "urlContext",
                "retrieval",
                "computerUse",
                "fileSearch",
                "googleMaps",
                "enterpriseWebSearch",
                "mcpServers",
            )
        },
    },
    snake=True,
    name="Tool",
)
GEMINI = Obj(
    {
        "contents": Alt(Lst(G_CONTENT), G_CONTENT),  # a single object is seen accepted (§13)
        "systemInstruction": Alt(G_CONTENT.extend({}, required=["parts"]), STR),
        "tools": Alt(Lst(_G_TOOL), _G_TOOL),
        "toolConfig": Obj(
            {
                "functionCallingConfig": Obj(
                    {
                        "mode": Str({"AUTO", "ANY", "NONE", "VALIDATED", "MODE_UNSPECIFIED"}, nocase=True),
                        "allowedFunctionNames": Lst(STR),
                        "streamFunctionCallArguments": BOOL,
                    },
                    snake=True,
                ),
                "retrievalConfig": OPEN,
                "includeServerSideToolInvocations": BOOL,
            },
            snake=True,
            name="toolConfig",
        ),
        "generationConfig": _G_GEN,
        "safetySettings": Lst(
            Obj({"category": STR, "threshold": STR, "method": STR}, required=["category", "threshold"], snake=True)
        ),
        "cachedContent": Str(nonempty=True),
        "labels": Obj(values=STR),
        "serviceTier": STR,
        "store": BOOL,
        "continuationToken": STR,
        "model": STR,
    },
    required=["contents"],
    snake=True,
    name="the generateContent body",
)

SCHEMAS: dict[str, Obj] = {
    "bedrock-converse": B_REQUEST,
    "openai-chat": chat_request(),
    "openrouter": OPENROUTER,
    "mistral": MISTRAL,
    "deepseek": DEEPSEEK,
    "openai-responses": RESPONSES,
    "gemini": GEMINI,
}
"""The request shape of each codec that has one fixed shape (Anthropic's depends on the platform)."""
