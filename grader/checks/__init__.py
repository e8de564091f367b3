"""Built-in checks, one per module, grouped by category folder.

`builtin_checks()` is what the `grader.checks` entry point named `builtin`
publishes; a plugin publishes its own callable or list the same way.
"""

from __future__ import annotations

import importlib
import pkgutil

from grader.checks.base import CheckSpec

CATEGORY_PACKAGES = ("eda", "features", "modeling", "evaluation", "leakage", "quality", "docs", "execution")


def builtin_checks() -> list[CheckSpec]:
    """Import every check module under the category packages and collect its spec."""
    specs: list[CheckSpec] = []
    for category in CATEGORY_PACKAGES:
        try:
            package = importlib.import_module(f"{__name__}.{category}")
        except ModuleNotFoundError:
            continue
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            specs.extend(v for v in vars(module).values() if isinstance(v, CheckSpec) and v.module == module.__name__)
    return specs
