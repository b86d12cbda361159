"""Adapters that let agent frameworks delegate their wire mapping to ir_codec (optional extras)."""
