"""The README's "Untrusted input" example runs and says what it shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _block(section: str) -> str:
    text = README.read_text().split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    blocks: list[str] = re.findall(r"```python\n(.*?)```", text, re.S)
    (code,) = blocks
    return code


def test_untrusted_input_example(capsys: pytest.CaptureFixture[str]) -> None:
    small = b'{"model": "m", "max_completion_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}'
    scope: dict[str, Any] = {"small_payload": small}
    exec(compile(_block("Untrusted input"), "README.md", "exec"), scope)
    assert capsys.readouterr().out == "$.messages[0][ nesting at most 256 deep\n"
    assert scope["body"]["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    assert scope["body"]["max_tokens"] == 5


def test_validate_example(capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(_block("Validate"), "README.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == [
        "$.max_tokens IRC105",
        "$.temprature IRC101",
        "$.messages[0].content[0].type IRC102",
    ]


def test_validate_config_example_is_a_valid_config(tmp_path: Path) -> None:
    from ir_codec.rules import load_config

    text = README.read_text().split("## Validate", 1)[1].split("\n## ", 1)[0]
    (toml,) = re.findall(r"```toml\n(.*?)```", text, re.S)
    (tmp_path / "pyproject.toml").write_text(toml)
    assert load_config(tmp_path).check_kwargs()["ignore"] == ["IRC210"]
