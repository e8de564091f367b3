"""The similarity stage: sources in, reported pairs out.

normalise every notebook → drop boilerplate (starter, base, lines common to the batch)
→ winnowed fingerprints → MinHash LSH proposes candidate pairs → each candidate scored
exactly → pairs at or above the threshold. Submissions are compared with each other
and with the references; references are never compared with each other.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from grader.similarity.boilerplate import Boilerplate, common_fingerprints, common_units
from grader.similarity.compare import NotebookPrint, fingerprint, score, similar_pair
from grader.similarity.fingerprint import notebook_units
from grader.similarity.index import CandidateIndex
from grader.similarity.models import SimilarityParams, SimilarityResult, SkippedNotebook
from grader.similarity.sources import NotebookSource


def excluded_code(sources: Sequence[NotebookSource], params: SimilarityParams) -> Boilerplate:
    """Starter or base code as boilerplate: its normalised lines and every fingerprint it has."""
    boilerplate = Boilerplate()
    for source in sources:
        units = notebook_units(source.name, source.cells)
        boilerplate.units |= units.unit_keys()
        boilerplate.fingerprints |= fingerprint(units, params, Boilerplate()).fingerprints
    return boilerplate


@dataclass
class PreparedBatch:
    """Every notebook's fingerprints with boilerplate removed, ready to index and score."""

    submissions: list[NotebookPrint]
    references: list[NotebookPrint]


def prepare(
    submissions: Sequence[NotebookSource],
    *,
    references: Sequence[NotebookSource] = (),
    excluded: Sequence[NotebookSource] = (),
    params: SimilarityParams,
) -> PreparedBatch:
    """Normalise, drop starter/base code and lines common to the batch, fingerprint."""
    units = [notebook_units(s.name, s.cells) for s in submissions]
    reference_units = [notebook_units(r.name, r.cells) for r in references]
    boilerplate = excluded_code(excluded, params)
    boilerplate.units |= common_units(units, share=params.common_share, minimum=params.common_min)
    prints = [fingerprint(u, params, boilerplate) for u in units]
    reference_prints = [fingerprint(u, params, boilerplate, reference=True) for u in reference_units]
    common = common_fingerprints(
        (p.fingerprints for p in prints), len(prints), share=params.common_share, minimum=params.common_min
    )
    if common:
        prints = [p.without(common) for p in prints]
        reference_prints = [p.without(common) for p in reference_prints]
    return PreparedBatch(prints, reference_prints)


def candidate_pairs(batch: PreparedBatch, params: SimilarityParams) -> list[tuple[NotebookPrint, NotebookPrint]]:
    """The pairs the LSH index proposes, submission first; never two references."""
    by_key: dict[str, NotebookPrint] = {}
    index = CandidateIndex(params)
    for prefix, group in (("s", batch.submissions), ("r", batch.references)):
        for item in group:
            key = f"{prefix}:{item.name}"
            by_key[key] = item
            index.add(key, item.fingerprints)
    pairs = []
    for left, right in sorted(index.pairs()):
        a, b = by_key[left], by_key[right]
        if a.reference and b.reference:
            continue
        pairs.append((b, a) if a.reference else (a, b))
    return pairs


def find_similar(
    submissions: Sequence[NotebookSource],
    *,
    references: Sequence[NotebookSource] = (),
    excluded: Sequence[NotebookSource] = (),
    params: SimilarityParams | None = None,
    skipped: Sequence[SkippedNotebook] = (),
) -> SimilarityResult:
    """Pairs of submissions, and of a submission and a reference, that share more than boilerplate."""
    params = params or SimilarityParams()
    started = time.perf_counter()
    batch = prepare(submissions, references=references, excluded=excluded, params=params)
    candidates = candidate_pairs(batch, params)
    pairs = []
    for a, b in candidates:
        scored = score(a, b, params)
        if scored.reported(params):
            pairs.append(similar_pair(a, b, scored, params))
    n, r = len(batch.submissions), len(batch.references)
    return SimilarityResult(
        pairs=sorted(pairs, key=lambda p: (-p.score, p.a, p.b)),
        skipped=list(skipped),
        notebooks=n,
        references=r,
        candidates=len(candidates),
        all_pairs=n * (n - 1) // 2 + n * r,
        seconds=round(time.perf_counter() - started, 3),
        threshold=params.threshold,
    )
