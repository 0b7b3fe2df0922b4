"""Outbound channels: one protocol (:mod:`.base`), one module per channel."""
