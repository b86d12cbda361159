"""The official SDK form of a Responses request body: keyword arguments for
``openai.OpenAI().responses.create`` (``openai/resources/responses/responses.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["sdk_kwargs"]


def sdk_kwargs(body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
    """Keyword arguments for ``openai.OpenAI().responses.create``: typed parameters by name,
    every other field in ``extra_body``; ``options`` (``timeout``, ...) are added as given."""
    import inspect

    from openai.resources.responses import Responses  # imported lazily: the SDK is slow to load

    known = set(inspect.signature(Responses.create).parameters) - {
        "self",
        "extra_body",
        "extra_headers",
        "extra_query",
        "timeout",
    }
    kw: dict[str, Any] = {k: v for k, v in body.items() if k in known}
    extra = {k: v for k, v in body.items() if k not in known}
    if extra:
        kw["extra_body"] = extra
    kw.update(options)
    return kw
