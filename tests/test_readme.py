"""The README's codec table is generated from the codec profiles and kept current."""

from __future__ import annotations

from pathlib import Path

import pytest

from ir_codec import available_codecs, get_codec
from ir_codec.profile import TABLE_END, TABLE_START, codec_table, readme_with_table

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = [n for n in available_codecs() if n != "toy"]


def test_readme_codec_table_is_generated_from_the_profiles() -> None:
    readme = (ROOT / "README.md").read_text()
    table = codec_table((name, get_codec(name).profile()) for name in BUILTIN)
    assert readme_with_table(readme, table) == readme, (
        "README.md's codec table is stale: run python -m ir_codec.profile README.md"
    )


@pytest.mark.parametrize("name", BUILTIN)
def test_every_codec_profile_says_what_it_carries_and_loses(name: str) -> None:
    profile = get_codec(name).profile()
    assert profile.carries and profile.loses
    assert f"| `{name}` |" in (ROOT / "README.md").read_text()


def test_table_markers_are_required() -> None:
    with pytest.raises(ValueError, match="codec-table"):
        readme_with_table("no table here", "| x |\n")
    got = readme_with_table(f"a\n{TABLE_START}\nold\n{TABLE_END}\nb", "new\n")
    assert got == f"a\n{TABLE_START}\nnew\n{TABLE_END}\nb"
