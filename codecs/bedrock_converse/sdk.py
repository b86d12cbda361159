"""The official-SDK form: keyword arguments for boto3 ``bedrock_runtime.converse(**kwargs)``."""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping
from typing import Any

from ir_codec.errors import IRCodecError

from .wire import NAME

__all__ = ["sdk_kwargs"]

# Blob members (botocore ``blob`` shapes): base64 on the JSON wire, bytes for boto3.
_SRC = {"source": {"bytes": True}}
_BLOCK_SPEC: dict[str, Any] = {
    "image": _SRC,
    "document": _SRC,
    "video": _SRC,
    "audio": _SRC,
    "reasoningContent": {"redactedContent": True},
    "guardContent": {"image": _SRC},
}
_BLOCK_SPEC["toolResult"] = {"content": ["list", _BLOCK_SPEC]}
_BLOB_SPEC: dict[str, Any] = {
    "messages": ["list", {"content": ["list", _BLOCK_SPEC]}],
    "system": ["list", {"guardContent": {"image": _SRC}}],
}


def _blobs_to_bytes(value: Any, spec: Any) -> Any:
    if spec is None:
        return value
    if spec is True:
        return base64.b64decode(value) if isinstance(value, str) else value
    if isinstance(spec, list):
        return [_blobs_to_bytes(v, spec[1]) for v in value] if isinstance(value, list) else value
    if isinstance(value, dict):
        return {k: _blobs_to_bytes(v, spec.get(k)) for k, v in value.items()}
    return value


def sdk_kwargs(body: Mapping[str, Any], *, model: str | None = None, **options: Any) -> dict[str, Any]:
    """Keyword arguments for boto3 ``bedrock_runtime.converse(**kwargs)``: ``modelId`` (from
    ``model``; ``Encoded.sdk_kwargs`` gives the request's) plus the body, with raw ``bytes``
    where the JSON wire has base64 (botocore blob members); ``options`` (``guardrailConfig``,
    ``requestMetadata``, ...) are added as given. ``model_id=`` is the older spelling of ``model=``.

    >>> enc.sdk_kwargs(model="anthropic.claude-opus-5")  # doctest: +SKIP
    """
    model = model or options.pop("model_id", None)
    if not model:
        raise IRCodecError(f"{NAME}.sdk_kwargs needs model=... (Converse takes the model id in the URL)")
    out: dict[str, Any] = {"modelId": model}
    for key, value in body.items():
        out[key] = _blobs_to_bytes(copy.deepcopy(value), _BLOB_SPEC.get(key))
    out.update(options)
    return out
