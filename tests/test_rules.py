"""The wire gate's rules (ir_codec.rules): a table of broken payloads, each with the rule code
and JSON path it must produce, and the clean side (golden vectors, documented payloads).

Every broken payload is a documented shape with one thing wrong; the comment names the
document the shape (or the rule) comes from (PROVIDERS.md §0 lists the SDK versions).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ir_codec
from ir_codec import DecodeError
from ir_codec.pytest_plugin import assert_valid_wire
from ir_codec.rules import RULES, Finding, RuleError, check_payload

ROOT = Path(__file__).resolve().parent.parent

PNG = "iVBORw0KGgoAAAANSUhEUg=="  # \x89PNG\r\n\x1a\n...
JPEG = "/9j/4AAQSkZJRgABAQ=="  # \xff\xd8\xff\xe0
PDF = "JVBERi0xLjQK"  # %PDF-1.4


def anth(*messages: Any, **fields: Any) -> dict[str, Any]:
    """An Anthropic Messages body (SDK types/message_create_params.py)."""
    return {"model": "claude-opus-5", "max_tokens": 256, "messages": list(messages), **fields}


def user(*content: Any) -> dict[str, Any]:
    return {"role": "user", "content": list(content)}


def asst(*content: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": list(content)}


def text(t: Any = "hi", **kw: Any) -> dict[str, Any]:
    return {"type": "text", "text": t, **kw}


EPH = {"type": "ephemeral"}
EPH_1H = {"type": "ephemeral", "ttl": "1h"}
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}


def conv(*messages: Any, **fields: Any) -> dict[str, Any]:
    """A Bedrock ConverseRequest (botocore bedrock-runtime service-2.json)."""
    return {"messages": list(messages), **fields}


def cu(*blocks: Any) -> dict[str, Any]:
    return {"role": "user", "content": list(blocks)}


def ca(*blocks: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": list(blocks)}


CP = {"cachePoint": {"type": "default"}}
CP_1H = {"cachePoint": {"type": "default", "ttl": "1h"}}
B_TOOLS = {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object"}}}}]}


def chat(*messages: Any, **fields: Any) -> dict[str, Any]:
    """An OpenAI Chat Completions body (openai types/chat/completion_create_params.py)."""
    return {"model": "gpt-5.6", "messages": list(messages), **fields}


def cmsg(role: str, content: Any, **kw: Any) -> dict[str, Any]:
    return {"role": role, "content": content, **kw}


def call(cid: str, name: str = "f") -> dict[str, Any]:
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": "{}"}}


def resp(**fields: Any) -> dict[str, Any]:
    """An OpenAI Responses body (openai types/responses/response_create_params.py)."""
    return {"model": "gpt-5.6", **fields}


def gem(*contents: Any, **fields: Any) -> dict[str, Any]:
    """A Gemini generateContent body (google-genai models.py _GenerateContentParameters_to_mldev)."""
    return {"contents": list(contents), **fields}


def gpart(**kw: Any) -> dict[str, Any]:
    return kw


G_USER = {"role": "user", "parts": [{"text": "hi"}]}

# (id, codec, payload, code, path, api_version)
CASES: list[tuple[str, str, dict[str, Any], str, str, str | None]] = [
    # --- IRC100: another provider's format -------------------------------------------------
    # An Anthropic body (tool_use blocks) validated as Gemini, and a Gemini body as Anthropic.
    (
        "anthropic-as-gemini",
        "gemini",
        anth(user(text()), asst({"type": "tool_use", "id": "t", "name": "f", "input": {}})),
        "IRC100",
        "$",
        None,
    ),
    ("gemini-as-anthropic", "anthropic", gem(G_USER), "IRC100", "$", None),
    ("chat-as-anthropic", "anthropic", chat(cmsg("developer", "be brief"), cmsg("user", "hi")), "IRC100", "$", None),
    (
        "converse-as-chat",
        "openai-chat",
        conv(cu({"text": "hi"}), inferenceConfig={"maxTokens": 5}),
        "IRC100",
        "$",
        None,
    ),
    ("responses-as-chat", "openai-chat", resp(input="hi", instructions="x"), "IRC100", "$", None),
    (
        "messages-as-gemini",
        "gemini",
        {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
        "IRC100",
        "$",
        None,
    ),
    # --- IRC101: unknown fields ------------------------------------------------------------
    # A-SDK message_create_params.py: temperature (no "temprature").
    ("anthropic-typo-top", "anthropic", anth(user(text()), temprature=0.5), "IRC101", "$.temprature", "2023-06-01"),
    # A-SDK text_block_param.py: cache_control (no "cach_control").
    (
        "anthropic-typo-cache",
        "anthropic",
        anth(user(text(cach_control=EPH))),
        "IRC101",
        "$.messages[0].content[0].cach_control",
        None,
    ),
    # G-SDK GenerationConfig: maxOutputTokens.
    (
        "gemini-typo-maxout",
        "gemini",
        gem(G_USER, generationConfig={"maxOutputToken": 5}),
        "IRC101",
        "$.generationConfig.maxOutputToken",
        None,
    ),
    (
        "gemini-typo-part",
        "gemini",
        gem({"role": "user", "parts": [{"txt": "hi"}]}),
        "IRC101",
        "$.contents[0].parts[0].txt",
        None,
    ),
    # B-SDK InferenceConfiguration: maxTokens.
    (
        "converse-typo",
        "bedrock-converse",
        conv(cu({"text": "hi"}), inferenceConfig={"max_tokens": 5}),
        "IRC101",
        "$.inferenceConfig.max_tokens",
        None,
    ),
    # O-SDK completion_create_params.py: max_completion_tokens.
    (
        "chat-typo",
        "openai-chat",
        chat(cmsg("user", "hi"), max_completion_token=5),
        "IRC101",
        "$.max_completion_token",
        None,
    ),
    ("responses-typo", "openai-responses", resp(input="hi", max_output_token=64), "IRC101", "$.max_output_token", None),
    # mistralai ChatCompletionRequest has random_seed, not seed (PROVIDERS.md §13).
    ("mistral-seed", "mistral", chat(cmsg("user", "hi"), seed=1), "IRC101", "$.seed", None),
    # openrouter chatrequest.py has no n (PROVIDERS.md §13).
    ("openrouter-n", "openrouter", chat(cmsg("user", "hi"), n=2), "IRC101", "$.n", None),
    (
        "anthropic-tool-typo",
        "anthropic",
        anth(user(text()), tools=[{**TOOL, "inputschema": {}}]),
        "IRC101",
        "$.tools[0].inputschema",
        None,
    ),
    # --- IRC102: unknown block / part / item types -------------------------------------------
    (
        "anthropic-block-txt",
        "anthropic",
        anth(user({"type": "txt", "text": "hi"})),
        "IRC102",
        "$.messages[0].content[0].type",
        None,
    ),
    # A-SDK image_block_param.py: source base64 | url | file.
    (
        "anthropic-source-bogus",
        "anthropic",
        anth(user({"type": "image", "source": {"type": "bogus"}})),
        "IRC102",
        "$.messages[0].content[0].source.type",
        None,
    ),
    (
        "chat-part-type",
        "openai-chat",
        chat(cmsg("user", [{"type": "image", "url": "https://x"}])),
        "IRC102",
        "$.messages[0].content[0].type",
        None,
    ),
    ("chat-role", "openai-chat", chat(cmsg("robot", "hi")), "IRC102", "$.messages[0].role", None),
    (
        "responses-item",
        "openai-responses",
        resp(input=[{"type": "function_result", "call_id": "c"}]),
        "IRC102",
        "$.input[0].type",
        None,
    ),
    (
        "anthropic-tool-choice",
        "anthropic",
        anth(user(text()), tool_choice={"type": "required"}),
        "IRC102",
        "$.tool_choice.type",
        None,
    ),
    # --- IRC103: wrong JSON types ------------------------------------------------------------
    ("anthropic-text-int", "anthropic", anth(user(text(5))), "IRC103", "$.messages[0].content[0].text", None),
    ("anthropic-max-str", "anthropic", anth(user(text()), max_tokens="256"), "IRC103", "$.max_tokens", None),
    (
        "converse-content-str",
        "bedrock-converse",
        conv({"role": "user", "content": "hi"}),
        "IRC103",
        "$.messages[0].content",
        None,
    ),
    (
        "chat-args-object",
        "openai-chat",
        chat(
            cmsg("user", "hi"),
            cmsg(
                "assistant",
                None,
                tool_calls=[{"id": "c", "type": "function", "function": {"name": "f", "arguments": {}}}],
            ),
            cmsg("tool", "r", tool_call_id="c"),
        ),
        "IRC103",
        "$.messages[1].tool_calls[0].function.arguments",
        None,
    ),
    (
        "gemini-temp-str",
        "gemini",
        gem(G_USER, generationConfig={"temperature": "0.2"}),
        "IRC103",
        "$.generationConfig.temperature",
        None,
    ),
    ("chat-stream-str", "openai-chat", chat(cmsg("user", "hi"), stream="yes"), "IRC103", "$.stream", None),
    # a block type that is no string (an array, an object) is a finding, not a crash of the family guess
    (
        "anthropic-type-array",
        "anthropic",
        anth(user({"type": [], "text": "x"})),
        "IRC103",
        "$.messages[0].content[0].type",
        None,
    ),
    (
        "chat-type-object",
        "openai-chat",
        chat(cmsg("user", [{"type": {"a": 1}, "text": "x"}])),
        "IRC103",
        "$.messages[0].content[0].type",
        None,
    ),
    # --- IRC104: missing required fields ------------------------------------------------------
    # A-SDK: model, max_tokens, messages are required.
    ("anthropic-no-max", "anthropic", {"model": "m", "messages": [user(text())]}, "IRC104", "$.max_tokens", None),
    ("gemini-empty", "gemini", {}, "IRC104", "$.contents", None),
    (
        "anthropic-tool-use-no-input",
        "anthropic",
        anth(user(text()), asst({"type": "tool_use", "id": "t", "name": "f"})),
        "IRC104",
        "$.messages[1].content[0].input",
        None,
    ),
    (
        "converse-doc-no-name",
        "bedrock-converse",
        conv(cu({"document": {"format": "pdf", "source": {"bytes": PDF}}})),
        "IRC104",
        "$.messages[0].content[0].document.name",
        None,
    ),
    (
        "chat-tool-no-id",
        "openai-chat",
        chat(cmsg("user", "hi"), cmsg("tool", "r")),
        "IRC104",
        "$.messages[1].tool_call_id",
        None,
    ),
    # A-SDK lib/bedrock/_client.py: the body carries anthropic_version.
    (
        "bedrock-invoke-no-version",
        "anthropic-bedrock",
        {"max_tokens": 5, "messages": [user(text())]},
        "IRC104",
        "$.anthropic_version",
        None,
    ),
    # --- IRC105: values out of range ----------------------------------------------------------
    ("anthropic-max-neg", "anthropic", anth(user(text()), max_tokens=-1), "IRC105", "$.max_tokens", None),
    # B-SDK InferenceConfiguration: maxTokens >= 1, temperature / topP in [0, 1].
    (
        "converse-max-zero",
        "bedrock-converse",
        conv(cu({"text": "hi"}), inferenceConfig={"maxTokens": 0}),
        "IRC105",
        "$.inferenceConfig.maxTokens",
        None,
    ),
    (
        "converse-temp",
        "bedrock-converse",
        conv(cu({"text": "hi"}), inferenceConfig={"temperature": 1.5}),
        "IRC105",
        "$.inferenceConfig.temperature",
        None,
    ),
    # O-SDK: temperature 0-2, top_p 0-1.
    ("chat-temp", "openai-chat", chat(cmsg("user", "hi"), temperature=2.5), "IRC105", "$.temperature", None),
    ("chat-top-p", "openai-chat", chat(cmsg("user", "hi"), top_p=1.5), "IRC105", "$.top_p", None),
    # The published Responses schema: max_output_tokens >= 16 (PROVIDERS.md §13).
    (
        "responses-max-out",
        "openai-responses",
        resp(input="hi", max_output_tokens=8),
        "IRC105",
        "$.max_output_tokens",
        None,
    ),
    ("gemini-top-p", "gemini", gem(G_USER, generationConfig={"topP": 2}), "IRC105", "$.generationConfig.topP", None),
    # A-SDK thinking_config_enabled_param.py: budget_tokens >= 1024.
    (
        "anthropic-budget",
        "anthropic",
        anth(user(text()), thinking={"type": "enabled", "budget_tokens": 100}),
        "IRC105",
        "$.thinking.budget_tokens",
        None,
    ),
    ("anthropic-role", "anthropic", anth({"role": "bot", "content": "x"}), "IRC105", "$.messages[0].role", None),
    (
        "converse-image-format",
        "bedrock-converse",
        conv(cu({"image": {"format": "bmp", "source": {"bytes": PNG}}})),
        "IRC105",
        "$.messages[0].content[0].image.format",
        None,
    ),
    ("chat-stop-5", "openai-chat", chat(cmsg("user", "hi"), stop=["a", "b", "c", "d", "e"]), "IRC105", "$.stop", None),
    (
        "gemini-mode",
        "gemini",
        gem(G_USER, toolConfig={"functionCallingConfig": {"mode": "SOMETIMES"}}),
        "IRC105",
        "$.toolConfig.functionCallingConfig.mode",
        None,
    ),
    # B-SDK: a ContentBlock is a union with exactly one member.
    (
        "converse-two-members",
        "bedrock-converse",
        conv(cu({"text": "hi", "image": {"format": "png", "source": {"bytes": PNG}}})),
        "IRC105",
        "$.messages[0].content[0]",
        None,
    ),
    # B-SDK ToolName: [a-zA-Z0-9_-]{1,64}
    (
        "converse-tool-name",
        "bedrock-converse",
        conv(
            cu({"text": "hi"}),
            toolConfig={"tools": [{"toolSpec": {"name": "get weather", "inputSchema": {"json": {}}}}]},
        ),
        "IRC105",
        "$.toolConfig.tools[0].toolSpec.name",
        None,
    ),
    # --- IRC106: empty content ------------------------------------------------------------------
    # PROVIDERS.md §13: Gemini refuses parts: [].
    ("gemini-parts-empty", "gemini", gem({"role": "user", "parts": []}), "IRC106", "$.contents[0].parts", None),
    ("anthropic-empty-text", "anthropic", anth(user(text(""))), "IRC106", "$.messages[0].content[0].text", None),
    ("anthropic-empty-content", "anthropic", anth(user(), asst(text("x"))), "IRC106", "$.messages[0].content", None),
    # PROVIDERS.md §13: Bedrock refuses the empty string (whitespace is accepted).
    (
        "converse-empty-text",
        "bedrock-converse",
        conv(cu({"text": ""})),
        "IRC106",
        "$.messages[0].content[0].text",
        None,
    ),
    # PROVIDERS.md §13: an OpenAI message content list may not be empty.
    ("chat-empty-content", "openai-chat", chat(cmsg("user", [])), "IRC106", "$.messages[0].content", None),
    ("chat-no-messages", "openai-chat", chat(), "IRC106", "$.messages", None),
    # --- IRC107: API version -----------------------------------------------------------------
    # A-VER: 2026-10-21 removes temperature / top_p / top_k.
    ("anthropic-2026-temp", "anthropic", anth(user(text()), temperature=0.5), "IRC107", "$.temperature", None),
    ("anthropic-2026-top-k", "anthropic", anth(user(text()), top_k=5), "IRC107", "$.top_k", "2026-10-21"),
    # A-VER: 2026-10-21 refuses a document block in an assistant message.
    (
        "anthropic-2026-doc",
        "anthropic",
        anth(
            user(text()),
            asst({"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF}}),
        ),
        "IRC107",
        "$.messages[1].content[0]",
        None,
    ),
    # A-PC "Automatic caching": not on the legacy Bedrock integration.
    (
        "bedrock-legacy-auto-cache",
        "anthropic-bedrock",
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 5,
            "messages": [user(text())],
            "cache_control": EPH,
        },
        "IRC107",
        "$.cache_control",
        None,
    ),
    # --- IRC108: platform --------------------------------------------------------------------
    # A-SDK lib/bedrock/_client.py: the InvokeModel body has no model and no stream.
    (
        "bedrock-invoke-model",
        "anthropic-bedrock",
        {"anthropic_version": "bedrock-2023-05-31", "model": "m", "max_tokens": 5, "messages": [user(text())]},
        "IRC108",
        "$.model",
        None,
    ),
    (
        "vertex-model",
        "anthropic-vertex",
        {"anthropic_version": "vertex-2023-10-16", "model": "m", "max_tokens": 5, "messages": [user(text())]},
        "IRC108",
        "$.model",
        None,
    ),
    # --- IRC109: conversation order ----------------------------------------------------------
    # PROVIDERS.md §13: the Converse conversation opens with a user message.
    (
        "converse-opens-assistant",
        "bedrock-converse",
        conv(ca({"text": "hi"}), cu({"text": "q"})),
        "IRC109",
        "$.messages[0].role",
        None,
    ),
    (
        "converse-two-users",
        "bedrock-converse",
        conv(cu({"text": "a"}), cu({"text": "b"})),
        "IRC109",
        "$.messages[1].role",
        None,
    ),
    # --- IRC110: an empty union ----------------------------------------------------------------
    ("converse-empty-block", "bedrock-converse", conv(cu({})), "IRC110", "$.messages[0].content[0]", None),
    (
        "gemini-empty-part",
        "gemini",
        gem({"role": "user", "parts": [{"thought": True}]}),
        "IRC110",
        "$.contents[0].parts[0]",
        None,
    ),
    # --- IRC2xx: caching ---------------------------------------------------------------------
    # A-PC: at most 4 breakpoints; the 5th mark is the finding.
    (
        "anthropic-five-marks",
        "anthropic",
        anth(user(*[text(f"c{i}", cache_control=EPH) for i in range(5)])),
        "IRC201",
        "$.messages[0].content[4].cache_control",
        None,
    ),
    # A-PC "Automatic caching": the top-level mark takes a slot (400 with 4 explicit ones).
    (
        "anthropic-auto-fifth",
        "anthropic",
        anth(user(*[text(f"c{i}", cache_control=EPH) for i in range(4)], text("last")), cache_control=EPH),
        "IRC201",
        "$.cache_control",
        None,
    ),
    # B-PC: 4 checkpoints for Claude models.
    (
        "converse-five-points",
        "bedrock-converse",
        conv(cu({"text": "a"}, CP, {"text": "b"}, CP, {"text": "c"}, CP, {"text": "d"}, CP, {"text": "e"}, CP)),
        "IRC201",
        "$.messages[0].content[9].cachePoint",
        None,
    ),
    # A-PC "Mixing different TTLs": longer TTL first.
    (
        "anthropic-ttl-order",
        "anthropic",
        anth(user(text("a", cache_control=EPH), text("b", cache_control=EPH_1H))),
        "IRC202",
        "$.messages[0].content[1].cache_control",
        None,
    ),
    (
        "converse-ttl-order",
        "bedrock-converse",
        conv(cu({"text": "a"}, CP, {"text": "b"}, CP_1H)),
        "IRC202",
        "$.messages[0].content[3].cachePoint",
        None,
    ),
    (
        "openrouter-ttl-order",
        "openrouter",
        chat(cmsg("user", [text("a", cache_control=EPH), text("b", cache_control=EPH_1H)])),
        "IRC202",
        "$.messages[0].content[1].cache_control",
        None,
    ),
    # A-PC "What cannot be cached": thinking blocks.
    (
        "anthropic-mark-thinking",
        "anthropic",
        anth(
            user(text()), asst({"type": "thinking", "thinking": "t", "signature": "s", "cache_control": EPH}, text("a"))
        ),
        "IRC203",
        "$.messages[1].content[0].cache_control",
        None,
    ),
    (
        "anthropic-ttl-24h",
        "anthropic",
        anth(user(text("a", cache_control={"type": "ephemeral", "ttl": "24h"}))),
        "IRC204",
        "$.messages[0].content[0].cache_control.ttl",
        None,
    ),
    (
        "converse-cache-type",
        "bedrock-converse",
        conv(cu({"text": "a"}, {"cachePoint": {"type": "ephemeral"}})),
        "IRC204",
        "$.messages[0].content[1].cachePoint.type",
        None,
    ),
    # O-SDK PromptCacheOptions (Chat): ttl 30m only.
    (
        "chat-cache-ttl",
        "openai-chat",
        chat(cmsg("user", "hi"), prompt_cache_options={"mode": "implicit", "ttl": "12h"}),
        "IRC204",
        "$.prompt_cache_options.ttl",
        None,
    ),
    # G-PROTO / googleapis/python-genai#348: no systemInstruction, tools, toolConfig with cachedContent.
    (
        "gemini-cached-system",
        "gemini",
        gem(G_USER, cachedContent="cachedContents/abc", systemInstruction={"parts": [{"text": "x"}]}),
        "IRC205",
        "$.systemInstruction",
        None,
    ),
    (
        "gemini-cached-tools",
        "gemini",
        gem(G_USER, cachedContent="cachedContents/abc", tools=[{"functionDeclarations": [{"name": "f"}]}]),
        "IRC205",
        "$.tools",
        None,
    ),
    # A-PC "Automatic caching": 400 if the last block has a different TTL.
    (
        "anthropic-auto-ttl",
        "anthropic",
        anth(user(text("a", cache_control=EPH)), cache_control=EPH_1H),
        "IRC206",
        "$.cache_control",
        None,
    ),
    # --- IRC3xx: tools -----------------------------------------------------------------------
    # A-SDK tool_result_block_param.py: a tool_result answers a tool_use of the previous turn.
    (
        "anthropic-orphan-result",
        "anthropic",
        anth(user({"type": "tool_result", "tool_use_id": "toolu_x", "content": "r"})),
        "IRC301",
        "$.messages[0].content[0].tool_use_id",
        None,
    ),
    (
        "anthropic-unanswered",
        "anthropic",
        anth(user(text()), asst({"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}), user(text("go on"))),
        "IRC302",
        "$.messages[1].content[0].id",
        None,
    ),
    (
        "anthropic-dup-id",
        "anthropic",
        anth(
            user(text()),
            asst(
                {"type": "tool_use", "id": "t", "name": "f", "input": {}},
                {"type": "tool_use", "id": "t", "name": "f", "input": {}},
            ),
        ),
        "IRC303",
        "$.messages[1].content[1].id",
        None,
    ),
    (
        "chat-orphan-tool",
        "openai-chat",
        chat(cmsg("user", "hi"), cmsg("tool", "r", tool_call_id="call_9")),
        "IRC301",
        "$.messages[1].tool_call_id",
        None,
    ),
    (
        "chat-unanswered",
        "openai-chat",
        chat(cmsg("user", "hi"), cmsg("assistant", None, tool_calls=[call("c1")]), cmsg("user", "and?")),
        "IRC302",
        "$.messages[1].tool_calls[0].id",
        None,
    ),
    (
        "converse-orphan",
        "bedrock-converse",
        conv(cu({"toolResult": {"toolUseId": "x", "content": [{"text": "r"}]}}), toolConfig=B_TOOLS),
        "IRC301",
        "$.messages[0].content[0].toolResult.toolUseId",
        None,
    ),
    (
        "converse-unanswered",
        "bedrock-converse",
        conv(
            cu({"text": "q"}),
            ca({"toolUse": {"toolUseId": "a", "name": "f", "input": {}}}),
            cu({"text": "next"}),
            toolConfig=B_TOOLS,
        ),
        "IRC302",
        "$.messages[1].content[0].toolUse.toolUseId",
        None,
    ),
    # O-PC "Supported content blocks": input_text / input_image / input_file only.
    (
        "responses-mark-output",
        "openai-responses",
        resp(
            input=[
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "a", "prompt_cache_breakpoint": {"mode": "explicit"}}],
                },
            ]
        ),
        "IRC203",
        "$.input[1].content[0].prompt_cache_breakpoint",
        None,
    ),
    # Gemini: functionCall / functionResponse turns pair up.
    (
        "gemini-call-unanswered",
        "gemini",
        gem(G_USER, {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]}, G_USER),
        "IRC302",
        "$.contents[1].parts[0]",
        None,
    ),
    # The Gemini API: a functionResponse turn comes right after a functionCall turn.
    (
        "gemini-orphan-response",
        "gemini",
        gem(G_USER, {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {}}}]}),
        "IRC301",
        "$.contents[1].parts[0]",
        None,
    ),
    (
        "responses-unanswered",
        "openai-responses",
        resp(
            input=[
                {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
                {"role": "user", "content": "next"},
            ]
        ),
        "IRC302",
        "$.input[0].call_id",
        None,
    ),
    ("anthropic-dup-tool-name", "anthropic", anth(user(text()), tools=[TOOL, TOOL]), "IRC306", "$.tools[1].name", None),
    # --- IRC4xx: media -----------------------------------------------------------------------
    (
        "anthropic-bad-b64",
        "anthropic",
        anth(user({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "not base64!"}})),
        "IRC401",
        "$.messages[0].content[0].source.data",
        None,
    ),
    (
        "anthropic-png-is-jpeg",
        "anthropic",
        anth(user({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": JPEG}})),
        "IRC402",
        "$.messages[0].content[0].source.data",
        None,
    ),
    # A-SDK base64_image_source_param.py: jpeg, png, gif, webp.
    (
        "anthropic-image-bmp",
        "anthropic",
        anth(user({"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": PNG}})),
        "IRC403",
        "$.messages[0].content[0].source.media_type",
        None,
    ),
    (
        "chat-data-url-lies",
        "openai-chat",
        chat(cmsg("user", [{"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{PNG}"}}])),
        "IRC402",
        "$.messages[0].content[0].image_url.url",
        None,
    ),
    (
        "chat-data-url-b64",
        "openai-chat",
        chat(cmsg("user", [{"type": "image_url", "image_url": {"url": "data:image/png;base64,%%%"}}])),
        "IRC401",
        "$.messages[0].content[0].image_url.url",
        None,
    ),
    (
        "converse-pdf-is-png",
        "bedrock-converse",
        conv(cu({"document": {"format": "pdf", "name": "d", "source": {"bytes": PNG}}})),
        "IRC402",
        "$.messages[0].content[0].document.source.bytes",
        None,
    ),
    (
        "gemini-inline-b64",
        "gemini",
        gem({"role": "user", "parts": [{"inlineData": {"mimeType": "image/png", "data": "a b c"}}]}),
        "IRC401",
        "$.contents[0].parts[0].inlineData.data",
        None,
    ),
    (
        "responses-image-lies",
        "openai-responses",
        resp(
            input=[
                {
                    "role": "user",
                    "content": [
                        {"type": "input_image", "detail": "auto", "image_url": f"data:application/pdf;base64,{PNG}"}
                    ],
                }
            ]
        ),
        "IRC402",
        "$.input[0].content[0].image_url",
        None,
    ),
]


@pytest.mark.parametrize(
    ("codec", "payload", "code", "path", "api_version"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_broken_payload(codec: str, payload: dict[str, Any], code: str, path: str, api_version: str | None) -> None:
    findings = check_payload(payload, codec, api_version=api_version)
    assert (code, path) in [(f.code, f.path) for f in findings], findings
    assert all(f.codec == codec and f.severity == "error" for f in findings)
    # validate fails at the first error finding, with its path
    options: dict[str, Any] = {"api_version": api_version} if api_version else {}
    with pytest.raises(RuleError) as exc:
        ir_codec.validate(payload, codec, **options)
    assert exc.value.path == findings[0].path
    assert isinstance(exc.value, DecodeError)


def test_table_covers_the_error_rules() -> None:
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)
    covered = {c[3] for c in CASES}
    errors = {code for code, r in RULES.items() if r.severity == "error"}
    assert errors - covered == set()


# ---------------------------------------------------------------------------------------------
# The clean side: every golden vector and documented payload passes the gate


def _clean_cases() -> list[Any]:
    out = []
    for f in sorted((ROOT / "spec" / "vectors").glob("*/*.json")):
        vec = json.loads(f.read_text())
        out.append(
            pytest.param(
                vec.get("codec", f.parent.name),
                vec["wire"],
                vec.get("options", {}),
                id=f"vector-{f.parent.name}/{f.stem}",
            )
        )
    for f in sorted((ROOT / "tests" / "payloads").glob("*/*.json")):
        spec = json.loads(f.read_text())
        out.append(
            pytest.param(
                f.parent.name, spec["payload"], spec.get("options", {}), id=f"payload-{f.parent.name}/{f.stem}"
            )
        )
    return out


CLEAN = _clean_cases()


@pytest.mark.parametrize(("codec", "payload", "options"), CLEAN)
def test_documented_payloads_validate_clean(codec: str, payload: dict[str, Any], options: dict[str, Any]) -> None:
    assert_valid_wire(codec, payload, api_version=options.get("api_version"))
    ir_codec.validate(payload, codec, **options)


def test_clean_set_is_large() -> None:
    assert len(CLEAN) >= 150


# ---------------------------------------------------------------------------------------------
# Options, lint, selection


def test_allow_unknown_keeps_passthrough() -> None:
    body = anth(user(text(foo=1)), vendor_field={"x": 1})
    assert [(f.code, f.path) for f in check_payload(body, "anthropic")] == [
        ("IRC101", "$.messages[0].content[0].foo"),
        ("IRC101", "$.vendor_field"),
    ]
    assert check_payload(body, "anthropic", allow_unknown=True) == []
    assert ir_codec.validate(body, "anthropic", allow_unknown=True).provider_options["anthropic"] == {
        "vendor_field": {"x": 1}
    }


def test_api_version_chooses_the_sampling_rule() -> None:
    body = anth(user(text()), temperature=0.5)
    (f,) = check_payload(body, "anthropic")
    assert (f.code, f.path) == ("IRC107", "$.temperature")
    assert "2026-10-21" in f.message and "assumed" in f.message
    assert check_payload(body, "anthropic", api_version="2023-06-01") == []
    assert check_payload({**body, "temperature": 1.5}, "anthropic", api_version="2023-06-01")[0].code == "IRC105"
    # Bedrock: the body's anthropic_version governs
    bedrock = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": [user(text())], "top_k": 3}
    assert check_payload(bedrock, "anthropic-bedrock") == []
    assert [f.code for f in check_payload({**bedrock, "anthropic_version": "2026-10-21"}, "anthropic-bedrock")] == [
        "IRC107"
    ]


def test_select_and_ignore_by_code_and_prefix() -> None:
    body = anth(user(*[text(f"c{i}", cache_control=EPH) for i in range(5)]), temprature=1)
    assert [f.code for f in check_payload(body, "anthropic")] == ["IRC101", "IRC201"]
    assert [f.code for f in check_payload(body, "anthropic", select=["IRC2"])] == ["IRC201"]
    assert [f.code for f in check_payload(body, "anthropic", ignore=["irc2"])] == ["IRC101"]
    assert check_payload(body, "anthropic", select=["IRC1"], ignore=["IRC101"]) == []


def test_lint_adds_warnings() -> None:
    body = anth(
        user(text("Request req_abc123def456 at 2026-11-30T10:00:00Z"), text("short", cache_control=EPH)),
        asst({"type": "tool_use", "id": "toolu 1", "name": "f", "input": {}}),
        user({"type": "tool_result", "tool_use_id": "toolu 1", "content": "r"}),
        tools=[TOOL],
        tool_choice={"type": "tool", "name": "nope"},
    )
    assert [f for f in check_payload(body, "anthropic") if f.severity == "warning"] == []
    warnings = [(f.code, f.path) for f in check_payload(body, "anthropic", lint=True)]
    assert warnings == [
        ("IRC305", "$.tool_choice.name"),
        ("IRC304", "$.messages[1].content[0].id"),
        ("IRC210", "$.messages[0].content[1].cache_control"),
        ("IRC211", "$.messages[0].content[1].cache_control"),
    ]


def test_lint_marks_ignored_and_over_written_cap() -> None:
    body = chat(cmsg("user", [text("a", cache_control=EPH)]), seed=1)
    lint = check_payload(body, "deepseek", lint=True, allow_unknown=True)
    assert [(f.code, f.path) for f in lint] == [("IRC212", "$.messages[0].content[0].cache_control")]
    mark = {"mode": "explicit"}
    five = chat(cmsg("user", [text(str(i) * 5000, prompt_cache_breakpoint=mark) for i in range(5)]))
    assert check_payload(five, "openai-chat") == []
    (f,) = check_payload(five, "openai-chat", lint=True)
    assert (f.code, f.path) == ("IRC213", "$.messages[0].content[0].prompt_cache_breakpoint")
    assert f.message == "5 marks; only the latest 3 are written, the first 2 only read"
    explicit = {**five, "prompt_cache_options": {"mode": "explicit"}}
    (f,) = check_payload(explicit, "openai-chat", lint=True)
    assert f.message == "5 marks; only the latest 4 are written, the first 1 only read"


def test_lint_gemini_and_mistral() -> None:
    # a Mistral tool-call id is 9 characters [a-zA-Z0-9] (PROVIDERS.md §13)
    body = chat(
        cmsg("user", "hi"),
        cmsg("assistant", None, tool_calls=[call("call_123456789")]),
        cmsg("tool", "r", tool_call_id="call_123456789"),
    )
    assert [(f.code, f.path) for f in check_payload(body, "mistral", lint=True)] == [
        ("IRC304", "$.messages[1].tool_calls[0].id")
    ]


def test_findings_are_structs_with_one_line_messages() -> None:
    (f,) = check_payload(anth(user(text()), max_tokens=-1), "anthropic")
    assert f == Finding("IRC105", "-1 is below the minimum 0", "$.max_tokens", "error", "anthropic")
    assert str(f) == "$.max_tokens: IRC105 -1 is below the minimum 0"


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]", "3", b""])
def test_unreadable_input_raises_decode_error(data: bytes | str) -> None:
    with pytest.raises(DecodeError):
        check_payload(data, "anthropic")


def test_unknown_codec() -> None:
    with pytest.raises(ir_codec.UnknownCodecError):
        check_payload({}, "nope")


@pytest.mark.parametrize(
    "payload",
    [
        {"messages": 5},
        {"messages": [5, None, "x", []]},
        {"messages": [{"role": "assistant", "content": [{"type": 5}, {"type": "tool_use", "id": 3}]}]},
        {"contents": {"parts": {"inlineData": 3}}},
        {"input": [{"type": "function_call_output", "call_id": []}], "tools": "x"},
        {"tools": [{"toolSpec": 1}, None], "system": {"x": 1}, "cache_control": []},
    ],
)
def test_garbage_never_raises(payload: dict[str, Any]) -> None:
    for codec in (
        "anthropic",
        "anthropic-bedrock",
        "bedrock-converse",
        "openai-chat",
        "openrouter",
        "mistral",
        "deepseek",
        "openai-responses",
        "gemini",
    ):
        for lint in (False, True):
            for f in check_payload(payload, codec, lint=lint):
                assert f.code in RULES and f.path.startswith("$")


# ---------------------------------------------------------------------------------------------
# Documentation and configuration


def test_doctests() -> None:
    import doctest
    import importlib

    for name in ("ir_codec.rules", "ir_codec.invariant", "ir_codec._api"):
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0


def test_every_rule_is_documented_once() -> None:
    import re

    doc = (ROOT / "spec" / "rules.md").read_text()
    anchors = re.findall(r'<a id="(irc\d{3})"></a>\n### (IRC\d{3}): (.*) \((error|warning)\)\n', doc)
    assert [a[1] for a in anchors] == list(RULES)
    for anchor, code, summary, severity in anchors:
        rule = RULES[code]
        assert rule.doc == f"spec/rules.md#{anchor}"
        assert (summary, severity) == (rule.summary, rule.severity)


def test_load_config(tmp_path: Path) -> None:
    from ir_codec.errors import IRCodecError
    from ir_codec.rules import Config, load_config

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ir-codec]\n'
        'select = ["IRC1", "IRC2"]\nignore = ["IRC210"]\nallow-unknown = true\n'
    )
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    cfg = load_config(sub)
    assert (cfg.select, cfg.ignore, cfg.allow_unknown) == (["IRC1", "IRC2"], ["IRC210"], True)
    assert cfg.path == str(tmp_path / "pyproject.toml")
    assert cfg.check_kwargs() == {"select": ["IRC1", "IRC2"], "ignore": ["IRC210"], "allow_unknown": True}
    body = anth(user(text()), vendor=1, max_tokens=-1)
    assert [f.code for f in check_payload(body, "anthropic", **cfg.check_kwargs())] == ["IRC105"]
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(sub) == Config(path=str(tmp_path / "pyproject.toml"))
    for bad in ('[tool.ir-codec]\nselct = ["IRC1"]\n', '[tool.ir-codec]\nignore = ["IRC999"]\n', "[tool.ir-codec\n"):
        (tmp_path / "pyproject.toml").write_text(bad)
        with pytest.raises(IRCodecError):
            load_config(sub)


def test_speed_of_a_typical_payload() -> None:
    import time

    body = json.dumps(
        anth(
            user(text("What is the weather in Paris?")),
            asst({"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}}),
            user({"type": "tool_result", "tool_use_id": "toolu_01", "content": "sunny"}),
            system=[text("You are helpful.", cache_control=EPH)],
            tools=[TOOL],
        )
    ).encode()
    check_payload(body, "anthropic")
    n = 500
    t = time.perf_counter()
    for _ in range(n):
        check_payload(body, "anthropic")
    per_payload = (time.perf_counter() - t) / n
    assert per_payload < 0.002  # measured ~0.1 ms; generous for a loaded CI machine


@pytest.mark.parametrize("codec", ["openai-chat", "mistral", "openrouter", "deepseek"])
def test_an_assistant_turn_with_null_tool_calls_is_valid(codec: str) -> None:
    # decode reads it as absent (canonicalizations); mistralai's AssistantMessage has it Nullable
    body = chat(cmsg("user", "q"), cmsg("assistant", "a", tool_calls=None), cmsg("user", "and?"))
    assert check_payload(body, codec) == []
    bad = chat(cmsg("user", "q"), cmsg("assistant", "a", tool_calls=3))
    assert [f.code for f in check_payload(bad, codec)] == ["IRC103"]


def _nullable(typed_dict: Any) -> list[str]:
    """The fields an SDK request TypedDict types as ``Optional[...]``: null is a valid value."""
    import typing

    out = []
    for name, hint in typing.get_type_hints(typed_dict).items():
        if typing.get_origin(hint) in (typing.Required, typing.NotRequired):
            hint = typing.get_args(hint)[0]
        if type(None) in typing.get_args(hint):
            out.append(name)
    return out


def _sdk_nullable_cases() -> list[Any]:
    """(codec, SDK TypedDict, a valid body, where in it the field goes) for the request bodies
    and blocks whose nullable fields the gate must accept as null."""
    anthropic = pytest.importorskip("anthropic.types")
    mcp = pytest.importorskip("anthropic.types.message_create_params")
    chat = pytest.importorskip("openai.types.chat.completion_create_params")
    chat_types = pytest.importorskip("openai.types.chat")
    responses = pytest.importorskip("openai.types.responses.response_create_params")
    a = {"model": "claude-opus-4-6", "max_tokens": 8}
    use = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "r"}
    c = {"model": "gpt-5.6"}
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    return [
        ("anthropic", mcp.MessageCreateParamsBase, {**a, "messages": [{"role": "user", "content": "q"}]}, ()),
        *(
            ("anthropic", getattr(anthropic, name), {**a, "messages": [{"role": "user", "content": [block]}]}, (0, 0))
            for name, block in [
                ("TextBlockParam", {"type": "text", "text": "x"}),
                ("ImageBlockParam", {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}),
                (
                    "DocumentBlockParam",
                    {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
                ),
                (
                    "SearchResultBlockParam",
                    {"type": "search_result", "source": "s", "title": "t", "content": [{"type": "text", "text": "x"}]},
                ),
            ]
        ),
        (
            "anthropic",
            anthropic.ToolUseBlockParam,
            {**a, "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": [use]}]},
            (1, 0),
        ),
        (
            "anthropic",
            anthropic.ToolResultBlockParam,
            {
                **a,
                "messages": [
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": [use]},
                    {"role": "user", "content": [result]},
                ],
            },
            (2, 0),
        ),
        ("openai-chat", chat.CompletionCreateParamsBase, {**c, "messages": [{"role": "user", "content": "q"}]}, ()),
        (
            "openai-chat",
            chat_types.ChatCompletionAssistantMessageParam,
            {**c, "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
            (1,),
        ),
        (
            "openai-chat",
            chat_types.ChatCompletionToolMessageParam,
            {
                **c,
                "messages": [
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "tool_calls": [call]},
                    {"role": "tool", "tool_call_id": "c1", "content": "r"},
                ],
            },
            (2,),
        ),
        ("openai-responses", responses.ResponseCreateParamsBase, {**c, "input": "q"}, ()),
    ]


def test_every_field_an_sdk_types_as_optional_takes_null() -> None:
    # The installed SDKs are the ground truth: a field typed Optional[...] in a request TypedDict
    # takes null (cache_control on every Anthropic block, toolset_name, speed, inference_geo,
    # prompt_cache_key and safety_identifier were refused: IRC103)
    import copy

    checked = 0
    for codec, typed_dict, body, where in _sdk_nullable_cases():
        options: dict[str, Any] = {"api_version": "2023-06-01"} if codec == "anthropic" else {}
        assert check_payload(body, codec, **options) == []
        for field in _nullable(typed_dict):
            b = copy.deepcopy(body)
            target = b if not where else b["messages"][where[0]]
            if len(where) == 2:
                target = target["content"][where[1]]
            target[field] = None
            assert [(f.code, f.path) for f in check_payload(b, codec, **options)] == [], (typed_dict.__name__, field)
            checked += 1
    assert checked > 40


def test_every_literal_value_of_an_sdk_top_level_field_is_valid() -> None:
    # a value the installed SDK lists (openai 3.54: service_tier "fast", "ultrafast") is no
    # finding of the gate (IRC105 before)
    import typing

    def values(hint: Any) -> list[Any]:
        origin = typing.get_origin(hint)
        if origin in (typing.Required, typing.NotRequired):
            return values(typing.get_args(hint)[0])
        if origin is typing.Literal:
            return list(typing.get_args(hint))
        if origin is typing.Union:
            return [v for a in typing.get_args(hint) if a is not type(None) for v in values(a)]
        return values(hint.__value__) if hasattr(hint, "__value__") else []

    chat = pytest.importorskip("openai.types.chat.completion_create_params").CompletionCreateParamsBase
    responses = pytest.importorskip("openai.types.responses.response_create_params").ResponseCreateParamsBase
    create = pytest.importorskip("anthropic.types.message_create_params").MessageCreateParamsBase
    cases: list[tuple[str, Any, dict[str, Any], dict[str, Any]]] = [
        ("openai-chat", chat, {"model": "gpt-5.6", "messages": [{"role": "user", "content": "q"}]}, {}),
        ("openai-responses", responses, {"model": "gpt-5.6", "input": "q"}, {}),
        (
            "anthropic",
            create,
            {"model": "claude-opus-4-6", "max_tokens": 8, "messages": [{"role": "user", "content": "q"}]},
            {"api_version": "2023-06-01"},
        ),
    ]
    seen = 0
    for codec, typed_dict, body, options in cases:
        for field, hint in typing.get_type_hints(typed_dict).items():
            for value in values(hint):
                findings = [f.code for f in check_payload({**body, field: value}, codec, **options)]
                assert findings == [], (codec, field, value)
                seen += 1
    assert seen > 30
