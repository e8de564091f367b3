"""Similarity detection on disguised copies of the sample corpus: recall, false pairs, and speed.

    .venv/bin/python bench/similarity.py                  # recall, false pairs, 500-notebook batch
    .venv/bin/python bench/similarity.py --size 200 --param threshold=0.4 --verbose

1. Recall and false pairs. For every sample submission, one copy per transformation of
   `tests/similarity/disguise.py` (rename, comments, reformat, reword, split, merge,
   reorder, dead_code) and one with all of them (`all`). Per assignment and transformation,
   one batch: the originals and one copy of each (so a line shared by two independent
   solutions is not made "common to the batch" by the copies). Recall is the share of
   (original, copy) pairs reported, over the copies that differ from their original; a
   false pair is two different originals (or their copies) reported together, counted
   once per pair of originals (the sample submissions of an assignment are independent
   solutions).
2. Speed. A batch of `--size` notebooks (the 27 originals and disguised copies of them,
   all kinds mixed) through the whole stage as `grader batch` runs it: reading the
   submissions, normalising, fingerprinting, LSH candidates and scoring. Baselines in
   the same process: reading the notebooks and `ast.parse`-ing every code cell (the least
   any analysis does), and scoring all pairs instead of the LSH candidates.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.evidence.code import neutralise  # noqa: E402
from grader.similarity.compare import score  # noqa: E402
from grader.similarity.detect import find_similar, prepare  # noqa: E402
from grader.similarity.models import SimilarityParams  # noqa: E402
from grader.similarity.sources import NotebookSource, load_submission  # noqa: E402
from tests.similarity.disguise import (  # noqa: E402
    TRANSFORMATIONS,
    TRANSFORMATIONS_AND_ALL,
    copy_of,
    read_notebooks,
    source_of,
    write_submission,
)

SUBMISSIONS = REPO / "submissions"


def _lineage(name: str) -> str:
    return name.split("--", 1)[0]


def _differs(original: Path, copy: Path) -> bool:
    def sources(folder: Path) -> list[str]:
        return [source_of(c) for nb in read_notebooks(folder).values() for c in nb["cells"]]

    return sources(original) != sources(copy)


def _load(folder: Path) -> list[NotebookSource]:
    return [load_submission(p.name, p) for p in sorted(folder.iterdir()) if p.is_dir()]


def recall_and_false_pairs(work: Path, params: SimilarityParams, seed: int, verbose: bool) -> tuple[float, int]:
    found: dict[str, list[bool]] = defaultdict(list)
    false_pairs: set[str] = set()
    candidates = compared = 0
    independent, copies = (0.0, ""), (1.0, "")
    for assignment in sorted(p for p in SUBMISSIONS.iterdir() if p.is_dir()):
        originals = sorted(p for p in assignment.iterdir() if p.is_dir())
        for name in TRANSFORMATIONS_AND_ALL:
            batch = work / "recall" / assignment.name / name
            for folder in originals:
                write_submission(batch / folder.name, read_notebooks(folder))
                write_submission(batch / f"{folder.name}--{name}", copy_of(folder, name, seed))
            sources = _load(batch)
            result = find_similar(sources, params=params)
            for a, b in itertools.combinations(prepare(sources, params=params).submissions, 2):
                scored = score(a, b, params)
                if _lineage(a.name) != _lineage(b.name):
                    independent = max(independent, (scored.score, f"{assignment.name}: {a.name} ~ {b.name}"))
                elif "--" in a.name + b.name:
                    copies = min(copies, (scored.score, f"{assignment.name}: {a.name} ~ {b.name}"))
            candidates += result.candidates
            compared += result.all_pairs
            reported_pairs = {(p.a, p.b) for p in result.pairs} | {(p.b, p.a) for p in result.pairs}
            for folder in originals:
                copy = f"{folder.name}--{name}"
                if _differs(batch / folder.name, batch / copy):
                    hit = (folder.name, copy) in reported_pairs
                    found[name].append(hit)
                    if verbose and not hit:
                        print(f"  missed: {assignment.name}/{copy}")
            for pair in result.pairs:
                if _lineage(pair.a) != _lineage(pair.b):
                    false_pairs.add(f"{assignment.name}: {_lineage(pair.a)} ~ {_lineage(pair.b)}")
                    if verbose:
                        print(f"  false pair: {assignment.name}: {pair.a} ~ {pair.b} ({pair.score:.2f})")
    print(f"{'transformation':15} {'found':>9} {'recall':>7}")
    hits = total = 0
    for name, results in found.items():
        hits += sum(results)
        total += len(results)
        print(f"{name:15} {sum(results):4}/{len(results):<4} {sum(results) / len(results):7.3f}")
    print(f"LSH candidates: {candidates} of {compared} pairs in these batches")
    print(f"lowest score of a copy: {copies[0]:.3f} ({copies[1]})")
    print(f"highest score of two independent solutions: {independent[0]:.3f} ({independent[1]})")
    for line in sorted(false_pairs):
        print(f"  falsely paired: {line}")
    return hits / total, len(false_pairs)


def _speed_batch(work: Path, size: int, seed: int) -> Path:
    folder = work / "speed"
    originals = sorted(p for p in SUBMISSIONS.glob("*/*") if p.is_dir())
    for original in originals:
        write_submission(folder / f"{original.parent.name}-{original.name}", read_notebooks(original))
    kinds = [*TRANSFORMATIONS, "all", "all"]
    for n in itertools.count():
        if len(originals) + n >= size:
            break
        original = originals[n % len(originals)]
        kind = kinds[(n // len(originals)) % len(kinds)]
        copy = copy_of(original, kind, seed + n)
        write_submission(folder / f"{original.parent.name}-{original.name}--{kind}-{n}", copy)
    return folder


def _parse_baseline(folder: Path) -> float:
    started = time.perf_counter()
    for path in sorted(folder.glob("*/*.ipynb")):
        for cell in json.loads(path.read_text("utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                try:
                    ast.parse(neutralise(source_of(cell))[0])
                except SyntaxError:
                    pass
    return time.perf_counter() - started


def speed(work: Path, params: SimilarityParams, size: int, seed: int) -> float:
    folder = _speed_batch(work, size, seed)
    baseline = _parse_baseline(folder)
    started = time.perf_counter()
    sources = _load(folder)
    loaded = time.perf_counter() - started
    result = find_similar(sources, params=params)
    total = time.perf_counter() - started
    # All pairs, scored exactly, from the same fingerprints (what the LSH index avoids).
    prints = prepare(sources, params=params).submissions
    all_started = time.perf_counter()
    all_reported = sum(1 for a, b in itertools.combinations(prints, 2) if score(a, b, params).reported(params))
    all_pairs = time.perf_counter() - all_started
    print(
        f"batch of {len(sources)} notebooks: {total:.2f} s "
        f"(reading {loaded:.2f} s, similarity stage {result.seconds:.2f} s); "
        f"{result.candidates} LSH candidates of {result.all_pairs} pairs, {len(result.pairs)} reported"
    )
    print(f"baseline: read + ast.parse every cell {baseline:.2f} s; scoring all pairs instead of LSH {all_pairs:.2f} s")
    print(f"stage/parse_baseline={total / baseline:.2f}")
    print(f"lsh_candidates/all_pairs={result.candidates / max(result.all_pairs, 1):.4f}")
    print(f"reported_with_lsh/reported_all_pairs={len(result.pairs)}/{all_reported}")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500, help="notebooks in the speed batch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--param", action="append", default=[], help="a SimilarityParams field, e.g. threshold=0.4")
    parser.add_argument("--verbose", action="store_true", help="list the copies that were missed")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)
    params = SimilarityParams.model_validate(dict(p.split("=", 1) for p in args.param))
    with tempfile.TemporaryDirectory(prefix="thg-similarity-") as temp:
        work = Path(temp)
        recall, false_pairs = recall_and_false_pairs(work, params, args.seed, args.verbose)
        seconds = speed(work, params, args.size, args.seed) if not args.no_speed else float("nan")
    print(f"recall={recall:.3f}")
    print(f"false_pairs={false_pairs}")
    print(f"batch_{args.size}_s={seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
