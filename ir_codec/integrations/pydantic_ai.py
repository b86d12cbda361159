"""A pydantic-ai ``Model`` whose wire mapping is ir_codec's (the ``pydantic-ai`` extra).

:class:`IRCodecModel` turns pydantic-ai's messages, tools and settings into one IR
:class:`~ir_codec.Request`, lowers it with any ir_codec codec, sends it with
:class:`ir_codec.transport.AsyncClient` and maps the decoded IR :class:`~ir_codec.Response`
back to a pydantic-ai ``ModelResponse``; ``request_stream`` (``agent.run_stream``, ``agent.iter``)
streams the reply through the codec's stream decoder as pydantic-ai part events::

    from pydantic_ai import Agent
    from ir_codec.integrations.pydantic_ai import IRCodecModel

    agent = Agent(IRCodecModel("anthropic", "claude-opus-5", api_key="..."))

What ir_codec cannot send to the target (and the settings the IR has no field for) are
reported by the ``on_lossy`` policy, as :func:`ir_codec.encode` reports them. This module is
the only one that imports pydantic_ai; ``import ir_codec`` never does.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import msgspec
from pydantic_ai.messages import (
    BinaryContent,
    CachePoint,
    FinishReason,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    RetryFeedbackPart,
    RetryPromptPart,
    SystemPromptPart,
    TextContent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse, check_allow_model_requests
from pydantic_ai.models._tool_choice import resolve_tool_choice
from pydantic_ai.profiles import ModelProfileSpec
from pydantic_ai.settings import ModelSettingName, ModelSettings
from pydantic_ai.tools import RunContext, ToolDefinition
from pydantic_ai.usage import RequestUsage

from .. import ir
from .._api import report_lossy
from ..codec import Codec, Encoded
from ..errors import (
    ConfigurationError,
    DecodeError,
    InvalidRequestError,
    LossKind,
    LossyEncode,
    NetworkError,
    OnLossy,
)
from ..stream import (
    MessageStart,
    Stop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
    WholePart,
)
from ..transport import AsyncClient, AsyncResponseStream

__all__ = ["IRCodecModel", "IRCodecStreamedResponse"]

_SETTINGS_IR = ("max_tokens", "temperature", "top_p", "top_k", "seed", "parallel_tool_calls")
"""ModelSettings keys copied to the IR ``Request`` field of the same name."""

_SETTINGS_DROPPED = ("presence_penalty", "frequency_penalty", "logit_bias", "service_tier", "extra_body", "citations")
"""ModelSettings keys the IR has no field for: each one set is reported as a loss."""

_FINISH: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "context_window_exceeded": "length",
    "tool_use": "tool_call",
    "content_filter": "content_filter",
    "refusal": "content_filter",
    "error": "error",
}
"""IR ``StopReason`` to pydantic-ai ``FinishReason`` (``pause_turn``, ``other``: none)."""

_SYSTEM = {
    "anthropic": "anthropic",
    "anthropic-bedrock": "aws.bedrock",
    "anthropic-vertex": "gcp.vertex_ai",
    "bedrock-converse": "aws.bedrock",
    "openai-chat": "openai",
    "openai-responses": "openai",
    "gemini": "gcp.gemini",
    "openrouter": "openrouter",
    "mistral": "mistral_ai",
    "deepseek": "deepseek",
}
"""Codec name to the OpenTelemetry ``gen_ai.system`` value (the codec name when not listed)."""

_IR_KEY = "ir_codec"
"""Key of a part's ``provider_details`` holding what the IR part needs back (origin, provider options)."""


