"""The shop's business: store, accounts, orders, delivery, feedback, tickets, metrics.

Imports neither Telegram nor Rasa; the bot and the action server are thin front doors
over this package (see ARCHITECTURE.md §1).
"""
