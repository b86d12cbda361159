"""Layout guards: `codecs/` installs as `ir_codec.codecs` and never shadows the stdlib `codecs`,
from this checkout (editable install) and from wheels built from the checkout and the sdist."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK = (
    "import codecs, sysconfig, ir_codec.codecs.anthropic as a, ir_codec;"
    "assert codecs.__file__.startswith(sysconfig.get_paths()['stdlib']), codecs.__file__;"
    "assert hasattr(codecs, 'lookup');"
    "print(sorted(ir_codec.available_codecs()))"
)


def test_symlink_is_intact() -> None:
    link = ROOT / "ir_codec" / "codecs"
    assert link.is_symlink(), (
        "ir_codec/codecs must be the symlink ../codecs; this checkout does not support symlinks "
        "(on Windows enable core.symlinks). Wheels still build, editable installs do not work."
    )
    assert os.readlink(link) == "../codecs"
    assert not (ROOT / "codecs" / "__init__.py").exists(), "codecs/__init__.py would shadow the stdlib for mypy"


def test_stdlib_codecs_is_not_shadowed_here() -> None:
    import codecs

    assert codecs.__file__ is not None
    assert codecs.__file__.startswith(sysconfig.get_paths()["stdlib"])


def test_codec_modules_import_as_ir_codec_codecs() -> None:
    import ir_codec.codecs.anthropic as mod

    assert Path(mod.__file__ or "").resolve().parent == ROOT / "codecs" / "anthropic"  # a package per family


def test_from_another_directory(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "anthropic" in out.stdout


def _pip(*args: str, python: str = sys.executable) -> None:
    subprocess.run([python, "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True, timeout=600)


@pytest.mark.slow
def test_wheels_from_checkout_and_sdist_install_in_a_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT))
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ir_codec/codecs/anthropic/__init__.py" in names
    assert "ir_codec/codecs/mistral/__init__.py" in names
    assert "ir_codec/data/demo_conversation.json" in names
    assert not any(n.startswith("codecs/") for n in names)

    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "-o", str(tmp_path / "sd"), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (sdist,) = (tmp_path / "sd").glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1]: m for m in tf.getmembers() if "/" in m.name}
        tf.extractall(tmp_path / "src", filter="data")
    assert "codecs/anthropic/lower.py" in members
    assert "ir_codec/codecs" not in members, "the sdist must not carry the symlink"
    (src,) = (tmp_path / "src").iterdir()
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist2"), str(src))
    (wheel2,) = (tmp_path / "dist2").glob("*.whl")
    assert sorted(zipfile.ZipFile(wheel2).namelist()) == sorted(names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = str(venv / "bin" / "python")
    _pip("install", str(wheel), python=py)
    out = subprocess.run([py, "-c", CHECK], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "anthropic" in out.stdout
    cli = subprocess.run([str(venv / "bin" / "ir-codec"), "codecs"], capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0 and "anthropic" in cli.stdout.split()
