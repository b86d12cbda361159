"""One rule set for the wire gate: :func:`check_payload` behind ``validate`` and ``lint``.

Each rule has a stable code (``IRC1xx`` structure, ``IRC2xx`` caching, ``IRC3xx`` tools,
``IRC4xx`` media), a severity (``error``: the provider refuses the payload; ``warning``: it is
accepted but probably not what was meant) and an entry in ``spec/rules.md``. A finding names the
rule, says what is wrong in one line and points into the payload with a JSON path
(``$.messages[3].content[0].cache_control``).

``validate`` reports the error rules; ``lint`` adds the warnings. ``encode`` applies the same
rules (the cache planner's cap, TTL order and markable items are read from the same codec
profiles), repairing what it can and reporting each repair as a ``LossyEncode``.

>>> [f.code for f in check_payload({"model": "m", "messages": []}, "anthropic")]
['IRC104']
>>> check_payload(b'{"contents": [{"parts": [{"text": "hi"}]}]}', "gemini")
[]
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from .._json import load_json
from ..errors import DecodeError, IRCodecError
from ._checks import FAMILIES, run_checks
from ._core import RULES, Ctx, Finding, Rule, RuleError, selected

__all__ = ["RULES", "Config", "Finding", "Rule", "RuleError", "check_payload", "has_rules", "load_config"]


def check_payload(
    payload: bytes | str | Mapping[str, Any],
    codec: str,
    *,
    lint: bool = False,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    allow_unknown: bool = False,
    api_version: str | None = None,
) -> list[Finding]:
    """Every finding of the rules about a wire request body of ``codec``, in payload order.

    ``lint=False`` runs the error rules (what makes the provider refuse the payload);
    ``lint=True`` adds the advisory ones. ``select`` / ``ignore`` take rule codes or prefixes
    (``"IRC2"``: every caching rule); ``allow_unknown`` accepts fields and block types the
    provider's published types do not list (decode keeps them as passthrough).
    ``api_version`` chooses the provider API version the version-dependent rules assume
    (Anthropic: ``2026-10-21`` unless the body names its own ``anthropic_version``).

    Raises :class:`~ir_codec.errors.DecodeError` only for unreadable input (bad JSON, not an
    object) and :class:`~ir_codec.errors.UnknownCodecError` for an unknown ``codec``.

    >>> [(f.code, f.path) for f in check_payload({"model": "m", "max_tokens": -1,
    ...     "messages": [{"role": "user", "content": "hi"}]}, "anthropic")]
    [('IRC105', '$.max_tokens')]
    """
    obj = _parse(payload)
    if not isinstance(obj, dict):
        raise DecodeError("$", "a JSON object", type(obj).__name__)
    ctx = Ctx(codec, lint=lint, allow_unknown=allow_unknown, api_version=api_version)
    run_checks(obj, ctx)
    return [f for f in ctx.findings if selected(f.code, select, ignore)]


def _parse(payload: bytes | str | Mapping[str, Any]) -> Any:
    """The payload as JSON builtins, read by :func:`~ir_codec._json.load_json` within the same
    limits as every decoder (size, depth, items, integers, no duplicate keys: a gate must not
    pass a body that two parsers read differently)."""
    if isinstance(payload, dict):
        return payload
    if isinstance(payload, Mapping):
        return dict(payload)
    if isinstance(payload, bytes | bytearray | memoryview | str):
        return load_json(payload)
    raise DecodeError("$", "JSON bytes, text or a mapping", type(payload).__name__)


def has_rules(codec: str) -> bool:
    """Whether ``codec`` has built-in rules (a third-party codec is checked against its strict
    wire types, ``Codec.validate_wire``, reported as ``IRC103``)."""
    return codec in FAMILIES


class Config(msgspec.Struct, frozen=True, kw_only=True, rename="kebab", forbid_unknown_fields=True):
    """The ``[tool.ir-codec]`` table of a ``pyproject.toml``: ``select``, ``ignore`` (rule codes
    or prefixes) and ``allow-unknown``; :func:`load_config` reads it."""

    select: list[str] | None = None
    ignore: list[str] = []
    allow_unknown: bool = False
    path: str | None = None
    """The file the configuration was read from (``None``: defaults)."""

    def check_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`check_payload`."""
        return {"select": self.select, "ignore": self.ignore, "allow_unknown": self.allow_unknown}


def _known_codes() -> list[str]:
    """Every rule code: the payload rules and the batch rules (``IRC5xx``, :mod:`ir_codec.batch`)."""
    codes = list(RULES)
    try:
        from ..batch import BATCH_RULES
    except ImportError:  # pragma: no cover - the batch module is optional for the payload rules
        return codes
    return [*codes, *BATCH_RULES]


def load_config(start_dir: str | Path = ".") -> Config:
    """The ``[tool.ir-codec]`` configuration of the nearest ``pyproject.toml`` at or above
    ``start_dir`` (defaults when there is none or it has no such table).

    Raises :class:`~ir_codec.errors.IRCodecError` for an unreadable file or a bad table (an
    unknown key, a code that names no rule)."""
    here = Path(start_dir).resolve()
    for d in (here, *here.parents):
        f = d / "pyproject.toml"
        if f.is_file():
            try:
                data = tomllib.loads(f.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise IRCodecError(f"{f.name}: cannot read [tool.ir-codec]: {exc}") from None
            table = data.get("tool", {}).get("ir-codec")
            if table is None:
                return Config(path=str(f))
            if not isinstance(table, dict) or "path" in table:
                raise IRCodecError(f"{f.name}: [tool.ir-codec] must be a table of select, ignore, allow-unknown")
            try:
                cfg = msgspec.convert({**table, "path": str(f)}, Config)
            except msgspec.ValidationError as exc:
                raise IRCodecError(f"{f.name}: [tool.ir-codec]: {exc}") from None
            known = _known_codes()
            for code in [*(cfg.select or []), *cfg.ignore]:
                if not any(c.startswith(code.upper()) for c in known):
                    raise IRCodecError(f"{f.name}: [tool.ir-codec]: {code!r} names no rule (see spec/rules.md)")
            return cfg
    return Config()
