"""Errors and loss warnings.

Exception tree::

    IRCodecError
    ├── DecodeError            bad wire or IR JSON: JSON path, what was expected, what was found
    ├── InvalidRequestError    IR built in code is invalid or lacks what the target needs: IR
    │                          path, what was expected, what was found (raised by encode)
    ├── UnknownCodecError      no codec registered under that name
    ├── LossyEncodeError       on_lossy="raise" and the encode lost something
    ├── TransportError         (ir_codec.transport) a provider call could not be made or failed
    │   ├── ConfigurationError     the call cannot be built: no model for a URL that needs one,
    │   │   │                      no region or project, an Encoded of another codec
    │   │   └── CredentialsError   no API key, no AWS credentials, or the `aws` extra is missing
    │   ├── NetworkError           connecting, sending or reading failed (after the last retry)
    │   │   └── RequestTimeoutError    ... because a timeout expired
    │   └── HTTPError              the provider answered with an error: status, error_type,
    │       │                      message, retryable, request_id, retry_after
    │       ├── BadRequestError        400, 413, 422
    │       ├── AuthenticationError    401
    │       ├── PermissionDeniedError  403
    │       ├── NotFoundError          404
    │       ├── RateLimitError         429
    │       ├── ServerError            other 5xx
    │       │   └── OverloadedError    503, 529
    │       └── StreamError            an error event inside a stream that began with 200
    └── CacheError             (ir_codec.transport) the explicit cache lifecycle
        ├── CacheNotFoundError         no such cache (deleted, or collected after it expired)
        ├── CacheExpiredError          the cache's expiry time has passed
        ├── InvalidCacheConfigError    a cache request that cannot be right: ttl and expiry both,
        │                              an expiry in the past, cachedContent beside a system prompt
        └── CacheNotSupportedError     the provider has no cache resource for this operation

Warning categories::

    LossyEncodeWarning(IRCodecWarning, UserWarning)   emitted for on_lossy="warn"
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Literal, TypeAlias

import msgspec

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "CacheError",
    "CacheExpiredError",
    "CacheNotFoundError",
    "CacheNotSupportedError",
    "ConfigurationError",
    "CredentialsError",
    "DecodeError",
    "HTTPError",
    "IRCodecError",
    "IRCodecWarning",
    "InvalidCacheConfigError",
    "InvalidRequestError",
    "LossKind",
    "LossyEncode",
    "LossyEncodeError",
    "LossyEncodeWarning",
    "NetworkError",
    "NotFoundError",
    "OnLossy",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ServerError",
    "StreamError",
    "TransportError",
    "UnknownCodecError",
]

OnLossy: TypeAlias = Literal["warn", "ignore", "raise"]


class LossKind(enum.StrEnum):
    """What happened to the IR at a :class:`LossyEncode`'s path (documented in ``spec/losses.md``)."""

    DROPPED = "dropped"
    """Not sent at all: the target has no field, block or value for it."""
    CHANGED = "changed"
    """Sent in another form that decodes to a different IR value (joined, merged, renamed,
    converted to text, ...)."""
    APPROXIMATED = "approximated"
    """Sent as the nearest value the target offers (a cache TTL tier, a clamped number)."""
    MOVED = "moved"
    """Sent at another place (a cache mark moved to the nearest item that can carry one)."""


class LossyEncode(msgspec.Struct, frozen=True, kw_only=True):
    """The IR held something the target codec cannot express exactly.

    ``path`` is an IR path such as ``messages[3].content[0].cache``; ``kind`` says what happened
    to it (:class:`LossKind`); ``reason`` says what was lost or changed and how.
    """

    codec: str
    path: str
    reason: str
    kind: LossKind = LossKind.CHANGED

    def __str__(self) -> str:
        return f"{self.codec}: {self.path}: {self.reason}"


class IRCodecError(Exception):
    """Root of every error ir_codec raises."""


class DecodeError(IRCodecError, ValueError):
    """Input JSON did not have the expected shape.

    ``path`` is a JSON path into the input (``$.messages[2].content``), ``expected`` what was
    expected there and ``found`` what was found (``None`` when there was nothing).
    """

    def __init__(self, path: str, expected: str, found: str | None = None) -> None:
        self.path = path
        self.expected = expected
        self.found = found
        msg = f"{path}: expected {expected}"
        if found is not None:
            msg += f", found {found}"
        super().__init__(msg)


