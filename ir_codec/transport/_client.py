"""``Client`` and ``AsyncClient``: send a request, get the decoded IR ``Response`` or its events."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
import msgspec

from .. import __version__, _log
from ..codec import Codec, Encoded, get_codec
from ..errors import (
    HTTPError,
    IRCodecError,
    NetworkError,
    OnLossy,
    RequestTimeoutError,
    TransportError,
)
from ..ir import Request, Response, Usage
from ..pricing import PricingError, TokenPrice, cost
from ..stream import StreamDecoder, StreamEvent
from ._errors import error_from_response, stream_error, stream_error_of
from ._events import EventReader, reader_for
from ._requests import AwsCredentials, Builder, Prepared
from ._retry import RetryPolicy, async_retrying, retrying
from ._secrets import redact, safe_url

if TYPE_CHECKING:
    from ._caches import AsyncCaches, Caches
    from ._warm import WarmResult

__all__ = ["DEFAULT_TIMEOUT", "AsyncClient", "AsyncResponseStream", "Client", "ResponseStream", "Source"]

Source = Request | Encoded | Mapping[str, Any]
"""What the clients send: an IR request (encoded with the client's codec), an ``Encoded`` of that
codec, or a wire body of that codec."""

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
"""10 minutes, 5 seconds to connect (anthropic and openai ``_constants.py``)."""

DEFAULT_RETRY = RetryPolicy()
"""Two retries, as the official SDKs do."""

_USAGE_FIELDS = tuple(Usage.__struct_fields__)


class _Core:
    """What the two clients share: configuration, request building, errors and logging."""

    def __init__(
        self,
        codec: str | Codec,
        *,
        api_key: str | None,
        base_url: str | None,
        region: str | None,
        project: str | None,
        aws_credentials: AwsCredentials | None,
        headers: Mapping[str, str] | None,
        betas: Sequence[str],
        timeout: float | httpx.Timeout | None,
        retry: RetryPolicy | int,
        price: TokenPrice | None,
        on_lossy: OnLossy,
        stream_usage: bool,
        codec_options: Mapping[str, Any] | None,
    ) -> None:
        self.codec = get_codec(codec, **dict(codec_options or {})) if isinstance(codec, str) else codec
        self._builder = Builder(
            self.codec,
            api_key=api_key,
            base_url=base_url,
            region=region,
            project=project,
            aws_credentials=aws_credentials,
            headers=headers,
            betas=betas,
            on_lossy=on_lossy,
            stream_usage=stream_usage,
        )
        self.retry = retry if isinstance(retry, RetryPolicy) else RetryPolicy(max_retries=retry)
        self.price = price
        self._timeout = httpx.Timeout(timeout) if isinstance(timeout, float | int) else timeout

    @property
    def base_url(self) -> str:
        return self._builder.base_url

    def build_request(self, request: Source, *, stream: bool = False, model: str | None = None) -> httpx.Request:
        """The authenticated ``httpx.Request`` this client would send for ``request``."""
        return self._builder.http_request(self._builder.prepare(request, stream=stream, model=model))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(codec={self.codec.NAME!r}, base_url={self.base_url!r})"

    # ------------------------------------------------------------------ shared pieces

    def _secrets(self) -> tuple[str, ...]:
        return self._builder.secrets()

    def _http_error(self, prep: Prepared, response: httpx.Response, content: bytes) -> HTTPError:
        return error_from_response(
            codec=prep.codec,
            status=response.status_code,
            headers=response.headers,
            content=content,
            method=prep.method,
            url=safe_url(prep.url),
            secrets=self._secrets(),
            retry_statuses=self.retry.statuses,
        )

    def _network_error(self, prep: Prepared, exc: Exception) -> NetworkError:
        cls = RequestTimeoutError if isinstance(exc, httpx.TimeoutException) else NetworkError
        text = redact(f"{type(exc).__name__}: {exc}", self._secrets())
        return cls(f"{prep.method} {safe_url(prep.url)}: {text}", codec=prep.codec, url=safe_url(prep.url))

    def _on_retry(self, prep: Prepared) -> Any:
        def report(attempt: int, wait: float, exc: BaseException) -> None:
            _log.get_logger().info(
                "provider_retry",
                codec=prep.codec,
                operation=prep.operation,
                attempt=attempt,
                wait_s=round(wait, 3),
                status=getattr(exc, "status", None),
                error_type=getattr(exc, "error_type", None) or type(exc).__name__,
            )

        return report

    def _log(
        self,
        prep: Prepared,
        *,
        started: float,
        retries: int,
        status: int | None,
        bytes_in: int,
        usage: Usage | None = None,
        error: BaseException | None = None,
        complete: bool = True,
    ) -> None:
        fields: dict[str, Any] = {
            "codec": prep.codec,
            "operation": prep.operation,
            "model": prep.model,
            "method": prep.method,
            "url": safe_url(prep.url),
            "stream": prep.stream,
            "status": status,
            "retries": retries,
            "bytes_out": len(prep.content or b""),
            "bytes_in": bytes_in,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        }
        if not complete:
            fields["complete"] = False
        if usage is not None:
            fields.update({f: getattr(usage, f) for f in _USAGE_FIELDS})
            if self.price is not None:
                try:
                    fields["cost"] = str(cost(usage, self.price).total)
                except PricingError as exc:
                    fields["cost_error"] = str(exc)
        log = _log.get_logger()
        if error is not None:
            fields["error"] = type(error).__name__
            fields["error_type"] = getattr(error, "error_type", None)
            fields["error_message"] = redact(str(error), self._secrets())
            log.warning("provider_request", **fields)
        else:
            log.info("provider_request", **fields)

    def _cache_error(self, prep: Prepared, exc: HTTPError) -> Exception:
        """A Gemini call naming a cache that does not exist (any more) is answered 403 / 404
        "CachedContent not found": raise :class:`~ir_codec.errors.CacheNotFoundError` then."""
        if prep.codec != "gemini" or not prep.content or b"cachedContent" not in prep.content:
            return exc
        from ._caches import not_found

        name = msgspec.json.decode(prep.content).get("cachedContent")
        if not isinstance(name, str) or "cachedcontent" not in exc.message.lower():
            return exc
        return not_found(name, exc)

    def _decode(self, prep: Prepared, content: bytes) -> Response:
        return self.codec.decode_response(content)

    def _parse_json(self, content: bytes) -> Any:
        return msgspec.json.decode(content) if content.strip() else {}


class _StreamBase:
    """The parts of a streamed call that do not do I/O."""

    def __init__(self, client: _Core, prep: Prepared) -> None:
        self._client = client
        self._prep = prep
        self._reader: EventReader = reader_for(client._builder.spec.stream_format)
        self._decoder: StreamDecoder = client.codec.stream_decoder()
        self._status = 0
        self._started = time.monotonic()
        self._retries = 0
        self._final: Response | None = None
        self._logged = False

    def _events(self, name: str | None, data: Any) -> list[StreamEvent]:
        err = stream_error_of(name, data)
        if err is not None:
            raise stream_error(
                codec=self._prep.codec,
                status=self._status,
                error=err,
                secrets=self._client._secrets(),
                url=safe_url(self._prep.url),
            )
        return self._decoder.feed(data, name)

    def _done(self, bytes_in: int) -> None:
        self._final = self._decoder.finish()
        self._logged = True
        self._client._log(
            self._prep,
            started=self._started,
            retries=self._retries,
            status=self._status,
            bytes_in=bytes_in,
            usage=self._final.usage,
        )

    def _failed(self, exc: BaseException, bytes_in: int) -> None:
        if not self._logged:
            self._logged = True
            self._client._log(
                self._prep,
                started=self._started,
                retries=self._retries,
                status=self._status,
                bytes_in=bytes_in,
                error=exc,
            )

    def _abandoned(self, bytes_in: int) -> None:
        if not self._logged and self._status:
            self._logged = True
            self._client._log(
                self._prep,
                started=self._started,
                retries=self._retries,
                status=self._status,
                bytes_in=bytes_in,
                complete=False,
            )

    @property
    def response(self) -> Response:
        """The decoded :class:`Response`, once the stream has been read to its end."""
        if self._final is None:
            raise TransportError("the stream has not been read to its end (iterate it or call finish())")
        return self._final


# ============================================================================================
# Sync


class Client(_Core):
    """Sends requests of one codec and decodes the replies.

    ``codec`` is a codec name or instance (``codec_options`` configure a named one); credentials
    come from ``api_key`` or the provider's documented environment variable (Bedrock: a Bedrock
    API key, else SigV4 through botocore with ``aws_credentials`` or botocore's default chain);
    ``base_url`` defaults to the provider's (``region`` / ``project`` fill Bedrock's and
    Vertex's). Any ``httpx.Client`` (``http_client``) or transport (``transport``) may carry the
    calls. ``retry`` is a :class:`RetryPolicy` or a number of retries (0: off); ``timeout``
    (seconds or an ``httpx.Timeout``) defaults to :data:`DEFAULT_TIMEOUT` for the client made
    here and to the given client's own otherwise. ``price`` adds each call's cost to its log
    event. ``on_lossy`` applies to IR requests encoded here.

    >>> import httpx
    >>> def handler(request: httpx.Request) -> httpx.Response:
    ...     return httpx.Response(200, json={"id": "msg_1", "type": "message", "role": "assistant",
    ...         "model": "claude-opus-5", "content": [{"type": "text", "text": "Hi"}],
    ...         "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 1}})
    >>> from ir_codec import Message, Request, Text
    >>> with Client("anthropic", api_key="sk-test", transport=httpx.MockTransport(handler)) as client:
    ...     r = client.send(Request(model="claude-opus-5", max_tokens=16,
    ...                             messages=[Message(role="user", content=[Text(text="Hello")])]))
    >>> r.content[0].text, r.stop_reason, r.usage.output_tokens
    ('Hi', 'end_turn', 1)
    """

    def __init__(
        self,
        codec: str | Codec,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        region: str | None = None,
        project: str | None = None,
        aws_credentials: AwsCredentials | None = None,
        headers: Mapping[str, str] | None = None,
        betas: Sequence[str] = (),
        timeout: float | httpx.Timeout | None = None,
        retry: RetryPolicy | int = DEFAULT_RETRY,
        price: TokenPrice | None = None,
        on_lossy: OnLossy = "warn",
        stream_usage: bool = True,
        codec_options: Mapping[str, Any] | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            codec,
            api_key=api_key,
            base_url=base_url,
            region=region,
            project=project,
            aws_credentials=aws_credentials,
            headers=headers,
            betas=betas,
            timeout=timeout if http_client is not None else None,
            retry=retry,
            price=price,
            on_lossy=on_lossy,
            stream_usage=stream_usage,
            codec_options=codec_options,
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass http_client or transport, not both")
        self._own = http_client is None
        self._http = http_client or httpx.Client(
            transport=transport,
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            headers={"user-agent": f"ir-codec/{__version__}"},
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client if this client made it."""
        if self._own:
            self._http.close()

    # ------------------------------------------------------------------ calls

    def _send(self, prep: Prepared, *, stream: bool) -> tuple[httpx.Response, int, float]:
        started = time.monotonic()
        retries = 0
        response: httpx.Response | None = None
        try:
            for attempt in retrying(self.retry, self._on_retry(prep)):
                with attempt:
                    retries = attempt.retry_state.attempt_number - 1
                    request = self._builder.http_request(prep, self._http, self._timeout)
                    try:
                        response = self._http.send(request, stream=stream)
                    except httpx.TransportError as exc:
                        raise self._network_error(prep, exc) from None
                    if response.status_code >= 400:
                        try:
                            content = response.read()
                        except httpx.TransportError as exc:
                            raise self._network_error(prep, exc) from None
                        finally:
                            response.close()
                        raise self._http_error(prep, response, content)
        except (HTTPError, NetworkError) as exc:
            self._log(
                prep, started=started, retries=retries, status=getattr(exc, "status", None), bytes_in=0, error=exc
            )
            raise
        assert response is not None
        return response, retries, started

    def send(self, request: Source, *, model: str | None = None) -> Response:
        """Send ``request`` and return the decoded :class:`Response` (a body that asks for a
        stream is read to its end and decoded the same way). ``model`` fills the URL of a wire
        body whose provider carries the model there (Gemini, Bedrock, Vertex)."""
        prep = self._builder.prepare(request, stream=False, model=model)
        if prep.stream:
            with ResponseStream(self, prep) as s:
                return s.finish()
        try:
            response, retries, started = self._send(prep, stream=False)
        except HTTPError as exc:
            raise self._cache_error(prep, exc) from None
        try:
            result = self._decode(prep, response.content)
        except IRCodecError as exc:
            self._log(
                prep,
                started=started,
                retries=retries,
                status=response.status_code,
                bytes_in=len(response.content),
                error=exc,
            )
            raise
        self._log(
            prep,
            started=started,
            retries=retries,
            status=response.status_code,
            bytes_in=response.num_bytes_downloaded,
            usage=result.usage,
        )
        return result

    def stream(self, request: Source, *, model: str | None = None) -> ResponseStream:
        """A :class:`ResponseStream` of the streamed reply (opened on ``with`` or iteration).

        >>> with client.stream(request) as events:      # doctest: +SKIP
        ...     for event in events:
        ...         print(event)
        ...     events.response.usage
        """
        return ResponseStream(self, self._builder.prepare(request, stream=True, model=model))

    def _json(self, prep: Prepared) -> Any:
        """A resource call (Gemini ``cachedContents``): its parsed JSON reply."""
        response, retries, started = self._send(prep, stream=False)
        self._log(
            prep, started=started, retries=retries, status=response.status_code, bytes_in=response.num_bytes_downloaded
        )
        return self._parse_json(response.content)

    @property
    def caches(self) -> Caches:
        """The explicit cache lifecycle of this client's provider (:class:`Caches`)."""
        from ._caches import Caches

        return Caches(self)

    def ensure_cached(self, request: Request, *, price: TokenPrice | None = None) -> WarmResult:
        """See :func:`ensure_cached`."""
        from ._warm import ensure_cached

        return ensure_cached(request, self, price=price)


class ResponseStream(_StreamBase):
    """The IR events of one streamed reply. Iterate it (inside ``with``, which closes the
    connection); after the last event :attr:`response` is the same :class:`Response` that
    decoding the whole reply gives. Retries happen before the first byte only."""

    def __init__(self, client: Client, prep: Prepared) -> None:
        super().__init__(client, prep)
        self._sync = client
        self._http_response: httpx.Response | None = None
        self._iterating = False

    def _open(self) -> httpx.Response:
        if self._http_response is None:
            self._http_response, self._retries, self._started = self._sync._send(self._prep, stream=True)
            self._status = self._http_response.status_code
        return self._http_response

    def __enter__(self) -> ResponseStream:
        self._open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[StreamEvent]:
        if self._final is not None or self._iterating:
            return
        self._iterating = True
        response = self._open()
        try:
            for chunk in response.iter_bytes():
                for name, data in self._reader.feed(chunk):
                    yield from self._events(name, data)
            for name, data in self._reader.close():
                yield from self._events(name, data)
            self._done(response.num_bytes_downloaded)
        except httpx.TransportError as exc:
            error = self._client._network_error(self._prep, exc)
            self._failed(error, response.num_bytes_downloaded)
            raise error from None
        except IRCodecError as exc:
            self._failed(exc, response.num_bytes_downloaded)
            raise
        finally:
            response.close()

    def finish(self) -> Response:
        """Read the rest of the stream; the decoded :class:`Response`."""
        for _ in self:
            pass
        return self.response

    def close(self) -> None:
        if self._http_response is not None:
            self._http_response.close()
            self._abandoned(self._http_response.num_bytes_downloaded)


# ============================================================================================
# Async


class AsyncClient(_Core):
    """The ``async`` twin of :class:`Client` (same arguments; ``http_client`` is an
    ``httpx.AsyncClient``, ``transport`` an ``httpx.AsyncBaseTransport``)."""

    def __init__(
        self,
        codec: str | Codec,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        region: str | None = None,
        project: str | None = None,
        aws_credentials: AwsCredentials | None = None,
        headers: Mapping[str, str] | None = None,
        betas: Sequence[str] = (),
        timeout: float | httpx.Timeout | None = None,
        retry: RetryPolicy | int = DEFAULT_RETRY,
        price: TokenPrice | None = None,
        on_lossy: OnLossy = "warn",
        stream_usage: bool = True,
        codec_options: Mapping[str, Any] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            codec,
            api_key=api_key,
            base_url=base_url,
            region=region,
            project=project,
            aws_credentials=aws_credentials,
            headers=headers,
            betas=betas,
            timeout=timeout if http_client is not None else None,
            retry=retry,
            price=price,
            on_lossy=on_lossy,
            stream_usage=stream_usage,
            codec_options=codec_options,
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass http_client or transport, not both")
        self._own = http_client is None
        self._http = http_client or httpx.AsyncClient(
            transport=transport,
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            headers={"user-agent": f"ir-codec/{__version__}"},
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this client made it."""
        if self._own:
            await self._http.aclose()

    async def _send(self, prep: Prepared, *, stream: bool) -> tuple[httpx.Response, int, float]:
        started = time.monotonic()
        retries = 0
        response: httpx.Response | None = None
        try:
            async for attempt in async_retrying(self.retry, self._on_retry(prep)):
                with attempt:
                    retries = attempt.retry_state.attempt_number - 1
                    request = self._builder.http_request(prep, self._http, self._timeout)
                    try:
                        response = await self._http.send(request, stream=stream)
                    except httpx.TransportError as exc:
                        raise self._network_error(prep, exc) from None
                    if response.status_code >= 400:
                        try:
                            content = await response.aread()
                        except httpx.TransportError as exc:
                            raise self._network_error(prep, exc) from None
                        finally:
                            await response.aclose()
                        raise self._http_error(prep, response, content)
        except (HTTPError, NetworkError) as exc:
            self._log(
                prep, started=started, retries=retries, status=getattr(exc, "status", None), bytes_in=0, error=exc
            )
            raise
        assert response is not None
        return response, retries, started

    async def send(self, request: Source, *, model: str | None = None) -> Response:
        """See :meth:`Client.send`."""
        prep = self._builder.prepare(request, stream=False, model=model)
        if prep.stream:
            async with AsyncResponseStream(self, prep) as s:
                return await s.finish()
        try:
            response, retries, started = await self._send(prep, stream=False)
        except HTTPError as exc:
            raise self._cache_error(prep, exc) from None
        try:
            result = self._decode(prep, response.content)
        except IRCodecError as exc:
            self._log(
                prep,
                started=started,
                retries=retries,
                status=response.status_code,
                bytes_in=len(response.content),
                error=exc,
            )
            raise
        self._log(
            prep,
            started=started,
            retries=retries,
            status=response.status_code,
            bytes_in=response.num_bytes_downloaded,
            usage=result.usage,
        )
        return result

    def stream(self, request: Source, *, model: str | None = None) -> AsyncResponseStream:
        """An :class:`AsyncResponseStream` (``async with`` / ``async for``)."""
        return AsyncResponseStream(self, self._builder.prepare(request, stream=True, model=model))

    async def _json(self, prep: Prepared) -> Any:
        response, retries, started = await self._send(prep, stream=False)
        self._log(
            prep, started=started, retries=retries, status=response.status_code, bytes_in=response.num_bytes_downloaded
        )
        return self._parse_json(response.content)

    @property
    def caches(self) -> AsyncCaches:
        """The explicit cache lifecycle of this client's provider (:class:`AsyncCaches`)."""
        from ._caches import AsyncCaches

        return AsyncCaches(self)

    async def ensure_cached(self, request: Request, *, price: TokenPrice | None = None) -> WarmResult:
        """See :func:`aensure_cached`."""
        from ._warm import aensure_cached

        return await aensure_cached(request, self, price=price)


class AsyncResponseStream(_StreamBase):
    """The ``async`` twin of :class:`ResponseStream`."""

    def __init__(self, client: AsyncClient, prep: Prepared) -> None:
        super().__init__(client, prep)
        self._async = client
        self._http_response: httpx.Response | None = None
        self._iterating = False

    async def _open(self) -> httpx.Response:
        if self._http_response is None:
            self._http_response, self._retries, self._started = await self._async._send(self._prep, stream=True)
            self._status = self._http_response.status_code
        return self._http_response

    async def __aenter__(self) -> AsyncResponseStream:
        await self._open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        if self._final is not None or self._iterating:
            return
        self._iterating = True
        response = await self._open()
        try:
            async for chunk in response.aiter_bytes():
                for name, data in self._reader.feed(chunk):
                    for ev in self._events(name, data):
                        yield ev
            for name, data in self._reader.close():
                for ev in self._events(name, data):
                    yield ev
            self._done(response.num_bytes_downloaded)
        except httpx.TransportError as exc:
            error = self._client._network_error(self._prep, exc)
            self._failed(error, response.num_bytes_downloaded)
            raise error from None
        except IRCodecError as exc:
            self._failed(exc, response.num_bytes_downloaded)
            raise
        finally:
            await response.aclose()

    async def finish(self) -> Response:
        """Read the rest of the stream; the decoded :class:`Response`."""
        async for _ in self:
            pass
        return self.response

    async def aclose(self) -> None:
        if self._http_response is not None:
            await self._http_response.aclose()
            self._abandoned(self._http_response.num_bytes_downloaded)
