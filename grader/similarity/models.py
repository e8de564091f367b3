"""What the similarity stage is told and what it finds (pydantic, no I/O)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SimilarityParams(_Model):
    """How notebooks are fingerprinted, which pairs are looked at and which are reported.

    The defaults were set on the sample corpus and its disguised copies (`bench/similarity.py`):
    every copy found, no two independent solutions paired.
    """

    #: Normalised code tokens per k-gram; a shared run of `k + window - 1` tokens is always found.
    k: int = Field(default=12, ge=3, le=100)
    window: int = Field(default=6, ge=1, le=100)
    #: Words per markdown shingle (after stop words are dropped).
    markdown_k: int = Field(default=4, ge=1, le=20)
    #: A pair is reported at this score or above (the share of the smaller notebook found in the other).
    threshold: float = Field(default=0.5, gt=0, le=1)
    #: ... and when it shares at least this many fingerprints (a short notebook proves little).
    min_matched: int = Field(default=15, ge=1)
    #: A side with fewer fingerprints than this (code alone, or code and markdown) gets no score from them.
    min_fingerprints: int = Field(default=10, ge=1)
    #: A line (normalised statement or markdown line) in at least this share of the batch is boilerplate ...
    common_share: float = Field(default=0.3, gt=0, le=1)
    #: ... when that is also at least this many notebooks (a batch of three has no "common" lines).
    common_min: int = Field(default=5, ge=2)
    #: MinHash LSH: pairs whose fingerprint sets have at least about this Jaccard similarity are compared.
    lsh_threshold: float = Field(default=0.1, gt=0, lt=1)
    num_perm: int = Field(default=128, ge=16, le=1024)
    #: Matched cells: cell pairs sharing at least this many fingerprints (or all of the smaller cell's).
    cell_min_matched: int = Field(default=2, ge=1)


class SimilarPair(_Model):
    """Two notebooks that share more than chance: a submission and another one, or a known public solution."""

    #: The submission (its name in the batch, as in `summary.json`'s rows).
    a: str
    #: The other submission, or the reference solution's name when `reference` is true.
    b: str
    #: Share of the smaller notebook's fingerprints found in the other (0–1).
    score: float
    #: The same over code only (markdown reworded by a copier does not hide copied code).
    code_score: float
    #: Fingerprints the two share, and each side's count after boilerplate was removed.
    matched: int
    a_fingerprints: int
    b_fingerprints: int
    #: Global cell indices [cell of a, cell of b], in a's order, as reports number cells.
    matched_cells: list[tuple[int, int]]
    reference: bool = False
    #: The side-by-side page, relative to the batch folder (set when written).
    page: str | None = None

    def summary(self) -> dict[str, object]:
        """The `similar_pairs` entry of `summary.json`."""
        return {
            "a": self.a,
            "b": self.b,
            "score": self.score,
            "matched_cells": [list(pair) for pair in self.matched_cells],
            "code_score": self.code_score,
            "matched": self.matched,
            "reference": self.reference,
            "page": self.page,
        }


class SkippedNotebook(_Model):
    """A submission or reference the stage could not read (it is left out, the rest goes on)."""

    name: str
    reason: str


class SimilarityResult(_Model):
    pairs: list[SimilarPair] = []
    skipped: list[SkippedNotebook] = []
    #: How many notebooks were compared, how many pairs LSH proposed, and how many all-pairs would be.
    notebooks: int = 0
    references: int = 0
    candidates: int = 0
    all_pairs: int = 0
    seconds: float = 0.0
    threshold: float = 0.0
    #: Set when the stage itself failed (the batch's reports and summaries are still written).
    error: str | None = None

    def pairs_of(self, name: str) -> list[SimilarPair]:
        """The pairs a submission is part of, best first."""
        return sorted(
            (p for p in self.pairs if p.a == name or (p.b == name and not p.reference)), key=lambda p: -p.score
        )

    def column(self) -> dict[str, str]:
        """The CSV's `similar` cell per submission: `other (0.93); reference:name (0.88)`."""
        return similar_column([pair.summary() for pair in self.pairs])

    def overview(self) -> dict[str, object]:
        """`summary.json`'s `similarity` entry: what was compared, how, and what could not be read."""
        return {
            "notebooks": self.notebooks,
            "references": self.references,
            "threshold": self.threshold,
            "lsh_candidates": self.candidates,
            "all_pairs": self.all_pairs,
            "seconds": self.seconds,
            "skipped": [s.model_dump() for s in self.skipped],
            "error": self.error,
        }

    def event(self) -> dict[str, object]:
        """The batch progress event's detail."""
        return {"pairs": len(self.pairs), "notebooks": self.notebooks, "seconds": self.seconds, "error": self.error}


def similar_column(pairs: list[dict[str, Any]]) -> dict[str, str]:
    """The CSV's `similar` cell per submission from `summary.json`'s `similar_pairs`: `other (0.93); reference:name (0.88)`."""
    cells: dict[str, list[str]] = {}
    for pair in pairs:
        a, b, score = str(pair.get("a", "")), str(pair.get("b", "")), float(pair.get("score") or 0.0)
        cells.setdefault(a, []).append(f"{'reference:' + b if pair.get('reference') else b} ({score:.2f})")
        if not pair.get("reference"):
            cells.setdefault(b, []).append(f"{a} ({score:.2f})")
    return {name: "; ".join(values) for name, values in cells.items()}
