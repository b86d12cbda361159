"""ir-codec's pytest plugin entry point (``pytest11``): the ``ir_codec_check`` fixture.

pytest loads every installed plugin in every test run, so this module stays outside the
``ir_codec`` package and imports nothing of it until a test asks for the fixture (as
``_hypothesis_pytestplugin`` does for hypothesis). The helpers themselves live in
:mod:`ir_codec.pytest_plugin`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ir_codec.pytest_plugin import IRCodecCheck


@pytest.fixture
def ir_codec_check(request: pytest.FixtureRequest) -> IRCodecCheck:
    """The assert helpers of :mod:`ir_codec.pytest_plugin`, configured from the project's
    ``[tool.ir-codec]`` table."""
    from ir_codec.pytest_plugin import IRCodecCheck
    from ir_codec.rules import load_config

    return IRCodecCheck(load_config(request.config.rootpath).check_kwargs())
