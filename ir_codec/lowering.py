"""The codec-authoring toolkit: helpers every codec uses while lowering and lifting.

- :func:`own_options` / :func:`merge_options`: the one provider-options semantics (merge on
  encode, report another codec's options lost, a raw option never overrides an IR-mapped field);
  :func:`split_unknown` lifts unknown wire fields into ``provider_options`` on decode.
- Losses go through :meth:`ir_codec.codec.EncodeContext.lossy` with an IR path tuple
  (:mod:`ir_codec.paths`) and a :class:`~ir_codec.errors.LossKind`.
- :class:`ir_codec.codec.Origins` maps a reduced request's paths back to the caller's.
- Dispatch: lower and lift through a table from IR part type (or wire tag) to a function,
  ``LOWER_PART[type(part)](part, ...)``, not through a chain of ``isinstance``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeGuard

import msgspec

from .codec import EncodeContext
from .errors import DecodeError, LossKind
from .ir import Message, Part, ProviderOptions, Text, ToolResult, ToolUse
from .paths import IRPath

__all__ = [
    "at",
    "merge_options",
    "own_options",
    "marked_text",
    "plain_call",
    "plain_result",
    "plain_text",
    "plain_text_block",
    "plain_text_member",
    "plain_texts",
    "report_merged",
    "split_unknown",
    "struct_fields",
]


def plain_text_block(obj: Any) -> bool:
    """Whether a wire content block is ``{"type": "text", "text": "..."}`` and nothing else (the
    form Anthropic and OpenAI Chat share): it reads as a plain :class:`~ir_codec.ir.Text`."""
    return type(obj) is dict and len(obj) == 2 and obj.get("type") == "text" and type(obj.get("text")) is str


def plain_text_member(obj: Any) -> bool:
    """Whether a wire object is ``{"text": "..."}`` and nothing else (a Gemini part, a Bedrock
    Converse content block: the forms whose member name is the kind): it reads as a plain
    :class:`~ir_codec.ir.Text`."""
    return type(obj) is dict and len(obj) == 1 and type(obj.get("text")) is str


def plain_text(part: Part) -> TypeGuard[Text]:
    """Whether an IR part is a :class:`~ir_codec.ir.Text` without a mark or options: it lowers to
    the wire's plain text block, with nothing to merge or report."""
    return type(part) is Text and part.cache is None and not part.provider_options


def marked_text(part: Part) -> TypeGuard[Text]:
    """Whether an IR part is a :class:`~ir_codec.ir.Text` with a mark and no options (a cache
    breakpoint on the last user part): it lowers to the wire's plain text block with the codec's
    mark, with nothing to merge or report."""
    return type(part) is Text and part.cache is not None and not part.provider_options


def plain_call(part: Part) -> TypeGuard[ToolUse]:
    """Whether an IR part is a :class:`~ir_codec.ir.ToolUse` without a mark or options: it lowers
    to the wire's plain tool call, with nothing to merge or report."""
    return type(part) is ToolUse and part.cache is None and not part.provider_options


def plain_result(part: Part) -> TypeGuard[ToolResult]:
    """Whether an IR part is a :class:`~ir_codec.ir.ToolResult` without a mark or options whose
    parts are all :func:`plain_text`: it lowers to the wire's tool result of plain texts, with
    nothing to merge or report (``is_error`` is the codec's to write)."""
    return (
        type(part) is ToolResult
        and part.cache is None
        and not part.provider_options
        and all(map(plain_text, part.content))
    )


def plain_texts(parts: Sequence[Part]) -> list[str] | None:
    """The texts of ``parts`` when there is at least one and every one is :func:`plain_text`
    (a message a codec can write at once), else ``None``."""
    texts: list[str] = []
    for p in parts:
        if not plain_text(p):
            return None
        texts.append(p.text)
    return texts or None


