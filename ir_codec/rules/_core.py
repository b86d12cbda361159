"""The rule table, findings and the context that collects them (a leaf: msgspec only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from ..errors import DecodeError

__all__ = ["RULES", "Ctx", "Finding", "Rule", "RuleError", "selected"]


class Finding(msgspec.Struct, frozen=True):
    """One broken rule: its ``code``, a one-line ``message``, the JSON ``path`` into the payload,
    the rule's ``severity`` (``"error"`` or ``"warning"``) and the ``codec`` checked against."""

    code: str
    message: str
    path: str
    severity: str
    codec: str

    def __str__(self) -> str:
        return f"{self.path}: {self.code} {self.message}"


class RuleError(DecodeError):
    """``validate``'s error for a payload that breaks a rule: a :class:`DecodeError` whose
    ``path`` is the finding's JSON path; ``finding`` is the first error finding."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.path, f"{finding.code}: {finding.message}")
        self.finding = finding
        self.args = (f"{finding.path}: {finding.code} {finding.message}",)


class Rule(msgspec.Struct, frozen=True):
    """A rule: ``code``, ``severity``, a one-line ``summary`` and its ``doc`` anchor in
    ``spec/rules.md``."""

    code: str
    severity: str
    summary: str
    doc: str


def _rules(*rows: tuple[str, str, str]) -> dict[str, Rule]:
    return {code: Rule(code, sev, summary, f"spec/rules.md#{code.lower()}") for code, sev, summary in rows}


E, W = "error", "warning"
RULES: Mapping[str, Rule] = _rules(
    ("IRC100", E, "the payload is another provider's format"),
    ("IRC101", E, "a field the provider's published types do not have"),
    ("IRC102", E, "a block, part or item type the provider does not have"),
    ("IRC103", E, "a value of the wrong JSON type"),
    ("IRC104", E, "a required field is missing"),
    ("IRC105", E, "a value outside the provider's published range or set"),
    ("IRC106", E, "an empty list or text where the provider needs content"),
    ("IRC107", E, "a field not allowed with the API version in use"),
    ("IRC108", E, "a field not allowed on this platform's body"),
    ("IRC109", E, "a conversation order the provider refuses"),
    ("IRC110", E, "an empty object where the provider needs exactly one member"),
    ("IRC201", E, "more cache breakpoints than the provider allows"),
    ("IRC202", E, "a longer cache TTL after a shorter one"),
    ("IRC203", E, "a cache mark where the provider takes none"),
    ("IRC204", E, "a cache TTL or mode the provider does not have"),
    ("IRC205", E, "Gemini cachedContent together with systemInstruction, tools or toolConfig"),
    ("IRC206", E, "automatic caching conflicts with the marks"),
    ("IRC210", W, "a cache mark on a prefix shorter than the provider caches"),
    ("IRC211", W, "volatile content (timestamp, UUID, request id) before a cache mark"),
    ("IRC212", W, "cache marks sent to a provider that ignores them"),
    ("IRC213", W, "more cache marks than the provider writes"),
    ("IRC301", E, "a tool result that answers no earlier tool call"),
    ("IRC302", E, "a tool call with no result in the next turn"),
    ("IRC303", E, "two tool calls with the same id"),
    ("IRC304", W, "a tool-call id outside the provider's id pattern"),
    ("IRC305", W, "tool_choice names a tool that is not defined"),
    ("IRC306", E, "two tools with the same name"),
    ("IRC307", W, "tool calls or results in a body that defines no tools"),
    ("IRC401", E, "data that is not valid base64"),
    ("IRC402", E, "a declared media type that the data's magic bytes contradict"),
    ("IRC403", E, "a media type the provider does not take there"),
)
"""Every rule, by code (``spec/rules.md`` documents each)."""


def selected(code: str, select: Sequence[str] | None, ignore: Sequence[str] | None) -> bool:
    """Whether ``code`` passes ``select`` (``None``: all) and ``ignore`` (codes or prefixes)."""
    if select is not None and not any(code.startswith(s.upper()) for s in select):
        return False
    return not (ignore and any(code.startswith(s.upper()) for s in ignore))


class Ctx:
    """Collects the findings of one check."""

    __slots__ = ("allow_unknown", "api_version", "codec", "findings", "lint")

    def __init__(self, codec: str, *, lint: bool, allow_unknown: bool, api_version: str | None) -> None:
        self.codec = codec
        self.lint = lint
        self.allow_unknown = allow_unknown
        self.api_version = api_version
        self.findings: list[Finding] = []

    def add(self, code: str, path: str, message: str) -> None:
        rule = RULES[code]
        if rule.severity == "warning" and not self.lint:
            return
        self.findings.append(Finding(code, message, path, rule.severity, self.codec))
