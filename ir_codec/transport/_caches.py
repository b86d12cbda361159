"""The explicit cache lifecycle: create, get, list, update (refresh), delete, and use.

One vocabulary for every provider, in the spirit of a ``ContextCache`` API: a
:class:`CacheHandle` names a cache and carries its metadata (created, expires, token count);
the errors are :class:`~ir_codec.errors.CacheNotFoundError`,
:class:`~ir_codec.errors.CacheExpiredError`, :class:`~ir_codec.errors.InvalidCacheConfigError`
and :class:`~ir_codec.errors.CacheNotSupportedError`.

- **Gemini** has a cache resource, ``cachedContents`` (PROVIDERS.md 7c; google-genai
  ``caches.py``; ``cache_service.proto``)::

      create  POST   /v1beta/cachedContents                     CachedContent in, CachedContent out
      list    GET    /v1beta/cachedContents?pageSize=&pageToken=  {"cachedContents": [...], "nextPageToken"}
      get     GET    /v1beta/cachedContents/{id}
      update  PATCH  /v1beta/cachedContents/{id}?updateMask=ttl  {"ttl": "600s"} (or expireTime)
      delete  DELETE /v1beta/cachedContents/{id}                 {}

  A cache holds ``contents``, ``systemInstruction``, ``tools`` and ``toolConfig`` (taken from an
  IR request, lowered by the gemini codec) for one ``model`` (``models/...``), until
  ``expireTime`` (give ``ttl`` or ``expire_time``; Gemini's default is one hour). A
  generateContent request then names it in ``cachedContent`` and must not repeat the system
  instruction, tools or tool config (Gemini refuses them beside ``cachedContent``):
  :meth:`Caches.use` makes such a request, and the clients refuse one that breaks the rule
  before sending it. The update mask is sent although the Gemini API makes it optional (the
  SDK sends none; Vertex requires it).
- **Anthropic (direct, Bedrock, Vertex), Bedrock Converse, OpenAI and OpenRouter** have no cache
  resource: a cache is written by the marks in a request (``cache_control``, ``cachePoint``,
  ``prompt_cache_breakpoint``) and routed by ``prompt_cache_key``. :meth:`Caches.create` answers
  with a handle that describes those marks; every other operation raises
  :class:`~ir_codec.errors.CacheNotSupportedError` (to write or refresh such a cache, send the
  request: :func:`ensure_cached` does so at the lowest price).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from ..errors import (
    CacheExpiredError,
    CacheNotFoundError,
    CacheNotSupportedError,
    HTTPError,
    InvalidCacheConfigError,
    NotFoundError,
    PermissionDeniedError,
    TransportError,
)
from ..ir import CacheControl, CacheTtl, Request, ToolResult

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from ._requests import Prepared

__all__ = ["AsyncCaches", "CacheHandle", "CacheMark", "CachePage", "Caches", "TtlLike", "cache_marks"]

_API = "/v1beta"
"""The Gemini API version of the codec's endpoint (``GeminiCodec.ENDPOINT``)."""

MAX_PAGES = 1000
""":meth:`Caches.iter` follows at most this many pages."""

TtlLike = dt.timedelta | int | float | str | CacheTtl
"""A TTL: a ``timedelta``, seconds, a Duration string (``"3600s"``) or a :class:`CacheTtl`."""

_DURATION = re.compile(r"^(\d+)(?:\.(\d{1,9}))?s$")
_FRACTION = re.compile(r"(\.\d{6})\d+")


class CacheMark(msgspec.Struct, frozen=True, kw_only=True):
    """A cache mark of a request: the IR ``path`` of the marked item and its ``ttl``
    (``path`` ``"cache"`` is request-level automatic caching)."""

    path: str
    ttl: CacheTtl


