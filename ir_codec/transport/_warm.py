"""Warm-up: the cheapest request that writes (or refreshes) the cache of a request's marked
prefix, and what it cost.

============================  =====================================================================
codec                         the warm call
============================  =====================================================================
``anthropic``, ``-bedrock``,  the request up to its last marked message with ``max_tokens: 0``: the
``-vertex``                   API writes the cache at the marks and generates nothing (A-PC
                              "Pre-warming the cache"; anthropic ``message_create_params.py``
                              ``max_tokens``). Refused by the API with ``stream``, thinking
                              ``enabled``, ``output_config.format`` and tool_choice ``any`` / ``tool``,
                              so such a request is refused here too. Bedrock and Vertex take the
                              same body; that they honour ``max_tokens: 0`` is not documented there.
``openai-responses``          the request with ``prompt_cache_options.prewarm: true`` ("prepares the
                              prompt cache without generating output", openai
                              ``responses/response_create_params.py``).
``openai-chat``,              Chat Completions has no prewarm (``PromptCacheOptions`` there has
``openrouter``                ``mode`` and ``ttl`` only): the request with one output token.
``bedrock-converse``          the request up to its last marked message with ``maxTokens: 1``.
``gemini``                    no marks to warm: make an explicit cache (``client.caches.create``).
============================  =====================================================================

A request without any cache mark has nothing to warm (except on OpenAI, whose implicit
breakpoint needs no mark) and is refused with :class:`~ir_codec.errors.InvalidCacheConfigError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from ..errors import CacheNotSupportedError, InvalidCacheConfigError
from ..ir import Request, Response, ToolResult, Usage
from ..pricing import Cost, TokenPrice, cost
from ._caches import CacheHandle, cache_marks

if TYPE_CHECKING:
    from ._client import AsyncClient, Client

__all__ = ["WarmResult", "aensure_cached", "ensure_cached"]

_ANTHROPIC = frozenset({"anthropic", "anthropic-bedrock", "anthropic-vertex"})
_OPENAI = frozenset({"openai-chat", "openai-responses", "openrouter"})


@dataclass(frozen=True)
class WarmResult:
    """The warm call: its ``strategy``, the provider's ``usage`` (cache writes and reads), its
    ``cost`` when a price was given, the decoded ``response`` and a ``handle`` describing the cache
    (marks, token count, and ``expires``: the warm call's start plus the shortest TTL marked)."""

    codec: str
    strategy: str
    usage: Usage | None
    cost: Cost | None
    response: Response
    handle: CacheHandle


def _through_last_mark(request: Request) -> Request:
    """``request`` without the messages after the last one that holds a mark (a later message
    only adds uncached input). With request-level automatic caching the mark is on the last
    block, so nothing is cut. A marked assistant message keeps the user message after it, so
    that tool calls keep their results and the request does not end in a prefill."""
    if request.cache is not None or not request.messages:
        return request
    last = None
    for i, m in enumerate(request.messages):
        if any(
            p.cache is not None or (isinstance(p, ToolResult) and any(q.cache for q in p.content)) for p in m.content
        ):
            last = i
    keep = 1 if last is None else last + 1
    if last is not None and request.messages[last].role == "assistant" and keep < len(request.messages):
        keep += 1
    return msgspec.structs.replace(request, messages=request.messages[:keep])


def _plan(client: Client | AsyncClient, request: Request) -> tuple[dict[str, Any], str | None, str]:
    name = client.codec.NAME
    if name == "gemini":
        raise CacheNotSupportedError(
            "gemini",
            "warm",
            "generateContent has no cache marks to warm: make an explicit cache with client.caches.create(request) "
            "(implicit caching needs no warm-up)",
        )
    if name not in _ANTHROPIC | _OPENAI | {"bedrock-converse"}:
        raise CacheNotSupportedError(name, "warm", "no warm-up strategy is known for this codec")
    if name not in _OPENAI and not cache_marks(request):
        raise InvalidCacheConfigError(f"{name}: nothing to warm: the request has no cache marks")
    if request.stream:
        request = msgspec.structs.replace(request, stream=None)
    if name in _ANTHROPIC or name == "bedrock-converse":
        request = _through_last_mark(request)
    if name in _ANTHROPIC and request.max_tokens is None:
        request = msgspec.structs.replace(request, max_tokens=1)  # replaced by 0 on the wire below
    enc = client.codec.encode(request)
    client._builder._report(list(enc.warnings))
    body = dict(enc.body)
    body.pop("stream", None)
    body.pop("stream_options", None)
    if name in _ANTHROPIC:
        refused = []
        thinking = body.get("thinking")
        if isinstance(thinking, dict) and thinking.get("type") == "enabled":
            refused.append("thinking enabled")
        output = body.get("output_config")
        if isinstance(output, dict) and output.get("format") is not None:
            refused.append("output_config.format")
        choice = body.get("tool_choice")
        if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
            refused.append(f"tool_choice {choice['type']}")
        if refused:
            raise InvalidCacheConfigError(
                f"{name}: the API refuses max_tokens 0 (the pre-warm) with {', '.join(refused)}, and warming without "
                "them would write a different cache than the request reads"
            )
        body["max_tokens"] = 0
        strategy = "max_tokens=0"
    elif name == "openai-responses":
        options = body.get("prompt_cache_options")
        body["prompt_cache_options"] = {**(options if isinstance(options, dict) else {}), "prewarm": True}
        strategy = "prompt_cache_options.prewarm"
    elif name in _OPENAI:
        body["max_tokens" if "max_tokens" in body else "max_completion_tokens"] = 1
        strategy = "max_completion_tokens=1" if "max_completion_tokens" in body else "max_tokens=1"
    else:
        config = body.get("inferenceConfig")
        body["inferenceConfig"] = {**(config if isinstance(config, dict) else {}), "maxTokens": 1}
        strategy = "maxTokens=1"
    return body, enc.endpoint.model, strategy


def _result(
    client: Client | AsyncClient,
    request: Request,
    response: Response,
    strategy: str,
    started: dt.datetime,
    price: TokenPrice | None,
) -> WarmResult:
    usage = response.usage
    marks = cache_marks(request)
    shortest = min((m.ttl.seconds for m in marks), default=None)
    read = usage.cache_read_tokens if usage is not None else None
    written = usage.cache_write_tokens if usage is not None else None
    tokens = (read or 0) + (written or 0)
    handle = CacheHandle(
        provider=client.codec.NAME,
        kind="marks",
        model=request.model,
        created=started if written else None,
        updated=started,
        expires=started + dt.timedelta(seconds=shortest) if shortest is not None and tokens else None,
        token_count=tokens or None,
        marks=marks,
        cache_key=request.cache_key,
    )
    price = price if price is not None else client.price
    return WarmResult(
        codec=client.codec.NAME,
        strategy=strategy,
        usage=usage,
        cost=cost(usage, price) if price is not None and usage is not None else None,
        response=response,
        handle=handle,
    )


def ensure_cached(request: Request, client: Client, *, price: TokenPrice | None = None) -> WarmResult:
    """Write or refresh the cache of ``request``'s marked prefix with the cheapest call the
    provider offers (module table); return its usage and, given a ``price`` (or the client's),
    its cost.

    >>> price = TokenPrice(input=Decimal("3"), output=Decimal("15"))   # doctest: +SKIP
    >>> warm = ensure_cached(request, client, price=price)              # doctest: +SKIP
    >>> warm.usage.cache_write_tokens, warm.cost.total                  # doctest: +SKIP
    """
    body, model, strategy = _plan(client, request)
    started = dt.datetime.now(dt.UTC)
    response = client.send(body, model=model)
    return _result(client, request, response, strategy, started, price)


async def aensure_cached(request: Request, client: AsyncClient, *, price: TokenPrice | None = None) -> WarmResult:
    """The ``async`` twin of :func:`ensure_cached`."""
    body, model, strategy = _plan(client, request)
    started = dt.datetime.now(dt.UTC)
    response = await client.send(body, model=model)
    return _result(client, request, response, strategy, started, price)
