"""The SDK recipes of spec/replies.md run as written, against an offline mock transport:
each ```python block is executed on its own (the SDKs are dev-only checkers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SPEC = Path(__file__).parent.parent / "spec" / "replies.md"
BLOCKS = re.findall(r"```python\n(.*?)```", SPEC.read_text(), flags=re.S)


def test_the_spec_has_recipes() -> None:
    assert len(BLOCKS) == 2


@pytest.mark.parametrize("code", BLOCKS, ids=["openai-chat", "anthropic"])
def test_recipe_runs(code: str) -> None:
    for module in re.findall(r"^import (\w+)$", code, flags=re.M):
        pytest.importorskip(module)
    exec(compile(code, str(SPEC), "exec"), {})
