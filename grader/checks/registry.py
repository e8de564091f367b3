"""The registry of checks, built explicitly at run time.

Built-in checks arrive through the `grader.checks` entry-point group exactly as a
third-party plugin's would; tests can build an isolated registry by hand.
"""

from __future__ import annotations

import difflib
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from grader.checks.base import CheckSpec
from grader.errors import ConfigError

ENTRY_POINT_GROUP = "grader.checks"


@dataclass(frozen=True)
class PluginFailure:
    """A third-party entry point that could not be loaded; its checks are left out."""

    name: str
    #: The entry point's target (`package.module:function`).
    value: str
    #: The distribution that declares it, if known.
    distribution: str | None
    error: str

    def __str__(self) -> str:
        origin = f" from {self.distribution}" if self.distribution else ""
        return f"check plugin {self.name!r} ({self.value}{origin}) was skipped: {self.error}"


class Registry:
    """Checks by id and by slug."""

    def __init__(self, specs: Iterable[CheckSpec] = ()) -> None:
        self._by_id: dict[str, CheckSpec] = {}
        self._by_slug: dict[str, CheckSpec] = {}
        #: Plugins that failed to load (`from_entry_points` skips them and keeps going).
        self.failures: list[PluginFailure] = []
        for spec in specs:
            self.register(spec)

    def register(self, spec: CheckSpec) -> None:
        """Add a check; one whose id or slug is taken by another check is an error."""
        self._check_clash(spec)
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
        """Every check published under the entry-point group (built-ins included).

        A plugin that fails to import, gives something that is not a check, or clashes with
        a registered check is skipped whole and listed in `failures`; the built-ins must load.
        """
        registry = cls()
        points = metadata.entry_points(group=group)
        builtin = [point for point in points if _is_builtin(point)]
        if builtin:
            registry._add(builtin[0].load())
        else:
            # Running from a source tree that was never installed: same loader, by hand.
            from grader.checks import builtin_checks

            registry._add(builtin_checks())
        for point in points:
            if _is_builtin(point):
                continue
            try:
                specs = _specs_of(point.load())
                Registry(specs)  # the plugin's own checks must not clash with each other
                for spec in specs:
                    registry._check_clash(spec)
            except Exception as exc:  # noqa: BLE001 - a broken plugin is reported and skipped, never fatal
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                registry.failures.append(
                    PluginFailure(point.name, point.value, point.dist.name if point.dist else None, detail[:500])
                )
                continue
            for spec in specs:
                registry.register(spec)
        return registry

    def _check_clash(self, spec: CheckSpec) -> None:
        existing = self._by_id.get(spec.id) or self._by_slug.get(spec.slug)
        if existing is not None and existing is not spec:
            raise ConfigError(
                f"check {spec.id}/{spec.slug} clashes with {existing.id}/{existing.slug} ({existing.module})"
            )

    def _add(self, value: Any) -> None:
        for spec in _specs_of(value):
            self.register(spec)


def _is_builtin(point: metadata.EntryPoint) -> bool:
    return point.name == "builtin" and point.value == "grader.checks:builtin_checks"


def _specs_of(value: Any) -> list[CheckSpec]:
    """The checks an entry point gives: a spec, an iterable of specs, or a callable returning either."""
    if callable(value) and not isinstance(value, CheckSpec):
        value = value()
    if isinstance(value, CheckSpec):
        return [value]
    specs = list(value)
    for spec in specs:
        if not isinstance(spec, CheckSpec):
            raise ConfigError(f"entry point gave {spec!r}, which is not a check")
    return specs


def default_registry() -> Registry:
    """The built-in checks and every installed plugin's, through the `grader.checks` entry points."""
    return Registry.from_entry_points()
