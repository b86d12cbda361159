"""Retries with exponential backoff and jitter, honouring the provider's ``retry-after``.

The loop, the stop rule and the (a)synchronous sleeping are tenacity's; the policy is the one
the official SDKs use (openai / anthropic ``_base_client.py`` ``_calculate_retry_timeout``):
wait what the provider asks for when it asks for at most ``max_retry_after`` seconds (a longer
wait is not retried at all), else ``initial_delay * 2**n`` capped at ``max_delay``, reduced by a
random share of up to ``jitter``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tenacity

from ..errors import HTTPError, NetworkError

__all__ = ["RetryPolicy", "async_retrying", "retrying"]


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before sending a failed request again.

    >>> RetryPolicy(max_retries=5, initial_delay=1.0)   # doctest: +ELLIPSIS
    RetryPolicy(max_retries=5, initial_delay=1.0, ...)
    >>> RetryPolicy.off().max_retries
    0
    """

    max_retries: int = 2
    """Retries after the first attempt (the SDKs' default is 2); 0 turns retrying off."""
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    """The share of each backoff delay that may be taken off at random (0 to 1)."""
    max_retry_after: float = 120.0
    """A ``retry-after`` longer than this is not waited for: the error is raised at once."""
    statuses: frozenset[int] | None = None
    """Statuses to retry; ``None``: 408, 409, 429 and every 5xx (the provider's
    ``x-should-retry`` header overrides either way)."""
    network_errors: bool = True
    """Retry connection failures and timeouts too."""

    def __post_init__(self) -> None:
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError("RetryPolicy.max_retries must be an int >= 0")
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"RetryPolicy.{name} must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("RetryPolicy.jitter must be between 0 and 1")

    @classmethod
    def off(cls) -> RetryPolicy:
        """No retries."""
        return cls(max_retries=0)

    def should_retry(self, exc: BaseException) -> bool:
        if isinstance(exc, HTTPError):
            return exc.retryable and (exc.retry_after is None or exc.retry_after <= self.max_retry_after)
        return isinstance(exc, NetworkError) and self.network_errors

    def delay(self, retry_number: int, exc: BaseException | None) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry)."""
        after = getattr(exc, "retry_after", None)
        if isinstance(after, float | int) and 0 <= after <= self.max_retry_after:
            return float(after)
        backoff = min(self.initial_delay * 2.0 ** (retry_number - 1), self.max_delay)
        return backoff * (1 - self.jitter * random.random())


OnRetry = Callable[[int, float, BaseException], None]


def _kwargs(policy: RetryPolicy, on_retry: OnRetry | None) -> dict[str, Any]:
    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        return policy.delay(state.attempt_number, exc)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        if on_retry is not None and state.outcome is not None:
            exc = state.outcome.exception()
            sleep = state.next_action.sleep if state.next_action is not None else 0.0
            if exc is not None:
                on_retry(state.attempt_number, float(sleep), exc)

    return {
        "stop": tenacity.stop_after_attempt(policy.max_retries + 1),
        "wait": wait,
        "retry": tenacity.retry_if_exception(policy.should_retry),
        "before_sleep": before_sleep,
        "reraise": True,
    }


def retrying(policy: RetryPolicy, on_retry: OnRetry | None = None) -> tenacity.Retrying:
    return tenacity.Retrying(**_kwargs(policy, on_retry))


def async_retrying(policy: RetryPolicy, on_retry: OnRetry | None = None) -> tenacity.AsyncRetrying:
    return tenacity.AsyncRetrying(**_kwargs(policy, on_retry))