class IRCodecModel(Model):
    """A pydantic-ai model that sends through ir_codec.

    ``codec`` is any ir_codec codec name (``"anthropic"``, ``"openai-chat"``, ``"gemini"``, ...);
    ``model`` the provider's model id. Pass an :class:`~ir_codec.transport.AsyncClient` of that
    codec as ``client``, or the arguments to make one (``base_url``, ``api_key``, and any other
    keyword of ``AsyncClient`` in ``client_options``).

    ``cache`` is put on every request as :attr:`ir_codec.Request.cache`, so ir_codec's cache
    planner places the provider's cache marks. ``on_lossy`` (``"warn"``, ``"raise"``,
    ``"ignore"``) applies to the losses of each encode and to the settings the IR cannot carry,
    as :func:`ir_codec.encode` applies it. ``max_tokens`` is the default output limit when the
    settings give none (codecs that require one, such as Anthropic's, need it).
    """

    unsupported_settings: ClassVar[frozenset[ModelSettingName]] = frozenset({"timeout", "max_retries", "extra_headers"})
    """Per-request transport settings: the client's ``timeout``, ``retry`` and ``headers`` apply
    instead (pydantic-ai warns when a request sets one)."""

    def __init__(
        self,
        codec: str,
        model: str,
        *,
        client: AsyncClient | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        client_options: Mapping[str, Any] | None = None,
        cache: ir.CacheControl | None = None,
        on_lossy: OnLossy = "warn",
        max_tokens: int | None = 4096,
        settings: ModelSettings | None = None,
        profile: ModelProfileSpec | None = None,
    ) -> None:
        if on_lossy not in ("warn", "raise", "ignore"):
            raise ConfigurationError(f"on_lossy must be 'warn', 'raise' or 'ignore', not {on_lossy!r}")
        self._client_args: dict[str, Any] = {"base_url": base_url, "api_key": api_key, **dict(client_options or {})}
        if client is not None:
            if base_url is not None or api_key is not None or client_options:
                raise ConfigurationError("pass client, or base_url/api_key/client_options to make one, not both")
            if client.codec.NAME != codec:
                raise ConfigurationError(f"the client sends {client.codec.NAME!r}, not {codec!r}")
            probe = client
        else:
            probe = AsyncClient(codec, **self._client_args)  # checks the arguments; sends nothing
        super().__init__(settings=settings, profile=profile)
        self.client = client
        """The ``AsyncClient`` given, or ``None`` when the model makes its own."""
        self.codec: Codec = probe.codec
        self._base_url = probe.base_url
        self.cache = cache
        self.on_lossy: OnLossy = on_lossy
        self.default_max_tokens = max_tokens
        self._model_name = model
        self._run_clients: dict[asyncio.AbstractEventLoop, tuple[AsyncClient, int]] = {}

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def system(self) -> str:
        return _SYSTEM.get(self.codec.NAME, self.codec.NAME)

    @property
    def base_url(self) -> str | None:
        return self._base_url

    def _new_client(self) -> AsyncClient:
        return AsyncClient(self.codec, **self._client_args)

    @asynccontextmanager
    async def _run_scope(self) -> AsyncIterator[None]:
        """An agent run holds one connection pool of the model's own client, closed when the
        last run on this event loop ends (a client the caller gave is the caller's to close)."""
        if self.client is not None:
            yield
            return
        loop = asyncio.get_running_loop()
        client, runs = self._run_clients.get(loop) or (self._new_client(), 0)
        self._run_clients[loop] = (client, runs + 1)
        try:
            yield
        finally:
            client, runs = self._run_clients[loop]
            if runs == 1:
                del self._run_clients[loop]
                await client.aclose()
            else:
                self._run_clients[loop] = (client, runs - 1)

    @asynccontextmanager
    async def _call_client(self) -> AsyncIterator[AsyncClient]:
        """The client of one call: the caller's, the agent run's, or one for this call alone."""
        if self.client is not None:
            yield self.client
            return
        held = self._run_clients.get(asyncio.get_running_loop())
        if held is not None:
            yield held[0]
            return
        async with self._new_client() as client:  # a request outside an agent run
            yield client

    def _encode(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        *,
        stream: bool,
    ) -> tuple[Encoded, ModelRequestParameters]:
        check_allow_model_requests()
        model_settings, model_request_parameters = self.prepare_request(model_settings, model_request_parameters)
        request, losses = self.to_ir(messages, model_settings, model_request_parameters)
        if stream:  # the codec asks for the stream: a body field, or its stream endpoint (Gemini, Bedrock)
            request = msgspec.structs.replace(request, stream=True)
        encoded = self.codec.encode(request)
        report_lossy([*losses, *encoded.warnings], self.on_lossy, stacklevel=5)
        return encoded, model_request_parameters

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        encoded, _ = self._encode(messages, model_settings, model_request_parameters, stream=False)
        async with self._call_client() as client:
            response = await client.send(encoded)
        return self.from_ir(response)

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: RunContext[Any] | None = None,
    ) -> AsyncIterator[StreamedResponse]:
        """The streamed reply: the codec's stream variant of the request, read as it arrives by
        the client's stream (its event reader and the codec's stream decoder), mapped to
        pydantic-ai part events (:class:`IRCodecStreamedResponse`)."""
        encoded, params = self._encode(messages, model_settings, model_request_parameters, stream=True)
        async with self._call_client() as client, client.stream(encoded) as events:
            yield IRCodecStreamedResponse(model_request_parameters=params, owner=self, events=events)

    # ------------------------------------------------------------------ pydantic-ai -> IR

    def to_ir(
        self,
        messages: Sequence[ModelMessage],
        model_settings: ModelSettings | None,
        params: ModelRequestParameters,
    ) -> tuple[ir.Request, list[LossyEncode]]:
        """The IR request of one model call, and the settings it could not carry."""
        system: list[ir.SystemBlock] = []
        out: list[ir.Message] = []
        for message in messages:
            if isinstance(message, ModelRequest):
                self._request_parts(message, system, out)
            else:
                content = self._response_parts(message)
                if content:
                    _append(out, "assistant", content)
        for part in self._get_instruction_parts(messages, params) or []:
            system.append(ir.SystemBlock(text=part.content))

        settings: Mapping[str, Any] = model_settings or {}
        fields: dict[str, Any] = {k: settings[k] for k in _SETTINGS_IR if settings.get(k) is not None}
        fields.setdefault("max_tokens", self.default_max_tokens)
        if settings.get("stop_sequences"):
            fields["stop"] = list(settings["stop_sequences"])
        losses = [
            LossyEncode(
                codec=self.codec.NAME,
                path=f"model_settings.{k}",
                reason=f"the IR has no field for {k}; not sent",
                kind=LossKind.DROPPED,
            )
            for k in _SETTINGS_DROPPED
            if settings.get(k) is not None
        ]
        tools, choice = self._tools(model_settings, params)
        request = ir.Request(
            model=self._model_name,
            system=system,
            messages=out,
            tools=tools,
            tool_choice=choice,
            cache=self.cache,
            **fields,
        )
        return request, losses

    def _request_parts(self, message: ModelRequest, system: list[ir.SystemBlock], out: list[ir.Message]) -> None:
        for part in message.parts:
            if isinstance(part, SystemPromptPart):
                if out:  # a system prompt after the conversation started: the IR keeps it in place
                    _append(out, "system", [ir.Text(text=part.content)])
                else:
                    system.append(ir.SystemBlock(text=part.content))
            elif isinstance(part, UserPromptPart):
                _append(out, "user", _user_content(part))
            elif isinstance(part, ToolReturnPart):
                text = part.model_response_str()
                _append(
                    out,
                    "user",
                    [
                        ir.ToolResult(
                            tool_use_id=part.tool_call_id,
                            content=[ir.Text(text=text)],
                            is_error=part.outcome != "success",
                        )
                    ],
                )
            elif isinstance(part, RetryPromptPart):  # deprecated; prepare_messages translates it
                if part.tool_name is not None:
                    result = ir.ToolResult(
                        tool_use_id=part.tool_call_id, content=[ir.Text(text=part.model_response())], is_error=True
                    )
                    _append(out, "user", [result])
                else:
                    _append(out, "user", [ir.Text(text=part.model_response())])
            elif isinstance(part, RetryFeedbackPart):
                _append(out, "user", [ir.Text(text=part.model_response())])
            else:
                raise InvalidRequestError(
                    "messages", "a part ir_codec maps (system, user, tool return, retry)", type(part).__name__
                )

    def _response_parts(self, message: ModelResponse) -> list[ir.Part]:
        content: list[ir.Part] = []
        for part in message.parts:
            extra = (part.provider_details or {}).get(_IR_KEY, {}) if hasattr(part, "provider_details") else {}
            options = extra.get("provider_options", {})
            if isinstance(part, TextPart):
                if part.content:
                    content.append(ir.Text(text=part.content, provider_options=options))
            elif isinstance(part, ThinkingPart) and extra.get("redacted"):
                content.append(ir.RedactedThinking(data=part.signature or "", origin=extra.get("origin")))
            elif isinstance(part, ThinkingPart):
                content.append(
                    ir.Thinking(
                        text=part.content,
                        signature=part.signature,
                        origin=extra.get("origin"),
                        provider_options=options,
                    )
                )
            elif isinstance(part, ToolCallPart):
                content.append(
                    ir.ToolUse(
                        id=part.tool_call_id,
                        name=part.tool_name,
                        input=part.args_as_dict(),
                        provider_options=options,
                    )
                )
            else:
                raise InvalidRequestError(
                    "messages", "a response part ir_codec maps (text, thinking, tool call)", type(part).__name__
                )
        return content

    def _tools(
        self, model_settings: ModelSettings | None, params: ModelRequestParameters
    ) -> tuple[list[ir.ToolSpec], ir.ToolChoice | None]:
        defs = params.declared_tool_defs
        if not defs:
            return [], None
        resolved = resolve_tool_choice(model_settings, params)
        choice: ir.ToolChoice
        if resolved == "auto":
            choice = ir.ToolChoice(mode="auto")
        elif resolved == "required":
            choice = ir.ToolChoice(mode="required")
        elif resolved == "none":
            choice = ir.ToolChoice(mode="none")
        else:
            mode, names = resolved
            defs = {k: v for k, v in defs.items() if k in names}
            if mode == "required" and len(names) == 1:
                choice = ir.ToolChoice(mode="tool", name=next(iter(names)))
            else:
                choice = ir.ToolChoice(mode="auto" if mode == "auto" else "required")
        # "auto" is every codec's default with tools: sending it only when it narrows keeps the wire minimal
        return [_tool(d) for d in defs.values()], (None if choice.mode == "auto" else choice)

    # ------------------------------------------------------------------ IR -> pydantic-ai

    def from_ir(self, response: ir.Response) -> ModelResponse:
        """The pydantic-ai ``ModelResponse`` of a decoded IR response."""
        return ModelResponse(
            parts=[self._part(part, i) for i, part in enumerate(response.content)],
            usage=_request_usage(response.usage),
            model_name=response.model or self._model_name,
            provider_name=self.system,
            provider_url=self._base_url,
            provider_response_id=response.id,
            finish_reason=_FINISH.get(response.stop_reason) if response.stop_reason else None,
            provider_details={"finish_reason": response.raw_stop_reason} if response.raw_stop_reason else None,
        )

    def _part(self, part: ir.Part, i: int) -> ModelResponsePart:
        """The pydantic-ai part of the reply part ``content[i]``."""
        options: dict[str, Any] = dict(getattr(part, "provider_options", None) or {})
        details = {_IR_KEY: {"provider_options": options}} if options else None
        if isinstance(part, ir.Text | ir.Refusal):
            return TextPart(content=part.text, provider_name=self.system, provider_details=details)
        if isinstance(part, ir.Thinking):
            extra: dict[str, Any] = {"origin": part.origin} if part.origin else {}
            if options:
                extra["provider_options"] = options
            return ThinkingPart(
                content=part.text,
                signature=part.signature,
                provider_name=self.system,
                provider_details={_IR_KEY: extra} if extra else None,
            )
        if isinstance(part, ir.RedactedThinking):
            # pydantic-ai's own Anthropic model keeps redacted thinking this way
            redacted: dict[str, Any] = {"redacted": True}
            if part.origin:
                redacted["origin"] = part.origin
            return ThinkingPart(
                content="",
                id="redacted_thinking",
                signature=part.data,
                provider_name=self.system,
                provider_details={_IR_KEY: redacted},
            )
        if isinstance(part, ir.ToolUse):
            return ToolCallPart(
                tool_name=part.name,
                args=dict(part.input),
                tool_call_id=part.id,
                provider_name=self.system,
                provider_details=details,
            )
        raise DecodeError(
            f"content[{i}]",
            "a reply part pydantic-ai maps (text, refusal, thinking, tool use)",
            type(part).__name__,
        )


