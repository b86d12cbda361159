"""The google-genai SDK form of a body: ``genai.Client().models.generate_content(model=..., **kwargs)``."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

__all__ = ["SDK_CONFIG", "sdk_kwargs"]

# google-genai GenerateContentConfig fields (camelCase aliases) that the body carries top-level
# or in generationConfig; anything else goes through HttpOptions.extra_body.
SDK_CONFIG: frozenset[str] = frozenset(
    {
        "systemInstruction",
        "temperature",
        "topP",
        "topK",
        "candidateCount",
        "maxOutputTokens",
        "stopSequences",
        "responseLogprobs",
        "logprobs",
        "presencePenalty",
        "frequencyPenalty",
        "seed",
        "responseMimeType",
        "responseSchema",
        "responseJsonSchema",
        "routingConfig",
        "modelSelectionConfig",
        "safetySettings",
        "tools",
        "toolConfig",
        "labels",
        "cachedContent",
        "responseModalities",
        "mediaResolution",
        "speechConfig",
        "audioTimestamp",
        "thinkingConfig",
        "imageConfig",
        "enableEnhancedCivicAnswers",
        "serviceTier",
        "continuationToken",
        "store",
    }
)
"""google-genai `types.GenerateContentConfig` fields, by their camelCase alias."""


def sdk_kwargs(body: Mapping[str, Any], *, model: str | None = None, **options: Any) -> dict[str, Any]:
    """Keyword arguments for ``genai.Client().models.generate_content(**kwargs)``: ``model`` (the
    model travels in the URL, so ``Encoded.sdk_kwargs`` gives the request's), ``contents`` and
    ``config``.

    ``contents`` and ``config`` use the SDK's camelCase aliases; base64 fields become the
    ``bytes`` the SDK types hold (it re-encodes them on the wire); fields the SDK has no
    type for travel in ``config.httpOptions.extraBody``. ``options`` are merged last.
    """
    config: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in body.items():
        if key == "contents":
            continue
        if key == "generationConfig":
            for k, v in value.items():
                if k in SDK_CONFIG:
                    config[k] = v
                else:
                    extra.setdefault("generationConfig", {})[k] = v
        elif key in SDK_CONFIG:
            config[key] = value
        else:
            extra[key] = value
    if "systemInstruction" in config:
        config["systemInstruction"] = _to_bytes(config["systemInstruction"])
    if extra:
        config["httpOptions"] = {"extraBody": extra}
    head = {} if model is None else {"model": model}
    return {**head, "contents": _to_bytes(body.get("contents", [])), "config": config, **options}


def _to_bytes(value: Any, key: str = "") -> Any:
    """Base64 wire fields (types.Blob.data, Part.thought_signature) as the bytes the SDK holds."""
    if isinstance(value, dict):
        return {k: _to_bytes(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_bytes(v, key) for v in value]
    if key in ("data", "thoughtSignature") and isinstance(value, str):
        try:
            return base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
        except ValueError:
            return value
    return value
