"""The conformance case of every codec: what the shared suite (tests/test_conformance.py) draws
and reads for it. One module per codec family, named like its module in ``codecs/``; a new codec
declares its :class:`~ir_codec.conformance.ConformanceCase` in one and is listed here."""

from __future__ import annotations

from ir_codec.conformance import ConformanceCase

from . import anthropic, bedrock_converse, deepseek, gemini, mistral, openai_chat, openai_responses, openrouter

CASES: dict[str, ConformanceCase] = {
    case.name: case
    for case in (
        *anthropic.CASES,
        bedrock_converse.CASE,
        gemini.CASE,
        openai_chat.CASE,
        openai_responses.CASE,
        openrouter.CASE,
        mistral.CASE,
        deepseek.CASE,
    )
}