@dataclass
class IRCodecStreamedResponse(StreamedResponse):
    """A reply of :class:`IRCodecModel` as it streams: the IR stream events of the client's
    stream, mapped to pydantic-ai's parts manager (the IR part index is the vendor part id).

    Text, thinking and tool-call arguments arrive as deltas (an empty piece opens nothing); a
    part that arrives whole (a redacted thinking block, a refusal) starts a part, or silently
    replaces the one its pieces built (Chat's tool call kept byte for byte). Usage, the id and
    the finish reason follow the stream. When the stream ends, the response is exactly
    :meth:`IRCodecModel.from_ir` of the decoded IR ``Response`` (what ``request`` gives for the
    same reply): the streamed parts take their final form (tool-call arguments as a dict,
    provider details), and :meth:`get` returns that reply's parts.
    """

    owner: IRCodecModel
    events: AsyncResponseStream
    _timestamp: datetime = field(default_factory=lambda: datetime.now(tz=UTC))
    _usage_received: bool | None = field(default=False, init=False)
    _reply_model: str | None = field(default=None, init=False)
    _signatures: dict[int, str] = field(default_factory=dict, init=False)
    _final_parts: list[ModelResponsePart] | None = field(default=None, init=False)

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        indices: list[int] = []  # the IR indices of the parts, in the order they opened
        async for ev in self.events:
            if self.cancelled:  # what the client had read already is not news either
                return
            for out in self._map(ev, indices):
                yield out
        self._settle(self.owner.from_ir(self.events.response), sorted(indices))

    def _map(self, ev: StreamEvent, indices: list[int]) -> Iterator[ModelResponseStreamEvent]:
        parts = self._parts_manager
        name = self.provider_name
        known = True
        if isinstance(ev, TextDelta | ThinkingDelta | ToolCallStart | ToolCallDelta | WholePart):
            known = ev.index in indices
            if not known:
                indices.append(ev.index)
        if isinstance(ev, TextDelta):
            if ev.text:
                yield from parts.handle_text_delta(vendor_part_id=ev.index, content=ev.text, provider_name=name)
        elif isinstance(ev, ThinkingDelta):
            signature = None
            if ev.signature is not None:  # the IR joins the pieces; pydantic-ai keeps the last one given
                signature = self._signatures[ev.index] = self._signatures.get(ev.index, "") + ev.signature
            details = {_IR_KEY: {"origin": ev.origin}} if ev.origin else None
            if ev.text or signature is not None or details is not None or not known:
                yield from parts.handle_thinking_delta(
                    vendor_part_id=ev.index,
                    content=ev.text,
                    signature=signature,
                    provider_name=name,
                    provider_details=details,
                )
        elif isinstance(ev, ToolCallStart):
            yield from parts.handle_tool_call_delta_events(
                vendor_part_id=ev.index, tool_name=ev.name, tool_call_id=ev.id, provider_name=name
            )
        elif isinstance(ev, ToolCallDelta):
            yield from parts.handle_tool_call_delta_events(vendor_part_id=ev.index, args=ev.arguments)
        elif isinstance(ev, WholePart):
            part = self.owner._part(ev.part, ev.index)
            current = parts.get_part_by_vendor_id(ev.index)
            event = parts.handle_part(vendor_part_id=ev.index, part=part)
            if not isinstance(current, type(part)):  # a part replacing its own pieces is not news
                yield event
        elif isinstance(ev, MessageStart):
            self.provider_response_id = ev.id or self.provider_response_id
            self._reply_model = ev.model or self._reply_model
        elif isinstance(ev, UsageUpdate):  # providers report cumulative counts
            self._add_usage(_request_usage(ev.usage), reported=True, cumulative=True)
        elif isinstance(ev, Stop):
            self.finish_reason = _FINISH.get(ev.stop_reason) if ev.stop_reason else None
            self.provider_details = {"finish_reason": ev.raw_stop_reason} if ev.raw_stop_reason else None

    def _settle(self, final: ModelResponse, indices: list[int]) -> None:
        """Make the response what ``request`` gives for the same reply."""
        if len(indices) == len(final.parts):
            for index, part in zip(indices, final.parts, strict=True):
                current = self._parts_manager.get_part_by_vendor_id(index)
                if current is not None and type(current) is type(part) and current != part:
                    self._parts_manager.handle_part(vendor_part_id=index, part=part)  # the final form, no news
        self._final_parts = list(final.parts)
        self._reply_model = final.model_name
        self.provider_response_id = final.provider_response_id
        self.finish_reason = final.finish_reason
        self.provider_details = final.provider_details
        self._add_usage(final.usage, reported=final.usage.unmeasured_requests == 0, cumulative=True)

    def get(self) -> ModelResponse:
        response = super().get()
        if self._final_parts is None:
            return response
        return dataclasses.replace(response, parts=list(self._final_parts))

    async def close_stream(self) -> None:
        await self.events.aclose()

    def get_stream_cancel_errors(self) -> tuple[type[BaseException], ...]:
        # the client's stream raises a transport failure as ir_codec's NetworkError
        return (*super().get_stream_cancel_errors(), NetworkError)

    @property
    def model_name(self) -> str:
        return self._reply_model or self.owner.model_name

    @property
    def provider_name(self) -> str:
        return self.owner.system

    @property
    def provider_url(self) -> str | None:
        return self.owner.base_url

    @property
    def timestamp(self) -> datetime:
        return self._timestamp


