"""Provider error replies and in-stream error events, as :mod:`ir_codec.errors` exceptions.

Error bodies, per provider:

- Anthropic: ``{"type": "error", "error": {"type": "rate_limit_error", "message": ...},
  "request_id": ...}``, request id in ``request-id`` (anthropic ``_exceptions.py``; 529 is
  ``overloaded_error``);
- OpenAI and OpenRouter: ``{"error": {"message", "type", "param", "code"}}``, request id in
  ``x-request-id`` (openai ``_exceptions.py``); OpenRouter's ``code`` is the HTTP status;
- Gemini and Vertex: the Google error model ``{"error": {"code", "message", "status",
  "details"}}`` (sometimes wrapped in a one-element list), with a ``google.rpc.RetryInfo``
  detail carrying ``retryDelay``;
- Bedrock: ``{"message": ...}`` with the error name in ``x-amzn-ErrorType``
  (``ThrottlingException:http://...``; botocore ``parsers.py`` rest-json errors) and the
  request id in ``x-amzn-RequestId``.

Retries follow the SDKs (openai / anthropic ``_base_client.py`` ``_should_retry``): 408, 409,
429 and every 5xx are retryable unless ``x-should-retry: false``; ``x-should-retry: true`` makes
any status retryable. ``retry-after-ms``, then ``retry-after`` (seconds or an HTTP date) give the
delay the provider asks for.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Collection, Mapping
from typing import Any

import msgspec

from ..errors import (
    AuthenticationError,
    BadRequestError,
    HTTPError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamError,
)
from ._secrets import redact, redact_json

__all__ = ["error_from_response", "is_retryable_status", "retry_after_of", "stream_error_of"]

_CLASSES: dict[int, type[HTTPError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
    503: OverloadedError,
    529: OverloadedError,
}

DEFAULT_RETRY_STATUSES = frozenset({408, 409, 429})
"""Retried besides every 5xx (openai and anthropic ``_base_client.py``)."""

_RETRYABLE_TYPES = frozenset(
    {
        # Anthropic error types (anthropic _exceptions.py / errors docs)
        "overloaded_error",
        "api_error",
        "rate_limit_error",
        "timeout_error",
        # OpenAI
        "server_error",
        "rate_limit_exceeded",
        # Google RPC status codes
        "UNAVAILABLE",
        "INTERNAL",
        "RESOURCE_EXHAUSTED",
        "DEADLINE_EXCEEDED",
        # Bedrock stream exception event types (bedrock-runtime service model)
        "throttlingException",
        "serviceUnavailableException",
        "internalServerException",
        "modelTimeoutException",
        "ThrottlingException",
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelTimeoutException",
        "ModelNotReadyException",
    }
)

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")
_MAX_MESSAGE = 2000


def is_retryable_status(status: int, headers: Mapping[str, str], statuses: Collection[int] | None = None) -> bool:
    should = headers.get("x-should-retry")
    if should == "true":
        return True
    if should == "false":
        return False
    return status in (DEFAULT_RETRY_STATUSES if statuses is None else statuses) or (statuses is None and status >= 500)


def retry_after_of(headers: Mapping[str, str], body: Any = None) -> float | None:
    """Seconds the provider asks to wait: ``retry-after-ms``, ``retry-after`` (seconds or an
    HTTP date), or a Google ``RetryInfo.retryDelay`` in the error body."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / divisor)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value:
        parsed = email.utils.parsedate_tz(value)
        if parsed is not None:
            return max(0.0, float(email.utils.mktime_tz(parsed) - time.time()))
    err = _error_object(body)
    for detail in err.get("details") or [] if err else []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            m = _DURATION.match(str(detail.get("retryDelay", "")))
            if m:
                return float(m.group(1))
    return None


def _error_object(body: Any) -> dict[str, Any] | None:
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if isinstance(body, dict):
        err = body.get("error")
        return err if isinstance(err, dict) else body
    return None


