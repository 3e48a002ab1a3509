"""The shop's own answers (ARCHITECTURE.md §11): FAQ entries, retrieval at run time, and the
questions nobody could answer yet, for the owner's weekly list."""
