"""Telegram handlers, one module per kind of user; each parses, calls a service, replies."""
