"""The CI gate on the command line: ``ir-codec validate | lint`` over many files, JSON Lines and
batch envelopes, text / JSON / SARIF output, exit codes 0 / 1 / 2, pyproject configuration,
--jobs, the progress bar; and ``ir-codec transpile`` over batch files (spec/batch.md)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ir_codec.batch import BATCH_RULES
from ir_codec.cli import main
from ir_codec.rules import RULES
from tests.benchmarks.gate import openai_batch_lines

GOOD = {"model": "claude-opus-5", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
NO_MAX = {"model": "claude-opus-5", "messages": [{"role": "user", "content": "hi"}]}
WARNS = {  # lint: IRC305 (a warning), validate: clean
    **GOOD,
    "tool_choice": {"type": "tool", "name": "nope"},
    "tools": [{"name": "t", "input_schema": {"type": "object"}}],
}


def run(argv: list[str], data: bytes = b"", *, stderr: Any = None) -> tuple[int, str, str]:
    out = io.BytesIO()
    err = stderr if stderr is not None else io.StringIO()
    code = main(argv, stdin=io.BytesIO(data), stdout=out, stderr=err)
    return code, out.getvalue().decode(), err.getvalue() if isinstance(err, io.StringIO) else ""


def jsonl(*records: Any) -> bytes:
    return b"".join(msgspec.json.encode(r) + b"\n" for r in records)


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory: no pyproject.toml above tmp_path configures the rules."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_many_files_globs_and_stdin_in_order(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "ok.json").write_text(json.dumps(GOOD, indent=2))
    (tmp_path / "a" / "bad.json").write_text("\n" + json.dumps(NO_MAX, indent=2))
    (tmp_path / "batch.jsonl").write_bytes(
        jsonl({"custom_id": "r1", "params": GOOD}, {"custom_id": "r2", "params": NO_MAX})
    )
    code, out, err = run(["validate", "--codec", "anthropic", "a/*.json", "-"], json.dumps(NO_MAX).encode())
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "a/bad.json:2: $.max_tokens: IRC104 required field 'max_tokens' of the Messages body is missing",
        "-:1: $.max_tokens: IRC104 required field 'max_tokens' of the Messages body is missing",
        "2 errors, 0 warnings in 3 records in 3 files",
    ]
    code, out, _ = run(["validate", "batch.jsonl"])
    assert code == 1
    assert out.splitlines() == [
        "batch.jsonl:2: $.params.max_tokens: IRC104 required field 'max_tokens' of the Messages body is missing",
        "1 error, 0 warnings in 2 records in 1 file",
    ]


def test_a_directory_is_its_json_files(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "b.jsonl").write_bytes(jsonl({"custom_id": "r1", "params": NO_MAX}))
    (tmp_path / "d" / "a.json").write_text(json.dumps(GOOD))
    (tmp_path / "d" / "notes.txt").write_text("not a payload")
    code, out, _ = run(["validate", "--codec", "anthropic", "d"])
    assert code == 1
    assert out.splitlines() == [
        "d/sub/b.jsonl:1: $.params.max_tokens: IRC104 required field 'max_tokens' of the Messages body is missing",
        "1 error, 0 warnings in 2 records in 2 files",
    ]
    (tmp_path / "e").mkdir()
    assert run(["validate", "e"])[0] == 2


def test_clean_input_exits_0() -> None:
    data = jsonl(*({"custom_id": f"r{i}", "params": GOOD} for i in range(5)))
    assert run(["validate"], data) == (0, "ok: 5 records in 1 file\n", "")
    assert run(["lint", "-"], data) == (0, "ok: 5 records in 1 file\n", "")


def test_lint_fails_on_warnings_validate_does_not() -> None:
    data = json.dumps(WARNS).encode()
    assert run(["validate", "--codec", "anthropic"], data)[:2] == (0, "ok: 1 record in 1 file\n")
    code, out, _ = run(["lint", "--codec", "anthropic"], data)
    assert code == 1
    assert out.splitlines() == [
        "-:1: $.tool_choice.name: IRC305 no tool named 'nope' in tools",
        "0 errors, 1 warning in 1 record in 1 file",
    ]


def test_unreadable_records_exit_2_and_the_others_are_still_checked(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_bytes(
        jsonl({"custom_id": "r1", "params": NO_MAX}) + b'{"custom_id": "r2", "params": [\n' + jsonl(GOOD)
    )
    code, out, _ = run(["validate", "b.jsonl", "missing.json"])
    assert code == 2
    assert out.splitlines() == [
        "b.jsonl:1: $.params.max_tokens: IRC104 required field 'max_tokens' of the Messages body is missing",
        "b.jsonl:2: $.params[0]: error: expected more JSON, found the end of the input",
        "b.jsonl:3: $: error: a bare request body: name its codec (--codec)",
        "missing.json: $: error: cannot read: No such file or directory",
        "1 error, 0 warnings, 3 unreadable in 3 records in 2 files",
    ]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["validate", "--codec", "nope"], "error: $: unknown codec 'nope'"),
        (["validate", "--select", "XYZ"], "error: --select/--ignore 'XYZ': names no rule"),
        (["lint", "nothing/*.json"], "error: nothing/*.json: no file matches"),
    ],
)
def test_bad_usage_exits_2(argv: list[str], line: str) -> None:
    code, out, err = run(argv, b"{}")
    assert (code, out) == (2, "")
    assert err.startswith(line), err


def test_json_format_names_file_line_and_id(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_bytes(
        jsonl(
            {"custom_id": "r1", "params": GOOD},
            {"custom_id": "r2", "params": WARNS},
            {"custom_id": "r2", "params": [1]},
        )
    )
    code, out, _ = run(["lint", "--format", "json", "b.jsonl"])
    assert code == 2
    assert json.loads(out) == {
        "findings": [
            {
                "file": "b.jsonl",
                "line": 2,
                "custom_id": "r2",
                "codec": "anthropic",
                "code": "IRC305",
                "severity": "warning",
                "path": "$.params.tool_choice.name",
                "message": "no tool named 'nope' in tools",
            },
            {  # an unreadable body, but its id still repeats line 2's
                "file": "b.jsonl",
                "line": 3,
                "custom_id": "r2",
                "codec": "anthropic",
                "code": "IRC502",
                "severity": "error",
                "path": "$.custom_id",
                "message": "custom_id 'r2' is also the id of line 2; ids must be unique in a batch",
            },
        ],
        "unreadable": [
            {
                "file": "b.jsonl",
                "line": 3,
                "custom_id": "r2",
                "path": "$.params",
                "message": "expected a JSON object, found list",
            }
        ],
        "summary": {"files": 1, "records": 3, "errors": 1, "warnings": 1, "unreadable": 1},
    }


def test_duplicate_ids_across_lines() -> None:
    data = jsonl(
        {"custom_id": "a", "params": GOOD}, {"custom_id": "b", "params": GOOD}, {"custom_id": "a", "params": GOOD}
    )
    code, out, _ = run(["validate"], data)
    assert code == 1
    assert (
        out.splitlines()[0]
        == "-:3: $.custom_id: IRC502 custom_id 'a' is also the id of line 1; ids must be unique in a batch"
    )


# --------------------------------------------------------------------------------------------
# SARIF 2.1.0

# The objects of SARIF 2.1.0 that ir-codec writes, from the OASIS schema
# (sarif-schema-2.1.0.json, errata01): the properties each must have (``required``; a tuple of
# tuples for ``anyOf``), every property it may have (``additionalProperties`` is false), and the
# object type of the properties that hold objects (``[]``: a list of them, ``{}``: a map of them).
_SARIF: dict[str, tuple[tuple[tuple[str, ...], ...], frozenset[str], dict[str, str]]] = {
    "sarifLog": (
        (("version", "runs"),),
        frozenset({"$schema", "inlineExternalProperties", "properties", "runs", "version"}),
        {"runs": "run[]"},
    ),
    "run": (
        (("tool",),),
        frozenset(
            "addresses artifacts automationDetails baselineGuid columnKind conversion defaultEncoding "
            "defaultSourceLanguage externalPropertyFileReferences graphs invocations language logicalLocations "
            "newlineSequences originalUriBaseIds policies properties redactionTokens results runAggregates "
            "specialLocations taxonomies threadFlowLocations tool translations versionControlProvenance "
            "webRequests webResponses".split()
        ),
        {
            "tool": "tool",
            "invocations": "invocation[]",
            "results": "result[]",
            "originalUriBaseIds": "artifactLocation{}",
        },
    ),
    "tool": ((("driver",),), frozenset({"driver", "extensions", "properties"}), {"driver": "toolComponent"}),
    "toolComponent": (
        (("name",),),
        frozenset(
            "associatedComponent contents dottedQuadFileVersion downloadUri fullDescription fullName "
            "globalMessageStrings guid informationUri isComprehensive language localizedDataSemanticVersion "
            "locations minimumRequiredLocalizedDataSemanticVersion name notifications organization product "
            "productSuite properties releaseDateUtc rules semanticVersion shortDescription supportedTaxonomies "
            "taxa translationMetadata version".split()
        ),
        {"rules": "reportingDescriptor[]"},
    ),
    "reportingDescriptor": (
        (("id",),),
        frozenset(
            "defaultConfiguration deprecatedGuids deprecatedIds deprecatedNames fullDescription guid help helpUri "
            "id messageStrings name properties relationships shortDescription".split()
        ),
        {
            "shortDescription": "multiformatMessageString",
            "help": "multiformatMessageString",
            "defaultConfiguration": "reportingConfiguration",
        },
    ),
    "multiformatMessageString": ((("text",),), frozenset({"markdown", "properties", "text"}), {}),
    "reportingConfiguration": ((), frozenset({"enabled", "level", "parameters", "properties", "rank"}), {}),
    "result": (
        (("message",),),
        frozenset(
            "analysisTarget attachments baselineState codeFlows correlationGuid fingerprints fixes graphTraversals "
            "graphs guid hostedViewerUri kind level locations message occurrenceCount partialFingerprints "
            "properties provenance rank relatedLocations rule ruleId ruleIndex stacks suppressions taxa "
            "webRequest webResponse workItemUris".split()
        ),
        {"message": "message", "locations": "location[]"},
    ),
    "message": ((("text",), ("id",)), frozenset({"arguments", "id", "markdown", "properties", "text"}), {}),
    "location": (
        (),
        frozenset(
            {"annotations", "id", "logicalLocations", "message", "physicalLocation", "properties", "relationships"}
        ),
        {"physicalLocation": "physicalLocation", "logicalLocations": "logicalLocation[]"},
    ),
    "physicalLocation": (
        (("address",), ("artifactLocation",)),
        frozenset({"address", "artifactLocation", "contextRegion", "properties", "region"}),
        {"artifactLocation": "artifactLocation", "region": "region"},
    ),
    "artifactLocation": ((), frozenset({"description", "index", "properties", "uri", "uriBaseId"}), {}),
    "region": (
        (("startLine",), ("charOffset",), ("byteOffset",)),
        frozenset(
            "byteLength byteOffset charLength charOffset endColumn endLine message properties snippet "
            "sourceLanguage startColumn startLine".split()
        ),
        {},
    ),
    "logicalLocation": (
        (),
        frozenset({"decoratedName", "fullyQualifiedName", "index", "kind", "name", "parentIndex", "properties"}),
        {},
    ),
    "invocation": (
        (("executionSuccessful",),),
        frozenset(
            "account arguments commandLine endTimeUtc environmentVariables executableLocation executionSuccessful "
            "exitCode exitCodeDescription exitSignalName exitSignalNumber machine notificationConfigurationOverrides "
            "processId processStartFailureMessage properties responseFiles ruleConfigurationOverrides startTimeUtc "
            "stderr stdin stdout stdoutStderr toolConfigurationNotifications toolExecutionNotifications "
            "workingDirectory".split()
        ),
        {"toolExecutionNotifications": "notification[]"},
    ),
    "notification": (
        (("message",),),
        frozenset("associatedRule descriptor exception level locations message properties threadId timeUtc".split()),
        {"message": "message", "locations": "location[]"},
    ),
}
_LEVELS = {"none", "note", "warning", "error"}


def _check_sarif_object(obj: Any, kind: str, where: str) -> None:
    required, allowed, children = _SARIF[kind]
    assert isinstance(obj, dict), where
    assert obj.keys() <= allowed, (where, sorted(obj.keys() - allowed))
    if required:
        assert any(all(k in obj for k in alt) for alt in required), (where, required)
    if "level" in obj:
        assert obj["level"] in _LEVELS, where
    for key, child in children.items():
        if key not in obj:
            continue
        if child.endswith("[]"):
            assert isinstance(obj[key], list), where
            for i, item in enumerate(obj[key]):
                _check_sarif_object(item, child[:-2], f"{where}.{key}[{i}]")
        elif child.endswith("{}"):
            for name, item in obj[key].items():
                _check_sarif_object(item, child[:-2], f"{where}.{key}.{name}")
        else:
            _check_sarif_object(obj[key], child, f"{where}.{key}")


def check_sarif_shape(log: dict[str, Any]) -> None:
    """The log has the shape of the SARIF 2.1.0 schema (required and allowed properties of every
    object we write, levels), and what code scanning relies on: rule ids unique, each result's
    ruleIndex pointing at its rule, a uri and a 1-based startLine in every location."""
    _check_sarif_object(log, "sarifLog", "$")
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    for run_ in log["runs"]:
        ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
        assert len(ids) == len(set(ids))
        locations = [loc for res in run_["results"] for loc in res["locations"]]
        for inv in run_["invocations"]:
            locations += [loc for n in inv["toolExecutionNotifications"] for loc in n["locations"]]
        for res in run_["results"]:
            assert res["ruleId"] == ids[res["ruleIndex"]]
            assert res["locations"]
        for loc in locations:
            assert loc["physicalLocation"]["artifactLocation"]["uri"]
            region = loc["physicalLocation"].get("region")
            assert region is None or (isinstance(region["startLine"], int) and region["startLine"] >= 1)


def test_the_sarif_check_catches_what_the_schema_refuses() -> None:
    log: dict[str, Any] = {"version": "2.1.0", "$schema": "sarif-2.1.0.json", "runs": [{"tool": {"driver": {}}}]}
    with pytest.raises(AssertionError):
        check_sarif_shape(log)  # toolComponent without its name
    log["runs"][0]["tool"]["driver"] = {"name": "x", "rules": [], "rulez": []}
    with pytest.raises(AssertionError):
        check_sarif_shape(log)  # a property the schema does not have


def test_sarif_for_code_scanning(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "b.jsonl").write_bytes(
        jsonl({"custom_id": "r1", "params": GOOD}, {"custom_id": "r2", "params": NO_MAX}) + b"[\n"
    )
    code, out, _ = run(["validate", "--format", "sarif", "reqs/b.jsonl"])
    assert code == 2
    log = json.loads(out)
    check_sarif_shape(log)
    run_ = log["runs"][0]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == sorted([*RULES, *BATCH_RULES])
    (result,) = run_["results"]
    assert result["ruleId"] == "IRC104" and result["level"] == "error"
    assert result["message"]["text"] == (
        "$.params.max_tokens: required field 'max_tokens' of the Messages body is missing (record r2)"
    )
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "reqs/b.jsonl", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2},
    }
    (inv,) = run_["invocations"]
    assert inv["executionSuccessful"] is False
    (note,) = inv["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    code, out, _ = run(["validate", "--format", "sarif", "--codec", "anthropic"], json.dumps(GOOD).encode())
    log = json.loads(out)
    check_sarif_shape(log)
    assert code == 0 and log["runs"][0]["results"] == [] and log["runs"][0]["invocations"][0]["executionSuccessful"]


# --------------------------------------------------------------------------------------------
# Configuration, parallel runs, progress


def test_pyproject_config_and_command_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ir-codec]\nignore = ["IRC104"]\n')
    data = json.dumps(NO_MAX).encode()
    assert run(["validate", "--codec", "anthropic"], data)[:2] == (0, "ok: 1 record in 1 file\n")
    # --select replaces the configured select; --ignore adds to the configured ignore.
    assert run(["validate", "--codec", "anthropic", "--select", "IRC1"], data)[0] == 0
    (tmp_path / "pyproject.toml").write_text('[tool.ir-codec]\nselect = ["IRC3"]\n')
    assert run(["validate", "--codec", "anthropic"], data)[0] == 0
    assert run(["validate", "--codec", "anthropic", "--select", "IRC104"], data)[0] == 1
    assert run(["validate", "--codec", "anthropic", "--select", "IRC1", "--ignore", "irc104"], data)[0] == 0
    (tmp_path / "pyproject.toml").write_text('[tool.ir-codec]\nignore = ["NOPE"]\n')
    code, _, err = run(["validate", "--codec", "anthropic"], data)
    assert code == 2 and "'NOPE' names no rule" in err


def test_jobs_2_gives_the_same_report(tmp_path: Path) -> None:
    lines = list(openai_batch_lines(400))
    lines[10] = b'{"custom_id": "req-10", "method": "POST", "url": "/v1/chat/completions", "body": {"model": 5}}\n'
    lines[300] = b"{oops\n"
    (tmp_path / "b.jsonl").write_bytes(b"".join(lines))
    one = run(["lint", "--format", "json", "b.jsonl"])
    two = run(["lint", "--format", "json", "--jobs", "2", "b.jsonl"])
    assert one == two
    report = json.loads(one[1])
    assert report["summary"] == {"files": 1, "records": 400, "errors": 2, "warnings": 0, "unreadable": 1}
    assert {f["line"] for f in report["findings"]} == {11}


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_bytes(b"".join(openai_batch_lines(20)))
    tty = _Tty()
    assert run(["validate", "b.jsonl"], stderr=tty)[0] == 0
    assert "ir-codec validate" in tty.getvalue() and "B/s" in tty.getvalue()
    piped = io.StringIO()
    assert run(["validate", "b.jsonl"], stderr=piped)[0] == 0
    assert piped.getvalue() == ""


def test_tqdm_is_not_imported_when_stderr_is_a_pipe(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_bytes(b"".join(openai_batch_lines(3)))
    code = (
        "import sys; from ir_codec.cli import main; c = main(['validate', 'b.jsonl']); print(c, 'tqdm' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.stdout.splitlines()[-1] == "0 False", proc.stderr


# --------------------------------------------------------------------------------------------
# Batch transpile


def test_batch_transpile_keeps_order_and_ids_and_skips_bad_records(tmp_path: Path) -> None:
    src = [*openai_batch_lines(4)]
    src.insert(2, b'{"custom_id": "bad", "method": "POST", "url": "/v1/chat/completions", "body": {"messages": 1}}\n')
    (tmp_path / "in.jsonl").write_bytes(b"".join(src))
    code, out, err = run(["transpile", "--write", "anthropic", "in.jsonl"])
    assert code == 1
    records = [json.loads(x) for x in out.splitlines()]
    assert [r["custom_id"] for r in records] == ["req-0", "req-1", "req-2", "req-3"]
    assert all(r.keys() == {"custom_id", "params"} for r in records)
    lines = err.splitlines()
    assert "in.jsonl:3: error: $.body.messages: expected array, found int" in lines
    assert lines[-1] == "error: 5 records: 4 written (4 with losses), 1 skipped"
    assert sum(x.startswith("in.jsonl:") and ": warning: anthropic: " in x for x in lines) == 4


def test_batch_transpile_report_file_and_notes(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_bytes(jsonl({"custom_id": "a", "params": GOOD}, {"custom_id": "b", "params": GOOD}))
    code, out, err = run(["transpile", "--write", "bedrock-converse", "--report", "r.jsonl", "in.jsonl"])
    assert code == 0
    assert [json.loads(x)["recordId"] for x in out.splitlines()] == ["a", "b"]
    assert err.splitlines() == [
        "note: model 'claude-opus-5' is not in a bedrock record: the batch job names it (2 records)",
        "2 records: 2 written (0 with losses), 0 skipped",
    ]
    report = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert report[0] == {
        "file": "in.jsonl",
        "line": 1,
        "custom_id": "a",
        "status": "ok",
        "losses": [],
        "notes": ["model 'claude-opus-5' is not in a bedrock record: the batch job names it"],
        "error": None,
    }


def test_batch_transpile_from_stdin_and_back() -> None:
    data = jsonl({"custom_id": "a", "params": GOOD})
    code, out, _ = run(["transpile", "--write", "anthropic-bedrock"], data)
    assert code == 0
    assert json.loads(out)["recordId"] == "a"
    code, out, err = run(["transpile", "--write", "anthropic", "--model", "claude-opus-5"], out.encode())
    assert code == 0, err
    assert json.loads(out) == {
        "custom_id": "a",
        "params": {**GOOD, "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]},
    }


def test_single_body_transpile_is_unchanged_and_bad_targets_are_usage_errors() -> None:
    code, out, _ = run(["transpile", "--read", "anthropic", "--write", "openai-chat"], json.dumps(GOOD).encode())
    assert code == 0 and json.loads(out)["max_completion_tokens"] == 64
    code, _, err = run(["transpile", "--write", "openai-chat"], json.dumps(GOOD).encode())
    assert code == 2 and err.startswith("error: --read CODEC is required")
    code, _, err = run(["transpile", "--write", "gemini"], jsonl({"custom_id": "a", "params": GOOD}))
    assert code == 2 and err.startswith("error: --write gemini: no batch envelope for this codec")


def test_batch_transpile_in_worker_processes_writes_the_same_lines(tmp_path: Path) -> None:
    src = list(openai_batch_lines(200))
    src[50] = b"{broken\n"
    (tmp_path / "in.jsonl").write_bytes(b"".join(src))
    serial = run(["transpile", "--write", "anthropic", "in.jsonl"])
    parallel = run(["transpile", "--write", "anthropic", "--jobs", "2", "in.jsonl"])
    assert parallel == serial
    assert serial[0] == 1 and len(serial[1].splitlines()) == 199
    assert "in.jsonl:51: error: $: expected" in serial[2]
