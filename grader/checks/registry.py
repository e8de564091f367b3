"""The registry of checks, built explicitly at run time.

Built-in checks arrive through the `grader.checks` entry-point group exactly as a
third-party plugin's would; tests can build an isolated registry by hand.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from importlib import metadata
from typing import Any

from grader.checks.base import CheckSpec
from grader.errors import ConfigError

ENTRY_POINT_GROUP = "grader.checks"


class Registry:
    """Checks by id and by slug."""

    def __init__(self, specs: Iterable[CheckSpec] = ()) -> None:
        self._by_id: dict[str, CheckSpec] = {}
        self._by_slug: dict[str, CheckSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: CheckSpec) -> None:
        existing = self._by_id.get(spec.id) or self._by_slug.get(spec.slug)
        if existing is not None and existing is not spec:
            raise ConfigError(
                f"check {spec.id}/{spec.slug} clashes with {existing.id}/{existing.slug} ({existing.module})"
            )
        self._by_id[spec.id] = spec
        self._by_slug[spec.slug] = spec

    def get(self, ref: str) -> CheckSpec:
        """A check by id (`LEAK001`) or slug; KeyError names the closest known ones."""
        spec = self._by_id.get(ref) or self._by_id.get(ref.upper()) or self._by_slug.get(ref)
        if spec is None:
            raise KeyError(ref)
        return spec

    def closest(self, ref: str, n: int = 3) -> list[str]:
        pool = list(self._by_id) + list(self._by_slug)
        return difflib.get_close_matches(ref, pool, n=n, cutoff=0.4) or difflib.get_close_matches(
            ref.upper(), pool, n=n, cutoff=0.3
        )

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and (ref in self._by_id or ref in self._by_slug)

    def __iter__(self) -> Iterator[CheckSpec]:
        return iter(sorted(self._by_id.values(), key=lambda s: (s.category.value, s.id)))

    def __len__(self) -> int:
        return len(self._by_id)

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP) -> Registry:
        """Every check published under the entry-point group (built-ins included)."""
        registry = cls()
        points = metadata.entry_points(group=group)
        if not any(point.name == "builtin" for point in points):
            # Running from a source tree that was never installed: same loader, by hand.
            from grader.checks import builtin_checks

            registry._add(builtin_checks())
        for point in points:
            registry._add(point.load())
        return registry

    def _add(self, value: Any) -> None:
        if callable(value) and not isinstance(value, CheckSpec):
            value = value()
        if isinstance(value, CheckSpec):
            self.register(value)
            return
        for spec in value:
            if not isinstance(spec, CheckSpec):
                raise ConfigError(f"entry point gave {spec!r}, which is not a check")
            self.register(spec)


def default_registry() -> Registry:
    """The built-in checks and every installed plugin's, through the `grader.checks` entry points."""
    return Registry.from_entry_points()