class CacheHandle(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A cache and what is known of it.

    ``kind`` ``"resource"``: a provider-side object (Gemini ``cachedContents/{id}`` in ``name``);
    ``"marks"``: a cache written by the ``marks`` of a request (and routed by ``cache_key``).
    ``created``, ``updated`` and ``expires`` are timezone-aware datetimes; ``token_count`` the
    tokens the cache holds. What the provider does not report is ``None``.
    """

    provider: str
    kind: Literal["resource", "marks"]
    name: str | None = None
    model: str | None = None
    display_name: str | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    expires: dt.datetime | None = None
    token_count: int | None = None
    marks: tuple[CacheMark, ...] = ()
    cache_key: str | None = None

    def expired(self, now: dt.datetime | None = None) -> bool:
        """Whether ``expires`` has passed (``False`` when it is unknown)."""
        return self.expires is not None and self.expires <= (now or dt.datetime.now(dt.UTC))


class CachePage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of :meth:`Caches.list`; ``next_page_token`` is ``None`` on the last page."""

    items: list[CacheHandle]
    next_page_token: str | None = None


# --------------------------------------------------------------------------------------------
# Marks (every provider without a cache resource)


def cache_marks(request: Request) -> tuple[CacheMark, ...]:
    """The cache marks of ``request``, in prefix order (tools, system, messages)."""
    out: list[CacheMark] = []

    def add(path: str, cache: CacheControl | None) -> None:
        if cache is not None:
            out.append(CacheMark(path=path, ttl=CacheTtl(cache.ttl)))

    for i, tool in enumerate(request.tools):
        add(f"tools[{i}]", tool.cache)
    for i, block in enumerate(request.system):
        add(f"system[{i}]", block.cache)
    for i, message in enumerate(request.messages):
        for j, part in enumerate(message.content):
            add(f"messages[{i}].content[{j}]", part.cache)
            if isinstance(part, ToolResult):
                for k, inner in enumerate(part.content):
                    add(f"messages[{i}].content[{j}].content[{k}]", inner.cache)
    add("cache", request.cache)
    return tuple(out)


def _marks_handle(provider: str, request: Request) -> CacheHandle:
    return CacheHandle(
        provider=provider, kind="marks", model=request.model, marks=cache_marks(request), cache_key=request.cache_key
    )


def _unsupported(provider: str, operation: str) -> CacheNotSupportedError:
    return CacheNotSupportedError(
        provider,
        operation,
        "this provider has no cache resource: a cache is written by the marks of a request (and routed by "
        "cache_key), and lives for its TTL after each use; send the request (ensure_cached() does so at the "
        "lowest price) to write or refresh it",
    )


# --------------------------------------------------------------------------------------------
# Gemini cachedContents: request bodies and replies


def _duration(ttl: TtlLike) -> str:
    if isinstance(ttl, CacheTtl):
        seconds: float = ttl.seconds
    elif isinstance(ttl, dt.timedelta):
        seconds = ttl.total_seconds()
    elif isinstance(ttl, bool):
        raise InvalidCacheConfigError(f"ttl must be a duration, not {ttl!r}")
    elif isinstance(ttl, int | float):
        seconds = float(ttl)
    elif isinstance(ttl, str):
        m = _DURATION.match(ttl)
        if not m:
            raise InvalidCacheConfigError(f"ttl {ttl!r} is not a Duration string such as '3600s'")
        if int(m.group(1)) == 0 and not (m.group(2) or "").strip("0"):
            raise InvalidCacheConfigError(f"ttl must be positive, not {ttl!r}")
        return ttl
    else:
        raise InvalidCacheConfigError(
            f"ttl must be a timedelta, seconds or a Duration string, not {type(ttl).__name__}"
        )
    if not seconds > 0:
        raise InvalidCacheConfigError(f"ttl must be positive, not {seconds} seconds")
    whole = int(seconds)
    nanos = round((seconds - whole) * 1e9)
    return f"{whole}s" if nanos == 0 else f"{whole}.{nanos:09d}".rstrip("0") + "s"


def parse_time(value: str) -> dt.datetime:
    """An RFC 3339 timestamp (``Z`` or an offset, up to 9 fractional digits) as an aware datetime."""
    text = _FRACTION.sub(r"\1", value.strip()).replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidCacheConfigError(f"{value!r} is not an RFC 3339 timestamp") from None
    if parsed.tzinfo is None:
        raise InvalidCacheConfigError(f"{value!r} has no time zone")
    return parsed


def _timestamp(value: dt.datetime | str, now: dt.datetime) -> str:
    when = parse_time(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        raise InvalidCacheConfigError("expire_time must be timezone-aware (a naive datetime is ambiguous)")
    when = when.astimezone(dt.UTC)
    if when <= now:
        raise InvalidCacheConfigError(f"expire_time {when.isoformat()} is not in the future")
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text + "Z"


def _expiration(ttl: TtlLike | None, expire_time: dt.datetime | str | None, *, required: bool) -> dict[str, str]:
    if ttl is not None and expire_time is not None:
        raise InvalidCacheConfigError("give ttl or expire_time, not both (they are one choice, `expiration`)")
    if ttl is not None:
        return {"ttl": _duration(ttl)}
    if expire_time is not None:
        return {"expireTime": _timestamp(expire_time, dt.datetime.now(dt.UTC))}
    if required:
        raise InvalidCacheConfigError("an update needs ttl or expire_time (only the expiration can be updated)")
    return {}


def cache_name(name: str | CacheHandle) -> str:
    """``cachedContents/{id}`` for a bare id, a full name or a handle."""
    if isinstance(name, CacheHandle):
        if name.name is None:
            raise _unsupported(name.provider, "a marks handle names no cache resource")
        name = name.name
    if name.startswith("cachedContents/") and name.count("/") == 1 and len(name) > len("cachedContents/"):
        return name
    if name and "/" not in name:
        return f"cachedContents/{name}"
    raise InvalidCacheConfigError(f"{name!r} is not a Gemini API cache name (cachedContents/{{id}} or a bare id)")


def model_name(model: str) -> str:
    """``models/{id}`` for a bare model id (google-genai ``_transformers.py`` ``t_caches_model``)."""
    return model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"


_CACHE_KEYS = ("contents", "systemInstruction", "tools", "toolConfig")


def create_body(
    client: Client | AsyncClient,
    request: Request,
    *,
    model: str | None,
    ttl: TtlLike | None,
    expire_time: dt.datetime | str | None,
    display_name: str | None,
) -> dict[str, Any]:
    """The ``cachedContents.create`` body for ``request``'s system, contents and tools, in the
    order google-genai writes it (``_CreateCachedContentParameters_to_mldev``)."""
    model = model or request.model
    if not model:
        raise InvalidCacheConfigError("a Gemini cache is bound to one model: set Request.model or pass model=...")
    if request.provider_options.get("gemini", {}).get("cachedContent") is not None:
        raise InvalidCacheConfigError("a cache cannot be made from a request that itself uses cachedContent")
    plain = msgspec.structs.replace(request, model=None, stream=None)
    prep = client._builder.prepare(plain, stream=False, model=model)
    wire = msgspec.json.decode(prep.content or b"{}")
    extra = sorted(k for k in wire if k not in _CACHE_KEYS)
    if extra:
        raise InvalidCacheConfigError(
            f"a Gemini cache holds only contents, systemInstruction, tools and toolConfig; the request also sets "
            f"{', '.join(extra)} (from max_tokens, sampling or provider options): send those with the requests that "
            "use the cache"
        )
    if display_name is not None and len(display_name) > 128:
        raise InvalidCacheConfigError("display_name is at most 128 characters (cached_content.proto)")
    body: dict[str, Any] = {"model": model_name(model)}
    body.update(_expiration(ttl, expire_time, required=False))
    if display_name is not None:
        body["displayName"] = display_name
    for key in _CACHE_KEYS:
        if key in wire:
            body[key] = wire[key]
    return body


class _WireUsage(msgspec.Struct, rename="camel"):
    total_token_count: int | None = None


class _WireCachedContent(msgspec.Struct, rename="camel"):
    name: str
    model: str | None = None
    display_name: str | None = None
    create_time: str | None = None
    update_time: str | None = None
    expire_time: str | None = None
    usage_metadata: _WireUsage | None = None


def handle_of(data: Any) -> CacheHandle:
    """A :class:`CacheHandle` from a ``CachedContent`` reply."""
    try:
        w = msgspec.convert(data, _WireCachedContent)
    except msgspec.ValidationError as exc:
        raise TransportError(f"gemini: not a CachedContent reply: {exc}") from None

    def when(v: str | None) -> dt.datetime | None:
        return parse_time(v) if v is not None else None

    return CacheHandle(
        provider="gemini",
        kind="resource",
        name=w.name,
        model=w.model,
        display_name=w.display_name,
        created=when(w.create_time),
        updated=when(w.update_time),
        expires=when(w.expire_time),
        token_count=w.usage_metadata.total_token_count if w.usage_metadata is not None else None,
    )


def page_of(data: Any) -> CachePage:
    if not isinstance(data, dict):
        raise TransportError("gemini: not a ListCachedContentsResponse")
    token = data.get("nextPageToken")
    return CachePage(items=[handle_of(c) for c in data.get("cachedContents") or []], next_page_token=token or None)


def not_found(name: str, exc: HTTPError) -> CacheNotFoundError | HTTPError:
    """A 404, or Gemini's 403 "CachedContent not found (or permission denied)", as
    :class:`~ir_codec.errors.CacheNotFoundError`."""
    if isinstance(exc, NotFoundError) or (
        isinstance(exc, PermissionDeniedError) and "not found" in exc.message.lower()
    ):
        return CacheNotFoundError(name, f"gemini: cache {name!r} not found: {exc.message}", http_error=exc)
    return exc


def _live(handle: CacheHandle) -> CacheHandle:
    if handle.expired() and handle.name is not None:
        raise CacheExpiredError(handle.name, handle.expires)
    return handle


def use_request(handle: CacheHandle, request: Request) -> Request:
    """``request`` sent against the cache ``handle`` (see :meth:`Caches.use`)."""
    if handle.kind == "marks":
        if handle.cache_key is not None and request.cache_key is None:
            return msgspec.structs.replace(request, cache_key=handle.cache_key)
        return request
    name = cache_name(handle)
    _live(handle)
    clash = [
        f for f, v in (("system", request.system), ("tools", request.tools), ("tool_choice", request.tool_choice)) if v
    ]
    if clash:
        raise InvalidCacheConfigError(
            f"gemini: a request that uses cache {name!r} must not set {', '.join(clash)}: Gemini refuses a system "
            "instruction, tools or a tool config beside cachedContent (the cache holds them)"
        )
    if handle.model is not None and request.model is not None and model_name(request.model) != handle.model:
        raise InvalidCacheConfigError(
            f"cache {name!r} was made for {handle.model}, not {model_name(request.model)} "
            "(a cache serves only its model)"
        )
    options = {
        **request.provider_options,
        "gemini": {**request.provider_options.get("gemini", {}), "cachedContent": name},
    }
    model = request.model or (handle.model.removeprefix("models/") if handle.model else None)
    return msgspec.structs.replace(request, model=model, provider_options=options)


# --------------------------------------------------------------------------------------------
# The two front ends


class _CachesBase:
    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.resource = provider == "gemini"

    def _need_resource(self, operation: str) -> None:
        if not self.resource:
            raise _unsupported(self.provider, operation)

    def use(self, handle: CacheHandle, request: Request) -> Request:
        """``request`` made to use the cache ``handle``: for Gemini, ``cachedContent`` names it
        (the request must carry no system prompt, tools or tool choice; its model, when set, must be
        the cache's); an expired handle raises :class:`~ir_codec.errors.CacheExpiredError`. For the
        mark-based providers the request is returned with the handle's ``cache_key``."""
        return use_request(handle, request)


class Caches(_CachesBase):
    """The cache lifecycle through a :class:`Client` (``client.caches``).

    >>> handle = client.caches.create(request, ttl=3600)      # doctest: +SKIP
    >>> reply = client.send(client.caches.use(handle, follow_up))   # doctest: +SKIP
    """

    def __init__(self, client: Client) -> None:
        super().__init__(client.codec.NAME)
        self._client = client

    def _call(self, prep: Prepared, name: str | None = None) -> Any:
        try:
            return self._client._json(prep)
        except HTTPError as exc:
            if name is None:
                raise
            raise not_found(name, exc) from None

    def create(
        self,
        request: Request,
        *,
        model: str | None = None,
        ttl: TtlLike | None = None,
        expire_time: dt.datetime | str | None = None,
        display_name: str | None = None,
    ) -> CacheHandle:
        """Cache ``request``'s system prompt, messages and tools (Gemini), or describe its marks."""
        if not self.resource:
            return _marks_handle(self.provider, request)
        body = create_body(
            self._client, request, model=model, ttl=ttl, expire_time=expire_time, display_name=display_name
        )
        prep = self._client._builder.prepare_json(
            "POST", f"{_API}/cachedContents", body=body, operation="caches.create"
        )
        prep.model = body["model"]
        return handle_of(self._call(prep))

    def get(self, name: str | CacheHandle) -> CacheHandle:
        """The cache ``name``; :class:`~ir_codec.errors.CacheExpiredError` when its expiry passed."""
        self._need_resource("get")
        name = cache_name(name)
        prep = self._client._builder.prepare_json("GET", f"{_API}/{name}", operation="caches.get")
        return _live(handle_of(self._call(prep, name)))

    def list(self, *, page_size: int | None = None, page_token: str | None = None) -> CachePage:
        """One page of caches (``page_size`` at most 1000; the server picks when ``None``)."""
        self._need_resource("list")
        params = _page_params(page_size, page_token)
        prep = self._client._builder.prepare_json(
            "GET", f"{_API}/cachedContents", params=params, operation="caches.list"
        )
        return page_of(self._call(prep))

    def iter(self, *, page_size: int | None = None, max_pages: int = MAX_PAGES) -> Iterator[CacheHandle]:
        """Every cache, following ``nextPageToken`` (at most ``max_pages`` pages)."""
        token: str | None = None
        for _ in range(max_pages):
            page = self.list(page_size=page_size, page_token=token)
            yield from page.items
            token = page.next_page_token
            if token is None:
                return
        raise TransportError(f"gemini: more than {max_pages} pages of caches")

    def update(
        self, name: str | CacheHandle, *, ttl: TtlLike | None = None, expire_time: dt.datetime | str | None = None
    ) -> CacheHandle:
        """Set a new expiry: ``ttl`` from now, or ``expire_time`` (the only updatable field)."""
        self._need_resource("update")
        name = cache_name(name)
        body = _expiration(ttl, expire_time, required=True)
        prep = self._client._builder.prepare_json(
            "PATCH", f"{_API}/{name}", body=body, params={"updateMask": next(iter(body))}, operation="caches.update"
        )
        return handle_of(self._call(prep, name))

    refresh = update

    def delete(self, name: str | CacheHandle) -> None:
        """Delete the cache ``name``."""
        self._need_resource("delete")
        name = cache_name(name)
        prep = self._client._builder.prepare_json("DELETE", f"{_API}/{name}", operation="caches.delete")
        self._call(prep, name)


class AsyncCaches(_CachesBase):
    """The ``async`` twin of :class:`Caches` (``async_client.caches``)."""

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client.codec.NAME)
        self._client = client

    async def _call(self, prep: Prepared, name: str | None = None) -> Any:
        try:
            return await self._client._json(prep)
        except HTTPError as exc:
            if name is None:
                raise
            raise not_found(name, exc) from None

    async def create(
        self,
        request: Request,
        *,
        model: str | None = None,
        ttl: TtlLike | None = None,
        expire_time: dt.datetime | str | None = None,
        display_name: str | None = None,
    ) -> CacheHandle:
        """See :meth:`Caches.create`."""
        if not self.resource:
            return _marks_handle(self.provider, request)
        body = create_body(
            self._client, request, model=model, ttl=ttl, expire_time=expire_time, display_name=display_name
        )
        prep = self._client._builder.prepare_json(
            "POST", f"{_API}/cachedContents", body=body, operation="caches.create"
        )
        prep.model = body["model"]
        return handle_of(await self._call(prep))

    async def get(self, name: str | CacheHandle) -> CacheHandle:
        """See :meth:`Caches.get`."""
        self._need_resource("get")
        name = cache_name(name)
        prep = self._client._builder.prepare_json("GET", f"{_API}/{name}", operation="caches.get")
        return _live(handle_of(await self._call(prep, name)))

    async def list(self, *, page_size: int | None = None, page_token: str | None = None) -> CachePage:
        """See :meth:`Caches.list`."""
        self._need_resource("list")
        params = _page_params(page_size, page_token)
        prep = self._client._builder.prepare_json(
            "GET", f"{_API}/cachedContents", params=params, operation="caches.list"
        )
        return page_of(await self._call(prep))

    async def iter(self, *, page_size: int | None = None, max_pages: int = MAX_PAGES) -> AsyncIterator[CacheHandle]:
        """See :meth:`Caches.iter`."""
        token: str | None = None
        for _ in range(max_pages):
            page = await self.list(page_size=page_size, page_token=token)
            for item in page.items:
                yield item
            token = page.next_page_token
            if token is None:
                return
        raise TransportError(f"gemini: more than {max_pages} pages of caches")

    async def update(
        self, name: str | CacheHandle, *, ttl: TtlLike | None = None, expire_time: dt.datetime | str | None = None
    ) -> CacheHandle:
        """See :meth:`Caches.update`."""
        self._need_resource("update")
        name = cache_name(name)
        body = _expiration(ttl, expire_time, required=True)
        prep = self._client._builder.prepare_json(
            "PATCH", f"{_API}/{name}", body=body, params={"updateMask": next(iter(body))}, operation="caches.update"
        )
        return handle_of(await self._call(prep, name))

    refresh = update

    async def delete(self, name: str | CacheHandle) -> None:
        """See :meth:`Caches.delete`."""
        self._need_resource("delete")
        name = cache_name(name)
        prep = self._client._builder.prepare_json("DELETE", f"{_API}/{name}", operation="caches.delete")
        await self._call(prep, name)


def _page_params(page_size: int | None, page_token: str | None) -> dict[str, str | int]:
    params: dict[str, str | int] = {}
    if page_size is not None:
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise InvalidCacheConfigError(f"page_size must be a positive int, not {page_size!r}")
        params["pageSize"] = page_size
    if page_token:
        params["pageToken"] = page_token
    return params
