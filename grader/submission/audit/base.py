"""What the audit has found so far, per (column, part), and how it becomes `Suspect`s with their declarations."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.models.assignment import SuspectPart
from grader.models.audit import AuditLevel, Declaration, Figure, Suspect, SuspectKind
from grader.submission.assignment import LoadedAssignment
from grader.submission.audit.thresholds import AuditThresholds


@dataclass
class Found:
    """Suspect reasons gathered per (column, part) before they are merged into one `Suspect`."""

    kinds: list[SuspectKind] = field(default_factory=list)
    level: AuditLevel = AuditLevel.info
    reasons: list[str] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)

    def add(self, kind: SuspectKind, level: AuditLevel, reason: str, **figures: Figure) -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)
        if level.rank > self.level.rank:
            self.level = level
        self.reasons.append(reason)
        self.figures.update(figures)


class AuditBase:
    """The state the audit's screens share: the assignment, the thresholds, the suspects found and notes."""

    def __init__(self, loaded: LoadedAssignment, thresholds: AuditThresholds) -> None:
        self.loaded = loaded
        self.assignment = loaded.assignment
        self.t = thresholds
        self.found: dict[tuple[str | None, SuspectPart | None], Found] = {}
        self.notes: list[str] = []

    def suspect(self, column: str | None, part: SuspectPart | None) -> Found:
        return self.found.setdefault((column, part), Found())

    def _declarations(
        self, column: str | None, part: SuspectPart | None, kinds: list[SuspectKind]
    ) -> tuple[list[Declaration], str | None]:
        a = self.assignment
        declared: list[Declaration] = []
        why = None
        if column is None:
            return declared, why
        if column in a.leakage_columns:
            declared.append(Declaration.leakage_column)
        for suspect in a.suspects_of(column):
            if suspect.part is part or suspect.part is SuspectPart.values:
                declared.append(Declaration.suspect_column)
                why = suspect.why
                break
        structural = set(kinds) - {SuspectKind.shared_ids}
        if column == a.id_column and structural and structural <= {SuspectKind.identifier}:
            declared.append(Declaration.id_column)
        if column == a.structure.time_column and SuspectKind.time_split in kinds and a.structure.time_ordered:
            declared.append(Declaration.time_column)
        if column == a.structure.group_column and SuspectKind.shared_groups in kinds:
            declared.append(Declaration.group_column)
        return declared, why

    def _suspects(self) -> list[Suspect]:
        out = []
        for (column, part), found in self.found.items():
            declared, why = self._declarations(column, part, found.kinds)
            out.append(
                Suspect(
                    kinds=found.kinds,
                    column=column,
                    part=part,
                    level=found.level,
                    why="; ".join(found.reasons),
                    figures=found.figures,
                    declared=declared,
                    declared_why=why,
                )
            )
        out.sort(key=lambda s: (-s.level.rank, s.is_declared))
        return out
