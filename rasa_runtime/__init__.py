"""Running Rasa: the launcher (Rasa with its documented fixes), the supervisor, and our own
pipeline components (`components/`, loaded by Rasa from config.yml).

`launcher` runs in .venv-rasa's Python 3.10 as ``python -m rasa_runtime.launcher`` from the
project root, so it imports only the standard library and what .venv-rasa has; `supervisor`
runs in the bot's environment and starts it. This file imports neither.
"""
