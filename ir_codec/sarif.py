"""SARIF 2.1.0 logs of ``validate`` / ``lint`` findings, for GitHub code scanning.

:class:`SarifLog` collects findings and unreadable records and builds the log as JSON builtins
(the CLI writes it): one run whose ``tool.driver.rules`` are the rules that can be reported
(:data:`ir_codec.rules.RULES` and :data:`ir_codec.batch.BATCH_RULES`), one result per finding
(``ruleId``, ``ruleIndex``, ``level``, ``message``, a location with the file's ``uri`` relative
to the working directory, ``uriBaseId`` ``%SRCROOT%``, and ``region.startLine``: the line of the
record; the JSON path goes into a logical location and the message), and each unreadable record
or file as a ``toolExecutionNotification`` of the invocation, which is then not successful.

Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html (sections 3.13 sarifLog,
3.14 run, 3.18-3.19 tool and toolComponent, 3.27 result, 3.28-3.30 locations, 3.20 invocation,
3.49 reportingDescriptor, 3.58 notification).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .rules import Finding, Rule

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "SarifLog"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
STDIN_URI = "stdin"


class SarifLog:
    """A SARIF log being built: :meth:`add` findings, :meth:`unreadable` records, then
    :meth:`to_builtins`.

    >>> from ir_codec.rules import Finding, Rule
    >>> log = SarifLog({"IRC104": Rule("IRC104", "error", "a required field is missing", "spec/rules.md#irc104")})
    >>> log.add("b.jsonl", 3, Finding("IRC104", "max_tokens is missing", "$.params.max_tokens", "error", "anthropic"))
    >>> r = log.to_builtins()["runs"][0]["results"][0]
    >>> r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"]
    ('IRC104', 'error', 3)
    """

    def __init__(self, rules: Mapping[str, Rule], *, tool_version: str | None = None, root: str | None = None) -> None:
        self._rules = dict(sorted(rules.items()))
        self._index = {code: i for i, code in enumerate(self._rules)}
        self._version = tool_version
        self._root = Path(root if root is not None else os.getcwd()).resolve()
        self._results: list[dict[str, Any]] = []
        self._notes: list[dict[str, Any]] = []

    def _artifact(self, file: str) -> dict[str, Any]:
        if file == "-":
            return {"uri": STDIN_URI}
        p = Path(file).resolve()
        try:
            return {"uri": p.relative_to(self._root).as_posix(), "uriBaseId": "%SRCROOT%"}
        except ValueError:
            return {"uri": p.as_uri()}

    def _location(self, file: str, line: int, path: str | None) -> dict[str, Any]:
        physical: dict[str, Any] = {"artifactLocation": self._artifact(file)}
        if line >= 1:
            physical["region"] = {"startLine": line}
        loc: dict[str, Any] = {"physicalLocation": physical}
        if path:
            loc["logicalLocations"] = [{"fullyQualifiedName": path, "kind": "member"}]
        return loc

    def add(self, file: str, line: int, finding: Finding, *, record_id: str | None = None) -> None:
        """A finding of the record at ``line`` of ``file`` (``"-"``: standard input)."""
        text = f"{finding.path}: {finding.message}" + (f" (record {record_id})" if record_id else "")
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "level": "error" if finding.severity == "error" else "warning",
            "message": {"text": text},
            "locations": [self._location(file, line, finding.path)],
            "partialFingerprints": {
                "irCodecFinding/v1": hashlib.sha256(
                    "\0".join((file, record_id or str(line), finding.code, finding.path)).encode()
                ).hexdigest()
            },
        }
        if finding.code in self._index:
            result["ruleIndex"] = self._index[finding.code]
        self._results.append(result)

    def unreadable(self, file: str, line: int, path: str, message: str) -> None:
        """A record (or a whole file, ``line`` 0) that could not be checked."""
        self._notes.append(
            {
                "level": "error",
                "message": {"text": f"{path}: {message}"},
                "locations": [self._location(file, line, path)],
            }
        )

    def to_builtins(self) -> dict[str, Any]:
        """The log as JSON builtins."""
        driver: dict[str, Any] = {
            "name": "ir-codec",
            "informationUri": "https://pypi.org/project/ir-codec/",
            "rules": [
                {
                    "id": r.code,
                    "shortDescription": {"text": r.summary},
                    "help": {"text": f"{r.summary}. See {r.doc} in the ir-codec sources."},
                    "defaultConfiguration": {"level": "error" if r.severity == "error" else "warning"},
                }
                for r in self._rules.values()
            ],
        }
        if self._version:
            driver["version"] = self._version
        return {
            "$schema": SARIF_SCHEMA,
            "version": SARIF_VERSION,
            "runs": [
                {
                    "tool": {"driver": driver},
                    "invocations": [
                        {"executionSuccessful": not self._notes, "toolExecutionNotifications": self._notes}
                    ],
                    "originalUriBaseIds": {"%SRCROOT%": {"uri": self._root.as_uri() + "/"}},
                    "results": self._results,
                }
            ],
        }
