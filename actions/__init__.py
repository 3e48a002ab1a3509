"""Rasa custom actions: one module per journey over a small shared base.

Run with `python -m actions` (binds to BIND_HOST, default 127.0.0.1).
"""

import warnings

# rasa-sdk 3.21 warns on every call from Rasa 3.6; the pair works over HTTP (README).
warnings.filterwarnings("ignore", message="Your versions of rasa and rasa_sdk might not be compatible")
