"""A pytest plugin for users' test suites: assert that payloads pass the gate and round-trip.

Installed with ir-codec (entry point ``pytest11``: ``ir_codec``), so in any test suite::

    from ir_codec.pytest_plugin import assert_roundtrip, assert_valid_wire

    def test_my_body():
        body = build_my_request()
        assert_valid_wire("anthropic", body)       # fails with every error finding listed
        assert_roundtrip("anthropic", body)        # fails with a unified diff

    def test_with_fixture(ir_codec_check):
        ir_codec_check.valid("gemini", {"contents": [{"parts": [{"text": "hi"}]}]})

The helpers raise ``AssertionError`` (pytest shows the message as the failure) and hide their
own frames from the traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from .codec import Codec
from .invariant import check_wire
from .rules import Finding, check_payload

__all__ = ["IRCodecCheck", "assert_roundtrip", "assert_valid_wire", "format_findings", "ir_codec_check"]

Payload = bytes | str | Mapping[str, Any]


def format_findings(findings: Sequence[Finding]) -> str:
    """One line per finding: ``path: CODE [severity] message``."""
    return "\n".join(f"  {f.path}: {f.code} [{f.severity}] {f.message}" for f in findings)


def assert_valid_wire(
    codec: str,
    payload: Payload,
    *,
    lint: bool = False,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    allow_unknown: bool = False,
    api_version: str | None = None,
) -> None:
    """Fail unless ``payload`` has no error finding for ``codec`` (with ``lint=True``: no
    finding at all). The failure lists every finding with its code and JSON path."""
    __tracebackhide__ = True
    findings = check_payload(
        payload, codec, lint=lint, select=select, ignore=ignore, allow_unknown=allow_unknown, api_version=api_version
    )
    failing = findings if lint else [f for f in findings if f.severity == "error"]
    if failing:
        raise AssertionError(f"{len(failing)} finding(s) for {codec}:\n{format_findings(failing)}")


def assert_roundtrip(codec: str | Codec, payload: Mapping[str, Any]) -> None:
    """Fail unless ``encode(decode(payload))`` equals ``payload`` up to the codec's documented
    canonicalizations; the failure shows a unified diff of the pretty-printed JSON."""
    __tracebackhide__ = True
    check_wire(codec, payload)


class IRCodecCheck:
    """What the ``ir_codec_check`` fixture gives: the assert helpers, with defaults for
    ``select`` / ``ignore`` / ``allow_unknown`` read from the ``[tool.ir-codec]`` table of the
    project's ``pyproject.toml``."""

    def __init__(self, defaults: Mapping[str, Any] | None = None) -> None:
        self.defaults = dict(defaults or {})

    def findings(self, codec: str, payload: Payload, **kw: Any) -> list[Finding]:
        """The findings of :func:`ir_codec.rules.check_payload` with this fixture's defaults."""
        return check_payload(payload, codec, **{**self.defaults, **kw})

    def valid(self, codec: str, payload: Payload, **kw: Any) -> None:
        """:func:`assert_valid_wire` with this fixture's defaults."""
        __tracebackhide__ = True
        assert_valid_wire(codec, payload, **{**self.defaults, **kw})

    def roundtrip(self, codec: str | Codec, payload: Mapping[str, Any]) -> None:
        """:func:`assert_roundtrip`."""
        __tracebackhide__ = True
        assert_roundtrip(codec, payload)


@pytest.fixture
def ir_codec_check(request: pytest.FixtureRequest) -> IRCodecCheck:
    """The assert helpers, configured from the project's ``[tool.ir-codec]`` table."""
    from .rules import load_config

    return IRCodecCheck(load_config(request.config.rootpath).check_kwargs())