def at(path: str, key: str | int) -> str:
    """Extend an IR path: ``at("messages[2]", "content")`` -> ``messages[2].content``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def own_options(
    options: ProviderOptions,
    path: IRPath | str,
    ctx: EncodeContext,
    family: frozenset[str] = frozenset(),
    *,
    key: str | None = None,
) -> dict[str, Any]:
    """This codec's ``provider_options`` at ``path`` (its own name's entry, or one of the
    ``family`` names that share its wire format); every other codec's entry is reported lost
    (kind ``dropped``).

    ``key`` is the entry the codec reads and its decode writes when that is not the codec's own
    name (the three Anthropic codecs all use ``"anthropic"``); an entry under the codec's own
    name is then another codec's."""
    if not options:
        return {}
    mine = ctx.codec if key is None else key
    own: dict[str, Any] = {}
    for name, fields in options.items():
        if name == mine or name in family:
            own = fields
        elif isinstance(path, tuple):
            ctx.lossy(
                (*path, "provider_options", name),
                LossKind.DROPPED,
                f"options for codec {name!r} are not carried by {ctx.codec}",
            )
        else:
            ctx.lossy(
                at(at(path, "provider_options"), name), f"options for codec {name!r} are not carried by {ctx.codec}"
            )
    return own


def struct_fields(struct_type: type[msgspec.Struct]) -> frozenset[str]:
    """The wire (encoded) names of a Struct's fields."""
    return frozenset(struct_type.__struct_encode_fields__)


def split_unknown(obj: Mapping[str, Any], known: Iterable[str], path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a wire object into (known fields, unknown fields); the unknown ones go to
    ``provider_options`` on decode so that real payloads round-trip."""
    if not isinstance(obj, Mapping):
        raise DecodeError(path, "an object", type(obj).__name__)
    known = known if isinstance(known, frozenset | set) else frozenset(known)
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    for k, v in obj.items():
        (a if k in known else b)[k] = v
    return a, b


def merge_options(
    target: dict[str, Any],
    raw: Mapping[str, Any],
    *,
    path: IRPath,
    ctx: EncodeContext,
    mapped: Iterable[str] = (),
    nested: IRPath = (),
    deep: bool = False,
    key: str | None = None,
) -> dict[str, Any]:
    """Merge this codec's raw ``provider_options`` (``raw``, from :func:`own_options`) into the
    wire object ``target`` built from the IR at ``path``; return ``target``.

    The one rule for every codec: a raw option fills a wire field the IR did not write; it never
    overrides one the lowering wrote, nor one in ``mapped`` (fields decode would lift into the
    IR, so that the raw copy would not survive a round trip). Those are reported, each at
    ``path + ("provider_options", codec, key)`` with kind ``dropped``.

    ``nested`` is where ``raw`` sits inside the options when ``target`` is a nested wire object
    (Bedrock's ``inferenceConfig``: ``raw = own["inferenceConfig"]``, ``nested=("inferenceConfig",)``);
    its keys are then reported at ``path + ("provider_options", codec, *nested, key)``.

    With ``deep``, where ``target`` already holds an object at a key not in ``mapped`` and the raw
    value is an object too (Gemini's ``generationConfig``, a part's ``inlineData``), the two merge
    member by member by this same rule, each member reported at its own path.

    ``key`` is the options entry ``raw`` came from when that is not the codec's own name (as for
    :func:`own_options`); losses are reported under it.
    """
    if not raw:
        return target
    blocked = frozenset(mapped)
    entry = ctx.codec if key is None else key
    for name, value in raw.items():
        if deep and name not in blocked and isinstance(target.get(name), dict) and isinstance(value, Mapping):
            merge_options(target[name], value, path=path, ctx=ctx, nested=(*nested, name), deep=True, key=key)
        elif name in target or name in blocked:
            ctx.lossy(
                (*path, "provider_options", entry, *nested, name),
                LossKind.DROPPED,
                f"{name!r} is a field the IR maps; the raw option is not sent",
            )
        else:
            target[name] = value
    return target


def report_merged(
    ctx: EncodeContext, messages: Sequence[Message], ks: Sequence[int], each: Callable[[int], str], whole: str
) -> None:
    """Report the consecutive messages ``ks`` that decode reads back as one turn.

    Each is reported ``changed`` at its own path (``each(k)`` says why), unless a message of
    the same role stands right beside them: when read back, that one may take a merged one's
    place (a reader pairs messages by shape and cannot tell which went; ``spec/losses.md``), so
    the loss is named at the list (``whole`` says why)."""
    roles = {messages[k].role for k in ks}
    near = [n for n in (ks[0] - 1, ks[-1] + 1) if 0 <= n < len(messages)]
    if any(messages[n].role in roles for n in near):
        ctx.lossy(("messages",), LossKind.CHANGED, whole)
        return
    for k in ks:
        ctx.lossy(("messages", k), LossKind.CHANGED, each(k))
