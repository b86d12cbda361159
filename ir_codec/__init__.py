"""ir-codec: one vendor-neutral LLM request, lowered to each provider's exact wire JSON.

Build an IR :class:`Request`, ``encode`` it for a provider, ``decode`` a provider's body back,
or ``transpile`` one provider's body into another's. Whatever a target cannot express comes back
as a :class:`LossyEncode` warning naming the IR path it concerns.

>>> import ir_codec
>>> req = ir_codec.Request(model="claude-opus-5", max_tokens=256,
...     messages=[ir_codec.Message(role="user", content=[ir_codec.Text(text="Hello")])])
>>> ir_codec.encode(req, "anthropic").to_json()
b'{"model":"claude-opus-5","max_tokens":256,"messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}]}'
"""

from ._api import (
    StreamTranspiler,
    decode,
    decode_response,
    decode_stream,
    encode,
    encode_response,
    ir_from_json,
    ir_to_json,
    transpile,
    transpile_response,
    transpile_stream,
    validate,
)
from .agent import continue_request, next_turn
from .codec import Codec, Encoded, Endpoint, available_codecs, get_codec, register
from .errors import (
    DecodeError,
    InvalidRequestError,
    IRCodecError,
    IRCodecWarning,
    LossyEncode,
    LossyEncodeError,
    LossyEncodeWarning,
    UnknownCodecError,
)
from .ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Json,
    Message,
    ProviderPart,
    ProviderTool,
    ReasoningConfig,
    RedactedThinking,
    Refusal,
    Request,
    Response,
    ResponseFormat,
    SystemBlock,
    Text,
    TextSource,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
    Usage,
)
from .limits import DEFAULT_LIMITS, Limits, use_limits
from .replies import EncodedStream

__version__ = "0.1.0"

__all__ = [
    "Audio",
    "Base64Source",
    "CacheControl",
    "CacheTtl",
    "Codec",
    "DEFAULT_LIMITS",
    "DecodeError",
    "Document",
    "Encoded",
    "EncodedStream",
    "Endpoint",
    "FileSource",
    "IRCodecError",
    "IRCodecWarning",
    "Image",
    "InvalidRequestError",
    "Json",
    "Limits",
    "LossyEncode",
    "LossyEncodeError",
    "LossyEncodeWarning",
    "Message",
    "ProviderPart",
    "ProviderTool",
    "ReasoningConfig",
    "RedactedThinking",
    "Refusal",
    "Request",
    "Response",
    "ResponseFormat",
    "StreamTranspiler",
    "SystemBlock",
    "Text",
    "TextSource",
    "Thinking",
    "Tool",
    "ToolChoice",
    "ToolResult",
    "ToolUse",
    "UnknownCodecError",
    "UrlSource",
    "Usage",
    "available_codecs",
    "continue_request",
    "decode",
    "decode_response",
    "decode_stream",
    "encode",
    "encode_response",
    "get_codec",
    "ir_from_json",
    "ir_to_json",
    "next_turn",
    "register",
    "transpile",
    "transpile_response",
    "transpile_stream",
    "use_limits",
    "validate",
]
