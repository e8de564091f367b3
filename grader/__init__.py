"""take-home-grader: grade machine-learning take-home notebooks in a sandbox."""

from __future__ import annotations

__version__ = "0.1.0"
