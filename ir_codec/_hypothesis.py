"""The ``hypothesis`` entry point of ir-codec: importing :mod:`ir_codec.strategies` registers
its strategies for ``st.from_type`` (:class:`~ir_codec.ir.Request`, ``Response``, ...).

Hypothesis calls the hook while it is itself being imported. When the first import in a
process is ``ir_codec.strategies`` (which imports hypothesis), that module is then only half
built: the hook leaves it alone, and the module registers its strategies as its last step.
"""

from __future__ import annotations

import importlib
import sys


def _hypothesis_setup_hook() -> None:
    """Registered as the ``hypothesis`` entry point (``pyproject.toml``)."""
    if "ir_codec.strategies" not in sys.modules:
        importlib.import_module("ir_codec.strategies")  # registers as it finishes