def _type_and_message(body: Any, text: str, headers: Mapping[str, str]) -> tuple[str | None, str]:
    error_type: str | None = None
    amzn = headers.get("x-amzn-errortype")
    if amzn:
        error_type = amzn.split(":", 1)[0]
    err = _error_object(body)
    message: str | None = None
    if err is not None:
        for key in ("type", "status", "__type", "code"):
            value = err.get(key)
            if error_type is None and isinstance(value, str) and value:
                error_type = value.rpartition("#")[2]
        for key in ("message", "Message"):
            if isinstance(err.get(key), str):
                message = err[key]
                break
    if message is None:
        message = text.strip() or "(no error message)"
    return error_type, message


def error_from_response(
    *,
    codec: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    method: str,
    url: str,
    secrets: Collection[str],
    retry_statuses: Collection[int] | None = None,
) -> HTTPError:
    """The :class:`HTTPError` subclass for a provider's error reply, with every secret redacted."""
    raw = content.decode("utf-8", errors="replace")
    try:
        body: Any = redact_json(msgspec.json.decode(raw), secrets) if raw.strip() else None
    except msgspec.DecodeError:
        body = None
    # the text of a JSON body is written anew from the redacted value (a secret in it may have
    # been JSON-escaped on the wire)
    text = msgspec.json.encode(body).decode() if body is not None else redact(raw, secrets)
    error_type, message = _type_and_message(body, text, headers)
    cls = _CLASSES.get(status) or (ServerError if status >= 500 else HTTPError)
    request_id = headers.get("request-id") or headers.get("x-request-id") or headers.get("x-amzn-requestid")
    return cls(
        message[:_MAX_MESSAGE],
        status=status,
        error_type=error_type,
        codec=codec,
        retryable=is_retryable_status(status, headers, retry_statuses),
        retry_after=retry_after_of(headers, body),
        request_id=request_id,
        method=method,
        url=url,
        body=body,
    )


def stream_error_of(name: str | None, data: Any) -> tuple[str | None, str, Any] | None:
    """``(error type, message, raw)`` when a provider stream event reports an error:
    Anthropic's ``event: error`` / ``{"type": "error", "error": {...}}``, an OpenAI Responses
    ``error`` or ``response.failed`` event, an OpenAI / OpenRouter / Gemini chunk with an
    ``error`` object, a Bedrock exception frame (``name`` ``":exception"``)."""
    if not isinstance(data, dict):
        return None
    if name == ":exception":
        return data.get("type"), str(data.get("message", "")), data
    kind = data.get("type")
    if kind == "response.failed":
        resp = data.get("response")
        failed = resp.get("error") if isinstance(resp, dict) else None
        failure: dict[str, Any] = failed if isinstance(failed, dict) else {}
        return failure.get("code") or "response.failed", str(failure.get("message", "response failed")), data
    if name == "error" or kind == "error" or isinstance(data.get("error"), dict):
        inner = data.get("error")
        err: dict[str, Any] = inner if isinstance(inner, dict) else data
        etype = None
        for key in ("type", "status", "code"):
            value = err.get(key)
            if isinstance(value, str) and value and value != "error":
                etype = value
                break
            if isinstance(value, int) and etype is None and key == "code":
                etype = str(value)
        return etype, str(err.get("message", "")), data
    return None


def stream_error(
    *, codec: str, status: int, error: tuple[str | None, str, Any], secrets: Collection[str], url: str
) -> StreamError:
    etype, message, raw = error
    code = int(etype) if etype is not None and etype.isdigit() else 0
    retryable = etype in _RETRYABLE_TYPES or code == 429 or code >= 500
    return StreamError(
        redact(message, secrets)[:_MAX_MESSAGE] or "(no error message)",
        status=status,
        error_type=etype,
        codec=codec,
        retryable=retryable,
        url=url,
        body=redact_json(raw, secrets),
    )
