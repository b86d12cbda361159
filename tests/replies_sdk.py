"""The official SDKs as independent checkers of encoded replies and stream events (dev-only).

Each checker takes a body (or an event) we wrote, validates it with the SDK's own type and
returns the SDK's dump of what it read (``model_dump(mode="json", by_alias=True,
exclude_unset=True)``), which the tests compare with our body: the SDK reads every field we
wrote, under the name we wrote it. Bedrock has no pydantic types: botocore's service model
(``ConverseResponse``, ``ConverseStreamOutput``) is walked instead (required members, no unknown
member, member types, one member per union).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

Checker = Callable[[dict[str, Any]], Any]


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _pydantic(load: Callable[[], Any], json_mode: bool = False) -> Checker:
    def check(body: dict[str, Any]) -> Any:
        t = load()
        if json_mode:
            return _dump(t.model_validate_json(msgspec.json.encode(body)))
        return _dump(t.model_validate(body))

    return check


@functools.cache
def _type_adapter(t: Any) -> Any:
    import pydantic

    return pydantic.TypeAdapter(t)


def _adapter(load: Callable[[], Any]) -> Checker:
    def check(body: dict[str, Any]) -> Any:
        adapter = _type_adapter(load())
        return adapter.dump_python(adapter.validate_python(body), mode="json", by_alias=True, exclude_unset=True)

    return check


def _anthropic_message() -> Any:
    return pytest.importorskip("anthropic").types.Message


def _anthropic_event() -> Any:
    return pytest.importorskip("anthropic").types.RawMessageStreamEvent


def _chat_completion() -> Any:
    return pytest.importorskip("openai").types.chat.ChatCompletion


def _chat_chunk() -> Any:
    return pytest.importorskip("openai").types.chat.ChatCompletionChunk


def _responses_response() -> Any:
    return pytest.importorskip("openai").types.responses.Response


def _responses_event() -> Any:
    return pytest.importorskip("openai").types.responses.ResponseStreamEvent


def _gemini_response() -> Any:
    return pytest.importorskip("google.genai.types").GenerateContentResponse


def _mistral_response() -> Any:
    return pytest.importorskip("mistralai.client.models").ChatCompletionResponse


def _mistral_event() -> Any:
    return pytest.importorskip("mistralai.client.models").CompletionChunk


def _openrouter_result() -> Any:
    return pytest.importorskip("openrouter.components").ChatResult


def _openrouter_chunk() -> Any:
    return pytest.importorskip("openrouter.components").ChatStreamChunk


# -- botocore ----------------------------------------------------------------------------------


@functools.cache
def _bedrock_shapes() -> dict[str, Any]:
    loaders = pytest.importorskip("botocore.loaders")
    model = loaders.create_loader().load_service_model("bedrock-runtime", "service-2")
    return dict(model["shapes"])


def _walk(value: Any, shape_name: str, path: str) -> None:
    shape = _bedrock_shapes()[shape_name]
    if shape.get("document"):
        return  # a Document (tool input, additional fields) takes any JSON
    kind = shape["type"]
    if kind == "structure":
        assert isinstance(value, dict), f"{path}: {shape_name} must be an object"
        members = shape.get("members", {})
        for req in shape.get("required", []):
            assert req in value, f"{path}: {shape_name} requires {req}"
        unknown = set(value) - set(members)
        assert not unknown, f"{path}: {shape_name} has no member {sorted(unknown)}"
        if shape.get("union"):
            assert len(value) == 1, f"{path}: the union {shape_name} takes one member"
        for k, v in value.items():
            _walk(v, members[k]["shape"], f"{path}.{k}")
    elif kind == "list":
        assert isinstance(value, list), f"{path}: {shape_name} must be a list"
        for i, v in enumerate(value):
            _walk(v, shape["member"]["shape"], f"{path}[{i}]")
    elif kind == "map":
        assert isinstance(value, dict), f"{path}: {shape_name} must be an object"
    elif kind in ("string", "blob", "timestamp"):
        assert isinstance(value, str), f"{path}: {shape_name} must be a string"
        if "enum" in shape:
            assert value in shape["enum"], f"{path}: {value!r} is not a {shape_name}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: {shape_name} must be an integer"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{path}: {shape_name} must be a boolean"
    elif kind in ("float", "double"):
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{path}: must be a number"
    # "structure" with document=True (Document) takes any JSON


def _bedrock_response(body: dict[str, Any]) -> Any:
    _walk(body, "ConverseResponse", "$")
    return body


def _bedrock_event(event: dict[str, Any]) -> Any:
    _walk(event, "ConverseStreamOutput", "$")
    return event


def _deepseek(check: Checker) -> Checker:
    """DeepSeek has no Python SDK; its replies are OpenAI's types plus one ``finish_reason`` of
    its own (``insufficient_system_resource``, API reference), checked as OpenAI's with that
    value swapped for ``stop`` and swapped back in the dump."""

    def swap(body: dict[str, Any], old: str, new: str) -> dict[str, Any]:
        out: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(body))
        for choice in out.get("choices", []):
            if choice.get("finish_reason") == old:
                choice["finish_reason"] = new
                choice["_swapped"] = True
        return out

    def run(body: dict[str, Any]) -> Any:
        swapped = swap(body, "insufficient_system_resource", "stop")
        marks = [c.pop("_swapped", False) for c in swapped.get("choices", [])]
        got = check(swapped)
        for c, mark in zip(got.get("choices", []), marks, strict=True):
            if mark:
                c["finish_reason"] = "insufficient_system_resource"
        return got

    return run


REPLY: dict[str, Checker] = {
    "anthropic": _pydantic(_anthropic_message),
    "anthropic-bedrock": _pydantic(_anthropic_message),
    "anthropic-vertex": _pydantic(_anthropic_message),
    "bedrock-converse": _bedrock_response,
    "openai-chat": _pydantic(_chat_completion),
    "openai-responses": _pydantic(_responses_response),
    "gemini": _pydantic(_gemini_response, json_mode=True),
    "mistral": _pydantic(_mistral_response),
    "openrouter": _pydantic(_openrouter_result),
    "deepseek": _deepseek(_pydantic(_chat_completion)),
}
"""Codec -> the SDK type its reply body must validate as."""

EVENT: dict[str, Checker] = {
    "anthropic": _adapter(_anthropic_event),
    "anthropic-bedrock": _adapter(_anthropic_event),
    "anthropic-vertex": _adapter(_anthropic_event),
    "bedrock-converse": _bedrock_event,
    "openai-chat": _pydantic(_chat_chunk),
    "openai-responses": _adapter(_responses_event),
    "gemini": _pydantic(_gemini_response, json_mode=True),
    "mistral": _pydantic(_mistral_event),
    "openrouter": _pydantic(_openrouter_chunk),
    "deepseek": _deepseek(_pydantic(_chat_chunk)),
}
"""Codec -> the SDK type each stream event (its JSON ``data``) must validate as."""


def sdk_stream_error(name: str, sse: bytes) -> Any:
    """The error the official SDK's own stream reader raises for the SSE bytes ``sse`` (its
    ``_streaming.Stream`` over an HTTP 200 response), as the body it attaches; ``None`` when it
    reads every event without raising. Anthropic raises for an ``event: error``, openai for a
    chunk that carries ``error`` (``openai/_streaming.py``); a Responses ``error`` event is one
    of its stream events, read without raising."""
    import httpx

    request = httpx.Request("POST", "https://example.invalid/v1")
    response: Any = httpx.Response(200, content=sse, request=request)  # the SDKs' httpx2 reads it as well
    if name.startswith("anthropic"):
        anthropic = pytest.importorskip("anthropic")
        from anthropic._streaming import Stream as AnthropicStream

        stream: Any = AnthropicStream(
            cast_to=anthropic.types.RawMessageStreamEvent, response=response, client=anthropic.Anthropic(api_key="k")
        )
        error: type[Exception] = anthropic.APIError
    else:
        openai = pytest.importorskip("openai")
        from openai._streaming import Stream as OpenAIStream

        cast = (
            openai.types.responses.ResponseStreamEvent
            if name == "openai-responses"
            else openai.types.chat.ChatCompletionChunk
        )
        stream = OpenAIStream(cast_to=cast, response=response, client=openai.OpenAI(api_key="k"))
        error = openai.APIError
    try:
        for _ in stream:
            pass
    except error as exc:
        return getattr(exc, "body", None)
    return None
