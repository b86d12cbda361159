"""The agent loop: a reply becomes the assistant turn of the next request.

    response = decode_response(reply_body, "anthropic")
    request = continue_request(request, response, [ToolResult(tool_use_id=..., content=[...])])
    encode(request, "anthropic")  # the thinking signature and the tool-call id go back as received

:func:`next_turn` keeps everything the provider needs to see again, each with where it came
from, so that an encoder sends it only where it verifies:

- tool-call ids (``ToolUse.id``) and the raw arguments text a codec kept;
- thinking signatures with their ``Thinking.origin`` (Anthropic ``signature``, Gemini
  ``thoughtSignature``, OpenAI ``encrypted_content``) and redacted / encrypted reasoning with
  its origin: a codec of another family drops them (reported ``dropped``,
  :func:`ir_codec.codec.fit_signatures`), its own sends them back unchanged;
- the Responses API reasoning item id (``provider_options["openai-responses"]["id"]``), which
  the next request's reasoning item must carry;
- Gemini ``thoughtSignature`` on text and function-call parts (``provider_options["gemini"]``);
- provider parts (server-tool calls and results), which only their own codec sends.

The reply's own fields (id, usage, stop reason, ``Response.provider_options``) belong to the
reply, not to the conversation, and are not carried.
"""

from __future__ import annotations

import msgspec

from .ir import Message, Part, Request, Response

__all__ = ["continue_request", "next_turn"]


def next_turn(response: Response) -> Message:
    """The assistant :class:`Message` of ``response``, for the next :class:`Request`.

    >>> from ir_codec import Response, Text, ToolUse
    >>> m = next_turn(Response(content=[Text(text="Checking."), ToolUse(id="call_1", name="f", input={})]))
    >>> m.role, [p.type for p in m.content]
    ('assistant', ['text', 'tool_use'])
    """
    if not isinstance(response, Response):
        raise TypeError(f"next_turn() takes an ir_codec.Response, not {type(response).__name__}")
    return Message(role="assistant", content=list(response.content))


def continue_request(request: Request, response: Response, user: list[Part] | None = None) -> Request:
    """``request`` with the reply appended as the assistant turn (:func:`next_turn`) and, when
    ``user`` is given (tool results, a new question), a user turn with those parts."""
    messages = [*request.messages, next_turn(response)]
    if user:
        messages.append(Message(role="user", content=list(user)))
    return msgspec.structs.replace(request, messages=messages)
