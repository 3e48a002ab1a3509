"""Telegram front door of the assistant."""
