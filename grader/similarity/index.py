"""Candidate pairs from a MinHash LSH index (datasketch), so a batch is never compared all-pairs.

Each notebook's fingerprint set gets a MinHash signature; LSH banding returns the
notebooks whose estimated Jaccard similarity is around `lsh_threshold` or more.
The threshold is set low on purpose: a copy padded with dead code or with its
markdown reworded shares a smaller part of the union than of the smaller notebook,
and every candidate is scored exactly afterwards (`compare.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from grader.similarity.models import SimilarityParams

if TYPE_CHECKING:
    from datasketch import MinHash


def _identity(value: int) -> int:
    # Fingerprints are already well-mixed 64-bit hashes.
    return value


class CandidateIndex:
    """Notebooks by fingerprint set; `pairs()` proposes the ones worth scoring."""

    def __init__(self, params: SimilarityParams) -> None:
        # Imported here: datasketch loads scipy, which every other command can do without.
        from datasketch import MinHash, MinHashLSH

        self._minhash = MinHash
        self._lsh = MinHashLSH(threshold=params.lsh_threshold, num_perm=params.num_perm)
        self._template = MinHash(num_perm=params.num_perm, hashfunc=_identity, scheme="affine64")
        self._signatures: dict[str, MinHash] = {}

    def add(self, key: str, fingerprints: Iterable[int]) -> None:
        values = list(fingerprints)
        if not values:
            return
        signature = self._minhash(
            num_perm=self._template.num_perm,
            hashfunc=_identity,
            permutations=self._template.permutations,
            scheme="affine64",
        )
        signature.update_batch(values)
        self._lsh.insert(key, signature)
        self._signatures[key] = signature

    def pairs(self) -> set[tuple[str, str]]:
        """Every proposed pair once, as (smaller key, larger key)."""
        found = set()
        for key, signature in self._signatures.items():
            for other in self._lsh.query(signature):
                if other != key:
                    found.add((key, other) if key < other else (other, key))
        return found
