"""The set-up a fresh clone relies on: locked dev tools, stated lowest runtime versions."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==([^ ;\\\n]+)", text, re.M)}


def _project() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def test_every_dev_requirement_is_locked_with_hashes() -> None:
    pins = _pins("requirements-dev.lock")
    text = (ROOT / "requirements-dev.lock").read_text()
    for req in _project()["optional-dependencies"]["dev"] + _project()["dependencies"]:
        name = re.split(r"[<>=!\[ ;]", req, maxsplit=1)[0].lower()
        assert name in pins, f"{name} is not in requirements-dev.lock: run make lock"
    # every pin carries at least one hash (pip --require-hashes refuses the file otherwise)
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.strip())
    assert all("--hash=sha256:" in b for b in blocks)


def test_lowest_lock_pins_the_lower_bounds_of_pyproject() -> None:
    lowest = _pins("requirements-lowest.lock")
    makefile = (ROOT / "Makefile").read_text()
    for req in _project()["dependencies"]:
        name, low = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", req).groups()  # type: ignore[union-attr]
        assert lowest[name.lower()].startswith(low), (name, low, lowest[name.lower()])
        assert f"{name}=={lowest[name.lower()]}" in makefile


def test_requires_python_is_the_interpreter_floor() -> None:
    assert _project()["requires-python"] == ">=3.11"
    assert sys.version_info >= (3, 11)