class UnknownCodecError(IRCodecError, KeyError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown codec {self.name!r}; known codecs: {', '.join(self.known)}"


class LossyEncodeError(IRCodecError):
    """Raised by ``on_lossy="raise"``; ``warnings`` holds every loss of the encode."""

    def __init__(self, warnings: Sequence[LossyEncode]) -> None:
        self.warnings = tuple(warnings)
        lines = "; ".join(str(w) for w in self.warnings)
        super().__init__(f"{len(self.warnings)} lossy encode warning(s): {lines}")


class IRCodecWarning(Warning):
    """Root of ir_codec's Python warning categories."""


class LossyEncodeWarning(IRCodecWarning, UserWarning):
    """Category of the Python warnings emitted for ``on_lossy="warn"``."""


class InvalidRequestError(IRCodecError, ValueError):
    """An IR request built in code is not valid IR, or lacks what the target codec requires.

    ``path`` is an IR path such as ``messages[2].content[0].text`` (the form of
    :class:`LossyEncode` paths; ``""`` is the request itself), ``expected`` what was expected
    there and ``found`` what was found. Raised by every ``encode`` (see :mod:`ir_codec.check`).
    """

    def __init__(self, path: str, expected: str, found: str | None = None) -> None:
        self.path = path
        self.expected = expected
        self.found = found
        msg = f"{path or 'request'}: expected {expected}"
        if found is not None:
            msg += f", found {found}"
        super().__init__(msg)


# --------------------------------------------------------------------------------------------
# Transport errors (raised by ir_codec.transport). None of their texts or attributes holds an
# API key, an auth header or a signature: provider messages are redacted before they get here.


class TransportError(IRCodecError):
    """A provider call could not be made or did not succeed."""


class ConfigurationError(TransportError, ValueError):
    """The call cannot be built as configured (no model for a URL that carries one, no region...)."""


class CredentialsError(ConfigurationError):
    """No usable credentials: no API key in the argument or the documented environment variable,
    no AWS credentials, or the ``aws`` extra (botocore) is not installed for SigV4 signing."""


class NetworkError(TransportError):
    """Connecting, sending or reading failed (after the last retry). A retry may help."""

    retryable: bool = True

    def __init__(self, message: str, *, codec: str | None = None, url: str | None = None) -> None:
        self.codec = codec
        self.url = url
        super().__init__(f"{codec}: {message}" if codec else message)


class RequestTimeoutError(NetworkError):
    """A connect, read, write or pool timeout expired (after the last retry)."""


class HTTPError(TransportError):
    """The provider answered with an error.

    ``status`` is the HTTP status, ``error_type`` the provider's own name for the error
    (``rate_limit_error``, ``invalid_request_error``, ``RESOURCE_EXHAUSTED``,
    ``ThrottlingException``...), ``message`` its message, ``retryable`` whether sending the same
    request again can succeed (the status is 408, 409, 429 or 5xx, unless the provider's
    ``x-should-retry`` header says otherwise), ``retry_after`` the delay in seconds the provider
    asked for (``retry-after-ms`` / ``retry-after``), ``request_id`` the provider's request id
    and ``body`` the parsed error body.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error_type: str | None = None,
        codec: str | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        body: object = None,
    ) -> None:
        self.message = message
        self.status = status
        self.error_type = error_type
        self.codec = codec
        self.retryable = retryable
        self.retry_after = retry_after
        self.request_id = request_id
        self.method = method
        self.url = url
        self.body = body
        head = f"{codec}: " if codec else ""
        kind = f" {error_type}" if error_type else ""
        super().__init__(f"{head}HTTP {status}{kind}: {message}")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, error_type={self.error_type!r}, "
            f"message={self.message!r}, retryable={self.retryable})"
        )


class BadRequestError(HTTPError):
    """400 (and 413 request too large, 422): the request is invalid; retrying will not help."""


class AuthenticationError(HTTPError):
    """401: the credentials were refused."""


class PermissionDeniedError(HTTPError):
    """403: the credentials may not do this (Gemini also answers a missing cache this way)."""


class NotFoundError(HTTPError):
    """404: no such model, endpoint or resource."""


class RateLimitError(HTTPError):
    """429: too many requests or tokens; retryable after ``retry_after``."""


class ServerError(HTTPError):
    """5xx: the provider failed; retryable."""


class OverloadedError(ServerError):
    """503 / 529: the provider is overloaded; retryable."""


class StreamError(HTTPError):
    """An error event inside a stream whose response began with a success status (Anthropic's
    ``event: error``, an OpenAI or Gemini ``{"error": ...}`` chunk, a Bedrock exception frame).
    ``status`` is the status of that response; ``retryable`` follows the provider's error type."""


# --------------------------------------------------------------------------------------------
# Explicit cache errors (ir_codec.transport caches and warm-up)


class CacheError(IRCodecError):
    """Root of the explicit cache lifecycle errors."""


class CacheNotFoundError(CacheError, LookupError):
    """No cache of that ``name`` (deleted, or collected after it expired). ``http_error`` is the
    provider's answer when there was one."""

    def __init__(self, name: str, message: str | None = None, *, http_error: HTTPError | None = None) -> None:
        self.name = name
        self.http_error = http_error
        super().__init__(message or f"cache {name!r} not found")


class CacheExpiredError(CacheError):
    """The cache ``name`` expired at ``expires`` (a timezone-aware datetime)."""

    def __init__(self, name: str, expires: object, message: str | None = None) -> None:
        self.name = name
        self.expires = expires
        super().__init__(message or f"cache {name!r} expired at {expires}")


class InvalidCacheConfigError(CacheError, ValueError):
    """A cache request that cannot be right (both ``ttl`` and an expiry time, a non-positive
    TTL, an expiry in the past, a naive datetime, no model, ``cachedContent`` sent beside a system
    prompt or tools, nothing marked to warm...)."""


class CacheNotSupportedError(CacheError):
    """The ``provider`` has no cache resource for ``operation`` (Anthropic, Bedrock and OpenAI
    cache by marks in the request, not by a resource that can be listed or deleted)."""

    def __init__(self, provider: str, operation: str, message: str) -> None:
        self.provider = provider
        self.operation = operation
        super().__init__(f"{provider}: {operation}: {message}")
