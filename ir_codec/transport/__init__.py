"""Send what ir_codec encodes: an httpx transport, the explicit cache lifecycle, warm-up.

ir_codec stays a pure serializer; this optional layer (``import ir_codec.transport``; it
imports httpx and tenacity, ``import ir_codec`` does neither) sends a request of any codec and
decodes the reply:

- :func:`build_request`: the exact ``httpx.Request`` of an IR request, an ``Encoded`` or a wire
  body (URL from the base URL and the codec's endpoint, credentials from an argument or the
  provider's environment variable, version and beta headers);
- :class:`Client` / :class:`AsyncClient`: ``send`` returns the decoded IR ``Response``,
  ``stream`` yields the decoded IR stream events and ends with the same ``Response``; retries
  (:class:`RetryPolicy`), timeouts, provider errors as :mod:`ir_codec.errors` exceptions;
- ``client.caches`` (:class:`Caches` / :class:`AsyncCaches`): create, get, list, update, delete
  and use Gemini ``cachedContents``; a :class:`CacheHandle` describing the marks elsewhere;
- :func:`ensure_cached` / :func:`aensure_cached`: the cheapest call that writes or refreshes a
  request's cache, with its usage and cost (:class:`WarmResult`).

Each call is one structlog event ``provider_request`` (codec, model, bytes out and in, duration,
status, retries, usage buckets, cost when the client has a price) on the stdlib logger
``ir_codec``; each retry is a ``provider_retry`` event, each loss of an encode a
``lossy_encode`` event. No API key, auth header, signature or signed URL appears in a log line,
an exception text or a repr.

>>> from ir_codec.transport import Client, RetryPolicy
>>> client = Client("openai-chat", api_key="sk-test", retry=RetryPolicy(max_retries=4))
>>> client
Client(codec='openai-chat', base_url='https://api.openai.com/v1')
>>> client.close()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ..codec import Codec, Encoded, get_codec
from ..errors import ConfigurationError, OnLossy
from ._caches import AsyncCaches, CacheHandle, CacheMark, CachePage, Caches, cache_marks
from ._client import DEFAULT_TIMEOUT, AsyncClient, AsyncResponseStream, Client, ResponseStream, Source
from ._requests import AwsCredentials, Builder
from ._retry import RetryPolicy
from ._warm import WarmResult, aensure_cached, ensure_cached

__all__ = [
    "AsyncCaches",
    "AsyncClient",
    "AsyncResponseStream",
    "AwsCredentials",
    "CacheHandle",
    "CacheMark",
    "CachePage",
    "Caches",
    "Client",
    "DEFAULT_TIMEOUT",
    "ResponseStream",
    "RetryPolicy",
    "Source",
    "WarmResult",
    "aensure_cached",
    "build_request",
    "cache_marks",
    "ensure_cached",
]


def build_request(
    source: Source,
    codec: str | Codec | None = None,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    region: str | None = None,
    project: str | None = None,
    aws_credentials: AwsCredentials | None = None,
    headers: Mapping[str, str] | None = None,
    betas: Sequence[str] = (),
    stream: bool = False,
    model: str | None = None,
    on_lossy: OnLossy = "warn",
    codec_options: Mapping[str, Any] | None = None,
) -> httpx.Request:
    """The exact, authenticated ``httpx.Request`` for ``source`` (an IR request or a wire body
    of ``codec``, or an ``Encoded``, which names its codec). ``stream`` asks for the streamed
    variant; ``model`` fills the URL of a wire body whose provider carries the model there.

    >>> from ir_codec import Message, Request, Text
    >>> req = Request(model="gemini-3-pro", messages=[Message(role="user", content=[Text(text="Hi")])])
    >>> r = build_request(req, "gemini", api_key="AIza-test", stream=True)
    >>> r.method, str(r.url)
    ('POST', 'https://generativelanguage.googleapis.com/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse')
    >>> r.content
    b'{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}'
    """
    if codec is None:
        if not isinstance(source, Encoded):
            raise ConfigurationError("build_request needs the codec for an IR request or a wire body")
        the_codec: Codec = source.codec
    else:
        the_codec = get_codec(codec, **dict(codec_options or {})) if isinstance(codec, str) else codec
    builder = Builder(
        the_codec,
        api_key=api_key,
        base_url=base_url,
        region=region,
        project=project,
        aws_credentials=aws_credentials,
        headers=headers,
        betas=betas,
        on_lossy=on_lossy,
    )
    return builder.http_request(builder.prepare(source, stream=stream, model=model))