def _request_usage(usage: ir.Usage | None) -> RequestUsage:
    if usage is None:
        return RequestUsage(unmeasured_requests=1)
    return RequestUsage(
        input_tokens=usage.input_tokens or 0,
        output_tokens=usage.output_tokens or 0,
        cache_read_tokens=usage.cache_read_tokens or 0,
        cache_write_tokens=usage.cache_write_tokens or 0,
        output_reasoning_tokens=usage.reasoning_tokens or 0,
    )


def _append(out: list[ir.Message], role: Literal["user", "assistant", "system"], content: list[ir.Part]) -> None:
    """Add ``content`` to the conversation, merged into the last message when it has the same role."""
    if out and out[-1].role == role:
        out[-1] = msgspec.structs.replace(out[-1], content=[*out[-1].content, *content])
    else:
        out.append(ir.Message(role=role, content=content))


def _user_content(part: UserPromptPart) -> list[ir.Part]:
    if isinstance(part.content, str):
        return [ir.Text(text=part.content)]
    content: list[ir.Part] = []
    for item in part.content:
        if isinstance(item, str):
            content.append(ir.Text(text=item))
        elif isinstance(item, TextContent):
            content.append(ir.Text(text=item.content))
        elif isinstance(item, CachePoint):
            if content:  # a cache mark on the part before it
                content[-1] = msgspec.structs.replace(content[-1], cache=ir.CacheControl())
        elif isinstance(item, BinaryContent) and item.is_image:
            data = base64.b64encode(item.data).decode()
            content.append(ir.Image(source=ir.Base64Source(media_type=item.media_type, data=data)))
        elif isinstance(item, BinaryContent) and item.is_document:
            data = base64.b64encode(item.data).decode()
            content.append(ir.Document(source=ir.Base64Source(media_type=item.media_type, data=data)))
        elif isinstance(item, ImageUrl):
            content.append(ir.Image(source=ir.UrlSource(url=item.url, media_type=item.media_type)))
        else:
            raise InvalidRequestError("messages", "text, an image or a binary document", type(item).__name__)
    return content


def _tool(d: ToolDefinition) -> ir.Tool:
    return ir.Tool(
        name=d.name,
        input_schema=json.loads(json.dumps(d.parameters_json_schema)),
        description=d.description,
        strict=d.strict,
    )
