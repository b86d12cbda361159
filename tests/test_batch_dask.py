"""The Dask recipe of spec/batch.md runs as written: a LocalCluster of two worker processes
checks a batch file and converts it, in order (the ``dask`` extra; part of the dev extra)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.benchmarks.gate import openai_batch_lines

pytest.importorskip("dask.bag")
pytest.importorskip("distributed")

SPEC = Path(__file__).resolve().parent.parent / "spec" / "batch.md"


def _block(section: str) -> str:
    text = SPEC.read_text().split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", text, re.S)
    return str(code)


def test_dask_recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    lines = list(openai_batch_lines(300))
    lines[10] = msgspec.json.encode(
        {"custom_id": "req-10", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-5.6"}}
    )
    lines[20] = b'{"custom_id": "req-20", "params": \n'
    (tmp_path / "requests.jsonl").write_bytes(b"\n".join(x.rstrip(b"\n") for x in lines) + b"\n")
    monkeypatch.chdir(tmp_path)
    scope: dict[str, Any] = {"__name__": "recipe"}
    exec(compile(_block("Past one machine: Dask"), "spec/batch.md", "exec"), scope)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2, printed
    assert printed[0].startswith("""req-10 ["$.body.messages: IRC104 """), printed
    assert printed[1] == "None LineError(path='$.params', message='expected more JSON, found the end of the input')"
    assert [r.id for r in scope["problems"]] == ["req-10", None]
    assert [r.id for r in scope["failed"]] == ["req-10", None]
    written = b"".join(p.read_bytes() for p in sorted((tmp_path / "anthropic-batch").glob("*.jsonl")))
    records = [msgspec.json.decode(x) for x in written.splitlines()]
    assert [r["custom_id"] for r in records] == [f"req-{i}" for i in range(300) if i not in (10, 20)]
    assert all(r.keys() == {"custom_id", "params"} for r in records)
