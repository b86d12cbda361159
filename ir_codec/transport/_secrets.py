"""Keeping credentials out of reprs, log lines and exception texts.

A credential is held in a :class:`Secret`, whose ``repr`` and ``str`` show nothing of it; the
transport reads it with :meth:`Secret.reveal` only to put it in a header. Text that comes back
from a provider (an error message may quote the key it refused) passes through
:func:`redact` before it reaches an exception or a log line, and URLs are logged through
:func:`safe_url`, which drops user info and the values of query parameters that carry
credentials or signatures.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["REDACTED", "Secret", "install_botocore_log_filter", "redact", "redact_json", "safe_url"]

REDACTED = "[REDACTED]"

_SECRET_QUERY = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "access_token",
        "token",
        "sig",
        "signature",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
    }
)
"""Query parameters that carry a credential or a signature (Gemini's legacy ``?key=``, AWS and
Google signed URLs)."""


class Secret:
    """A credential that never shows itself: ``repr``/``str`` are ``Secret('***')``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret (4 characters or more) replaced."""
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(s, REDACTED)
    return text


def redact_json(value: Any, secrets: Iterable[str]) -> Any:
    """A parsed JSON value with every secret redacted from its strings (keys included), so that
    a secret the provider wrote with JSON escapes (``\\/``) is found too."""
    keep = [s for s in secrets if s and len(s) >= 4]
    if isinstance(value, str):
        return redact(value, keep)
    if isinstance(value, list):
        return [redact_json(v, keep) for v in value]
    if isinstance(value, dict):
        return {redact(str(k), keep): redact_json(v, keep) for k, v in value.items()}
    return value


def safe_url(url: str) -> str:
    """``url`` without user info and with the values of credential query parameters replaced."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in _SECRET_QUERY for k, _ in pairs):
            query = urlencode([(k, REDACTED if k.lower() in _SECRET_QUERY else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class _DropSigningDetails(logging.Filter):
    """botocore's SigV4 signer logs the canonical request (with the session token), the string to
    sign and the signature at DEBUG (``botocore/auth.py``, ``SigV4Auth.add_auth``): drop those."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg if isinstance(record.msg, str) else ""
        return not msg.startswith(("CanonicalRequest", "StringToSign", "Signature"))


_FILTER = _DropSigningDetails()


def install_botocore_log_filter() -> None:
    """Attach the filter to the ``botocore.auth`` logger (once; called before the first SigV4
    signature)."""
    logger = logging.getLogger("botocore.auth")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
