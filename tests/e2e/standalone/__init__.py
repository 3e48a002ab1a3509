"""End-to-end tests that start their own Rasa server and action server (or the bot with its
own, as `make run` does) because they kill them. Each file is a work unit of its own under
xdist (tests/conftest.py), so it runs on the other core beside the tests on the session's
servers instead of after them."""
