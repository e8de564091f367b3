"""The whole sample corpus is graded once per session by `graded_corpus` in `tests/conftest.py`."""
