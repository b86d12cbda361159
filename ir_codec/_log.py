"""The library's one reporting channel for structured events.

ir_codec never writes to stdout or stderr. Events are structlog event dicts handed to the
standard library logger ``ir_codec`` (with a :class:`logging.NullHandler`, so they are silent
until the application configures logging). structlog is imported on first use, not by
``import ir_codec``. The event name is the record's message; its fields arrive as record
attributes (``record.codec``, ``record.path``, ...), which any ``logging`` handler or
``structlog.stdlib.ProcessorFormatter`` can render. ``logging`` too is imported on first use
(it is a sixth of the import time otherwise).
"""

from __future__ import annotations

from typing import Any

__all__ = ["LOGGER_NAME", "get_logger"]

LOGGER_NAME = "ir_codec"

_logger: Any = None


def get_logger() -> Any:
    """A structlog logger bound to the stdlib logger ``ir_codec`` (created once, lazily)."""
    global _logger
    if _logger is None:
        import logging

        import structlog

        logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())

        _logger = structlog.wrap_logger(
            logging.getLogger(LOGGER_NAME),
            processors=[structlog.stdlib.filter_by_level, structlog.stdlib.render_to_log_kwargs],
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=True,
        )
    return _logger
