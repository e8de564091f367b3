"""The narrative facts of one submission, built once: markdown, code scopes, target references, figures, stated results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.evidence.narrative.claims import StatedResult, stated_results
from grader.evidence.narrative.figures import FigureFacts, figure_facts
from grader.evidence.narrative.markdown import MarkdownFacts, markdown_facts
from grader.evidence.narrative.reported import ReportedValue, reported_values
from grader.evidence.narrative.scopes import Scopes, TargetRefs, build_scopes, target_refs

if TYPE_CHECKING:
    from grader.evidence.context import Observations


@dataclass(frozen=True)
class NarrativeFacts:
    """What the checks read about the narrative and the code's organisation."""

    markdown: MarkdownFacts
    scopes: Scopes
    #: The target's references in the code (None when the assignment, and so the target, is unknown).
    target_refs: TargetRefs | None
    figures: FigureFacts
    #: Results the markdown and code comments state (values, winners, "no overfitting").
    claims: tuple[StatedResult, ...] = ()
    #: Metric values the outputs that count show.
    reported: tuple[ReportedValue, ...] = ()


def narrative_facts(seen: Observations) -> NarrativeFacts:
    """Build every narrative fact of a submission."""
    scopes = build_scopes(seen.code)
    target = seen.assignment.target if seen.assignment is not None else None
    return NarrativeFacts(
        markdown=markdown_facts(seen.notebook),
        scopes=scopes,
        target_refs=target_refs(scopes, target),
        figures=figure_facts(seen, scopes),
        claims=tuple(stated_results(seen.notebook)),
        reported=tuple(reported_values(seen.output_cells())),
    )
